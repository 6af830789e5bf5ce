#pragma once
// Private to src/elf: building an ELF image whose compressed debug sections
// are stored uncompressed, so every libdw/libdwfl handle can read them.
#include <string>

#include "dwarf2btf/support/expected.h"

namespace d2b::elf {

struct DecompressedImage {
  int fd = -1;           // memfd holding the patched image, -1 when none was needed
  unsigned sections = 0; // how many sections were decompressed
  unsigned merged = 0;   // how many same-named sections were folded into a first one
};

/// Scans `fd` for SHF_COMPRESSED .debug* sections (zlib or zstd) and for
/// several .debug* sections of one name (COMDAT type units in relocatable
/// objects). When there are none, returns fd == -1. Otherwise copies the file
/// into a memfd, appends each decompressed or concatenated payload (and the
/// merged relocations) at the end and patches the section headers to point
/// at them; the extra same-named sections become empty and anonymous.
Expected<DecompressedImage> buildDecompressedImage(int fd, const std::string &path);

} // namespace d2b::elf
