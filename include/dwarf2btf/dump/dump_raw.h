#pragma once
/// The raw text dump of BTF, identical line for line to what
/// `bpftool btf dump file F` (bpftool 7.1, format raw) prints:
///
///   [1] INT 'int' size=4 bits_offset=0 nr_bits=32 encoding=SIGNED
///   [2] STRUCT 's' size=8 vlen=1
///   	'a' type_id=1 bits_offset=0
///
/// For split BTF only the split's own types are printed, as bpftool does
/// with `-B base`.
#include <ostream>

#include "dwarf2btf/btf/btf.h"

namespace d2b::dump {

/// Writes every own type of `btf` in bpftool's raw format.
void dumpRaw(const btf::Btf &btf, std::ostream &out);

} // namespace d2b::dump
