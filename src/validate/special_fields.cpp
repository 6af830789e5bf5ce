// The last phase of BPF_BTF_LOAD (btf_parse_struct_metas): structs that
// contain the kernel's special objects (bpf_spin_lock, bpf_list_head, ...,
// and kptr-tagged pointers) get their field layout recorded, and misuse
// fails the load *without any log message*. We model the rules that depend
// on the BTF alone; the one that depends on the running kernel's own BTF (a
// referenced kptr to a kernel type needs a registered destructor) is not
// modelled. Messages here are ours (Violation::logged is false).
//
// Which structs are looked at: those with a member whose type id is one of
// the special struct ids (the first STRUCT of each special name) or a
// kptr-tagged pointer. Their members are then searched recursively (nested
// structs, arrays); a member counts as a special field by the *name* of its
// (array element) type, or as a kptr when it is not a struct.
#include <fmt/format.h>

#include <set>

#include "checker.h"

namespace d2b::validate::detail {

namespace {

using btf::Kind;

enum Field : uint32_t {
  kSpinLock = 1u << 0,
  kResSpinLock = 1u << 1,
  kListHead = 1u << 2,
  kListNode = 1u << 3,
  kRbRoot = 1u << 4,
  kRbNode = 1u << 5,
  kRefcount = 1u << 6,
  kKptrUnref = 1u << 7,
  kKptrRef = 1u << 8,
  kKptrPercpu = 1u << 9,
  kUptr = 1u << 10,
};
constexpr uint32_t kKptr = kKptrUnref | kKptrRef | kKptrPercpu;
/// The fields this phase looks for (timers, workqueues and uptrs are only
/// looked for in map values, at map creation).
constexpr uint32_t kStructMetaMask =
    kSpinLock | kResSpinLock | kListHead | kListNode | kRbRoot | kRbNode | kRefcount | kKptr;
constexpr int kFieldsMax = 11; // BTF_FIELDS_MAX
constexpr int kIgnore = 0, kFound = 1;

struct SpecialStruct {
  Field field;
  std::string_view name;
  bool unique; // at most one per struct level
  uint32_t size, align;
};
constexpr SpecialStruct kSpecialStructs[] = {
    {kSpinLock, "bpf_spin_lock", true, 4, 4},   {kResSpinLock, "bpf_res_spin_lock", true, 4, 4},
    {kListHead, "bpf_list_head", false, 16, 8}, {kListNode, "bpf_list_node", false, 24, 8},
    {kRbRoot, "bpf_rb_root", false, 16, 8},     {kRbNode, "bpf_rb_node", false, 32, 8},
    {kRefcount, "bpf_refcount", false, 4, 4},
};
/// Structs whose presence as a member makes a struct worth parsing.
constexpr std::string_view kAllocObjNames[] = {"bpf_spin_lock", "bpf_list_head", "bpf_list_node",
                                               "bpf_rb_root",   "bpf_rb_node",   "bpf_refcount"};

uint32_t fieldSize(uint32_t f) {
  for (const SpecialStruct &s : kSpecialStructs)
    if (s.field == f)
      return s.size;
  return 8; // kptrs and uptrs are u64
}

const char *fieldName(uint32_t f) {
  for (const SpecialStruct &s : kSpecialStructs)
    if (s.field == f)
      return s.name.data();
  return "kptr";
}

struct FieldInfo {
  uint32_t type = 0;
  uint32_t off = 0;
  uint32_t valueId = 0;      // graph roots: the "contains:" struct
  std::string_view nodeName; // graph roots: its node member
};

/// Why a struct's fields were refused, for the message.
struct Refusal {
  int err = 0;
  std::string why;
};

class FieldScan {
public:
  FieldScan(const Checker &c, uint32_t endId) : c_(c), endId_(endId) {}

