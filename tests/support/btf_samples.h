#pragma once
/// Hand-built BTF inputs shared by the reader and dumper tests.
#include <cstdint>
#include <string>
#include <vector>

#include "dwarf2btf/btf/btf.h"

namespace d2b::test {

/// A small Btf holding every kind and every variant the dumpers print:
/// INT encodings, bitfields with and without kind_flag, signed/unsigned
/// ENUM and ENUM64, FWD struct/union, every FUNC and VAR linkage, FUNC_PROTO
/// with varargs, DATASEC, DECL_TAG on a type and on a member, TYPE_TAG,
/// FLOAT, nested arrays, anonymous members, qualifiers, a pointer cycle.
/// Its named structs lay out the same way C does on LP64, so its dumped C
/// header must reproduce them exactly.
void addEveryKind(btf::Btf &b);

/// Layouts C cannot write naturally: explicit gaps, packing, straddling and
/// legacy bitfields, over-aligned tails, a 4 KiB gap, union members off
/// offset 0 and structs whose members share an offset (Rust enums), a union
/// larger than its members, 1/2/8-byte enums, Rust-style names. Every named
/// aggregate is one the C dump must reproduce exactly (no left-out members).
void addTrickyLayouts(btf::Btf &b);

/// Serializes `b` with the given byte order and writes it to `path`.
void writeRawBtf(const btf::Btf &b, std::endian order, const std::string &path);

/// Writes a minimal relocatable ELF (ELFCLASS32/64, either byte order) with a
/// .BTF section holding `btf`, using libelf only.
void writeElfWithBtf(const std::string &path, const std::vector<uint8_t> &btf, bool elf64,
                     bool bigEndian, const char *sectionName = ".BTF");

} // namespace d2b::test
