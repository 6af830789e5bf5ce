#pragma once
/// In-memory BTF: a flat buffer of type words plus an interned string table,
/// optionally split on top of a base (module BTF on vmlinux). Ids are
/// 1-based, 0 is void, and come only from add*(); split BTF ids continue at
/// base->endId() and string offsets at the base's string size.
///
///   Btf b;
///   uint32_t i = b.addInt("int", 4, kIntSigned);
///   uint32_t p = b.addPtr(i);
///   std::vector<uint8_t> bytes = b.serialize(std::endian::little);
#include <bit>
#include <cassert>
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "dwarf2btf/btf/field_iter.h"
#include "dwarf2btf/btf/format.h"
#include "dwarf2btf/btf/string_table.h"
#include "dwarf2btf/support/huge_pages.h"

namespace d2b::btf {

/// Read-only view of one type's words (header + tail).
struct TypeView {
  const uint32_t *w = nullptr;
  uint32_t nameOff() const { return w[0]; }
  Kind kind() const { return Kind(infoKindRaw(w[1])); }
  uint32_t vlen() const { return infoVlen(w[1]); }
  bool kflag() const { return infoKflag(w[1]); }
  uint32_t size() const { return w[2]; }
  uint32_t type() const { return w[2]; }
  const uint32_t *tail() const { return w + 3; }
  uint32_t wordCount() const { return 3 + tailWords(kind(), vlen()); }
};

struct Member {
  std::string_view name;
  uint32_t type = 0;
  uint32_t bitOffset = 0;
  uint32_t bitfieldSize = 0; // 0: not a bitfield
};
struct EnumValue {
  std::string_view name;
  uint64_t value = 0; // two's complement for signed enums
};
struct Param {
  std::string_view name;
  uint32_t type = 0; // 0 as the last param: varargs
};
struct SecVar {
  uint32_t type = 0;
  uint32_t offset = 0;
  uint32_t size = 0;
};

class Btf {
public:
  Btf() = default;
  /// Split BTF on top of `base`, which must outlive this object.
  explicit Btf(const Btf *base);

  const Btf *base() const { return base_; }
  uint32_t startId() const { return start_id_; }
  uint32_t endId() const { return start_id_ + uint32_t(offsets_.size()); }
  uint32_t ownCount() const { return uint32_t(offsets_.size()); }
  bool isOwn(uint32_t id) const { return id >= start_id_ && id < endId(); }

  /// Words of type `id` (1 <= id < endId()), looking into the base if needed.
  const uint32_t *typeWords(uint32_t id) const {
    if (id < start_id_) {
      assert(base_ && "type id below start without a base");
      return base_->typeWords(id);
    }
    return words_.data() + offsets_[id - start_id_];
  }
  TypeView type(uint32_t id) const { return TypeView{typeWords(id)}; }
  /// Mutable words of an own type.
  uint32_t *mutableTypeWords(uint32_t id) {
    checked_ = 0;
    return words_.data() + offsets_[id - start_id_];
  }

  std::string_view str(uint32_t off) const;
  /// Name of type `id` ("" for anonymous and for id 0).
  std::string_view name(uint32_t id) const { return id ? str(type(id).nameOff()) : ""; }
  bool validStrOffset(uint32_t off) const {
    if (base_ && off < strings_.firstOffset())
      return base_->validStrOffset(off);
    return strings_.contains(off);
  }
  uint32_t addString(std::string_view s);
  StringTable &strings() { return strings_; }
  const StringTable &strings() const { return strings_; }

  /// Appends a type; `tail` must hold tailWords(kind, vlen) words.
  uint32_t addType(Kind kind, uint32_t nameOff, uint32_t vlen, bool kflag, uint32_t sizeOrType,
                   std::span<const uint32_t> tail = {});
  /// Appends a type given as its complete words (string offsets must already
  /// belong to this object's string table).
  uint32_t addRawType(std::span<const uint32_t> words);
  /// Appends all own types of `src` as they are (ids and string offsets
  /// still src's; fix them with mutableTypeWords) and returns the id the
  /// first became: one copy instead of one per type.
  uint32_t appendRawTypes(const Btf &src);