  bool isStruct(const uint32_t *t) const { return t && kindOf(t) == Kind::Struct; }
  std::string_view nameOf(const uint32_t *t) const {
    return t[0] && c_.nameOffsetValid(t[0]) ? c_.str(t[0]) : std::string_view("(anon)");
  }

  /// btf_find_by_name_kind for STRUCT: the first id with that name, or 0.
  uint32_t findStruct(std::string_view name) const {
    for (uint32_t id = 1; id < endId_; ++id) {
      const uint32_t *t = c_.type(id);
      if (isStruct(t) && t[0] && c_.nameOffsetValid(t[0]) && c_.str(t[0]) == name)
        return id;
    }
    return 0;
  }

  const uint32_t *skipModifiers(uint32_t id) const {
    const uint32_t *t = c_.type(id);
    for (int guard = 0; t && isModifier(t) && guard < 64; ++guard)
      t = c_.type(t[2]);
    return t;
  }

  /// btf_find_kptr: a (volatile) pointer to a kptr type tag.
  int findKptr(const uint32_t *t, uint32_t off, FieldInfo *info, uint32_t mask, Refusal &r) const {
    if (t && kindOf(t) == Kind::Volatile)
      t = c_.type(t[2]);
    if (!t || kindOf(t) != Kind::Ptr)
      return kIgnore;
    t = c_.type(t[2]);
    if (!t || kindOf(t) != Kind::TypeTag || kflagOf(t))
      return kIgnore;
    const uint32_t *next = c_.type(t[2]);
    if (next && kindOf(next) == Kind::TypeTag)
      return refuse(r, EINVAL, "pointer with more than one type tag");
    const std::string_view tag = nameOf(t);
    uint32_t type;
    if (tag == "kptr_untrusted")
      type = kKptrUnref;
    else if (tag == "kptr")
      type = kKptrRef;
    else if (tag == "percpu_kptr")
      type = kKptrPercpu;
    else if (tag == "uptr")
      type = kUptr;
    else
      return refuse(r, EINVAL, fmt::format("pointer tagged \"{}\", not a kptr tag", tag));
    if (!(type & mask))
      return kIgnore;
    if (!isStruct(skipModifiers(t[2])))
      return refuse(r, EINVAL, fmt::format("{} does not point to a struct", tag));
    if (info)
      *info = FieldInfo{type, off, 0, {}};
    return kFound;
  }

  /// btf_find_decl_tag_value: the one "contains:" tag on member `idx` of `pt`.
  int containsTag(uint32_t ptId, int idx, std::string_view &value) const {
    constexpr std::string_view key = "contains:";
    uint32_t found = 0;
    for (uint32_t id = 1; id < endId_; ++id) {
      const uint32_t *t = c_.type(id);
      if (!t || kindOf(t) != Kind::DeclTag || t[2] != ptId || int32_t(tailOf(t)[0]) != idx)
        continue;
      const std::string_view name = nameOf(t);
      if (name.substr(0, key.size()) != key)
        continue;
      if (found)
        return -EEXIST;
      found = id;
      value = name.substr(key.size());
    }
    return found ? 0 : -ENOENT;
  }

  int findGraphRoot(uint32_t ptId, const uint32_t *t, int idx, uint32_t off, uint32_t sz,
                    uint32_t type, FieldInfo *info, Refusal &r) const {
    if (!isStruct(t) || t[2] != sz)
      return kIgnore;
    std::string_view value;
    if (containsTag(ptId, idx, value) != 0)
      return refuse(r, EINVAL,
                    fmt::format("{} member #{} without exactly one \"contains:\" decl tag",
                                fieldName(type), idx));
    const size_t colon = value.find(':');
    if (colon == std::string_view::npos)
      return refuse(r, EINVAL, fmt::format("\"contains:{}\" has no node name", value));
    const uint32_t valueId = findStruct(value.substr(0, colon));
    if (!valueId)
      return refuse(r, ENOENT,
                    fmt::format("no struct {} for \"contains:{}\"", value.substr(0, colon), value));
    if (colon + 1 == value.size())
      return refuse(r, EINVAL, fmt::format("\"contains:{}\" has an empty node name", value));
    if (info)
      *info = FieldInfo{type, off, valueId, value.substr(colon + 1)};
    return kFound;
  }

