#pragma once
/// An independent reading of Rust type layouts straight from the DWARF with
/// libdw (not through src/dwarf), for round-trip tests that compare the C
/// dump of our BTF against what rustc wrote: every struct, union and enum
/// of the DW_LANG_Rust units, with byte sizes, member offsets and variant
/// parts.
///
///   auto types = readRustLayouts("x.o", &err);
///   for (const DwarfType &t : types) ... t.name, t.size, t.members ...
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace d2b::test {

/// One data member (byte offsets; `size` 0 marks a zero-sized member).
struct DwarfMember {
  std::string name;
  uint64_t offset = 0;
  uint64_t size = 0;
};

/// One arm of a DW_TAG_variant_part: the member of the DW_TAG_variant, whose
/// type is the variant's struct.
struct DwarfVariant {
  std::string name;     // the member's DW_AT_name ("Some", "0", ...)
  std::string typeName; // the variant struct's DW_AT_name ("Some", "Unresumed")
  uint64_t typeDie = 0;
  uint64_t offset = 0;
};

struct DwarfType {
  enum class Kind { Struct, Union, Enum } kind = Kind::Struct;
  uint64_t die = 0;
  std::string name;  // DW_AT_name (the leaf; "" for anonymous types)
  std::string scope; // enclosing namespaces/types joined by "::"
  uint64_t size = 0;
  std::vector<DwarfMember> members; // ordinary members in DIE order
  bool variantPart = false;
  std::optional<uint64_t> discrOffset; // the DW_AT_discr member's offset
  uint64_t discrSize = 0;
  std::vector<DwarfVariant> variants;
  uint64_t ownerDie = 0; // a variant struct: the data enum holding it (0: none)
  std::string ownerName;
  bool isCVoid() const { return kind == Kind::Enum && name == "c_void"; }
};

/// Every struct/union/enum definition of the Rust units of the ELF object
/// `path` (relocations applied for ET_REL). On failure returns {} and sets
/// *err.
std::vector<DwarfType> readRustLayouts(const std::string &path, std::string *err);

} // namespace d2b::test
