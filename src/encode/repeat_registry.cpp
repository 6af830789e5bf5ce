#include "repeat_registry.h"

#include <new>
#include <sys/mman.h>

namespace d2b::encode {

RepeatRegistry::RepeatRegistry(size_t types) {
  // At most 3/4 full: probe runs stay short for the readers.
  const size_t slots = std::max<size_t>(types + types / 3, 1024);
  // Every lookup lands on a random entry of a table of tens of MB: on 4 KB
  // pages nearly each one misses the TLB too. Aligned to 2 MB and marked
  // for transparent huge pages, the table takes a few TLB entries.
  constexpr size_t kHuge = size_t(2) << 20;
  const size_t bytes = slots * sizeof(Entry);
  const size_t mapped = bytes + kHuge;
  void *base = mmap(nullptr, mapped, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (base == MAP_FAILED)
    throw std::bad_alloc();
  const uintptr_t aligned = (reinterpret_cast<uintptr_t>(base) + kHuge - 1) & ~(kHuge - 1);
  (void)madvise(reinterpret_cast<void *>(aligned), bytes, MADV_HUGEPAGE); // a hint
  slots_ = std::unique_ptr<Entry[], Unmap>(reinterpret_cast<Entry *>(aligned), Unmap{base, mapped});
  slotCount_ = slots;
  limit_ = slots / 4 * 3;
}

void RepeatRegistry::Unmap::operator()(Entry *) const { munmap(base, bytes); }

uint32_t RepeatRegistry::find(const dwarf::TypeSignature &s) const {
  const uint64_t key = keyOf(s);
  const uint32_t check = checkOf(s);
  for (size_t i = home(s);; i = i + 1 == slotCount_ ? 0 : i + 1) {
    const Entry &e = slots_[i];
    const uint64_t k = std::atomic_ref<const uint64_t>(e.key).load(std::memory_order_acquire);
    if (k == 0)
      return 0;
    if (k == key && e.check == check)
      return e.merged;
  }
}

void RepeatRegistry::insert(const dwarf::TypeSignature &s, uint32_t merged) {
  if (used_ >= limit_ || merged == 0)
    return;
  const uint64_t key = keyOf(s);
  const uint32_t check = checkOf(s);
  for (size_t i = home(s);; i = i + 1 == slotCount_ ? 0 : i + 1) {
    Entry &e = slots_[i];
    const uint64_t k = std::atomic_ref<uint64_t>(e.key).load(std::memory_order_relaxed);
    if (k == key && e.check == check)
      return;
    if (k != 0)
      continue;
    e.check = check;
    e.merged = merged;
    std::atomic_ref<uint64_t>(e.key).store(key, std::memory_order_release);
    ++used_;
    return;
  }
}

} // namespace d2b::encode
