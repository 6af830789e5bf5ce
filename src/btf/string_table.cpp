#include "dwarf2btf/btf/string_table.h"

#include <cstring>
#include <xxhash.h>

namespace d2b::btf {

StringTable::StringTable(uint32_t firstOffset)
    : first_(firstOffset), ctx_(std::make_unique<Ctx>(Ctx{this})),
      index_(16, Hash{ctx_.get()}, Eq{ctx_.get()}) {
  if (first_ == 0) {
    data_.push_back('\0');
    index_.insert(0);
  }
}

StringTable::StringTable(const StringTable &o)
    : first_(o.first_), ctx_(std::make_unique<Ctx>(Ctx{this})), data_(o.data_),
      index_(16, Hash{ctx_.get()}, Eq{ctx_.get()}) {
  rebuildIndex();
}

StringTable &StringTable::operator=(const StringTable &o) {
  if (this != &o) {
    first_ = o.first_;
    data_ = o.data_;
    rebuildIndex();
  }
  return *this;
}

StringTable::StringTable(StringTable &&o) noexcept
    : first_(o.first_), ctx_(std::move(o.ctx_)), data_(std::move(o.data_)),
      index_(std::move(o.index_)) {
  ctx_->t = this;
  o.resetEmpty();
}

StringTable &StringTable::operator=(StringTable &&o) noexcept {
  if (this != &o) {
    first_ = o.first_;
    ctx_ = std::move(o.ctx_);
    ctx_->t = this;
    data_ = std::move(o.data_);
    index_ = std::move(o.index_);
    o.resetEmpty();
  }
  return *this;
}

void StringTable::resetEmpty() {
  // A moved-from table is left empty but usable, like a new one.
  ctx_ = std::make_unique<Ctx>(Ctx{this});
  data_.clear();
  index_ = Index(16, Hash{ctx_.get()}, Eq{ctx_.get()});
  if (first_ == 0) {
    data_.push_back('\0');
    index_.insert(0);
  }
}

void StringTable::rebuildIndex() {
  index_ = Index(16, Hash{ctx_.get()}, Eq{ctx_.get()});
  index_.reserve(data_.size() / 16 + 1);
  for (uint32_t off = 0; off < data_.size();) {
    index_.insert(off);
    off += uint32_t(strnlen(data_.data() + off, data_.size() - off)) + 1;
  }
}

std::string_view StringTable::local(uint32_t off) const {
  const char *p = data_.data() + off;
  return std::string_view(p, strnlen(p, data_.size() - off));
}

size_t StringTable::Hash::operator()(uint32_t off) const { return (*this)(c->t->local(off)); }
size_t StringTable::Hash::operator()(std::string_view s) const {
  return XXH3_64bits(s.data(), s.size());
}
bool StringTable::Eq::operator()(uint32_t a, uint32_t b) const {
  return a == b || c->t->local(a) == c->t->local(b);
}
bool StringTable::Eq::operator()(std::string_view a, uint32_t b) const {
  return a == c->t->local(b);
}
bool StringTable::Eq::operator()(uint32_t a, std::string_view b) const {
  return c->t->local(a) == b;
}

uint32_t StringTable::add(std::string_view s) {
  if (s.empty() && first_ != 0)
    return 0;
  if (auto it = index_.find(s); it != index_.end())
    return first_ + *it;
  uint32_t off = uint32_t(data_.size());
  data_.insert(data_.end(), s.begin(), s.end());
  data_.push_back('\0');
  index_.insert(off);
  return first_ + off;
}

void StringTable::appendRaw(std::string_view bytes) {
  // A fresh standalone table already holds "" at offset 0; the section's own
  // leading NUL is that same string, so skip it or every offset would shift.
  if (first_ == 0 && data_.size() == 1 && !bytes.empty() && bytes[0] == '\0')
    bytes.remove_prefix(1);
  const size_t start = data_.size();
  data_.insert(data_.end(), bytes.begin(), bytes.end());
  if (!bytes.empty() && bytes.back() != '\0')
    data_.push_back('\0');
  index_.reserve(index_.size() + bytes.size() / 16 + 1);
  for (size_t off = start; off < data_.size();) {
    index_.insert(uint32_t(off)); // keeps the first offset of duplicates
    off += strnlen(data_.data() + off, data_.size() - off) + 1;
  }
}

uint32_t StringTable::find(std::string_view s) const {
  if (s.empty() && first_ != 0)
    return 0;
  auto it = index_.find(s);
  return it == index_.end() ? UINT32_MAX : first_ + *it;
}

std::string_view StringTable::at(uint32_t off) const { return local(off - first_); }

} // namespace d2b::btf
