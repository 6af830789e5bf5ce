// Member rules applied during the resolve pass, once a member's type is
// resolved (the kernel's per-kind check_member / check_kflag_member). Which
// rule applies depends on the kind of the member's type as written; a
// modifier is looked through and the rule of the type it resolves to runs
// with the member's type id replaced, which is what the kernel then logs.
//
// Struct sizes and offsets are u32 and the kernel compares them with u32
// arithmetic, so the subtractions below wrap exactly as the kernel's do.
#include <algorithm>

#include "checker.h"

namespace d2b::validate::detail {

namespace {

uint32_t roundupBytes(uint32_t bits) { return (bits >> 3) + ((bits & 7) != 0); }

bool intIsRegular(const uint32_t *t) {
  const uint32_t data = tailOf(t)[0];
  const uint32_t bits = btf::intBits(data);
  const uint32_t bytes = roundupBytes(bits);
  return (bits & 7) == 0 && btf::intOffset(data) == 0 && bytes && bytes <= 16 &&
         !(bytes & (bytes - 1));
}

} // namespace

int Checker::checkMember(const uint32_t *st, const MemberRef &m, const uint32_t *mt,
                         bool kflagRules) {
  switch (kindOf(mt)) {
  case btf::Kind::Int:
    return kflagRules ? intKflagMember(st, m, mt) : intMember(st, m, mt);
  case btf::Kind::Enum:
  case btf::Kind::Enum64:
    return kflagRules ? enumKflagMember(st, m) : sizedMember(st, m, mt[2]);
  case btf::Kind::Typedef:
  case btf::Kind::Volatile:
  case btf::Kind::Const:
  case btf::Kind::Restrict:
  case btf::Kind::TypeTag:
    return modifierMember(st, m, kflagRules);
  case btf::Kind::Ptr:
  case btf::Kind::Array:
  case btf::Kind::Struct:
  case btf::Kind::Union:
  case btf::Kind::Float:
    break;
  case btf::Kind::Unkn:
  case btf::Kind::Fwd:
  case btf::Kind::Func:
  case btf::Kind::FuncProto:
  case btf::Kind::Var:
  case btf::Kind::Datasec:
  case btf::Kind::DeclTag:
    // Excluded before any member check runs ("Invalid member").
    return failBasic(st,
                     kflagRules ? "Unsupported check_kflag_member" : "Unsupported check_member");
  }
  // Pointers, arrays, structs and floats cannot be bitfields.
  if (kflagRules && btf::memberBitfieldSize(m.offset))
    return failMember(st, m, "Invalid member bitfield_size");
  if (kindOf(mt) == btf::Kind::Ptr)
    return sizedMember(st, m, kPtrSize);
  if (kindOf(mt) == btf::Kind::Array) {
    uint32_t arrayId = m.type, arraySize = 0;
    typeIdSize(arrayId, &arraySize);
    return sizedMember(st, m, arraySize);
  }
  if (kindOf(mt) == btf::Kind::Float)
    return floatMember(st, m, mt);
  return sizedMember(st, m, mt[2]); // struct or union
}

int Checker::sizedMember(const uint32_t *st, const MemberRef &m, uint32_t memberSize) {
  if (m.offset & 7)
    return failMember(st, m, "Member is not byte aligned");
  if (st[2] - (m.offset >> 3) < memberSize)
    return failMember(st, m, "Member exceeds struct_size");
  return 0;
}

int Checker::intMember(const uint32_t *st, const MemberRef &m, const uint32_t *mt) {
  const uint32_t data = tailOf(mt)[0];
  uint32_t bitOff = m.offset;
  if (UINT32_MAX - bitOff < btf::intOffset(data))
    return failMember(st, m, "bits_offset exceeds U32_MAX");
  bitOff += btf::intOffset(data);
  const uint32_t bytesOffset = bitOff >> 3;
  const uint32_t copyBits = btf::intBits(data) + (bitOff & 7);
  if (copyBits > 128)
    return failMember(st, m, "nr_copy_bits exceeds 128");
  if (st[2] < bytesOffset || st[2] - bytesOffset < roundupBytes(copyBits))
    return failMember(st, m, "Member exceeds struct_size");
  return 0;
}

int Checker::intKflagMember(const uint32_t *st, const MemberRef &m, const uint32_t *mt) {
  if (!intIsRegular(mt))
    return failMember(st, m, "Invalid member base type");
  uint32_t nrBits = btf::memberBitfieldSize(m.offset);
  const uint32_t bitOff = btf::memberBitOffset(m.offset);
  const uint32_t intBits = btf::intBits(tailOf(mt)[0]);
  if (!nrBits) {
    // Not a bitfield: must start on a byte.
    if (bitOff & 7)
      return failMember(st, m, "Invalid member offset");
    nrBits = intBits;
  } else if (nrBits > intBits) {
    return failMember(st, m, "Invalid member bitfield_size");
  }
  const uint32_t bytesOffset = bitOff >> 3;
  const uint32_t copyBits = nrBits + (bitOff & 7);
  if (copyBits > 128)
    return failMember(st, m, "nr_copy_bits exceeds 128");
  if (st[2] < bytesOffset || st[2] - bytesOffset < roundupBytes(copyBits))
    return failMember(st, m, "Member exceeds struct_size");
  return 0;
}

int Checker::enumKflagMember(const uint32_t *st, const MemberRef &m) {
  // The kernel sizes a non-bitfield enum member as an int, even an ENUM64.
  constexpr uint32_t kIntBits = 32;
  const uint32_t bitOff = btf::memberBitOffset(m.offset);
  uint32_t nrBits = btf::memberBitfieldSize(m.offset);
  if (!nrBits) {
    if (bitOff & 7)
      return failMember(st, m, "Member is not byte aligned");
    nrBits = kIntBits;
  } else if (nrBits > kIntBits) {
    return failMember(st, m, "Invalid member bitfield_size");
  }
  if (st[2] < roundupBytes(bitOff + nrBits))
    return failMember(st, m, "Member exceeds struct_size");
  return 0;
}

int Checker::floatMember(const uint32_t *st, const MemberRef &m, const uint32_t *mt) {
  // Only the smallest alignment any architecture needs: min(8, size).
  const uint64_t alignBits = uint64_t(std::min<uint32_t>(kPtrSize, mt[2])) * 8;
  if (alignBits && m.offset % alignBits)
    return failMember(st, m, "Member is not properly aligned");
  if (uint64_t(m.offset / 8) + mt[2] > st[2])
    return failMember(st, m, "Member exceeds struct_size");
  return 0;
}

int Checker::modifierMember(const uint32_t *st, const MemberRef &m, bool kflagRules) {
  uint32_t resolvedId = m.type;
  const uint32_t *resolved = typeIdSize(resolvedId, nullptr);
  if (!resolved)
    return failMember(st, m, "Invalid member");
  MemberRef through = m;
  through.type = resolvedId;
  return checkMember(st, through, resolved, kflagRules);
}

} // namespace d2b::validate::detail
