#pragma once
/// The C lowering (also used for C++ and, until issue 3, every language):
/// graph nodes to BTF kinds the way pahole's encoder does it.
///
/// - base types: INT (SIGNED / BOOL / none), FLOAT when policy.floats;
///   sizes that are 0, not a power of two or above 16 bytes become pahole's
///   4-byte `__SANITIZED_FAKE_INT__`; complex floats stay INT.
/// - pointers and references: PTR, preceded by their TYPE_TAG chain in
///   pahole's order (PTR -> last annotation -> ... -> first -> pointee).
/// - const/volatile/restrict: the qualifier; _Atomic is dropped (the BTF
///   has no atomic kind; pahole 1.24 loses the whole type instead).
/// - struct/class/union: STRUCT/UNION (kind_flag with bitfields), FWD for
///   declarations (kind_flag for unions).
/// - enums: ENUM or ENUM64 (size > 4) with the signedness kind_flag; an
///   enum declaration is a 4-byte ENUM with no values, as pahole emits it.
/// - arrays: nested ARRAYs (or one flattened ARRAY), index type `int`.
/// - subroutine types: FUNC_PROTO, varargs as a trailing void parameter.
#include "dwarf2btf/lower/lowering.h"

namespace d2b::lower {

class CLowering final : public NodeLowering {
public:
  NodeLayout layout(const model::TypeGraph &g, model::NodeId n, const Policy &p) const override;
  void emit(LowerState &s, model::NodeId n, uint32_t firstId) const override;
  void emitDeclTags(LowerState &s, model::NodeId n) const override;
};

/// The BTF INT encoding, byte size and name pahole gives a base type.
struct IntShape {
  std::string_view name;
  uint32_t byteSize = 0;
  uint32_t encoding = 0;
};
IntShape cIntShape(const model::TypeNode &base);

} // namespace d2b::lower
