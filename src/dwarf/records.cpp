// Function and variable records: the facts the FUNC/VAR selection stage needs,
// read from subprogram and variable DIEs. Type fields hold graph NodeIds here;
// the encoder turns them into BTF ids.
#include <algorithm>
#include <fmt/format.h>

#include "builder.h"
#include "dwarf2btf/encode/param_location.h"
#include "dwarf2btf/lower/rust_names.h"

namespace d2b::dwarf {

using model::NodeId;

namespace {

constexpr int kMaxOriginDepth = 8;

// Follows DW_AT_abstract_origin / DW_AT_specification, calling f on each DIE
// reached (not on `die` itself). Bounded: these chains are short, and a
// corrupt cycle must not loop.
template <class F> void forEachOrigin(Dwarf_Die die, F &&f) {
  for (int depth = 0; depth < kMaxOriginDepth; ++depth) {
    Dwarf_Attribute a;
    Dwarf_Die next;
    if (!(dwarf_attr(&die, DW_AT_abstract_origin, &a) ||
          dwarf_attr(&die, DW_AT_specification, &a)) ||
        !dwarf_formref_die(&a, &next))
      return;
    f(next);
    die = next;
  }
}

// Strips typedefs and qualifiers; returns false when nothing is left.
bool resolveType(Dwarf_Die &die, Dwarf_Die &out) {
  if (!typeRef(die, out, true))
    return false;
  for (int depth = 0; depth < 16; ++depth) {
    int tag = dwarf_tag(&out);
    if (tag != DW_TAG_typedef && tag != DW_TAG_const_type && tag != DW_TAG_volatile_type &&
        tag != DW_TAG_restrict_type && tag != DW_TAG_atomic_type)
      return true;
    if (!typeRef(out, out))
      return false;
  }
  return false;
}

uint64_t typeAlignment(Dwarf_Die die, int depth);

uint64_t compositeAlignment(Dwarf_Die &die, int depth, bool *packed) {
  uint64_t align = 1;
  Dwarf_Die c;
  if (!dwarf_haschildren(&die) || dwarf_child(&die, &c) != 0)
    return align;
  do {
    if (dwarf_tag(&c) != DW_TAG_member || attrFlag(&c, DW_AT_external))
      continue;
    Dwarf_Attribute a;
    Dwarf_Die t;
    if (!typeRef(c, t))
      continue;
    uint64_t ma = typeAlignment(t, depth + 1);
    align = std::max(align, ma);
    if (packed && !hasAttr(&c, DW_AT_bit_size)) {
      Dwarf_Word off;
      if (dwarf_attr(&c, DW_AT_data_member_location, &a) && dwarf_formudata(&a, &off) == 0 &&
          off % ma != 0)
        *packed = true;
    }
  } while (dwarf_siblingof(&c, &c) == 0);
  return align;
}

// Natural alignment of a type, as the ABI would lay it out (bounded depth).
uint64_t typeAlignment(Dwarf_Die die, int depth) {
  if (depth > 8)
    return 1;
  die = followSignature(die);
  if (auto a = attrUdata(&die, DW_AT_alignment))
    return *a ? *a : 1;
  Dwarf_Die t;
  switch (dwarf_tag(&die)) {
  case DW_TAG_base_type:
  case DW_TAG_enumeration_type:
  case DW_TAG_pointer_type:
  case DW_TAG_reference_type:
  case DW_TAG_rvalue_reference_type: {
    uint64_t sz = typeByteSize(die).value_or(0);
    if (sz == 0)
      sz = dwarf_tag(&die) == DW_TAG_base_type ? 1 : 8;
    return std::min<uint64_t>(std::bit_floor(sz), 16);
  }
  case DW_TAG_structure_type:
  case DW_TAG_union_type:
  case DW_TAG_class_type:
    return compositeAlignment(die, depth, nullptr);
  default:
    if (typeRef(die, t))
      return typeAlignment(t, depth + 1);
    return 1;
  }
}

} // namespace

template <class F>
void UnitBuilder::readParams(Dwarf_Die &die, model::FunctionRecord &r, F &&details,
                             std::vector<std::string> *declTags) {
  Dwarf_Die c;
  if (!firstChild(die, c))
    return;
  do {
    prime(c);
    const int t = dwarf_tag(&c);
    if (t == DW_TAG_unspecified_parameters) {
      r.varargs = true;
      continue;
    }
    if (t != DW_TAG_formal_parameter) {
      if (declTags && (t == kTagLlvmAnnotation || t == kTagGnuAnnotation))
        readAnnotation(c, declTagsInto(*declTags));
      continue;
    }
    model::ParamRecord p;
    DieAttrs pa = attrsOf(c);
    p.name = std::string(pa.stringIntegrate(DW_AT_name));
    p.type = typeOfIntegrate(pa);
    details(c, pa, p);
    r.params.push_back(std::move(p));
  } while (nextSibling(c));
}

void UnitBuilder::addFunction(Dwarf_Die &die) {
  // Declarations carry nothing the FUNC stage uses (it needs a definition),
  // and there are many of them (one per called extern function per CU).
  DieAttrs attrs = attrsOf(die);
  if (attrs.flag(DW_AT_declaration))
    return;
  model::FunctionRecord r;
  r.name = std::string(attrs.stringIntegrate(DW_AT_name));
  if (r.name.empty())
    return;
  std::string_view linkage = attrs.stringIntegrate(DW_AT_linkage_name);
  if (linkage.empty())
    linkage = attrs.stringIntegrate(DW_AT_MIPS_linkage_name);
  r.linkageName = std::string(linkage);
  r.dieOffset = dwarf_dieoffset(&die);
  r.cuIndex = in_.cuIndex;
  r.language = in_.unit->language == DW_LANG_Rust ? 1 : 0;
  r.producerClang = producerClang_;
  // Two thirds of a kernel's records are such (inline functions of headers);
  // Rust names are settled later, so Rust records are always read in full.
  if (in_.functionSymbols && r.language == 0)
    r.hasSymbol = in_.functionSymbols->findFunction(r.name) ? 1 : 0;
  if (r.hasSymbol == 0) {
    addLeanFunction(attrs, r);
    return;
  }
  Dwarf_Addr pc = 0;
  // Without any of these three libdw finds no address either.
  const bool mayHavePc =
      attrs.has(DW_AT_low_pc) || attrs.has(DW_AT_entry_pc) || attrs.has(DW_AT_ranges);
  if (mayHavePc && (dwarf_lowpc(&die, &pc) == 0 || dwarf_entrypc(&die, &pc) == 0)) {
    r.hasLowPc = true;
    r.lowPc = pc;
  } else if (mayHavePc) {
    Dwarf_Addr base, start, end;
    if (dwarf_ranges(&die, 0, &base, &start, &end) > 0) {
      r.hasLowPc = true;
      r.lowPc = start;
    }
  }
  r.external = attrs.flagIntegrate(DW_AT_external);
  r.inlineOnly = attrs.has(DW_AT_inline) && !r.hasLowPc;
  auto nocall = [](Dwarf_Die &d) {
    return attrUdata(&d, DW_AT_calling_convention).value_or(DW_CC_normal) == DW_CC_nocall;
  };
  r.nocall = attrs.udata(DW_AT_calling_convention).value_or(DW_CC_normal) == DW_CC_nocall;
  const bool follows = attrs.hasOrigin();
  if (follows)
    forEachOrigin(die, [&](Dwarf_Die &o) { r.nocall |= nocall(o); });
  r.returnType = typeOfIntegrate(attrs);

  // The abstract instance's parameter order, to detect concrete instances
  // whose parameters were reordered.
  std::vector<uint64_t> originParams;
  Dwarf_Attribute oa;
  Dwarf_Die origin;
  const bool hasOrigin = attrs.get(DW_AT_abstract_origin, &oa) && dwarf_formref_die(&oa, &origin);
  Dwarf_Die c;
  if (hasOrigin && firstChild(origin, c)) {
    do {
      prime(c);
      int t = dwarf_tag(&c);
      if (t == DW_TAG_formal_parameter)
        originParams.push_back(dwarf_dieoffset(&c));
      else if (t == DW_TAG_unspecified_parameters)
        r.varargs = true;
    } while (nextSibling(c));
  }
  size_t position = 0;
  auto details = [&](Dwarf_Die &c, DieAttrs &pa, model::ParamRecord &p) {
    encode::decodeParamLocation(&c, abi_, p, locations_ ? &*locations_ : nullptr,
                                &locationScratch_);
    Dwarf_Die st;
    if (resolveType(c, st)) {
      int tag = dwarf_tag(&st);
      if (tag == DW_TAG_structure_type || tag == DW_TAG_union_type || tag == DW_TAG_class_type) {
        p.isStructByValue = true;
        bool packed = false;
        uint64_t align = compositeAlignment(st, 0, &packed);
        if (auto a = attrUdata(&st, DW_AT_alignment))
          align = std::max<uint64_t>(*a, 1);
        uint64_t size = attrUdata(&st, DW_AT_byte_size).value_or(0);
        p.isPackedStruct = packed || (align > 1 && size % align != 0);
      }
    }
    declTagsOf(pa, p.declTags);
    if (pa.hasOrigin())
      forEachOrigin(c, [&](Dwarf_Die &o) { declTagsOf(o, p.declTags); });
    if (hasOrigin) {
      Dwarf_Attribute poa;
      Dwarf_Die po;
      if (pa.get(DW_AT_abstract_origin, &poa) && dwarf_formref_die(&poa, &po)) {
        auto it = std::find(originParams.begin(), originParams.end(), dwarf_dieoffset(&po));
        // pahole compares each parameter's position with its origin's;
        // gcc lists the parameters it dropped last, which counts too.
        if (it != originParams.end() && size_t(it - originParams.begin()) != position)
          r.reorderedParams = true;
      }
    }
    ++position;
  };
  readParams(die, r, details, &r.declTags);
  // The subprogram's own annotation children were read with its parameters
  // (one walk over a body's children instead of two); then, in the order
  // declTagsOf gives, GCC's chain and the abstract origins'.
  if (attrs.has(kAtGnuAnnotation))
    forEachChainedAnnotation(die, declTagsInto(r.declTags));
  if (follows)
    forEachOrigin(die, [&](Dwarf_Die &o) { declTagsOf(o, r.declTags); });
  if (r.language == 1 && !rustFunctionNames(r))
    return;
  out_.functions.push_back(std::move(r));
}

void UnitBuilder::addLeanFunction(DieAttrs &attrs, model::FunctionRecord &r) {
  // What addFunction makes type nodes for, in the same order; and what
  // decides whether the record is left out (parameter names).
  r.returnType = typeOfIntegrate(attrs);
  readParams(attrs.die(), r, [](Dwarf_Die &, DieAttrs &, model::ParamRecord &) {});
  out_.functions.push_back(std::move(r));
}

bool UnitBuilder::rustFunctionNames(model::FunctionRecord &r) {
  // A Rust function is known to the ELF by its symbol: the (legacy or v0)
  // mangled name unless #[no_mangle]. Legacy names of closures and generic
  // impls hold '$' or '.', which no BTF name may contain: those functions
  // get no FUNC, unless the FUNC is named by its sanitized leaf name (the
  // symbol still finds the function).
  if (in_.rustLeafFuncNames) {
    r.btfName = lower::rust::sanitizeName(r.name);
    if (!r.linkageName.empty())
      r.name = r.linkageName;
  } else if (!r.linkageName.empty()) {
    const bool valid = std::all_of(r.linkageName.begin(), r.linkageName.end(), [](char ch) {
      return (ch >= '0' && ch <= '9') || (ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') ||
             ch == '_';
    });
    if (!valid) {
      diag_.count("rust.drop.func-symbol-name");
      return false;
    }
    r.name = r.linkageName;
  }
  // `_: u32` and pattern parameters have no name; the kernel wants one.
  for (size_t i = 0; i < r.params.size(); ++i)
    if (r.params[i].name.empty()) {
      r.params[i].name = "arg" + std::to_string(i);
      diag_.count("rust.rename.param");
    }
  return true;
}

void UnitBuilder::addVariable(Dwarf_Die &die) {
  Dwarf_Attribute loc;
  const bool hasLoc = dwarf_attr(&die, DW_AT_location, &loc) != nullptr;
  // Pure declarations (extern int x;) have no storage to describe.
  if (attrFlag(&die, DW_AT_declaration) && !hasLoc)
    return;
  model::VariableRecord r;
  r.name = std::string(attrStringIntegrate(&die, DW_AT_name));
  // A Rust static is known to the ELF (and to libbpf/aya) by its symbol:
  // the mangled name unless #[no_mangle].
  if (factsOf(die.cu).language == DW_LANG_Rust)
    if (std::string_view link = attrStringIntegrate(&die, DW_AT_linkage_name); !link.empty())
      r.name = std::string(link);
  r.dieOffset = dwarf_dieoffset(&die);
  r.cuIndex = in_.cuIndex;
  r.type = typeOf(die, DW_AT_type, true);
  Dwarf_Die t;
  if (typeRef(die, t, true))
    r.byteSize = typeByteSize(t).value_or(0);
  if (hasLoc) {
    Dwarf_Op *ops = nullptr;
    size_t n = 0;
    if (dwarf_getlocation(&loc, &ops, &n) == 0 && n >= 1) {
      if (ops[0].atom == DW_OP_addr) {
        r.hasAddress = true;
        r.address = ops[0].number;
      } else if (ops[0].atom == DW_OP_addrx || ops[0].atom == DW_OP_GNU_addr_index) {
        Dwarf_Attribute res;
        Dwarf_Addr addr;
        if (dwarf_getlocation_attr(&loc, &ops[0], &res) == 0 && dwarf_formaddr(&res, &addr) == 0) {
          r.hasAddress = true;
          r.address = addr;
        }
      }
      r.addressIsValue = r.hasAddress && n >= 2 && ops[1].atom == DW_OP_stack_value;
    }
  }
  r.external = attrFlagIntegrate(&die, DW_AT_external);
  r.declaration = attrFlag(&die, DW_AT_declaration);
  r.artificial = attrFlag(&die, DW_AT_artificial);
  Dwarf_Attribute sa;
  Dwarf_Die spec;
  if (dwarf_attr(&die, DW_AT_specification, &sa) && dwarf_formref_die(&sa, &spec))
    r.topLevel = !classScoped_.count(keyOf(spec)) && dwarf_tag(&spec) != DW_TAG_member;
  declTagsOf(die, r.declTags);
  forEachOrigin(die, [&](Dwarf_Die &o) { declTagsOf(o, r.declTags); });
  out_.variables.push_back(std::move(r));
}

} // namespace d2b::dwarf
