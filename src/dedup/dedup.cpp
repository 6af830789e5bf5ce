/// BTF deduplication driver and shared helpers.
///
/// Design (after libbpf's btf__dedup, reimplemented; see dedup.h):
///
/// Every type gets a canonical representative, recorded in `map` (a type is
/// canonical when map[id] == id). Passes run in a fixed order, each over the
/// own types in id order, and each search goes through a candidate index
/// keyed by a type signature (XXH3) whose buckets list canonical types
/// oldest first:
///
///  0. validate   every id, string offset and record length is checked first,
///                so later passes can read types without bounds checks.
///  1. base       (split BTF) base types are canonical and immutable; they
///                are indexed so own types can collapse into them.
///  2. strings    referenced strings are re-interned in first-reference order;
///                strings the base has use the base's offsets.
///  3. prims      INT/FLOAT/FWD by exact signature; enums likewise, plus enum
///                forward declarations (no values) match the enum of that name,
///                including ENUM64 definitions.
///  4. composites STRUCT/UNION (and TYPEDEF under current rules) by graph
///                equivalence: a side-by-side DFS over candidate and canonical
///                graphs with a hypothetical canonical->candidate map; cycles
///                count as equal, FWD<->STRUCT with the same name is equal (FWDs
///                are followed only on the canonical side), and exact duplicates
///                a compiler emitted inside one CU are tolerated.
///  5. fwds       a FWD still unresolved maps to the one STRUCT/UNION of that
///                name, if there is exactly one.
///  6. refs       PTR/CONST/.../ARRAY/FUNC_PROTO/DECL_TAG: referents are
///                resolved first (recursively, loops are errors), then the type
///                is matched by exact signature.
///  7. compact    canonical own types are kept in input order and renumbered,
///                then every type id is remapped through map and the new ids.
///
/// Everything is single-threaded and touches each type a bounded number of
/// times outside the equivalence DFS, whose work is amortised by recording
/// every struct it proves equivalent. Results never depend on hash values or
/// table layout, only on input order (DedupOptions::forceHashCollisions
/// exists to test that).
///
/// Relation to libbpf. On input where every canonical choice is unambiguous
/// the output is byte-identical to libbpf's (tests/integration compares with
/// the installed libbpf under LibbpfRules::V1_1 and Current). Deliberate
/// differences:
///  - when several canonical types match (ambiguous input: different types
///    sharing a name, reached through FWDs), the oldest wins; libbpf takes
///    whichever its hash table lists first;
///  - the identical-duplicate check (current rules) compares both arrays'
///    element and index types (libbpf HEAD compares the first array with
///    itself), counts every step against its depth limit (libbpf does not
///    for pointer/typedef chains, so a pointer cycle can spin) and has a
///    step budget; under V1_1 rules its recursion is capped at depth 64;
///  - malformed input gives a located Error instead of -EINVAL/-ELOOP or a
///    crash, and no pass recurses on the call stack.
#include "dwarf2btf/dedup/dedup.h"
#include "dwarf2btf/support/huge_pages.h"

#include <fmt/format.h>
#include <tbb/parallel_invoke.h>
#include <xxhash.h>

#include "dedup_state.h"
#include "dwarf2btf/support/arena.h"

