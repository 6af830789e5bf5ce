#include "dwarf2btf/support/huge_pages.h"

#include <cstdint>
#include <sys/mman.h>

namespace d2b {

void adviseHugePages(const void *p, size_t bytes) {
  constexpr uintptr_t kHuge = uintptr_t(2) << 20;
  const uintptr_t from = (uintptr_t(p) + kHuge - 1) & ~(kHuge - 1);
  const uintptr_t to = (uintptr_t(p) + bytes) & ~(kHuge - 1);
  if (to > from)
    (void)madvise(reinterpret_cast<void *>(from), to - from, MADV_HUGEPAGE);
}

} // namespace d2b
