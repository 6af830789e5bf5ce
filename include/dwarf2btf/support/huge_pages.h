#pragma once
/// Large, long-lived buffers that are filled front to back (the merged BTF,
/// the dedup's per-type arrays) take a page fault for every 4 KB they grow;
/// in a virtual machine each costs several microseconds. Marking the
/// buffer for transparent huge pages makes that one fault per 2 MB. Only
/// the 2 MB-aligned inside of the buffer is marked, and only where the
/// kernel leaves it to madvise (the default); memory not yet written stays
/// unallocated either way.
#include <cstddef>
#include <cstdint>
#include <sys/mman.h>
#include <vector>

namespace d2b {

inline void adviseHugePages(const void *p, size_t bytes) {
  constexpr uintptr_t kHuge = uintptr_t(2) << 20;
  if (bytes < 4 * kHuge)
    return; // not worth it: at most a few huge pages, and more to zero at once
  const uintptr_t from = (reinterpret_cast<uintptr_t>(p) + kHuge - 1) & ~(kHuge - 1);
  const uintptr_t to = (reinterpret_cast<uintptr_t>(p) + bytes) & ~(kHuge - 1);
  if (to > from)
    (void)madvise(reinterpret_cast<void *>(from), to - from, MADV_HUGEPAGE); // a hint
}

/// adviseHugePages for the reserved capacity of `v`.
template <class T> void adviseHugePages(const std::vector<T> &v) {
  adviseHugePages(v.data(), v.capacity() * sizeof(T));
}

} // namespace d2b
