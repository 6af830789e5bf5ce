#pragma once
/// Reading BTF back: from an ELF's .BTF section, a raw BTF file or
/// /sys/kernel/btf/*, into a validated in-memory Btf in host byte order.
///
///   Expected<std::vector<uint8_t>> bytes = readBtfBytes(path);
///   if (!bytes) return bytes.error();
///   Expected<ParsedBtf> parsed = parseBtf(*bytes, /*base=*/nullptr, path);
///   if (!parsed) return parsed.error();
///   dumpRaw(parsed->btf, std::cout);
///
/// parseBtf() checks what libbpf checks when it opens BTF (header bounds,
/// section layout, type sizes, known kinds) plus what every consumer relies
/// on (string offsets and type ids in range), so later stages can index
/// without bounds checks. Messages name the input and the byte offset in the
/// BTF data: "<origin>: .BTF+0x1c: type [1]: unknown kind 31".
#include <bit>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "dwarf2btf/btf/btf.h"
#include "dwarf2btf/support/expected.h"

namespace d2b::btf {

/// Bytes of the BTF data in `path`: the .BTF section of an ELF file (ELF32 or
/// ELF64, either byte order), or the whole file when it starts with the BTF
/// magic in either byte order (raw files, /sys/kernel/btf/vmlinux).
Expected<std::vector<uint8_t>> readBtfBytes(const std::string &path);

/// Bytes of the .BTF.base section (a distilled base, btf/distill.h) of the
/// ELF file `path`; empty if `path` is not ELF or has no such section.
Expected<std::optional<std::vector<uint8_t>>> readDistilledBaseBytes(const std::string &path);

/// A parsed BTF blob; `btf` holds the types in host byte order, `order` is
/// the byte order the data was stored in.
struct ParsedBtf {
  Btf btf;
  std::endian order = std::endian::native;
};

/// Parses and validates BTF data. With `base` the data is split BTF: type ids
/// continue after base->endId() - 1 and string offsets after the base's
/// strings; `base` must outlive the result. `origin` prefixes every message.
Expected<ParsedBtf> parseBtf(std::span<const uint8_t> bytes, const Btf *base,
                             const std::string &origin);

/// readBtfBytes(path) then parseBtf(bytes, base, path), without copying the
/// bytes first: an ELF section or a regular raw file is parsed from a
/// mapping of the file.
Expected<ParsedBtf> readBtf(const std::string &path, const Btf *base);

} // namespace d2b::btf
