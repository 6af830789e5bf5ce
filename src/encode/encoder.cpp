#include "dwarf2btf/encode/encoder.h"

#include <algorithm>
#include <atomic>
#include <dwarf.h>
#include <fmt/format.h>
#include <mutex>
#include <optional>
#include <thread>

#include <tbb/parallel_for.h>
#include <tbb/parallel_invoke.h>
#include <tbb/task_arena.h>

#include "dwarf2btf/dedup/dedup.h"
#include "dwarf2btf/dwarf/graph_builder.h"
#include "dwarf2btf/dwarf/units.h"
#include "dwarf2btf/lower/lowering.h"
#include "dwarf2btf/support/arena.h"
#include "dwarf2btf/support/phase_times.h"
#include "fragment_merge.h"
#include "record_location.h"
#include "rust_scopes.h"

namespace d2b::encode {

namespace {

/// Whether units' repeated types are folded while merging (needs the
/// incremental dedup, which a base turns off).
bool foldsRepeats(const EncodeOptions &opts) {
  return opts.foldRepeats && opts.incrementalDedup && !opts.base;
}

/// Whether units skip the types earlier units merged (same conditions).
bool skipsRepeats(const EncodeOptions &opts) {
  return opts.skipRepeats && opts.incrementalDedup && !opts.base;
}

/// The calling thread's CPU seconds when `on`, else 0.
double cpuNow(bool on) { return on ? threadCpuSeconds() : 0; }

// Everything one unit contributes, until it is appended to the result.
struct Slot {
  Fragment frag;
  Error error;
  bool done = false;
  bool skipped = false;
  double walkCpu = 0, lowerCpu = 0; // thread CPU seconds
};

Error lowerUnit(const elf::ElfInput &in, Dwarf *dw, const dwarf::UnitRef &unit, uint32_t index,
                const EncodeOptions &opts, const elf::SymbolTable *symbols, RepeatRegistry *repeats,
                DiagEngine &diag, Fragment &frag, Slot &slot) {
  dwarf::UnitInput ui;
  ui.dwarf = dw;
  ui.unit = &unit;
  ui.cuIndex = index;
  ui.file = in.path();
  ui.order = in.byteOrder();
  ui.machine = in.machine();
  ui.addressSize = uint8_t(in.addressSize());
  ui.collectFunctions = opts.policy.funcs && !unit.typeUnit;
  ui.collectVariables = opts.policy.vars != lower::Policy::VarScope::None && !unit.typeUnit;
  ui.rustLeafFuncNames = opts.policy.rust.funcNames == lower::RustPolicy::FuncNames::Leaf;
  ui.functionSymbols = symbols;
  if (repeats && repeats->worthSigning())
    ui.repeats = repeats;
  const double t0 = cpuNow(opts.timeUnits);
  dwarf::UnitGraph ug;
  if (Error e = dwarf::buildUnitGraph(ui, ug, diag))
    return e;
  const double t1 = cpuNow(opts.timeUnits);
  lower::LowerContext ctx{in.path()};
  if (!ug.external.empty())
    ctx.external = &ug.external;
  if (ui.repeats)
    ctx.tainted = &ug.tainted;
  std::unordered_map<model::NodeId, std::string> rustPaths;
  if (unit.language == DW_LANG_Rust && opts.policy.rust.qualifyClashes) {
    rustPaths = rustClashPaths(dw, unit, ug.graph);
    ctx.rustPaths = &rustPaths;
  }
  lower::LoweredUnit lu = lower::lowerGraph(ug.graph, opts.policy, ctx, diag);
  // Records name graph nodes until here; from now on fragment BTF ids.
  for (model::FunctionRecord &f : ug.functions) {
    f.returnType = lu.nodeIds[f.returnType];
    for (model::ParamRecord &p : f.params)
      p.type = lu.nodeIds[p.type];
    // A Rust zero-sized parameter (`()`, a ZST struct, a fn item) lowers to
    // void, which BTF reads as varargs or rejects mid-list; the Rust ABI
    // passes nothing for it, so the prototype leaves it out as the call does.
    if (unit.language == DW_LANG_Rust) {
      for (const model::ParamRecord &p : f.params) {
        if (p.type != 0)
          continue;
        diag.report(Diagnostic{Severity::Note, "rust.drop.zst-param", locationOf(f, in.path()),
                               fmt::format("zero-sized parameter '{}' left out of the prototype "
                                           "(the Rust ABI passes nothing for it)",
                                           p.name)});
      }
      std::erase_if(f.params, [](const model::ParamRecord &p) { return p.type == 0; });
    }
  }
  if (symbols) {
    // What addFunctions would count as dropped for want of a symbol (after
    // declarations and unnamed parameters, which it counts first).
    frag.functionsWithoutSymbol = std::erase_if(ug.functions, [&](const model::FunctionRecord &f) {
      return !f.declaration &&
             std::none_of(f.params.begin(), f.params.end(),
                          [](const model::ParamRecord &p) { return p.name.empty(); }) &&
             !(f.hasSymbol >= 0 ? f.hasSymbol : symbols->findFunction(f.name) != nullptr);
    });
  }
  for (model::VariableRecord &v : ug.variables)
    v.type = lu.nodeIds[v.type];
  frag.btf = std::move(lu.btf);
  frag.externals = std::move(lu.externals);
  // A unit whose types mostly have signatures, in an input whose units
  // mostly find each other's, repeats earlier units only where the DWARF
  // differs but the BTF does not: rare enough that hashing and folding its
  // types costs more (in time and in the fold's index) than letting the
  // dedup merge them. Other units (clang's string indexes, Rust, the first
  // units of a run, a .ko's) are folded as before. Either way the output is
  // the same.
  uint64_t found = 0;
  for (uint32_t e : ug.external)
    found += e != 0;
  if (ui.repeats)
    repeats->noteLookups(ug.signedNodes, found);
  const bool signedUnit =
      ui.repeats && ug.signedNodes * 2 >= ug.graph.size() - 1 && repeats->mostlyFinding();
  if (foldsRepeats(opts) && !signedUnit)
    frag.shapes = shapeHashes(frag.btf, frag.externals);
  // What nothing was said about may stand for its repeats in later units.
  frag.publish.reserve(ug.publishable.size());
  for (const dwarf::UnitGraph::Signed &s : ug.publishable)
    if (lu.nodeIds[s.node])
      frag.publish.push_back(
          {s.sig, lu.nodeIds[s.node], s.cycle, s.node >= ug.tainted.size() || !ug.tainted[s.node]});
  frag.functions = std::move(ug.functions);
  frag.variables = std::move(ug.variables);
  frag.dies = ug.dies;
  frag.nodes = ug.graph.size() - 1;
  frag.foreignTypes = ug.foreignTypes;
  slot.walkCpu = t1 - t0;
  slot.lowerCpu = cpuNow(opts.timeUnits) - t1;
  return Error::success();
}

} // namespace

Expected<TypesResult> encodeTypes(const std::string &path, const EncodeOptions &opts,
                                  DiagEngine &diag) {
  Expected<std::shared_ptr<elf::ElfInput>> opened = elf::ElfInput::open(path);
  if (!opened)
    return opened.error();
  std::shared_ptr<elf::ElfInput> in = *opened;
  // Listing the units (a page fault at each unit header) and reading the
  // symbol table are independent, ~0.1 s each on vmlinux, and nothing else
  // runs yet: with more than one job they overlap. They read different
  // sections; libdw's reads here go through no libelf call but the section
  // lookups both make on headers libelf has already loaded.
  const bool wantSymbols = opts.matchFunctionSymbols && opts.policy.funcs;
  std::vector<dwarf::UnitRef> units;
  Error listError;
  std::optional<elf::SymbolTable> symbolTable;
  auto listAll = [&] {
    if (Expected<std::vector<dwarf::UnitRef>> listed =
            dwarf::listUnits(in->primary().dwarf(), path))
      units = std::move(*listed);
    else
      listError = listed.error();
  };
  auto readSyms = [&] {
    // A symbol table that cannot be read is left to the caller to report.
    if (!wantSymbols)
      return;
    if (Expected<elf::SymbolTable> syms = elf::readSymbols(in->symbolsElf(), path))
      symbolTable = std::move(*syms);
  };
  const unsigned requestedJobs =
      opts.jobs ? opts.jobs
                : unsigned(std::clamp<uint64_t>(
                      dwarf::unitSectionBytes(in->primary().dwarf()) / kAutoJobUnitBytes, 1,
                      std::max(1u, std::thread::hardware_concurrency())));
  // One arena for this and the workers: a second arena would have to win
  // the pool's threads back from the first, which took ~0.1 s here.
  tbb::task_arena arena = makeArena(requestedJobs);
  if (requestedJobs > 1 && wantSymbols) {
    arena.execute([&] { tbb::parallel_invoke(listAll, readSyms); });
  } else {
    listAll();
    readSyms();
  }
  if (listError)
    return listError;
  if (units.empty())
    return Error(fmt::format("{}: no DWARF debug information (.debug_info has no units)", path));

  TypesResult res;
  if (opts.base)
    res.btf = btf::Btf(opts.base);
  res.order = in->byteOrder();
  res.machine = in->machine();
  res.elfType = in->elfType();
  res.input = in;
  res.stats.decompressedSections = in->decompressedSections();
  res.symbols = std::move(symbolTable);
  const elf::SymbolTable *symbols = res.symbols ? &*res.symbols : nullptr;

  const unsigned jobs = std::min<unsigned>(requestedJobs, unsigned(units.size()));
  res.stats.jobs = jobs;

  // Reserve the merged result up front: vmlinux's units give 0.83 bytes of
  // BTF words and one type per ~46 bytes of .debug_info, so 1.25 bytes and
  // one type per 24 bytes leave headroom (growing past it only copies).
  uint64_t unitBytes = 0;
  for (size_t i = 0; i + 1 < units.size(); ++i)
    if (units[i + 1].typesSection == units[i].typesSection)
      unitBytes += units[i + 1].headerOffset - units[i].headerOffset;
  res.btf.reserve(size_t(unitBytes * 5 / 16), size_t(unitBytes / 24));
  // vmlinux: a function record per ~2.9 KB of units, a variable per ~4 KB.
  // Reserved (untouched capacity costs no memory), the records are not
  // copied again each time the vectors would double.
  res.functions.reserve(size_t(unitBytes / 2048));
  res.variables.reserve(size_t(unitBytes / 3072));

  std::vector<Slot> slots(units.size());
  std::atomic<size_t> nextUnit{0};
  std::atomic<bool> failed{false};
  std::mutex mergeMu;
  size_t nextMerge = 0;  // guarded by mergeMu
  bool draining = false; // guarded by mergeMu: a worker is appending
  // Used only by the draining worker:
  double mergeCpu = 0, dedupCpu = 0;
  Error dedupError;
  std::unique_ptr<dedup::IncrementalDedup> incremental;
  if (opts.incrementalDedup && !opts.base) {
    incremental = std::make_unique<dedup::IncrementalDedup>();
    incremental->reserve(size_t(unitBytes / 40));
  }
  std::unique_ptr<RepeatRegistry> registry;
  if (skipsRepeats(opts)) // vmlinux: one signature kept per ~165 bytes of units
    registry = std::make_unique<RepeatRegistry>(size_t(unitBytes / 150));
  FragmentMerger merger(res.btf, foldsRepeats(opts), registry.get());
  // Where units skip their repeats by signature, the index is left to grow
  // with the units that still fold (the first of a run, assembler, Rust,
  // inputs where signatures find little): on vmlinux a few hundred types.
  if (foldsRepeats(opts) && !registry)
    merger.reserve(size_t(unitBytes / 160)); // vmlinux: one merged type per ~190 bytes

  // Units are handed out in order from a counter (not split into ranges), so
  // finished fragments can be appended as soon as their predecessors are,
  // keeping only about `jobs` unmerged fragments alive at once.
  // The unit headers were read through the primary handle. Its own view of
  // .debug_info is not needed again; a view shared with the workers stays:
  // their libdw reads every header again, and the walk gives the pages
  // back behind itself (on vmlinux ~2k fewer page faults, same peak RSS).
  if (!in->primary().sharesMapping())
    in->primary().dropDebugInfo();
  // Where the handles share one mapping, a page of .debug_info may be given
  // back only once no worker reads it: each worker publishes the unit it
  // holds, and releases go up to the lowest of them.
  // (A worker that has not started holds nothing back: TBB may run two
  // workers' loops one after the other on one thread.)
  const bool sharedMapping = in->primary().sharesMapping();
  std::unique_ptr<std::atomic<size_t>[]> holding(new std::atomic<size_t>[jobs]);
  for (unsigned w = 0; w < jobs; ++w)
    holding[w].store(SIZE_MAX);
  // The lowest unit at or below `i` that a worker holds.
  auto lowestHeld = [&](size_t i) {
    for (unsigned w = 0; w < jobs; ++w)
      i = std::min(i, holding[w].load());
    return i;
  };
  auto releaseBehind = [&](const elf::DwarfHandle &h, size_t i, unsigned w) {
    if (!sharedMapping) {
      h.releaseDebugInfo(units[i].headerOffset);
      return;
    }
    // Published after libdw read the headers up to unit i, so the others
    // keep the pages of those headers mapped until then.
    holding[w].store(i);
    h.releaseDebugInfo(units[lowestHeld(i)].headerOffset);
  };
  // A fresh libdw handle finds unit i by reading every unit header before
  // it, and each page fault on the mapping maps its neighbours too (fault-
  // around): on vmlinux up to 100 MB of .debug_info, the run's peak RSS.
  // Stepping through the headers and releasing behind keeps that small.
  auto primeHandle = [&](elf::DwarfHandle &h, size_t i) {
    if (units[i].typesSection)
      return;
    constexpr size_t kStep = 32;
    for (size_t k = kStep; k < i; k += kStep) {
      (void)dwarf::unitDie(h.dwarf(), units[k], path);
      if (!sharedMapping) {
        h.releaseDebugInfo(units[k].headerOffset);
        continue;
      }
      // Mostly pages given back already; none that a worker still reads.
      h.dropDebugInfo(units[lowestHeld(k)].headerOffset);
    }
  };
  // Often enough that a handle's pages of .debug_loclists, .debug_abbrev
  // and .debug_rnglists stay a few MB, rarely enough that the pages still
  // in use are seldom faulted in again.
  constexpr size_t kUnitsPerSideRelease = 64;
  auto worker = [&](unsigned w) {
    std::optional<elf::DwarfHandle> handle;
    size_t handleUnits = 0; // units read through `handle`
    for (;;) {
      const size_t i = nextUnit.fetch_add(1);
      if (i >= units.size() || failed.load()) {
        holding[w].store(SIZE_MAX); // holds nothing back any more
        return;
      }
      if (holding[w].load() == SIZE_MAX)
        holding[w].store(i); // its first unit
      // libdw keeps every unit's abbreviations and lookup trees until
      // dwarf_end; a fresh handle now and then bounds that to a few units.
      ++handleUnits;
      if (handle && handle->cheapToReopen() && opts.unitsPerHandle &&
          handleUnits > opts.unitsPerHandle) {
        handle.reset();
        handleUnits = 1;
      }
      // Units come in increasing order, so this handle is done with
      // everything before unit i (see releaseDebugInfo) once libdw has met
      // unit i: it finds a unit by reading every header before it, here
      // those of the units other workers took. Read after the release,
      // those header pages (and their fault-around neighbours) would be
      // mapped again for good: ~20 MB of peak RSS on vmlinux.
      if (handle && !units[i].typesSection) {
        (void)dwarf::unitDie(handle->dwarf(), units[i], path);
        releaseBehind(*handle, i, w);
      }
      // A shared mapping's side sections are given back for all workers at
      // once, as often as one handle's would be.
      if (handle && (sharedMapping ? i % (size_t(kUnitsPerSideRelease) * jobs) == 0
                                   : handleUnits % kUnitsPerSideRelease == 0))
        handle->releaseSideSections();
      Slot &slot = slots[i];
      if (!handle) {
        Expected<elf::DwarfHandle> h = in->openDwarf();
        if (!h) {
          slot.error = h.error();
        } else {
          handle.emplace(std::move(*h));
          primeHandle(*handle, i);
        }
      }
      // Only this worker touches units[i] now (the others read only the
      // offsets of theirs and of earlier units).
      if (handle) {
        if (Expected<uint16_t> lang = dwarf::unitLanguage(handle->dwarf(), units[i], path))
          units[i].language = *lang;
        else
          slot.error = lang.error();
      }
      if (!slot.error && opts.policy.excludes(units[i].language))
        slot.skipped = true;
      else if (!slot.error)
        slot.error = lowerUnit(*in, handle->dwarf(), units[i], uint32_t(i), opts, symbols,
                               registry.get(), diag, slot.frag, slot);
      if (slot.error)
        failed.store(true);
      // One worker at a time drains finished units in order (appending and,
      // with incremental dedup, deduplicating them); the others only mark
      // their unit done and go on walking instead of waiting for the drain.
      {
        std::lock_guard lock(mergeMu);
        slot.done = true;
        if (draining)
          continue;
        draining = true;
      }
      const double m0 = cpuNow(opts.timeUnits);
      for (;;) {
        size_t k;
        {
          std::lock_guard lock(mergeMu);
          if (nextMerge >= slots.size() || !slots[nextMerge].done) {
            draining = false;
            break;
          }
          k = nextMerge++;
        }
        Slot &s = slots[k];
        if (!s.error && !s.skipped && !failed.load()) {
          merger.append(s.frag, res.functions, res.variables);
          if (incremental) {
            const double d0 = cpuNow(opts.timeUnits);
            if (Error e = incremental->advance(res.btf)) {
              dedupError = e.withContext(path);
              failed.store(true);
            }
            dedupCpu += cpuNow(opts.timeUnits) - d0;
          }
        }
        if (!s.error)
          s.frag = Fragment();
      }
      mergeCpu += cpuNow(opts.timeUnits) - m0;
    }
  };
  if (jobs <= 1) {
    worker(0);
  } else {
    arena.execute([&] { tbb::parallel_for(0u, jobs, [&](unsigned w) { worker(w); }); });
  }

  for (size_t i = 0; i < slots.size(); ++i) {
    if (slots[i].error)
      return slots[i].error;
  }
  if (dedupError)
    return dedupError;
  dwarf::reportUnknownLanguages(units, path, diag); // the workers read the languages
  for (size_t i = 0; i < slots.size(); ++i) {
    if (slots[i].skipped) {
      ++res.stats.skippedUnits;
      continue;
    }
    (units[i].typeUnit ? res.stats.typeUnits : res.stats.cus) += 1;
    res.stats.walkCpu += slots[i].walkCpu;
    res.stats.lowerCpu += slots[i].lowerCpu;
  }
  res.stats.mergeCpu = mergeCpu - dedupCpu;
  res.stats.dedupCpu = dedupCpu;
  res.dedup = std::move(incremental);
  const FragmentMerger::Totals &t = merger.totals();
  res.stats.dies = t.dies;
  res.stats.graphNodes = t.nodes;
  res.stats.foreignTypes = t.foreignTypes;
  res.stats.typesEmitted = res.btf.ownCount();
  res.stats.typesFolded = t.folded;
  res.stats.typesSkipped = t.external;
  res.stats.signaturesKnown = registry ? registry->size() : 0;
  res.stats.functionsWithoutSymbol = t.functionsWithoutSymbol;
  res.stats.functions = res.functions.size() + t.functionsWithoutSymbol;
  res.stats.variables = res.variables.size();
  return res;
}

} // namespace d2b::encode
