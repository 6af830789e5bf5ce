#pragma once
/// Variable selection: which DWARF variables become BTF VARs, grouped into
/// one DATASEC per ELF section. Follows pahole HEAD
/// (btf_encoder__encode_cu_variables, btf_encoder__add_datasec):
///
///  * eligible: a top-level, non-artificial definition with a static address
///    (DW_OP_addr) inside an allocated PROGBITS/NOBITS section; only
///    `.data..percpu` by default, every such section with Scope::All;
///  * skipped: names with a useless prefix (__UNIQUE_ID, __tpstrtab_, ...),
///    invalid BTF names, void type, size 0 or over 4 GiB, section offset over
///    4 GiB, offset 0 without an STT_OBJECT of that name in the section (a
///    variable of a discarded section);
///  * VAR linkage is GLOBAL_ALLOCATED for external variables, else STATIC;
///    decl tags follow each VAR;
///  * DATASEC entries are sorted by offset; the size is the end of the last
///    entry. DATASECs come in section-index order.
///
/// Beyond pahole, which would emit both and produce BTF the kernel rejects:
/// two variables at the same address with the same name keep one VAR, and an
/// entry overlapping the previous one is reported and dropped. A location
/// that computes an address (DW_OP_addr ... DW_OP_stack_value) is a value,
/// not storage, and never becomes a VAR.
///
/// Variables of one name at different addresses (same-named statics of
/// several units) follow `VarOptions::clash`: KeepAll (pahole: a VAR each),
/// First (the first in unit order), Skip (none); each such name is counted
/// under "clash.var" (listed when verbose).
///
///   VariableStats st = addVariables(btf, std::move(result.variables), syms, {}, diag);
#include <cstdint>
#include <string>
#include <vector>

#include "dwarf2btf/btf/btf.h"
#include "dwarf2btf/elf/symbols.h"
#include "dwarf2btf/lower/policy.h"
#include "dwarf2btf/model/symbol_records.h"
#include "dwarf2btf/support/diag.h"

namespace d2b::encode {

/// Options of the variable stage.
struct VarOptions {
  enum class Scope { None, PerCpu, All };
  /// Which sections' variables are encoded.
  Scope scope = Scope::PerCpu;
  /// Emit DECL_TAGs for btf_decl_tag on variables.
  bool declTags = true;
  /// Report every skipped variable as a note (not only the problems).
  bool verbose = false;
  /// Same-named variables at different addresses.
  lower::VarClash clash = lower::VarClash::KeepAll;
  /// Input file name, for diagnostics.
  std::string file;
};

/// What the variable stage did.
struct VariableStats {
  uint64_t records = 0;      // variables handed in
  uint64_t notStatic = 0;    // not a top-level static-storage definition
  uint64_t outOfScope = 0;   // address outside the selected sections
  uint64_t filtered = 0;     // skipped by the name-prefix filter
  uint64_t invalid = 0;      // invalid name, void type, bad size or offset
  uint64_t noSymbol = 0;     // offset 0 without a matching object symbol
  uint64_t duplicates = 0;   // same name at the same address as another
  uint64_t overlaps = 0;     // overlapping an earlier entry of the section
  uint64_t clashes = 0;      // names with VARs at several addresses
  uint64_t clashDropped = 0; // VARs dropped by VarClash::First / Skip
  uint64_t emitted = 0;      // VARs added
  uint64_t datasecs = 0;     // DATASECs added
  uint64_t declTags = 0;     // DECL_TAGs added
};

/// Rule names for variable diagnostics.
inline constexpr const char *kRuleVarInvalidName = "var.skip.invalid-name";
inline constexpr const char *kRuleVarVoidType = "var.skip.void-type";
inline constexpr const char *kRuleVarSize = "var.skip.size";
inline constexpr const char *kRuleVarOffset = "var.skip.offset";
inline constexpr const char *kRuleVarPrefix = "var.skip.prefix";
inline constexpr const char *kRuleVarNoSymbol = "var.skip.no-symbol";
inline constexpr const char *kRuleVarDuplicate = "var.duplicate";
inline constexpr const char *kRuleVarOverlap = "var.overlap";
inline constexpr const char *kRuleVarClash = "clash.var";

/// True for names pahole never encodes as variables.
bool isFilteredVariableName(std::string_view name);
/// True for names the kernel accepts for BTF variables:
/// [A-Za-z_.][A-Za-z0-9_.]*, shorter than 128 characters.
bool isValidBtfVarName(std::string_view name);

/// Appends VARs (with decl tags) and DATASECs to `btf`. Type ids in the
/// records must refer to `btf`.
VariableStats addVariables(btf::Btf &btf, std::vector<model::VariableRecord> records,
                           const elf::SymbolTable &syms, const VarOptions &opts, DiagEngine &diag);

} // namespace d2b::encode
