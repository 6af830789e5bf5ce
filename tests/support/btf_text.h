#pragma once
/// Compact one-line-per-type text of a Btf, for test expectations and for
/// comparing two BTFs as sets of types. Close to `bpftool btf dump` (format
/// raw) but with members inline:
///
///   [3] STRUCT 's' size=8 vlen=2 {'a' type_id=1 bits_offset=0; 'b' type_id=2 bits_offset=32}
#include <string>
#include <vector>

#include "dwarf2btf/btf/btf.h"

namespace d2b::test {

/// Text of one type (any id, base included); `[0] VOID` for id 0.
std::string typeLine(const btf::Btf &b, uint32_t id);
/// typeLine() of every own type, in id order.
std::vector<std::string> typeLines(const btf::Btf &b);

} // namespace d2b::test
