#pragma once
/// Internal state shared by the dedup passes (see dedup.cpp for the design
/// overview). Not installed; only src/dedup/*.cpp include it.
#include <cstdint>
#include <cstring>
#include <utility>
#include <vector>

#include "cand_table.h"
#include "dwarf2btf/btf/btf.h"
#include "dwarf2btf/btf/field_iter.h"
#include "dwarf2btf/dedup/dedup.h"
#include "dwarf2btf/support/expected.h"

namespace d2b::dedup::detail {

/// map[] / hypot[] value for a type that has no canonical yet.
inline constexpr uint32_t kUnprocessed = UINT32_MAX;
/// map[] value while the reference pass is resolving a type (loop detection).
inline constexpr uint32_t kInProgress = UINT32_MAX - 1;

/// Which pass decides a kind's canonical representative.
enum class Role : uint8_t {
  Prim,      // INT, FLOAT, FWD: exact signature, no references
  Enum,      // ENUM, ENUM64: exact signature plus enum forward declarations
  Composite, // STRUCT, UNION (and TYPEDEF with current rules): graph equivalence
  Ref,       // PTR, ARRAY, FUNC_PROTO, ...: exact signature after resolving referents
  Unique,    // VAR, DATASEC: never merged
  Invalid,   // UNKN: not a real type
};

Role roleOf(btf::Kind k, LibbpfRules rules);

using btf::kindOf; // field_iter.h
inline uint32_t wordCount(const uint32_t *w) { return btf::wordCountOf(w); }
/// Every word equal (the equality libbpf uses for INT, FWD, FLOAT, full
/// enums and resolved reference types).
inline bool wordsEqual(const uint32_t *a, const uint32_t *b) {
  return a[1] == b[1] && std::memcmp(a, b, wordCount(a) * 4) == 0;
}
/// Every word equal except the type-id fields: the "shallow" comparison of
/// the equivalence pass.
inline bool shallowEqual(const uint32_t *a, const uint32_t *b) {
  return btf::equalApartFromTypeIds(a, b);
}
/// An ENUM/ENUM64 without values, i.e. a forward-declared enum.
inline bool isEnumFwd(const uint32_t *w) {
  btf::Kind k = kindOf(w);
  return (k == btf::Kind::Enum || k == btf::Kind::Enum64) && btf::infoVlen(w[1]) == 0;
}
/// libbpf's enum compatibility: equal, or same name when either side is a
/// forward declaration (so an enum fwd matches an ENUM64 definition too).
bool compatEnum(const uint32_t *a, const uint32_t *b);
/// Kind a FWD stands for.
inline btf::Kind fwdKind(const uint32_t *w) {
  return btf::infoKflag(w[1]) ? btf::Kind::Union : btf::Kind::Struct;
}

/// Everything the passes share. One instance per dedup() call.
struct State {
  State(btf::Btf &b, const DedupOptions &o);

  /// The BTF being deduplicated. A pointer so IncrementalDedup can follow a
  /// Btf that moved between its calls.
  btf::Btf *bt;
  btf::Btf &btf() const { return *bt; }
  DedupOptions opts;
  DedupStats stats;
  uint32_t startId;
  uint32_t endId;

  /// Canonical map: map[id] == id for canonical types, another id for
  /// duplicates (possibly a chain; see resolve()), kUnprocessed before the
  /// type's pass.
  std::vector<uint32_t> map;
  /// Hypothetical canonical->candidate map of one equivalence check; reused
  /// as the old->new id table by compaction.
  std::vector<uint32_t> hypot;
  std::vector<uint32_t> hypotList;
  /// The last check would have to resolve a base FWD; base types are
  /// immutable, so the candidate counts as different.
  bool hypotAdjustCanon = false;

  CandTable exact;   // key: all words (Prim, full enums, resolved Ref)
  CandTable shallow; // key: all words but type ids (Composite)
  CandTable enumAll; // key: name offset; every canonical ENUM/ENUM64
  CandTable enumFwd; // key: name offset; canonical enum forward declarations
  /// IncrementalDedup: each string offset seen so far mapped to the first
  /// offset holding the same string (the passes before the string pass
  /// compare offsets), and those first offsets by content hash.
  std::vector<uint32_t> strCanon;
  CandTable strByContent;
  /// From a PreparedBase: the base's STRUCT/UNIONs by name (else the FWD
  /// pass indexes the base itself).
  const CandTable *baseStructNames = nullptr;

