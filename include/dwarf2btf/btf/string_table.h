#pragma once
/// Interned BTF string section. Offset 0 is always "". add() is O(1)
/// amortized (hash set of offsets keyed by the bytes they point at).
///
///   StringTable st;            // or StringTable(base_size) for split BTF
///   uint32_t off = st.add("task_struct");
///   std::string_view s = st.at(off);
#include <cstdint>
#include <memory>
#include <string_view>
#include <unordered_set>
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
  /// Appends raw section bytes read from a file, interning each string (the
  /// first occurrence of a duplicate keeps its offset). On a fresh table every
  /// string keeps the offset it has in the file: for a standalone table the
  /// section's leading NUL is the "" already at offset 0; for a split table the
  /// bytes start at firstOffset(). A missing final NUL is added.
  void appendRaw(std::string_view bytes);
  /// Offset of `s` if present, or UINT32_MAX.
  uint32_t find(std::string_view s) const;
  /// True if `off` starts a string stored in this table.
  bool contains(uint32_t off) const { return off >= first_ && off - first_ < data_.size(); }
  /// The string at `off`, which must satisfy contains(off).
  std::string_view at(uint32_t off) const;
  /// Size of the section bytes (what the BTF header's str_len holds).
  uint32_t size() const { return uint32_t(data_.size()); }
  uint32_t firstOffset() const { return first_; }
  const std::vector<char> &bytes() const { return data_; }

private:
  // The index's functors reach the table through a heap-allocated Ctx, so a
  // move hands the index over as is (re-pointing Ctx) instead of rehashing
  // every string: moving the string table of vmlinux BTF costs nothing.
  struct Ctx {
    const StringTable *t;
  };
  struct Hash {
    using is_transparent = void;
    const Ctx *c;
    size_t operator()(uint32_t local) const;
    size_t operator()(std::string_view s) const;
  };
  struct Eq {
    using is_transparent = void;
    const Ctx *c;
    // By content, so that inserting the offset of a duplicate string (raw
    // sections may repeat strings) keeps the first offset only.
    bool operator()(uint32_t a, uint32_t b) const;
    bool operator()(std::string_view a, uint32_t b) const;
    bool operator()(uint32_t a, std::string_view b) const;
  };
  using Index = std::unordered_set<uint32_t, Hash, Eq>;
  std::string_view local(uint32_t local) const;
  void rebuildIndex();
  void resetEmpty();

  uint32_t first_;
  std::unique_ptr<Ctx> ctx_;
  std::vector<char> data_;
  Index index_;
};

} // namespace d2b::btf
