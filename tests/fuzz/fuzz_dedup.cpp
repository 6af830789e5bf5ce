/// libFuzzer entry point for d2b::fuzz::dedupOne (see targets.h).
#include "targets.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  return d2b::fuzz::dedupOne(data, size);
}
