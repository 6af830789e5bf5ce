// `dwarf2btf encode`: DWARF -> BTF, written in place, to a new ELF or raw.
#include <boost/program_options.hpp>
#include <cstring>
#include <fcntl.h>
#include <filesystem>
#include <fmt/format.h>
#include <iostream>
#include <set>
#include <sstream>
#include <thread>
#include <unistd.h>

#include "cli.h"
#include "dwarf2btf/pipeline/batch.h"
#include "dwarf2btf/pipeline/pipeline.h"
#include "dwarf2btf/pipeline/policy_file.h"
#include "dwarf2btf/support/diag.h"
#include "dwarf2btf/support/po_error.h"
#include "heap_pages.h"

namespace po = boost::program_options;

namespace d2b::cli {

namespace {

constexpr int kDwLangRust = 0x1c; // DW_LANG_Rust

Expected<lower::Policy::VarScope> parseVarScope(const std::string &s) {
  if (s == "none")
    return lower::Policy::VarScope::None;
  if (s == "percpu")
    return lower::Policy::VarScope::PerCpu;
  if (s == "all")
    return lower::Policy::VarScope::All;
  return Error("--vars: expected none, percpu or all, got '" + s + "'");
}

Expected<lower::FuncClash> parseFuncClash(const std::string &s) {
  if (s == "skip")
    return lower::FuncClash::Skip;
  if (s == "first")
    return lower::FuncClash::First;
  if (s == "keep-all")
    return lower::FuncClash::KeepAll;
  return Error("--clash-funcs: expected skip, first or keep-all, got '" + s + "'");
}

Expected<lower::VarClash> parseVarClash(const std::string &s) {
  if (s == "keep-all")
    return lower::VarClash::KeepAll;
  if (s == "first")
    return lower::VarClash::First;
  if (s == "skip")
    return lower::VarClash::Skip;
  return Error("--clash-vars: expected keep-all, first or skip, got '" + s + "'");
}

Expected<lower::RustPolicy::Preset> parseRustPreset(const std::string &s) {
  if (s == "kernel")
    return lower::RustPolicy::Preset::Kernel;
  if (s == "bpf-linker")
    return lower::RustPolicy::Preset::BpfLinker;
  if (s == "exclude")
    return lower::RustPolicy::Preset::Exclude;
  return Error("--rust: expected kernel, bpf-linker or exclude, got '" + s + "'");
}

bool isIdentifier(const std::string &s) {
  if (s.empty() || (s[0] >= '0' && s[0] <= '9'))
    return false;
  for (char c : s)
    if (!((c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_'))
      return false;
  return true;
}

/// The batch writes --raw-dir outputs without an fsync each; one syncfs of
/// the directory's file system makes them all durable before exiting.
bool syncRawDir(const std::string &rawDir) {
  if (rawDir.empty())
    return true;
  const int fd = open(rawDir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  const bool ok = fd >= 0 && syncfs(fd) == 0;
  const int err = errno;
  if (fd >= 0)
    close(fd);
  if (!ok)
    printError(
        fmt::format("encode: {}: cannot sync the written files: {}", rawDir, std::strerror(err)));
  return ok;
}

/// Batch mode: the base is read once, inputs are encoded in parallel
/// (opts.encode.jobs inputs at a time, one thread each).
int encodeMany(const std::vector<std::string> &inputs, const std::string &rawDir,
               PipelineOptions opts, bool report, bool verbose) {
  std::vector<BatchItem> items;
  std::set<std::string> names;
  for (const std::string &in : inputs) {
    BatchItem it;
    it.input = in;
    if (!rawDir.empty()) {
      std::string name = std::filesystem::path(in).filename().string();
      if (!names.insert(name).second) {
        printError("encode: --raw-dir: two inputs named '" + name + "' would write the same file");
        return kUsage;
      }
      it.write = BatchItem::Write::Raw;
      it.output = (std::filesystem::path(rawDir) / (name + ".btf")).string();
    }
    items.push_back(std::move(it));
  }
  SharedBase base;
  if (!opts.basePath.empty()) {
    auto b = prepareBase(opts.basePath);
    if (!b) {
      printError(b.error().message());
      return kFailure;
    }
    base = std::move(*b);
  }
  const unsigned inputJobs =
      opts.encode.jobs ? opts.encode.jobs : std::max(1u, std::thread::hardware_concurrency());
  opts.encode.jobs = 1;
  int status = kOk;
  if (inputJobs > 1 && items.size() > 1) {
    // Worker processes (see encodeBatchInProcesses for why not threads).
    std::cout.flush();
    std::cerr.flush();
    auto outcomes = encodeBatchInProcesses(items, opts, base, inputJobs,
                                           [verbose, report](const DiagEngine &d) {
                                             if (!report)
                                               return std::string();
                                             std::ostringstream os;
                                             printReport(os, d, verbose);
                                             return os.str();
                                           });
    for (size_t i = 0; i < outcomes.size(); ++i) {
      if (report)
        std::cerr << items[i].input << ":\n" << outcomes[i].report;
      if (outcomes[i].failed) {
        printError(outcomes[i].error);
        status = kFailure;
      }
    }
    return syncRawDir(rawDir) ? status : kFailure;
  }
  auto outcomes = encodeBatch(items, opts, base, inputJobs);
  for (size_t i = 0; i < outcomes.size(); ++i) {
    if (report) {
      std::cerr << items[i].input << ":\n";
      printReport(std::cerr, *outcomes[i].diag, verbose);
    }
    if (outcomes[i].error) {
      printError(outcomes[i].error.message());
      status = kFailure;
    }
  }
  return syncRawDir(rawDir) ? status : kFailure;
}

} // namespace

int cmdEncode(const std::vector<std::string> &args) {
  po::options_description desc("encode options");
  std::string output, raw, rawDir, base, vars = "percpu", langExclude, rust = "kernel";
  std::string rustDataEnums, rustPrimitiveNames, rustCharName, rustFuncNames, rustQualify,
      policyFile;
  std::string clashFuncs = "skip", clashVars = "keep-all";
  unsigned jobs = 0;
  desc.add_options()("help,h", "show this help")(
      "output,o", po::value(&output), "write a new ELF with .BTF to FILE; INPUT is untouched")(
      "raw", po::value(&raw), "write raw BTF (header, types, strings) to FILE; INPUT is untouched")(
      "raw-dir", po::value(&rawDir),
      "write raw BTF of each INPUT to DIR/<input name>.btf; inputs untouched")(
      "jobs,j", po::value(&jobs),
      "worker threads (default: all cores, but one per 4 MB of DWARF units at most)")(
      "base", po::value(&base),
      "encode split BTF against this base BTF (ELF, raw, or /sys/kernel/btf/vmlinux)")(
      "distilled-base",
      "with --base: also write a distilled base as .BTF.base (out-of-tree modules)")(
      "vars", po::value(&vars), "variables to encode: none, percpu (default), all")(
      "no-funcs", "encode no FUNC types")("no-consistent-func",
                                          "keep functions whose prototypes conflict across CUs")(
      "clash-funcs", po::value(&clashFuncs),
      "same-named functions differing across CUs: skip (default, pahole), first or keep-all")(
      "clash-vars", po::value(&clashVars),
      "same-named variables at different addresses: keep-all (default, pahole), first or skip")(
      "no-float", "encode floating-point types as INT (kernels before 5.13)")(
      "no-enum64", "truncate 64-bit enums into 32-bit ENUM (kernels before 6.0)")(
      "no-decl-tags", "encode no DECL_TAG types")("no-type-tags", "encode no TYPE_TAG types")(
      "flatten-arrays", "flatten multi-dimensional arrays into one ARRAY (pahole's layout)")(
      "lang-exclude", po::value(&langExclude),
      "comma-separated languages whose CUs are skipped (c, c++, rust, ...)")(
      "rust", po::value(&rust), "Rust units: kernel (default), bpf-linker or exclude")(
      "rust-data-enums", po::value(&rustDataEnums),
      "Rust data-carrying enums: layout or opaque (overrides the preset)")(
      "rust-primitive-names", po::value(&rustPrimitiveNames),
      "Rust integer/float names: c or rust (overrides the preset)")(
      "rust-char-name", po::value(&rustCharName), "INT name for Rust's char (default rust_char)")(
      "rust-func-names", po::value(&rustFuncNames),
      "Rust FUNC names: linkage (ELF symbol) or leaf (sanitized name) (overrides the preset)")(
      "rust-qualify-clashes", po::value(&rustQualify),
      "on/off: name Rust types that share a name in a unit by their module path")(
      "policy", po::value(&policyFile),
      "read the policy from FILE (key = value lines, Rust knobs under [rust]); flags win")(
      "no-dedup", "skip deduplication (for testing)")(
      "no-skip-repeats",
      "build every unit's types in full, even those an earlier unit's have the same "
      "DWARF as (for testing: the output is the same)")(
      "no-validate", "write BTF even if it breaks the kernel's rules")(
      "kfunc-tags", "DECL_TAG bpf_kfunc/bpf_fastcall on kfuncs listed in .BTF_ids")(
      "report", "print counts of every recoverable problem and lossy decision")(
      "verbose,v", "with --report, list each case with its DIE offset");
  po::options_description hidden;
  std::vector<std::string> inputs;
  hidden.add_options()("input", po::value(&inputs));
  po::options_description all;
  all.add(desc).add(hidden);
  po::positional_options_description pos;
  pos.add("input", -1);
  po::variables_map vm;
  try {
    po::store(po::command_line_parser(args).options(all).positional(pos).run(), vm);
    po::notify(vm);
  } catch (const po::error &e) {
    printError("encode: " + poErrorMessage(e));
    return kUsage;
  }
  if (vm.count("help")) {
    std::cout << "usage: dwarf2btf encode [options] INPUT...\n\n" << desc;
    return kOk;
  }
  if (inputs.empty()) {
    printError("encode: expected at least one INPUT (try 'dwarf2btf encode --help')");
    return kUsage;
  }
  if (int(!output.empty()) + int(!raw.empty()) + int(!rawDir.empty()) > 1) {
    printError("encode: -o, --raw and --raw-dir are mutually exclusive");
    return kUsage;
  }
  if (vm.count("distilled-base") && base.empty()) {
    printError("encode: --distilled-base needs --base");
    return kUsage;
  }
  if (vm.count("distilled-base") && (!raw.empty() || !rawDir.empty())) {
    printError("encode: --distilled-base writes ELF sections (.BTF and .BTF.base); it cannot be "
               "combined with --raw or --raw-dir");
    return kUsage;
  }
  if (inputs.size() > 1 && (!output.empty() || !raw.empty())) {
    printError("encode: -o and --raw name one output; with several INPUTs write in place or use "
               "--raw-dir DIR");
    return kUsage;
  }

  // The policy file only fills what the command line left unset.
  PolicyFile file;
  if (!policyFile.empty()) {
    auto parsed = readPolicyFile(policyFile);
    if (!parsed) {
      printError("encode: --policy: " + parsed.error().message());
      return kUsage;
    }
    file = std::move(*parsed);
    auto fill = [&](const char *flag, std::string &dst, const std::optional<std::string> &src) {
      if (src && (!vm.count(flag) || vm[flag].defaulted()))
        dst = *src;
    };
    fill("vars", vars, file.vars);
    fill("lang-exclude", langExclude, file.langExclude);
    fill("clash-funcs", clashFuncs, file.clashFuncs);
    fill("clash-vars", clashVars, file.clashVars);
    fill("rust", rust, file.rustPreset);
    fill("rust-data-enums", rustDataEnums, file.rustDataEnums);
    fill("rust-primitive-names", rustPrimitiveNames, file.rustPrimitiveNames);
    fill("rust-char-name", rustCharName, file.rustCharName);
    fill("rust-func-names", rustFuncNames, file.rustFuncNames);
    if (file.rustQualifyClashes && !vm.count("rust-qualify-clashes"))
      rustQualify = *file.rustQualifyClashes ? "on" : "off";
  }

  PipelineOptions opts;
  // Unset (0): encodeMany takes all cores, one input is left to the encoder
  // (EncodeOptions::jobs).
  opts.encode.jobs = jobs;
  lower::Policy &p = opts.encode.policy;
  auto scope = parseVarScope(vars);
  if (!scope) {
    printError("encode: " + scope.error().message());
    return kUsage;
  }
  p.vars = *scope;
  auto funcClash = parseFuncClash(clashFuncs);
  if (!funcClash) {
    printError("encode: " + funcClash.error().message());
    return kUsage;
  }
  p.funcClash = *funcClash;
  auto varClash = parseVarClash(clashVars);
  if (!varClash) {
    printError("encode: " + varClash.error().message());
    return kUsage;
  }
  p.varClash = *varClash;
  p.funcs = !vm.count("no-funcs");
  p.consistentFunc = !vm.count("no-consistent-func");
  p.floats = !vm.count("no-float");
  p.enum64 = !vm.count("no-enum64");
  p.declTags = !vm.count("no-decl-tags");
  p.typeTags = !vm.count("no-type-tags");
  p.flattenArrays = vm.count("flatten-arrays") > 0;
  // A --no-X flag always wins; otherwise the policy file may set X either way.
  auto apply = [&](const char *noFlag, bool &dst, const std::optional<bool> &src) {
    if (src && !vm.count(noFlag))
      dst = *src;
  };
  apply("no-funcs", p.funcs, file.funcs);
  apply("no-consistent-func", p.consistentFunc, file.consistentFunc);
  apply("no-float", p.floats, file.floats);
  apply("no-enum64", p.enum64, file.enum64);
  apply("no-decl-tags", p.declTags, file.declTags);
  apply("no-type-tags", p.typeTags, file.typeTags);
  if (file.flattenArrays && !vm.count("flatten-arrays"))
    p.flattenArrays = *file.flattenArrays;
  if (!langExclude.empty()) {
    auto langs = parseLanguageList(langExclude);
    if (!langs) {
      printError("encode: --lang-exclude: " + langs.error().message());
      return kUsage;
    }
    p.langExclude = *langs;
  }
  auto preset = parseRustPreset(rust);
  if (!preset) {
    printError("encode: " + preset.error().message());
    return kUsage;
  }
  p.rust = lower::RustPolicy::forPreset(*preset);
  if (*preset == lower::RustPolicy::Preset::Exclude && !p.excludes(kDwLangRust))
    p.langExclude.push_back(kDwLangRust);
  if (!rustDataEnums.empty()) {
    if (rustDataEnums != "layout" && rustDataEnums != "opaque") {
      printError("encode: --rust-data-enums: expected layout or opaque, got '" + rustDataEnums +
                 "'");
      return kUsage;
    }
    p.rust.dataEnums = rustDataEnums == "layout" ? lower::RustPolicy::DataEnums::Layout
                                                 : lower::RustPolicy::DataEnums::Opaque;
  }
  if (!rustPrimitiveNames.empty()) {
    if (rustPrimitiveNames != "c" && rustPrimitiveNames != "rust") {
      printError("encode: --rust-primitive-names: expected c or rust, got '" + rustPrimitiveNames +
                 "'");
      return kUsage;
    }
    p.rust.cPrimitiveNames = rustPrimitiveNames == "c";
  }
  if (vm.count("rust-char-name") || file.rustCharName) {
    if (!isIdentifier(rustCharName)) {
      printError("encode: --rust-char-name: '" + rustCharName + "' is not an identifier");
      return kUsage;
    }
    p.rust.charName = rustCharName;
  }
  if (!rustFuncNames.empty()) {
    if (rustFuncNames != "linkage" && rustFuncNames != "leaf") {
      printError("encode: --rust-func-names: expected linkage or leaf, got '" + rustFuncNames +
                 "'");
      return kUsage;
    }
    p.rust.funcNames = rustFuncNames == "leaf" ? lower::RustPolicy::FuncNames::Leaf
                                               : lower::RustPolicy::FuncNames::Linkage;
  }
  if (!rustQualify.empty()) {
    if (rustQualify != "on" && rustQualify != "off") {
      printError("encode: --rust-qualify-clashes: expected on or off, got '" + rustQualify + "'");
      return kUsage;
    }
    p.rust.qualifyClashes = rustQualify == "on";
  }
  opts.dedup = !vm.count("no-dedup");
  opts.encode.skipRepeats = !vm.count("no-skip-repeats");
  opts.validate = !vm.count("no-validate");
  // --report -v lists each skipped function with its reason (pahole -V wording).
  opts.verbose = vm.count("report") && vm.count("verbose");
  opts.basePath = base;
  opts.kfuncTags = vm.count("kfunc-tags") > 0;
  opts.distilledBase = vm.count("distilled-base") > 0;

  preferHugePageHeap(inputs);
  if (inputs.size() > 1 || !rawDir.empty())
    return encodeMany(inputs, rawDir, opts, vm.count("report") > 0, vm.count("verbose") > 0);

  const std::string &input = inputs[0];
  DiagEngine diag;
  auto result = encodeFile(input, opts, diag);
  if (vm.count("report"))
    printReport(std::cerr, diag, vm.count("verbose") > 0);
  if (!result) {
    printError(result.error().message());
    return kFailure;
  }
  PhaseClock writeClock;
  Error err = raw.empty() ? writeElf(input, output.empty() ? input : output, *result)
                          : writeRaw(raw, *result);
  if (err) {
    printError(err.message());
    return kFailure;
  }
  if (vm.count("report") && vm.count("verbose")) {
    result->phases.add("write", writeClock);
    printPhases(std::cerr, result->phases);
    const encode::EncodeStats &t = result->types;
    std::cerr << fmt::format("types: {} graph nodes; {} unit types folded onto earlier copies, "
                             "{} of them known by DWARF signature ({} signatures kept)\n",
                             t.graphNodes, t.typesFolded, t.typesSkipped, t.signaturesKnown);
    std::cerr << (hugePageHeap() ? "heap: transparent huge pages (glibc.malloc.hugetlb=1)\n"
                                 : "heap: ordinary pages\n");
  }
  return kOk;
}

} // namespace d2b::cli
