#include "cand_table.h"

namespace d2b::dedup::detail {

namespace {
// Keys are usually XXH3 values already, but enum-name keys are raw string
// offsets; one multiply-shift round spreads both over the slot bits.
uint64_t mix(uint64_t k) {
  k ^= k >> 33;
  k *= 0xff51afd7ed558ccdULL;
  k ^= k >> 33;
  return k;
}
} // namespace

size_t CandTable::slotIndex(uint64_t key) const {
  const size_t mask = slots_.size() - 1;
  size_t i = size_t(mix(key)) & mask;
  while (slots_[i].head != kEnd && slots_[i].key != key)
    i = (i + 1) & mask;
  return i;
}

void CandTable::rehash(size_t capacity) {
  std::vector<Slot> old = std::move(slots_);
  slots_.assign(capacity, Slot{});
  for (const Slot &s : old)
    if (s.head != kEnd)
      slots_[slotIndex(s.key)] = s;
}

void CandTable::reserve(size_t n) {
  nodes_.reserve(n);
  size_t cap = 16;
  while (cap < 2 * n)
    cap *= 2;
  if (cap > slots_.size())
    rehash(cap);
}

void CandTable::add(uint64_t key, uint32_t id) {
  // Keep the load factor at or below 1/2 so probe sequences stay short.
  if (2 * (usedSlots_ + 1) > slots_.size())
    rehash(slots_.empty() ? 16 : 2 * slots_.size());
  const uint32_t node = uint32_t(nodes_.size());
  nodes_.push_back(Node{id, kEnd});
  Slot &s = slots_[slotIndex(key)];
  if (s.head == kEnd) {
    s.key = key;
    s.head = s.tail = node;
    ++usedSlots_;
    return;
  }
  nodes_[s.tail].next = node;
  s.tail = node;
}

uint32_t CandTable::head(uint64_t key) const {
  if (slots_.empty())
    return kEnd;
  return slots_[slotIndex(key)].head;
}

uint32_t CandTable::count(uint64_t key) const {
  uint32_t n = 0;
  for (uint32_t i = head(key); i != kEnd; i = next(i))
    ++n;
  return n;
}

} // namespace d2b::dedup::detail
