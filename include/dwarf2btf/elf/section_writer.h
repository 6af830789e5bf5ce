#pragma once
/// Writing a section (normally .BTF) into an ELF file without external tools.
///
/// The output is the input with the section's data, the section name table
/// (when the name is new) and a new section header table appended; every
/// byte the loader or linker uses keeps its offset and every section keeps its
/// index (see section_layout.h for the exact rules). The file is written
/// through AtomicFile, so `output` is replaced only once it is complete.
///
/// Why copy-and-append rather than letting libelf lay the file out again
/// (elf_update, with or without ELF_F_LAYOUT): libelf re-emits every section
/// from its data and fills gaps itself, so bytes that belong to a segment but
/// to no section, padding and trailing data are lost or moved. pahole 1.24
/// replacing an existing .BTF that way turned a working PIE into one that
/// segfaults (its .init moved from 0x1000 to 0x5e0 under an unchanged PT_LOAD).
/// Here libelf only parses the headers and converts the new ones to the
/// file's class and byte order; kept bytes are copied with copy_file_range.
///
/// In place, `output` becomes a new inode: hard links to the old file keep the
/// old contents, as with objcopy or sed -i.
///
///   if (Error e = writeElfWithSection(path, path, ".BTF", bytes)) // in place
///     return e;
#include "dwarf2btf/support/expected.h"
#include "dwarf2btf/support/file_ops.h"

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace d2b::elf {

/// Writes `output` as a copy of the ELF file `input` whose section
/// `sectionName` holds `data`: replaced if it exists, else added as
/// SHT_PROGBITS, flags 0, sh_addralign 1. `output` may equal `input` (in
/// place); it gets the input's mode, and its owner too when in place and
/// running as root. On failure `output` is left as it was.
Error writeElfWithSection(const std::string &input, const std::string &output,
                          std::string_view sectionName, std::span<const uint8_t> data);
/// Same, with the file-system calls going through `ops`.
Error writeElfWithSection(const std::string &input, const std::string &output,
                          std::string_view sectionName, std::span<const uint8_t> data,
                          FileOps &ops);

/// True if `path` is a readable ELF file with a section named `name`.
bool hasSection(const std::string &path, std::string_view name);

} // namespace d2b::elf
