#pragma once
// Private to src/dwarf: the state of one unit's walk. graph_builder.cpp turns
// type DIEs into graph nodes; records.cpp turns subprograms and variables
// into records.
#include <algorithm>
#include <array>
#include <cstring>
#include <optional>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "abbrev_cache.h"
#include "die_scanner.h"
#include "die_util.h"
#include "dwarf2btf/dwarf/graph_builder.h"
#include "dwarf2btf/dwarf/location_reader.h"
#include "dwarf2btf/encode/call_abi.h"
#include "offset_map.h"

namespace d2b::dwarf {

/// A growing byte buffer for serializing DIEs (type_signature.cpp).
class SigBuffer {
public:
  void clear() { size_ = 0; }
  void append(const void *p, size_t n) {
    if (n == 0) // (flag_present has no bytes; memcpy must not see a null buffer)
      return;
    if (size_ + n > bytes_.size())
      bytes_.resize(std::max(bytes_.size() * 2, size_ + n + 256));
    std::memcpy(bytes_.data() + size_, p, n);
    size_ += n;
  }
  const uint8_t *data() const { return bytes_.data(); }
  size_t size() const { return size_; }

private:
  std::vector<uint8_t> bytes_;
  size_t size_ = 0;
};

class UnitBuilder {
public:
  UnitBuilder(const UnitInput &in, UnitGraph &out, DiagEngine &diag)
      : in_(in), out_(out), g_(out.graph), diag_(diag),
        abi_(encode::callAbiFor(in.machine, in.addressSize)) {
    scanner_.setClassifier(&DieAttrs::slotFor);
  }

  Error run();

  // ---- shared by the graph and record halves ----
  /// The node of type DIE `die`, created (and queued for filling) on first use.
  model::NodeId nodeFor(Dwarf_Die &die, int knownTag = -1);
  /// The node DW_AT_type (or `at`) of `die` refers to; void when absent or
  /// dangling (dangling is reported).
  model::NodeId typeOf(Dwarf_Die &die, unsigned at = DW_AT_type, bool integrate = false);
  /// typeOf(die) for a DIE whose attributes are read already.
  model::NodeId typeOf(DieAttrs &attrs);
  /// typeOf for an attribute already read from `die`.
  model::NodeId typeOfAttr(Dwarf_Die &die, Dwarf_Attribute &a);
  /// Appends the btf_decl_tag values annotating `die` to `out`.
  /// An annotation callback that keeps the btf_decl_tag values, in order.
  static auto declTagsInto(std::vector<std::string> &out) {
    return [&out](model::TagKind k, std::string_view v) {
      if (k == model::TagKind::DeclTag)
        out.emplace_back(v);
    };
  }
  void declTagsOf(Dwarf_Die &die, std::vector<std::string> &out);
  void declTagsOf(DieAttrs &attrs, std::vector<std::string> &out);
  /// typeOf(die, DW_AT_type, true) for a DIE whose attributes are read already.
  model::NodeId typeOfIntegrate(DieAttrs &attrs);
  void warn(Dwarf_Die &die, const char *rule, std::string message,
            Severity severity = Severity::Warning);
  Error dwarfError(Dwarf_Die *die, const char *what);
  /// Fills in a DIE's abbreviation from the unit's cache (see AbbrevCache).
  void prime(Dwarf_Die &d) { abbrevs_.prime(d); }
  /// Like dwarf_siblingof(&c, &c) == 0, read by the unit's scanner when it can.
  bool nextSibling(Dwarf_Die &c) {
    Dwarf_Die next;
    switch (scanner_.siblingOf(c, next)) {
    case DieScanner::Sibling::Found:
      c = next;
      return true;
    case DieScanner::Sibling::None:
      return false;
    case DieScanner::Sibling::Unknown:
      break;
    }
    return dwarf_siblingof(&c, &c) == 0;
  }
  /// Like dwarf_haschildren(&d) && dwarf_child(&d, &c) == 0, read by the
  /// unit's scanner when it can.
  bool firstChild(Dwarf_Die &d, Dwarf_Die &c) {
    switch (scanner_.firstChild(d, c)) {
    case DieScanner::Sibling::Found:
      return true;
    case DieScanner::Sibling::None:
      return false;
    case DieScanner::Sibling::Unknown:
      break;
    }
    return dwarf_haschildren(&d) && dwarf_child(&d, &c) == 0;
  }
  /// The attributes of `d`, read by the unit's scanner when it can.
  DieAttrs attrsOf(Dwarf_Die &d) { return DieAttrs(d, &scanner_); }
  /// forEachAnnotation for a DIE whose attributes are read already: its
  /// children stepped through with the scanner, the GCC chain only when the
  /// DIE has DW_AT_GNU_annotation.
  template <class F> void annotationsOf(DieAttrs &attrs, F &&f) {
    Dwarf_Die &die = attrs.die();
    Dwarf_Die c;
    if (firstChild(die, c)) {
      do {
        prime(c);
        readAnnotation(c, f);
      } while (nextSibling(c));
    }
    if (attrs.has(kAtGnuAnnotation))
      forEachChainedAnnotation(die, f);
  }

private:
  struct UnitFacts {
    bool typesSection = false;
    uint16_t language = 0;
  };
  enum class Scope : uint8_t { Unit, Composite, Function, Namespace };

