#include "dwarf2btf/elf/section_layout.h"

#include <algorithm>
#include <bit>
#include <cstring>
#include <fmt/format.h>
#include <optional>
#include <string>

namespace d2b::elf {
namespace {

/// A half-open byte range of the input file.
struct Range {
  uint64_t begin;
  uint64_t end;
};

uint64_t alignUp(uint64_t value, uint64_t align) {
  return align <= 1 ? value : (value + align - 1) / align * align;
}

/// Whether the section occupies bytes of the file (SHT_NOBITS and SHT_NULL do not).
bool hasFileBytes(const GElf_Shdr &s) {
  return s.sh_type != SHT_NOBITS && s.sh_type != SHT_NULL && s.sh_size != 0;
}

/// True if [offset, offset+size) lies within a file of `fileSize` bytes.
bool fits(uint64_t offset, uint64_t size, uint64_t fileSize) {
  return offset <= fileSize && size <= fileSize - offset;
}

/// The name of a section; "" if sh_name is not a string of the name table.
std::string_view nameOf(std::span<const uint8_t> nameTable, const GElf_Shdr &s) {
  if (s.sh_name >= nameTable.size())
    return {};
  const char *begin = reinterpret_cast<const char *>(nameTable.data()) + s.sh_name;
  const void *nul = std::memchr(begin, 0, nameTable.size() - s.sh_name);
  return nul ? std::string_view(begin, static_cast<const char *>(nul) - begin) : std::string_view{};
}

/// Where `name` plus its NUL already appears in the name table; any
/// occurrence works, including the tail of a longer name.
std::optional<uint64_t> findName(std::span<const uint8_t> nameTable, std::string_view name) {
  std::string needle(name);
  needle.push_back('\0');
  auto it = std::search(nameTable.begin(), nameTable.end(), needle.begin(), needle.end());
  if (it == nameTable.end())
    return std::nullopt;
  return static_cast<uint64_t>(it - nameTable.begin());
}

/// Extends the kept prefix [0, keep) to the whole file unless every byte past
/// `keep` either lies in a dropped range (an old header table, name table or
/// section data that is written again) or is zero padding: unknown trailing
/// data (a signature, say) must survive.
uint64_t keptInputEnd(std::span<const uint8_t> file, uint64_t keep, std::vector<Range> dropped) {
  std::sort(dropped.begin(), dropped.end(),
            [](const Range &a, const Range &b) { return a.begin < b.begin; });
  auto allZero = [&](uint64_t begin, uint64_t end) {
    return std::all_of(file.begin() + begin, file.begin() + end, [](uint8_t b) { return b == 0; });
  };
  uint64_t pos = keep;
  for (const Range &r : dropped) {
    if (r.end <= pos)
      continue;
    if (r.begin > pos && !allZero(pos, r.begin))
      return file.size();
    pos = std::max(pos, r.end);
  }
  return pos < file.size() && !allZero(pos, file.size()) ? file.size() : keep;
}

/// Checks that every range the plan copies or reads lies inside the file.
Error checkRanges(const LayoutInput &in, std::span<const uint8_t> nameTable, uint64_t shentsize) {
  const uint64_t size = in.file.size();
  const GElf_Ehdr &eh = in.ehdr;
  if (!in.phdrs.empty() && !fits(eh.e_phoff, uint64_t{eh.e_phentsize} * in.phdrs.size(), size))
    return Error(fmt::format("program header table (offset {:#x}, {} entries) extends past the end "
                             "of the file ({:#x} bytes)",
                             eh.e_phoff, in.phdrs.size(), size));
  for (size_t i = 0; i < in.phdrs.size(); ++i) {
    const GElf_Phdr &p = in.phdrs[i];
    if (!fits(p.p_offset, p.p_filesz, size))
      return Error(fmt::format("program header [{}] (offset {:#x}, size {:#x}) extends past the "
                               "end of the file ({:#x} bytes)",
                               i, p.p_offset, p.p_filesz, size));
  }
  if (!fits(eh.e_shoff, shentsize * in.shdrs.size(), size))
    return Error(fmt::format("section header table (offset {:#x}, {} entries) extends past the end "
                             "of the file ({:#x} bytes)",
                             eh.e_shoff, in.shdrs.size(), size));
  for (size_t i = 1; i < in.shdrs.size(); ++i) {
    const GElf_Shdr &s = in.shdrs[i];
    if (hasFileBytes(s) && !fits(s.sh_offset, s.sh_size, size))
      return Error(fmt::format("section [{}] '{}' (offset {:#x}, size {:#x}) extends past the end "
                               "of the file ({:#x} bytes)",
                               i, nameOf(nameTable, s), s.sh_offset, s.sh_size, size));
  }
  return Error::success();
}

/// The index of the section called `name`, nullopt if there is none.
Expected<std::optional<size_t>>
findTarget(const LayoutInput &in, std::span<const uint8_t> nameTable, std::string_view name) {
  std::optional<size_t> target;
  for (size_t i = 1; i < in.shdrs.size(); ++i) {
    if (nameOf(nameTable, in.shdrs[i]) != name)
      continue;
    if (target)
      return Error(
          fmt::format("more than one section named '{}' ([{}] and [{}])", name, *target, i));
    target = i;
  }
  if (target == in.shstrndx)
    return Error(fmt::format("cannot replace the section name table '{}' [{}]", name, *target));
  return target;
}

/// Where a new section's name comes from: an existing string when one ends
/// in the same bytes, else the name appended to the table.
struct NameChoice {
  uint64_t offset = 0;
  bool appended = false;
};

NameChoice chooseName(std::vector<uint8_t> &nameTable, std::string_view name) {
  if (std::optional<uint64_t> found = findName(nameTable, name))
    return {*found, false};
  if (!nameTable.empty() && nameTable.back() != 0)
    nameTable.push_back(0); // never extend a malformed last string
  NameChoice choice{nameTable.size(), true};
  nameTable.insert(nameTable.end(), name.begin(), name.end());
  nameTable.push_back(0);
  return choice;
}

/// One past the last input byte still used by the ELF header, the program
/// headers, a segment or a section other than `skipA`/`skipB`.
uint64_t usedInputEnd(const LayoutInput &in, uint64_t ehdrSize, std::optional<size_t> skipA,
                      std::optional<size_t> skipB) {
  uint64_t end = std::max<uint64_t>(ehdrSize, in.ehdr.e_ehsize);
  if (!in.phdrs.empty())
    end =
        std::max<uint64_t>(end, in.ehdr.e_phoff + uint64_t{in.ehdr.e_phentsize} * in.phdrs.size());
  for (const GElf_Phdr &p : in.phdrs)
    end = std::max<uint64_t>(end, p.p_offset + p.p_filesz);
  for (size_t i = 1; i < in.shdrs.size(); ++i)
    if (i != skipA && i != skipB && hasFileBytes(in.shdrs[i]))
      end = std::max<uint64_t>(end, in.shdrs[i].sh_offset + in.shdrs[i].sh_size);
  return end;
}

} // namespace

Expected<LayoutPlan> planSection(const LayoutInput &in, std::string_view name, uint64_t dataSize) {
  const bool is64 = in.ehdr.e_ident[EI_CLASS] == ELFCLASS64;
  const uint64_t ehdrSize = is64 ? sizeof(Elf64_Ehdr) : sizeof(Elf32_Ehdr);
  const uint64_t shentsize = is64 ? sizeof(Elf64_Shdr) : sizeof(Elf32_Shdr);
  const size_t shnum = in.shdrs.size();

  if (name.empty() || name.find('\0') != std::string_view::npos)
    return Error("invalid section name");
  if (shnum == 0)
    return Error("no section header table");
  if (in.ehdr.e_shentsize != shentsize)
    return Error(
        fmt::format("unsupported e_shentsize {} (expected {})", in.ehdr.e_shentsize, shentsize));
  if (in.shstrndx == 0 || in.shstrndx >= shnum)
    return Error(fmt::format("no section name table (section name table index {})", in.shstrndx));
  const GElf_Shdr &strHdr = in.shdrs[in.shstrndx];
  if (strHdr.sh_type == SHT_NOBITS || (strHdr.sh_flags & SHF_COMPRESSED) ||
      !fits(strHdr.sh_offset, strHdr.sh_size, in.file.size()))
    return Error(fmt::format("section name table [{}] (offset {:#x}, size {:#x}) is not readable",
                             in.shstrndx, strHdr.sh_offset, strHdr.sh_size));
  const std::span<const uint8_t> oldNames = in.file.subspan(strHdr.sh_offset, strHdr.sh_size);
  if (Error e = checkRanges(in, oldNames, shentsize))
    return e;

  Expected<std::optional<size_t>> found = findTarget(in, oldNames, name);
  if (!found)
    return found.error();
  const std::optional<size_t> target = *found;

  LayoutPlan plan;
  plan.nameTable.assign(oldNames.begin(), oldNames.end());
  NameChoice nameChoice{target ? in.shdrs[*target].sh_name : 0, false};
  if (!target)
    nameChoice = chooseName(plan.nameTable, name);
  if (nameChoice.offset > UINT32_MAX)
    return Error("section name table too large");
  if (nameChoice.appended && (strHdr.sh_flags & SHF_ALLOC))
    return Error(fmt::format("section name table [{}] is SHF_ALLOC and cannot grow", in.shstrndx));

  // A section loaded by an executable or shared object has its address and
  // size fixed by the link: same-size data can be written over it, anything
  // else would move the segment. (In ET_REL nothing is placed yet.)
  if (target && (in.shdrs[*target].sh_flags & SHF_ALLOC) && in.ehdr.e_type != ET_REL) {
    const GElf_Shdr &old = in.shdrs[*target];
    if (old.sh_type == SHT_NOBITS || old.sh_size != dataSize)
      return Error(fmt::format(
          "section '{}' [{}] is SHF_ALLOC (address {:#x}, {:#x} bytes in a loaded segment) and "
          "can only be replaced by data of the same size, not {:#x} bytes",
          name, *target, old.sh_addr, old.sh_size, dataSize));
    if (old.sh_offset < ehdrSize)
      return Error(fmt::format("section '{}' [{}] overlaps the ELF header", name, *target));
    plan.dataInPlace = true;
  }

  std::optional<size_t> moved = plan.dataInPlace ? std::nullopt : target;
  uint64_t keep = usedInputEnd(in, ehdrSize, in.shstrndx, moved);
  // The name table moves when it grows, or when it sits in the droppable tail,
  // so that it does not pin the bytes of an old section behind it.
  plan.nameTableMoved =
      !(strHdr.sh_flags & SHF_ALLOC) && (nameChoice.appended || strHdr.sh_offset >= keep);
  if (!plan.nameTableMoved)
    keep = std::max<uint64_t>(keep, strHdr.sh_offset + strHdr.sh_size);

  std::vector<Range> dropped{{in.ehdr.e_shoff, in.ehdr.e_shoff + shentsize * shnum}};
  if (plan.nameTableMoved)
    dropped.push_back({strHdr.sh_offset, strHdr.sh_offset + strHdr.sh_size});
  if (moved && hasFileBytes(in.shdrs[*moved]))
    dropped.push_back(
        {in.shdrs[*moved].sh_offset, in.shdrs[*moved].sh_offset + in.shdrs[*moved].sh_size});
  plan.keptInputBytes = keptInputEnd(in.file, keep, std::move(dropped));

  // The appended tail: section data, name table, section header table.
  uint64_t end = plan.keptInputBytes;
  if (plan.dataInPlace) {
    plan.dataOffset = in.shdrs[*target].sh_offset;
  } else {
    // The file offset is 8-aligned for readers that map the data; sh_addralign
    // stays 1 for a new section, as pahole + objcopy produce it.
    uint64_t align = 8;
    if (target && std::has_single_bit(in.shdrs[*target].sh_addralign))
      align = std::max<uint64_t>(align, in.shdrs[*target].sh_addralign);
    plan.dataOffset = alignUp(end, align);
    end = plan.dataOffset + dataSize;
  }
  if (plan.nameTableMoved) {
    plan.nameTableOffset = end;
    end += plan.nameTable.size();
  }
  plan.headerTableOffset = alignUp(end, is64 ? 8 : 4);
  const uint64_t newShnum = shnum + (target ? 0 : 1);
  plan.fileSize = plan.headerTableOffset + newShnum * shentsize;
  if (!is64 && plan.fileSize > UINT32_MAX)
    return Error(fmt::format("the output would be {:#x} bytes, more than an ELF32 file can address",
                             plan.fileSize));

  plan.shdrs = in.shdrs;
  if (target) {
    plan.sectionIndex = *target;
    GElf_Shdr &s = plan.shdrs[*target];
    s.sh_type = SHT_PROGBITS;
    s.sh_flags &= ~uint64_t{SHF_COMPRESSED};
    s.sh_offset = plan.dataOffset;
    s.sh_size = dataSize;
  } else {
    plan.sectionIndex = shnum;
    plan.added = true;
    GElf_Shdr s{};
    s.sh_name = static_cast<uint32_t>(nameChoice.offset);
    s.sh_type = SHT_PROGBITS;
    s.sh_offset = plan.dataOffset;
    s.sh_size = dataSize;
    s.sh_addralign = 1;
    plan.shdrs.push_back(s);
  }
  if (plan.nameTableMoved) {
    plan.shdrs[in.shstrndx].sh_offset = plan.nameTableOffset;
    plan.shdrs[in.shstrndx].sh_size = plan.nameTable.size();
  }

  // The name table keeps its index, so e_shstrndx (or its SHN_XINDEX escape in
  // section 0's sh_link) stays as it is; only the count may need the escape.
  plan.ehdr = in.ehdr;
  plan.ehdr.e_shoff = plan.headerTableOffset;
  if (in.ehdr.e_shnum == 0 || newShnum >= SHN_LORESERVE) {
    plan.ehdr.e_shnum = 0;
    plan.shdrs[0].sh_size = newShnum;
  } else {
    plan.ehdr.e_shnum = static_cast<GElf_Half>(newShnum);
  }
  return plan;
}

std::vector<OutputPiece> outputPieces(const LayoutPlan &plan, const LayoutInput &in,
                                      std::span<const uint8_t> data,
                                      std::span<const uint8_t> ehdrBytes,
                                      std::span<const uint8_t> headerTableBytes) {
  std::vector<OutputPiece> pieces;
  auto add = [&](uint64_t offset, std::span<const uint8_t> bytes, bool fromInput = false) {
    if (!bytes.empty())
      pieces.push_back({offset, bytes, fromInput});
  };
  auto copyInput = [&](uint64_t begin, uint64_t end) {
    if (begin < end)
      add(begin, in.file.subspan(begin, end - begin), true);
  };
  add(0, ehdrBytes);
  if (plan.dataInPlace) {
    copyInput(ehdrBytes.size(), plan.dataOffset);
    add(plan.dataOffset, data);
    copyInput(plan.dataOffset + data.size(), plan.keptInputBytes);
  } else {
    copyInput(ehdrBytes.size(), plan.keptInputBytes);
    add(plan.dataOffset, data);
  }
  if (plan.nameTableMoved)
    add(plan.nameTableOffset, plan.nameTable);
  add(plan.headerTableOffset, headerTableBytes);
  std::sort(pieces.begin(), pieces.end(),
            [](const OutputPiece &a, const OutputPiece &b) { return a.offset < b.offset; });
  return pieces;
}

} // namespace d2b::elf
