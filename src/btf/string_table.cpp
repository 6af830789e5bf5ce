#include "dwarf2btf/btf/string_table.h"

#include <cstring>
#include <xxhash.h>

namespace d2b::btf {

namespace {
constexpr size_t kInitialSlots = 64;
} // namespace

StringTable::StringTable(uint32_t firstOffset) : first_(firstOffset) { resetEmpty(); }

StringTable::StringTable(const StringTable &o) = default;
StringTable &StringTable::operator=(const StringTable &o) = default;

StringTable::StringTable(StringTable &&o) noexcept
    : first_(o.first_), data_(std::move(o.data_)), slots_(std::move(o.slots_)), used_(o.used_) {
  o.resetEmpty();
}

StringTable &StringTable::operator=(StringTable &&o) noexcept {
  if (this != &o) {
    first_ = o.first_;
    data_ = std::move(o.data_);
    slots_ = std::move(o.slots_);
    used_ = o.used_;
    o.resetEmpty();
  }
  return *this;
}

void StringTable::resetEmpty() {
  // A moved-from table is left empty but usable, like a new one.
  data_.clear();
  slots_.assign(kInitialSlots, Slot{});
  used_ = 0;
  if (first_ == 0) {
    data_.push_back('\0');
    insertAt(probe({}, hashOf({})), 0, hashOf({}));
  }
}

uint32_t StringTable::hashOf(std::string_view s) {
  const uint64_t h = XXH3_64bits(s.data(), s.size());
  return uint32_t(h ^ (h >> 32));
}

std::string_view StringTable::local(uint32_t off) const {
  const char *p = data_.data() + off;
  return std::string_view(p, strnlen(p, data_.size() - off));
}

size_t StringTable::probe(std::string_view s, uint32_t hash) const {
  const size_t mask = slots_.size() - 1;
  for (size_t i = hash & mask;; i = (i + 1) & mask) {
    const Slot &slot = slots_[i];
    if (slot.local == kEmpty)
      return i;
    if (slot.hash != hash)
      continue;
    // Equal to the stored string means: the same bytes, then its NUL. A view
    // holding a NUL itself never equals a stored (NUL-terminated) string.
    const size_t avail = data_.size() - slot.local;
    const char *p = data_.data() + slot.local;
    // An empty view may have a null data(), which memcmp/memchr must not see.
    if (s.size() < avail && p[s.size()] == '\0' &&
        (s.empty() || (std::memcmp(p, s.data(), s.size()) == 0 &&
                       std::memchr(s.data(), '\0', s.size()) == nullptr)))
      return i;
  }
}

void StringTable::insertAt(size_t at, uint32_t local, uint32_t hash) {
  slots_[at] = Slot{local, hash};
  if (++used_ * 2 > slots_.size())
    grow();
}

void StringTable::reserve(size_t strings, size_t bytes) {
  data_.reserve(data_.size() + bytes);
  size_t want = slots_.size();
  while ((used_ + strings) * 2 > want)
    want *= 2;
  if (want > slots_.size())
    rehash(want); // once, not doubling step by step
}

void StringTable::grow() { rehash(slots_.size() * 2); }

void StringTable::rehash(size_t size) {
  std::vector<Slot> old(size, Slot{});
  old.swap(slots_);
  const size_t mask = slots_.size() - 1;
  // Stored offsets are distinct strings, so each only needs an empty slot.
  for (const Slot &s : old) {
    if (s.local == kEmpty)
      continue;
    size_t i = s.hash & mask;
    while (slots_[i].local != kEmpty)
      i = (i + 1) & mask;
    slots_[i] = s;
  }
}

uint32_t StringTable::add(std::string_view s) { return s.empty() ? 0 : add(s, hashOf(s)); }

uint32_t StringTable::add(std::string_view s, uint32_t h) {
  if (s.empty()) // offset 0: this table's "" or, for a split table, the base's
    return 0;
  const size_t at = probe(s, h);
  if (slots_[at].local != kEmpty)
    return first_ + slots_[at].local;
  const uint32_t off = uint32_t(data_.size());
  data_.insert(data_.end(), s.begin(), s.end());
  data_.push_back('\0');
  // Indexed under its stored form: a view holding a NUL is stored cut short.
  const std::string_view stored = local(off);
  if (stored.size() == s.size())
    insertAt(at, off, h);
  else if (size_t at2 = probe(stored, hashOf(stored)); slots_[at2].local == kEmpty)
    insertAt(at2, off, hashOf(stored));
  return first_ + off;
}

void StringTable::appendRaw(std::string_view bytes) {
  // A fresh standalone table already holds "" at offset 0; the section's own
  // leading NUL is that same string, so skip it or every offset would shift.
  if (first_ == 0 && data_.size() == 1 && !bytes.empty() && bytes[0] == '\0')
    bytes.remove_prefix(1);
  // Sized once for every string of the section (each ends in a NUL): a
  // vmlinux base has ~100 k of them, and growing step by step rehashed them
  // all several times.
  size_t strings = 1;
  // (An empty view may have a null data(), which memchr must not see.)
  for (const char *p = bytes.data(), *end = p + bytes.size();
       p != end && (p = static_cast<const char *>(std::memchr(p, '\0', size_t(end - p)))); ++p)
    ++strings;
  reserve(strings, bytes.size() + 1);
  const size_t start = data_.size();
  data_.insert(data_.end(), bytes.begin(), bytes.end());
  if (!bytes.empty() && bytes.back() != '\0')
    data_.push_back('\0');
  for (size_t off = start; off < data_.size();) {
    const std::string_view s = local(uint32_t(off));
    const uint32_t h = hashOf(s);
    const size_t at = probe(s, h);
    if (slots_[at].local == kEmpty) // keeps the first offset of duplicates
      insertAt(at, uint32_t(off), h);
    off += s.size() + 1;
  }
}

uint32_t StringTable::find(std::string_view s) const { return find(s, hashOf(s)); }

uint32_t StringTable::find(std::string_view s, uint32_t hash) const {
  if (s.empty() && first_ != 0)
    return 0;
  const Slot &slot = slots_[probe(s, hash)];
  return slot.local == kEmpty ? UINT32_MAX : first_ + slot.local;
}

std::string_view StringTable::at(uint32_t off) const { return local(off - first_); }

} // namespace d2b::btf
