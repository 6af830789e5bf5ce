#pragma once
/// Language-neutral records of functions and variables found in the DWARF,
/// produced per CU by the DWARF walker and consumed by the function/variable
/// selection stage (encode/functions.h, encode/variables.h), which decides
/// what becomes a BTF FUNC or VAR by matching them against the ELF symbols.
///
/// Type ids in a record are ids in the *merged* Btf being built (the walker
/// remaps its per-CU ids before handing records over).
#include <cstdint>
#include <string>
#include <vector>

namespace d2b::model {

/// Where a formal parameter lives at the function's entry, as far as the
/// ABI checks need to know (pahole's parameter__decode_location).
enum class ParamLocation : uint8_t {
  Unknown,    // no DW_AT_location and no DW_AT_const_value
  ConstValue, // only DW_AT_const_value: optimized out
  Register,   // DW_AT_location gives an entry register: see ParamRecord::dwarfReg
  Other,      // DW_AT_location without an entry register: fbreg, memory, constants, ...
};

struct ParamRecord {
  std::string name; // empty when the DIE has no DW_AT_name
  uint32_t type = 0;
  ParamLocation location = ParamLocation::Unknown;
  int dwarfReg = -1; // DWARF register number when location == Register
  // dwarfReg is the first register found, in location-list order, among: a
  // first entry DW_OP_regN (alone, or before DW_OP_stack_value/DW_OP_piece),
  // a first entry DW_OP_bregN ... DW_OP_stack_value, and any entry
  // DW_OP_entry_value(DW_OP_regN); N <= 31 only, as pahole decodes it.
  bool isStructByValue = false; // type (through typedefs/qualifiers) is a struct/union
  bool isPackedStruct = false;  // ... and that struct is packed (size not a multiple of alignment)
  std::vector<std::string> declTags; // btf_decl_tag values on this parameter
};

struct FunctionRecord {
  std::string name;        // DW_AT_name (through DW_AT_specification/abstract_origin)
  std::string linkageName; // DW_AT_linkage_name, if any
  std::string btfName;     // FUNC name when it is not the symbol (Rust leaf names)
  uint64_t dieOffset = 0;  // for diagnostics
  uint32_t cuIndex = 0;    // CU order in the input; ties are broken by it
  uint8_t language = 0;    // 0 = C-like, other values reserved for Rust lowering
  bool hasLowPc = false;
  uint64_t lowPc = 0;
  bool external = false;        // DW_AT_external
  bool declaration = false;     // DW_AT_declaration without a definition
  bool inlineOnly = false;      // abstract instance only (DW_AT_inline, no low_pc)
  bool nocall = false;          // DW_AT_calling_convention == DW_CC_nocall (self or origin)
  bool reorderedParams = false; // a parameter's position differs from its abstract origin's
                                // (pahole: pos->idx != opos->idx; gcc lists dropped ones last)
  bool varargs = false;
  bool producerClang = false; // CU DW_AT_producer contains "clang": pahole's clang location rules
  /// Symbols were looked up while reading (dwarf::UnitInput::functionSymbols):
  /// -1 not looked up, 0 no ELF function has `name` (a lean record: only
  /// names and types are read), 1 one has.
  int8_t hasSymbol = -1;
  uint32_t returnType = 0;
  std::vector<ParamRecord> params;
  std::vector<std::string> declTags; // btf_decl_tag values on the subprogram
};

struct VariableRecord {
  std::string name;
  uint64_t dieOffset = 0;
  uint32_t cuIndex = 0;
  uint32_t type = 0;
  uint64_t byteSize = 0; // size of `type`, 0 if unknown/incomplete
  bool hasAddress = false;
  uint64_t address = 0;        // DW_OP_addr operand (relocated for ET_REL)
  bool addressIsValue = false; // DW_OP_addr ... DW_OP_stack_value: holds an address, not a variable
  bool external = false;
  bool declaration = false;
  bool artificial = false;
  bool topLevel = true; // direct child of the CU (after following DW_AT_specification)
  std::vector<std::string> declTags;
};

} // namespace d2b::model
