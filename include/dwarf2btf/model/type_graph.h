#pragma once
/// Language-neutral type graph of one compilation unit: what the DWARF walker
/// produces and the lowerings (C today, Rust later) consume. Node 0 is void;
/// every other node is one type DIE, in the order the walker met it. Members,
/// enumerators, parameters, array dimensions and annotations live in flat
/// side arrays addressed by [first, first+count) slices, so the graph costs
/// a few vectors per CU rather than one heap object per DIE.
///
///   TypeGraph g;
///   NodeId i = g.addNode(TypeNode::base("int", 4, BaseEncoding::Signed));
///   NodeId p = g.addNode(TypeNode::pointer(i));
///
/// Names are string_views: into the libdw data of the open DWARF handle while
/// the graph is lowered (graphs never outlive their handle), or into literals
/// in tests.
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

namespace d2b::model {

using NodeId = uint32_t;
inline constexpr NodeId kVoidNode = 0;

enum class NodeKind : uint8_t {
  Void,       // node 0, DW_TAG_unspecified_type, and anything lowered to void
  Base,       // DW_TAG_base_type
  Pointer,    // DW_TAG_pointer_type, reference types, pointer to member
  Qualifier,  // const / volatile / restrict / atomic
  Typedef,    // DW_TAG_typedef
  Composite,  // struct / union / class (or their declarations)
  Enum,       // DW_TAG_enumeration_type
  Array,      // DW_TAG_array_type with its dimensions
  Subroutine, // DW_TAG_subroutine_type
};

/// Base type encodings, reduced to what lowerings distinguish.
enum class BaseEncoding : uint8_t {
  Signed,
  Unsigned,
  SignedChar,
  UnsignedChar,
  Bool,
  Float,
  ComplexFloat, // complex / imaginary / decimal floats: no BTF FLOAT form
  Other,        // UTF, fixed point, ... treated as unsigned integers
};

enum class Qualifier : uint8_t { Const, Volatile, Restrict, Atomic };
enum class CompositeKind : uint8_t { Struct, Union, Class };
enum class PointerKind : uint8_t { Pointer, Reference, RvalueReference, PtrToMember };

/// A struct/union member. `bitOffset` is from the start of the composite,
/// already converted from whatever DWARF form (data_bit_offset, or the
/// DWARF 2/3 bit_offset + byte_size form, big or little endian).
struct MemberNode {
  std::string_view name; // empty for anonymous members
  NodeId type = kVoidNode;
  uint64_t bitOffset = 0;
  uint32_t bitSize = 0;                // 0: not a bitfield
  uint32_t tagFirst = 0, tagCount = 0; // decl tags on the member
};

struct EnumeratorNode {
  std::string_view name;
  uint64_t value = 0; // two's complement when the enum is signed
  uint64_t high = 0;  // bits 64..127 of a 16-byte enum's value (rustc's u128/i128)
};

struct ParamNode {
  std::string_view name;
  NodeId type = kVoidNode;
};

/// One array dimension; `count` 0 for flexible/unknown bounds.
struct ArrayDim {
  uint64_t count = 0;
};

/// The kind of annotation a btf tag carries.
enum class TagKind : uint8_t { TypeTag, DeclTag };
struct Annotation {
  TagKind kind = TagKind::DeclTag;
  std::string_view value;
};

struct TypeNode {
  NodeKind kind = NodeKind::Void;
  uint8_t sub = 0;             // BaseEncoding / Qualifier / CompositeKind / PointerKind
  bool declaration = false;    // composites and enums: only declared
  bool isSigned = false;       // enums
  bool varargs = false;        // subroutines
  bool inTypesSection = false; // the DIE is in .debug_types (for diagnostics)
  bool foreign = false;        // the DIE belongs to another unit, which reports its problems
  bool variantPart = false;    // composites: has a DW_TAG_variant_part (Rust data enum)
  bool hasDiscr = false;       // ... whose first variant member is the discriminant
  uint32_t variantCount = 0;   // ... members after [first, first+count): see variantMembers()
  uint16_t language = 0;       // DW_LANG of the unit the DIE belongs to
  std::string_view name;
  uint64_t byteSize = 0;               // base, composite, enum; 0 when unknown
  uint32_t bitSize = 0;                // base types with DW_AT_bit_size (0: byteSize * 8)
  NodeId type = kVoidNode;             // pointee, qualified, aliased, element, return type
  uint32_t first = 0, count = 0;       // members / enumerators / params / dims
  uint32_t tagFirst = 0, tagCount = 0; // annotations (type tags on pointers, decl tags)
  uint64_t dieOffset = UINT64_MAX;     // for diagnostics; UINT64_MAX when synthetic

