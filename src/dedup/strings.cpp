/// String pass: keep only referenced strings, each once, in first-reference
/// order (own types by id, fields in field_iter.h order). This is also the
/// layout libbpf produces, so outputs can be compared byte for byte.
///
/// It runs before the type passes, so later equality checks can compare
/// string offsets instead of strings. Every merge the type passes make is
/// between types whose strings are equal, so no string kept here ends up
/// referenced only by dropped types.
#include <xxhash.h>

#include "dedup_state.h"

namespace d2b::dedup::detail {

StringPlan planStrings(const State &s, std::vector<uint32_t> memo) {
  const btf::Btf &b = s.btf();
  const btf::StringTable &old = b.strings();
  StringPlan plan{btf::StringTable(old.firstOffset()), std::move(memo), old.firstOffset()};
  // Inputs usually intern their strings already, so most offsets repeat;
  // remembering each old offset's answer avoids hashing the string again.
  plan.memo.assign(old.size(), kUnprocessed);
  auto visit = [&](const uint32_t &off) {
    // Offset 0 is "" everywhere, and offsets below `first` are the base's,
    // which is immutable.
    if (off == 0 || off < plan.first)
      return;
    uint32_t &known = plan.memo[off - plan.first];
    if (known != kUnprocessed)
      return;
    const std::string_view str = old.at(off);
    uint32_t found = UINT32_MAX;
    for (const btf::Btf *base = b.base(); base && found == UINT32_MAX; base = base->base())
      found = base->strings().find(str);
    known = found != UINT32_MAX ? found : plan.fresh.add(str);
  };
  for (uint32_t id = s.startId; id < s.endId; ++id)
    btf::forEachStrField(s.words(id), visit);
  return plan;
}

void StringPlan::apply(uint32_t *words) const {
  btf::forEachStrField(words, [&](uint32_t &off) {
    if (off != 0 && off >= first)
      off = memo[off - first];
  });
}

void dedupStrings(State &s) {
  btf::Btf &b = s.btf();
  StringPlan plan = planStrings(s);
  for (uint32_t id = s.startId; id < s.endId; ++id)
    plan.apply(b.mutableTypeWords(id));
  b.replaceStrings(std::move(plan.fresh));
}

void canonicalizeStrings(State &s, uint32_t from) {
  btf::Btf &b = s.btf();
  const btf::StringTable &table = b.strings();
  const uint32_t first = table.firstOffset();
  if (s.strCanon.size() < table.size())
    s.strCanon.resize(table.size(), kUnprocessed);
  auto canon = [&](uint32_t &off) {
    if (off < first)
      return; // the base's (incremental dedup has no base; kept for clarity)
    uint32_t &known = s.strCanon[off - first];
    if (known == kUnprocessed) {
      const std::string_view str = table.at(off);
      if (str.empty()) {
        known = 0;
      } else {
        const uint64_t key = XXH3_64bits(str.data(), str.size());
        known = off;
        for (CandTable::Cursor c = s.strByContent.first(key); c.valid(); c = s.strByContent.next(c))
          if (table.at(c.id) == str) {
            known = c.id;
            break;
          }
        if (known == off)
          s.strByContent.add(key, off);
      }
    }
    off = known;
  };
  for (uint32_t id = from; id < b.endId(); ++id)
    btf::forEachStrField(b.mutableTypeWords(id), canon);
}

} // namespace d2b::dedup::detail
