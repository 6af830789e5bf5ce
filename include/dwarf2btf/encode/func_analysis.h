#pragma once
/// The per-instance checks behind function selection (encode/functions.h):
/// does one DWARF instance of a function still match its source prototype
/// at the ABI level, and do two instances describe the same prototype.
/// Follows pahole HEAD (dwarf_loader.c function__analyze_parameter_locations,
/// btf_encoder.c types__match / funcs__match) in its default, non
/// true_signature mode.
///
///   InstanceFacts f = analyzeInstance(record, btf, callAbiFor(EM_X86_64, 8));
///   if (f.unexpectedReg) ... // an argument is not where the caller puts it
#include <cstdint>
#include <optional>
#include <string>

#include "dwarf2btf/btf/btf.h"
#include "dwarf2btf/encode/call_abi.h"
#include "dwarf2btf/model/symbol_records.h"

namespace d2b::encode {

/// What the analysis of one DWARF instance found.
struct InstanceFacts {
  /// A parameter has no location, only a constant value, or (gcc rules) a
  /// location that is not a register where a register was expected.
  bool optimizedParams = false;
  /// A parameter sits in another register than the ABI puts it in, and no
  /// parameter is a struct passed by value (which can take several).
  bool unexpectedReg = false;
  /// A named packed struct is passed by value after the register arguments.
  bool uncertainParamLoc = false;
  /// The concrete instance lists parameters in another order than its
  /// abstract origin.
  bool reorderedParams = false;
  /// clang marked the function DW_CC_nocall: its calling convention changed.
  bool signatureChanged = false;
};

/// Runs the location checks on one instance. Type ids in `rec` refer to
/// `btf` (sizes and struct-ness of parameters are read from it).
InstanceFacts analyzeInstance(const model::FunctionRecord &rec, const btf::Btf &btf,
                              const CallAbi &abi);

/// pahole's loose type equality across CUs: const is ignored, typedefs,
/// structs, unions and enums compare by name, a FWD equals the struct or
/// union of the same name, pointers/arrays/prototypes compare structurally.
bool typesMatch(const btf::Btf &btf, uint32_t a, uint32_t b);

/// Why two instances' prototypes differ, in pahole's -V words ("return type
/// mismatch", "param count mismatch; 2 params != 3 params", "param type
/// mismatch for param#1 a != b"), or nullopt if they match.
std::optional<std::string> prototypeMismatch(const btf::Btf &btf, const model::FunctionRecord &a,
                                             const model::FunctionRecord &b);

} // namespace d2b::encode
