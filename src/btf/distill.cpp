#include "dwarf2btf/btf/distill.h"

#include <fmt/format.h>

#include <unordered_map>
#include <vector>

namespace d2b::btf {

namespace {

/// Where a referenced base type goes in the distilled result.
enum class Place { Base, Split, Reject };

Place placeOf(TypeView t) {
  const bool named = t.nameOff() != 0;
  switch (t.kind()) {
  case Kind::Int:
  case Kind::Float:
  case Kind::Fwd:
    return Place::Base;
  case Kind::Struct:
  case Kind::Union:
  case Kind::Enum:
  case Kind::Enum64:
    // Named ones are matched by name and size at relocation; anonymous ones
    // cannot be matched, so they travel whole with the split BTF.
    return named ? Place::Base : Place::Split;
  case Kind::Array:
  case Kind::Typedef:
  case Kind::Ptr:
  case Kind::Const:
  case Kind::Volatile:
  case Kind::Restrict:
  case Kind::FuncProto:
  case Kind::TypeTag:
    return Place::Split;
  case Kind::Unkn:
  case Kind::Func:
  case Kind::Var:
  case Kind::Datasec:
  case Kind::DeclTag:
    return Place::Reject;
  }
  return Place::Reject;
}

/// Copies type words from `src` into `dst`, re-interning its strings there.
class TypeCopier {
public:
  TypeCopier(const Btf &src, Btf &dst) : src_(src), dst_(dst) {}

  uint32_t copy(uint32_t id) {
    TypeView t = src_.type(id);
    words_.assign(t.w, t.w + t.wordCount());
    forEachStrField(words_.data(), [&](uint32_t &off) {
      if (off == 0)
        return;
      auto [it, fresh] = strMap_.try_emplace(off, 0);
      if (fresh)
        it->second = dst_.addString(src_.str(off));
      off = it->second;
    });
    return dst_.addRawType(words_);
  }

private:
  const Btf &src_;
  Btf &dst_;
  std::vector<uint32_t> words_;
  // Source offset -> destination offset: each string is looked up once.
  std::unordered_map<uint32_t, uint32_t> strMap_;
};

} // namespace

Expected<DistilledBtf> distillBase(const Btf &src) {
  if (!src.base())
    return Error("distilled base: the BTF has no base to distil");
  const uint32_t splitStart = src.startId();

  // 1. Every base type the split BTF reaches, not looking inside named
  //    structs/unions (the distilled base keeps them member-less).
  std::vector<bool> needed(splitStart, false);
  std::vector<uint32_t> work;
  Error bad = Error::success();
  auto reach = [&](uint32_t from, uint32_t id) {
    if (id == 0 || id >= splitStart || needed[id] || bad)
      return;
    TypeView t = src.type(id);
    if (placeOf(t) == Place::Reject) {
      bad = Error(fmt::format("distilled base: type [{}] refers to base type [{}] of kind {}, "
                              "which a distilled base cannot describe",
                              from, id, kindName(t.kind())));
      return;
    }
    needed[id] = true;
    const bool namedComposite =
        (t.kind() == Kind::Struct || t.kind() == Kind::Union) && t.nameOff() != 0;
    if (!namedComposite)
      work.push_back(id);
  };
  for (uint32_t id = splitStart; id < src.endId(); ++id) {
    forEachTypeIdField(src.typeWords(id), [&](uint32_t ref) { reach(id, ref); });
    while (!work.empty() && !bad) {
      uint32_t b = work.back();
      work.pop_back();
      forEachTypeIdField(src.typeWords(b), [&](uint32_t ref) { reach(b, ref); });
    }
    if (bad)
      return bad;
  }

  // 2. The distilled base, in base id order.
  std::vector<uint32_t> newId(splitStart, 0);
  auto base = std::make_shared<Btf>();
  {
    TypeCopier copier(src, *base);
    for (uint32_t id = 1; id < splitStart; ++id) {
      if (!needed[id])
        continue;
      TypeView t = src.type(id);
      if (placeOf(t) != Place::Base)
        continue;
      switch (t.kind()) {
      case Kind::Struct:
      case Kind::Union:
        newId[id] = base->addComposite(t.kind() == Kind::Union, src.str(t.nameOff()), t.size(), {});
        break;
      case Kind::Enum:
      case Kind::Enum64: {
        // A sized ENUM either way: relocation matches it to ENUM or ENUM64.
        const uint32_t words[3] = {base->addString(src.str(t.nameOff())),
                                   makeInfo(Kind::Enum, 0, false), t.size()};
        newId[id] = base->addRawType(words);
        break;
      }
      default:
        newId[id] = copier.copy(id);
        break;
      }
    }
  }

  // 3. The split BTF: its own types, then the base types that moved.
  DistilledBtf out{base, Btf(base.get())};
  TypeCopier copier(src, out.split);
  for (uint32_t id = splitStart; id < src.endId(); ++id)
    copier.copy(id);
  for (uint32_t id = 1; id < splitStart; ++id)
    if (needed[id] && placeOf(src.type(id)) == Place::Split)
      newId[id] = copier.copy(id);

  // 4. Ids: moved base types to their new place, own types shift down.
  const uint32_t shift = splitStart - base->endId();
  for (uint32_t id = out.split.startId(); id < out.split.endId(); ++id)
    forEachTypeIdField(out.split.mutableTypeWords(id), [&](uint32_t &ref) {
      if (ref >= splitStart)
        ref -= shift;
      else if (ref != 0)
        ref = newId[ref];
    });
  return out;
}

} // namespace d2b::btf
