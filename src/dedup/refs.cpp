/// Last-resort FWD resolution and the reference-type pass.
#include <fmt/format.h>

#include "dedup_state.h"

namespace d2b::dedup::detail {

using btf::Kind;

/// A FWD that no graph comparison resolved (e.g. `struct foo;` used only
/// through a global pointer in one CU) maps to the STRUCT/UNION of that name
/// when exactly one canonical STRUCT or UNION, base or own, has the name.
void resolveFwdsByName(State &s) {
  CandTable names;
  names.setUnder(s.baseStructNames);
  for (uint32_t id = s.baseStructNames ? s.startId : 1; id < s.endId; ++id) {
    const Kind k = s.kind(id);
    if ((k == Kind::Struct || k == Kind::Union) && s.map[id] == id)
      names.add(s.nameKey(s.words(id)[0]), id);
  }
  for (uint32_t id = s.startId; id < s.endId; ++id) {
    if (s.kind(id) != Kind::Fwd || s.map[id] != id)
      continue;
    const uint32_t *w = s.words(id);
    uint32_t def = 0, count = 0;
    for (CandTable::Cursor c = names.first(s.nameKey(w[0])); c.valid() && count < 2;
         c = names.next(c))
      if (s.words(c.id)[0] == w[0]) {
        def = c.id;
        ++count;
      }
    if (count != 1)
      continue; // no definition, or ambiguous
    if (s.kind(def) != fwdKind(w))
      continue;
    s.map[id] = def;
    ++s.stats.fwdsResolvedByName;
  }
}

namespace {

/// Resolves reference types depth first. Each type's referenced ids are
/// rewritten to their canonical ids before the type itself is matched by
/// exact signature, so equal chains collapse bottom-up. The walk uses an
/// explicit stack so long chains cannot overflow the call stack.
class RefResolver {
public:
  explicit RefResolver(State &s) : s_(s) {}

  /// Canonical id of `root`, resolving it (and what it references) if needed.
  Expected<uint32_t> resolve(uint32_t root);

private:
  struct Frame {
    uint32_t id;
    uint32_t next;  // index into fields_ of the next field to resolve
    uint32_t begin; // this frame's fields are fields_[begin, end)
    uint32_t end;
  };
  Error enter(uint32_t id);
  uint32_t finish(uint32_t id);

  State &s_;
  std::vector<Frame> frames_;
  std::vector<uint32_t *> fields_; // type-id words still to rewrite
};

Error RefResolver::enter(uint32_t id) {
  if (id < s_.startId || s_.role(id) != Role::Ref)
    return Error(fmt::format("dedup: type [{}]: {} was not deduplicated by an earlier pass", id,
                             btf::kindName(s_.kind(id))));
  s_.map[id] = kInProgress;
  const uint32_t begin = uint32_t(fields_.size());
  btf::forEachTypeIdField(s_.btf().mutableTypeWords(id),
                          [&](uint32_t &f) { fields_.push_back(&f); });
  frames_.push_back(Frame{id, begin, begin, uint32_t(fields_.size())});
  return Error::success();
}

uint32_t RefResolver::finish(uint32_t id) {
  const uint32_t *w = s_.words(id);
  const uint64_t key = s_.exactKey(w);
  for (CandTable::Cursor c = s_.exact.first(key); c.valid(); c = s_.exact.next(c))
    if (wordsEqual(w, s_.words(c.id)))
      return s_.map[id] = c.id;
  s_.map[id] = id;
  s_.exact.add(key, id);
  return id;
}

Expected<uint32_t> RefResolver::resolve(uint32_t root) {
  if (s_.map[root] == kInProgress)
    return Error(fmt::format("dedup: type [{}]: reference loop", root));
  if (s_.isMapped(root))
    return s_.resolve(root);
  frames_.clear();
  fields_.clear();
  if (Error e = enter(root))
    return e;
  for (;;) {
    Frame &f = frames_.back();
    if (f.next < f.end) {
      uint32_t &field = *fields_[f.next];
      if (s_.map[field] == kInProgress)
        return Error(fmt::format("dedup: type [{}]: reference loop: {} [{}] refers back to it",
                                 field, btf::kindName(kindOf(s_.words(f.id))), f.id));
      if (s_.isMapped(field)) {
        field = s_.resolve(field);
        ++f.next;
        continue;
      }
      if (Error e = enter(field)) // invalidates f
        return e;
      continue;
    }
    const uint32_t canon = finish(f.id);
    fields_.resize(f.begin);
    frames_.pop_back();
    if (frames_.empty())
      return canon;
    Frame &parent = frames_.back();
    *fields_[parent.next] = canon;
    ++parent.next;
  }
}

} // namespace

Error dedupRefs(State &s) {
  RefResolver r(s);
  for (uint32_t id = s.startId; id < s.endId; ++id) {
    Expected<uint32_t> canon = r.resolve(id);
    if (!canon)
      return canon.error();
  }
  return Error::success();
}

} // namespace d2b::dedup::detail
