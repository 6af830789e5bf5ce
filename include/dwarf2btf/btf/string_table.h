#pragma once
/// Interned BTF string section. Offset 0 is always "". add() is O(1)
/// amortized (open-addressing set of offsets keyed by the bytes they point at).
///
///   StringTable st;            // or StringTable(base_size) for split BTF
///   uint32_t off = st.add("task_struct");
///   std::string_view s = st.at(off);
#include <cstdint>
#include <string_view>
#include <vector>

namespace d2b::btf {

class StringTable {
public:
  /// `firstOffset` is where this table's offsets begin: 0 for standalone BTF,
  /// the base's string size for split BTF.
  explicit StringTable(uint32_t firstOffset = 0);
  StringTable(const StringTable &other);
  StringTable &operator=(const StringTable &other);
  StringTable(StringTable &&) noexcept;
  StringTable &operator=(StringTable &&) noexcept;

  /// Interns `s` and returns its offset. For split tables the empty string
  /// maps to 0 (the base's "").
  uint32_t add(std::string_view s);
  /// add(s) for a caller that has hashOf(s) already.
  uint32_t add(std::string_view s, uint32_t hash);
  /// The table's hash of a string (XXH3, folded to 32 bits).
  static uint32_t hashOf(std::string_view s);
  /// Appends raw section bytes read from a file, interning each string (the
  /// first occurrence of a duplicate keeps its offset). On a fresh table every
  /// string keeps the offset it has in the file: for a standalone table the
  /// section's leading NUL is the "" already at offset 0; for a split table the
  /// bytes start at firstOffset(). A missing final NUL is added.
  void appendRaw(std::string_view bytes);
  /// Sizes the table for about `strings` more strings of `bytes` bytes in
  /// all, so filling it does not rehash step by step.
  void reserve(size_t strings, size_t bytes);
  /// Start loading the slot a string with hash `hash` is looked up at.
  void prefetchSlot(uint32_t hash) const {
    __builtin_prefetch(&slots_[hash & (slots_.size() - 1)]);
  }
  /// Start loading the bytes of the string stored at that slot, when its
  /// hash is `hash` (call after prefetchSlot, once the slot may have come).
  void prefetchBytes(uint32_t hash) const {
    const Slot &slot = slots_[hash & (slots_.size() - 1)];
    if (slot.local != kEmpty && slot.hash == hash)
      __builtin_prefetch(data_.data() + slot.local);
  }
  /// Offset of `s` if present, or UINT32_MAX.
  uint32_t find(std::string_view s) const;
  /// find(s) for a caller that has hashOf(s) already.
  uint32_t find(std::string_view s, uint32_t hash) const;
  /// True if `off` starts a string stored in this table.
  bool contains(uint32_t off) const { return off >= first_ && off - first_ < data_.size(); }
  /// The string at `off`, which must satisfy contains(off).
  std::string_view at(uint32_t off) const;
  /// Size of the section bytes (what the BTF header's str_len holds).
  uint32_t size() const { return uint32_t(data_.size()); }
  uint32_t firstOffset() const { return first_; }
  const std::vector<char> &bytes() const { return data_; }

private:
  // Open addressing with linear probing over a power-of-two array: one XXH3
  // per lookup, and a probe reads 8 contiguous bytes instead of chasing
  // list nodes. The stored 32-bit hash rejects almost every mismatch without
  // touching the string bytes, and lets the table grow without re-hashing.
  struct Slot {
    uint32_t local = kEmpty; // offset into data_, or kEmpty
    uint32_t hash = 0;
  };
  static constexpr uint32_t kEmpty = UINT32_MAX;
  std::string_view local(uint32_t local) const;
  /// The slot holding `s`, or the empty slot where it would go.
  size_t probe(std::string_view s, uint32_t hash) const;
  /// Records `local` (whose string hashes to `hash`) at empty slot `at`.
  void insertAt(size_t at, uint32_t local, uint32_t hash);
  void grow();
  /// Moves the slots into a table of `size` (a power of two, larger).
  void rehash(size_t size);
  void resetEmpty();

  uint32_t first_;
  std::vector<char> data_;
  std::vector<Slot> slots_; // size is a power of two, at most half full
  size_t used_ = 0;
};

} // namespace d2b::btf
