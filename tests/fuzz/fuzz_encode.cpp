/// libFuzzer target: arbitrary bytes as an ELF file through the whole encode
/// pipeline (ELF + DWARF reading, lowering, FUNC/VAR, dedup, validate,
/// serialize). The bytes go into a memfd so no disk is touched; the pipeline
/// opens it by its /proc/self/fd path like any other input.
#include <sys/mman.h>
#include <unistd.h>

#include <bit>
#include <cstddef>
#include <cstdint>
#include <string>

#include "dwarf2btf/pipeline/pipeline.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  int fd = memfd_create("d2b-fuzz", MFD_CLOEXEC);
  if (fd < 0)
    return 0;
  size_t done = 0;
  while (done < size) {
    ssize_t n = write(fd, data + done, size - done);
    if (n <= 0)
      break;
    done += size_t(n);
  }
  const std::string path = "/proc/self/fd/" + std::to_string(fd);
  d2b::PipelineOptions opts;
  // One worker: fuzzing wants deterministic, thread-free executions.
  opts.encode.jobs = 1;
  opts.encode.policy.vars = d2b::lower::Policy::VarScope::All;
  d2b::DiagEngine diag;
  auto enc = d2b::encodeFile(path, opts, diag);
  if (enc) {
    auto bytes = enc->btf.serialize(enc->order);
    (void)bytes;
  }
  close(fd);
  return 0;
}
