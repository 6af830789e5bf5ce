#include "repeat_registry.h"

#include <bit>
#include <new>

namespace d2b::encode {

RepeatRegistry::RepeatRegistry(size_t types) {
  // At most 3/4 full: probe runs stay short for the readers.
  const size_t slots = std::bit_ceil(std::max<size_t>(types + types / 3, 1024));
  slots_.reset(static_cast<Entry *>(std::calloc(slots, sizeof(Entry))));
  if (!slots_)
    throw std::bad_alloc();
  mask_ = slots - 1;
  limit_ = slots / 4 * 3;
}

uint32_t RepeatRegistry::find(const dwarf::TypeSignature &s) const {
  const uint64_t key = keyOf(s);
  const uint32_t check = checkOf(s);
  for (size_t i = s.lo & mask_;; i = (i + 1) & mask_) {
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
  for (size_t i = s.lo & mask_;; i = (i + 1) & mask_) {
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
