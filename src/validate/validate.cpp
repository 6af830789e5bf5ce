// Driver of the offline BTF verifier: header-level limits, then the meta and
// resolve passes (meta_pass.cpp, resolve_pass.cpp), then the kernel's final
// modifier-chain check. See checker.h for the overall design.
#include "dwarf2btf/validate/validate.h"

#include <fmt/format.h>
#include <memory>

#include "checker.h"

namespace d2b::validate {

ValidateOptions ValidateOptions::forKernel(unsigned major, unsigned minor) {
  const unsigned v = major * 1000 + minor;
  ValidateOptions o;
  o.maxNameLen = v >= 6001 ? 512 : 128;
  o.maxKind = v >= 6000   ? 19
              : v >= 5017 ? 18
              : v >= 5015 ? 17
              : v >= 5013 ? 16
              : v >= 5002 ? 15
              : v >= 5000 ? 13
                          : 11;
  o.relaxedNames = v >= 6009;
  o.tagKindFlag = v >= 6015;
  o.enumKindFlag = v >= 6000;
  return o;
}

std::string Violation::logLine() const {
  return kernelLine.empty() ? message : kernelLine + " " + message;
}

namespace detail {

namespace {
// The kernel's void: a zeroed type (kind UNKN) known by its address.
constexpr uint32_t kVoidType[3] = {0, 0, 0};
} // namespace

Checker::Checker(const btf::Btf &btf, const ValidateOptions &opts, const Checker *base, Role role)
    : btf_(btf), opts_(opts), base_(base), role_(role), firstId_(btf.startId()) {}

void Checker::run(std::vector<Violation> &out) {
  out_ = &out;
  checkHeader();
  const bool parsedAll = metaPass();
  visit_.assign(offsets_.size(), Visit::NotVisited);
  resolvedIds_.assign(offsets_.size(), 0);
  resolvedSizes_.assign(offsets_.size(), 0);
  // Ids past a type whose extent is unknown would not match the kernel's.
  if (parsedAll && role_ == Role::LazyBase) {
    resolvable_ = true; // from now on, by resolveOnDemand
  } else if (parsedAll) {
    resolvePass();
    if (role_ == Role::Reported) {
      checkTypeTags();
      // Only BTF loaded from user space goes through this phase.
      if (!base_)
        checkSpecialFields();
    }
  }
  out_ = nullptr;
}

bool Checker::ownIndex(uint32_t id, uint32_t &index) const {
  index = id - firstId_;
  return id >= firstId_ && index < offsets_.size();
}

const uint32_t *Checker::type(uint32_t id) const {
  if (id < firstId_)
    return base_ ? base_->type(id) : id == 0 ? kVoidType : nullptr;
  uint32_t i;
  return ownIndex(id, i) ? btf_.words().data() + offsets_[i] : nullptr;
}

uint32_t Checker::resolvedId(uint32_t id) const {
  if (id < firstId_)
    return base_ ? base_->resolvedId(id) : 0;
  uint32_t i;
  if (!ownIndex(id, i) || i >= resolvedIds_.size())
    return 0;
  resolveOnDemand(i);
  return resolvedIds_[i];
}

uint32_t Checker::resolvedSize(uint32_t id) const {
  if (id < firstId_)
    return base_ ? base_->resolvedSize(id) : 0;
  uint32_t i;
  if (!ownIndex(id, i) || i >= resolvedSizes_.size())
    return 0;
  resolveOnDemand(i);
  return resolvedSizes_[i];
}

bool Checker::nameOffsetValid(uint32_t off) const {
  return off <= btf::kMaxNameOffset && btf_.validStrOffset(off);
}

std::string_view Checker::str(uint32_t off) const { return btf_.str(off); }

std::string_view Checker::displayName(uint32_t off) const {
  if (!off)
    return "(anon)";
  return btf_.validStrOffset(off) ? btf_.str(off) : "(invalid-name-offset)";
}

void Checker::checkHeader() {
  logTypeId_ = 0;
  if (!base_) {
    // The kernel refuses this before it starts logging.
    const uint64_t total =
        btf::kHeaderSize + uint64_t(btf_.words().size()) * 4 + btf_.strings().size();
    if (total > kMaxBtfSize)
      failUnlogged(fmt::format("BTF size {} exceeds {}", total, kMaxBtfSize), E2BIG);
  }
  const std::vector<char> &s = btf_.strings().bytes();
  const bool emptySplitStrings = base_ && s.empty();
  if (!emptySplitStrings && (s.empty() || s.size() - 1 > btf::kMaxNameOffset || s.back() != '\0' ||
                             (!base_ && s.front() != '\0')))
    fail("", "Invalid string section");
  if (!base_ && btf_.words().empty())
    fail("", "No type found");
}

// btf_check_type_tags: along every chain of modifiers, type tags must come
// first, and no chain may be longer than 32 (which also catches cycles).
// Chains already walked (ids up to goodId) are not walked again.
void Checker::checkTypeTags() {
  uint32_t goodId = firstId_ - 1;
  for (uint32_t i = 0; i < offsets_.size(); ++i) {
    const uint32_t id = firstId_ + i;
    const uint32_t *t = type(id);
    if (!isModifier(t) || taintedAt(i))
      continue;
    logTypeId_ = id;
    bool inTags = kindOf(t) == btf::Kind::TypeTag;
    int chainLimit = 32;
    uint32_t cur = id;
    while (t && isModifier(t)) {
      if (!chainLimit--) {
        fail("", "Max chain length or cycle detected", ELOOP);
        break;
      }
      if (kindOf(t) == btf::Kind::TypeTag) {
        if (!inTags) {
          fail("", "Type tags don't precede modifiers");
          break;
        }
      } else {
        inTags = false;
      }
      if (cur <= goodId)
        break;
      cur = t[2];
      if (isTainted(cur))
        break; // reported by the resolve pass already
      t = type(cur);
    }
    goodId = id;
  }
}

} // namespace detail

std::vector<Violation> validate(const btf::Btf &btf, const ValidateOptions &opts) {
  // Check from the outermost base inwards; only the last level reports.
  std::vector<const btf::Btf *> chain;
  for (const btf::Btf *b = &btf; b; b = b->base())
    chain.insert(chain.begin(), b);
  std::vector<std::unique_ptr<detail::Checker>> checkers;
  std::vector<Violation> ignored, out;
  for (size_t i = 0; i < chain.size(); ++i) {
    const detail::Checker *base = checkers.empty() ? nullptr : checkers.back().get();
    const bool reported = i + 1 == chain.size();
    checkers.push_back(std::make_unique<detail::Checker>(
        *chain[i], opts, base,
        reported ? detail::Checker::Role::Reported : detail::Checker::Role::LazyBase));
    checkers.back()->run(reported ? out : ignored);
  }
  if (!opts.reportAll && out.size() > 1)
    out.resize(1);
  return out;
}

struct PreparedBase::Impl {
  // Outermost level first; each checker has run() and is only read from now.
  std::vector<std::unique_ptr<detail::Checker>> chain;
};

PreparedBase::PreparedBase(const btf::Btf &base, std::unique_ptr<Impl> impl)
    : base_(&base), impl_(std::move(impl)) {}

PreparedBase::~PreparedBase() = default;

std::shared_ptr<const PreparedBase> PreparedBase::create(const btf::Btf &base,
                                                         const ValidateOptions &opts) {
  std::vector<const btf::Btf *> levels;
  for (const btf::Btf *b = &base; b; b = b->base())
    levels.insert(levels.begin(), b);
  auto impl = std::make_unique<Impl>();
  std::vector<Violation> ignored;
  for (const btf::Btf *level : levels) {
    const detail::Checker *below = impl->chain.empty() ? nullptr : impl->chain.back().get();
    impl->chain.push_back(
        std::make_unique<detail::Checker>(*level, opts, below, detail::Checker::Role::Base));
    impl->chain.back()->run(ignored);
  }
  return std::shared_ptr<const PreparedBase>(new PreparedBase(base, std::move(impl)));
}

std::vector<Violation> validate(const btf::Btf &btf, const ValidateOptions &opts,
                                const PreparedBase &prepared) {
  if (btf.base() != &prepared.base())
    return validate(btf, opts);
  std::vector<Violation> out;
  detail::Checker own(btf, opts, prepared.impl().chain.back().get());
  own.run(out);
  if (!opts.reportAll && out.size() > 1)
    out.resize(1);
  return out;
}

} // namespace d2b::validate
