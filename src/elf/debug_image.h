#pragma once
// Private to src/elf: building an ELF image whose compressed debug sections
// are stored uncompressed, so every libdw/libdwfl handle can read them.
#include <string>

#include "dwarf2btf/support/expected.h"

namespace d2b::elf {

struct DecompressedImage {
  int fd = -1;           // memfd holding the patched image (-1 when sections == 0)
  unsigned sections = 0; // how many sections were decompressed
};

/// Scans `fd` for SHF_COMPRESSED .debug* sections (zlib or zstd). When there
/// are none, returns sections == 0 and no image. Otherwise copies the file
/// into a memfd, appends each decompressed payload at the end and patches the
/// section header (offset, size, alignment, flags) to point at it.
Expected<DecompressedImage> buildDecompressedImage(int fd, const std::string &path);

} // namespace d2b::elf
