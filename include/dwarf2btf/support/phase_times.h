#pragma once
/// Wall and CPU seconds per pipeline phase, for `encode --report -v`.
///
///   PhaseClock c;              // starts now
///   ... work ...
///   times.add("dedup", c);     // wall and process CPU since construction
#include <string>
#include <vector>

namespace d2b {

/// Seconds of CPU the calling thread has used so far.
double threadCpuSeconds();
/// Seconds of CPU the whole process (all threads) has used so far.
double processCpuSeconds();
/// Seconds on a monotonic clock.
double wallSeconds();

/// Wall and process-CPU start points of one phase.
class PhaseClock {
public:
  PhaseClock() : wall_(wallSeconds()), cpu_(processCpuSeconds()) {}
  double wallElapsed() const { return wallSeconds() - wall_; }
  double cpuElapsed() const { return processCpuSeconds() - cpu_; }

private:
  double wall_, cpu_;
};

/// One measured phase. `cpu` counts every thread; a phase that runs on
/// several threads has cpu > wall.
struct PhaseTime {
  std::string name;
  double wall = 0;
  double cpu = 0;
};

/// Phases in the order they ran.
struct PhaseTimes {
  std::vector<PhaseTime> phases;
  void add(std::string name, const PhaseClock &c) {
    phases.push_back({std::move(name), c.wallElapsed(), c.cpuElapsed()});
  }
  void add(std::string name, double wall, double cpu) {
    phases.push_back({std::move(name), wall, cpu});
  }
};

} // namespace d2b