  /// Asked for every node (its language, its section): the unit asked for
  /// last is answered inline.
  const UnitFacts &factsOf(Dwarf_CU *cu) { return cu == lastCu_ ? *lastFacts_ : lookUpFacts(cu); }
  const UnitFacts &lookUpFacts(Dwarf_CU *cu);
  uint64_t keyOf(Dwarf_Die &die);
  /// keyOf for the DIE at `dieOffset` of unit `cu`.
  uint64_t keyOf(Dwarf_CU *cu, uint64_t dieOffset);
  Error walk(Dwarf_Die &unitDie);
  Error walkWithLibdw(Dwarf_Die &unitDie);
  /// What the walk does with the children of a `tag` DIE met in `scope`.
  static DieScanner::Step stepFor(int tag, Scope scope);
  /// `tag` is the DIE's, already read.
  Error visit(Dwarf_Die &die, Scope scope, int tag);
  void checkCodes(Dwarf_Die &die, int tag);
  /// Whether checkCodes has anything to say about DIEs of `info` (cached per
  /// abbreviation code of the scanned unit).
  bool codesToReport(const DieScanner::Info &info) {
    // Asked for most DIEs of a unit: the decided case stays inline.
    const uint32_t code = scanner_.codeOf(info);
    return code < codeReported_.size() && codeReported_[code] >= 0 ? codeReported_[code] != 0
                                                                   : decideCodes(info);
  }
  bool decideCodes(const DieScanner::Info &info);
  Error walkError(Dwarf_Die &die, const char *what);
  /// UnitGraph::external and ::publishable from the signatures of the
  /// unit's type DIEs (type_signature.cpp).
  void computeSignatures();
  /// Appends what identifies a DIE (abbreviation `info`, attribute values
  /// at `values`) and its children (nested type DIEs aside) to `buf`, its
  /// type references to `edges`; returns where its subtree ends, null when
  /// the DIE cannot have a signature.
  const unsigned char *serializeDie(const DieScanner::Info &info, const unsigned char *values,
                                    int depth, SigBuffer &buf, std::vector<model::NodeId> &edges);
  /// Where the subtree of the DIE at `die` ends; null when unreadable.
  const unsigned char *skipSubtree(const unsigned char *die, int depth);
  Error fillPending();
  void fill(model::NodeId id, Dwarf_Die die);
  void fillBase(model::TypeNode &n, DieAttrs &attrs);
  void fillComposite(model::TypeNode &n, DieAttrs &attrs);
  void fillEnum(model::TypeNode &n, DieAttrs &attrs);
  /// A block-form constant of up to 16 bytes: the low 64 bits, the high 64 in `high`.
  std::optional<int64_t> wideConst(Dwarf_Attribute &a, uint64_t &high);
  void fillArray(model::TypeNode &n, DieAttrs &attrs);
  void fillSubroutine(model::TypeNode &n, DieAttrs &attrs);
  void fillPointer(model::TypeNode &n, DieAttrs &attrs);
  bool memberOffset(DieAttrs &member, model::MemberNode &m);
  void readVariantPart(Dwarf_Die &part, std::vector<model::MemberNode> &out, bool &hasDiscr);
  bool rustFunctionNames(model::FunctionRecord &r);
  bool enumIsSigned(Dwarf_Die &die);

