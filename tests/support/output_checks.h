#pragma once
/// Checking files that the output stage wrote: reading an ELF file's
/// headers and sections back through libelf, listing a directory.
#include <cstdint>
#include <filesystem>
#include <gelf.h>
#include <span>
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

/// The bytes of a string, as the writers take them.
inline std::span<const uint8_t> bytesOf(const std::string &s) {
  return {reinterpret_cast<const uint8_t *>(s.data()), s.size()};
}

/// `text` with regex metacharacters escaped, for matching messages that
/// contain a path and a random temporary name.
std::string regexQuote(const std::string &text);

/// Sorted names of a directory's entries, to spot leftover temporary files.
std::vector<std::string> listDir(const std::filesystem::path &dir);

} // namespace d2b::test
