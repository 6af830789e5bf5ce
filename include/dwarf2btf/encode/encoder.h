#pragma once
/// Stage 1 of `dwarf2btf encode`: every unit of the input's DWARF, in
/// parallel, to pre-dedup BTF types plus the function/variable records the
/// FUNC/VAR stage consumes.
///
///   DiagEngine diag;
///   Expected<TypesResult> r = encodeTypes("vmlinux", {.jobs = 8}, diag);
///   // r->btf: every type of every unit, unit by unit (duplicates included)
///   // r->functions / r->variables: records with ids into r->btf
///   // r->input->symbolsElf(): the Elf* for the symbol stage
///
/// Each unit is walked and lowered into its own fragment by a TBB worker with
/// its own DWARF handle; fragments are appended to the result in unit order,
/// so the output is byte-identical for any number of jobs.
#include <bit>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "dwarf2btf/btf/btf.h"
#include "dwarf2btf/dedup/dedup.h"
#include "dwarf2btf/elf/elf_input.h"
#include "dwarf2btf/elf/symbols.h"
#include "dwarf2btf/lower/policy.h"
#include "dwarf2btf/model/symbol_records.h"
#include "dwarf2btf/support/diag.h"
#include "dwarf2btf/support/expected.h"

namespace d2b::encode {

/// With EncodeOptions::jobs 0, a job per this many bytes of .debug_info at
/// most. Each job is a thread, and TBB's idle workers spin before they
/// sleep: on a small module (adiantum.ko, 89 KB of units) a second job added
/// 20 ms of CPU to a 110 ms run and saved no time, and a kernel build runs
/// one process per module. 4 MB of vmlinux's units take ~60 ms to walk.
inline constexpr uint64_t kAutoJobUnitBytes = 4u << 20;

struct EncodeOptions {
  /// Worker threads; 0: all cores, but no more than one per
  /// kAutoJobUnitBytes of units (see there).
  unsigned jobs = 0;
  lower::Policy policy;
  const btf::Btf *base = nullptr; // split BTF on top of this base (must outlive the result)
  /// Units a worker reads through one DWARF handle before it opens a fresh
  /// one, which bounds libdw's per-unit caches (0: never). Output does not
  /// depend on it; ET_REL handles, costly to reopen, are always kept.
  /// With parameter locations read outside libdw (dwarf::LocationReader)
  /// those caches grow ~7 KB per vmlinux unit, while a fresh handle must
  /// re-read every earlier unit's header (libdw finds units in order), a
  /// page fault each: never reopening, and giving back the other debug
  /// sections' pages as the walk goes (DwarfHandle::releaseSideSections),
  /// costs no peak RSS on vmlinux and saves those ~17k faults.
  unsigned unitsPerHandle = 0;
  /// Fill EncodeStats::walkCpu .. dedupCpu, read per unit from the thread
  /// CPU clock: a system call each, ~12,000 on vmlinux.
  bool timeUnits = false;
  /// Deduplicate while merging (dedup::IncrementalDedup, most of dedup then
  /// overlaps the walk); TypesResult::dedup finishes it. Ignored with a base.
  bool incrementalDedup = false;
  /// With incrementalDedup: a unit's types whose whole graph repeats types
  /// already merged are mapped onto them instead of appended (see
  /// FragmentMerger). Output does not depend on it.
  bool foldRepeats = true;
  /// With foldRepeats: a C unit's type whose DWARF signature (its whole
  /// DWARF subgraph, see dwarf::TypeSignature) matches a type an earlier
  /// unit merged is not filled, lowered, hashed or folded at all, but
  /// mapped onto that type. Output does not depend on it.
  bool skipRepeats = true;
  /// With policy.funcs: read the input's symbols before the walk
  /// (TypesResult::symbols) and leave out, as each unit is lowered, the
  /// function records addFunctions would drop for having no ELF function of
  /// their name: two thirds of vmlinux's 156 K records. Counted in
  /// EncodeStats::functionsWithoutSymbol.
  bool matchFunctionSymbols = false;
};

struct EncodeStats {
  uint64_t cus = 0;                    // compile/partial units lowered
  uint64_t typeUnits = 0;              // type units lowered
  uint64_t skippedUnits = 0;           // units dropped by policy.langExclude
  uint64_t dies = 0;                   // DIEs visited
  uint64_t graphNodes = 0;             // type graph nodes built (all units)
  uint64_t foreignTypes = 0;           // nodes for DIEs of another unit (ref_addr, ref_sig8)
  uint64_t typesEmitted = 0;           // BTF types in the result
  uint64_t typesFolded = 0;            // unit types mapped onto an earlier copy (foldRepeats)
  uint64_t typesSkipped = 0;           // of which known by their signature (skipRepeats)
  uint64_t signaturesKnown = 0;        // signatures of merged types (skipRepeats)
  uint64_t functions = 0;              // function records (including those left out)
  uint64_t functionsWithoutSymbol = 0; // left out: no ELF function of their name
  uint64_t variables = 0;              // variable records
  unsigned decompressedSections = 0;
  unsigned jobs = 0; // workers the units were shared among
  // Thread CPU seconds summed over all workers (encode --report -v).
  double walkCpu = 0;  // DWARF walk and graph building
  double lowerCpu = 0; // lowering graphs to per-unit BTF
  double mergeCpu = 0; // appending unit BTF to the result
  double dedupCpu = 0; // incremental dedup while merging
};

struct TypesResult {
  btf::Btf btf;
  std::endian order = std::endian::little;
  uint16_t machine = 0;
  uint16_t elfType = 0;
  std::vector<model::FunctionRecord> functions;
  std::vector<model::VariableRecord> variables;
  EncodeStats stats;
  /// With EncodeOptions::incrementalDedup: the dedup that has seen every
  /// type in `btf`; finish(btf) it once the FUNC/VAR types are added.
  std::unique_ptr<dedup::IncrementalDedup> dedup;
  /// The opened input; symbolsElf() has the section layout the DWARF
  /// addresses in the records were relocated against (ET_REL).
  std::shared_ptr<elf::ElfInput> input;
  /// With EncodeOptions::matchFunctionSymbols, when they could be read:
  /// readSymbols(input->symbolsElf()), read before the walk.
  std::optional<elf::SymbolTable> symbols;
};

/// Reads every unit of `path` and lowers it. Errors (not ELF, no DWARF,
/// corrupt .debug_info) name the file and, where known, section+offset.
Expected<TypesResult> encodeTypes(const std::string &path, const EncodeOptions &opts,
                                  DiagEngine &diag);

} // namespace d2b::encode
