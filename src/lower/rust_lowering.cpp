#include "dwarf2btf/lower/rust_lowering.h"

#include <algorithm>
#include <fmt/format.h>

#include "dwarf2btf/lower/c_lowering.h"
#include "dwarf2btf/lower/rust_names.h"

namespace d2b::lower {

using model::BaseEncoding;
using model::NodeId;
using model::NodeKind;
using model::TypeGraph;
using model::TypeNode;

namespace {

// Graphs are acyclic only through composites; chains of typedefs, qualifiers
// and arrays are bounded here so corrupt input cannot recurse forever.
constexpr int kMaxChain = 64;

bool isCVoid(const TypeNode &n) { return n.kind == NodeKind::Enum && n.name == "c_void"; }

// Whether node `n` becomes void in BTF (and so cannot be a member, element
// or parameter type).
bool lowersToVoid(const TypeGraph &g, NodeId n, int depth = 0) {
  if (depth > kMaxChain)
    return true;
  const TypeNode &t = g.node(n);
  switch (t.kind) {
  case NodeKind::Void:
    return true;
  case NodeKind::Base:
    return t.byteSize == 0;
  case NodeKind::Enum:
    return isCVoid(t) || (t.byteSize == 0 && !t.declaration);
  case NodeKind::Array:
    return lowersToVoid(g, t.type, depth + 1);
  case NodeKind::Pointer:
  case NodeKind::Qualifier:
  case NodeKind::Typedef:
  case NodeKind::Composite:
  case NodeKind::Subroutine:
    return false;
  }
  return false;
}

// The node behind typedefs and qualifiers.
const TypeNode &stripped(const TypeGraph &g, NodeId n) {
  for (int i = 0; i < kMaxChain; ++i) {
    const TypeNode &t = g.node(n);
    if (t.kind != NodeKind::Typedef && t.kind != NodeKind::Qualifier)
      return t;
    n = t.type;
  }
  return g.node(model::kVoidNode);
}

bool validFloatSize(uint64_t size) {
  return size == 2 || size == 4 || size == 8 || size == 12 || size == 16;
}

// The C spelling gcc gives an integer of this size and signedness: INT names
// are printed verbatim by C dumpers and dedup against the C units' types.
std::string_view cIntName(uint64_t size, bool isSigned) {
  switch (size) {
  case 1:
    return isSigned ? "signed char" : "unsigned char";
  case 2:
    return isSigned ? "short int" : "short unsigned int";
  case 4:
    return isSigned ? "int" : "unsigned int";
  case 8:
    return isSigned ? "long int" : "long unsigned int";
  case 16:
    return isSigned ? "__int128" : "__int128 unsigned";
  default:
    return {};
  }
}

std::string_view rustIntName(uint64_t size, bool isSigned) {
  switch (size) {
  case 1:
    return isSigned ? "i8" : "u8";
  case 2:
    return isSigned ? "i16" : "u16";
  case 4:
    return isSigned ? "i32" : "u32";
  case 8:
    return isSigned ? "i64" : "u64";
  case 16:
    return isSigned ? "i128" : "u128";
  default:
    return {};
  }
}

std::string_view intName(const Policy &p, uint64_t size, bool isSigned) {
  return p.rust.cPrimitiveNames ? cIntName(size, isSigned) : rustIntName(size, isSigned);
}

// What a composite becomes: its members in BTF order, or opaque and why; and
// the sizes of packed FLOAT members that are typed as INTs instead.
struct CompositePlan {
  const char *opaqueRule = nullptr;
  std::string why;
  std::vector<model::MemberNode> members;
  std::vector<std::string_view> dropped; // names of zero-sized members
  std::vector<std::string_view> pastEnd; // names of members at or past the end
  std::vector<uint64_t> floatIntSizes;
  std::vector<bool> asInt; // parallel to members
};

bool floatMisaligned(const TypeNode &t, uint64_t bitOffset) {
  if (t.kind != NodeKind::Base || t.encoding() != BaseEncoding::Float ||
      !validFloatSize(t.byteSize))
    return false;
  const uint64_t align = std::min<uint64_t>(8, t.byteSize) * 8;
  return bitOffset % align != 0;
}

// A data-carrying enum as a tagged union: the discriminant (if any) and the
// variants, each a member at offset 0 of an anonymous UNION.
// Members of composite `n` that no byte of it holds. rustc describes an
// unsized tail (`inner: [u8]` of CStr) by its element type and a fn-item field
// (a ZST) by the fn-pointer type, both placed at the struct's end.
enum class MemberDrop { No, ZeroSized, PastEnd };
MemberDrop memberDrop(const TypeGraph &g, const TypeNode &n, const model::MemberNode &m) {
  if (lowersToVoid(g, m.type) || isRustZeroSized(g, m.type))
    return MemberDrop::ZeroSized;
  if (m.bitOffset / 8 >= n.byteSize)
    return MemberDrop::PastEnd;
  return MemberDrop::No;
}

struct DataEnumPlan {
  const char *opaqueRule = nullptr;
  std::string why;
  std::vector<model::MemberNode> common; // ordinary members beside the variant part, sorted
  std::vector<std::string_view> dropped; // ... of them zero-sized
  bool discr = false;
  model::MemberNode discrMember;
  std::vector<model::MemberNode> variants;
  // Types emitted before the STRUCT: [common] [E__discr] union.
  uint32_t extra() const { return (common.empty() ? 0 : 1) + (discr ? 1 : 0) + 1; }
};

DataEnumPlan planDataEnum(const TypeGraph &g, const TypeNode &n, const Policy &p) {
  DataEnumPlan plan;
  auto opaque = [&](const char *rule, std::string why) {
    plan.opaqueRule = rule;
    plan.why = std::move(why);
    return plan;
  };
  if (p.rust.dataEnums == RustPolicy::DataEnums::Opaque)
    return opaque("rust.opaque.data-enum",
                  "data-carrying enum encoded as an opaque struct of its size (policy)");
  // Ordinary members beside the variant part (coroutine-like layouts) go
  // into an anonymous struct that is the union's first arm, so they keep
  // their offsets and C reads them as e->member.
  for (const model::MemberNode &m : g.members(n)) {
    if (memberDrop(g, n, m) != MemberDrop::No) {
      plan.dropped.push_back(m.name);
      continue;
    }
    const TypeNode &t = stripped(g, m.type);
    if (t.kind == NodeKind::Void ||
        ((t.kind == NodeKind::Composite || t.kind == NodeKind::Enum) && t.declaration) ||
        m.bitSize != 0 || m.bitOffset > UINT32_MAX || (p.floats && floatMisaligned(t, m.bitOffset)))
      return opaque("rust.opaque.data-enum-members",
                    fmt::format("member '{}' beside the variant part is unsized, a bitfield, out "
                                "of reach or a misaligned float; encoded as an opaque struct",
                                m.name));
    plan.common.push_back(m);
  }
  std::stable_sort(plan.common.begin(), plan.common.end(),
                   [](const model::MemberNode &a, const model::MemberNode &b) {
                     return a.bitOffset < b.bitOffset;
                   });
  if (plan.common.size() > btf::kMaxVlen)
    return opaque("rust.opaque.too-many-members",
                  "too many members beside the variant part; encoded as an opaque struct");
  auto vm = g.variantMembers(n);
  size_t i = 0;
  if (n.hasDiscr && !vm.empty()) {
    plan.discrMember = vm[0];
    i = 1;
    const TypeNode &t = stripped(g, plan.discrMember.type);
    if (lowersToVoid(g, plan.discrMember.type) || plan.discrMember.bitOffset > UINT32_MAX ||
        t.kind == NodeKind::Composite)
      return opaque("rust.opaque.discriminant",
                    "discriminant is not a scalar BTF can place; encoded as an opaque struct");
    plan.discr = true;
  }
  for (; i < vm.size(); ++i) {
    const model::MemberNode &m = vm[i];
    if (lowersToVoid(g, m.type))
      continue;
    if (m.bitOffset != 0)
      return opaque(
          "rust.opaque.variant-offset",
          fmt::format("variant '{}' is not at offset 0; encoded as an opaque struct", m.name));
    plan.variants.push_back(m);
  }
  if (plan.variants.size() + 2 > btf::kMaxVlen)
    return opaque("rust.opaque.too-many-variants",
                  "too many variants for one BTF union; encoded as an opaque struct");
  return plan;
}

CompositePlan planComposite(const TypeGraph &g, const TypeNode &n, const Policy &p) {
  CompositePlan plan;
  if (n.variantPart) {
    DataEnumPlan d = planDataEnum(g, n, p);
    plan.opaqueRule = d.opaqueRule ? d.opaqueRule : "rust.data-enum-layout";
    plan.why = d.why;
    return plan;
  }
  const bool isUnion = n.compositeKind() == model::CompositeKind::Union;
  for (const model::MemberNode &m : g.members(n)) {
    if (const MemberDrop d = memberDrop(g, n, m); d != MemberDrop::No) {
      (d == MemberDrop::ZeroSized ? plan.dropped : plan.pastEnd).push_back(m.name);
      continue;
    }
    const TypeNode &t = stripped(g, m.type);
    auto opaque = [&](const char *rule, std::string why) {
      plan.opaqueRule = rule;
      plan.why = std::move(why);
    };
    if (t.kind == NodeKind::Void ||
        ((t.kind == NodeKind::Composite || t.kind == NodeKind::Enum) && t.declaration)) {
      opaque("rust.opaque.unsized-member",
             fmt::format("member '{}' has no sized type; encoded as an opaque struct", m.name));
      return plan;
    }
    if (m.bitSize != 0) {
      opaque("rust.opaque.bitfield",
             fmt::format("member '{}' is a bitfield; encoded as an opaque struct", m.name));
      return plan;
    }
    if (m.bitOffset > UINT32_MAX) {
      opaque("rust.opaque.member-offset",
             fmt::format("member '{}' at bit {} is beyond BTF's reach; encoded as an opaque struct",
                         m.name, m.bitOffset));
      return plan;
    }
    if (isUnion && m.bitOffset != 0) {
      opaque("rust.opaque.union-offset",
             fmt::format("union member '{}' at bit {} (BTF unions start every member at 0); "
                         "encoded as an opaque struct",
                         m.name, m.bitOffset));
      return plan;
    }
    const bool toInt = p.floats && floatMisaligned(t, m.bitOffset);
    if (toInt && std::find(plan.floatIntSizes.begin(), plan.floatIntSizes.end(), t.byteSize) ==
                     plan.floatIntSizes.end())
      plan.floatIntSizes.push_back(t.byteSize);
    plan.members.push_back(m);
    plan.asInt.push_back(toInt);
  }
  if (plan.members.size() > btf::kMaxVlen) {
    plan.opaqueRule = "rust.opaque.too-many-members";
    plan.why = fmt::format("{} members exceed the BTF limit of {}; encoded as an opaque struct",
                           plan.members.size(), btf::kMaxVlen);
    return plan;
  }
  if (!isUnion) {
    // Rust's default repr reorders fields; BTF needs non-decreasing offsets.
    std::vector<size_t> idx(plan.members.size());
    for (size_t i = 0; i < idx.size(); ++i)
      idx[i] = i;
    std::stable_sort(idx.begin(), idx.end(), [&](size_t a, size_t b) {
      return plan.members[a].bitOffset < plan.members[b].bitOffset;
    });
    std::vector<model::MemberNode> ms;
    std::vector<bool> ai;
    for (size_t i : idx) {
      ms.push_back(plan.members[i]);
      ai.push_back(plan.asInt[i]);
    }
    plan.members = std::move(ms);
    plan.asInt = std::move(ai);
  }
  std::sort(plan.floatIntSizes.begin(), plan.floatIntSizes.end());
  return plan;
}

// `base__suffix`, without forming `___` (libbpf CO-RE reads `X___Y` as a
// flavor of X) when a sanitized base already ends in an escape's `_`.
std::string joinName(const std::string &base, std::string_view suffix) {
  return base + (!base.empty() && base.back() == '_' ? "_" : "__") + std::string(suffix);
}

// The name a node is known by: its leaf DW_AT_name, or its full scope path
// when that name clashes in the unit (--rust-qualify-clashes).
std::string_view rustName(const LowerState &s, NodeId id) {
  if (s.ctx.rustPaths)
    if (auto it = s.ctx.rustPaths->find(id); it != s.ctx.rustPaths->end())
      return it->second;
  return s.graph.node(id).name;
}

// A type/enumerator/member name the kernel accepts, reporting a change.
std::string typeName(LowerState &s, NodeId id, std::string_view name) {
  if (name.empty())
    return {};
  if (name.data() != s.graph.node(id).name.data() && name != s.graph.node(id).name)
    s.report(id, "rust.qualify.clash",
             fmt::format("'{}' shares its name with another type of the unit; named by its path "
                         "'{}'",
                         s.graph.node(id).name, name));
  std::string out = rust::sanitizeName(name, s.policy.rust.maxNameLen);
  if (out != name) {
    s.report(id, "rust.rename.type", fmt::format("'{}' named '{}'", name, out));
    if (rust::hasFlavorSeparator(out))
      s.report(id, "rust.flavor-separator",
               fmt::format("sanitized name '{}' holds '___', which libbpf CO-RE reads as a "
                           "flavor separator",
                           out));
  }
  return out;
}

std::string fieldName(LowerState &s, NodeId id, std::string_view name, const char *rule) {
  if (name.empty() || rust::isValidIdentifier(name))
    return std::string(name);
  std::string out = "__" + rust::sanitizeName(name, s.policy.rust.maxNameLen - 2);
  s.report(id, rule, fmt::format("'{}' named '{}'", name, out));
  return out;
}

void emitBase(LowerState &s, NodeId id, const TypeNode &n) {
  const Policy &p = s.policy;
  const BaseEncoding enc = n.encoding();
  if (enc == BaseEncoding::Float && validFloatSize(n.byteSize)) {
    std::string_view name = n.name;
    if (p.rust.cPrimitiveNames)
      name = n.byteSize == 4 ? "float" : n.byteSize == 8 ? "double" : n.name;
    if (p.floats) {
      s.btf.addFloat(name, uint32_t(n.byteSize));
      return;
    }
    s.btf.addInt(intName(p, n.byteSize, false), uint32_t(n.byteSize), 0);
    return;
  }
  if (enc == BaseEncoding::Other && n.name == "char") {
    // DW_ATE_UTF: a C dumper would print an INT named `char` as a 1-byte char.
    s.report(id, "rust.rename.char", fmt::format("char encoded as INT '{}'", p.rust.charName));
    s.btf.addInt(p.rust.charName, 4, 0);
    return;
  }
  const bool isSigned = enc == BaseEncoding::Signed || enc == BaseEncoding::SignedChar;
  if (enc == BaseEncoding::Bool && n.byteSize == 1) {
    s.btf.addInt(p.rust.cPrimitiveNames ? "_Bool" : n.name, 1, btf::kIntBool);
    return;
  }
  std::string_view name = intName(p, n.byteSize, isSigned);
  if (name.empty()) {
    // Not a BTF INT size: keep the storage as bytes rather than inventing a
    // wider type that would break layouts.
    s.report(id, "rust.opaque.base",
             fmt::format("base type of {} bytes has no BTF INT form; encoded as an opaque struct",
                         n.byteSize));
    s.btf.addComposite(false, typeName(s, id, n.name),
                       uint32_t(std::min<uint64_t>(n.byteSize, UINT32_MAX)), {});
    return;
  }
  s.btf.addInt(name, uint32_t(n.byteSize), isSigned ? btf::kIntSigned : 0);
}

// STRUCT E { union { struct E__discr { value@off } __discr; struct A A; ... } }:
// every variant's fields stay at their real offsets and the discriminant is
// readable by CO-RE as e->__discr.value.
void emitDataEnum(LowerState &s, NodeId id, const TypeNode &n, const std::string &name,
                  const DataEnumPlan &plan, uint32_t firstId) {
  const uint32_t size = uint32_t(std::min<uint64_t>(n.byteSize, UINT32_MAX));
  std::vector<std::string> names;
  std::vector<btf::Member> arms;
  uint32_t next = firstId;
  if (!plan.common.empty()) {
    for (std::string_view z : plan.dropped)
      s.report(id, "rust.drop.zst-member", fmt::format("zero-sized member '{}' dropped", z));
    std::vector<std::string> cn;
    for (const model::MemberNode &m : plan.common)
      cn.push_back(fieldName(s, id, m.name, "rust.rename.member"));
    std::vector<btf::Member> cm;
    for (size_t i = 0; i < plan.common.size(); ++i)
      cm.push_back({cn[i], s.ids[plan.common[i].type], uint32_t(plan.common[i].bitOffset), 0});
    s.btf.addComposite(false, "", size, cm);
    arms.push_back({"", next++, 0, 0});
    s.report(id, "rust.data-enum-members",
             fmt::format("{} member(s) beside the variant part kept in an anonymous struct "
                         "(the union's first arm)",
                         plan.common.size()));
  }
  if (plan.discr) {
    const btf::Member value{"value", s.ids[plan.discrMember.type],
                            uint32_t(plan.discrMember.bitOffset), 0};
    s.btf.addComposite(false, name.empty() ? std::string() : joinName(name, "discr"), size,
                       std::span(&value, 1));
    names.push_back("__discr");
  }
  for (const model::MemberNode &m : plan.variants) {
    std::string vn(m.name);
    if (!rust::isValidIdentifier(vn)) {
      // Coroutine variants are named "0", "1", ...; their structs are
      // named Unresumed, Suspend0, ...
      std::string_view tn = s.graph.node(m.type).name;
      vn = rust::isValidIdentifier(tn)
               ? std::string(tn)
               : "__" + rust::sanitizeName(m.name, s.policy.rust.maxNameLen - 2);
      s.report(id, "rust.rename.variant", fmt::format("variant '{}' named '{}'", m.name, vn));
    }
    names.push_back(std::move(vn));
  }
  size_t k = 0;
  if (plan.discr)
    arms.push_back({names[k++], next++, 0, 0});
  for (const model::MemberNode &m : plan.variants)
    arms.push_back({names[k++], s.ids[m.type], 0, 0});
  const uint32_t unionId = s.btf.addComposite(true, "", size, arms);
  const btf::Member outer{"", unionId, 0, 0};
  s.btf.addComposite(false, name, size, std::span(&outer, 1));
  s.diag.count("rust.data-enum-layout");
}

// A variant struct's name: its enum's, `__`, its own (`Option_3C_u8_3E___Some`).
std::string variantName(LowerState &s, NodeId id, const TypeNode &n) {
  const NodeId owner = s.variantOwner.empty() ? model::kVoidNode : s.variantOwner[id];
  std::string_view enumName = owner ? rustName(s, owner) : std::string_view();
  // bpf-linker keeps the leaf names; so does its preset.
  if (enumName.empty() || n.name.empty() ||
      s.policy.rust.dataEnums == RustPolicy::DataEnums::Opaque)
    return typeName(s, id, rustName(s, id));
  std::string full = std::string(enumName) + "::" + std::string(n.name);
  std::string out = joinName(rust::sanitizeName(enumName, s.policy.rust.maxNameLen),
                             rust::sanitizeName(n.name, s.policy.rust.maxNameLen));
  if (out.size() > s.policy.rust.maxNameLen)
    out = rust::sanitizeName(full, s.policy.rust.maxNameLen);
  s.diag.count("rust.rename.variant-struct");
  return out;
}

void emitComposite(LowerState &s, NodeId id, const TypeNode &n, uint32_t firstId) {
  const bool isUnion = n.compositeKind() == model::CompositeKind::Union;
  const std::string name = variantName(s, id, n);
  if (n.declaration) {
    s.btf.addFwd(name, isUnion);
    return;
  }
  const uint32_t size = uint32_t(std::min<uint64_t>(n.byteSize, UINT32_MAX));
  if (n.variantPart) {
    const DataEnumPlan d = planDataEnum(s.graph, n, s.policy);
    if (!d.opaqueRule) {
      emitDataEnum(s, id, n, name, d, firstId);
      return;
    }
  }
  const CompositePlan plan = planComposite(s.graph, n, s.policy);
  for (uint64_t fs : plan.floatIntSizes)
    s.btf.addInt(intName(s.policy, fs, false), uint32_t(fs), 0);
  if (plan.opaqueRule) {
    s.report(id, plan.opaqueRule, plan.why);
    s.btf.addComposite(isUnion, name, size, {});
    return;
  }
  for (std::string_view z : plan.dropped)
    s.report(id, "rust.drop.zst-member", fmt::format("zero-sized member '{}' dropped", z));
  for (std::string_view z : plan.pastEnd)
    s.report(id, "rust.drop.unsized-member",
             fmt::format("member '{}' lies at or past the end of the {}-byte struct (an unsized "
                         "tail or a zero-sized fn item); dropped",
                         z, n.byteSize));
  std::vector<std::string> names;
  names.reserve(plan.members.size());
  for (const model::MemberNode &m : plan.members)
    names.push_back(fieldName(s, id, m.name, "rust.rename.member"));
  std::vector<btf::Member> out;
  out.reserve(plan.members.size());
  for (size_t i = 0; i < plan.members.size(); ++i) {
    const model::MemberNode &m = plan.members[i];
    btf::Member bm;
    bm.name = names[i];
    bm.bitOffset = uint32_t(m.bitOffset);
    if (plan.asInt[i]) {
      const uint64_t fs = stripped(s.graph, m.type).byteSize;
      const auto at = std::find(plan.floatIntSizes.begin(), plan.floatIntSizes.end(), fs);
      bm.type = firstId + uint32_t(at - plan.floatIntSizes.begin());
      s.report(id, "rust.rename.packed-float",
               fmt::format("misaligned float member '{}' typed as an INT of {} bytes", m.name, fs));
    } else {
      bm.type = s.ids[m.type];
    }
    out.push_back(bm);
  }
  s.btf.addComposite(isUnion, name, size, out);
}

// Whether a 16-byte enumerator's value is representable in 64 bits under
// the enum's signedness.
bool fits64(const model::EnumeratorNode &e, bool isSigned) {
  if (!isSigned)
    return e.high == 0;
  return e.high == (int64_t(e.value) < 0 ? ~uint64_t(0) : 0);
}

bool anyFits64(const TypeGraph &g, const TypeNode &n) {
  const auto values = g.enumerators(n);
  return std::any_of(values.begin(), values.end(),
                     [&](const model::EnumeratorNode &e) { return fits64(e, n.isSigned); });
}

// A u128/i128 enum (no BTF enum is wider than 8 bytes): INT of 128 bits,
// TYPEDEF E to it (what members and variables use: right size, integer
// semantics), and ENUM64 E__values holding the enumerators whose values fit
// in 64 bits; the others are left out and reported.
void emitEnum128(LowerState &s, NodeId id, const TypeNode &n, const std::string &name) {
  const std::string tdName = name.empty() ? std::string("rust_enum128") : name;
  const uint32_t intId =
      s.btf.addInt(intName(s.policy, 16, n.isSigned), 16, n.isSigned ? btf::kIntSigned : 0);
  s.btf.addTypedef(tdName, intId);
  const auto values = s.graph.enumerators(n);
  std::vector<std::string> names;
  std::vector<size_t> kept;
  for (size_t i = 0; i < values.size() && kept.size() < btf::kMaxVlen; ++i) {
    const model::EnumeratorNode &e = values[i];
    if (fits64(e, n.isSigned)) {
      kept.push_back(i);
      names.push_back(fieldName(s, id, e.name, "rust.rename.enumerator"));
      continue;
    }
    s.report(id, "rust.enum128.value-dropped",
             fmt::format("enumerator '{}' = {:#x}{:016x} does not fit in 64 bits; left out of "
                         "'{}'",
                         e.name, e.high, e.value, joinName(tdName, "values")));
  }
  s.report(id, "rust.enum128-as-int",
           fmt::format("16-byte enum encoded as a 128-bit INT behind typedef '{}'; {} of {} "
                       "enumerators in ENUM64 '{}'",
                       tdName, kept.size(), values.size(), joinName(tdName, "values")));
  if (kept.empty())
    return;
  std::vector<btf::EnumValue> out;
  for (size_t i = 0; i < kept.size(); ++i)
    out.push_back({names[i], values[kept[i]].value});
  s.btf.addEnum(joinName(tdName, "values"), 8, n.isSigned, out, s.policy.enum64);
}

void emitEnum(LowerState &s, NodeId id, const TypeNode &n) {
  const std::string name = typeName(s, id, rustName(s, id));
  if (n.declaration) {
    s.btf.addEnum(name, n.byteSize ? uint32_t(n.byteSize) : 4, false, {}, s.policy.enum64);
    return;
  }
  if (n.byteSize == 16) {
    emitEnum128(s, id, n, name);
    return;
  }
  if (n.byteSize != 1 && n.byteSize != 2 && n.byteSize != 4 && n.byteSize != 8) {
    s.report(
        id, "rust.opaque.enum-size",
        fmt::format("enum of {} bytes has no BTF form; encoded as an opaque struct", n.byteSize));
    s.btf.addComposite(false, name, uint32_t(std::min<uint64_t>(n.byteSize, UINT32_MAX)), {});
    return;
  }
  auto values = s.graph.enumerators(n);
  if (values.size() > btf::kMaxVlen) {
    s.report(id, "rust.too-many-enumerators",
             fmt::format("{} enumerators exceed the BTF limit of {}; the rest are dropped",
                         values.size(), btf::kMaxVlen));
    values = values.first(btf::kMaxVlen);
  }
  std::vector<std::string> names;
  names.reserve(values.size());
  for (const model::EnumeratorNode &e : values)
    names.push_back(fieldName(s, id, e.name, "rust.rename.enumerator"));
  std::vector<btf::EnumValue> out;
  out.reserve(values.size());
  for (size_t i = 0; i < values.size(); ++i)
    out.push_back({names[i], values[i].value});
  s.btf.addEnum(name, uint32_t(n.byteSize), n.isSigned, out, s.policy.enum64);
}

void emitSubroutine(LowerState &s, NodeId id, const TypeNode &n) {
  std::vector<btf::Param> out;
  for (const model::ParamNode &prm : s.graph.params(n)) {
    if (lowersToVoid(s.graph, prm.type)) {
      // A void argument would read as varargs (or be rejected mid-list).
      s.diag.count("rust.drop.zst-param");
      continue;
    }
    out.push_back({"", s.ids[prm.type]});
  }
  if (out.size() > btf::kMaxVlen) {
    s.report(id, "rust.too-many-params", "too many parameters for BTF; the rest are dropped");
    out.resize(btf::kMaxVlen);
  }
  s.btf.addFuncProto(s.ids[n.type], out);
}

const CLowering &cLowering() {
  static const CLowering c;
  return c;
}

} // namespace

bool isRustZeroSized(const TypeGraph &g, NodeId n) {
  for (int i = 0; i < kMaxChain; ++i) {
    const TypeNode &t = g.node(n);
    switch (t.kind) {
    case NodeKind::Void:
      return false; // void is not a type with a size at all
    case NodeKind::Base:
    case NodeKind::Enum:
      return t.byteSize == 0 && !t.declaration;
    case NodeKind::Composite:
      return !t.declaration && t.byteSize == 0;
    case NodeKind::Array:
      for (const model::ArrayDim &d : g.dims(t))
        if (d.count == 0)
          return true;
      n = t.type;
      continue;
    case NodeKind::Typedef:
    case NodeKind::Qualifier:
      n = t.type;
      continue;
    case NodeKind::Pointer:
    case NodeKind::Subroutine:
      return false;
    }
  }
  return false;
}

NodeLayout RustLowering::layout(const TypeGraph &g, NodeId id, const Policy &p) const {
  const TypeNode &n = g.node(id);
  NodeLayout l;
  switch (n.kind) {
  case NodeKind::Void:
    l.alias = true;
    return l;
  case NodeKind::Base:
    if (n.byteSize == 0) { // `()` and `!`
      l.alias = true;
      return l;
    }
    l.count = 1;
    return l;
  case NodeKind::Enum:
    if (isCVoid(n) || (n.byteSize == 0 && !n.declaration)) {
      l.alias = true;
      return l;
    }
    if (n.byteSize == 16 && !n.declaration) {
      l.count = anyFits64(g, n) ? 3 : 2; // INT, TYPEDEF (entry), [ENUM64 E__values]
      l.entry = 1;
      return l;
    }
    l.count = 1;
    return l;
  case NodeKind::Array:
    if (lowersToVoid(g, n.type)) {
      l.alias = true;
      return l;
    }
    return cLowering().layout(g, id, p);
  case NodeKind::Composite:
    if (n.declaration) {
      l.count = 1;
      return l;
    }
    if (n.variantPart) {
      const DataEnumPlan d = planDataEnum(g, n, p);
      l.entry = d.opaqueRule ? 0 : d.extra();
    } else {
      l.entry = uint32_t(planComposite(g, n, p).floatIntSizes.size());
    }
    l.count = l.entry + 1;
    return l;
  case NodeKind::Pointer:
  case NodeKind::Qualifier:
    return cLowering().layout(g, id, p);
  case NodeKind::Typedef:
  case NodeKind::Subroutine:
    l.count = 1;
    return l;
  }
  return l;
}

void RustLowering::emit(LowerState &s, NodeId id, uint32_t firstId) const {
  const TypeNode &n = s.graph.node(id);
  switch (n.kind) {
  case NodeKind::Void:
    return;
  case NodeKind::Base:
    emitBase(s, id, n);
    return;
  case NodeKind::Pointer:
  case NodeKind::Qualifier:
  case NodeKind::Array:
    cLowering().emit(s, id, firstId);
    return;
  case NodeKind::Typedef:
    s.btf.addTypedef(n.name.empty() ? std::string("rust_anon") : typeName(s, id, n.name),
                     s.targetOf(id));
    return;
  case NodeKind::Composite:
    emitComposite(s, id, n, firstId);
    return;
  case NodeKind::Enum:
    emitEnum(s, id, n);
    return;
  case NodeKind::Subroutine:
    emitSubroutine(s, id, n);
    return;
  }
}

void RustLowering::emitDeclTags(LowerState &, NodeId) const {
  // rustc emits no btf_decl_tag annotations.
}

} // namespace d2b::lower
