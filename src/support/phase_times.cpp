#include "dwarf2btf/support/phase_times.h"

#include <time.h>

namespace d2b {

namespace {
double readClock(clockid_t id) {
  timespec ts{};
  clock_gettime(id, &ts);
  return double(ts.tv_sec) + double(ts.tv_nsec) * 1e-9;
}
} // namespace

double threadCpuSeconds() { return readClock(CLOCK_THREAD_CPUTIME_ID); }
double processCpuSeconds() { return readClock(CLOCK_PROCESS_CPUTIME_ID); }
double wallSeconds() { return readClock(CLOCK_MONOTONIC); }

} // namespace d2b
