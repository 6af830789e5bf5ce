#include "die_scanner.h"

#include <libelf.h>

namespace d2b::dwarf {

namespace {

constexpr int kVariable = -1;
constexpr int kUnhandled = -2;

// GNU extensions libdw knows (DWARF 4 split units and dwz).
constexpr unsigned kFormGnuAddrIndex = 0x1f01;
constexpr unsigned kFormGnuStrIndex = 0x1f02;
constexpr unsigned kFormGnuRefAlt = 0x1f20;
constexpr unsigned kFormGnuStrpAlt = 0x1f21;

} // namespace

bool DieScanner::reset(const Dwarf_Die &cuDie, uint64_t headerOffset, uint64_t dieOffset,
                       const unsigned char *end, AbbrevCache &abbrevs) {
  cu_ = nullptr;
  memoDie_ = nullptr;
  str_ = nullptr;
  strSize_ = 0;
  abbrevs_ = &abbrevs;
  first_ = static_cast<const unsigned char *>(cuDie.addr);
  section_ = first_ - dieOffset;
  unit_ = section_ + headerOffset;
  end_ = end;
  byCode_.clear();
  tracked_.clear();
  names_.clear();
  forms_.clear();
  sizes_.clear();
  implicit_.clear();
  Dwarf_Half version = 0;
  uint8_t unitType = 0, addressSize = 0, offsetSize = 0;
  if (!cuDie.cu || dwarf_cu_info(cuDie.cu, &version, &unitType, nullptr, nullptr, nullptr,
                                 &addressSize, &offsetSize) != 0)
    return false;
  version_ = version;
  addressSize_ = addressSize;
  offsetSize_ = offsetSize;
  // Block lengths and DW_AT_sibling are read in the file's byte order.
  const int data = elfDataOf(cuDie.cu);
  if (data != ELFDATA2LSB && data != ELFDATA2MSB)
    return false;
  bigEndian_ = data == ELFDATA2MSB;
  if (!(offsetSize == 4 || offsetSize == 8) || !(addressSize == 4 || addressSize == 8) ||
      first_ >= end_)
    return false;
  cu_ = cuDie.cu;
  findStrings();
  return true;
}

void DieScanner::findStrings() {
  // libdw keeps the section's Elf_Data from elf_getdata; strp values are
  // offsets into it. Only used when it is the very buffer libdw answers
  // from (not a dwz alternate file, not a copy).
  str_ = nullptr;
  strSize_ = 0;
  Dwarf *dbg = dwarf_cu_getdwarf(cu_);
  GElf_Shdr sh;
  Elf_Scn *scn = sectionNamed(dbg, ".debug_str", sh);
  Elf_Data *d = scn ? elf_getdata(scn, nullptr) : nullptr;
  size_t len = 0;
  const char *first = d && d->d_size ? dwarf_getstring(dbg, 0, &len) : nullptr;
  if (first && first == d->d_buf) {
    str_ = first;
    strSize_ = d->d_size;
  }
}

int DieScanner::formSize(unsigned form) const {
  switch (form) {
  case DW_FORM_flag_present:
  case DW_FORM_implicit_const:
    return 0;
  case DW_FORM_data1:
  case DW_FORM_ref1:
  case DW_FORM_flag:
  case DW_FORM_strx1:
  case DW_FORM_addrx1:
    return 1;
  case DW_FORM_data2:
  case DW_FORM_ref2:
  case DW_FORM_strx2:
  case DW_FORM_addrx2:
    return 2;
  case DW_FORM_strx3:
  case DW_FORM_addrx3:
    return 3;
  case DW_FORM_data4:
  case DW_FORM_ref4:
  case DW_FORM_ref_sup4:
  case DW_FORM_strx4:
  case DW_FORM_addrx4:
    return 4;
  case DW_FORM_data8:
  case DW_FORM_ref8:
  case DW_FORM_ref_sig8:
  case DW_FORM_ref_sup8:
    return 8;
  case DW_FORM_data16:
    return 16;
  case DW_FORM_addr:
    return addressSize_;
  case DW_FORM_ref_addr:
    return version_ == 2 ? addressSize_ : offsetSize_;
  case DW_FORM_strp:
  case DW_FORM_line_strp:
  case DW_FORM_sec_offset:
  case DW_FORM_strp_sup:
  case kFormGnuRefAlt:
  case kFormGnuStrpAlt:
    return offsetSize_;
  case DW_FORM_udata:
  case DW_FORM_sdata:
  case DW_FORM_ref_udata:
  case DW_FORM_strx:
  case DW_FORM_addrx:
  case DW_FORM_loclistx:
  case DW_FORM_rnglistx:
  case kFormGnuAddrIndex:
  case kFormGnuStrIndex:
  case DW_FORM_string:
  case DW_FORM_block1:
  case DW_FORM_block2:
  case DW_FORM_block4:
  case DW_FORM_block:
  case DW_FORM_exprloc:
    return kVariable;
  default: // DW_FORM_indirect and forms libdw does not know either
    return kUnhandled;
  }
}

const DieScanner::Info *DieScanner::firstInfoFor(const unsigned char *die, uint64_t code) {
  if (code >= (1u << 16))
    return nullptr; // codes are small and dense in practice; leave the unit to libdw
  if (code >= byCode_.size())
    byCode_.resize(code + 1);
  // Until it is known to be readable, the code counts as refused (so a
  // refusal is decided once, not at every DIE with the code).
  byCode_[code].refused = true;
  Dwarf_Die d{};
  d.addr = const_cast<unsigned char *>(die);
  d.cu = cu_;
  abbrevs_->prime(d);
  if (!d.abbrev || d.abbrev == DWARF_END_ABBREV)
    return nullptr;
  Info info;
  info.lib = d.abbrev;
  info.tag = int(dwarf_getabbrevtag(d.abbrev));
  info.children = dwarf_abbrevhaschildren(d.abbrev) > 0;
  info.first = uint32_t(forms_.size());
  info.fixed = true;
  auto refuse = [&]() -> const Info * {
    names_.resize(info.first);
    forms_.resize(info.first);
    sizes_.resize(info.first);
    implicit_.resize(info.first);
    return nullptr;
  };
  // elfutils 0.188's dwarf_getattrcnt counts the terminating pair too, so
  // the list ends where dwarf_getabbrevattr_data finds no attribute.
  for (size_t i = 0;; ++i) {
    unsigned name = 0, form = 0;
    Dwarf_Sword data = 0;
    if (dwarf_getabbrevattr_data(d.abbrev, i, &name, &form, &data, nullptr) != 0)
      break;
    const int size = formSize(form);
    if (size == kUnhandled || name > 0xffff)
      return refuse();
    if (name == DW_AT_signature)
      info.signature = true;
    if (name == DW_AT_sibling) {
      if (info.sibling >= 0)
        return refuse(); // which one would libdw follow? leave it to libdw
      info.sibling = int32_t(i);
      info.siblingOffset = info.fixedSize;
    }
    if (size == kVariable)
      info.fixed = false;
    else
      info.fixedSize += uint32_t(size);
    names_.push_back(uint16_t(name));
    forms_.push_back(uint16_t(form));
    sizes_.push_back(int8_t(size));
    implicit_.push_back(form == DW_FORM_implicit_const ? int64_t(data) : 0);
    ++info.count;
  }
  if (info.fixed && classify_)
    listTracked(info);
  byCode_[code] = info;
  return &byCode_[code];
}

void DieScanner::listTracked(Info &info) {
  info.firstTracked = uint32_t(tracked_.size());
  uint32_t seen = 0; // slots listed
  uint32_t offset = 0;
  for (uint32_t i = 0; i < info.count; ++i) {
    const unsigned name = names_[info.first + i];
    const int slot = classify_(name);
    if (slot >= 0 && slot < 32 && !(seen & (1u << slot))) {
      if (offset > UINT16_MAX) { // not in practice; read such DIEs value by value
        tracked_.resize(info.firstTracked);
        return;
      }
      seen |= 1u << slot;
      tracked_.push_back({uint16_t(name), forms_[info.first + i], uint16_t(offset), int8_t(slot)});
    }
    offset += uint32_t(sizes_[info.first + i]);
  }
  info.trackedCount = uint32_t(tracked_.size()) - info.firstTracked;
  info.hasTracked = true;
}

const unsigned char *DieScanner::skipVariable(unsigned form, const unsigned char *p) const {
  uint64_t len = 0;
  switch (form) {
  case DW_FORM_string: {
    const void *nul = std::memchr(p, 0, size_t(end_ - p));
    return nul ? static_cast<const unsigned char *>(nul) + 1 : nullptr;
  }
  case DW_FORM_block1:
  case DW_FORM_block2:
  case DW_FORM_block4: {
    const int width = form == DW_FORM_block1 ? 1 : form == DW_FORM_block2 ? 2 : 4;
    if (end_ - p < width)
      return nullptr;
    len = readFixed(p, unsigned(width), bigEndian_);
    p += width;
    break;
  }
  case DW_FORM_block:
  case DW_FORM_exprloc:
    if (!readUleb(p, end_, len))
      return nullptr;
    break;
  default: // LEB128 values
    return readUleb(p, end_, len) ? p : nullptr;
  }
  return uint64_t(end_ - p) >= len ? p + len : nullptr;
}

const unsigned char *DieScanner::skipValues(const Info &info, const unsigned char *p,
                                            const unsigned char *&sibling) const {
  sibling = nullptr;
  if (info.fixed) {
    // Most DIEs with children (structs, enums, prototypes) carry
    // DW_AT_sibling among fixed-size values: read it where it sits.
    if (size_t(end_ - p) < info.fixedSize)
      return nullptr;
    if (info.sibling >= 0) {
      const unsigned form = forms_[info.first + uint32_t(info.sibling)];
      if (form != DW_FORM_ref1 && form != DW_FORM_ref2 && form != DW_FORM_ref4 &&
          form != DW_FORM_ref8)
        return nullptr; // not a unit-relative reference: leave it to libdw
      const uint64_t v =
          readFixed(p + info.siblingOffset, unsigned(sizes_[info.first + uint32_t(info.sibling)]),
                    bigEndian_);
      if (v >= uint64_t(end_ - unit_))
        return nullptr;
      sibling = unit_ + v;
    }
    return p + info.fixedSize;
  }
  const uint16_t *forms = forms_.data() + info.first;
  const int8_t *sizes = sizes_.data() + info.first;
  for (uint32_t i = 0; i < info.count; ++i) {
    const unsigned form = forms[i];
    const unsigned char *next = skipValue(sizes[i], form, p);
    if (!next)
      return nullptr;
    if (int32_t(i) == info.sibling) {
      uint64_t v = 0;
      const unsigned char *q = p;
      switch (form) {
      case DW_FORM_ref1:
      case DW_FORM_ref2:
      case DW_FORM_ref4:
      case DW_FORM_ref8:
        v = readFixed(p, unsigned(next - p), bigEndian_);
        break;
      case DW_FORM_ref_udata:
        readUleb(q, end_, v);
        break;
      default: // not a unit-relative reference: leave it to libdw
        return nullptr;
      }
      if (v >= uint64_t(end_ - unit_))
        return nullptr;
      sibling = unit_ + v;
    }
    p = next;
  }
  return p;
}

const unsigned char *DieScanner::refTarget(unsigned form, const unsigned char *valp) const {
  uint64_t v = 0;
  switch (form) {
  case DW_FORM_ref1:
    v = *valp;
    break;
  case DW_FORM_ref2:
    v = readFixed(valp, 2, bigEndian_);
    break;
  case DW_FORM_ref4:
    v = readFixed(valp, 4, bigEndian_);
    break;
  case DW_FORM_ref8:
    v = readFixed(valp, 8, bigEndian_);
    break;
  case DW_FORM_ref_udata:
    if (!readUleb(valp, end_, v))
      return nullptr;
    break;
  default:
    return nullptr;
  }
  // libdw accepts any offset inside the unit, header included; only DIEs
  // from the unit DIE on are answered here.
  if (!cu_ || v < uint64_t(first_ - unit_) || v >= uint64_t(end_ - unit_))
    return nullptr;
  return unit_ + v;
}

const DieScanner::Info *DieScanner::codeInfo(const unsigned char *die,
                                             const unsigned char *&values) {
  if (!cu_ || die < first_ || die >= end_)
    return nullptr;
  const unsigned char *p = die;
  uint64_t code;
  if (!readUleb(p, end_, code) || code == 0)
    return nullptr;
  values = p;
  return infoFor(die, code);
}

const DieScanner::Info *DieScanner::infoOfDie(const unsigned char *die) {
  const unsigned char *values;
  return codeInfo(die, values);
}

const DieScanner::Info *DieScanner::valuesOf(const Dwarf_Die &d, const unsigned char *&end,
                                             const unsigned char *&sibling) {
  sibling = nullptr;
  if (d.addr == memoDie_ && memoDie_ && d.cu == cu_ && memoCode_ < byCode_.size()) {
    const Info &info = byCode_[memoCode_];
    if (info.lib && info.sibling < 0 && (!d.abbrev || d.abbrev == info.lib)) {
      end = memoEnd_;
      return &info;
    }
  }
  const unsigned char *p;
  const Info *info = infoAt(d, p);
  if (!info || !(end = skipValues(*info, p, sibling)))
    return nullptr;
  return info;
}

void DieScanner::dieAt(const unsigned char *p, Dwarf_Die &out) {
  out = Dwarf_Die{};
  out.addr = const_cast<unsigned char *>(p);
  out.cu = cu_;
  if (const Info *next = infoOfDie(p))
    out.abbrev = next->lib;
}

const DieScanner::Info *DieScanner::infoAt(const Dwarf_Die &d, const unsigned char *&values) {
  if (d.cu != cu_)
    return nullptr;
  const Info *info = codeInfo(static_cast<const unsigned char *>(d.addr), values);
  if (!info || (d.abbrev && d.abbrev != info->lib))
    return nullptr;
  return info;
}

DieScanner::Sibling DieScanner::siblingOf(const Dwarf_Die &d, Dwarf_Die &out) {
  const unsigned char *p, *sibling;
  const Info *info = valuesOf(d, p, sibling);
  if (!info)
    return Sibling::Unknown;
  // libdw follows DW_AT_sibling whether or not the DIE has children, and
  // rejects one that does not point past the DIE's start.
  if (sibling) {
    if (sibling <= static_cast<const unsigned char *>(d.addr))
      return Sibling::Unknown;
    p = sibling;
  } else if (info->children) {
    return Sibling::Unknown; // libdw reads the subtree
  }
  if (p >= end_ || *p == 0)
    return Sibling::None;
  dieAt(p, out);
  return Sibling::Found;
}

DieScanner::Sibling DieScanner::firstChild(const Dwarf_Die &d, Dwarf_Die &out) {
  const unsigned char *p, *sibling;
  const Info *info = valuesOf(d, p, sibling);
  if (!info)
    return Sibling::Unknown;
  if (!info->children)
    return Sibling::None;
  // An empty list is a null entry; libdw also reads a padded null (0x80
  // 0x00) as one, and copes with a list cut off by the unit's end.
  if (p >= end_ || *p == 0x80)
    return Sibling::Unknown;
  if (*p == 0)
    return Sibling::None;
  dieAt(p, out);
  return Sibling::Found;
}

} // namespace d2b::dwarf
