#pragma once
/// Function selection: which DWARF functions become BTF FUNC + FUNC_PROTO.
/// Follows pahole HEAD's rules (pahole-dropin.md §3 "Functions"):
///
///  1. a candidate is a non-declaration with all parameters named whose
///     DW_AT_name is the base name of an ELF function symbol;
///  2. each instance is analysed (encode/func_analysis.h), and marked
///     optimized_symbol when the symbol at its low_pc is an .isra/.constprop
///     clone;
///  3. instances of one name are combined: location verdicts are OR-ed and
///     prototypes compared (an inconsistency skips the function when
///     consistentFunc is set);
///  4. the function is skipped for an unexpected register, an uncertain or
///     reordered parameter, an ambiguous address, or optimized-out
///     parameters of an instance whose calling convention changed;
///  5. otherwise the instance whose low_pc is a symbol address is emitted:
///     FUNC_PROTO, FUNC (static linkage, as pahole), then its decl tags.
///
/// A name clash (instances with different prototypes, or same-named statics
/// at different addresses) follows `FuncOptions::clash`: Skip is steps 3-4
/// as above; First drops those two reasons and emits the instance step 5
/// picks; KeepAll splits the instances into classes of equal prototype (in
/// instance order) and judges and emits each class as if it were alone.
/// Every clashing name is counted under "clash.func" (listed when verbose,
/// except under Skip, whose pahole-worded skip note already names it).
///
/// Output is sorted by name and independent of the order of `records`.
///
///   FunctionStats st = addFunctions(btf, std::move(result.functions), syms,
///                                   FuncOptions{.machine = EM_AARCH64}, diag);
#include <cstdint>
#include <elf.h>
#include <map>
#include <string>
#include <vector>

#include "dwarf2btf/btf/btf.h"
#include "dwarf2btf/elf/symbols.h"
#include "dwarf2btf/encode/kfuncs.h"
#include "dwarf2btf/lower/policy.h"
#include "dwarf2btf/model/symbol_records.h"
#include "dwarf2btf/support/diag.h"

namespace d2b::encode {

/// Options of the function stage.
struct FuncOptions {
  /// Skip functions whose instances disagree on the prototype (with Skip).
  bool consistentFunc = true;
  /// Same-named functions that differ across units.
  lower::FuncClash clash = lower::FuncClash::Skip;
  /// e_machine of the input; selects the argument registers.
  uint16_t machine = EM_X86_64;
  /// Emit DECL_TAGs for btf_decl_tag on functions and parameters.
  bool declTags = true;
  /// Report every skipped function as a note worded like pahole -V.
  bool verbose = false;
  /// Pointer size of the input (4 for ELFCLASS32).
  uint8_t addressSize = 8;
  /// Input file name, for diagnostics.
  std::string file;
  /// Threads for sorting and judging the records (the result is the same
  /// for any number).
  unsigned jobs = 1;
  /// kfuncs (name -> KF_* flags) whose FUNC gets DECL_TAG "bpf_kfunc", plus
  /// "bpf_fastcall" with KF_FASTCALL; null: no kfunc tags.
  const KfuncMap *kfuncs = nullptr;
};

/// What the function stage did.
struct FunctionStats {
  uint64_t records = 0;                          // instances handed in
  uint64_t declarations = 0;                     // dropped: declarations only
  uint64_t unnamedParams = 0;                    // dropped: a parameter without a name
  uint64_t noSymbol = 0;                         // dropped: no ELF function of that name
  uint64_t instances = 0;                        // candidates: matched an ELF function
  uint64_t functions = 0;                        // distinct names among the candidates
  uint64_t emitted = 0;                          // FUNCs added
  uint64_t skipped = 0;                          // functions skipped by a rule
  uint64_t declTags = 0;                         // DECL_TAGs added (annotations)
  uint64_t kfuncTags = 0;                        // bpf_kfunc/bpf_fastcall DECL_TAGs added
  uint64_t clashes = 0;                          // names whose instances clash
  uint64_t clashExtra = 0;                       // KeepAll: FUNCs beyond one per name
  std::map<std::string, uint64_t> skippedByRule; // "func.skip.*" -> count
};

/// Rule names under which skipped functions are reported.
inline constexpr const char *kRuleUnexpectedReg = "func.skip.unexpected-reg";
inline constexpr const char *kRuleInconsistentProto = "func.skip.inconsistent-proto";
inline constexpr const char *kRuleUncertainLoc = "func.skip.uncertain-loc";
inline constexpr const char *kRuleReorderedParams = "func.skip.reordered-params";
inline constexpr const char *kRuleOptimizedParams = "func.skip.optimized-params";
inline constexpr const char *kRuleAmbiguousAddr = "func.skip.ambiguous-addr";
/// A Rust leaf FUNC name already taken by another function: named by its symbol.
inline constexpr const char *kRuleLeafClash = "rust.rename.func-leaf-clash";
/// Every function name whose instances clash (note per name when verbose).
inline constexpr const char *kRuleFuncClash = "clash.func";
/// With verbose, the prototype difference that made a function inconsistent.
inline constexpr const char *kRuleProtoMismatch = "func.proto-mismatch";

/// Selects functions from `records` and appends their FUNC_PROTO/FUNC (and
/// decl tags) to `btf`. Type ids in the records must refer to `btf`.
FunctionStats addFunctions(btf::Btf &btf, const std::vector<model::FunctionRecord> &records,
                           const elf::SymbolTable &syms, const FuncOptions &opts, DiagEngine &diag);

} // namespace d2b::encode
