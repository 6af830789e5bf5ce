#pragma once
/// The Rust lowering (issue 3, first slice): graph nodes of DW_LANG_Rust
/// units to BTF the kernel accepts, under lower::Policy::rust.
///
/// - names of structs, unions, enums, typedefs and forwards: bpf-linker's
///   sanitization (rust_names.h); invalid member/enumerator names become
///   `__<sanitized>` (rust.rename.*).
/// - PTR/ARRAY/FUNC_PROTO anonymous; pointers to `()`/`!`/`c_void` are void *.
/// - struct members sorted by offset (stable); zero-sized members dropped
///   (rust.drop.zst-member); a packed FLOAT member is typed as an INT of its
///   size (rust.rename.packed-float).
/// - `()`/`!` are void; `core::ffi::c_void` is void; `char` is an INT named
///   policy.rust.charName; primitives get C names unless the preset keeps
///   Rust's; 16-byte enums are a 128-bit INT behind a TYPEDEF of the enum's
///   name plus an ENUM64 E__values of the enumerators that fit in 64 bits
///   (rust.enum128-as-int, rust.enum128.value-dropped).
/// - data-carrying enums (DW_TAG_variant_part): STRUCT E { UNION {
///   E__discr __discr; E__A A; ... } }, each variant struct (named
///   E__Variant) keeping its fields at their real offsets; ordinary members
///   beside the variant part in an anonymous STRUCT that is the union's
///   first arm (rust.data-enum-members); under the bpf-linker preset an
///   opaque STRUCT of E's size.
/// - names that clash in the unit take the scope path the encoder passes in
///   LowerContext::rustPaths (rust.qualify.clash).
/// - anything else BTF cannot hold (a union member off 0, a member of
///   unsized type) becomes an opaque STRUCT of the right size and name
///   (rust.opaque.*).
#include "dwarf2btf/lower/lowering.h"

namespace d2b::lower {

class RustLowering final : public NodeLowering {
public:
  NodeLayout layout(const model::TypeGraph &g, model::NodeId n, const Policy &p) const override;
  void emit(LowerState &s, model::NodeId n, uint32_t firstId) const override;
  void emitDeclTags(LowerState &s, model::NodeId n) const override;
};

/// Whether node `n` occupies no storage (`()`, `!`, PhantomData, `[T; 0]`,
/// arrays of such): such members and variables are dropped.
bool isRustZeroSized(const model::TypeGraph &g, model::NodeId n);

} // namespace d2b::lower
