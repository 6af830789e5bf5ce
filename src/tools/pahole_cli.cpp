// `dwarf2btf pahole ARGS` and invocation as `pahole`: the kernel build's
// pahole command lines (parsed by pipeline/pahole_args.h) run on our pipeline.
#include <fmt/format.h>

#include <cstdlib>
#include <iostream>

#include "cli.h"
#include "dwarf2btf/pipeline/batch.h"
#include "dwarf2btf/pipeline/pahole_args.h"
#include "heap_pages.h"

namespace d2b::cli {

namespace {

// argp's exit status for a command-line error (EX_USAGE).
constexpr int kArgpUsage = 64;

const char *kPaholeHelp = R"(Usage: pahole [OPTION...] FILE...
dwarf2btf in pahole mode: BTF encoding only, as the kernel build calls it.

  -J, --btf_encode             encode BTF into FILE's .BTF section (in place)
      --btf_encode_detached=F  write raw BTF to F, FILE untouched
      --btf_base=FILE          split BTF against this base (ELF, raw, sysfs)
  -j, --jobs[=N]               threads (-j alone: all cores, one per 4 MB of DWARF
                               at most; -j N is a file!)
      --btf_features=LIST      opt-in feature list (repeatable; default, +feat)
      --btf_features_strict=L  as --btf_features, unknown names are errors
      --supported_btf_features print the feature names and exit
      --lang_exclude=LANGS     skip CUs of these languages (env PAHOLE_LANG_EXCLUDE;
                               env DWARF2BTF_INCLUDE_LANGS=rust takes rust back out)
      --skip_encoding_btf_{vars,decl_tag,type_tag,enum64,inconsistent_proto}
      --btf_gen_floats, --btf_gen_optimized, --btf_encode_force,
      --reproducible_build     legacy switches (accepted)
  -V, --verbose                print pahole's skip lines
      --version, --numeric_version
)";

int encodeAll(const PaholeRequest &req) {
  SharedBase base;
  if (!req.opts.basePath.empty()) {
    auto b = prepareBase(req.opts.basePath);
    if (!b) {
      std::cerr << "pahole: " << b.error().message() << "\n";
      return kFailure;
    }
    base = std::move(*b);
  }
  std::vector<BatchItem> items;
  for (const std::string &in : req.inputs) {
    BatchItem it;
    it.input = in;
    if (!req.detached.empty()) {
      it.write = BatchItem::Write::Raw;
      it.output = req.detached;
    }
    items.push_back(std::move(it));
  }
  PipelineOptions opts = req.opts;
  // Several inputs run side by side, one thread each; one input gets -j.
  unsigned inputJobs = 1;
  if (items.size() > 1) {
    inputJobs = opts.encode.jobs;
    opts.encode.jobs = 1;
  }
  auto outcomes = encodeBatch(items, opts, base, inputJobs);
  int status = kOk;
  for (size_t i = 0; i < outcomes.size(); ++i) {
    const BatchOutcome &o = outcomes[i];
    if (req.verbose)
      for (const Diagnostic &d : o.diag->sortedDiagnostics())
        if (d.severity == Severity::Note && d.rule.rfind("func.", 0) == 0)
          std::cout << d.message << "\n";
    // pahole: nothing to encode is success, and nothing is written.
    if (o.noDwarf)
      continue;
    if (o.error) {
      std::cerr << "pahole: " << o.error.message() << "\nFailed to encode BTF\n";
      status = kFailure;
    }
  }
  return status;
}

} // namespace

int cmdPahole(const std::vector<std::string> &args) {
  PaholeEnv env;
  if (const char *v = std::getenv("PAHOLE_LANG_EXCLUDE"))
    env.langExclude = v;
  if (const char *v = std::getenv("DWARF2BTF_INCLUDE_LANGS"))
    env.includeLangs = v;
  auto req = parsePaholeArgs(args, env);
  if (!req) {
    std::cerr << "pahole: " << req.error().message() << "\n"
              << "Try `pahole --help' or `pahole --usage' for more information.\n";
    return kArgpUsage;
  }
  switch (req->action) {
  case PaholeAction::Version:
    std::cout << fmt::format("v{}.{}\n", kPaholeMajor, kPaholeMinor);
    return kOk;
  case PaholeAction::NumericVersion:
    std::cout << kPaholeMajor * 100 + kPaholeMinor << "\n";
    return kOk;
  case PaholeAction::SupportedFeatures:
    std::cout << fmt::format("{}\n", fmt::join(paholeSupportedFeatures(), ","));
    return kOk;
  case PaholeAction::Help:
    std::cout << kPaholeHelp;
    return kOk;
  case PaholeAction::Encode:
    break;
  }
  preferHugePageHeap(req->inputs); // before anything is printed
  if (req->verbose)
    for (const std::string &n : req->notes)
      std::cerr << n << "\n";
  return encodeAll(*req);
}

} // namespace d2b::cli
