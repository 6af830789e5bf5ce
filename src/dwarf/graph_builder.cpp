#include "dwarf2btf/dwarf/graph_builder.h"

#include <fmt/format.h>

#include "builder.h"
#include "dwarf2btf/encode/param_location.h"
#include "dwarf_codes.h"

namespace d2b::dwarf {

using model::NodeId;
using model::NodeKind;
using model::TypeNode;

namespace {

// The unit-relative offset a DW_FORM_ref* attribute holds, for messages
// about references that do not resolve (libdw only deprecates this reader).
bool formRefOffset(Dwarf_Attribute *a, Dwarf_Off *off) {
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
  return dwarf_formref(a, off) == 0;
#pragma GCC diagnostic pop
}

} // namespace

// ---- unit facts, keys, nodes -------------------------------------------------

const UnitBuilder::UnitFacts &UnitBuilder::lookUpFacts(Dwarf_CU *cu) {
  auto it = units_.find(cu);
  if (it != units_.end()) {
    lastCu_ = cu;
    lastFacts_ = &it->second; // map nodes do not move
    return it->second;
  }
  UnitFacts f;
  Dwarf_Half version = 0;
  uint8_t unitType = 0;
  Dwarf_Die cudie;
  if (dwarf_cu_info(cu, &version, &unitType, &cudie, nullptr, nullptr, nullptr, nullptr) == 0) {
    // DWARF 4 type units live in .debug_types, whose offsets overlap those
    // of .debug_info; DWARF 5 type units are in .debug_info.
    f.typesSection = version < 5 && unitType == DW_UT_type;
    int lang = dwarf_srclang(&cudie);
    f.language = lang > 0 ? uint16_t(lang) : 0;
  }
  return units_.emplace(cu, f).first->second;
}

uint64_t UnitBuilder::keyOf(Dwarf_CU *cu, uint64_t dieOffset) {
  return factsOf(cu).typesSection ? dieOffset | (uint64_t(1) << 63) : dieOffset;
}

uint64_t UnitBuilder::keyOf(Dwarf_Die &die) { return keyOf(die.cu, dwarf_dieoffset(&die)); }

NodeId UnitBuilder::nodeFor(Dwarf_Die &die, int knownTag) {
  const uint64_t key = keyOf(die);
  if (const uint32_t *known = byKey_.find(key))
    return *known;
  const int tag = knownTag >= 0 ? knownTag : dwarf_tag(&die);
  // A skeleton declaration standing for a type-unit type (clang's
  // DW_AT_signature) is that type.
  Dwarf_Attribute sig;
  Dwarf_Die full;
  const unsigned char *values;
  const DieScanner::Info *info = scanner_.infoAt(die, values);
  if (isTypeDie(tag) && (!info || info->signature) && dwarf_attr(&die, DW_AT_signature, &sig) &&
      dwarf_formref_die(&sig, &full) && keyOf(full) != key &&
      !dwarf_hasattr(&full, DW_AT_signature)) {
    NodeId id = nodeFor(full);
    byKey_.emplace(key, id);
    return id;
  }
  if (!isTypeDie(tag)) {
    warn(die, "dwarf.not-a-type",
         fmt::format("type reference to a {} DIE; lowered to void", tagName(tag)));
    byKey_.emplace(key, model::kVoidNode);
    return model::kVoidNode;
  }
  TypeNode n;
  n.dieOffset = dwarf_dieoffset(&die);
  n.language = factsOf(die.cu).language;
  n.inTypesSection = factsOf(die.cu).typesSection;
  NodeId id = g_.addNode(n);
  dies_.push_back(die);
  byKey_.emplace(key, id);
  if (die.cu != cu_) {
    g_.node(id).foreign = true;
    ++out_.foreignTypes;
  }
  return id;
}

NodeId UnitBuilder::typeOf(Dwarf_Die &die, unsigned at, bool integrate) {
  Dwarf_Attribute a;
  if (!(integrate ? dwarf_attr_integrate(&die, at, &a) : dwarf_attr(&die, at, &a)))
    return model::kVoidNode;
  return typeOfAttr(die, a);
}

NodeId UnitBuilder::typeOf(DieAttrs &attrs) {
  Dwarf_Attribute a;
  return attrs.get(DW_AT_type, &a) ? typeOfAttr(attrs.die(), a) : model::kVoidNode;
}

NodeId UnitBuilder::typeOfAttr(Dwarf_Die &die, Dwarf_Attribute &a) {
  Dwarf_Die target;
  // Most references point into the unit itself, at a type already met:
  // found from the offset alone, without libdw building the DIE first.
  // Anything else (another unit, a DIE the scanner cannot read, not a type)
  // goes the way below, which also reports it.
  if (a.cu == cu_)
    if (const unsigned char *t = scanner_.refTarget(a.form, a.valp))
      if (const DieScanner::Info *info = scanner_.infoOfDie(t); info && isTypeDie(info->tag)) {
        if (const uint32_t *known = byKey_.find(keyOf(cu_, scanner_.offsetOf(t))))
          return *known;
        target = Dwarf_Die{};
        target.addr = const_cast<unsigned char *>(t);
        target.cu = cu_;
        target.abbrev = info->lib;
        return nodeFor(target);
      }
  if (!dwarf_formref_die(&a, &target)) {
    // libdw's own message for this depends on which check failed first, so
    // describe the reference instead.
    Dwarf_Off ref = 0;
    std::string what;
    if (dwarf_whatform(&a) == DW_FORM_ref_sig8)
      what = "a type signature no type unit defines";
    else if (formRefOffset(&a, &ref))
      what = fmt::format("unit offset {:#x}, which is not a DIE", ref);
    else
      what = "nothing readable";
    warn(die, "dwarf.dangling-ref", fmt::format("DW_AT_type refers to {}; lowered to void", what));
    return model::kVoidNode;
  }
  prime(target);
  const int tag = dwarf_tag(&target);
  if (!isTypeDie(tag)) {
    warn(die, "dwarf.not-a-type",
         fmt::format("DW_AT_type refers to a {} DIE at {:#x}; lowered to void", tagName(tag),
                     dwarf_dieoffset(&target)));
    return model::kVoidNode;
  }
  return nodeFor(target);
}

void UnitBuilder::declTagsOf(Dwarf_Die &die, std::vector<std::string> &out) {
  forEachAnnotation(die, declTagsInto(out));
}

void UnitBuilder::declTagsOf(DieAttrs &attrs, std::vector<std::string> &out) {
  annotationsOf(attrs, declTagsInto(out));
}

NodeId UnitBuilder::typeOfIntegrate(DieAttrs &attrs) {
  Dwarf_Attribute a;
  return attrs.getIntegrate(DW_AT_type, &a) ? typeOfAttr(attrs.die(), a) : model::kVoidNode;
}

void UnitBuilder::warn(Dwarf_Die &die, const char *rule, std::string message, Severity severity) {
  // A DIE of another unit (reached through ref_addr or a type signature) is
  // also walked by its own unit, which reports it; saying it once per
  // referencing unit would only repeat the same line.
  if (die.cu != cu_)
    return;
  if (filling_) {
    if (out_.tainted.size() <= filling_)
      out_.tainted.resize(filling_ + 1);
    out_.tainted[filling_] = 1;
  }
  Diagnostic d;
  d.severity = severity;
  d.rule = rule;
  d.where.file = in_.file;
  d.where.section = factsOf(die.cu).typesSection ? ".debug_types" : ".debug_info";
  d.where.die_offset = dwarf_dieoffset(&die);
  d.where.tag = tagName(dwarf_tag(&die));
  d.where.name = std::string(dieName(&die));
  d.message = std::move(message);
  diag_.report(std::move(d));
}

Error UnitBuilder::dwarfError(Dwarf_Die *die, const char *what) {
  const char *section = in_.unit->sectionName();
  uint64_t off = die ? dwarf_dieoffset(die) : in_.unit->dieOffset;
  return Error(fmt::format("{}: {}+{:#x}: {}: {}", in_.file, section, off, what, dwarf_errmsg(-1)));
}

// ---- the walk ---------------------------------------------------------------

Error UnitBuilder::run() {
  Expected<Dwarf_Die> cu = unitDie(in_.dwarf, *in_.unit, in_.file);
  if (!cu)
    return cu.error();
  cu_ = cu->cu;
  const unsigned char *end = AbbrevCache::unitEnd(*cu, in_.unit->headerOffset, in_.unit->dieOffset);
  abbrevs_.reset(cu_, end);
  // Without the scanner (it cannot read the unit) every reader uses libdw.
  scanner_.reset(*cu, in_.unit->headerOffset, in_.unit->dieOffset, end, abbrevs_);
  producerClang_ = encode::producedByClang(&*cu);
  locations_.emplace(*cu, in_.unit->headerOffset);
  dies_.emplace_back(); // node 0: void
  if (Error e = walk(*cu))
    return e;
  for (Dwarf_Die &d : functionDies_)
    addFunction(d);
  for (Dwarf_Die &d : variableDies_)
    addVariable(d);
  computeSignatures();
  return fillPending();
}

DieScanner::Step UnitBuilder::stepFor(int tag, Scope scope) {
  using Step = DieScanner::Step;
  if (isTypeDie(tag)) // C++ nests types (and static members) in classes
    return isComposite(tag) ? Step{true, uint8_t(Scope::Composite)} : Step{};
  switch (tag) {
  case DW_TAG_subprogram:
    return {true, uint8_t(Scope::Function)};
  case DW_TAG_lexical_block:
    return {true, uint8_t(scope)};
  case DW_TAG_namespace:
  case DW_TAG_module:
    return {true, uint8_t(Scope::Namespace)};
  default:
    return {};
  }
}

Error UnitBuilder::walk(Dwarf_Die &unitDie) {
  // The same DIEs in the same order either way; the scanner reads the unit
  // once front to back, libdw's child/sibling steps re-read nested DIEs.
  scanned_.clear();
  // Two thirds of the DIEs visited (members, parameters, a function's
  // locals and call sites) mean nothing to visit(): only those that do, and
  // those whose abbreviation has something to report, are listed.
  auto keep = [this](const DieScanner::Info &info, uint8_t) {
    return isTypeDie(info.tag) || info.tag == DW_TAG_subprogram || info.tag == DW_TAG_variable ||
           codesToReport(info);
  };
  if (scanner_.scan(
          uint8_t(Scope::Unit), [](int tag, uint8_t scope) { return stepFor(tag, Scope(scope)); },
          keep, scanned_)) {
    scannerWalked_ = true;
    out_.dies += scanner_.visitedCount();
    byKey_.reserve(scanned_.size());
    // About one node per listed type DIE (a few more from other units): the
    // node lists no longer grow by copying themselves.
    size_t types = 1;
    for (const DieScanner::Entry &e : scanned_)
      types += isTypeDie(e.tag);
    dies_.reserve(types);
    g_.reserve(types);
    for (const DieScanner::Entry &e : scanned_) {
      Dwarf_Die d{};
      d.addr = const_cast<unsigned char *>(e.addr);
      d.cu = cu_;
      d.abbrev = e.abbrev;
      if (Error err = visit(d, Scope(e.scope), e.tag))
        return err;
    }
    return Error::success();
  }
  return walkWithLibdw(unitDie);
}

Error UnitBuilder::walkWithLibdw(Dwarf_Die &unitDie) {
  struct Frame {
    Dwarf_Die die;
    Scope scope;
  };
  std::vector<Frame> stack;
  Dwarf_Die c;
  int rc = dwarf_child(&unitDie, &c);
  if (rc < 0)
    return dwarfError(&unitDie, "cannot read children");
  if (rc == 0) {
    prime(c);
    stack.push_back({c, Scope::Unit});
  }
  while (!stack.empty()) {
    Frame f = stack.back();
    stack.pop_back();
    ++out_.dies;
    const int tag = dwarf_tag(&f.die);
    if (tag < 0)
      return dwarfError(&f.die, "cannot read DIE tag");
    if (Error e = visit(f.die, f.scope, tag))
      return e;
    const DieScanner::Step step = stepFor(tag, f.scope);
    // Push the sibling before the child so the child's subtree comes first
    // (pre-order, the order pahole numbers types in).
    Dwarf_Die sib;
    rc = dwarf_siblingof(&f.die, &sib);
    if (rc < 0)
      return walkError(f.die, "cannot read sibling");
    if (rc == 0) {
      prime(sib);
      stack.push_back({sib, f.scope});
    }
    if (step.visit && dwarf_haschildren(&f.die)) {
      rc = dwarf_child(&f.die, &c);
      if (rc < 0)
        return walkError(f.die, "cannot read children");
      if (rc == 0) {
        prime(c);
        stack.push_back({c, Scope(step.childScope)});
      }
    }
  }
  return Error::success();
}

Error UnitBuilder::visit(Dwarf_Die &die, Scope scope, int tag) {
  checkCodes(die, tag);
  if (isTypeDie(tag)) {
    nodeFor(die, tag);
    return Error::success();
  }
  switch (tag) {
  case DW_TAG_subprogram:
    if (scope != Scope::Function && in_.collectFunctions)
      functionDies_.push_back(die);
    return Error::success();
  case DW_TAG_variable:
    // Rust statics live in their module's DW_TAG_namespace.
    if ((scope == Scope::Unit ||
         (scope == Scope::Namespace && factsOf(die.cu).language == DW_LANG_Rust)) &&
        in_.collectVariables)
      variableDies_.push_back(die);
    else if (scope == Scope::Composite)
      classScoped_.insert(keyOf(die));
    return Error::success();
  // DW_TAG_member needs no entry in classScoped_: records.cpp treats every
  // member as class-scoped by its tag.
  default:
    return Error::success();
  }
}

bool UnitBuilder::decideCodes(const DieScanner::Info &info) {
  // What checkCodes would find for DIEs of this abbreviation, decided once.
  const uint32_t code = scanner_.codeOf(info);
  if (code >= codeReported_.size())
    codeReported_.resize(code + 1, -1);
  int8_t &known = codeReported_[code];
  if (known < 0) {
    bool report = !isKnownTag(info.tag);
    for (const uint16_t name : scanner_.namesOf(info))
      report |= !isKnownAttribute(name);
    known = report ? 1 : 0;
  }
  return known != 0;
}

void UnitBuilder::checkCodes(Dwarf_Die &die, int tag) {
  // Tags and attribute codes belong to the abbreviation, so each one is
  // examined once; the first DIE using it is listed, later ones counted.
  // libdw marks a DIE whose abbreviation code it cannot find with
  // DWARF_END_ABBREV (found by fuzz_encode: reading through it crashed).
  Dwarf_Abbrev *abbrev = die.abbrev;
  if (!abbrev || abbrev == DWARF_END_ABBREV)
    return;
  CodeSlot &slot = codeSlots_[(uintptr_t(abbrev) >> 4) & (codeSlots_.size() - 1)];
  if (slot.abbrev == abbrev) {
    for (const auto &[rule, message] : *slot.findings)
      if (die.cu == cu_)
        diag_.count(rule);
    return;
  }
  auto [it, fresh] = unknownCodes_.try_emplace(abbrev);
  slot = CodeSlot{abbrev, &it->second};
  if (!fresh) {
    for (const auto &[rule, message] : it->second)
      if (die.cu == cu_)
        diag_.count(rule);
    return;
  }
  auto &found = it->second;
  if (!isKnownTag(tag))
    found.emplace_back("dwarf.unknown-tag",
                       fmt::format("unknown tag {:#x} skipped with its children", tag));
  auto unknownAttribute = [&](unsigned name, unsigned form) {
    if (!isKnownAttribute(name))
      found.emplace_back("dwarf.unknown-attribute",
                         fmt::format("unknown attribute {:#x} (form {:#x}) skipped", name, form));
  };
  // The scanner has the list already; libdw's costs a walk per index.
  if (const DieScanner::Info *info =
          scanner_.infoOfDie(static_cast<const unsigned char *>(die.addr));
      info && info->lib == abbrev) {
    const std::span<const uint16_t> names = scanner_.namesOf(*info),
                                    forms = scanner_.formsOf(*info);
    for (size_t i = 0; i < names.size(); ++i)
      unknownAttribute(names[i], forms[i]);
  } else if (size_t n = 0; dwarf_getattrcnt(abbrev, &n) == 0) {
    for (size_t i = 0; i < n; ++i) {
      unsigned name = 0, form = 0;
      if (dwarf_getabbrevattr(abbrev, i, &name, &form, nullptr) == 0)
        unknownAttribute(name, form);
    }
  }
  for (const auto &[rule, message] : found)
    warn(die, rule, message, Severity::Note);
}

Error UnitBuilder::walkError(Dwarf_Die &die, const char *what) {
  // libdw cannot step over an attribute whose form it does not know (the
  // form decides the size), so name the culprit instead of "invalid DWARF".
  Dwarf_Die cu;
  if (!dwarf_diecu(&die, &cu, nullptr, nullptr))
    return dwarfError(&die, what);
  Dwarf_Off off = 0;
  for (int guard = 0; guard < (1 << 20); ++guard) {
    size_t len = 0;
    Dwarf_Abbrev *a = dwarf_getabbrev(&cu, off, &len);
    if (!a || a == DWARF_END_ABBREV || len == 0)
      break;
    size_t n = 0;
    if (dwarf_getattrcnt(a, &n) == 0)
      for (size_t i = 0; i < n; ++i) {
        unsigned name = 0, form = 0;
        if (dwarf_getabbrevattr(a, i, &name, &form, nullptr) == 0 && !isKnownForm(form))
          return Error(fmt::format(
              "{}: {}+{:#x}: {}: abbreviation {} ({}) gives attribute {:#x} the unknown form "
              "{:#x}, whose size libdw cannot know, so the unit cannot be read past it",
              in_.file, in_.unit->sectionName(), dwarf_dieoffset(&die), what,
              dwarf_getabbrevcode(a), tagName(int(dwarf_getabbrevtag(a))), name, form));
      }
    off += len;
  }
  return dwarfError(&die, what);
}

Error buildUnitGraph(const UnitInput &in, UnitGraph &out, DiagEngine &diag) {
  UnitBuilder b(in, out, diag);
  return b.run();
}

} // namespace d2b::dwarf
