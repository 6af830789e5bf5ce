#pragma once
/// Candidate index for dedup: a multimap from a 64-bit signature key to the
/// ids of canonical types with that key, iterated oldest first. Oldest-first
/// is what makes results independent of hashing details: when several
/// canonical types would match, the earliest one (base types first) wins.
///
/// Storage is flat (open-addressed slots plus a node pool), so adding a type
/// never allocates per entry, and the first id of a key lives in its slot,
/// so the common one-candidate lookup touches a single cache line.
///
///   CandTable t;
///   t.add(key, id);
///   for (CandTable::Cursor c = t.first(key); c.valid(); c = t.next(c))
///     use(c.id);
#include <cstddef>
#include <cstdint>
#include <vector>

namespace d2b::dedup::detail {

class CandTable {
public:
  static constexpr uint32_t kEnd = UINT32_MAX;

  /// Position in one key's list: the current id, the node holding the next,
  /// and whether it is still in the table underneath (see setUnder()).
  struct Cursor {
    uint32_t id = kEnd;
    uint32_t rest = kEnd;
    bool under = false;
    uint64_t key = 0;
    bool valid() const { return id != kEnd; }
  };

  /// Lists `under`'s ids for a key before this table's own: a split's
  /// table on top of its base's, read in place (copying a vmlinux base's
  /// tables for each module cost more than deduplicating a small module).
  /// `under` must outlive this table and not change.
  void setUnder(const CandTable *under) { under_ = under; }

  /// Appends `id` to the list under `key`.
  void add(uint64_t key, uint32_t id);
  /// The oldest id under `key` (invalid cursor if none).
  Cursor first(uint64_t key) const;
  Cursor next(Cursor c) const {
    const CandTable &t = c.under ? *under_ : *this;
    if (c.rest != kEnd)
      return Cursor{t.nodes_[c.rest].id, t.nodes_[c.rest].next, c.under, c.key};
    return c.under ? ownFirst(c.key) : Cursor{};
  }
  /// Pre-sizes for about `n` keys.
  void reserve(size_t n);

private:
  struct Slot {
    uint64_t key = 0;
    uint32_t firstId = kEnd; // kEnd: empty slot
    uint32_t restHead = kEnd;
    uint32_t restTail = kEnd;
  };
  struct Node {
    uint32_t id;
    uint32_t next;
  };
  size_t slotIndex(uint64_t key) const;
  Cursor ownFirst(uint64_t key) const;
  void rehash(size_t capacity);

  std::vector<Slot> slots_;
  std::vector<Node> nodes_; // second and later ids of each key
  size_t usedSlots_ = 0;
  const CandTable *under_ = nullptr;
};

} // namespace d2b::dedup::detail