  uint32_t addInt(std::string_view name, uint32_t byteSize, uint32_t encoding, uint32_t bits = 0,
                  uint32_t bitOffset = 0);
  uint32_t addFloat(std::string_view name, uint32_t byteSize);
  uint32_t addPtr(uint32_t type) { return addType(Kind::Ptr, 0, 0, false, type); }
  uint32_t addConst(uint32_t type) { return addType(Kind::Const, 0, 0, false, type); }
  uint32_t addVolatile(uint32_t type) { return addType(Kind::Volatile, 0, 0, false, type); }
  uint32_t addRestrict(uint32_t type) { return addType(Kind::Restrict, 0, 0, false, type); }
  uint32_t addTypedef(std::string_view name, uint32_t type);
  uint32_t addTypeTag(std::string_view value, uint32_t type);
  uint32_t addFwd(std::string_view name, bool isUnion);
  uint32_t addArray(uint32_t elemType, uint32_t indexType, uint32_t nelems);
  /// STRUCT or UNION; kind_flag is set when any member is a bitfield.
  uint32_t addComposite(bool isUnion, std::string_view name, uint32_t byteSize,
                        std::span<const Member> members);
  /// ENUM when every value fits in 32 bits and byteSize <= 4, else ENUM64.
  uint32_t addEnum(std::string_view name, uint32_t byteSize, bool isSigned,
                   std::span<const EnumValue> values, bool allowEnum64 = true);
  uint32_t addFuncProto(uint32_t returnType, std::span<const Param> params);
  uint32_t addFunc(std::string_view name, uint32_t proto, FuncLinkage linkage);
  uint32_t addVar(std::string_view name, uint32_t type, VarLinkage linkage);
  uint32_t addDatasec(std::string_view name, uint32_t byteSize, std::span<const SecVar> vars);
  uint32_t addDeclTag(std::string_view value, uint32_t type, int32_t componentIdx);

  /// Reserves room for `words` more type words and `types` more types, so a
  /// large result is not copied while it grows (the copy briefly holds both
  /// buffers; reserved pages that are never written cost no memory).
  void reserve(size_t words, size_t types) {
    words_.reserve(words_.size() + words);
    offsets_.reserve(offsets_.size() + types);
    adviseHugePages(words_);
    adviseHugePages(offsets_);
  }

  /// How many own types, from the first, are known to be well-formed: each
  /// record as long as its kind and vlen say, of a known kind, with every
  /// type id below endId() and every string offset valid. parseBtf checks
  /// that and says so, so later passes (dedup) need not check a parsed base
  /// again. Changing types in place (mutableTypeWords, replaceTypes) or the
  /// strings (replaceStrings) forgets it; appending types leaves it.
  uint32_t checkedTypes() const { return checked_; }
  void markTypesChecked() { checked_ = ownCount(); }

  /// Raw storage, for passes (dedup, remap) that rebuild the type list.
  const std::vector<uint32_t> &words() const { return words_; }
  const std::vector<uint32_t> &offsets() const { return offsets_; }
  /// Replaces all own types (e.g. after compaction).
  void replaceTypes(std::vector<uint32_t> words, std::vector<uint32_t> offsets);
  /// Replaces the string table (offsets in types must already refer to it).
  void replaceStrings(StringTable strings) {
    strings_ = std::move(strings);
    checked_ = 0;
  }

  /// The bytes of a .BTF section (header, types, strings) in `order`.
  std::vector<uint8_t> serialize(std::endian order) const;

private:
  /// Starts a type whose tail the caller appends to words_ (no tail vector
  /// per type: lowering builds hundreds of thousands); finishType() writes
  /// its header once the tail's strings, then its name, are interned (the
  /// order the add*() functions have always interned them in). addType()
  /// goes through the same two steps.
  size_t startType() {
    const size_t at = words_.size();
    words_.resize(at + 3);
    return at;
  }
  uint32_t finishType(size_t at, Kind kind, uint32_t nameOff, uint32_t vlen, bool kflag,
                      uint32_t sizeOrType);

  const Btf *base_ = nullptr;
  uint32_t start_id_ = 1;
  std::vector<uint32_t> words_;
  std::vector<uint32_t> offsets_; // word offset of each own type
  StringTable strings_;
  uint32_t checked_ = 0; // see checkedTypes
};

} // namespace d2b::btf
