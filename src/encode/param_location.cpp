#include "dwarf2btf/encode/param_location.h"

#include <cstring>
#include <dwarf.h>

namespace d2b::encode {

namespace {

bool isReg(unsigned atom) { return atom >= DW_OP_reg0 && atom <= DW_OP_reg31; }
bool isBreg(unsigned atom) { return atom >= DW_OP_breg0 && atom <= DW_OP_breg31; }
bool isConst(unsigned atom) {
  return (atom >= DW_OP_lit0 && atom <= DW_OP_lit31) || atom == DW_OP_constu ||
         atom == DW_OP_consts;
}

/// pahole's get_type_byte_size: pointers are a word; otherwise the first
/// DW_AT_byte_size along the DW_AT_type chain (through the abstract origin).
uint64_t typeByteSize(Dwarf_Die *param, uint8_t addressSize) {
  Dwarf_Attribute a;
  Dwarf_Die t;
  if (!dwarf_attr_integrate(param, DW_AT_type, &a) || !dwarf_formref_die(&a, &t))
    return 0;
  for (int depth = 0; depth < 32; ++depth) {
    if (dwarf_tag(&t) == DW_TAG_pointer_type)
      return addressSize;
    Dwarf_Word size;
    if (dwarf_attr(&t, DW_AT_byte_size, &a) && dwarf_formudata(&a, &size) == 0 && size)
      return size;
    if (!dwarf_attr(&t, DW_AT_type, &a) || !dwarf_formref_die(&a, &t))
      return 0;
  }
  return 0;
}

struct Decoder {
  const CallAbi &abi;
  uint64_t size;
  int reg = -1;

  void set(int r) {
    if (reg < 0)
      reg = r;
  }

  /// An expression of several operations (pahole's parameter__multi_exprs).
  void multi(const Dwarf_Op *ops, size_t n, bool first) {
    if (isConst(ops[0].atom))
      return;
    if (size <= abi.addressSize || !abi.aggregatesUseTwoRegs) {
      if (isReg(ops[0].atom) && first)
        set(ops[0].atom - DW_OP_reg0);
      if (isBreg(ops[0].atom) && first)
        for (size_t i = 1; i < n; ++i)
          if (ops[i].atom == DW_OP_stack_value) {
            set(ops[0].atom - DW_OP_breg0);
            break;
          }
      return;
    }
    // An aggregate in pieces: the register holding its first word, or else
    // the first register piece. pahole applies this to every list entry.
    uint64_t off = 0;
    for (size_t i = 0; i < n; ++i) {
      if (ops[i].atom == DW_OP_piece) {
        off = i == 0 ? ops[i].number : off + ops[i].number;
      } else if (isReg(ops[i].atom) && (off < abi.addressSize || reg < 0)) {
        set(ops[i].atom - DW_OP_reg0);
      }
    }
  }

  /// One list entry; subReg(op) is the register N of a DW_OP_entry_value
  /// whose sub-expression is DW_OP_regN alone, else -1.
  template <class SubReg> void entry(const Dwarf_Op *ops, size_t n, bool first, SubReg &&subReg) {
    if (n == 0)
      return;
    const bool stackValue = ops[n - 1].atom == DW_OP_stack_value;
    if (n == 2 && stackValue)
      n = 1;
    if (n != 1) {
      multi(ops, n, first);
      return;
    }
    const unsigned atom = ops[0].atom;
    if (isReg(atom) && first) {
      set(atom - DW_OP_reg0);
    } else if (isBreg(atom) && first && stackValue) {
      set(atom - DW_OP_breg0);
    } else if (atom == DW_OP_entry_value || atom == DW_OP_GNU_entry_value) {
      if (int r = subReg(ops[0]); r >= 0)
        set(r);
    }
  }
};

} // namespace

void decodeParamLocation(Dwarf_Die *param, const CallAbi &abi, model::ParamRecord &out,
                         dwarf::LocationReader *reader, dwarf::LocationList *scratch) {
  out.dwarfReg = -1;
  Dwarf_Attribute loc;
  if (!dwarf_attr(param, DW_AT_location, &loc)) {
    out.location = dwarf_hasattr(param, DW_AT_const_value) ? model::ParamLocation::ConstValue
                                                           : model::ParamLocation::Unknown;
    return;
  }
  Decoder d{abi, typeByteSize(param, abi.addressSize)};
  if (reader && scratch && reader->read(loc, *scratch) == dwarf::LocationReader::Status::Read) {
    auto subReg = [](const Dwarf_Op &op) {
      return op.number2 == 1 && isReg(unsigned(op.offset)) ? int(op.offset - DW_OP_reg0) : -1;
    };
    for (size_t e = 0; e < scratch->entries(); ++e) {
      std::span<const Dwarf_Op> ops = scratch->entry(e);
      d.entry(ops.data(), ops.size(), e == 0, subReg);
    }
  } else {
    auto subReg = [&](const Dwarf_Op &op) {
      Dwarf_Attribute sub;
      Dwarf_Op *subOps;
      size_t subN;
      if (dwarf_getlocation_attr(&loc, const_cast<Dwarf_Op *>(&op), &sub) == 0 &&
          dwarf_getlocation(&sub, &subOps, &subN) == 0 && subN == 1 && isReg(subOps[0].atom))
        return int(subOps[0].atom - DW_OP_reg0);
      return -1;
    };
    Dwarf_Addr base, start, end;
    Dwarf_Op *ops;
    size_t n;
    bool first = true;
    for (ptrdiff_t off = 0;
         (off = dwarf_getlocations(&loc, off, &base, &start, &end, &ops, &n)) > 0; first = false)
      d.entry(ops, n, first, subReg);
  }
  out.location = d.reg >= 0 ? model::ParamLocation::Register : model::ParamLocation::Other;
  out.dwarfReg = d.reg;
}

bool producedByClang(Dwarf_Die *unitDie) {
  Dwarf_Attribute a;
  const char *producer = dwarf_attr(unitDie, DW_AT_producer, &a) ? dwarf_formstring(&a) : nullptr;
  return producer && std::strstr(producer, "clang");
}

} // namespace d2b::encode
