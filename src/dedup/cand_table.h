#pragma once
/// Candidate index for dedup: a multimap from a 64-bit signature key to the
/// ids of canonical types with that key, iterated oldest first. Oldest-first
/// is what makes results independent of hashing details: when several
/// canonical types would match, the earliest one (base types first) wins.
///
/// Storage is three flat vectors (open-addressed slots plus a node pool), so
/// adding a type never allocates per entry.
///
///   CandTable t;
///   t.add(key, id);
///   for (uint32_t n = t.head(key); n != CandTable::kEnd; n = t.next(n))
///     use(t.id(n));
#include <cstddef>
#include <cstdint>
#include <vector>

namespace d2b::dedup::detail {

class CandTable {
public:
  static constexpr uint32_t kEnd = UINT32_MAX;

  /// Appends `id` to the list under `key`.
  void add(uint64_t key, uint32_t id);
  /// First node under `key`, or kEnd.
  uint32_t head(uint64_t key) const;
  uint32_t next(uint32_t node) const { return nodes_[node].next; }
  uint32_t id(uint32_t node) const { return nodes_[node].id; }
  /// Number of ids stored under `key`.
  uint32_t count(uint64_t key) const;
  /// Total number of ids stored.
  size_t size() const { return nodes_.size(); }
  /// Pre-sizes for about `n` ids.
  void reserve(size_t n);

private:
  struct Slot {
    uint64_t key = 0;
    uint32_t head = kEnd; // kEnd: empty slot
    uint32_t tail = kEnd;
  };
  struct Node {
    uint32_t id;
    uint32_t next;
  };
  size_t slotIndex(uint64_t key) const;
  void rehash(size_t capacity);

  std::vector<Slot> slots_;
  std::vector<Node> nodes_;
  size_t usedSlots_ = 0;
};

} // namespace d2b::dedup::detail
