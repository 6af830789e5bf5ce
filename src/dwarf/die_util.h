#pragma once
// Private to src/dwarf: small readers over libdw attributes.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

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

inline std::optional<uint64_t> attrUdata(Dwarf_Die *d, unsigned at) {
  Dwarf_Attribute a;
  Dwarf_Word v;
  if (!dwarf_attr(d, at, &a) || dwarf_formudata(&a, &v) != 0)
    return std::nullopt;
  return v;
}

inline bool attrFlag(Dwarf_Die *d, unsigned at) {
  Dwarf_Attribute a;
  bool v = false;
  if (!dwarf_attr(d, at, &a) || dwarf_formflag(&a, &v) != 0)
    return false;
  return v;
}

inline bool attrFlagIntegrate(Dwarf_Die *d, unsigned at) {
  Dwarf_Attribute a;
  bool v = false;
  if (!dwarf_attr_integrate(d, at, &a) || dwarf_formflag(&a, &v) != 0)
    return false;
  return v;
}

inline std::string_view attrStringIntegrate(Dwarf_Die *d, unsigned at) {
  Dwarf_Attribute a;
  if (!dwarf_attr_integrate(d, at, &a))
    return {};
  const char *s = dwarf_formstring(&a);
  return s ? std::string_view(s) : std::string_view();
}

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

/// DW_TAG_* name for diagnostics ("DW_TAG_member", or the hex code).
std::string tagName(int tag);

} // namespace d2b::dwarf
