/// libFuzzer entry point for d2b::fuzz::policyOne (see targets.h).
#include "targets.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  return d2b::fuzz::policyOne(data, size);
}
