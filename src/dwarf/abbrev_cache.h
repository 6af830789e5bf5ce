#pragma once
// Private to src/dwarf: abbreviations of one unit by code, to fill in a new
// Dwarf_Die's `abbrev` before libdw looks for it.
#include <bit>
#include <cstdint>
#include <cstring>
#include <vector>

#include <elfutils/libdw.h>
#include <gelf.h>
#include <libelf.h>

namespace d2b::dwarf {

/// Reads the ULEB128 at `p` (advancing it) into `v`. False when the data
/// ends first or the value does not fit in 64 bits.
inline bool readUleb(const unsigned char *&p, const unsigned char *end, uint64_t &v) {
  v = 0;
  for (unsigned shift = 0; p < end; shift += 7) {
    const unsigned char b = *p++;
    if (shift < 64)
      v |= uint64_t(b & 0x7f) << shift;
    if (!(b & 0x80))
      return shift < 64;
  }
  return false;
}

/// readUleb for a signed LEB128 (sign-extended from its last byte).
inline bool readSleb(const unsigned char *&p, const unsigned char *end, uint64_t &v) {
  v = 0;
  for (unsigned shift = 0; p < end; shift += 7) {
    const unsigned char b = *p++;
    if (shift < 64)
      v |= uint64_t(b & 0x7f) << shift;
    if (!(b & 0x80)) {
      if (shift + 7 < 64 && (b & 0x40))
        v |= ~uint64_t(0) << (shift + 7);
      return shift < 64;
    }
  }
  return false;
}

/// A fixed-size value of `size` bytes in the input's byte order.
inline uint64_t readFixed(const unsigned char *p, unsigned size, bool bigEndian) {
  if (std::endian::native == std::endian::little && !bigEndian) {
    // The common case, one load for the common sizes.
    switch (size) {
    case 2: {
      uint16_t v;
      std::memcpy(&v, p, 2);
      return v;
    }
    case 4: {
      uint32_t v;
      std::memcpy(&v, p, 4);
      return v;
    }
    case 8: {
      uint64_t v;
      std::memcpy(&v, p, 8);
      return v;
    }
    default:
      break;
    }
  }
  uint64_t v = 0;
  if (bigEndian)
    for (unsigned i = 0; i < size; ++i)
      v = v << 8 | p[i];
  else
    for (unsigned i = size; i-- > 0;)
      v = v << 8 | p[i];
  return v;
}

/// The ELF data encoding (ELFDATA2LSB / ELFDATA2MSB) of the file unit `cu`
/// was read from, or ELFDATANONE.
inline int elfDataOf(Dwarf_CU *cu) {
  Elf *elf = cu ? dwarf_getelf(dwarf_cu_getdwarf(cu)) : nullptr;
  const char *ident = elf ? elf_getident(elf, nullptr) : nullptr;
  return ident ? ident[EI_DATA] : ELFDATANONE;
}

/// The section called `name` of the ELF file `dw` was read from (its
/// header in `sh`), or null.
inline Elf_Scn *sectionNamed(Dwarf *dw, const char *name, GElf_Shdr &sh) {
  Elf *elf = dw ? dwarf_getelf(dw) : nullptr;
  size_t shstrndx = 0;
  if (!elf || elf_getshdrstrndx(elf, &shstrndx) != 0)
    return nullptr;
  for (Elf_Scn *scn = elf_nextscn(elf, nullptr); scn; scn = elf_nextscn(elf, scn)) {
    const char *n = gelf_getshdr(scn, &sh) ? elf_strptr(elf, shstrndx, sh.sh_name) : nullptr;
    if (n && std::strcmp(n, name) == 0)
      return scn;
  }
  return nullptr;
}

/// libdw computes a DIE's abbreviation lazily (`abbrev` is NULL until then):
/// it reads the code at the DIE and finds it in the unit's hash table behind
/// a reader-writer lock, for every DIE dwarf_child, dwarf_siblingof and
/// dwarf_formref_die return. That lock pair was ~9% of a vmlinux run. The
/// pointer libdw would find is the same for every DIE of the unit with that
/// code, so after libdw has found it once it is filled in from here.
/// Only DIEs of the unit given to reset() are primed; others, and malformed
/// codes, are left to libdw (and its errors).
class AbbrevCache {
public:
  /// One past the last byte of the unit whose DIE is `cuDie`, from the
  /// initial length in its header (libdw checked it when it read the unit),
  /// read in the file's byte order. Offsets are the unit's header and DIE
  /// offsets in their section.
  static const unsigned char *unitEnd(const Dwarf_Die &cuDie, uint64_t headerOffset,
                                      uint64_t dieOffset) {
    const unsigned char *section = static_cast<const unsigned char *>(cuDie.addr) - dieOffset;
    const unsigned char *header = section + headerOffset;
    const bool big = elfDataOf(cuDie.cu) == ELFDATA2MSB;
    const uint64_t len32 = readFixed(header, 4, big);
    if (len32 == 0xffffffff)
      return header + 12 + readFixed(header + 4, 8, big);
    return header + 4 + len32;
  }

  /// For the DIEs of `cu`, whose data ends at `end` (one past the unit).
  void reset(Dwarf_CU *cu, const unsigned char *end) {
    cu_ = cu;
    end_ = end;
    byCode_.clear();
  }

  void prime(Dwarf_Die &d) {
    if (d.abbrev || d.cu != cu_ || !cu_)
      return;
    const unsigned char *start = static_cast<const unsigned char *>(d.addr);
    const unsigned char *p = start;
    uint64_t code = 0;
    if (!readUleb(p, end_, code) || p - start > 5) // longer codes are left to libdw
      return;
    if (code < byCode_.size() && byCode_[code]) {
      d.abbrev = byCode_[code];
      return;
    }
    // First DIE with this code: libdw finds it (dwarf_tag fills `abbrev`).
    if (dwarf_tag(&d) < 0 || !d.abbrev || d.abbrev == DWARF_END_ABBREV || code >= kMaxCode)
      return;
    if (code >= byCode_.size())
      byCode_.resize(code + 1, nullptr);
    byCode_[code] = d.abbrev;
  }

private:
  // Codes are small and dense in practice; larger ones are simply not cached.
  static constexpr uint64_t kMaxCode = 1 << 16;
  Dwarf_CU *cu_ = nullptr;
  const unsigned char *end_ = nullptr;
  std::vector<Dwarf_Abbrev *> byCode_;
};

} // namespace d2b::dwarf
