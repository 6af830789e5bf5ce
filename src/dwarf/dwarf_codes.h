#pragma once
// Private to src/dwarf: which DWARF codes this tool (and libdw 0.188) knows.
// A newer compiler may emit tags, attributes, forms or languages we have never
// seen; the walk skips what it can and counts it, instead of failing.
#include <cstdint>

namespace d2b::dwarf {

/// True for the DWARF 5 tags and the vendor tags compilers we read emit.
bool isKnownTag(int tag);
/// True for the DWARF 5 attributes and the GNU/LLVM/Apple vendor attributes.
bool isKnownAttribute(unsigned at);
/// True for the forms libdw can size (and so skip); any other form makes the
/// rest of its unit unreadable.
bool isKnownForm(unsigned form);
/// True for the DW_LANG codes libdw names plus C17 (0x2c); others are
/// lowered as C with a warning.
bool isKnownLanguage(unsigned lang);

} // namespace d2b::dwarf
