#include "dwarf2btf/pipeline/batch.h"

#include <tbb/parallel_for.h>
#include <tbb/task_arena.h>

#include "dwarf2btf/support/arena.h"

#include <thread>

namespace d2b {

bool isNoDwarfError(const Error &e) {
  // The ELF and encode stages word every "nothing to read" case this way.
  return e && e.message().find("no DWARF debug information") != std::string::npos;
}

namespace {

void encodeOne(const BatchItem &item, const PipelineOptions &opts, const SharedBase &base,
               BatchOutcome &out);

} // namespace

BatchOutcome encodeBatchItem(const BatchItem &item, const PipelineOptions &opts,
                             const SharedBase &base) {
  BatchOutcome out;
  encodeOne(item, opts, base, out);
  return out;
}

namespace {

void encodeOne(const BatchItem &item, const PipelineOptions &opts, const SharedBase &base,
               BatchOutcome &out) {
  auto enc = encodeFileWithBase(item.input, opts, base, *out.diag);
  if (!enc) {
    out.error = enc.error();
    out.noDwarf = isNoDwarfError(out.error);
    return;
  }
  out.funcs = enc->funcs;
  out.types = enc->btf.ownCount();
  switch (item.write) {
  case BatchItem::Write::InPlace:
    out.error = writeElf(item.input, item.input, *enc);
    break;
  case BatchItem::Write::Elf:
    out.error = writeElf(item.input, item.output, *enc);
    break;
  case BatchItem::Write::Raw:
    // New files, synced together by the caller (syncfs) instead of one
    // fsync each: on a virtual disk those waits were a quarter of a module
    // batch's wall time.
    out.error = writeRaw(item.output, *enc, false);
    break;
  case BatchItem::Write::None:
    break;
  }
}

} // namespace

std::vector<BatchOutcome> encodeBatch(const std::vector<BatchItem> &items,
                                      const PipelineOptions &opts, const SharedBase &base,
                                      unsigned jobs) {
  std::vector<BatchOutcome> outcomes(items.size());
  if (jobs == 0)
    jobs = std::max(1u, std::thread::hardware_concurrency());
  // Dynamic scheduling, one input per task: module sizes vary by 1000x.
  tbb::task_arena arena = makeArena(jobs);
  arena.execute([&] {
    tbb::parallel_for(size_t(0), items.size(),
                      [&](size_t i) { encodeOne(items[i], opts, base, outcomes[i]); });
  });
  return outcomes;
}

} // namespace d2b
