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
std::vector<BatchOutcome> encodeBatch(const std::vector<BatchItem> &items,
                                      const PipelineOptions &opts, const SharedBase &base,
                                      unsigned jobs);

} // namespace d2b
