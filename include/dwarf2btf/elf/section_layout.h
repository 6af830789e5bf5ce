#pragma once
/// Where the bytes go when one section of an ELF file is added or replaced.
///
/// The new file is the old one with a tail appended: every input byte that a
/// section, a segment, the ELF header or the program headers use stays at its
/// offset (so loaded segments, addresses and section indices never change),
/// and the new section data, the section name table (when it grows) and a new
/// section header table follow the last such byte. Only the ELF header's
/// e_shoff/e_shnum fields and the rewritten headers differ. Input bytes past
/// the last used byte that belonged to the old header table, the old name
/// table or the replaced section's old data are dropped, so repeating the
/// operation does not grow the file; any other trailing bytes are kept.
///
/// This is pure computation over the parsed headers; section_writer.h does the I/O.
#include "dwarf2btf/support/expected.h"

#include <cstdint>
#include <gelf.h>
#include <span>
#include <string_view>
#include <vector>

namespace d2b::elf {

/// The parsed headers of an input ELF file, as libelf presents them.
struct LayoutInput {
  std::span<const uint8_t> file; ///< the whole input file
  GElf_Ehdr ehdr;                ///< e_shnum/e_shstrndx as stored (0/SHN_XINDEX if extended)
  std::vector<GElf_Phdr> phdrs;
  std::vector<GElf_Shdr> shdrs; ///< all sections, index 0 included
  size_t shstrndx = 0;          ///< the real index of the section name table
};

/// One run of output bytes: `bytes` written at `offset`.
struct OutputPiece {
  uint64_t offset;
  std::span<const uint8_t> bytes;
  bool fromInput = false; ///< `bytes` are the input's bytes at the same offset
};

/// The layout of the output file.
struct LayoutPlan {
  GElf_Ehdr ehdr;               ///< the new ELF header
  std::vector<GElf_Shdr> shdrs; ///< the new section header table
  size_t sectionIndex = 0;      ///< index of the added or replaced section
  bool added = false;           ///< true if the section is new
  uint64_t keptInputBytes = 0;  ///< input bytes [0, keptInputBytes) reappear unchanged
  uint64_t dataOffset = 0;      ///< where the section data goes
  bool dataInPlace = false;     ///< the data overwrites the old data (loaded, same size)
  bool nameTableMoved = false;  ///< the name table is written again at nameTableOffset
  std::vector<uint8_t> nameTable;
  uint64_t nameTableOffset = 0;
  uint64_t headerTableOffset = 0;
  uint64_t fileSize = 0; ///< size of the output file
};

/// Plans adding or replacing section `name` (contents `dataSize` bytes).
/// A new section is SHT_PROGBITS, flags 0, sh_addralign 1, appended as the
/// last section so that no existing index changes. A replaced section keeps
/// its index, name, flags and links and becomes SHT_PROGBITS. An SHF_ALLOC
/// section of an executable or shared object lies inside a loaded segment and
/// is replaced only by data of the same size, in place (ET_REL sections are
/// not placed yet and move freely). Errors name the section and offsets but
/// not the file.
Expected<LayoutPlan> planSection(const LayoutInput &in, std::string_view name, uint64_t dataSize);

/// The pieces of the output file in offset order, gaps being zero bytes.
/// `ehdrBytes` and `headerTableBytes` are the encoded new ELF header and
/// section header table; the plan, input and data must outlive the result.
std::vector<OutputPiece> outputPieces(const LayoutPlan &plan, const LayoutInput &in,
                                      std::span<const uint8_t> data,
                                      std::span<const uint8_t> ehdrBytes,
                                      std::span<const uint8_t> headerTableBytes);

} // namespace d2b::elf
