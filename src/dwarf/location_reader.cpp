#include "dwarf2btf/dwarf/location_reader.h"

#include "abbrev_cache.h"

#include <cstring>
#include <dwarf.h>
#include <elfutils/libdw.h>
#include <gelf.h>
#include <string_view>

// Each check below answers what libdw 0.188 does with the same bytes:
// "Invalid" where libdw's decoder fails (dwarf_getlocations then ends the
// list), "Unsupported" where the answer would depend on libdw internals this
// reader does not model (the caller then asks libdw itself). The equivalence
// is tested operation by operation against libdw (location_reader_test).

namespace d2b::dwarf {

namespace {

bool isDebugSectionName(std::string_view n) {
  return n.starts_with(".debug_") || n.starts_with(".zdebug_") || n.starts_with(".gnu.debuglto_");
}

/// What follows an operation's opcode, as libdw 0.188 decodes it.
enum class Operand : uint8_t {
  None,
  Address, // address_size bytes
  U1,      // U1 .. U8 in this order (fixed() sizes them by position)
  S1,
  U2,
  S2,
  U4,
  S4,
  U8,
  Uleb,
  Sleb,
  UlebUleb,
  UlebSleb,
  Block,      // ULEB length, then that many bytes
  EntryValue, // Block holding a sub-expression
  ByteUleb,
  UlebBlock1, // ULEB, then a one-byte length and that many bytes
  // DW_OP_call_ref, DW_OP_implicit_pointer and DW_OP_GNU_variable_value are
  // checked against .debug_info by libdw; unknown operations fail there.
  // Either way: libdw's call.
  Unknown,
};

Operand operandOf(unsigned atom) {
  if ((atom >= DW_OP_lit0 && atom <= DW_OP_lit31) || (atom >= DW_OP_reg0 && atom <= DW_OP_reg31))
    return Operand::None;
  if (atom >= DW_OP_breg0 && atom <= DW_OP_breg31)
    return Operand::Sleb;
  switch (atom) {
  case DW_OP_deref:
  case DW_OP_dup:
  case DW_OP_drop:
  case DW_OP_over:
  case DW_OP_swap:
  case DW_OP_rot:
  case DW_OP_xderef:
  case DW_OP_abs:
  case DW_OP_and:
  case DW_OP_div:
  case DW_OP_minus:
  case DW_OP_mod:
  case DW_OP_mul:
  case DW_OP_neg:
  case DW_OP_not:
  case DW_OP_or:
  case DW_OP_plus:
  case DW_OP_shl:
  case DW_OP_shr:
  case DW_OP_shra:
  case DW_OP_xor:
  case DW_OP_eq:
  case DW_OP_ge:
  case DW_OP_gt:
  case DW_OP_le:
  case DW_OP_lt:
  case DW_OP_ne:
  case DW_OP_nop:
  case DW_OP_push_object_address:
  case DW_OP_call_frame_cfa:
  case DW_OP_form_tls_address:
  case DW_OP_GNU_push_tls_address:
  case DW_OP_stack_value:
    return Operand::None;
  case DW_OP_addr:
    return Operand::Address;
  case DW_OP_const1u:
  case DW_OP_pick:
  case DW_OP_deref_size:
  case DW_OP_xderef_size:
    return Operand::U1;
  case DW_OP_const1s:
    return Operand::S1;
  case DW_OP_const2u:
    return Operand::U2;
  case DW_OP_const2s:
  case DW_OP_skip:
  case DW_OP_bra:
  case DW_OP_call2:
    return Operand::S2;
  case DW_OP_const4u:
    return Operand::U4;
  case DW_OP_const4s:
  case DW_OP_call4:
  case DW_OP_GNU_parameter_ref:
    return Operand::S4;
  case DW_OP_const8u:
  case DW_OP_const8s:
    return Operand::U8;
  case DW_OP_constu:
  case DW_OP_plus_uconst:
  case DW_OP_regx:
  case DW_OP_piece:
  case DW_OP_convert:
  case DW_OP_GNU_convert:
  case DW_OP_reinterpret:
  case DW_OP_GNU_reinterpret:
  case DW_OP_addrx:
  case DW_OP_GNU_addr_index:
  case DW_OP_constx:
  case DW_OP_GNU_const_index:
    return Operand::Uleb;
  case DW_OP_consts:
  case DW_OP_fbreg:
    return Operand::Sleb;
  case DW_OP_bregx:
    return Operand::UlebSleb;
  case DW_OP_bit_piece:
  case DW_OP_regval_type:
  case DW_OP_GNU_regval_type:
    return Operand::UlebUleb;
  case DW_OP_implicit_value:
    return Operand::Block;
  case DW_OP_entry_value:
  case DW_OP_GNU_entry_value:
    return Operand::EntryValue;
  case DW_OP_deref_type:
  case DW_OP_GNU_deref_type:
  case DW_OP_xderef_type:
    return Operand::ByteUleb;
  case DW_OP_const_type:
  case DW_OP_GNU_const_type:
    return Operand::UlebBlock1;
  default:
    return Operand::Unknown;
  }
}

} // namespace

LocationReader::LocationReader(Dwarf_Die &unitDie, uint64_t headerOffset)
    : unitDie_(unitDie), headerOffset_(headerOffset) {}

bool LocationReader::setUp() {
  state_ = -1;
  uint64_t unitId = 0;
  Dwarf_Die cudie;
  if (dwarf_cu_info(unitDie_.cu, &version_, &unitType_, &cudie, nullptr, &unitId, &addressSize_,
                    &offsetSize_) != 0)
    return false;
  // Split units read their lists through their skeleton: libdw's business.
  if (unitType_ != DW_UT_compile && unitType_ != DW_UT_partial && unitType_ != DW_UT_type)
    return false;
  if (addressSize_ != 4 && addressSize_ != 8)
    return false;
  const int data = elfDataOf(unitDie_.cu);
  if (data != ELFDATA2LSB && data != ELFDATA2MSB)
    return false;
  bigEndian_ = data == ELFDATA2MSB;
  if (offsetSize_ != 4 && offsetSize_ != 8)
    return false;
  // libdw's end of this unit in its .debug_info buffer: dwarf_formblock
  // measures exprloc blocks against it.
  const uint64_t dieOffset = dwarf_dieoffset(&unitDie_);
  if (dieOffset < headerOffset_ || !unitDie_.addr)
    return false;
  unitEnd_ = AbbrevCache::unitEnd(unitDie_, headerOffset_, dieOffset);

  Elf *elf = dwarf_getelf(dwarf_cu_getdwarf(unitDie_.cu));
  size_t shstrndx = 0;
  if (!elf || elf_getshdrstrndx(elf, &shstrndx) != 0)
    return false;
  int seen[3] = {0, 0, 0};
  for (Elf_Scn *scn = elf_nextscn(elf, nullptr); scn; scn = elf_nextscn(elf, scn)) {
    GElf_Shdr sh;
    if (!gelf_getshdr(scn, &sh))
      return false;
    const char *cname = elf_strptr(elf, shstrndx, sh.sh_name);
    if (!cname)
      return false;
    const std::string_view name(cname);
    if (!isDebugSectionName(name))
      continue;
    // Compressed-by-name, LTO and split-DWARF sections, and section groups,
    // change which sections libdw picks: not modelled.
    if (!name.starts_with(".debug_") || name.ends_with(".dwo") || (sh.sh_flags & SHF_GROUP))
      return false;
    Section *target = nullptr;
    int which = 0;
    if (name == ".debug_loc")
      target = &loc_, which = 0;
    else if (name == ".debug_loclists")
      target = &loclists_, which = 1;
    else if (name == ".debug_addr")
      target = &addr_, which = 2;
    else
      continue;
    if (++seen[which] > 1 || (sh.sh_flags & SHF_COMPRESSED))
      return false;
    if (sh.sh_type == SHT_NOBITS)
      continue; // libdw ignores it too
    // libdw opened the handle, so this is the (decompressed, relocated)
    // buffer it reads.
    Elf_Data *d = elf_getdata(scn, nullptr);
    if (!d)
      return false;
    if (d->d_buf && d->d_size) {
      target->data = static_cast<const unsigned char *>(d->d_buf);
      target->size = d->d_size;
    }
  }
  state_ = 1;
  return true;
}

bool LocationReader::loclistsBase(uint64_t &base) {
  if (locsBase_ < 0) {
    uint64_t off = 0;
    Dwarf_Attribute a;
    Dwarf_Word w;
    if (dwarf_attr(&unitDie_, DW_AT_loclists_base, &a) && dwarf_formudata(&a, &w) == 0)
      off = w;
    // Without the attribute libdw takes the offset table of the section's
    // first header, when that header is well formed.
    if (off == 0 && loclists_.data) {
      const unsigned char *p = loclists_.data, *end = p + loclists_.size;
      if (loclists_.size < 4)
        return false; // libdw reads the length unchecked
      uint64_t unitLength = readFixed(p, 4, bigEndian_);
      p += 4;
      unsigned osize = 4;
      bool ok = true;
      if (unitLength == 0xffffffff) {
        if (p > end - 8) {
          ok = false;
        } else {
          unitLength = readFixed(p, 8, bigEndian_);
          p += 8;
          osize = 8;
        }
      }
      if (ok && (p > end - 8 || unitLength < 8 || unitLength > uint64_t(end - p)))
        ok = false;
      if (ok && readFixed(p, 2, bigEndian_) != 5)
        ok = false;
      if (ok && p[2] != 4 && p[2] != 8)
        ok = false;
      if (ok && p[3] != 0)
        ok = false;
      if (ok) {
        const uint64_t count = readFixed(p + 4, 4, bigEndian_);
        if (count == 0 || unitLength - 8 < count * osize)
          ok = false;
      }
      if (ok)
        off = uint64_t(p + 8 - loclists_.data);
    }
    locsBase_ = int64_t(off);
  }
  base = uint64_t(locsBase_);
  return true;
}

bool LocationReader::addrIndexOk(uint64_t index) {
  if (addrBase_ < 0) {
    uint64_t off = 0;
    Dwarf_Attribute a;
    Dwarf_Word w;
    if ((dwarf_attr(&unitDie_, DW_AT_GNU_addr_base, &a) ||
         dwarf_attr(&unitDie_, DW_AT_addr_base, &a)) &&
        dwarf_formudata(&a, &w) == 0)
      off = w;
    addrBase_ = int64_t(off);
  }
  const uint64_t base = uint64_t(addrBase_);
  if (!addr_.data || addressSize_ > addr_.size || base > addr_.size - addressSize_)
    return false;
  // Scaled as libdw scales it, wrapping included.
  return index * addressSize_ <= addr_.size - addressSize_ - base;
}

LocationReader::Expr LocationReader::subExpression(const unsigned char *valp, Dwarf_Op &op) {
  // dwarf_getlocation_attr makes an exprloc attribute of the block and
  // dwarf_getlocation reads it with dwarf_formblock, which bounds it by the
  // end of the data the list came from (subEnd_).
  op.number2 = LocationList::kSubInvalid;
  op.offset = 0;
  if (valp >= subEnd_)
    return Expr::Ok;
  const unsigned char *p = valp;
  uint64_t len;
  if (!readUleb(p, subEnd_, len))
    return Expr::Unsupported;
  if (len > size_t(subEnd_ - p))
    return Expr::Ok;
  scratch_.clear();
  switch (expression(p, len, scratch_, true)) {
  case Expr::Ok:
    op.number2 = scratch_.ops.size();
    op.offset = scratch_.ops.empty() ? 0 : scratch_.ops[0].atom;
    return Expr::Ok;
  case Expr::Invalid:
    return Expr::Ok; // libdw fails: no sub-expression
  case Expr::Unsupported:
    return Expr::Unsupported;
  }
  return Expr::Unsupported;
}

LocationReader::Expr LocationReader::expression(const unsigned char *p, size_t len,
                                                LocationList &out, bool nested) {
  const unsigned char *const end = p + len;
  while (p < end) {
    Dwarf_Op op{};
    op.atom = *p++;
    const Operand kind = operandOf(op.atom);
    // A fixed-size operand, sign-extended for the signed kinds.
    const auto fixed = [&](unsigned size, bool isSigned) {
      if (size_t(end - p) < size)
        return false;
      op.number = readFixed(p, size, bigEndian_);
      p += size;
      if (isSigned && size < 8 && (op.number >> (8 * size - 1)) & 1)
        op.number |= ~Dwarf_Word(0) << (8 * size);
      return true;
    };
    const auto leb = [&](Dwarf_Word &v, bool isSigned) {
      return isSigned ? readSleb(p, end, v) : readUleb(p, end, v);
    };
    switch (kind) {
    case Operand::None:
      break;
    case Operand::Address:
      if (!fixed(addressSize_, false))
        return Expr::Unsupported; // libdw reads it unchecked
      break;
    case Operand::U1:
    case Operand::S1:
    case Operand::U2:
    case Operand::S2:
    case Operand::U4:
    case Operand::S4:
    case Operand::U8: {
      static constexpr uint8_t kSize[] = {1, 1, 2, 2, 4, 4, 8};
      const unsigned i = unsigned(kind) - unsigned(Operand::U1);
      if (!fixed(kSize[i], i % 2 == 1 && kSize[i] < 8))
        return Expr::Invalid;
      break;
    }
    case Operand::Uleb:
    case Operand::Sleb:
      if (!leb(op.number, kind == Operand::Sleb))
        return Expr::Unsupported;
      break;
    case Operand::UlebUleb:
    case Operand::UlebSleb:
      if (!leb(op.number, false))
        return Expr::Unsupported;
      if (p >= end)
        return Expr::Invalid;
      if (!leb(op.number2, kind == Operand::UlebSleb))
        return Expr::Unsupported;
      break;
    case Operand::Block:
    case Operand::EntryValue: {
      const unsigned char *valp = p;
      if (!leb(op.number, false))
        return Expr::Unsupported;
      if (uint64_t(end - p) < op.number)
        return Expr::Invalid;
      p += op.number;
      if (kind == Operand::EntryValue && !nested && subExpression(valp, op) != Expr::Ok)
        return Expr::Unsupported;
      break;
    }
    case Operand::ByteUleb:
      if (size_t(end - p) < 2)
        return Expr::Invalid;
      op.number = *p++;
      if (!leb(op.number2, false))
        return Expr::Unsupported;
      break;
    case Operand::UlebBlock1: {
      if (!leb(op.number, false))
        return Expr::Unsupported;
      if (p >= end)
        return Expr::Invalid;
      const size_t size = *p++;
      if (size_t(end - p) < size)
        return Expr::Invalid;
      p += size;
      break;
    }
    case Operand::Unknown:
      return Expr::Unsupported;
    }
    out.ops.push_back(op);
  }
  return Expr::Ok;
}

LocationReader::Status LocationReader::read(Dwarf_Attribute &attr, LocationList &out) {
  out.clear();
  if (state_ == 0)
    setUp();
  if (state_ < 0 || attr.cu != unitDie_.cu)
    return Status::Unsupported;
  const unsigned form = dwarf_whatform(&attr);
  const auto closeEntry = [&] { out.ends.push_back(uint32_t(out.ops.size())); };

  if (form == DW_FORM_exprloc || form == DW_FORM_block1 || form == DW_FORM_block2 ||
      form == DW_FORM_block4 || form == DW_FORM_block) {
    // attr_ok refuses plain blocks from DWARF 4 on.
    if (form != DW_FORM_exprloc && version_ >= 4)
      return Status::Read;
    Dwarf_Block b;
    if (dwarf_formblock(&attr, &b) != 0)
      return Status::Unsupported;
    subEnd_ = unitEnd_;
    if (b.length == 0) {
      closeEntry();
      return Status::Read;
    }
    switch (expression(b.data, b.length, out, false)) {
    case Expr::Ok:
      closeEntry();
      return Status::Read;
    case Expr::Invalid:
      out.clear();
      return Status::Read;
    case Expr::Unsupported:
      return Status::Unsupported;
    }
    return Status::Unsupported;
  }
  if (form != DW_FORM_sec_offset && form != DW_FORM_loclistx)
    return Status::Unsupported;

  // libdw takes the unit's base address first and gives up when it cannot.
  if (baseOk_ < 0) {
    Dwarf_Addr base = 0;
    Dwarf_Attribute a;
    if (dwarf_lowpc(&unitDie_, &base) != 0 &&
        dwarf_formaddr(dwarf_attr(&unitDie_, DW_AT_entry_pc, &a), &base) != 0)
      base = 0;
    baseOk_ = base != Dwarf_Addr(-1);
  }
  if (!baseOk_)
    return Status::Read;

  const bool v5 = version_ >= 5;
  const Section &sec = v5 ? loclists_ : loc_;
  uint64_t start = 0;
  if (form == DW_FORM_loclistx) {
    if (!v5 || !sec.data)
      return Status::Unsupported;
    Dwarf_Word index;
    if (dwarf_formudata(&attr, &index) != 0)
      return Status::Unsupported;
    uint64_t base;
    if (!loclistsBase(base))
      return Status::Unsupported;
    if (offsetSize_ > sec.size || base > sec.size - offsetSize_ ||
        index > (sec.size - offsetSize_ - base) / offsetSize_)
      return Status::Read; // libdw: invalid offset, nothing listed
    start = readFixed(sec.data + base + index * offsetSize_, offsetSize_, bigEndian_) + base;
  } else {
    Dwarf_Word off;
    if (!sec.data || dwarf_formudata(&attr, &off) != 0)
      return Status::Unsupported;
    start = off;
  }
  if (start > sec.size)
    return Status::Unsupported;

  const unsigned char *p = sec.data + start, *const end = sec.data + sec.size;
  subEnd_ = end;
  const unsigned width = addressSize_;
  for (;;) {
    // One entry: 0 a location, 1 a base address, 2 the list's end.
    int kind;
    if (!v5) {
      if (size_t(end - p) < 2 * width)
        return Status::Read;
      const uint64_t begin = readFixed(p, width, bigEndian_),
                     stop = readFixed(p + width, width, bigEndian_);
      p += 2 * width;
      const uint64_t escape = width == 8 ? ~uint64_t(0) : 0xffffffffu;
      if (begin == escape) {
        if (stop == escape)
          return Status::Read;
        kind = 1;
      } else {
        kind = begin == 0 && stop == 0 ? 2 : 0;
      }
    } else {
      if (p >= end)
        return Status::Read;
      const unsigned code = *p++;
      uint64_t v;
      auto leb = [&]() {
        if (p >= end)
          return false;
        return readUleb(p, end, v);
      };
      switch (code) {
      case DW_LLE_end_of_list:
        kind = 2;
        break;
      case DW_LLE_base_addressx:
        if (p >= end)
          return Status::Read;
        if (!leb())
          return Status::Unsupported;
        if (!addrIndexOk(v))
          return Status::Read;
        kind = 1;
        break;
      case DW_LLE_startx_endx:
      case DW_LLE_startx_length:
        if (p >= end)
          return Status::Read;
        if (!leb())
          return Status::Unsupported;
        if (!addrIndexOk(v))
          return Status::Read;
        if (p >= end)
          return Status::Read;
        if (!leb())
          return Status::Unsupported;
        if (code == DW_LLE_startx_endx && !addrIndexOk(v))
          return Status::Read;
        kind = 0;
        break;
      case DW_LLE_offset_pair:
        for (int i = 0; i < 2; ++i) {
          if (p >= end)
            return Status::Read;
          if (!leb())
            return Status::Unsupported;
        }
        kind = 0;
        break;
      case DW_LLE_default_location:
        kind = 0;
        break;
      case DW_LLE_base_address:
        if (size_t(end - p) < width)
          return Status::Read;
        p += width;
        kind = 1;
        break;
      case DW_LLE_start_end:
        if (size_t(end - p) < 2 * width)
          return Status::Read;
        p += 2 * width;
        kind = 0;
        break;
      case DW_LLE_start_length:
        if (size_t(end - p) < width)
          return Status::Read;
        p += width;
        if (p >= end)
          return Status::Read;
        if (!leb())
          return Status::Unsupported;
        kind = 0;
        break;
      default:
        return Status::Read;
      }
    }
    if (kind == 2)
      return Status::Read;
    if (kind == 1)
      continue;
    uint64_t len;
    if (!v5) {
      if (end - p < 2)
        return Status::Read;
      len = readFixed(p, 2, bigEndian_);
      p += 2;
    } else {
      if (end - p < 1)
        return Status::Read;
      if (!readUleb(p, end, len))
        return Status::Unsupported;
    }
    if (uint64_t(end - p) < len)
      return Status::Read;
    const unsigned char *block = p;
    p += len;
    if (len == 0) {
      closeEntry();
      continue;
    }
    const size_t mark = out.ops.size();
    switch (expression(block, len, out, false)) {
    case Expr::Ok:
      closeEntry();
      break;
    case Expr::Invalid:
      out.ops.resize(mark);
      return Status::Read;
    case Expr::Unsupported:
      return Status::Unsupported;
    }
  }
}

} // namespace d2b::dwarf
