/// Primitive pass: INT, FLOAT, FWD, ENUM and ENUM64 reference no other types,
/// so each is merged into the first canonical type with exactly the same
/// words. Enums additionally follow libbpf's forward-declaration rules:
///  - an enum without values (a forward declaration) maps to the oldest
///    canonical enum of the same name, ENUM or ENUM64, any size;
///  - a full enum redirects every canonical forward declaration of its name
///    to itself, so declarations seen before the definition resolve too.
#include <algorithm>

#include "dedup_state.h"

namespace d2b::dedup::detail {

namespace {

uint32_t findExact(const State &s, const uint32_t *w, uint64_t key) {
  for (CandTable::Cursor c = s.exact.first(key); c.valid(); c = s.exact.next(c))
    if (wordsEqual(w, s.words(c.id)))
      return c.id;
  return UINT32_MAX;
}

uint32_t dedupEnum(State &s, uint32_t id, const uint32_t *w) {
  const uint32_t name = w[0];
  if (isEnumFwd(w)) {
    // Every canonical enum of this name is compatible with a declaration.
    for (CandTable::Cursor c = s.enumAll.first(s.nameKey(name)); c.valid(); c = s.enumAll.next(c))
      if (s.words(c.id)[0] == name)
        return c.id;
    return id;
  }
  for (CandTable::Cursor c = s.enumFwd.first(s.nameKey(name)); c.valid(); c = s.enumFwd.next(c))
    if (s.words(c.id)[0] == name)
      s.map[c.id] = id;
  const uint32_t cand = findExact(s, w, s.exactKey(w));
  return cand == UINT32_MAX ? id : cand;
}

} // namespace

void dedupPrims(State &s, uint32_t from, uint32_t to) {
  from = std::max(from, s.startId);
  to = std::min(to, s.endId);
  for (uint32_t id = from; id < to; ++id) {
    uint32_t canon = id;
    const uint32_t *w = nullptr;
    switch (s.role(id)) {
    case Role::Prim: {
      w = s.words(id);
      const uint32_t cand = findExact(s, w, s.exactKey(w));
      canon = cand == UINT32_MAX ? id : cand;
      break;
    }
    case Role::Enum:
      w = s.words(id);
      canon = dedupEnum(s, id, w);
      break;
    case Role::Composite:
    case Role::Ref:
    case Role::Unique:
    case Role::Invalid:
      continue;
    }
    s.map[id] = canon;
    if (canon == id)
      s.index(id);
  }
}

} // namespace d2b::dedup::detail