  /// btf_repeat_fields: an array of `repeat + 1` copies of `cnt` fields.
  int repeatFields(FieldInfo *info, int infoCnt, int cnt, uint32_t repeat, uint32_t elemSize,
                   Refusal &r) const {
    for (int i = 0; i < cnt; ++i)
      if (!(info[i].type & (kKptr | kUptr | kListHead | kRbRoot)))
        return refuse(r, EINVAL, fmt::format("array of {}", fieldName(info[i].type)));
    if (uint64_t(cnt) * (uint64_t(repeat) + 1) > uint64_t(infoCnt))
      return refuse(r, E2BIG, fmt::format("more than {} special fields", kFieldsMax));
    int cur = cnt;
    for (uint32_t i = 0; i < repeat; ++i)
      for (int j = 0; j < cnt; ++j) {
        info[cur] = info[j];
        info[cur++].off += (i + 1) * elemSize;
      }
    return 0;
  }

  /// btf_find_field_one for member `idx` (type `t`) of struct `ptId`.
  int fieldOne(uint32_t ptId, const uint32_t *t, int idx, uint32_t off, uint32_t &seen,
               FieldInfo *info, int infoCnt, uint32_t level, Refusal &r) const {
    uint32_t nelems = 1, i = 0;
    for (; i < kMaxResolveDepth && t && kindOf(t) == Kind::Array; ++i) {
      nelems *= tailOf(t)[2];
      t = c_.type(tailOf(t)[0]);
    }
    if (i == kMaxResolveDepth)
      return refuse(r, E2BIG, "arrays nested too deeply");
    if (!nelems || !t)
      return 0;
    // btf_get_field_type: by the type's name, else any non-struct is a kptr
    // candidate.
    uint32_t type = 0, sz = 8, align = 8;
    const std::string_view name = nameOf(t);
    for (const SpecialStruct &s : kSpecialStructs) {
      if (!(kStructMetaMask & s.field) || name != s.name)
        continue;
      if (s.unique) {
        if (seen & s.field)
          return refuse(r, E2BIG, fmt::format("more than one {}", s.name));
        seen |= s.field;
      }
      type = s.field;
      sz = s.size;
      align = s.align;
      break;
    }
    if (!type && !isStruct(t))
      type = kKptrRef;
    if (!type) {
      // A plain struct member: look inside it.
      if (++level >= kMaxResolveDepth)
        return refuse(r, E2BIG, "structs nested too deeply");
      const uint32_t innerId = memberTypeId(ptId, idx);
      int n = structFields(innerId, t, info, infoCnt, level, r);
      if (n <= 0)
        return n;
      for (int k = 0; k < n; ++k)
        info[k].off += off;
      if (nelems > 1) {
        if (int err = repeatFields(info, infoCnt, n, nelems - 1, t[2], r))
          return err;
        n *= int(nelems);
      }
      return n;
    }
    if (off % align)
      return 0;
    FieldInfo tmp;
    FieldInfo *dst = infoCnt ? info : &tmp;
    int ret;
    switch (type) {
    case kListHead:
    case kRbRoot:
      ret = findGraphRoot(ptId, t, idx, off, sz, type, dst, r);
      break;
    case kKptrRef:
      ret = findKptr(t, off, dst, kStructMetaMask, r);
      break;
    default:
      ret = isStruct(t) && t[2] == sz ? kFound : kIgnore;
      if (ret == kFound)
        *dst = FieldInfo{type, off, 0, {}};
      break;
    }
    if (ret <= 0)
      return ret;
    if (!infoCnt)
      return refuse(r, E2BIG, fmt::format("more than {} special fields", kFieldsMax));
    if (nelems > 1)
      if (int err = repeatFields(info, infoCnt, 1, nelems - 1, sz, r))
        return err;
    return int(nelems);
  }

