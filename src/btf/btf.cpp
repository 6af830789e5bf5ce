#include "dwarf2btf/btf/btf.h"

#include <cassert>
#include <cstring>

namespace d2b::btf {

Btf::Btf(const Btf *base)
    : base_(base), start_id_(base->endId()),
      strings_(base->strings().firstOffset() + base->strings().size()) {}

std::string_view Btf::str(uint32_t off) const {
  if (base_ && off < strings_.firstOffset())
    return base_->str(off);
  return strings_.at(off);
}

uint32_t Btf::addString(std::string_view s) {
  if (base_) {
    // Reuse the base's copy so split BTF does not duplicate vmlinux strings.
    for (const Btf *b = base_; b; b = b->base_)
      if (uint32_t off = b->strings_.find(s); off != UINT32_MAX)
        return off;
  }
  return strings_.add(s);
}

uint32_t Btf::addType(Kind kind, uint32_t nameOff, uint32_t vlen, bool kflag, uint32_t sizeOrType,
                      std::span<const uint32_t> tail) {
  const size_t at = startType();
  words_.insert(words_.end(), tail.begin(), tail.end());
  return finishType(at, kind, nameOff, vlen, kflag, sizeOrType); // checks the tail's size
}

uint32_t Btf::addRawType(std::span<const uint32_t> words) {
  offsets_.push_back(uint32_t(words_.size()));
  words_.insert(words_.end(), words.begin(), words.end());
  return endId() - 1;
}

uint32_t Btf::appendRawTypes(const Btf &src) {
  const uint32_t first = endId();
  const uint32_t at = uint32_t(words_.size());
  words_.insert(words_.end(), src.words_.begin(), src.words_.end());
  offsets_.reserve(offsets_.size() + src.offsets_.size());
  for (uint32_t off : src.offsets_)
    offsets_.push_back(at + off);
  return first;
}

uint32_t Btf::addInt(std::string_view name, uint32_t byteSize, uint32_t encoding, uint32_t bits,
                     uint32_t bitOffset) {
  uint32_t enc = makeIntEncoding(encoding, bitOffset, bits ? bits : byteSize * 8);
  return addType(Kind::Int, addString(name), 0, false, byteSize, std::span(&enc, 1));
}

uint32_t Btf::addFloat(std::string_view name, uint32_t byteSize) {
  return addType(Kind::Float, addString(name), 0, false, byteSize);
}

uint32_t Btf::addTypedef(std::string_view name, uint32_t type) {
  return addType(Kind::Typedef, addString(name), 0, false, type);
}

uint32_t Btf::addTypeTag(std::string_view value, uint32_t type) {
  return addType(Kind::TypeTag, addString(value), 0, false, type);
}

uint32_t Btf::addFwd(std::string_view name, bool isUnion) {
  return addType(Kind::Fwd, addString(name), 0, isUnion, 0);
}

uint32_t Btf::addArray(uint32_t elemType, uint32_t indexType, uint32_t nelems) {
  uint32_t tail[3] = {elemType, indexType, nelems};
  return addType(Kind::Array, 0, 0, false, 0, tail);
}

uint32_t Btf::finishType(size_t at, Kind kind, uint32_t nameOff, uint32_t vlen, bool kflag,
                         uint32_t sizeOrType) {
  assert(words_.size() - at - 3 == tailWords(kind, vlen));
  words_[at] = nameOff;
  words_[at + 1] = makeInfo(kind, vlen, kflag);
  words_[at + 2] = sizeOrType;
  offsets_.push_back(uint32_t(at));
  return endId() - 1;
}

uint32_t Btf::addComposite(bool isUnion, std::string_view name, uint32_t byteSize,
                           std::span<const Member> members) {
  bool kflag = false;
  for (const Member &m : members)
    kflag |= m.bitfieldSize != 0;
  const size_t at = startType();
  for (const Member &m : members) {
    const uint32_t nameOff = addString(m.name);
    words_.push_back(nameOff);
    words_.push_back(m.type);
    words_.push_back(kflag ? (m.bitfieldSize << 24) | (m.bitOffset & 0xffffff) : m.bitOffset);
  }
  return finishType(at, isUnion ? Kind::Union : Kind::Struct, addString(name),
                    uint32_t(members.size()), kflag, byteSize);
}

uint32_t Btf::addEnum(std::string_view name, uint32_t byteSize, bool isSigned,
                      std::span<const EnumValue> values, bool allowEnum64) {
  bool fits32 = byteSize <= 4;
  for (const EnumValue &v : values) {
    int64_t s = int64_t(v.value);
    if (isSigned ? (s < INT32_MIN || s > INT32_MAX) : v.value > UINT32_MAX)
      fits32 = false;
  }
  const size_t at = startType();
  if (fits32 || !allowEnum64) {
    for (const EnumValue &v : values) {
      const uint32_t nameOff = addString(v.name);
      words_.push_back(nameOff);
      words_.push_back(uint32_t(v.value));
    }
    return finishType(at, Kind::Enum, addString(name), uint32_t(values.size()), isSigned,
                      allowEnum64 ? byteSize : std::min<uint32_t>(byteSize, 4));
  }
  for (const EnumValue &v : values) {
    const uint32_t nameOff = addString(v.name);
    words_.push_back(nameOff);
    words_.push_back(uint32_t(v.value));
    words_.push_back(uint32_t(v.value >> 32));
  }
  return finishType(at, Kind::Enum64, addString(name), uint32_t(values.size()), isSigned, byteSize);
}

uint32_t Btf::addFuncProto(uint32_t returnType, std::span<const Param> params) {
  const size_t at = startType();
  for (const Param &p : params) {
    const uint32_t nameOff = addString(p.name);
    words_.push_back(nameOff);
    words_.push_back(p.type);
  }
  return finishType(at, Kind::FuncProto, 0, uint32_t(params.size()), false, returnType);
}

uint32_t Btf::addFunc(std::string_view name, uint32_t proto, FuncLinkage linkage) {
  return addType(Kind::Func, addString(name), uint32_t(linkage), false, proto);
}

uint32_t Btf::addVar(std::string_view name, uint32_t type, VarLinkage linkage) {
  uint32_t l = uint32_t(linkage);
  return addType(Kind::Var, addString(name), 0, false, type, std::span(&l, 1));
}

uint32_t Btf::addDatasec(std::string_view name, uint32_t byteSize, std::span<const SecVar> vars) {
  std::vector<uint32_t> tail;
  for (const SecVar &v : vars) {
    tail.push_back(v.type);
    tail.push_back(v.offset);
    tail.push_back(v.size);
  }
  return addType(Kind::Datasec, addString(name), uint32_t(vars.size()), false, byteSize, tail);
}

uint32_t Btf::addDeclTag(std::string_view value, uint32_t type, int32_t componentIdx) {
  uint32_t c = uint32_t(componentIdx);
  return addType(Kind::DeclTag, addString(value), 0, false, type, std::span(&c, 1));
}

void Btf::replaceTypes(std::vector<uint32_t> words, std::vector<uint32_t> offsets) {
  words_ = std::move(words);
  offsets_ = std::move(offsets);
  checked_ = 0;
}

namespace {
void put(std::vector<uint8_t> &out, uint32_t v, int bytes, std::endian order) {
  for (int i = 0; i < bytes; ++i) {
    int shift = order == std::endian::little ? 8 * i : 8 * (bytes - 1 - i);
    out.push_back(uint8_t(v >> shift));
  }
}
void put32(std::vector<uint8_t> &out, uint32_t v, std::endian order) { put(out, v, 4, order); }
void put16(std::vector<uint8_t> &out, uint16_t v, std::endian order) { put(out, v, 2, order); }
} // namespace

std::vector<uint8_t> Btf::serialize(std::endian order) const {
  const uint32_t typeLen = uint32_t(words_.size() * 4);
  const uint32_t strLen = strings_.size();
  std::vector<uint8_t> out;
  out.reserve(kHeaderSize + typeLen + strLen);
  put16(out, kMagic, order);
  out.push_back(kVersion);
  out.push_back(0); // flags
  put32(out, kHeaderSize, order);
  put32(out, 0, order);       // type_off
  put32(out, typeLen, order); // type_len
  put32(out, typeLen, order); // str_off
  put32(out, strLen, order);  // str_len
  for (uint32_t w : words_)
    put32(out, w, order);
  const auto &s = strings_.bytes();
  out.insert(out.end(), s.begin(), s.end());
  return out;
}

} // namespace d2b::btf
