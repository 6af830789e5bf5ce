#pragma once
// Private to src/dwarf: DIE key -> node id, the lookup every type reference
// makes. Open addressing over a power-of-two array of (key, value) pairs:
// no node allocation per DIE and one cache line per probe, where
// std::unordered_map costs a malloc per entry and a pointer chase per lookup.
#include <cstdint>
#include <vector>

namespace d2b::dwarf {

/// Map from 64-bit DIE keys (any value but UINT64_MAX) to 32-bit ids.
class OffsetMap {
public:
  /// The id stored for `key`, or nullptr.
  const uint32_t *find(uint64_t key) const {
    if (slots_.empty())
      return nullptr;
    for (size_t i = hash(key) & mask();; i = (i + 1) & mask()) {
      const Slot &s = slots_[i];
      if (s.key == key)
        return &s.value;
      if (s.key == kEmpty)
        return nullptr;
    }
  }
  /// Stores `value` for `key` unless `key` already has one (like emplace).
  void emplace(uint64_t key, uint32_t value) {
    if ((used_ + 1) * 2 > slots_.size())
      grow();
    for (size_t i = hash(key) & mask();; i = (i + 1) & mask()) {
      Slot &s = slots_[i];
      if (s.key == key)
        return;
      if (s.key == kEmpty) {
        s = Slot{key, value};
        ++used_;
        return;
      }
    }
  }
  size_t size() const { return used_; }
  /// Room for `n` keys without growing.
  void reserve(size_t n) {
    size_t want = 256;
    while (want < n * 2)
      want *= 2;
    if (slots_.size() < want)
      rehash(want); // once, not doubling step by step
  }

private:
  static constexpr uint64_t kEmpty = UINT64_MAX;
  struct Slot {
    uint64_t key = kEmpty;
    uint32_t value = 0;
  };
  // DIE offsets are dense and often multiples of small strides: mix them
  // (a 64-bit multiplicative hash) so neighbours spread over the table.
  static size_t hash(uint64_t k) { return size_t((k * 0x9E3779B97F4A7C15ull) >> 20); }
  size_t mask() const { return slots_.size() - 1; }
  void grow() { rehash(slots_.empty() ? 256 : slots_.size() * 2); }
  void rehash(size_t size) {
    std::vector<Slot> old(size);
    old.swap(slots_);
    for (const Slot &s : old) {
      if (s.key == kEmpty)
        continue;
      size_t i = hash(s.key) & mask();
      while (slots_[i].key != kEmpty)
        i = (i + 1) & mask();
      slots_[i] = s;
    }
  }

  std::vector<Slot> slots_;
  size_t used_ = 0;
};

} // namespace d2b::dwarf