  BaseEncoding encoding() const { return BaseEncoding(sub); }
  Qualifier qualifier() const { return Qualifier(sub); }
  CompositeKind compositeKind() const { return CompositeKind(sub); }
  PointerKind pointerKind() const { return PointerKind(sub); }

  static TypeNode base(std::string_view name, uint64_t byteSize, BaseEncoding enc) {
    TypeNode n;
    n.kind = NodeKind::Base;
    n.name = name;
    n.byteSize = byteSize;
    n.sub = uint8_t(enc);
    return n;
  }
  static TypeNode pointer(NodeId to, PointerKind pk = PointerKind::Pointer) {
    TypeNode n;
    n.kind = NodeKind::Pointer;
    n.type = to;
    n.sub = uint8_t(pk);
    return n;
  }
  static TypeNode qualified(Qualifier q, NodeId to) {
    TypeNode n;
    n.kind = NodeKind::Qualifier;
    n.type = to;
    n.sub = uint8_t(q);
    return n;
  }
  static TypeNode typedefOf(std::string_view name, NodeId to) {
    TypeNode n;
    n.kind = NodeKind::Typedef;
    n.name = name;
    n.type = to;
    return n;
  }
};

/// The per-CU graph. Building appends; lowering reads.
class TypeGraph {
public:
  TypeGraph() { nodes_.emplace_back(); } // node 0: void

  NodeId addNode(const TypeNode &n) {
    nodes_.push_back(n);
    return NodeId(nodes_.size() - 1);
  }
  /// Room for `n` nodes in all, so adding them does not copy the graph.
  void reserve(size_t n) { nodes_.reserve(n); }
  TypeNode &node(NodeId id) { return nodes_[id]; }
  const TypeNode &node(NodeId id) const { return nodes_[id]; }
  size_t size() const { return nodes_.size(); }

  /// Appends side-array entries and returns the index of the first, for a
  /// node's `first` field (entries of one node must be contiguous).
  uint32_t addMember(const MemberNode &m) { return push(members_, m); }
  uint32_t addEnumerator(const EnumeratorNode &e) { return push(enumerators_, e); }
  uint32_t addParam(const ParamNode &p) { return push(params_, p); }
  uint32_t addDim(const ArrayDim &d) { return push(dims_, d); }
  uint32_t addAnnotation(const Annotation &a) { return push(annotations_, a); }
  uint32_t memberCount() const { return uint32_t(members_.size()); }
  uint32_t enumeratorCount() const { return uint32_t(enumerators_.size()); }
  uint32_t paramCount() const { return uint32_t(params_.size()); }
  uint32_t dimCount() const { return uint32_t(dims_.size()); }
  uint32_t annotationCount() const { return uint32_t(annotations_.size()); }
  MemberNode &member(uint32_t i) { return members_[i]; }

  std::span<const MemberNode> members(const TypeNode &n) const { return slice(members_, n); }
  /// A variant part's members, stored after the composite's own: the
  /// discriminant first (when n.hasDiscr, unnamed), then one member per
  /// DW_TAG_variant, typed by the variant's struct. Lowerings that ignore
  /// variant parts never see them through members().
  std::span<const MemberNode> variantMembers(const TypeNode &n) const {
    return std::span(members_).subspan(n.first + n.count, n.variantCount);
  }
  std::span<const EnumeratorNode> enumerators(const TypeNode &n) const {
    return slice(enumerators_, n);
  }
  std::span<const ParamNode> params(const TypeNode &n) const { return slice(params_, n); }
  std::span<const ArrayDim> dims(const TypeNode &n) const { return slice(dims_, n); }
  std::span<const Annotation> annotations(const TypeNode &n) const {
    return std::span(annotations_).subspan(n.tagFirst, n.tagCount);
  }
  std::span<const Annotation> annotations(const MemberNode &m) const {
    return std::span(annotations_).subspan(m.tagFirst, m.tagCount);
  }

private:
  template <class T> static uint32_t push(std::vector<T> &v, const T &x) {
    v.push_back(x);
    return uint32_t(v.size() - 1);
  }
  template <class T> static std::span<const T> slice(const std::vector<T> &v, const TypeNode &n) {
    return std::span(v).subspan(n.first, n.count);
  }

  std::vector<TypeNode> nodes_;
  std::vector<MemberNode> members_;
  std::vector<EnumeratorNode> enumerators_;
  std::vector<ParamNode> params_;
  std::vector<ArrayDim> dims_;
  std::vector<Annotation> annotations_;
};

} // namespace d2b::model
