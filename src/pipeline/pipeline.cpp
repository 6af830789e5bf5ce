#include "dwarf2btf/pipeline/pipeline.h"

#include <cstring>
#include <dwarf.h>
#include <filesystem>
#include <fmt/format.h>
#include <malloc.h>
#include <ostream>
#include <sys/stat.h>
#include <thread>
#include <unistd.h>

#include "dwarf2btf/btf/distill.h"
#include "dwarf2btf/btf/reader.h"
#include "dwarf2btf/dump/dump_c.h"
#include "dwarf2btf/dump/dump_raw.h"
#include "dwarf2btf/elf/section_writer.h"
#include "dwarf2btf/elf/symbols.h"
#include "dwarf2btf/kernel/btf_load.h"
#include "dwarf2btf/support/atomic_file.h"
#include "dwarf2btf/validate/validate.h"

namespace d2b {

namespace {

Expected<std::unique_ptr<btf::Btf>> readBase(const std::string &path) {
  auto parsed = btf::readBtf(path, nullptr);
  if (!parsed)
    return parsed.error();
  return std::make_unique<btf::Btf>(std::move(parsed->btf));
}

encode::VarOptions::Scope varScope(lower::Policy::VarScope s) {
  switch (s) {
  case lower::Policy::VarScope::None:
    return encode::VarOptions::Scope::None;
  case lower::Policy::VarScope::PerCpu:
    return encode::VarOptions::Scope::PerCpu;
  case lower::Policy::VarScope::All:
    return encode::VarOptions::Scope::All;
  }
  return encode::VarOptions::Scope::PerCpu;
}

} // namespace

Expected<SharedBase> prepareBase(const std::string &path) {
  auto base = readBase(path);
  if (!base)
    return base.error();
  SharedBase out;
  out.btf = std::shared_ptr<const btf::Btf>(std::move(*base));
  auto pb = dedup::PreparedBase::create(*out.btf);
  if (!pb)
    return pb.error().withContext(path);
  out.dedup = std::move(*pb);
  out.validate = validate::PreparedBase::create(*out.btf);
  return out;
}

Expected<EncodedBtf> encodeFile(const std::string &input, const PipelineOptions &opts,
                                DiagEngine &diag) {
  // One input: indexing the base inside dedup costs the same as preparing
  // it, so the base is only read here.
  SharedBase base;
  if (!opts.basePath.empty()) {
    auto b = readBase(opts.basePath);
    if (!b)
      return b.error();
    base.btf = std::shared_ptr<const btf::Btf>(std::move(*b));
  }
  return encodeFileWithBase(input, opts, base, diag);
}

Expected<EncodedBtf> encodeFileWithBase(const std::string &input, const PipelineOptions &opts,
                                        const SharedBase &base, DiagEngine &diag) {
  EncodedBtf out;
  encode::EncodeOptions eopts = opts.encode;
  eopts.timeUnits = eopts.timeUnits || opts.verbose; // the phase lines of --report -v
  out.base = base.btf;
  eopts.base = out.base.get();
  eopts.incrementalDedup = opts.dedup && opts.incrementalDedup && !eopts.base;
  eopts.matchFunctionSymbols = opts.matchFunctionSymbols;

  PhaseClock typesClock;
  auto types = encode::encodeTypes(input, eopts, diag);
  if (!types)
    return types.error();
  out.phases.add("types (walk+lower+merge)", typesClock);
  // Inside the types phase, on all workers; their sum is about its CPU.
  if (eopts.timeUnits) {
    out.phases.add("  walk", 0, types->stats.walkCpu);
    out.phases.add("  lower", 0, types->stats.lowerCpu);
    out.phases.add("  merge", 0, types->stats.mergeCpu);
    if (types->dedup)
      out.phases.add("  dedup while merging", 0, types->stats.dedupCpu);
  }
  out.order = types->order;
  out.types = types->stats;
  btf::Btf &b = types->btf;

  const lower::Policy &policy = eopts.policy;
  const bool needSymbols = policy.funcs || policy.vars != lower::Policy::VarScope::None;
  // Freed beside the dedup, on a thread of their own, once encoded: on
  // vmlinux the records and the symbol table are ~300k heap blocks, whose
  // freeing took 10-20 ms of the serial tail. (Joined when this returns.)
  std::jthread freeing;
  if (needSymbols) {
    PhaseClock symClock;
    Expected<elf::SymbolTable> syms = types->symbols
                                          ? Expected<elf::SymbolTable>(std::move(*types->symbols))
                                          : elf::readSymbols(types->input->symbolsElf(), input);
    if (!syms)
      return syms.error();
    encode::KfuncMap kfuncs;
    if (policy.funcs && opts.kfuncTags) {
      auto k = encode::collectKfuncs(types->input->symbolsElf(), input);
      if (!k)
        return k.error();
      kfuncs = std::move(*k);
    }
    if (policy.funcs) {
      encode::FuncOptions fo;
      fo.kfuncs = opts.kfuncTags ? &kfuncs : nullptr;
      fo.consistentFunc = policy.consistentFunc;
      fo.clash = policy.funcClash;
      fo.machine = types->machine;
      fo.declTags = policy.declTags;
      fo.verbose = opts.verbose;
      fo.addressSize = uint8_t(types->input->addressSize());
      fo.file = input;
      fo.jobs = types->stats.jobs;
      out.funcs = encode::addFunctions(b, types->functions, *syms, fo, diag);
      // Records the walk already left out for want of a symbol.
      out.funcs.records += types->stats.functionsWithoutSymbol;
      out.funcs.noSymbol += types->stats.functionsWithoutSymbol;
    }
    if (policy.vars != lower::Policy::VarScope::None) {
      encode::VarOptions vo;
      vo.scope = varScope(policy.vars);
      vo.declTags = policy.declTags;
      vo.verbose = opts.verbose;
      vo.clash = policy.varClash;
      vo.file = input;
      out.vars = encode::addVariables(b, std::move(types->variables), *syms, vo, diag);
    }
    if (types->stats.jobs > 1)
      freeing = std::jthread([records = std::move(types->functions), table = std::move(*syms)] {});
    out.phases.add("funcs+vars", symClock);
  }

  if (opts.dedup) {
    PhaseClock dedupClock;
    auto st = types->dedup ? types->dedup->finish(b, types->stats.jobs)
              : base.dedup ? dedup::dedup(b, {}, *base.dedup)
                           : dedup::dedup(b);
    if (!st)
      return st.error().withContext(input);
    out.dedup = *st;
    if (st->equivBudgetExhausted) {
      Diagnostic d;
      d.severity = Severity::Warning;
      d.rule = "dedup.work-limit";
      d.where.file = input;
      d.message = fmt::format(
          "comparing type graphs reached its limit of {} steps for {} types; the remaining "
          "structs and unions were kept without deduplication",
          dedup::kEquivStepsBase + dedup::kEquivStepsPerType * uint64_t(st->typesIn), st->typesIn);
      diag.report(std::move(d));
    }
    out.phases.add("dedup", dedupClock);
  }
  // Before dedup every unit's copy of a type would count as a clash. Both
  // this and validation only read the types (vmlinux: ~8 and ~18 ms), so
  // with more than one job they run side by side.
  std::jthread clashes;
  if (opts.dedup) {
    auto report = [&] {
      out.typeClashes = encode::reportTypeClashes(b, {input, opts.verbose}, diag);
    };
    if (opts.validate && types->stats.jobs > 1)
      clashes = std::jthread(report);
    else
      report();
  }

  if (opts.validate) {
    PhaseClock validateClock;
    validate::ValidateOptions vopts;
    auto violations =
        base.validate ? validate::validate(b, vopts, *base.validate) : validate::validate(b, vopts);
    std::erase_if(violations, [](const validate::Violation &v) { return v.errnoValue == 0; });
    if (!violations.empty()) {
      std::string msg = fmt::format(
          "{}: the BTF would be rejected by the kernel ({} violation{}; --no-validate writes it "
          "anyway): {}",
          input, violations.size(), violations.size() == 1 ? "" : "s", violations[0].logLine());
      return Error(msg);
    }
    out.phases.add("validate", validateClock);
  }
  if (clashes.joinable())
    clashes.join(); // before `b` and `out` move
  if (opts.distilledBase && out.base) {
    auto d = btf::distillBase(b);
    if (!d)
      return d.error().withContext(input);
    out.base = std::move(d->base);
    out.btf = std::move(d->split);
    out.distilled = true;
    return out;
  }
  out.btf = std::move(b);
  return out;
}

Error writeElf(const std::string &input, const std::string &output, const EncodedBtf &enc) {
  std::vector<uint8_t> bytes = enc.btf.serialize(enc.order);
  if (!enc.distilled) {
    // The kernel would relocate the new .BTF against a stale distilled base.
    if (elf::hasSection(input, ".BTF.base"))
      return Error(fmt::format("{}: has a .BTF.base section (a distilled base) that would not "
                               "match the new .BTF: encode with --base B --distilled-base, or "
                               "remove it first (objcopy --remove-section .BTF.base)",
                               input));
    return elf::writeElfWithSection(input, output, ".BTF", bytes);
  }
  // Two sections, still one rename over `output`: .BTF goes into an
  // intermediate copy beside it, .BTF.base is added on the way to `output`.
  // The intermediate is named like AtomicFile's temporaries, so a run killed
  // in between leaves nothing the next write of `output` does not remove.
  std::filesystem::path out(output);
  std::string dir = out.parent_path().string();
  std::string mid = fmt::format("{}{}.{}.tmp-{}-btfmid", dir, dir.empty() ? "" : "/",
                                out.filename().string().substr(0, 200), ::getpid());
  if (Error e = elf::writeElfWithSection(input, mid, ".BTF", bytes)) {
    ::unlink(mid.c_str());
    return e;
  }
  std::vector<uint8_t> baseBytes = enc.base->serialize(enc.order);
  Error e = elf::writeElfWithSection(mid, output, ".BTF.base", baseBytes);
  ::unlink(mid.c_str());
  if (e)
    // Messages should name the file the user gave, not the intermediate.
    return Error(fmt::format("{}: cannot add .BTF.base: {}", output, e.message()));
  return Error::success();
}

Error writeRaw(const std::string &path, const EncodedBtf &enc, bool durable) {
  std::vector<uint8_t> bytes = enc.btf.serialize(enc.order);
  // 0644 like the files the compiler writes; pahole's detached output is 0640
  // but nothing in a build depends on that.
  return writeFileAtomic(path, bytes, 0644, durable);
}

void printPhases(std::ostream &out, const PhaseTimes &t) {
  for (const PhaseTime &p : t.phases) {
    // Sub-phases run inside their parent on every worker: only CPU applies.
    if (p.name.starts_with(' '))
      out << fmt::format("timing: {:<26} {:>8} {:7.3f} s cpu\n", p.name, "", p.cpu);
    else
      out << fmt::format("timing: {:<26} {:7.3f} s wall {:7.3f} s cpu\n", p.name, p.wall, p.cpu);
  }
}

void printReport(std::ostream &out, const DiagEngine &diag, bool verbose) {
  auto counts = diag.counts();
  if (counts.empty()) {
    out << "report: nothing was dropped, renamed or replaced\n";
    return;
  }
  out << "report: rule counts\n";
  for (const auto &[rule, n] : counts)
    out << fmt::format("  {:<40} {}\n", rule, n);
  if (verbose)
    for (const Diagnostic &d : diag.sortedDiagnostics())
      out << d.format() << "\n";
}

Expected<std::vector<int>> parseLanguageList(const std::string &list) {
  struct Lang {
    const char *name;
    std::vector<int> codes;
  };
  static const Lang kLangs[] = {
      {"c", {DW_LANG_C89, DW_LANG_C, DW_LANG_C99, DW_LANG_C11, 0x2c /* C17 */}},
      {"c89", {DW_LANG_C89}},
      {"c99", {DW_LANG_C99}},
      {"c11", {DW_LANG_C11}},
      {"c17", {0x2c}},
      {"c++",
       {DW_LANG_C_plus_plus, DW_LANG_C_plus_plus_03, DW_LANG_C_plus_plus_11,
        DW_LANG_C_plus_plus_14}},
      {"rust", {DW_LANG_Rust}},
      {"asm", {DW_LANG_Mips_Assembler}},
      {"go", {DW_LANG_Go}},
      {"ada", {DW_LANG_Ada83, DW_LANG_Ada95}},
      {"fortran",
       {DW_LANG_Fortran77, DW_LANG_Fortran90, DW_LANG_Fortran95, DW_LANG_Fortran03,
        DW_LANG_Fortran08}},
  };
  std::vector<int> out;
  size_t start = 0;
  while (start <= list.size()) {
    size_t end = list.find(',', start);
    if (end == std::string::npos)
      end = list.size();
    std::string name = list.substr(start, end - start);
    for (char &c : name)
      c = char(tolower(c));
    if (name.rfind("dw_lang_", 0) == 0)
      name = name.substr(8);
    bool found = false;
    for (const Lang &l : kLangs)
      if (name == l.name) {
        out.insert(out.end(), l.codes.begin(), l.codes.end());
        found = true;
      }
    if (!found)
      return Error("unknown language '" + name + "'");
    start = end + 1;
  }
  return out;
}

Expected<LoadedBtf> loadBtf(const std::string &path, const std::string &basePath) {
  LoadedBtf out;
  std::string base = basePath;
  const std::string sysfs = "/sys/kernel/btf/";
  if (base.empty() && path.rfind(sysfs, 0) == 0 && path != sysfs + "vmlinux")
    base = sysfs + "vmlinux";
  // A module with a distilled base is split BTF on its .BTF.base section.
  auto distilled = btf::readDistilledBaseBytes(path);
  if (!distilled)
    return distilled.error();
  if (*distilled) {
    auto dist = btf::parseBtf(**distilled, nullptr, path + " (.BTF.base)");
    if (!dist)
      return dist.error();
    auto distBase = std::make_unique<btf::Btf>(std::move(dist->btf));
    auto parsed = btf::readBtf(path, distBase.get());
    if (!parsed)
      return parsed.error();
    out.order = parsed->order;
    if (base.empty()) {
      out.base = std::move(distBase);
      out.btf = std::make_unique<btf::Btf>(std::move(parsed->btf));
      return out;
    }
    // With a base: relocate onto it, as the kernel does at module load.
    auto b = readBase(base);
    if (!b)
      return b.error();
    out.base = std::move(*b);
    auto relocated = btf::relocateSplit(parsed->btf, *out.base);
    if (!relocated)
      return relocated.error().withContext(path);
    out.btf = std::make_unique<btf::Btf>(std::move(*relocated));
    return out;
  }
  if (!base.empty()) {
    auto b = readBase(base);
    if (!b)
      return b.error();
    out.base = std::move(*b);
  }
  auto parsed = btf::readBtf(path, out.base.get());
  if (!parsed)
    return parsed.error();
  out.order = parsed->order;
  out.btf = std::make_unique<btf::Btf>(std::move(parsed->btf));
  return out;
}

Error dumpRawTo(std::ostream &out, const LoadedBtf &b) {
  dump::dumpRaw(*b.btf, out);
  return Error::success();
}

Error dumpCTo(std::ostream &out, const LoadedBtf &b) { return dump::dumpC(*b.btf, out); }

CheckReport checkBtf(const LoadedBtf &b, bool kernel) {
  CheckReport r;
  size_t fatal = 0;
  for (const auto &v : validate::validate(*b.btf)) {
    // The struct or DATASEC line gives member and entry errors their context.
    if (!v.typeLine.empty())
      r.violations.push_back(v.typeLine);
    // errno 0: the kernel logs the problem but still accepts the blob.
    r.violations.push_back(v.logLine() + (v.errnoValue == 0 ? " (warning: accepted)" : ""));
    fatal += v.errnoValue != 0;
  }
  r.ok = fatal == 0;
  r.summary = r.ok ? fmt::format("{} types: no violations of the kernel's rules", b.btf->ownCount())
                   : fmt::format("{} types: {} violation{} of the kernel's rules",
                                 b.btf->ownCount(), fatal, fatal == 1 ? "" : "s");
  if (!kernel)
    return r;
  std::vector<uint8_t> blob = b.base ? kernel::combineSplit(*b.btf, std::endian::native)
                                     : b.btf->serialize(std::endian::native);
  kernel::KernelLoadResult k = kernel::loadIntoKernel(blob);
  if (!k.attempted) {
    r.kernelVerdict = "kernel: check skipped: " + k.skipReason;
    return r;
  }
  if (k.accepted) {
    r.kernelVerdict = "kernel: accepted (BPF_BTF_LOAD)";
  } else {
    r.ok = false;
    r.kernelVerdict =
        fmt::format("kernel: rejected (BPF_BTF_LOAD: {})", kernel::describeErrno(k.errnoValue));
    r.kernelLogTail = kernel::logTail(k.log, 8);
  }
  return r;
}

} // namespace d2b
