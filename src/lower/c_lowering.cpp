#include "dwarf2btf/lower/c_lowering.h"

#include <bit>
#include <fmt/format.h>

namespace d2b::lower {

using model::BaseEncoding;
using model::NodeId;
using model::NodeKind;
using model::TagKind;
using model::TypeNode;

namespace {

uint32_t typeTagCount(const model::TypeGraph &g, const TypeNode &n) {
  uint32_t c = 0;
  for (const model::Annotation &a : g.annotations(n))
    c += a.kind == TagKind::TypeTag;
  return c;
}

bool validFloatSize(uint64_t size) {
  return size == 2 || size == 4 || size == 8 || size == 12 || size == 16;
}

uint32_t clampU32(const LowerState &s, NodeId n, uint64_t v, const char *what) {
  if (v <= UINT32_MAX)
    return uint32_t(v);
  s.report(n, "c.too-large", fmt::format("{} {} does not fit in 32 bits; clamped", what, v));
  return UINT32_MAX;
}

// The byte size the kernel will resolve for node `id` (0 when unknown), or
// UINT64_MAX when it exceeds 64 bits. Bounded: a corrupt chain may loop.
uint64_t btfByteSize(const model::TypeGraph &g, NodeId id) {
  uint64_t factor = 1;
  for (int depth = 0; depth < 64; ++depth) {
    const TypeNode &n = g.node(id);
    uint64_t size = 0;
    switch (n.kind) {
    case NodeKind::Void:
    case NodeKind::Subroutine:
      return 0;
    case NodeKind::Pointer:
      size = 8; // the kernel's pointer size
      break;
    case NodeKind::Base:
      size = n.encoding() == BaseEncoding::Float && validFloatSize(n.byteSize)
                 ? n.byteSize
                 : cIntShape(n).byteSize;
      break;
    case NodeKind::Composite:
    case NodeKind::Enum:
      size = n.byteSize;
      break;
    case NodeKind::Qualifier:
    case NodeKind::Typedef:
      id = n.type;
      continue;
    case NodeKind::Array:
      for (const model::ArrayDim &d : g.dims(n))
        factor = d.count && factor > UINT64_MAX / d.count ? UINT64_MAX : factor * d.count;
      id = n.type;
      continue;
    }
    return size && factor > UINT64_MAX / size ? UINT64_MAX : size * factor;
  }
  return 0;
}

void emitBase(LowerState &s, NodeId id, const TypeNode &n) {
  const BaseEncoding enc = n.encoding();
  if (enc == BaseEncoding::Float && s.policy.floats) {
    if (validFloatSize(n.byteSize)) {
      s.btf.addFloat(n.name, uint32_t(n.byteSize));
      return;
    }
    s.report(id, "c.bad-float-size",
             fmt::format("floating point type of {} bytes has no BTF FLOAT form; encoded as INT",
                         n.byteSize));
  }
  if (enc == BaseEncoding::ComplexFloat)
    s.count(id, "c.complex-float-as-int");
  IntShape shape = cIntShape(n);
  if (shape.name != n.name)
    s.count(id, "c.sanitized-int");
  s.btf.addInt(shape.name, shape.byteSize, shape.encoding);
}

void emitPointer(LowerState &s, NodeId id, const TypeNode &n, uint32_t firstId) {
  uint32_t target = s.targetOf(id);
  uint32_t k = 0;
  if (s.policy.typeTags) {
    // LLVM lists a pointer's annotations outermost first; pahole chains them
    // so the PTR reaches the last one first: PTR -> last -> ... -> first -> T.
    for (const model::Annotation &a : s.graph.annotations(n)) {
      if (a.kind != TagKind::TypeTag)
        continue;
      s.btf.addTypeTag(a.value, k == 0 ? target : firstId + k - 1);
      ++k;
    }
  }
  s.btf.addPtr(k == 0 ? target : firstId + k - 1);
}

void emitComposite(LowerState &s, NodeId id, const TypeNode &n) {
  const bool isUnion = n.compositeKind() == model::CompositeKind::Union;
  if (n.declaration) {
    s.btf.addFwd(n.name, isUnion);
    return;
  }
  auto members = s.graph.members(n);
  if (members.size() > btf::kMaxVlen) {
    s.report(id, "c.too-many-members",
             fmt::format("{} members exceed the BTF limit of {}; the rest are dropped",
                         members.size(), btf::kMaxVlen));
    members = members.first(btf::kMaxVlen);
  }
  bool anyBitfield = false;
  for (const model::MemberNode &m : members)
    anyBitfield |= m.bitSize != 0;
  std::vector<btf::Member> out;
  out.reserve(members.size());
  for (const model::MemberNode &m : members) {
    btf::Member bm;
    bm.name = m.name;
    bm.type = s.ids[m.type];
    bm.bitfieldSize = m.bitSize;
    uint64_t limit = anyBitfield ? 0xffffff : UINT32_MAX;
    if (m.bitOffset > limit) {
      s.report(id, "c.member-offset-too-large",
               fmt::format("member '{}' at bit offset {} cannot be encoded; placed at 0", m.name,
                           m.bitOffset));
      bm.bitOffset = 0;
    } else {
      bm.bitOffset = uint32_t(m.bitOffset);
    }
    if (m.bitSize > 255) {
      s.report(id, "c.bitfield-too-wide",
               fmt::format("bitfield '{}' of {} bits cannot be encoded; encoded as a plain member",
                           m.name, m.bitSize));
      bm.bitfieldSize = 0;
    }
    out.push_back(bm);
  }
  s.btf.addComposite(isUnion, n.name, clampU32(s, id, n.byteSize, "size"), out);
}

void emitEnum(LowerState &s, NodeId id, const TypeNode &n) {
  uint32_t size = clampU32(s, id, n.byteSize, "size");
  if (n.declaration) {
    // BTF has no enum forward; pahole emits an empty 4-byte ENUM.
    s.btf.addEnum(n.name, size ? size : 4, false, {}, s.policy.enum64);
    return;
  }
  if (size == 0) {
    s.report(id, "c.enum-no-size", "enumeration without a byte size; assumed 4 bytes");
    size = 4;
  }
  auto values = s.graph.enumerators(n);
  if (values.size() > btf::kMaxVlen) {
    s.report(id, "c.too-many-enumerators",
             fmt::format("{} enumerators exceed the BTF limit of {}; the rest are dropped",
                         values.size(), btf::kMaxVlen));
    values = values.first(btf::kMaxVlen);
  }
  std::vector<btf::EnumValue> out;
  out.reserve(values.size());
  for (const model::EnumeratorNode &e : values)
    out.push_back({e.name, e.value});
  s.btf.addEnum(n.name, size, n.isSigned, out, s.policy.enum64);
}

// The element count an ARRAY of `count` elements of `elemSize` bytes gets:
// the kernel rejects arrays of 4 GiB or more, and any other count would
// misstate the size, so such an array becomes zero-length — its container
// keeps its own size and member offsets, so the enclosing layout is intact.
uint32_t arrayCount(const LowerState &s, NodeId id, uint64_t count, uint64_t elemSize) {
  const bool tooBig = count > UINT32_MAX || (elemSize && count > UINT32_MAX / elemSize);
  if (!tooBig)
    return uint32_t(count);
  s.report(id, "c.array-too-large",
           elemSize ? fmt::format("array of {} elements of {} bytes is 4 GiB or more, which BTF "
                                  "cannot describe; encoded as a zero-length array",
                                  count, elemSize)
                    : fmt::format("array of {} elements does not fit in 32 bits; encoded as a "
                                  "zero-length array",
                                  count));
  return 0;
}

void emitArray(LowerState &s, NodeId id, const TypeNode &n, uint32_t firstId) {
  const uint32_t elem = s.targetOf(id);
  auto dims = s.graph.dims(n);
  if (dims.empty()) {
    s.btf.addArray(elem, s.indexType, 0);
    return;
  }
  const uint64_t elemSize = s.cutEdge[id] ? 0 : btfByteSize(s.graph, n.type);
  if (s.policy.flattenArrays) {
    uint64_t total = 1;
    for (const model::ArrayDim &d : dims)
      total = d.count && total > UINT64_MAX / d.count ? UINT64_MAX : total * d.count;
    s.btf.addArray(elem, s.indexType, arrayCount(s, id, total, elemSize));
    return;
  }
  // Innermost dimension first when sizing: once one level is zero-length
  // the levels around it are small again.
  std::vector<uint32_t> counts(dims.size());
  uint64_t size = elemSize;
  for (size_t i = dims.size(); i-- > 0;) {
    counts[i] = arrayCount(s, id, dims[i].count, size);
    size = uint64_t(counts[i]) * size;
  }
  // Outermost dimension first, each ARRAY's element being the next one.
  for (size_t i = 0; i < dims.size(); ++i) {
    uint32_t inner = i + 1 == dims.size() ? elem : firstId + uint32_t(i) + 1;
    s.btf.addArray(inner, s.indexType, counts[i]);
  }
}

void emitSubroutine(LowerState &s, NodeId id, const TypeNode &n) {
  auto params = s.graph.params(n);
  std::vector<btf::Param> out;
  out.reserve(params.size() + 1);
  for (const model::ParamNode &p : params)
    out.push_back({p.name, s.ids[p.type]});
  if (n.varargs)
    out.push_back({"", 0});
  if (out.size() > btf::kMaxVlen) {
    s.report(id, "c.too-many-params", "too many parameters for BTF; the rest are dropped");
    out.resize(btf::kMaxVlen);
  }
  s.btf.addFuncProto(s.ids[n.type], out);
}

} // namespace

IntShape cIntShape(const TypeNode &n) {
  IntShape s;
  s.name = n.name;
  switch (n.encoding()) {
  case BaseEncoding::Signed:
  case BaseEncoding::SignedChar:
    s.encoding = btf::kIntSigned;
    break;
  case BaseEncoding::Bool:
    s.encoding = btf::kIntBool;
    break;
  case BaseEncoding::Unsigned:
  case BaseEncoding::UnsignedChar:
  case BaseEncoding::Float:
  case BaseEncoding::ComplexFloat:
  case BaseEncoding::Other:
    s.encoding = 0;
    break;
  }
  // DWARF 5 producers emit odd-sized base types (DW_ATE_unsigned_24 for
  // DW_OP_convert); BTF INTs must be 1, 2, 4, 8 or 16 bytes, so pahole
  // replaces them by a 4-byte fake and so do we.
  const uint64_t size = n.byteSize;
  if (size == 0 || size > 16 || !std::has_single_bit(size)) {
    s.name = "__SANITIZED_FAKE_INT__";
    s.byteSize = 4;
  } else {
    s.byteSize = uint32_t(size);
  }
  return s;
}

NodeLayout CLowering::layout(const model::TypeGraph &g, NodeId id, const Policy &p) const {
  const TypeNode &n = g.node(id);
  NodeLayout l;
  switch (n.kind) {
  case NodeKind::Void:
    l.alias = true;
    l.aliasOf = model::kVoidNode;
    return l;
  case NodeKind::Qualifier:
    if (n.qualifier() == model::Qualifier::Atomic) {
      l.alias = true;
      l.aliasOf = n.type;
      return l;
    }
    l.count = 1;
    return l;
  case NodeKind::Pointer: {
    uint32_t tags = p.typeTags ? typeTagCount(g, n) : 0;
    l.count = tags + 1;
    l.entry = tags; // the PTR comes after its tag chain
    return l;
  }
  case NodeKind::Array: {
    size_t dims = g.dims(n).size();
    l.count = p.flattenArrays || dims <= 1 ? 1 : uint32_t(dims);
    return l;
  }
  case NodeKind::Base:
  case NodeKind::Typedef:
  case NodeKind::Composite:
  case NodeKind::Enum:
  case NodeKind::Subroutine:
    l.count = 1;
    return l;
  }
  return l;
}

void CLowering::emit(LowerState &s, NodeId id, uint32_t firstId) const {
  const TypeNode &n = s.graph.node(id);
  switch (n.kind) {
  case NodeKind::Void:
    return;
  case NodeKind::Base:
    emitBase(s, id, n);
    return;
  case NodeKind::Pointer:
    emitPointer(s, id, n, firstId);
    return;
  case NodeKind::Qualifier:
    switch (n.qualifier()) {
    case model::Qualifier::Const:
      s.btf.addConst(s.targetOf(id));
      return;
    case model::Qualifier::Volatile:
      s.btf.addVolatile(s.targetOf(id));
      return;
    case model::Qualifier::Restrict:
      s.btf.addRestrict(s.targetOf(id));
      return;
    case model::Qualifier::Atomic:
      return; // an alias, never emitted
    }
    return;
  case NodeKind::Typedef:
    if (n.name.empty())
      s.report(id, "c.anonymous-typedef", "typedef without a name");
    s.btf.addTypedef(n.name, s.targetOf(id));
    return;
  case NodeKind::Composite:
    emitComposite(s, id, n);
    return;
  case NodeKind::Enum:
    emitEnum(s, id, n);
    return;
  case NodeKind::Array:
    emitArray(s, id, n, firstId);
    return;
  case NodeKind::Subroutine:
    emitSubroutine(s, id, n);
    return;
  }
}

void CLowering::emitDeclTags(LowerState &s, NodeId id) const {
  const TypeNode &n = s.graph.node(id);
  const bool composite = n.kind == NodeKind::Composite && !n.declaration;
  if (!composite && n.kind != NodeKind::Typedef)
    return;
  const uint32_t self = s.ids[id];
  if (composite) {
    auto members = s.graph.members(n);
    for (size_t i = 0; i < members.size() && i < btf::kMaxVlen; ++i)
      for (const model::Annotation &a : s.graph.annotations(members[i]))
        if (a.kind == TagKind::DeclTag)
          s.btf.addDeclTag(a.value, self, int32_t(i));
  }
  for (const model::Annotation &a : s.graph.annotations(n))
    if (a.kind == TagKind::DeclTag)
      s.btf.addDeclTag(a.value, self, -1);
}

} // namespace d2b::lower
