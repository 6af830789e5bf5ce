#pragma once
/// Distilled base BTF (pahole's `distilled_base`, libbpf's btf__distill_base):
/// split BTF rewritten against a minimal base that describes only what the
/// split BTF refers to, so that a module built out of tree can be relocated
/// onto whatever vmlinux BTF it is loaded with (the kernel matches the
/// distilled base types to vmlinux by kind, name and size at module load).
///
///   Expected<DistilledBtf> d = distillBase(split);   // split.base() != nullptr
///   write(".BTF.base", d->base->serialize(order));
///   write(".BTF", d->split.serialize(order));
///
/// The distilled base holds, in their original base order, the referenced
///   - INT, FLOAT and FWD types, unchanged;
///   - named STRUCT/UNION as member-less types of the same size;
///   - named ENUM/ENUM64 as a member-less ENUM of the same size.
/// Every other referenced base type (anonymous composites and enums, ARRAY,
/// TYPEDEF, PTR, CONST, VOLATILE, RESTRICT, FUNC_PROTO, TYPE_TAG), and what it
/// refers to in turn, is appended to the split BTF after its own types, in
/// base order. The members of a named struct/union are not followed: the
/// kernel takes them from the real base. Own type ids shift down by the
/// difference in base size. The result is byte-identical to libbpf's.
#include <memory>

#include "dwarf2btf/btf/btf.h"
#include "dwarf2btf/support/expected.h"

namespace d2b::btf {

/// A distilled base and the split BTF rewritten on top of it.
struct DistilledBtf {
  std::shared_ptr<const Btf> base; // the .BTF.base contents; `split` points into it
  Btf split;
};

/// Distils the base of `split` (which must have one). Fails, naming the type
/// ids, if the split BTF refers to a base FUNC, VAR, DATASEC or DECL_TAG,
/// which a distilled base cannot describe.
Expected<DistilledBtf> distillBase(const Btf &split);

/// The inverse at module load: `split` (on a distilled base) rewritten onto
/// `base`, as the kernel and libbpf's btf__relocate do. Each distilled base
/// type is matched by name to exactly one base type (INT by encoding and
/// size, FLOAT and ENUM by size, a FWD by its kind, a STRUCT/UNION by size
/// when the name is not unique in `base` or the type is embedded by value in
/// a split struct/union); own ids move to follow `base`, string offsets shift
/// by the difference in string size. `base` must outlive the result. Fails,
/// naming the type, when a distilled type has no match or several.
Expected<Btf> relocateSplit(const Btf &split, const Btf &base);

} // namespace d2b::btf
