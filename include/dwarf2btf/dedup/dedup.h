#pragma once
/// BTF deduplication: the same result as libbpf's btf__dedup(), written for
/// this project. Strings are deduplicated and compacted, equivalent types are
/// merged (with FWD -> STRUCT/UNION resolution), the survivors are renumbered
/// and every type id is remapped.
///
///   btf::Btf b = ...;                       // many CUs' types, concatenated
///   Expected<dedup::DedupStats> st = dedup::dedup(b);
///   if (!st) return st.error();
///   // b now holds one type per distinct type; st->typesIn / st->typesOut
///
/// Split BTF (b.base() != nullptr): base types are canonical and never
/// change; split types equivalent to base types collapse into the base ids,
/// the remaining own types are renumbered from b.startId(), and own strings
/// that exist in the base are referenced by the base's offsets.
///
/// Output order is fully deterministic: surviving types keep their input
/// order, and the string section holds each referenced string once, in order
/// of first reference (types by id, fields in field_iter.h order) — the same
/// layout libbpf produces.
#include <cstdint>
#include <memory>

#include "dwarf2btf/btf/btf.h"
#include "dwarf2btf/support/expected.h"

namespace d2b::dedup {

/// Which libbpf release's rules to reproduce where they differ.
enum class LibbpfRules : uint8_t {
  /// libbpf as of 2026 (>= 1.7 plus the typedef-with-base fix): TYPEDEFs are
  /// merged by graph equivalence (so recursive typedefs work) and compiler
  /// duplicates of any type inside one CU are tolerated (depth 16).
  Current,
  /// libbpf 1.1 .. 1.5 (Debian 12 ships 1.1.2): TYPEDEFs are reference types,
  /// only duplicated ARRAYs and STRUCT/UNIONs are tolerated inside one CU.
  /// Used to compare against the libbpf installed as a test oracle.
  V1_1,
};

/// Tuning knobs; all have defaults that reproduce current libbpf.
struct DedupOptions {
  LibbpfRules rules = LibbpfRules::Current;
  /// Testing aid (as libbpf's force_collisions): every signature hashes to
  /// the same key, so every lookup scans all candidates. The output must not
  /// change; only the time does (quadratic).
  bool forceHashCollisions = false;
};

/// What dedup did. Counts are of own types (not the base's).
struct DedupStats {
  uint32_t typesIn = 0;
  uint32_t typesOut = 0;
  uint32_t stringBytesIn = 0;
  uint32_t stringBytesOut = 0;
  /// INT, FLOAT, ENUM, ENUM64 and FWD types merged into another type.
  uint32_t primMerged = 0;
  /// STRUCT/UNION (and, with LibbpfRules::Current, TYPEDEF) types merged by
  /// the graph equivalence pass.
  uint32_t compositeMerged = 0;
  /// Reference types (PTR, CONST, ..., FUNC_PROTO, DECL_TAG) merged.
  uint32_t refMerged = 0;
  /// Own FWDs that now stand for a STRUCT/UNION (and enum forward
  /// declarations that now stand for a full enum).
  uint32_t fwdsResolved = 0;
  /// FWDs resolved by the last-resort unique-name pass (a subset of the above).
  uint32_t fwdsResolvedByName = 0;
  /// Candidate graph comparisons run by the equivalence pass.
  uint64_t equivChecks = 0;
  /// Type pairs those comparisons visited.
  uint64_t equivSteps = 0;
  /// The comparisons hit their work limit (kEquivStepsBase + kEquivStepsPerType
  /// per own type): crafted input whose many same-shaped composites differ
  /// only deep down makes graph comparison cubic. Composites after that point
  /// are kept without comparison — valid BTF, only less deduplicated.
  bool equivBudgetExhausted = false;
};

/// The equivalence pass's work limit; real inputs stay far below it.
inline constexpr uint64_t kEquivStepsBase = uint64_t(1) << 26;
inline constexpr uint64_t kEquivStepsPerType = 256;

/// Deduplicates `btf` in place. On error `btf` may be partly rewritten and
/// must be discarded. Errors name the offending type id, e.g.
/// "dedup: type [12]: invalid referenced type id 4000 (ids end at 100)".
Expected<DedupStats> dedup(btf::Btf &btf, const DedupOptions &opts = {});

/// Whether the reference pass (referents first, depth first from each type
/// in id order) picks the canonical type of kind `k`; every other pass picks
/// the smallest id. What a caller needs to keep its own merging of equal
/// types consistent with dedup's choices.
bool decidedByReferencePass(btf::Kind k, LibbpfRules rules = LibbpfRules::Current);

namespace detail {
struct State;
}

/// dedup() of BTF that is still being appended to, so most of the work
/// overlaps with producing it (encode feeds it each unit's types as they are
/// merged). The primitive and composite passes decide each type by the types
/// before it only, so they run on every appended piece; the string,
/// FWD-by-name, reference and compaction passes run in finish(). The result
/// is byte-identical to dedup(btf, opts) of the final input. Not for split
/// BTF. One thread at a time.
///
///   IncrementalDedup d;
///   append(b, ...); if (Error e = d.advance(b)) ...;   // repeatedly
///   Expected<DedupStats> st = d.finish(b);
class IncrementalDedup {
public:
  explicit IncrementalDedup(const DedupOptions &opts = {});
  ~IncrementalDedup();
  IncrementalDedup(const IncrementalDedup &) = delete;
  IncrementalDedup &operator=(const IncrementalDedup &) = delete;
  /// Checks and deduplicates the types `btf` gained since the last call.
  /// `btf` is the same BTF each time (it may have moved) and only grows.
  Error advance(btf::Btf &btf);
  /// Sizes the state for about `types` types up front (no regrowth, whose
  /// copies would add to peak memory while the input is still growing).
  void reserve(size_t types);
  /// advance(), then the remaining passes; the stats are dedup()'s. The
  /// object is then empty. With `jobs` > 1 two of the passes run at once
  /// (same result).
  Expected<DedupStats> finish(btf::Btf &btf, unsigned jobs = 1);

private:
  void start();
  DedupOptions opts_;
  std::unique_ptr<detail::State> s_;
};

/// The base-side work of split dedup — checking the base's records and
/// indexing every base type as a canonical candidate — done once, for
/// batch mode, where hundreds of modules are deduplicated against one
/// vmlinux (indexing a vmlinux base costs more than deduplicating a typical
/// module). Immutable after create(), so any number of threads may use one.
///
///   auto pb = PreparedBase::create(vmlinuxBtf);
///   btf::Btf mod(&vmlinuxBtf); ...
///   dedup(mod, {}, **pb);   // same result as dedup(mod)
class PreparedBase {
public:
  struct Impl;
  /// Errors as dedup() reports them for a bad base.
  static Expected<std::shared_ptr<const PreparedBase>> create(const btf::Btf &base,
                                                              const DedupOptions &opts = {});
  ~PreparedBase();
  const btf::Btf &base() const { return *base_; }
  const Impl &impl() const { return *impl_; }

private:
  PreparedBase(const btf::Btf &base, std::unique_ptr<Impl> impl);
  const btf::Btf *base_;
  std::unique_ptr<Impl> impl_;
};

/// dedup() of split BTF whose base is `prepared.base()`, reusing its index.
/// The output is identical to dedup(btf, opts). `opts` must equal the
/// options `prepared` was created with, and btf.base() must be its base.
Expected<DedupStats> dedup(btf::Btf &btf, const DedupOptions &opts, const PreparedBase &prepared);

} // namespace d2b::dedup