  std::vector<uint32_t> scratch; // signature buffer for shallowKey()
  /// Kind of every id (base included), one byte each: graph walks test kinds
  /// of far-apart types constantly, and this stays in cache where the type
  /// records do not.
  std::vector<uint8_t> kinds;

  btf::Kind kind(uint32_t id) const { return btf::Kind(kinds[id]); }
  Role role(uint32_t id) const { return roleOf(kind(id), opts.rules); }

  /// Words of any type; id 0 reads as an all-zero VOID header, as in libbpf.
  const uint32_t *words(uint32_t id) const {
    static constexpr uint32_t kVoid[3] = {0, 0, 0};
    if (id >= startId) // own types: the hot case, kept inline
      return bt->words().data() + bt->offsets()[id - startId];
    return id ? bt->typeWords(id) : kVoid;
  }
  bool isMapped(uint32_t id) const { return map[id] < kInProgress; }
  /// Follows the canonical chain to its end (a FWD resolved to a STRUCT is
  /// followed on to that struct's canonical).
  uint32_t resolve(uint32_t id) const {
    while (isMapped(id) && map[id] != id)
      id = map[id];
    return id;
  }
  /// A FWD's resolved STRUCT/UNION if it has one, else `id` unchanged.
  uint32_t resolveFwd(uint32_t id) const {
    if (kind(id) != btf::Kind::Fwd)
      return id;
    uint32_t r = resolve(id);
    return kind(r) == btf::Kind::Fwd ? id : r;
  }

  uint64_t exactKey(const uint32_t *w) const;
  uint64_t shallowKey(const uint32_t *w);
  /// Key for name-indexed tables. Lookups still compare the names: keys
  /// only narrow the search, they never decide a match.
  uint64_t nameKey(uint32_t nameOff) const { return opts.forceHashCollisions ? 0 : nameOff; }
  /// Records a canonical type in the index its role searches.
  void index(uint32_t id);
};

// The passes, in the order dedup() runs them.
Error validate(const State &s);
/// validate() of the split's own types only (the base was checked when it
/// was prepared).
Error validateOwn(const State &s);
/// Maps base types to themselves and indexes them; marks VAR/DATASEC canonical.
void prepare(State &s);
/// prepare() from a PreparedBase: base kinds and candidate tables copied.
void prepareFrom(State &s, const PreparedBase::Impl &pb);
void dedupStrings(State &s);
/// The string pass in two halves, so that the first can run beside the
/// type passes: planned over every own type (reading the types only) and
/// applied to the types compaction keeps. Plan and apply over all types is
/// dedupStrings().
struct StringPlan {
  btf::StringTable fresh;
  std::vector<uint32_t> memo; // by old offset - first: the new offset, or kUnprocessed
  uint32_t first = 0;
  /// Points the string fields of one type's words at the new table.
  void apply(uint32_t *words) const;
};
/// `memo` is storage to reuse for StringPlan::memo (one entry per byte of
/// the string table: 14 MB on vmlinux, not cleared anew if it has the room).
StringPlan planStrings(const State &s, std::vector<uint32_t> memo = {});
/// Own types [from, to) (default: all); a type's outcome in these passes
/// depends only on the types before it, so they can run piecewise.
void dedupPrims(State &s, uint32_t from = 0, uint32_t to = UINT32_MAX);
Error dedupComposites(State &s, uint32_t from = 0, uint32_t to = UINT32_MAX);
/// Extends the state to the types `s.btf()` gained: kinds, maps, VAR/DATASEC.
void grow(State &s);
/// validate() of own types [from, end) only.
Error validateRange(const State &s, uint32_t from);
/// Points every string field of own types [from, end) at the first offset
/// seen with the same string, so that equal strings have equal offsets
/// before the string pass (an input may hold a string at several offsets,
/// e.g. a suffix of a longer one).
void canonicalizeStrings(State &s, uint32_t from);
void resolveFwdsByName(State &s);
Error dedupRefs(State &s);
/// With `strings`, the kept types' string fields are pointed at its table.
Error compactAndRemap(State &s, const StringPlan *strings = nullptr);

} // namespace d2b::dedup::detail

namespace d2b::dedup {

/// What a PreparedBase keeps: State's base-side fields after prepare().
struct PreparedBase::Impl {
  DedupOptions opts;
  uint32_t endId = 0; // ids below are the base's
  std::vector<uint8_t> kinds;
  detail::CandTable exact, shallow, enumAll, enumFwd;
  /// Every base STRUCT/UNION by name, for resolveFwdsByName().
  detail::CandTable structNames;
};

} // namespace d2b::dedup
