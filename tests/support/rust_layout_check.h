#pragma once
/// Layout round trip for Rust: from the DWARF layouts (dwarf_layout.h) and
/// the C header `dwarf2btf dump --format c` printed for our BTF, a C program
/// that checks sizeof and offsetof of every member of every Rust
/// struct/union/enum (variant fields and discriminants included) against
/// rustc's numbers. DWARF names are mapped to C names with the documented
/// rules of the Rust lowering (README "Rust"): bpf-linker sanitization,
/// variant structs `E__V`, arms named by the variant (or its struct when the
/// variant is `0`, `1`, ...), invalid member names `__<sanitized>`,
/// zero-sized members dropped, the discriminant at `__discr.value`.
///
/// Types that cannot be checked are listed with the reason, never silently
/// skipped.
#include <map>
#include <string>
#include <vector>

#include "dwarf_layout.h"

namespace d2b::test {

struct LayoutProgram {
  std::string source;                 // header + checks + main()
  size_t checks = 0;                  // CHECK() lines generated
  size_t droppedZstMembers = 0;       // zero-sized members (documented drop)
  std::vector<std::string> unchecked; // "DIE 0x..: name: reason"
};

/// What the checker needs to know about our output besides the header:
/// the DIE offsets our --report -v names with a rust.opaque.* rule.
struct LayoutInputs {
  std::vector<DwarfType> types;
  std::string header;                         // dump --format c
  std::map<uint64_t, std::string> opaqueRule; // DIE offset -> rule
  bool qualified = false; // --rust-qualify-clashes: clashing names carry their scope
};

/// The C names of `t` under the documented rules ("" when anonymous).
std::string rustCName(const DwarfType &t);
/// A member/arm name as the lowering writes it.
std::string rustFieldName(const std::string &name);

LayoutProgram buildLayoutProgram(const LayoutInputs &in);

/// DIE offset -> rule of every `rust.opaque.*` line of `encode --report -v`.
std::map<uint64_t, std::string> opaqueRulesFromReport(const std::string &report);

} // namespace d2b::test
