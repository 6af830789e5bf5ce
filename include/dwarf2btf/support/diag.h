#pragma once
/// Diagnostics for recoverable, per-type problems. Fatal input errors are
/// Error values (expected.h); what the policy can fall back from is reported
/// here, counted by rule, and printed by `encode --report`.
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <vector>

namespace d2b {

/// Where in the input a diagnostic points. Empty fields are omitted when
/// formatted: "file: .debug_info+0x1a2b: DIE 0x1a2b DW_TAG_member 'x': ...".
struct Location {
  std::string file;
  std::string section;
  uint64_t offset = UINT64_MAX;
  uint64_t die_offset = UINT64_MAX;
  std::string tag;  // "DW_TAG_member"
  std::string name; // the DIE's DW_AT_name, if any
  uint32_t btf_id = 0;
  std::string format() const;
};

enum class Severity { Note, Warning, Error };

struct Diagnostic {
  Severity severity = Severity::Warning;
  std::string rule; // stable key the counters use, e.g. "c.bad-bitfield"
  Location where;
  std::string message;
  std::string format() const;
};

/// Collects diagnostics from worker threads. Thread-safe; the order of
/// collected diagnostics is made deterministic by sortedDiagnostics().
class DiagEngine {
public:
  void report(Diagnostic d);
  void count(const std::string &rule, uint64_t n = 1);
  std::map<std::string, uint64_t> counts() const;
  std::vector<Diagnostic> sortedDiagnostics() const;
  size_t errorCount() const;

private:
  mutable std::mutex mu_;
  std::map<std::string, uint64_t> counts_;
  std::vector<Diagnostic> diags_;
};

} // namespace d2b