namespace d2b::dedup {
namespace detail {

using btf::Kind;

Role roleOf(Kind k, LibbpfRules rules) {
  switch (k) {
  case Kind::Int:
  case Kind::Float:
  case Kind::Fwd:
    return Role::Prim;
  case Kind::Enum:
  case Kind::Enum64:
    return Role::Enum;
  case Kind::Struct:
  case Kind::Union:
    return Role::Composite;
  case Kind::Typedef:
    // libbpf >= 1.7 compares typedefs as graphs so that recursive typedefs
    // (Go) work and typedefs of FWDs merge with typedefs of definitions.
    return rules == LibbpfRules::Current ? Role::Composite : Role::Ref;
  case Kind::Ptr:
  case Kind::Array:
  case Kind::Volatile:
  case Kind::Const:
  case Kind::Restrict:
  case Kind::Func:
  case Kind::FuncProto:
  case Kind::DeclTag:
  case Kind::TypeTag:
    return Role::Ref;
  case Kind::Var:
  case Kind::Datasec:
    return Role::Unique;
  case Kind::Unkn:
    return Role::Invalid;
  }
  return Role::Invalid;
}

bool compatEnum(const uint32_t *a, const uint32_t *b) {
  if (!isEnumFwd(a) && !isEnumFwd(b))
    return wordsEqual(a, b);
  // A forward declaration has no values and may differ in size and in
  // ENUM vs ENUM64 from the definition; only the name has to agree.
  Kind kb = kindOf(b);
  return a[0] == b[0] && (kb == Kind::Enum || kb == Kind::Enum64);
}

State::State(btf::Btf &b, const DedupOptions &o)
    : bt(&b), opts(o), startId(b.startId()), endId(b.endId()), map(endId, kUnprocessed),
      hypot(endId, kUnprocessed) {
  map[0] = 0;
  exact.reserve(b.ownCount() / 4);
  shallow.reserve(b.ownCount() / 16);
}

uint64_t State::exactKey(const uint32_t *w) const {
  return opts.forceHashCollisions ? 0 : XXH3_64bits(w, wordCount(w) * 4);
}

uint64_t State::shallowKey(const uint32_t *w) {
  if (opts.forceHashCollisions)
    return 0;
  const uint32_t n = wordCount(w);
  scratch.assign(w, w + n);
  btf::forEachTypeIdField(scratch.data(), [](uint32_t &id) { id = 0; });
  // Distinct seed: a shallow key must never alias an exact key of the same
  // words (both indexes are separate anyway; this keeps them independent).
  return XXH3_64bits_withSeed(scratch.data(), n * 4, 0x5a11);
}

void State::index(uint32_t id) {
  const uint32_t *w = words(id);
  switch (roleOf(kindOf(w), opts.rules)) {
  case Role::Prim:
  case Role::Ref:
    exact.add(exactKey(w), id);
    return;
  case Role::Enum:
    enumAll.add(nameKey(w[0]), id);
    if (isEnumFwd(w))
      enumFwd.add(nameKey(w[0]), id);
    else
      exact.add(exactKey(w), id);
    return;
  case Role::Composite:
    shallow.add(shallowKey(w), id);
    return;
  case Role::Unique:
  case Role::Invalid:
    return;
  }
}

namespace {

std::string typeLabel(bool base, uint32_t id) {
  return fmt::format("dedup: {}type [{}]", base ? "base " : "", id);
}

/// Checks the own types of one level (the split part, or a base).
Error validateLevel(const btf::Btf &b, bool isBase, uint32_t fromIndex = 0) {
  const std::vector<uint32_t> &words = b.words();
  const std::vector<uint32_t> &offs = b.offsets();
  const uint32_t endId = b.endId();
  // What parseBtf checked (a base read from a file) is not checked again.
  for (uint32_t i = std::max(fromIndex, b.checkedTypes()); i < offs.size(); ++i) {
    const uint32_t id = b.startId() + i;
    const size_t begin = offs[i];
    const size_t end = i + 1 < offs.size() ? offs[i + 1] : words.size();
    if (end < begin + 3 || end > words.size())
      return Error(fmt::format("{}: truncated type record ({} words)", typeLabel(isBase, id),
                               end >= begin ? end - begin : 0));
    const uint32_t *w = words.data() + begin;
    const uint32_t kindRaw = btf::infoKindRaw(w[1]);
    if (kindRaw > btf::kMaxKind || kindRaw == uint32_t(Kind::Unkn))
      return Error(fmt::format("{}: unknown kind {}", typeLabel(isBase, id), kindRaw));
    const size_t need = wordCount(w);
    if (end - begin != need)
      return Error(fmt::format("{}: {} with vlen {} needs {} words, record has {}",
                               typeLabel(isBase, id), btf::kindName(kindOf(w)), btf::infoVlen(w[1]),
                               need, end - begin));
    uint32_t badId = 0;
    btf::forEachTypeIdField(w, [&](const uint32_t &t) {
      if (t >= endId && !badId)
        badId = t;
    });
    if (badId)
      return Error(fmt::format("{}: refers to type id {}, but the last type id is {}",
                               typeLabel(isBase, id), badId, endId - 1));
    uint32_t badStr = 0;
    bool anyBad = false;
    btf::forEachStrField(w, [&](const uint32_t &off) {
      if (!anyBad && !b.validStrOffset(off)) {
        anyBad = true;
        badStr = off;
      }
    });
    if (anyBad)
      return Error(fmt::format("{}: invalid string offset {:#x}", typeLabel(isBase, id), badStr));
  }
  return Error::success();
}

} // namespace

Error validate(const State &s) {
  if (Error e = validateLevel(s.btf(), false))
    return e;
  for (const btf::Btf *b = s.btf().base(); b; b = b->base())
    if (Error e = validateLevel(*b, true))
      return e;
  return Error::success();
}

Error validateOwn(const State &s) { return validateLevel(s.btf(), false); }

Error validateRange(const State &s, uint32_t from) {
  return validateLevel(s.btf(), false, from - s.btf().startId());
}

void grow(State &s) {
  const uint32_t from = s.endId;
  const uint32_t to = s.btf().endId();
  s.map.resize(to, kUnprocessed);
  s.hypot.resize(to, kUnprocessed);
  s.kinds.resize(to);
  for (uint32_t id = from; id < to; ++id)
    s.kinds[id] = uint8_t(kindOf(s.words(id)));
  s.endId = to;
  for (uint32_t id = from; id < to; ++id)
    if (s.role(id) == Role::Unique)
      s.map[id] = id;
}

void prepareFrom(State &s, const PreparedBase::Impl &pb) {
  s.kinds = pb.kinds;
  s.kinds.resize(s.endId);
  for (uint32_t id = s.startId; id < s.endId; ++id)
    s.kinds[id] = uint8_t(kindOf(s.words(id)));
  for (uint32_t id = 1; id < s.startId; ++id)
    s.map[id] = id;
  // Same ids under the same keys in the same order as prepare() adds them,
  // so every lookup sees the same candidate lists.
  s.exact.setUnder(&pb.exact);
  s.shallow.setUnder(&pb.shallow);
  s.enumAll.setUnder(&pb.enumAll);
  s.enumFwd.setUnder(&pb.enumFwd);
  s.baseStructNames = &pb.structNames;
  for (uint32_t id = s.startId; id < s.endId; ++id)
    if (s.role(id) == Role::Unique)
      s.map[id] = id;
}

void prepare(State &s) {
  s.kinds.resize(s.endId);
  s.kinds[0] = uint8_t(Kind::Unkn);
  for (uint32_t id = 1; id < s.endId; ++id)
    s.kinds[id] = uint8_t(kindOf(s.words(id)));
  // The constructor sized the tables for the own types; here the base's are
  // indexed too. Under a small module nearly every entry is a vmlinux base
  // type, and growing the tables step by step cost a third of the indexing.
  size_t exactKeys = 0, shallowKeys = 0;
  for (uint32_t id = 1; id < s.startId; ++id) {
    switch (roleOf(Kind(s.kinds[id]), s.opts.rules)) {
    case Role::Prim:
    case Role::Ref:
    case Role::Enum:
      ++exactKeys;
      break;
    case Role::Composite:
      ++shallowKeys;
      break;
    case Role::Unique:
    case Role::Invalid:
      break;
    }
  }
  s.exact.reserve(exactKeys + (s.endId - s.startId) / 4);
  s.shallow.reserve(shallowKeys + (s.endId - s.startId) / 16);
  for (uint32_t id = 1; id < s.startId; ++id) {
    s.map[id] = id;
    s.index(id);
  }
  // VAR and DATASEC are never merged, so they are their own canonicals now.
  for (uint32_t id = s.startId; id < s.endId; ++id)
    if (s.role(id) == Role::Unique)
      s.map[id] = id;
}

} // namespace detail

namespace {

/// The passes after the composite pass.
Expected<DedupStats> runRest(detail::State &s) {
  using namespace detail;
  btf::Btf &btf = s.btf();
  resolveFwdsByName(s);
  if (Error e = dedupRefs(s))
    return e;
  if (Error e = compactAndRemap(s))
    return e;
  s.stats.stringBytesOut = btf.strings().size();
  return s.stats;
}

Expected<DedupStats> run(detail::State &s) {
  using namespace detail;
  // Strings first, as libbpf; the type passes only compare string offsets,
  // which are equal exactly when the strings are, in either table.
  dedupStrings(s);
  dedupPrims(s);
  if (Error e = dedupComposites(s))
    return e;
  return runRest(s);
}

bool sameOptions(const DedupOptions &a, const DedupOptions &b) {
  return a.rules == b.rules && a.forceHashCollisions == b.forceHashCollisions;
}

} // namespace

bool decidedByReferencePass(btf::Kind k, LibbpfRules rules) {
  return detail::roleOf(k, rules) == detail::Role::Ref;
}

Expected<DedupStats> dedup(btf::Btf &btf, const DedupOptions &opts) {
  using namespace detail;
  State s(btf, opts);
  if (Error e = validate(s))
    return e;
  s.stats.typesIn = btf.ownCount();
  s.stats.stringBytesIn = btf.strings().size();
  prepare(s);
  return run(s);
}

IncrementalDedup::IncrementalDedup(const DedupOptions &opts) : opts_(opts) {}

IncrementalDedup::~IncrementalDedup() = default;

void IncrementalDedup::start() {
  using namespace detail;
  // Start empty and grow: every type goes through the same steps.
  btf::Btf none;
  s_ = std::make_unique<State>(none, opts_);
  s_->kinds.assign(1, uint8_t(btf::Kind::Unkn));
}

void IncrementalDedup::reserve(size_t types) {
  if (!s_)
    start();
  s_->map.reserve(types);
  s_->hypot.reserve(types);
  s_->kinds.reserve(types);
  adviseHugePages(s_->map);
  adviseHugePages(s_->hypot);
  adviseHugePages(s_->kinds);
  // The candidate tables hold canonical types only (few, until the
  // reference pass), so they are left to grow.
}

Error IncrementalDedup::advance(btf::Btf &btf) {
  using namespace detail;
  if (btf.base())
    return Error("dedup: incremental deduplication of split BTF is not supported");
  if (!s_)
    start();
  State &s = *s_;
  s.bt = &btf;
  const uint32_t from = s.endId;
  if (btf.endId() < from)
    return Error("dedup: incremental input lost types");
  if (btf.endId() == from)
    return Error::success();
  if (Error e = validateRange(s, from))
    return e;
  canonicalizeStrings(s, from);
  grow(s);
  dedupPrims(s, from, s.endId);
  return dedupComposites(s, from, s.endId);
}

Expected<DedupStats> IncrementalDedup::finish(btf::Btf &btf, unsigned jobs) {
  using namespace detail;
  if (Error e = advance(btf))
    return e;
  if (!s_)
    return DedupStats{};
  State &s = *s_;
  s.stats.typesIn = btf.ownCount();
  s.stats.stringBytesIn = btf.strings().size();
  // The string pass is planned now, not first as in dedup(): the piecewise
  // passes compared offsets into the input's interned table, equal exactly
  // when the strings are (canonicalizeStrings), and the plan depends only
  // on type order, not on merges. The remaining type passes compare the
  // same offsets and rewrite only type ids, the plan only reads string
  // fields: the two run at once, and compaction applies the plan to the
  // types it keeps.
  StringPlan strings;
  Error typeError;
  // (canonicalizeStrings is done with its table of offsets.)
  auto planStep = [&] { strings = planStrings(s, std::move(s.strCanon)); };
  auto typeStep = [&] {
    resolveFwdsByName(s);
    typeError = dedupRefs(s);
  };
  if (jobs > 1) {
    tbb::task_arena arena = makeArena(2);
    arena.execute([&] { tbb::parallel_invoke(planStep, typeStep); });
  } else {
    planStep();
    typeStep();
  }
  if (typeError)
    return typeError;
  if (Error e = compactAndRemap(s, &strings))
    return e;
  btf.replaceStrings(std::move(strings.fresh));
  s.stats.stringBytesOut = btf.strings().size();
  const DedupStats st = s.stats;
  s_.reset();
  return st;
}

PreparedBase::PreparedBase(const btf::Btf &base, std::unique_ptr<Impl> impl)
    : base_(&base), impl_(std::move(impl)) {}

PreparedBase::~PreparedBase() = default;

Expected<std::shared_ptr<const PreparedBase>> PreparedBase::create(const btf::Btf &base,
                                                                   const DedupOptions &opts) {
  using namespace detail;
  // An empty split on top of the base: prepare() then does exactly the
  // base-side work a real split would.
  btf::Btf empty(&base);
  State s(empty, opts);
  if (Error e = validate(s))
    return e;
  prepare(s);
  auto impl = std::make_unique<Impl>();
  for (uint32_t id = 1; id < s.endId; ++id)
    if (s.kind(id) == btf::Kind::Struct || s.kind(id) == btf::Kind::Union)
      impl->structNames.add(s.nameKey(s.words(id)[0]), id);
  impl->opts = opts;
  impl->endId = s.endId;
  impl->kinds = std::move(s.kinds);
  impl->exact = std::move(s.exact);
  impl->shallow = std::move(s.shallow);
  impl->enumAll = std::move(s.enumAll);
  impl->enumFwd = std::move(s.enumFwd);
  return std::shared_ptr<const PreparedBase>(new PreparedBase(base, std::move(impl)));
}

Expected<DedupStats> dedup(btf::Btf &btf, const DedupOptions &opts, const PreparedBase &prepared) {
  using namespace detail;
  if (btf.base() != &prepared.base() || btf.startId() != prepared.impl().endId)
    return Error("dedup: the BTF's base is not the prepared base");
  if (!sameOptions(opts, prepared.impl().opts))
    return Error("dedup: options differ from the prepared base's");
  State s(btf, opts);
  if (Error e = validateOwn(s))
    return e;
  s.stats.typesIn = btf.ownCount();
  s.stats.stringBytesIn = btf.strings().size();
  prepareFrom(s, prepared.impl());
  return run(s);
}

} // namespace d2b::dedup
