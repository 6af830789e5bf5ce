#pragma once
/// Same-named but different types left after deduplication: two units
/// defining `struct foo` differently (or a C struct and a Rust type of one
/// name). BTF allows several types of one name and dedup keeps each distinct
/// definition, as the kernel's own vmlinux BTF does; they are kept and
/// counted under "clash.type" (one note per name when verbose) so the user
/// learns that CO-RE or a C dump will see several candidates.
///
///   TypeClashStats st = reportTypeClashes(btf, {.file = "x.o"}, diag);
#include <cstdint>
#include <string>

#include "dwarf2btf/btf/btf.h"
#include "dwarf2btf/support/diag.h"

namespace d2b::encode {

struct TypeClashOptions {
  std::string file; // for diagnostics
  bool verbose = false;
};

struct TypeClashStats {
  uint64_t names = 0; // names defined more than once in one namespace
  uint64_t types = 0; // types carrying those names
};

inline constexpr const char *kRuleTypeClash = "clash.type";

/// Scans the types `btf` adds (not its base) for names with more than one
/// definition: struct/union/enum share C's tag namespace, typedefs have their
/// own; forward declarations are not definitions.
TypeClashStats reportTypeClashes(const btf::Btf &btf, const TypeClashOptions &opts,
                                 DiagEngine &diag);

} // namespace d2b::encode
