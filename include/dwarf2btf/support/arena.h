#pragma once
// The thread arena for a run's parallel work.
#include <algorithm>

#include <tbb/info.h>
#include <tbb/task_arena.h>

namespace d2b {

/// An arena for `jobs` threads (0: one per core), never more than the
/// machine has. More would not run anyway (TBB caps its pool at the core
/// count) and TBB says so on stderr ("TBB Warning: The number of workers is
/// currently limited..."), which would make `-j16` print what `-j2` does
/// not. Output never depends on the thread count, so nothing else changes.
inline tbb::task_arena makeArena(unsigned jobs) {
  const int cores = std::max(1, tbb::info::default_concurrency());
  const int want = jobs ? int(std::min<unsigned>(jobs, 1u << 16)) : cores;
  return tbb::task_arena{std::min(want, cores)};
}

} // namespace d2b
