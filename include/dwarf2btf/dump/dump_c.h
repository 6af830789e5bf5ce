#pragma once
/// A compilable C header from BTF, in the manner of
/// `bpftool btf dump file F format c`:
///
///   if (Error e = dumpC(btf, std::cout)) return e;
///
/// The output has bpftool's __VMLINUX_H__ guard and preserve_access_index
/// pragma, declares every struct, union, enum, typedef and forward
/// declaration of `btf` (base types included for split BTF, so the header
/// stands alone) in an order a C compiler accepts, inlines anonymous types,
/// and adds explicit padding, `__attribute__((packed))`, enum `mode`
/// attributes or union alignment wherever the natural C layout would differ
/// from the BTF, so that sizeof and offsetof agree with the BTF on LP64
/// targets (x86-64, arm64, bpf). Names that clash in one C namespace get
/// bpftool's `___N` suffix; names that are not C identifiers (Rust paths,
/// keywords) are rewritten into identifiers. Text equality with bpftool is a
/// non-goal.
#include <ostream>

#include "dwarf2btf/btf/btf.h"
#include "dwarf2btf/support/expected.h"

namespace d2b::dump {

/// Writes the C header for `btf`. Fails (writing nothing) when the types
/// cannot be put in C at all: a reference to a missing type, a struct that
/// contains itself by value, a cycle of anonymous types, an integer size C
/// has no type for. Layouts that C cannot reproduce exactly are written as
/// closely as possible with a comment saying what differs.
Error dumpC(const btf::Btf &btf, std::ostream &out);

/// Writes C11 `_Static_assert`s that check, for every named struct and union
/// as dumpC() names it, its sizeof and the offsetof of each non-bitfield
/// member reachable by name. Appended to dumpC() output and compiled, they
/// prove the header reproduces the BTF layout.
Error dumpCLayoutAsserts(const btf::Btf &btf, std::ostream &out);

} // namespace d2b::dump
