/// Compaction and id remapping: canonical own types keep their input order
/// and get consecutive ids from startId; base ids stay as they are; every
/// type-id field is then rewritten to the new id of its canonical type.
#include <fmt/format.h>

#include "dedup_state.h"

namespace d2b::dedup::detail {

using btf::Kind;

namespace {

/// resolve() with a step bound, so a map cycle (a dedup bug, never valid
/// input) becomes an error instead of a hang.
uint32_t resolveBounded(const State &s, uint32_t id) {
  for (uint32_t steps = 0; steps < s.endId; ++steps) {
    if (!s.isMapped(id))
      return kUnprocessed;
    if (s.map[id] == id)
      return id;
    id = s.map[id];
  }
  return kUnprocessed;
}

void countMerges(State &s) {
  // Kinds and maps are read in order; only FWDs and enums, which a merge
  // may resolve, follow their chain (a vmlinux has a million input types,
  // whose words are scattered).
  for (uint32_t id = s.startId; id < s.endId; ++id) {
    const Kind k = s.kind(id);
    if (k == Kind::Fwd || k == Kind::Enum || k == Kind::Enum64) {
      const uint32_t canon = resolveBounded(s, id);
      if (canon != kUnprocessed && k == Kind::Fwd && s.kind(canon) != Kind::Fwd)
        ++s.stats.fwdsResolved;
      if (canon != kUnprocessed && k != Kind::Fwd && isEnumFwd(s.words(id)) &&
          !isEnumFwd(s.words(canon)))
        ++s.stats.fwdsResolved;
    }
    if (s.map[id] == id)
      continue;
    switch (roleOf(k, s.opts.rules)) {
    case Role::Prim:
    case Role::Enum:
      ++s.stats.primMerged;
      break;
    case Role::Composite:
      ++s.stats.compositeMerged;
      break;
    case Role::Ref:
      ++s.stats.refMerged;
      break;
    case Role::Unique:
    case Role::Invalid:
      break;
    }
  }
}

} // namespace

Error compactAndRemap(State &s, const StringPlan *strings) {
  std::vector<uint32_t> &newId = s.hypot; // free after the composite pass
  for (uint32_t id = 0; id < s.startId; ++id)
    newId[id] = id;
  const std::vector<uint32_t> &oldWords = s.btf().words();
  std::vector<uint32_t> words;
  std::vector<uint32_t> offsets;
  words.reserve(oldWords.size());
  uint32_t next = s.startId;
  for (uint32_t id = s.startId; id < s.endId; ++id) {
    if (s.map[id] != id) {
      newId[id] = kUnprocessed;
      continue;
    }
    const uint32_t *w = s.words(id);
    newId[id] = next++;
    offsets.push_back(uint32_t(words.size()));
    words.insert(words.end(), w, w + wordCount(w));
  }

  for (uint32_t i = 0; i < offsets.size(); ++i) {
    uint32_t *w = words.data() + offsets[i];
    if (strings)
      strings->apply(w);
    uint32_t bad = kUnprocessed;
    btf::forEachTypeIdField(w, [&](uint32_t &t) {
      const uint32_t canon = resolveBounded(s, t);
      const uint32_t n = canon == kUnprocessed ? kUnprocessed : newId[canon];
      if (n == kUnprocessed && bad == kUnprocessed)
        bad = t;
      t = n;
    });
    if (bad != kUnprocessed)
      return Error(fmt::format("dedup: type [{}] (new id) refers to type [{}], which has no "
                               "canonical type (internal error)",
                               s.startId + i, bad));
  }
  countMerges(s);
  s.stats.typesOut = uint32_t(offsets.size());
  s.btf().replaceTypes(std::move(words), std::move(offsets));
  return Error::success();
}

} // namespace d2b::dedup::detail
