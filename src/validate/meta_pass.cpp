// Pass 1 of the kernel's BTF verifier (btf_check_all_metas): each type is
// checked on its own, in section order, before any type id is followed.
// Every kind's rules and their order are those of the kernel's
// btf_<kind>_check_meta; the first failing rule is the one reported.
#include <fmt/format.h>

#include "checker.h"

namespace d2b::validate::detail {

namespace {

constexpr uint32_t kInfoMask = 0x9f00ffff; // vlen, kind (5 bits), kind_flag
constexpr uint32_t kIntDataMask = 0x0fffffff;
constexpr uint32_t kTypeHeaderBytes = 12;

uint32_t roundupBytes(uint32_t bits) { return (bits >> 3) + ((bits & 7) != 0); }
bool isPowerOf2(uint32_t v) { return v && !(v & (v - 1)); }

} // namespace

bool Checker::metaPass() {
  metaPhase_ = true;
  // A small module resolves a few hundred of vmlinux's types: checking the
  // other ~100 k first cost a run on one module a tenth of its time.
  if (role_ == Role::LazyBase && indexOnly())
    return true;
  const std::vector<uint32_t> &words = btf_.words();
  size_t cur = 0;
  uint32_t id = firstId_;
  bool overflowed = false;
  while (cur < words.size()) {
    logTypeId_ = id;
    const uint32_t *t = words.data() + cur;
    MetaResult r = checkMeta(t, uint32_t((words.size() - cur) * 4));
    if (!r.canContinue)
      return false;
    if (r.err == 0 && id >= kMaxTypeId) {
      // Linux 6.18 logs this but does not fail the load: the type (and every
      // later one) is checked and then dropped. Loaded BTF ends at 0xffffe.
      if (!overflowed)
        fail("", "Exceeded max num of types", 0);
      overflowed = true;
    } else if (!overflowed) {
      offsets_.push_back(uint32_t(cur));
      tainted_.push_back(r.err != 0);
    }
    cur += r.bytes / 4;
    ++id;
  }
  return true;
}

bool Checker::indexOnly() {
  const std::vector<uint32_t> &words = btf_.words();
  size_t cur = 0;
  uint32_t id = firstId_;
  while (cur < words.size()) {
    // Where the full pass stops early or drops types, it decides.
    const size_t left = words.size() - cur;
    const uint32_t rawKind = left >= 3 ? btf::infoKindRaw(words[cur + 1]) : 0;
    if (rawKind == 0 || rawKind > opts_.maxKind || id >= kMaxTypeId) {
      offsets_.clear();
      return false;
    }
    const size_t n = 3 + btf::tailWords(btf::Kind(rawKind), vlenOf(words.data() + cur));
    if (n > left) {
      offsets_.clear();
      return false;
    }
    offsets_.push_back(uint32_t(cur));
    cur += n;
    ++id;
  }
  tainted_.assign(offsets_.size(), kMetaUnchecked);
  return true;
}

bool Checker::taintedAt(uint32_t i) const {
  if (tainted_[i] == kMetaUnchecked) {
    auto *self = const_cast<Checker *>(this);
    const std::vector<uint32_t> &words = btf_.words();
    const uint32_t savedLogId = logTypeId_;
    std::vector<Violation> *savedOut = out_;
    self->logTypeId_ = firstId_ + i; // findings of a base level are not reported
    self->out_ = nullptr;
    const MetaResult r =
        self->checkMeta(words.data() + offsets_[i], uint32_t((words.size() - offsets_[i]) * 4));
    self->tainted_[i] = r.err != 0;
    self->logTypeId_ = savedLogId;
    self->out_ = savedOut;
  }
  return tainted_[i];
}

Checker::MetaResult Checker::checkMeta(const uint32_t *t, uint32_t metaLeft) {
  MetaResult r;
  // Structural errors are logged as "[id] message", without a type line.
  auto idTag = [this] { return fmt::format("[{}]", logTypeId_); };
  if (metaLeft < kTypeHeaderBytes) {
    r.err = fail(idTag(), fmt::format("meta_left:{} meta_needed:{}", metaLeft, kTypeHeaderBytes));
    r.canContinue = false;
    return r;
  }
  const uint32_t left = metaLeft - kTypeHeaderBytes;
  const uint32_t rawKind = btf::infoKindRaw(t[1]);
  const bool kindKnown = rawKind != 0 && rawKind <= opts_.maxKind;
  if (kindKnown)
    r.bytes = kTypeHeaderBytes + 4 * btf::tailWords(btf::Kind(rawKind), vlenOf(t));
  // Past a failed type we walk on only if its extent is known and in bounds.
  r.canContinue = kindKnown && r.bytes <= metaLeft;

  if (t[1] & ~kInfoMask) {
    r.err = fail(idTag(), fmt::format("Invalid btf_info:{:x}", t[1]));
    return r;
  }
  if (!kindKnown) {
    r.err = fail(idTag(), fmt::format("Invalid kind:{}", rawKind));
    return r;
  }
  if (!nameOffsetValid(t[0])) {
    r.err = fail(idTag(), fmt::format("Invalid name_offset:{}", t[0]));
    return r;
  }
  switch (kindOf(t)) {
  case btf::Kind::Int:
    r.err = intMeta(t, left);
    break;
  case btf::Kind::Ptr:
  case btf::Kind::Typedef:
  case btf::Kind::Volatile:
  case btf::Kind::Const:
  case btf::Kind::Restrict:
  case btf::Kind::TypeTag:
    r.err = refMeta(t);
    break;
  case btf::Kind::Fwd:
    r.err = fwdMeta(t);
    break;
  case btf::Kind::Array:
    r.err = arrayMeta(t, left);
    break;
  case btf::Kind::Struct:
  case btf::Kind::Union:
    r.err = compositeMeta(t, left);
    break;
  case btf::Kind::Enum:
    r.err = enumMeta(t, left, 2);
    break;
  case btf::Kind::Enum64:
    r.err = enumMeta(t, left, 3);
    break;
  case btf::Kind::FuncProto:
    r.err = funcProtoMeta(t, left);
    break;
  case btf::Kind::Func:
    r.err = funcMeta(t);
    break;
  case btf::Kind::Var:
    r.err = varMeta(t, left);
    break;
  case btf::Kind::Datasec:
    r.err = datasecMeta(t, left);
    break;
  case btf::Kind::Float:
    r.err = floatMeta(t);
    break;
  case btf::Kind::DeclTag:
    r.err = declTagMeta(t, left);
    break;
  case btf::Kind::Unkn:
    break; // excluded by kindKnown
  }
  return r;
}

bool Checker::metaLeftShort(const uint32_t *t, uint32_t metaLeft, uint32_t needed) {
  if (metaLeft >= needed)
    return false;
  failBasic(t, fmt::format("meta_left:{} meta_needed:{}", metaLeft, needed));
  return true;
}

int Checker::intMeta(const uint32_t *t, uint32_t metaLeft) {
  if (metaLeftShort(t, metaLeft, 4))
    return -EINVAL;
  if (vlenOf(t))
    return failType(t, "vlen != 0");
  if (kflagOf(t))
    return failType(t, "Invalid btf_info kind_flag");
  const uint32_t data = tailOf(t)[0];
  if (data & ~kIntDataMask)
    return failBasic(t, fmt::format("Invalid int_data:{:x}", data));
  // INT names are not checked at all: "()" or "f<32>" load fine.
  const uint32_t nrBits = btf::intBits(data) + btf::intOffset(data);
  if (nrBits > 128)
    return failType(t, "nr_bits exceeds 128");
  if (roundupBytes(nrBits) > t[2])
    return failType(t, "nr_bits exceeds type_size");
  const uint32_t enc = btf::intEncoding(data);
  if (enc && enc != btf::kIntSigned && enc != btf::kIntChar && enc != btf::kIntBool)
    return failType(t, "Unsupported encoding", kEnotsupp);
  return 0;
}

int Checker::refMeta(const uint32_t *t) {
  const btf::Kind kind = kindOf(t);
  if (vlenOf(t))
    return failType(t, "vlen != 0");
  if (kflagOf(t) && !(kind == btf::Kind::TypeTag && opts_.tagKindFlag))
    return failType(t, "Invalid btf_info kind_flag");
  if (t[2] > kMaxTypeId)
    return failType(t, "Invalid type_id");
  if (kind == btf::Kind::Typedef) {
    if (!t[0] || !identifierOk(t[0]))
      return failType(t, "Invalid name");
  } else if (kind == btf::Kind::TypeTag) {
    if (str(t[0]).empty())
      return failType(t, "Invalid name");
  } else if (t[0]) {
    // PTR, CONST, VOLATILE and RESTRICT must be anonymous.
    return failType(t, "Invalid name");
  }
  return 0;
}

int Checker::fwdMeta(const uint32_t *t) {
  if (vlenOf(t))
    return failType(t, "vlen != 0");
  if (t[2])
    return failType(t, "type != 0");
  if (!t[0] || !identifierOk(t[0]))
    return failType(t, "Invalid name");
  return 0;
}

int Checker::arrayMeta(const uint32_t *t, uint32_t metaLeft) {
  if (metaLeftShort(t, metaLeft, 12))
    return -EINVAL;
  if (t[0])
    return failType(t, "Invalid name");
  if (vlenOf(t))
    return failType(t, "vlen != 0");
  if (kflagOf(t))
    return failType(t, "Invalid btf_info kind_flag");
  if (t[2])
    return failType(t, "size != 0");
  const uint32_t *a = tailOf(t);
  // Neither the element nor the index may be void.
  if (!a[0] || a[0] > kMaxTypeId)
    return failType(t, "Invalid elem");
  if (!a[1] || a[1] > kMaxTypeId)
    return failType(t, "Invalid index");
  return 0;
}

int Checker::compositeMeta(const uint32_t *t, uint32_t metaLeft) {
  const uint32_t vlen = vlenOf(t);
  if (metaLeftShort(t, metaLeft, vlen * 12))
    return -EINVAL;
  if (t[0] && !identifierOk(t[0]))
    return failType(t, "Invalid name");
  const bool isUnion = kindOf(t) == btf::Kind::Union;
  const uint32_t *tail = tailOf(t);
  uint32_t lastOffset = 0;
  for (uint32_t i = 0; i < vlen; ++i) {
    const MemberRef m{tail[3 * i], tail[3 * i + 1], tail[3 * i + 2]};
    if (!nameOffsetValid(m.nameOff))
      return failMember(t, m, fmt::format("Invalid member name_offset:{}", m.nameOff));
    if (m.nameOff && !identifierOk(m.nameOff))
      return failMember(t, m, "Invalid name");
    if (!m.type || m.type > kMaxTypeId)
      return failMember(t, m, "Invalid type_id");
    const uint32_t offset = kflagOf(t) ? btf::memberBitOffset(m.offset) : m.offset;
    if (isUnion && offset)
      return failMember(t, m, "Invalid member bits_offset");
    // Equal offsets are fine (a trailing "char a[0]" shares one).
    if (lastOffset > offset)
      return failMember(t, m, "Invalid member bits_offset");
    if (roundupBytes(offset) > t[2])
      return failMember(t, m, "Member bits_offset exceeds its struct size");
    lastOffset = offset;
  }
  return 0;
}

int Checker::enumMeta(const uint32_t *t, uint32_t metaLeft, uint32_t entryWords) {
  const uint32_t vlen = vlenOf(t);
  if (metaLeftShort(t, metaLeft, vlen * entryWords * 4))
    return -EINVAL;
  if (kflagOf(t) && kindOf(t) == btf::Kind::Enum && !opts_.enumKindFlag)
    return failType(t, "Invalid btf_info kind_flag");
  if (t[2] > 8 || !isPowerOf2(t[2]))
    return failType(t, "Unexpected size");
  if (t[0] && !identifierOk(t[0]))
    return failType(t, "Invalid name");
  const uint32_t *tail = tailOf(t);
  for (uint32_t i = 0; i < vlen; ++i) {
    const uint32_t nameOff = tail[i * entryWords];
    // The kernel logs this one without a type prefix, tab first.
    if (!nameOffsetValid(nameOff))
      return fail("", fmt::format("\tInvalid name_offset:{}", nameOff));
    if (!nameOff || !identifierOk(nameOff))
      return failType(t, "Invalid name");
  }
  return 0;
}

int Checker::funcProtoMeta(const uint32_t *t, uint32_t metaLeft) {
  if (metaLeftShort(t, metaLeft, vlenOf(t) * 8))
    return -EINVAL;
  if (t[0])
    return failType(t, "Invalid name");
  if (kflagOf(t))
    return failType(t, "Invalid btf_info kind_flag");
  return 0;
}

int Checker::funcMeta(const uint32_t *t) {
  if (!t[0] || !identifierOk(t[0]))
    return failType(t, "Invalid name");
  // vlen holds the linkage; extern (2) is not accepted.
  if (vlenOf(t) > uint32_t(btf::FuncLinkage::Global))
    return failType(t, "Invalid func linkage");
  if (kflagOf(t))
    return failType(t, "Invalid btf_info kind_flag");
  return 0;
}

int Checker::varMeta(const uint32_t *t, uint32_t metaLeft) {
  if (metaLeftShort(t, metaLeft, 4))
    return -EINVAL;
  if (vlenOf(t))
    return failType(t, "vlen != 0");
  if (kflagOf(t))
    return failType(t, "Invalid btf_info kind_flag");
  if (!t[0] || !identifierOk(t[0]))
    return failType(t, "Invalid name");
  if (!t[2] || t[2] > kMaxTypeId)
    return failType(t, "Invalid type_id");
  const uint32_t linkage = tailOf(t)[0];
  if (linkage != uint32_t(btf::VarLinkage::Static) &&
      linkage != uint32_t(btf::VarLinkage::GlobalAllocated))
    return failType(t, "Linkage not supported");
  return 0;
}

int Checker::datasecMeta(const uint32_t *t, uint32_t metaLeft) {
  const uint32_t vlen = vlenOf(t);
  if (metaLeftShort(t, metaLeft, vlen * 12))
    return -EINVAL;
  if (!t[2])
    return failType(t, "size == 0");
  if (kflagOf(t))
    return failType(t, "Invalid btf_info kind_flag");
  if (!t[0] || !sectionNameOk(t[0]))
    return failType(t, "Invalid name");
  const uint32_t *tail = tailOf(t);
  uint64_t lastEnd = 0, sum = 0;
  for (uint32_t i = 0; i < vlen; ++i) {
    const uint32_t *vsi = tail + 3 * i; // type, offset, size
    if (!vsi[0] || vsi[0] > kMaxTypeId)
      return failVsi(t, vsi, "Invalid type_id");
    // Entries must be sorted by offset and must not overlap.
    if (vsi[1] < lastEnd || vsi[1] >= t[2])
      return failVsi(t, vsi, "Invalid offset");
    if (!vsi[2] || vsi[2] > t[2])
      return failVsi(t, vsi, "Invalid size");
    lastEnd = uint64_t(vsi[1]) + vsi[2];
    if (lastEnd > t[2])
      return failVsi(t, vsi, "Invalid offset+size");
    sum += vsi[2];
  }
  if (t[2] < sum)
    return failType(t, "Invalid btf_info size");
  return 0;
}

int Checker::floatMeta(const uint32_t *t) {
  if (vlenOf(t))
    return failType(t, "vlen != 0");
  if (kflagOf(t))
    return failType(t, "Invalid btf_info kind_flag");
  const uint32_t s = t[2];
  if (s != 2 && s != 4 && s != 8 && s != 12 && s != 16)
    return failType(t, "Invalid type_size");
  return 0;
}

int Checker::declTagMeta(const uint32_t *t, uint32_t metaLeft) {
  if (metaLeftShort(t, metaLeft, 4))
    return -EINVAL;
  if (str(t[0]).empty())
    return failType(t, "Invalid value");
  if (vlenOf(t))
    return failType(t, "vlen != 0");
  if (kflagOf(t) && !opts_.tagKindFlag)
    return failType(t, "Invalid btf_info kind_flag");
  if (int32_t(tailOf(t)[0]) < -1)
    return failType(t, "Invalid component_idx");
  return 0;
}

} // namespace d2b::validate::detail
