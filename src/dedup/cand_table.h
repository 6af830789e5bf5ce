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

  /// Position in one key's list: the current id and the node holding the next.
  struct Cursor {
    uint32_t id = kEnd;
    uint32_t rest = kEnd;
    bool valid() const { return id != kEnd; }
  };

  /// Appends `id` to the list under `key`.
  void add(uint64_t key, uint32_t id);
  /// The oldest id under `key` (invalid cursor if none).
  Cursor first(uint64_t key) const;
  Cursor next(Cursor c) const {
    if (c.rest == kEnd)
      return Cursor{};
    return Cursor{nodes_[c.rest].id, nodes_[c.rest].next};
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
  void rehash(size_t capacity);

  std::vector<Slot> slots_;
  std::vector<Node> nodes_; // second and later ids of each key
  size_t usedSlots_ = 0;
};

} // namespace d2b::dedup::detail
