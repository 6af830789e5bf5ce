#pragma once
/// On-disk BTF format: constants, the kind enumeration and the layout of each
/// kind's trailing data. No logic beyond bit packing lives here.
#include <cstdint>
#include <string_view>

namespace d2b::btf {

inline constexpr uint16_t kMagic = 0xEB9F;
inline constexpr uint8_t kVersion = 1;
inline constexpr uint32_t kHeaderSize = 24;
inline constexpr uint32_t kMaxVlen = 0xffff;
inline constexpr uint32_t kMaxType = 0xfffff;
inline constexpr uint32_t kMaxNameOffset = 0xffffff;
inline constexpr uint32_t kMaxNameLen = 512; // kernel >= 6.1

/// BTF kinds; values are the on-disk kind numbers.
enum class Kind : uint8_t {
#define BTF_KIND(E, V, S) E = V,
#include "dwarf2btf/btf/kinds.def"
};
inline constexpr uint8_t kMaxKind = 19;

/// The name bpftool prints for a kind ("STRUCT", "FUNC_PROTO", ...).
constexpr std::string_view kindName(Kind k) {
  switch (k) {
#define BTF_KIND(E, V, S)                                                                          \
  case Kind::E:                                                                                    \
    return S;
#include "dwarf2btf/btf/kinds.def"
  }
  return "UNKNOWN";
}

// INT encoding bits (in the word after the common header).
inline constexpr uint32_t kIntSigned = 1u << 0;
inline constexpr uint32_t kIntChar = 1u << 1;
inline constexpr uint32_t kIntBool = 1u << 2;

// Linkage values for FUNC (stored in vlen) and VAR.
enum class FuncLinkage : uint16_t { Static = 0, Global = 1, Extern = 2 };
enum class VarLinkage : uint32_t { Static = 0, GlobalAllocated = 1, GlobalExtern = 2 };

constexpr uint32_t makeInfo(Kind kind, uint32_t vlen, bool kflag) {
  return (vlen & 0xffff) | (uint32_t(kind) << 24) | (uint32_t(kflag) << 31);
}
constexpr uint32_t infoVlen(uint32_t info) { return info & 0xffff; }
constexpr uint32_t infoKindRaw(uint32_t info) { return (info >> 24) & 0x1f; }
constexpr bool infoKflag(uint32_t info) { return info >> 31; }

constexpr uint32_t makeIntEncoding(uint32_t encoding, uint32_t offset, uint32_t bits) {
  return (encoding << 24) | ((offset & 0xff) << 16) | (bits & 0xff);
}
constexpr uint32_t intEncoding(uint32_t w) { return (w >> 24) & 0x0f; }
constexpr uint32_t intOffset(uint32_t w) { return (w >> 16) & 0xff; }
constexpr uint32_t intBits(uint32_t w) { return w & 0xff; }

// Struct member offset word when the struct's kind_flag is set.
constexpr uint32_t memberBitfieldSize(uint32_t off) { return off >> 24; }
constexpr uint32_t memberBitOffset(uint32_t off) { return off & 0xffffff; }

/// Number of 32-bit words that follow the 12-byte common header for a type of
/// this kind with this vlen. This and field_iter.h are the only places that
/// know each kind's trailing layout.
constexpr uint32_t tailWords(Kind k, uint32_t vlen) {
  switch (k) {
  case Kind::Int:
    return 1;
  case Kind::Array:
    return 3; // type, index_type, nelems
  case Kind::Struct:
  case Kind::Union:
    return 3 * vlen; // name_off, type, offset
  case Kind::Enum:
    return 2 * vlen; // name_off, val
  case Kind::Enum64:
    return 3 * vlen; // name_off, val_lo32, val_hi32
  case Kind::FuncProto:
    return 2 * vlen; // name_off, type
  case Kind::Var:
    return 1; // linkage
  case Kind::Datasec:
    return 3 * vlen; // type, offset, size
  case Kind::DeclTag:
    return 1; // component_idx
  case Kind::Unkn:
  case Kind::Ptr:
  case Kind::Fwd:
  case Kind::Typedef:
  case Kind::Volatile:
  case Kind::Const:
  case Kind::Restrict:
  case Kind::Func:
  case Kind::Float:
  case Kind::TypeTag:
    return 0;
  }
  return 0;
}

/// True for kinds whose third header word is a size rather than a type id.
constexpr bool hasSize(Kind k) {
  switch (k) {
  case Kind::Int:
  case Kind::Struct:
  case Kind::Union:
  case Kind::Enum:
  case Kind::Enum64:
  case Kind::Datasec:
  case Kind::Float:
    return true;
  case Kind::Unkn:
  case Kind::Ptr:
  case Kind::Array:
  case Kind::Fwd:
  case Kind::Typedef:
  case Kind::Volatile:
  case Kind::Const:
  case Kind::Restrict:
  case Kind::Func:
  case Kind::FuncProto:
  case Kind::Var:
  case Kind::DeclTag:
  case Kind::TypeTag:
    return false;
  }
  return false;
}

} // namespace d2b::btf
