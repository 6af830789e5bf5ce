#include "dwarf_codes.h"

#include <dwarf.h>

#include "die_util.h"

namespace d2b::dwarf {

namespace {

bool in(unsigned v, unsigned lo, unsigned hi) { return v >= lo && v <= hi; }

} // namespace

bool isKnownTag(int tag) {
  // DWARF 5 ends at DW_TAG_immutable_type (0x4b); the vendor tags are those
  // libdw names (MIPS loop, the GNU template/call-site tags) and the BTF
  // annotation tags of clang and gcc.
  return in(unsigned(tag), DW_TAG_array_type, DW_TAG_immutable_type) || tag == DW_TAG_MIPS_loop ||
         in(unsigned(tag), DW_TAG_format_label, DW_TAG_GNU_call_site_parameter) ||
         tag == kTagLlvmAnnotation || tag == kTagGnuAnnotation;
}

bool isKnownAttribute(unsigned at) {
  // DWARF 5 ends at DW_AT_loclists_base (0x8c). Vendor blocks: MIPS
  // (0x2001-0x2011), GNU (0x2101-0x211a, 0x2130-0x2138, 0x2301-0x2305),
  // LLVM (0x3e00-0x3e0f) and Apple (0x3fe1-0x3fff).
  return in(at, DW_AT_sibling, DW_AT_loclists_base) || in(at, 0x2001, 0x2011) ||
         in(at, 0x2101, 0x211a) || in(at, 0x2130, 0x2138) || in(at, 0x2301, 0x2305) ||
         in(at, 0x3e00, 0x3e0f) || in(at, 0x3fe1, 0x3fff);
}

bool isKnownForm(unsigned form) {
  // 0x02 is reserved; DWARF 5 ends at DW_FORM_addrx4 (0x2c); the GNU forms
  // are the split-DWARF index and the .gnu_debugaltlink references.
  return (in(form, DW_FORM_addr, DW_FORM_addrx4) && form != 0x02) ||
         form == DW_FORM_GNU_addr_index || form == DW_FORM_GNU_str_index ||
         form == DW_FORM_GNU_ref_alt || form == DW_FORM_GNU_strp_alt;
}

bool isKnownLanguage(unsigned lang) {
  return in(lang, DW_LANG_C89, DW_LANG_BLISS) || lang == 0x2c /* C17 */ ||
         lang == DW_LANG_Mips_Assembler;
}

} // namespace d2b::dwarf