  /// btf_find_struct_field over struct `id`.
  int structFields(uint32_t id, const uint32_t *t, FieldInfo *info, int infoCnt, uint32_t level,
                   Refusal &r) const {
    uint32_t seen = 0;
    int n = 0;
    const uint32_t *tail = tailOf(t);
    for (uint32_t i = 0; i < vlenOf(t); ++i) {
      const uint32_t raw = tail[3 * i + 2];
      const uint32_t off = kflagOf(t) ? btf::memberBitOffset(raw) : raw;
      if (off % 8)
        return refuse(r, EINVAL, fmt::format("member #{} is not byte aligned", i));
      const int ret = fieldOne(id, c_.type(tail[3 * i + 1]), int(i), off / 8, seen, info + n,
                               infoCnt - n, level, r);
      if (ret < 0)
        return ret;
      n += ret;
    }
    return n;
  }

  /// btf_parse_graph_root: the value struct's node member.
  int graphRoot(const FieldInfo &f, std::string_view nodeType, Refusal &r) const {
    const uint32_t *t = c_.type(f.valueId);
    const uint32_t *tail = tailOf(t);
    bool found = false;
    for (uint32_t i = 0; i < vlenOf(t); ++i) {
      const uint32_t *m = tail + 3 * i;
      if (!(m[0] && c_.nameOffsetValid(m[0]) && c_.str(m[0]) == f.nodeName))
        continue;
      if (found)
        return refuse(r, EINVAL, fmt::format("two members named {}", f.nodeName));
      found = true;
      const uint32_t *n = c_.type(m[1]);
      if (!isStruct(n) || nameOf(n) != nodeType)
        return refuse(r, EINVAL, fmt::format("member {} is not a {}", f.nodeName, nodeType));
      // The kernel decodes the offset with the node struct's kind_flag.
      const uint32_t bits = kflagOf(n) ? btf::memberBitOffset(m[2]) : m[2];
      if (bits % 8 || (bits / 8) % 8)
        return refuse(r, EINVAL, fmt::format("member {} is misaligned", f.nodeName));
    }
    if (!found)
      return refuse(r, ENOENT, fmt::format("no member {} in {}", f.nodeName, nameOf(t)));
    return 0;
  }

  /// btf_parse_fields: returns the fields found, or the refusal.
  int parse(uint32_t id, const uint32_t *t, std::vector<FieldInfo> &fields, Refusal &r) const {
    FieldInfo info[kFieldsMax];
    const int n = structFields(id, t, info, kFieldsMax, 0, r);
    if (n <= 0)
      return n;
    uint32_t nextOff = 0, mask = 0;
    for (int i = 0; i < n; ++i) {
      const uint32_t size = fieldSize(info[i].type);
      if (uint64_t(info[i].off) + size > t[2])
        return refuse(r, EFAULT, fmt::format("{} past the end", fieldName(info[i].type)));
      if (info[i].off < nextOff)
        return refuse(
            r, EEXIST,
            fmt::format("{} overlaps the previous special field", fieldName(info[i].type)));
      nextOff = info[i].off + size;
      mask |= info[i].type;
      if (info[i].type == kListHead)
        if (int err = graphRoot(info[i], "bpf_list_node", r))
          return err;
      if (info[i].type == kRbRoot)
        if (int err = graphRoot(info[i], "bpf_rb_node", r))
          return err;
    }
    if ((mask & kSpinLock) && (mask & kResSpinLock))
      return refuse(r, EINVAL, "both bpf_spin_lock and bpf_res_spin_lock");
    if ((mask & (kListHead | kRbRoot)) && !(mask & (kSpinLock | kResSpinLock)))
      return refuse(r, EINVAL, "bpf_list_head/bpf_rb_root without a lock");
    if (!(mask & kRefcount) && (mask & kListNode) && (mask & kRbNode))
      return refuse(r, EINVAL, "bpf_list_node and bpf_rb_node without bpf_refcount");
    fields.assign(info, info + n);
    return n;
  }

