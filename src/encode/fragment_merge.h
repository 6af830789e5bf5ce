#pragma once
// Private to src/encode: appending per-unit fragments to the result Btf.
#include <cstdint>
#include <span>
#include <vector>

#include "dwarf2btf/btf/btf.h"
#include "dwarf2btf/model/symbol_records.h"
#include "repeat_registry.h"

namespace d2b::encode {

/// What the merger needs to fold a fragment's repeats, per type id ([0]
/// unused).
struct Shapes {
  std::vector<uint64_t> hash;
  /// The type of the fragment with the same graph that the dedup would make
  /// canonical (the type itself when it is that one); found for acyclic
  /// types only.
  std::vector<uint32_t> rep;
  /// Per string offset of the fragment's table that a type uses: the
  /// string's StringTable::hashOf << 32 | its length + 1 (0: unused), so
  /// the merger neither hashes nor measures it again.
  std::vector<uint64_t> strings;
  /// 1 for types another type of the fragment refers to.
  std::vector<uint8_t> referenced;
};

/// What one unit produced: a standalone fragment (ids from 1) and records
/// whose type ids are fragment ids.
struct Fragment {
  btf::Btf btf;
  std::vector<model::FunctionRecord> functions;
  std::vector<model::VariableRecord> variables;
  /// shapeHashes(btf, externals) when the merger folds repeats (else empty).
  Shapes shapes;
  /// (placeholder id, merged id): types the unit repeats from earlier units,
  /// known by their DWARF signatures (lower::LoweredUnit::externals).
  std::vector<std::pair<uint32_t, uint32_t>> externals;
  /// The fragment's types with signatures that were not placeholders: the
  /// merge maps those whose signatures earlier units offered since (a whole
  /// cycle or nothing of it), and offers the rest.
  struct Signed {
    dwarf::TypeSignature sig;
    uint32_t id;
    uint32_t cycle; // see dwarf::UnitGraph::Signed (entries sorted by it)
    bool offer;     // nothing was reported for it
  };
  std::vector<Signed> publish;
  uint64_t dies = 0;
  uint64_t nodes = 0;
  uint64_t foreignTypes = 0;
  uint64_t functionsWithoutSymbol = 0; // records left out (EncodeOptions::matchFunctionSymbols)
};

/// A hash per type of `fragment` (index = type id, [0] unused) that is equal
/// for types whose whole reachable graphs are equal (same words, strings
/// compared by content, referenced types equal in turn), whichever fragment
/// they are in. Computed by each worker for its own fragment, so the serial
/// merge only looks hashes up. Unequal graphs may share a hash: the merger
/// compares before it folds.
///
/// A placeholder in `externals` hashes by the merged id it stands for, and
/// is a class of its own.
Shapes shapeHashes(const btf::Btf &fragment,
                   std::span<const std::pair<uint32_t, uint32_t>> externals = {});

/// Appends fragments in order: type ids are shifted past what is already in
/// the target (field_iter.h finds them), strings are re-interned in the
/// target's table, record ids are shifted the same way.
///
/// With `foldRepeats`, a fragment type whose whole graph repeats one already
/// in the target is not appended again: it and everything it reaches are
/// mapped onto the earlier copy (after comparing the two graphs word by word;
/// the shape hash only finds the candidate). Repeats inside one fragment are
/// mapped onto the member the dedup would make canonical (Shapes::rep). On
/// vmlinux three quarters of all unit types repeat an earlier unit's exactly
/// (list_head, spinlock_t, the typedef chains of every header), so the
/// merged BTF and the dedup that follows see a quarter of the types and peak
/// memory falls by a third. Every dedup pass would merge such repeats into
/// the same canonical type anyway, so the result is unchanged:
/// tests/integration/fold_repeats_test.cpp compares both ways on every
/// fixture, and Debian's vmlinux gives the same bytes.
class FragmentMerger {
public:
  struct Totals {
    uint64_t dies = 0, nodes = 0, foreignTypes = 0, functionsWithoutSymbol = 0;
    uint64_t folded = 0;   // fragment types mapped onto an earlier copy
    uint64_t external = 0; // of which known by signature (placeholders or at the merge)
  };
  /// With `registry`, appending a folded fragment offers it the fragment's
  /// signatures (Fragment::publish) with the ids they were merged as.
  FragmentMerger(btf::Btf &target, bool foldRepeats, RepeatRegistry *registry = nullptr)
      : target_(target), fold_(foldRepeats), registry_(registry) {}
  void append(Fragment &frag, std::vector<model::FunctionRecord> &functions,
              std::vector<model::VariableRecord> &variables);
  const Totals &totals() const { return totals_; }
  /// Sizes the index of merged types for about `types` of them. Done by
  /// the first append that folds (filling the table touches every page of
  /// it: ~70 ms on vmlinux), which runs beside the other workers' walks
  /// rather than before any of them starts.
  void reserve(size_t types) { reserveWanted_ = types; }

private:
  /// Target types by shape hash; a multimap kept as a linear-probing table
  /// of (hash, id), ids ascending along each probe run.
  class ShapeIndex {
  public:
    void reserve(size_t entries);
    void add(uint64_t hash, uint32_t id);
    /// Up to `max` ids stored under `hash`, oldest first.
    void find(uint64_t hash, std::vector<uint32_t> &out, size_t max) const;

  private:
    // 12 bytes: the hash's low half places an entry, its high half tells
    // entries of one probe run apart.
    struct Entry {
      uint32_t slot = 0, tag = 0;
      uint32_t id = 0; // 0: empty
    };
    static Entry entryOf(uint64_t hash, uint32_t id) {
      return {uint32_t(hash), uint32_t(hash >> 32), id};
    }
    void grow();
    std::vector<Entry> slots_;
    size_t used_ = 0;
  };

  void appendAll(const btf::Btf &src);
  void appendFolding(const Fragment &frag);
  /// appendAll for a fragment with placeholders (Fragment::externals),
  /// which are mapped, not appended.
  void appendMapped(const Fragment &frag);
  /// idMap_ for a fragment: placeholders and the types whose signatures
  /// earlier units offered mapped, the rest kUnset.
  void mapKnown(const Fragment &frag);
  /// Fills strMap_ for the strings of the fragment's types that are
  /// appended (idMap_ >= firstNew).
  void internStrings(const Fragment &frag, uint32_t firstNew);
  /// Maps fragment type `a` and everything it reaches onto target type `b`
  /// when the two graphs are equal; false (and nothing mapped) otherwise.
  bool fold(const btf::Btf &src, uint32_t a, uint32_t b);
  bool sameString(const btf::Btf &src, uint32_t srcOff, uint32_t targetOff);
  uint32_t mapString(const btf::Btf &src, uint32_t srcOff);

  btf::Btf &target_;
  bool fold_;
  RepeatRegistry *registry_;
  Totals totals_;
  ShapeIndex index_;
  size_t reserveWanted_ = 0;     // see reserve
  std::vector<uint32_t> strMap_; // fragment string offset -> target offset (scratch)
  const std::vector<uint64_t> *strInfo_ = nullptr; // Shapes::strings of the fragment
  std::vector<uint32_t> idMap_;                    // fragment id -> target id (scratch)
  std::vector<std::pair<uint32_t, uint32_t>> stack_;
  std::vector<uint32_t> tentative_;
  std::vector<uint32_t> candidates_;
  std::vector<uint32_t> found_;                        // mapKnown's scratch
  std::vector<std::pair<uint32_t, uint32_t>> pending_; // internStrings': (offset, hash)
  std::vector<uint8_t> roles_;
};

} // namespace d2b::encode
