/// Composite pass: STRUCT/UNION (and TYPEDEF under current libbpf rules) are
/// merged when their whole type graphs are equivalent.
///
/// Equiv::check(cand, canon) walks both graphs side by side (an explicit stack in
/// the same pre-order as a recursive walk, so hostile inputs cannot exhaust
/// the call stack) and records canonical->candidate pairs in `hypot`:
///  - a canonical type already paired with the same candidate is a cycle and
///    counts as equal; paired with a different one is a contradiction, unless
///    the two candidates are identical duplicates a compiler emitted in one CU;
///  - FWD vs STRUCT/UNION of the same name and kind is equal; FWDs are
///    followed to their resolution only on the canonical side, because a
///    candidate graph comes from one CU and is internally consistent;
///  - with split BTF, a match that needs a base FWD resolved is recorded (the
///    base FWD points at the split definition) but otherwise rejected, since
///    base types cannot change.
/// After a successful check, Equiv::merge() makes FWD resolutions permanent
/// and maps every struct the check proved equivalent, so each CU's graph is
/// walked about once.
#include <algorithm>

#include <fmt/format.h>

#include "dedup_state.h"

namespace d2b::dedup::detail {

using btf::Kind;

namespace {

/// Bounds the identical-duplicate check (libbpf uses depth 16 and no budget;
/// the budget keeps adversarial fan-out from going exponential).
constexpr int kIdenticalDepth = 16;
constexpr int kLegacyIdenticalDepth = 64;
constexpr uint32_t kIdenticalBudget = 1u << 16;

class Equiv {
public:
  Equiv(State &s, uint64_t stepLimit) : s_(s), stepLimit_(stepLimit) {}

  /// True if the graphs rooted at cand and canon are equivalent.
  Expected<bool> check(uint32_t cand, uint32_t canon);
  void merge();

private:
  enum class Step { Equal, Different, Descend };
  Expected<Step> visit(uint32_t cand, uint32_t canon);
  bool identical(uint32_t a, uint32_t b);
  bool identicalCurrent(uint32_t a, uint32_t b, int depth);
  bool identicalLegacy(uint32_t a, uint32_t b, int depth);
  void addHypot(uint32_t canon, uint32_t cand) {
    s_.hypotList.push_back(canon);
    s_.hypot[canon] = cand;
  }