  // records.cpp
  void addFunction(Dwarf_Die &die);
  /// addFunction for a record that will be left out for want of a symbol.
  void addLeanFunction(DieAttrs &attrs, model::FunctionRecord &r);
  /// Appends the parameters of subprogram `die` to `r` (names and types;
  /// details(paramDie, attrs, param) adds the rest), notes varargs.
  /// With `declTags`, the subprogram's own btf_decl_tag annotations (its
  /// children) are appended there on the same walk.
  template <class F>
  void readParams(Dwarf_Die &die, model::FunctionRecord &r, F &&details,
                  std::vector<std::string> *declTags = nullptr);
  void addVariable(Dwarf_Die &die);

  const UnitInput &in_;
  UnitGraph &out_;
  model::TypeGraph &g_;
  DiagEngine &diag_;
  Dwarf_CU *cu_ = nullptr;
  AbbrevCache abbrevs_; // for DIEs of cu_
  DieScanner scanner_;
  std::vector<DieScanner::Entry> scanned_;
  std::vector<int8_t> codeReported_;        // by abbreviation code: -1 not decided yet
  encode::CallAbi abi_;                     // for reading parameter locations as pahole does
  std::optional<LocationReader> locations_; // this unit's DW_AT_location lists
  LocationList locationScratch_;
  bool producerClang_ = false; // the unit's DW_AT_producer names clang
  bool scannerWalked_ = false; // the walk read the unit with scanner_
  SigBuffer sigBuf_;
  /// How serializeDie reads the DIEs of one abbreviation.
  struct SigPlan {
    uint8_t state = 0;       // 0 not made yet, 1 fixed-size values, 2 value by value, 3 unsignable
    TypeSignature shape;     // tag, children, the kept attributes' names, forms, implicit values
    uint32_t valuesSize = 0; // state 1
    std::vector<std::pair<uint16_t, uint16_t>> copies; // state 1: (offset, length) kept
    std::vector<std::pair<uint16_t, uint16_t>> refs;   // state 1: (offset, form) references
  };
  std::vector<SigPlan> sigPlans_; // by abbreviation code
  const SigPlan &planFor(const DieScanner::Info &info);
  /// The node a unit-local reference of `form` at `valp` names; 0 when it
  /// names none (yet).
  model::NodeId refNode(unsigned form, const unsigned char *valp);
  // Per node: external and not read by lowering any other node, so not
  // filled at all (only its kind is set).
  std::vector<uint8_t> unfilled_;
  bool shallow_ = false;        // filling an external node (UnitGraph::external)
  model::NodeId filling_ = 0;   // the node being filled (for UnitGraph::tainted)
  std::vector<Dwarf_Die> dies_; // DIE of each node, parallel to the graph
  OffsetMap byKey_;             // keyOf(die) -> node
  std::unordered_map<Dwarf_CU *, UnitFacts> units_;
  // Per abbreviation of this unit: the unknown tag/attributes of its DIEs,
  // already listed once (at its first DIE) and counted for every later one.
  using CodeFindings = std::vector<std::pair<const char *, std::string>>;
  std::unordered_map<Dwarf_Abbrev *, CodeFindings> unknownCodes_;
  // Direct-mapped cache in front of unknownCodes_ (one lookup per DIE
  // visited); map values do not move, so the pointers stay valid.
  struct CodeSlot {
    Dwarf_Abbrev *abbrev = nullptr;
    const CodeFindings *findings = nullptr;
  };
  std::array<CodeSlot, 256> codeSlots_{};
  // The last unit factsOf answered for (almost always this unit's own).
  Dwarf_CU *lastCu_ = nullptr;
  const UnitFacts *lastFacts_ = nullptr;
  std::unordered_set<uint64_t> classScoped_; // keys of variable DIEs inside composites
  // Subprograms and variables are read after the walk, so the types they
  // reference get nodes in DIE order rather than at first use.
  std::vector<Dwarf_Die> functionDies_;
  // fillComposite's buffers: the members, and each member's decl tags.
  std::vector<model::MemberNode> scratchMembers_;
  // Member names fillComposite measures after reading the members.
  struct PendingName {
    uint32_t member;
    const char *start;
    size_t room;
  };
  std::vector<PendingName> pendingNames_;
  std::vector<std::pair<uint32_t, model::Annotation>> scratchMemberTags_;
  std::vector<Dwarf_Die> variableDies_;

  friend struct RecordsAccess;
};

} // namespace d2b::dwarf