  static int refuse(Refusal &r, int err, std::string why) {
    r.err = err;
    r.why = std::move(why);
    return -err;
  }

private:
  uint32_t memberTypeId(uint32_t structId, int idx) const {
    const uint32_t *t = c_.type(structId);
    const uint32_t *elem = c_.type(tailOf(t)[3 * idx + 1]);
    uint32_t id = tailOf(t)[3 * idx + 1];
    while (elem && kindOf(elem) == Kind::Array) {
      id = tailOf(elem)[0];
      elem = c_.type(id);
    }
    return id;
  }

  const Checker &c_;
  uint32_t endId_;
};

} // namespace

void Checker::checkSpecialFields() {
  const uint32_t endId = firstId_ + uint32_t(offsets_.size());
  FieldScan scan(*this, endId);
  std::set<uint32_t> special; // btf_parse_struct_metas' "aof" ids
  for (std::string_view name : kAllocObjNames)
    if (uint32_t id = scan.findStruct(name))
      special.insert(id);
  for (uint32_t id = 1; id < endId; ++id) {
    Refusal ignored;
    if (scan.findKptr(type(id), 0, nullptr, kKptr, ignored) == kFound)
      special.insert(id);
  }
  if (special.empty())
    return;

  struct Record {
    uint32_t id;
    std::vector<FieldInfo> fields;
  };
  std::vector<Record> records;
  for (uint32_t i = 0; i < offsets_.size(); ++i) {
    const uint32_t id = firstId_ + i;
    const uint32_t *t = type(id);
    if (taintedAt(i) || kindOf(t) != btf::Kind::Struct)
      continue;
    bool uses = false;
    for (uint32_t m = 0; m < vlenOf(t) && !uses; ++m)
      uses = special.count(tailOf(t)[3 * m + 1]) != 0;
    if (!uses)
      continue;
    logTypeId_ = id;
    Refusal r;
    Record rec{id, {}};
    const int n = scan.parse(id, t, rec.fields, r);
    if (n < 0) {
      failUnlogged(fmt::format("STRUCT {}: {}", scan.nameOf(t), r.why), r.err);
      return;
    }
    if (n == 0) {
      failUnlogged(fmt::format("STRUCT {}: uses a special type but has no usable special field",
                               scan.nameOf(t)),
                   EFAULT);
      return;
    }
    records.push_back(std::move(rec));
  }
  // btf_check_and_fixup_fields: graph roots need a parsed value struct, and
  // a struct that is both root and node must not own another root.
  for (const Record &rec : records) {
    uint32_t mask = 0;
    for (const FieldInfo &f : rec.fields)
      mask |= f.type;
    for (const FieldInfo &f : rec.fields) {
      if (!(f.type & (kListHead | kRbRoot)))
        continue;
      logTypeId_ = rec.id;
      const Record *value = nullptr;
      for (const Record &v : records)
        if (v.id == f.valueId)
          value = &v;
      if (!value) {
        failUnlogged(fmt::format("STRUCT {}: the value type of its {} has no special fields",
                                 scan.nameOf(type(rec.id)), fieldName(f.type)),
                     EFAULT);
        return;
      }
      if (!(mask & (kListNode | kRbNode)))
        continue;
      for (const FieldInfo &vf : value->fields)
        if (vf.type & (kListHead | kRbRoot)) {
          failUnlogged(fmt::format("STRUCT {}: ownership cycle through {}",
                                   scan.nameOf(type(rec.id)), scan.nameOf(type(value->id))),
                       ELOOP);
          return;
        }
    }
  }
}

} // namespace d2b::validate::detail
