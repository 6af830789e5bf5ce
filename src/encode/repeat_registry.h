#pragma once
// Private to src/encode: the merged types by DWARF signature, shared by the
// unit workers (dwarf::RepeatIndex) and the merge that fills it.
#include <atomic>
#include <cstdint>
#include <memory>

#include "dwarf2btf/dwarf/graph_builder.h"

namespace d2b::encode {

/// A fixed-size open-addressing table from type signatures to merged type
/// ids. One writer (the worker draining the merge) adds while workers look
/// up: an entry's payload is written before its key is published with a
/// release store, and a reader that sees the key sees the payload. Entries
/// are never changed or removed, and the table does not grow: once it is
/// full, later types are simply not offered (they are then built and folded
/// as before).
class RepeatRegistry final : public dwarf::RepeatIndex {
public:
  /// Room for about `types` signatures.
  explicit RepeatRegistry(size_t types);
  uint32_t find(const dwarf::TypeSignature &s) const override;
  void prefetch(const dwarf::TypeSignature &s) const override {
    __builtin_prefetch(&slots_[home(s)]);
  }
  /// Adds `s` -> `merged` unless `s` is known or the table is full (writer only).
  void insert(const dwarf::TypeSignature &s, uint32_t merged);
  size_t size() const { return used_; }
  /// A worker's tally for one unit: `looked` signatures looked up, `found`
  /// of them known.
  void noteLookups(uint64_t looked, uint64_t found) {
    looked_.fetch_add(looked, std::memory_order_relaxed);
    found_.fetch_add(found, std::memory_order_relaxed);
  }
  /// Whether signing is worth its cost at all: not after the lookups of
  /// many types found next to nothing.
  bool worthSigning() const {
    const uint64_t looked = looked_.load(std::memory_order_relaxed);
    return looked < 20000 || found_.load(std::memory_order_relaxed) * 20 >= looked;
  }
  /// Whether lookups have mostly been finding repeats so far: inputs whose
  /// units share few signatures (a .ko, whose .debug_str ld -r leaves
  /// unmerged, so equal names have different offsets) gain nothing from
  /// them and keep folding at the BTF level.
  bool mostlyFinding() const {
    const uint64_t looked = looked_.load(std::memory_order_relaxed);
    return looked >= 20000 && found_.load(std::memory_order_relaxed) * 3 >= looked;
  }

private:
  // In fresh anonymous pages (zero, not cleared by hand); `key` is only
  // accessed through atomic_ref.
  struct Entry {
    uint64_t key;   // signature's low half (0: empty; 0 is stored as 1)
    uint32_t check; // bits of the high half
    uint32_t merged;
  };
  struct Unmap { // the whole mapping the table sits in
    void *base;
    size_t bytes;
    void operator()(Entry *) const;
  };
  static uint64_t keyOf(const dwarf::TypeSignature &s) { return s.lo ? s.lo : 1; }
  // The first slot to probe: the signature's low half scaled to the table
  // (any size, not only powers of two: ~30% less memory at vmlinux's size).
  size_t home(const dwarf::TypeSignature &s) const {
    return size_t((unsigned __int128)s.lo * slotCount_ >> 64);
  }
  static uint32_t checkOf(const dwarf::TypeSignature &s) { return uint32_t(s.hi ^ (s.hi >> 32)); }

  std::unique_ptr<Entry[], Unmap> slots_;
  size_t slotCount_ = 0;
  size_t used_ = 0, limit_ = 0;
  std::atomic<uint64_t> looked_{0}, found_{0};
};

} // namespace d2b::encode
