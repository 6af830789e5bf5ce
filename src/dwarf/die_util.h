#pragma once
// Private to src/dwarf: small readers over libdw attributes.
#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "die_scanner.h"
#include "dwarf2btf/model/type_graph.h"

#include <dwarf.h>
#include <elfutils/libdw.h>

namespace d2b::dwarf {

// Annotation DIEs (btf_type_tag / btf_decl_tag) from LLVM and GCC.
inline constexpr int kTagLlvmAnnotation = 0x6000;
inline constexpr int kTagGnuAnnotation = 0x6001;
inline constexpr unsigned kAtGnuAnnotation = 0x2139; // GCC 14+: reference to an annotation

inline std::string_view dieName(Dwarf_Die *d) {
  const char *n = dwarf_diename(d);
  return n ? std::string_view(n) : std::string_view();
}

inline bool hasAttr(Dwarf_Die *d, unsigned at) { return dwarf_hasattr(d, at) != 0; }

/// A flag attribute's value; false when it is not a readable flag.
inline bool formFlag(Dwarf_Attribute &a) {
  bool v = false;
  return dwarf_formflag(&a, &v) == 0 && v;
}

/// A string attribute's value; empty when it is not a readable string.
inline std::string_view formString(Dwarf_Attribute &a) {
  const char *s = dwarf_formstring(&a);
  return s ? std::string_view(s) : std::string_view();
}

inline std::optional<uint64_t> attrUdata(Dwarf_Die *d, unsigned at) {
  Dwarf_Attribute a;
  Dwarf_Word v;
  if (!dwarf_attr(d, at, &a) || dwarf_formudata(&a, &v) != 0)
    return std::nullopt;
  return v;
}

inline bool attrFlag(Dwarf_Die *d, unsigned at) {
  Dwarf_Attribute a;
  return dwarf_attr(d, at, &a) && formFlag(a);
}

inline bool attrFlagIntegrate(Dwarf_Die *d, unsigned at) {
  Dwarf_Attribute a;
  return dwarf_attr_integrate(d, at, &a) && formFlag(a);
}

inline std::string_view attrStringIntegrate(Dwarf_Die *d, unsigned at) {
  Dwarf_Attribute a;
  return dwarf_attr_integrate(d, at, &a) ? formString(a) : std::string_view();
}

/// The attributes of one DIE, read in one pass instead of one scan of the
/// attribute list per dwarf_attr call: a struct member costs about eight
/// lookups, most of them for absent attributes, which scan the whole list.
/// The pass is the unit's DieScanner when it can read the DIE, else
/// dwarf_getattrs. Answers are those dwarf_attr would give: the first
/// attribute with the code; codes outside kTracked, implicit constants (whose
/// value libdw keeps with the abbreviation), and any DIE whose list cannot
/// be read in full, go to dwarf_attr itself.
class DieAttrs {
public:
  explicit DieAttrs(Dwarf_Die &die, DieScanner *scanner = nullptr);
  /// Like dwarf_attr(die, at, out) != nullptr.
  bool get(unsigned at, Dwarf_Attribute *out) {
    const int slot = slotOf(at);
    if (!complete_ || slot < 0 || (viaLibdw_ & (1u << slot)))
      return dwarf_attr(&die_, at, out) != nullptr;
    if (!(present_ & (1u << slot)))
      return false;
    *out = attrs_[slot];
    return true;
  }
  bool has(unsigned at) {
    Dwarf_Attribute a;
    return get(at, &a);
  }
  std::optional<uint64_t> udata(unsigned at);
  bool flag(unsigned at);
  /// Like dieName(&die) (dwarf_diename follows origins when the name is absent).
  std::string_view name();
  /// When this DIE's own DW_AT_name is a .debug_str offset the scanner read:
  /// its start (prefetched) and the room to the section's end, for a caller
  /// that measures it later (name() is that string); otherwise null.
  const char *namePrefetched(size_t &room);
  /// DW_AT_abstract_origin or DW_AT_specification is present.
  bool hasOrigin() { return has(DW_AT_abstract_origin) || has(DW_AT_specification); }
  /// Like dwarf_attr_integrate(&die, at, out) != nullptr.
  bool getIntegrate(unsigned at, Dwarf_Attribute *out);
  /// Like attrStringIntegrate(&die, at).
  std::string_view stringIntegrate(unsigned at);
  /// Like attrFlagIntegrate(&die, at).
  bool flagIntegrate(unsigned at);
  Dwarf_Die &die() { return die_; }
  /// The slot DieAttrs keeps attribute code `at` in, -1 for codes it does
  /// not track: the unit scanner's classifier (DieScanner::setClassifier).
  static int slotFor(unsigned at) { return slotOf(at); }
  /// The string value of attribute `a` of this DIE (formString).
  std::string_view string(Dwarf_Attribute &a) const;

private:
  static constexpr unsigned kTracked[] = {DW_AT_name,
                                          DW_AT_encoding,
                                          DW_AT_type,
                                          DW_AT_linkage_name,
                                          DW_AT_MIPS_linkage_name,
                                          DW_AT_inline,
                                          DW_AT_calling_convention,
                                          DW_AT_low_pc,
                                          DW_AT_entry_pc,
                                          DW_AT_ranges,
                                          DW_AT_location,
                                          DW_AT_artificial,
                                          DW_AT_bit_size,
                                          DW_AT_data_bit_offset,
                                          DW_AT_data_member_location,
                                          DW_AT_bit_offset,
                                          DW_AT_byte_size,
                                          DW_AT_external,
                                          DW_AT_declaration,
                                          DW_AT_abstract_origin,
                                          DW_AT_specification,
                                          DW_AT_const_value,
                                          DW_AT_count,
                                          DW_AT_upper_bound,
                                          DW_AT_lower_bound,
                                          kAtGnuAnnotation};
  static constexpr int kCount = int(sizeof(kTracked) / sizeof(kTracked[0]));
  static_assert(kCount <= 32, "present_ has a bit per tracked attribute");
  static constexpr size_t kLargeCount = [] {
    size_t n = 0;
    for (unsigned at : kTracked)
      n += at >= 128;
    return n;
  }();
  static constexpr auto kLarge = [] {
    std::array<std::pair<unsigned, int>, kLargeCount> t{};
    size_t n = 0;
    for (int i = 0; i < kCount; ++i)
      if (kTracked[i] >= 128)
        t[n++] = {kTracked[i], i};
    return t;
  }();
  static int slotOf(unsigned at) {
    // Most attributes a DIE carries are not tracked; answer those quickly.
    static constexpr auto kSmall = [] {
      std::array<int8_t, 128> t{};
      t.fill(-1);
      for (int i = 0; i < kCount; ++i)
        if (kTracked[i] < t.size())
          t[kTracked[i]] = int8_t(i);
      return t;
    }();
    if (at < kSmall.size())
      return kSmall[at];
    // Above 127 (vendor codes, DWARF 5 additions such as DW_AT_alignment or
    // GCC's DW_AT_GNU_locviews on every subprogram) only a few are tracked.
    for (const auto &[code, slot] : kLarge)
      if (code == at)
        return slot;
    return -1;
  }
  static int collect(Dwarf_Attribute *a, void *self);
  Dwarf_Die &die_;
  DieScanner *scanner_ = nullptr; // set when the scanner read every attribute
  bool complete_ = false;         // every attribute was read
  uint32_t present_ = 0;          // bit i: kTracked[i] seen
  uint32_t viaLibdw_ = 0;         // bit i: kTracked[i] is an implicit constant
  Dwarf_Attribute attrs_[kCount];
};

/// Width in bytes of a fixed-size constant form, 0 for other forms.
inline int constFormWidth(unsigned form) {
  switch (form) {
  case DW_FORM_data1:
    return 1;
  case DW_FORM_data2:
    return 2;
  case DW_FORM_data4:
    return 4;
  case DW_FORM_data8:
    return 8;
  default:
    return 0;
  }
}

/// A constant attribute read as a signed value: sdata and implicit_const
/// are signed by form; fixed-size forms are sign-extended only when
/// `signedHint` says the value's type is signed.
inline std::optional<int64_t> attrConstSigned(Dwarf_Attribute *a, bool signedHint) {
  const unsigned form = dwarf_whatform(a);
  if (form == DW_FORM_sdata || form == DW_FORM_implicit_const) {
    Dwarf_Sword s;
    if (dwarf_formsdata(a, &s) != 0)
      return std::nullopt;
    return int64_t(s);
  }
  Dwarf_Word u;
  if (dwarf_formudata(a, &u) != 0)
    return std::nullopt;
  int w = constFormWidth(form);
  if (signedHint && w > 0 && w < 8) {
    const unsigned bits = unsigned(w) * 8;
    const uint64_t sign = uint64_t(1) << (bits - 1);
    u &= (sign << 1) - 1;
    return int64_t((u ^ sign) - sign);
  }
  return int64_t(u);
}

/// A skeleton declaration that stands for a type-unit type (DW_AT_signature,
/// as clang and gcc emit for -fdebug-types-section) resolved to that type;
/// any other DIE unchanged.
Dwarf_Die followSignature(Dwarf_Die die);
/// The type DIE `die`'s DW_AT_type refers to (through DW_AT_signature
/// skeletons; through DW_AT_abstract_origin/specification when `integrate`).
bool typeRef(Dwarf_Die &die, Dwarf_Die &out, bool integrate = false);
/// Size in bytes of the type `die`, following typedefs, qualifiers, arrays
/// and type-unit skeletons, which libdw's dwarf_aggregate_size does not.
std::optional<uint64_t> typeByteSize(Dwarf_Die die);

/// The node kind a type DIE with `tag` becomes (Void for tags BTF has no
/// form for, which filling reports).
inline model::NodeKind nodeKindOf(int tag) {
  using model::NodeKind;
  switch (tag) {
  case DW_TAG_base_type:
    return NodeKind::Base;
  case DW_TAG_pointer_type:
  case DW_TAG_reference_type:
  case DW_TAG_rvalue_reference_type:
  case DW_TAG_ptr_to_member_type:
    return NodeKind::Pointer;
  case DW_TAG_const_type:
  case DW_TAG_volatile_type:
  case DW_TAG_restrict_type:
  case DW_TAG_atomic_type:
  case DW_TAG_immutable_type:
  case DW_TAG_packed_type:
  case DW_TAG_shared_type:
    return NodeKind::Qualifier;
  case DW_TAG_typedef:
    return NodeKind::Typedef;
  case DW_TAG_structure_type:
  case DW_TAG_union_type:
  case DW_TAG_class_type:
  case DW_TAG_interface_type:
    return NodeKind::Composite;
  case DW_TAG_enumeration_type:
    return NodeKind::Enum;
  case DW_TAG_array_type:
    return NodeKind::Array;
  case DW_TAG_subroutine_type:
    return NodeKind::Subroutine;
  default:
    return NodeKind::Void;
  }
}

/// DW_TAG_* name for diagnostics ("DW_TAG_member", or the hex code).
std::string tagName(int tag);
/// True for tags that describe a type (what DW_AT_type may refer to).
/// Inline: asked for every DIE visited and every reference followed.
inline bool isTypeDie(int tag) {
  switch (tag) {
  case DW_TAG_base_type:
  case DW_TAG_unspecified_type:
  case DW_TAG_pointer_type:
  case DW_TAG_reference_type:
  case DW_TAG_rvalue_reference_type:
  case DW_TAG_ptr_to_member_type:
  case DW_TAG_const_type:
  case DW_TAG_volatile_type:
  case DW_TAG_restrict_type:
  case DW_TAG_atomic_type:
  case DW_TAG_immutable_type:
  case DW_TAG_packed_type:
  case DW_TAG_shared_type:
  case DW_TAG_typedef:
  case DW_TAG_structure_type:
  case DW_TAG_union_type:
  case DW_TAG_class_type:
  case DW_TAG_interface_type:
  case DW_TAG_enumeration_type:
  case DW_TAG_array_type:
  case DW_TAG_subroutine_type:
  case DW_TAG_string_type:
  case DW_TAG_set_type:
  case DW_TAG_file_type:
  case DW_TAG_dynamic_type:
  case DW_TAG_coarray_type:
    return true;
  default:
    return false;
  }
}

/// struct, union, class, interface.
bool isComposite(int tag);

// Calls f(kind, value) if `a` is a btf_type_tag / btf_decl_tag annotation DIE.
template <class F> void readAnnotation(Dwarf_Die &a, F &&f) {
  int tag = dwarf_tag(&a);
  if (tag != kTagLlvmAnnotation && tag != kTagGnuAnnotation)
    return;
  std::string_view name = dieName(&a);
  Dwarf_Attribute attr;
  const char *value = dwarf_attr(&a, DW_AT_const_value, &attr) ? dwarf_formstring(&attr) : nullptr;
  if (!value)
    return;
  if (name == "btf_type_tag")
    f(model::TagKind::TypeTag, std::string_view(value));
  else if (name == "btf_decl_tag")
    f(model::TagKind::DeclTag, std::string_view(value));
}

// Reads the annotations of `die`: LLVM's DW_TAG_LLVM_annotation children, and
// GCC 14+'s DW_AT_GNU_annotation reference to a chain of
// DW_TAG_GNU_annotation DIEs (each may point at the next).
// (UnitBuilder::annotationsOf does the same for a DIE of the unit being
// read, through the unit's DIE scanner.)
template <class F> void forEachChainedAnnotation(Dwarf_Die &die, F &&f);
template <class F> void forEachAnnotation(Dwarf_Die &die, F &&f) {
  Dwarf_Die c;
  if (dwarf_haschildren(&die) && dwarf_child(&die, &c) == 0) {
    do
      readAnnotation(c, f);
    while (dwarf_siblingof(&c, &c) == 0);
  }
  forEachChainedAnnotation(die, f);
}

// The DW_AT_GNU_annotation chain alone.
template <class F> void forEachChainedAnnotation(Dwarf_Die &die, F &&f) {
  Dwarf_Die cur = die;
  for (int depth = 0; depth < 64; ++depth) { // bounded: a corrupt chain may loop
    Dwarf_Attribute a;
    Dwarf_Die next;
    if (!dwarf_attr(&cur, kAtGnuAnnotation, &a) || !dwarf_formref_die(&a, &next))
      return;
    readAnnotation(next, f);
    cur = next;
  }
}

} // namespace d2b::dwarf
