#pragma once
// Transparent huge pages for large, long-lived buffers.

#include <cstddef>
#include <vector>

namespace d2b {

/// Asks the kernel to back the whole 2 MiB pages inside [p, p + bytes) with
/// transparent huge pages (madvise MADV_HUGEPAGE). A hint only: ignored
/// where THP is off or the range holds no whole huge page.
void adviseHugePages(const void *p, size_t bytes);

/// adviseHugePages over a vector's reserved capacity.
template <typename T> void adviseHugePages(const std::vector<T> &v) {
  adviseHugePages(v.data(), v.capacity() * sizeof(T));
}

} // namespace d2b
