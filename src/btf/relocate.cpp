#include "dwarf2btf/btf/distill.h"

#include <fmt/format.h>

#include <string_view>
#include <unordered_map>
#include <vector>

namespace d2b::btf {

namespace {

bool isComposite(Kind k) { return k == Kind::Struct || k == Kind::Union; }

/// Distilled base types embedded by value (not through a pointer) in a split
/// struct/union: their size must match, or the split layout would be wrong.
std::vector<bool> embeddedTypes(const Btf &split, uint32_t distEnd) {
  std::vector<bool> embedded(distEnd, false);
  for (uint32_t id = split.startId(); id < split.endId(); ++id) {
    if (!isComposite(split.type(id).kind()))
      continue;
    forEachTypeIdField(split.typeWords(id), [&](uint32_t ref) {
      while (ref) {
        TypeView t = split.type(ref);
        switch (t.kind()) {
        case Kind::Const:
        case Kind::Volatile:
        case Kind::Restrict:
        case Kind::Typedef:
        case Kind::TypeTag:
          ref = t.type();
          break;
        case Kind::Array:
          ref = t.tail()[0];
          break;
        case Kind::Struct:
        case Kind::Union:
          if (ref < distEnd)
            embedded[ref] = true;
          ref = 0;
          break;
        case Kind::Unkn:
        case Kind::Int:
        case Kind::Ptr:
        case Kind::Enum:
        case Kind::Fwd:
        case Kind::Func:
        case Kind::FuncProto:
        case Kind::Var:
        case Kind::Datasec:
        case Kind::Float:
        case Kind::DeclTag:
        case Kind::Enum64:
          ref = 0;
          break;
        }
      }
    });
  }
  return embedded;
}

/// Kinds a distilled base may hold (and only named).
bool distillable(Kind k) {
  switch (k) {
  case Kind::Int:
  case Kind::Float:
  case Kind::Enum:
  case Kind::Struct:
  case Kind::Union:
  case Kind::Fwd:
    return true;
  case Kind::Unkn:
  case Kind::Ptr:
  case Kind::Array:
  case Kind::Typedef:
  case Kind::Volatile:
  case Kind::Const:
  case Kind::Restrict:
  case Kind::Func:
  case Kind::FuncProto:
  case Kind::Var:
  case Kind::Datasec:
  case Kind::DeclTag:
  case Kind::TypeTag:
  case Kind::Enum64:
    return false;
  }
  return false;
}

/// Whether base type `b` can stand for distilled type `d` (same name given).
/// `sized`: the base type is only found together with its size.
bool matches(TypeView d, TypeView b, bool sized, bool embedded) {
  if (sized && d.size() != b.size())
    return false;
  switch (d.kind()) {
  case Kind::Fwd:
    // A FWD's kflag says union; a complete type must be of that kind.
    if (b.kind() == Kind::Fwd)
      return b.kflag() == d.kflag();
    if (b.kind() == Kind::Struct)
      return !b.kflag();
    if (b.kind() == Kind::Union)
      return b.kflag();
    return false;
  case Kind::Int:
    return b.kind() == Kind::Int && intEncoding(b.tail()[0]) == intEncoding(d.tail()[0]);
  case Kind::Float:
    return b.kind() == Kind::Float;
  case Kind::Enum:
    return b.kind() == Kind::Enum || b.kind() == Kind::Enum64;
  case Kind::Struct:
  case Kind::Union:
    return !embedded || b.size() == d.size();
  case Kind::Unkn:
  case Kind::Ptr:
  case Kind::Array:
  case Kind::Typedef:
  case Kind::Volatile:
  case Kind::Const:
  case Kind::Restrict:
  case Kind::Func:
  case Kind::FuncProto:
  case Kind::Var:
  case Kind::Datasec:
  case Kind::DeclTag:
  case Kind::TypeTag:
  case Kind::Enum64:
    return false;
  }
  return false;
}

} // namespace

Expected<Btf> relocateSplit(const Btf &split, const Btf &base) {
  const Btf *dist = split.base();
  if (!dist || dist == &base)
    return Error("relocation: the BTF has no distilled base to relocate from");
  const uint32_t distEnd = dist->endId();
  std::unordered_map<std::string_view, std::vector<uint32_t>> distByName;
  for (uint32_t id = 1; id < distEnd; ++id) {
    TypeView t = dist->type(id);
    if (!distillable(t.kind()) || t.nameOff() == 0)
      return Error(fmt::format("relocation: distilled base type [{}] ({}{}) cannot be in a "
                               "distilled base",
                               id, t.nameOff() ? "" : "anonymous ", kindName(t.kind())));
    distByName[dist->str(t.nameOff())].push_back(id);
  }
  const std::vector<bool> embedded = embeddedTypes(split, distEnd);

  // Composite names that occur more than once in the base need a size match.
  std::unordered_map<std::string_view, uint32_t> compositeNames;
  for (uint32_t id = 1; id < base.endId(); ++id) {
    TypeView t = base.type(id);
    if (isComposite(t.kind()) && t.nameOff())
      ++compositeNames[base.str(t.nameOff())];
  }
  std::vector<uint32_t> idMap(distEnd, 0);
  std::unordered_map<uint32_t, uint32_t> strMap; // distilled name offset -> base name offset
  for (uint32_t id = 1; id < base.endId(); ++id) {
    TypeView b = base.type(id);
    if (b.nameOff() == 0)
      continue;
    bool sized = false;
    switch (b.kind()) {
    case Kind::Int:
    case Kind::Float:
    case Kind::Enum:
    case Kind::Enum64:
      sized = true;
      break;
    case Kind::Struct:
    case Kind::Union:
      sized = compositeNames[base.str(b.nameOff())] > 1;
      break;
    case Kind::Fwd:
      break;
    case Kind::Unkn:
    case Kind::Ptr:
    case Kind::Array:
    case Kind::Typedef:
    case Kind::Volatile:
    case Kind::Const:
    case Kind::Restrict:
    case Kind::Func:
    case Kind::FuncProto:
    case Kind::Var:
    case Kind::Datasec:
    case Kind::DeclTag:
    case Kind::TypeTag:
      continue;
    }
    auto it = distByName.find(base.str(b.nameOff()));
    if (it == distByName.end())
      continue;
    for (uint32_t d : it->second) {
      TypeView dt = dist->type(d);
      // A FWD carries size 0, so a sized base type never matches it.
      if (!matches(dt, b, sized, embedded[d]))
        continue;
      if (idMap[d])
        return Error(fmt::format("relocation: distilled base type '{}' [{}] matches base types "
                                 "[{}] and [{}]",
                                 base.str(b.nameOff()), d, idMap[d], id));
      idMap[d] = id;
      strMap[dt.nameOff()] = b.nameOff();
    }
  }
  for (uint32_t d = 1; d < distEnd; ++d)
    if (!idMap[d])
      return Error(fmt::format("relocation: distilled base type '{}' [{}] ({}) has no match in "
                               "the base",
                               dist->str(dist->type(d).nameOff()), d,
                               kindName(dist->type(d).kind())));

  // Own strings keep their bytes; only where they start moves.
  const uint32_t distStrEnd = dist->strings().firstOffset() + dist->strings().size();
  const uint32_t baseStrEnd = base.strings().firstOffset() + base.strings().size();
  StringTable strings(baseStrEnd);
  strings.appendRaw(std::string_view(split.strings().bytes().data(), split.strings().size()));
  Btf out(&base);
  out.replaceStrings(std::move(strings));
  std::vector<uint32_t> words;
  for (uint32_t id = split.startId(); id < split.endId(); ++id) {
    TypeView t = split.type(id);
    words.assign(t.w, t.w + t.wordCount());
    Error bad = Error::success();
    forEachTypeIdField(words.data(), [&](uint32_t &ref) {
      ref = ref >= distEnd ? ref - distEnd + base.endId() : idMap[ref];
    });
    forEachStrField(words.data(), [&](uint32_t &off) {
      if (off == 0)
        return;
      if (off >= distStrEnd) {
        off = off - distStrEnd + baseStrEnd;
        return;
      }
      auto s = strMap.find(off);
      if (s == strMap.end()) {
        if (!bad)
          bad = Error(fmt::format("relocation: type [{}] uses string '{}' of the distilled base, "
                                  "which names no relocated type",
                                  id, dist->str(off)));
        return;
      }
      off = s->second;
    });
    if (bad)
      return bad;
    out.addRawType(words);
  }
  return out;
}

} // namespace d2b::btf
