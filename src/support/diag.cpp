#include "dwarf2btf/support/diag.h"

#include <algorithm>
#include <fmt/format.h>

namespace d2b {

std::string Location::format() const {
  std::string s = file;
  auto sep = [&] {
    if (!s.empty())
      s += ": ";
  };
  if (!section.empty()) {
    sep();
    s += offset != UINT64_MAX ? fmt::format("{}+{:#x}", section, offset) : section;
  }
  if (die_offset != UINT64_MAX) {
    sep();
    s += fmt::format("DIE {:#x}", die_offset);
    if (!tag.empty())
      s += " " + tag;
    if (!name.empty())
      s += " '" + name + "'";
  } else if (!tag.empty()) {
    sep();
    s += tag;
  }
  if (btf_id) {
    sep();
    s += fmt::format("[{}]", btf_id);
  }
  return s;
}

std::string Diagnostic::format() const {
  const char *sev = severity == Severity::Error     ? "error"
                    : severity == Severity::Warning ? "warning"
                                                    : "note";
  std::string loc = where.format();
  return fmt::format("{}{}{}: {} [{}]", loc, loc.empty() ? "" : ": ", sev, message, rule);
}

void DiagEngine::report(Diagnostic d) {
  std::lock_guard lock(mu_);
  ++counts_[d.rule];
  diags_.push_back(std::move(d));
}

void DiagEngine::count(const std::string &rule, uint64_t n) {
  std::lock_guard lock(mu_);
  counts_[rule] += n;
}

std::map<std::string, uint64_t> DiagEngine::counts() const {
  std::lock_guard lock(mu_);
  return counts_;
}

std::vector<Diagnostic> DiagEngine::sortedDiagnostics() const {
  std::vector<Diagnostic> out;
  {
    std::lock_guard lock(mu_);
    out = diags_;
  }
  std::stable_sort(out.begin(), out.end(), [](const Diagnostic &a, const Diagnostic &b) {
    if (a.where.file != b.where.file)
      return a.where.file < b.where.file;
    if (a.where.die_offset != b.where.die_offset)
      return a.where.die_offset < b.where.die_offset;
    if (a.rule != b.rule)
      return a.rule < b.rule;
    return a.message < b.message;
  });
  return out;
}

size_t DiagEngine::errorCount() const {
  std::lock_guard lock(mu_);
  return std::count_if(diags_.begin(), diags_.end(),
                       [](const Diagnostic &d) { return d.severity == Severity::Error; });
}

} // namespace d2b
