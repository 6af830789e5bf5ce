#pragma once
/// Batch mode: many inputs (kernel modules) against one base in one process.
/// The base is read once and shared read-only; inputs are encoded in parallel
/// (TBB), each written as soon as it is done, and each output is byte-identical
/// to encoding that input alone (nothing is shared between inputs but the
/// immutable base).
///
///   auto base = prepareBase("vmlinux");
///   std::vector<BatchItem> items = {{"a.ko"}, {"b.ko"}};   // in place
///   auto outcomes = encodeBatch(items, opts, *base, 2);
///   for (auto &o : outcomes) if (o.error) ...               // input order
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "dwarf2btf/pipeline/pipeline.h"

namespace d2b {

/// One input and where its BTF goes.
struct BatchItem {
  enum class Write { InPlace, Elf, Raw, None };
  std::string input;
  Write write = Write::InPlace;
  std::string output; // for Elf and Raw
};

/// What happened to one input.
struct BatchOutcome {
  Error error;          // encoding or writing failed
  bool noDwarf = false; // input has no DWARF (error is set too)
  std::unique_ptr<DiagEngine> diag = std::make_unique<DiagEngine>();
  encode::FunctionStats funcs;
  uint32_t types = 0; // own types written
};

/// True if `e` is "the input has no DWARF" (pahole treats that as success).
bool isNoDwarfError(const Error &e);

/// Encodes every item with `opts` (opts.basePath is ignored: `base` is used,
/// an empty SharedBase for none) using up to `jobs` inputs at a time (0 = all cores); each
/// input is encoded with opts.encode.jobs threads. Outcomes are in item order.
/// Encodes and writes one item (what each encodeBatch task does).
BatchOutcome encodeBatchItem(const BatchItem &item, const PipelineOptions &opts,
                             const SharedBase &base);

/// A worker process's result for one input: a DiagEngine cannot cross the
/// process boundary, so its report comes as text.
struct ProcessOutcome {
  bool failed = false;
  bool noDwarf = false;
  std::string error;  // message when failed
  std::string report; // ReportFormatter's text for the input's diagnostics
  uint32_t types = 0;
};
/// Formats one input's diagnostics (the CLI's --report text).
using ReportFormatter = std::function<std::string(const DiagEngine &)>;

/// encodeBatch with `jobs` worker processes (fork) instead of threads, for
/// the CLI. Threads of one process pay for libdwfl relocating each module:
/// its writes into the private file mapping copy pages, and every copy
/// makes the kernel flush the other threads' TLBs (an inter-processor
/// interrupt); on Debian's 1,121 modules that was a third of the CPU time.
/// Workers take the next input from a shared counter, so the outputs are
/// the same files as encodeBatch writes. Outcomes are in input order; an
/// input whose worker died is reported as not encoded.
std::vector<ProcessOutcome> encodeBatchInProcesses(const std::vector<BatchItem> &items,
                                                   const PipelineOptions &opts,
                                                   const SharedBase &base, unsigned jobs,
                                                   const ReportFormatter &format);

std::vector<BatchOutcome> encodeBatch(const std::vector<BatchItem> &items,
                                      const PipelineOptions &opts, const SharedBase &base,
                                      unsigned jobs);

} // namespace d2b
