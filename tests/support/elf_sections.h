#pragma once
/// Reading an ELF file's section table back in tests, through libelf.
#include <cstdint>
#include <gelf.h>
#include <optional>
#include <string>
#include <vector>

namespace d2b::test {

struct SectionInfo {
  size_t index = 0;
  std::string name;
  GElf_Shdr hdr{};
  std::string data; ///< file bytes (empty for SHT_NOBITS)
};

struct ElfInfo {
  std::string error; ///< non-empty if libelf could not read the file
  GElf_Ehdr ehdr{};
  std::vector<GElf_Phdr> phdrs;
  std::vector<SectionInfo> sections; ///< index 0 included
  size_t shstrndx = 0;
  /// Sections with this name.
  std::vector<const SectionInfo *> named(const std::string &name) const;
};

/// Reads every header and section with libelf (ELF_C_READ).
ElfInfo readElf(const std::string &path);

} // namespace d2b::test
