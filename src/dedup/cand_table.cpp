#include "cand_table.h"

namespace d2b::dedup::detail {

namespace {
// Keys are usually XXH3 values already, but enum and name keys are raw
// string offsets; one multiply-xorshift round spreads both over the slots.
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
  while (slots_[i].firstId != kEnd && slots_[i].key != key)
    i = (i + 1) & mask;
  return i;
}

void CandTable::rehash(size_t capacity) {
  std::vector<Slot> old = std::move(slots_);
  slots_.assign(capacity, Slot{});
  for (const Slot &s : old)
    if (s.firstId != kEnd)
      slots_[slotIndex(s.key)] = s;
}

void CandTable::reserve(size_t n) {
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
  Slot &s = slots_[slotIndex(key)];
  if (s.firstId == kEnd) {
    s.key = key;
    s.firstId = id;
    ++usedSlots_;
    return;
  }
  const uint32_t node = uint32_t(nodes_.size());
  nodes_.push_back(Node{id, kEnd});
  if (s.restHead == kEnd)
    s.restHead = node;
  else
    nodes_[s.restTail].next = node;
  s.restTail = node;
}

CandTable::Cursor CandTable::ownFirst(uint64_t key) const {
  if (slots_.empty())
    return Cursor{};
  const Slot &s = slots_[slotIndex(key)];
  return s.firstId == kEnd ? Cursor{} : Cursor{s.firstId, s.restHead, false, key};
}

CandTable::Cursor CandTable::first(uint64_t key) const {
  if (under_) {
    Cursor c = under_->ownFirst(key);
    if (c.valid()) {
      c.under = true;
      return c;
    }
  }
  return ownFirst(key);
}

} // namespace d2b::dedup::detail