  State &s_;
  const uint64_t stepLimit_;                         // of s_.stats.equivSteps
  std::vector<std::pair<uint32_t, uint32_t>> stack_; // (cand, canon) still to visit
  uint32_t budget_ = 0;
};

Expected<bool> Equiv::check(uint32_t cand, uint32_t canon) {
  for (uint32_t c : s_.hypotList)
    s_.hypot[c] = kUnprocessed;
  s_.hypotList.clear();
  s_.hypotAdjustCanon = false;
  ++s_.stats.equivChecks;

  stack_.clear();
  stack_.emplace_back(cand, canon);
  while (!stack_.empty()) {
    if (++s_.stats.equivSteps > stepLimit_) {
      s_.stats.equivBudgetExhausted = true;
      return false;
    }
    auto [c, k] = stack_.back();
    stack_.pop_back();
    Expected<Step> step = visit(c, k);
    if (!step)
      return step.error();
    if (*step == Step::Different)
      return false;
  }
  return true;
}

Expected<Equiv::Step> Equiv::visit(uint32_t cand, uint32_t canon) {
  if (s_.resolve(cand) == s_.resolve(canon))
    return Step::Equal;
  canon = s_.resolveFwd(canon);

  if (const uint32_t seen = s_.hypot[canon]; seen != kUnprocessed) {
    if (seen == cand)
      return Step::Equal; // a cycle, or a shared subgraph
    // A consistent candidate graph pairs each canonical type with exactly one
    // candidate, except for duplicates the compiler emitted inside one CU.
    return identical(seen, cand) ? Step::Equal : Step::Different;
  }
  addHypot(canon, cand);

  const uint32_t *cw = s_.words(cand);
  const uint32_t *kw = s_.words(canon);
  if (cw[0] != kw[0])
    return Step::Different;
  const Kind ck = kindOf(cw);
  const Kind kk = kindOf(kw);
  if ((ck == Kind::Fwd || kk == Kind::Fwd) && ck != kk) {
    if (ck == Kind::Fwd)
      return fwdKind(cw) == kk ? Step::Equal : Step::Different;
    if (fwdKind(kw) != ck)
      return Step::Different;
    if (canon < s_.startId)
      s_.hypotAdjustCanon = true; // would need the base FWD resolved
    return Step::Equal;
  }
  if (ck != kk)
    return Step::Different;

  switch (roleOf(ck, s_.opts.rules)) {
  case Role::Enum:
    return compatEnum(cw, kw) ? Step::Equal : Step::Different;
  case Role::Unique:
  case Role::Invalid:
    return Error(fmt::format("dedup: types [{}] and [{}]: a {} cannot be part of a type graph",
                             cand, canon, btf::kindName(ck)));
  case Role::Prim:
  case Role::Composite:
  case Role::Ref:
    break;
  }
  if (ck == Kind::DeclTag)
    return Error(fmt::format(
        "dedup: types [{}] and [{}]: a DECL_TAG cannot be part of a type graph", cand, canon));
  if (!shallowEqual(cw, kw))
    return Step::Different;
  // Children in reverse so the first referenced type is visited first. A
  // pair of one id is equal without a visit (often so: members that name a
  // type an earlier unit merged), and is not counted as a step.
  const size_t mark = stack_.size();
  btf::forEachTypeIdField(cw, [&](const uint32_t &cf) {
    if (const uint32_t kf = kw[&cf - cw]; kf != cf)
      stack_.emplace_back(cf, kf);
  });
  std::reverse(stack_.begin() + mark, stack_.end());
  return Step::Descend;
}

bool Equiv::identical(uint32_t a, uint32_t b) {
  budget_ = kIdenticalBudget;
  return s_.opts.rules == LibbpfRules::Current ? identicalCurrent(a, b, kIdenticalDepth)
                                               : identicalLegacy(a, b, kLegacyIdenticalDepth);
}

// libbpf >= 1.6: any two types that are structurally the same down to the
// same referenced ids (within the depth limit).
bool Equiv::identicalCurrent(uint32_t a, uint32_t b, int depth) {
  if (a == b)
    return true;
  if (depth <= 0 || budget_ == 0)
    return false;
  --budget_;
  const uint32_t *wa = s_.words(a);
  const uint32_t *wb = s_.words(b);
  const Kind k = kindOf(wa);
  if (k != kindOf(wb))
    return false;
  switch (roleOf(k, s_.opts.rules)) {
  case Role::Enum:
    return compatEnum(wa, wb);
  case Role::Unique:
  case Role::Invalid:
    return false;
  case Role::Prim:
  case Role::Composite:
  case Role::Ref:
    break;
  }
  if (k == Kind::DeclTag || !shallowEqual(wa, wb))
    return false;
  bool same = true;
  btf::forEachTypeIdField(wa, [&](const uint32_t &fa) {
    const uint32_t fb = wb[&fa - wa];
    if (same && fa != fb && !identicalCurrent(fa, fb, depth - 1))
      same = false;
  });
  return same;
}

// libbpf 1.1 .. 1.5: identical ARRAYs (same words), or STRUCT/UNIONs whose
// members are the same ids or, recursively, such ARRAYs and STRUCT/UNIONs.
bool Equiv::identicalLegacy(uint32_t a, uint32_t b, int depth) {
  if (depth <= 0 || budget_ == 0)
    return false;
  --budget_;
  const uint32_t *wa = s_.words(a);
  const uint32_t *wb = s_.words(b);
  const Kind k = kindOf(wa);
  if (k == Kind::Array && kindOf(wb) == Kind::Array)
    return wordsEqual(wa, wb);
  if ((k != Kind::Struct && k != Kind::Union) || !shallowEqual(wa, wb))
    return false;
  bool same = true;
  btf::forEachTypeIdField(wa, [&](const uint32_t &fa) {
    const uint32_t fb = wb[&fa - wa];
    if (same && fa != fb && !identicalLegacy(fa, fb, depth - 1))
      same = false;
  });
  return same;
}

void Equiv::merge() {
  for (uint32_t canonId : s_.hypotList) {
    const uint32_t t = s_.resolve(s_.hypot[canonId]);
    const uint32_t c = s_.resolve(canonId);
    const Kind tk = s_.kind(t);
    const Kind ck = s_.kind(c);
    // A canonical-side FWD now stands for the candidate's definition. This
    // is recorded even for base FWDs, so split FWDs resolved against them
    // reach the definition.
    if (tk != Kind::Fwd && ck == Kind::Fwd)
      s_.map[c] = t;
    if (s_.hypotAdjustCanon)
      continue;
    if (tk == Kind::Fwd && ck != Kind::Fwd)
      s_.map[t] = c;
    // Not needed for correctness: structs proven equivalent to an already
    // canonical struct need no check of their own later.
    if ((tk == Kind::Struct || tk == Kind::Union) && ck != Kind::Fwd && s_.isMapped(c) &&
        !s_.isMapped(t))
      s_.map[t] = c;
  }
}

} // namespace

Error dedupComposites(State &s, uint32_t from, uint32_t to) {
  from = std::max(from, s.startId);
  to = std::min(to, s.endId);
  // Run piecewise (IncrementalDedup), the limit follows the types seen so far.
  Equiv eq(s, kEquivStepsBase + kEquivStepsPerType * uint64_t(s.endId - s.startId));
  for (uint32_t id = from; id < to; ++id) {
    if (s.isMapped(id))
      continue; // already proven equivalent while checking an earlier type
    if (s.role(id) != Role::Composite)
      continue;
    const uint32_t *w = s.words(id);
    const uint64_t key = s.shallowKey(w);
    uint32_t canon = id;
    // Past the work limit every composite stays its own canonical type:
    // scanning the candidates would itself be quadratic.
    for (CandTable::Cursor c = s.stats.equivBudgetExhausted ? CandTable::Cursor{}
                                                            : s.shallow.first(key);
         c.valid(); c = s.shallow.next(c)) {
      const uint32_t cand = c.id;
      // Guards against a FWD or other kind sharing the key: FWD<->STRUCT
      // counts as equivalent inside the walk and could form a map loop.
      if (!shallowEqual(w, s.words(cand)))
        continue;
      Expected<bool> same = eq.check(id, cand);
      if (!same)
        return same.error();
      if (!*same)
        continue;
      eq.merge();
      if (s.hypotAdjustCanon)
        continue;
      canon = cand;
      break;
    }
    s.map[id] = canon;
    if (canon == id)
      s.shallow.add(key, id);
  }
  return Error::success();
}

} // namespace d2b::dedup::detail
