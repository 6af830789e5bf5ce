// Variable selection; see encode/variables.h for the rules. Unlike pahole,
// which emits VARs CU by CU as it meets them and checks nothing when it
// builds the DATASECs, all records are placed first, duplicates and
// overlaps are resolved per section, and only the survivors become VARs, so
// the output never carries a VAR that no DATASEC refers to.
#include "dwarf2btf/encode/variables.h"

#include <algorithm>
#include <array>
#include <fmt/format.h>
#include <map>
#include <optional>
#include <set>
#include <tuple>

#include "record_location.h"

namespace d2b::encode {

namespace {

constexpr std::string_view kPerCpuSection = ".data..percpu";
constexpr size_t kMaxNameLen = 128; // KSYM_NAME_LEN, as pahole

/// A variable placed in a section, not yet emitted.
struct Placed {
  const model::VariableRecord *rec = nullptr;
  size_t order = 0; // position in the sorted records: emission order
  uint32_t section = 0;
  uint32_t offset = 0;
  uint32_t size = 0;
  uint32_t varId = 0;
};

/// Problems are warnings; ordinary skips are counted, and notes when verbose.
void problem(DiagEngine &diag, const char *rule, const model::VariableRecord &rec,
             const VarOptions &opts, std::string message) {
  diag.report(Diagnostic{Severity::Warning, rule, locationOf(rec, opts.file), std::move(message)});
}

void skipped(DiagEngine &diag, const char *rule, const model::VariableRecord &rec,
             const VarOptions &opts, std::string message) {
  if (opts.verbose)
    diag.report(Diagnostic{Severity::Note, rule, locationOf(rec, opts.file), std::move(message)});
  else
    diag.count(rule);
}

bool sectionIncluded(const elf::SectionInfo &s, VarOptions::Scope scope) {
  switch (scope) {
  case VarOptions::Scope::None:
    return false;
  case VarOptions::Scope::PerCpu:
    return s.name == kPerCpuSection;
  case VarOptions::Scope::All:
    return true;
  }
  return false;
}

/// Applies the per-variable rules; returns the placement or nullopt.
std::optional<Placed> place(const model::VariableRecord &rec, const elf::SymbolTable &syms,
                            const VarOptions &opts, VariableStats &st, DiagEngine &diag) {
  if (rec.declaration || !rec.topLevel || rec.artificial || !rec.hasAddress || rec.addressIsValue) {
    ++st.notStatic;
    return std::nullopt;
  }
  const elf::SectionInfo *sec = syms.sectionContaining(rec.address);
  if (!sec || !sectionIncluded(*sec, opts.scope)) {
    ++st.outOfScope;
    return std::nullopt;
  }
  const uint64_t offset = rec.address - sec->addr;
  if (isFilteredVariableName(rec.name)) {
    ++st.filtered;
    skipped(diag, kRuleVarPrefix, rec, opts,
            fmt::format("variable '{}' skipped: its name prefix marks it as not useful", rec.name));
    return std::nullopt;
  }
  // Variables of sections the linker discarded keep DW_OP_addr 0; only a
  // symbol proves one really sits at the start of the section.
  if (offset == 0 && !syms.hasObject(rec.name, sec->index)) {
    ++st.noSymbol;
    skipped(
        diag, kRuleVarNoSymbol, rec, opts,
        fmt::format("variable '{}' at offset 0 of {} has no symbol there", rec.name, sec->name));
    return std::nullopt;
  }
  if (!isValidBtfVarName(rec.name)) {
    ++st.invalid;
    problem(diag, kRuleVarInvalidName, rec, opts,
            fmt::format("invalid BTF variable name '{}', variable skipped", rec.name));
    return std::nullopt;
  }
  if (rec.type == 0) {
    ++st.invalid;
    problem(diag, kRuleVarVoidType, rec, opts,
            fmt::format("variable '{}' has void type, skipped", rec.name));
    return std::nullopt;
  }
  if (rec.byteSize == 0 || rec.byteSize > UINT32_MAX) {
    ++st.invalid;
    skipped(
        diag, kRuleVarSize, rec, opts,
        fmt::format("ignoring {}-sized variable '{}'", rec.byteSize ? "over" : "zero", rec.name));
    return std::nullopt;
  }
  if (offset > UINT32_MAX) {
    ++st.invalid;
    skipped(diag, kRuleVarOffset, rec, opts,
            fmt::format("ignoring variable '{}': its offset {:#x} in {} does not fit in a u32",
                        rec.name, offset, sec->name));
    return std::nullopt;
  }
  return Placed{&rec, 0, sec->index, uint32_t(offset), uint32_t(rec.byteSize), 0};
}

/// Sorts one section's entries by offset and drops duplicates and overlaps,
/// keeping the earliest (then first by CU order).
std::vector<Placed> resolveSection(std::vector<Placed> entries, const elf::SymbolTable &syms,
                                   const VarOptions &opts, VariableStats &st, DiagEngine &diag) {
  std::sort(entries.begin(), entries.end(), [](const Placed &a, const Placed &b) {
    return std::tie(a.offset, a.order) < std::tie(b.offset, b.order);
  });
  std::vector<Placed> kept;
  kept.reserve(entries.size());
  for (const Placed &e : entries) {
    if (!kept.empty()) {
      const Placed &last = kept.back();
      if (e.offset == last.offset && e.rec->name == last.rec->name) {
        ++st.duplicates;
        skipped(diag, kRuleVarDuplicate, *e.rec, opts,
                fmt::format("variable '{}' is defined again at the same address; one VAR kept",
                            e.rec->name));
        continue;
      }
      const uint64_t lastEnd = uint64_t(last.offset) + last.size;
      if (e.offset < lastEnd) {
        ++st.overlaps;
        problem(diag, kRuleVarOverlap, *e.rec, opts,
                fmt::format("variable '{}' at {}+{:#x} (size {}) overlaps '{}' at {:#x} (size "
                            "{}), skipped",
                            e.rec->name, syms.sections()[e.section].name, e.offset, e.size,
                            last.rec->name, last.offset, last.size));
        continue;
      }
    }
    kept.push_back(e);
  }
  return kept;
}

const char *clashPolicyName(lower::VarClash c) {
  switch (c) {
  case lower::VarClash::KeepAll:
    return "keep-all";
  case lower::VarClash::First:
    return "first";
  case lower::VarClash::Skip:
    return "skip";
  }
  return "?";
}

/// Applies the clash policy to names placed at several addresses (possibly
/// in several sections). Entries carry their unit order, so the result does
/// not depend on -j.
void resolveClashes(std::map<uint32_t, std::vector<Placed>> &bySection,
                    const elf::SymbolTable &syms, const VarOptions &opts, VariableStats &st,
                    DiagEngine &diag) {
  std::map<std::string_view, std::vector<const Placed *>> byName;
  for (const auto &[section, entries] : bySection)
    for (const Placed &p : entries)
      byName[p.rec->name].push_back(&p);
  std::set<size_t> drop; // `order` of the entries to drop
  for (auto &[name, list] : byName) {
    if (list.size() < 2)
      continue;
    std::sort(list.begin(), list.end(),
              [](const Placed *a, const Placed *b) { return a->order < b->order; });
    ++st.clashes;
    size_t kept = list.size();
    if (opts.clash != lower::VarClash::KeepAll) {
      kept = opts.clash == lower::VarClash::First ? 1 : 0;
      for (size_t i = kept; i < list.size(); ++i)
        drop.insert(list[i]->order);
      st.clashDropped += list.size() - kept;
    }
    if (!opts.verbose) {
      diag.count(kRuleVarClash);
      continue;
    }
    std::string where;
    for (const Placed *p : list)
      where += fmt::format("{}{}+{:#x}", where.empty() ? "" : ", ",
                           syms.sections()[p->section].name, p->offset);
    diag.report(Diagnostic{Severity::Note, kRuleVarClash, locationOf(*list.front()->rec, opts.file),
                           fmt::format("variable '{}' is defined at {} addresses ({}); "
                                       "--clash-vars {}: {} VAR{} emitted",
                                       name, list.size(), where, clashPolicyName(opts.clash), kept,
                                       kept == 1 ? "" : "s")});
  }
  if (drop.empty())
    return;
  for (auto &[section, entries] : bySection)
    std::erase_if(entries, [&](const Placed &p) { return drop.count(p.order) > 0; });
}

} // namespace

bool isFilteredVariableName(std::string_view name) {
  static constexpr std::array<std::string_view, 5> kPrefixes = {
      "__UNIQUE_ID", "__tpstrtab_", "__exitcall_", "__gendwarfksyms_ptr_",
      "__func_stack_frame_non_standard_"};
  return std::any_of(kPrefixes.begin(), kPrefixes.end(),
                     [&](std::string_view p) { return name.starts_with(p); });
}

bool isValidBtfVarName(std::string_view name) {
  if (name.empty() || name.size() >= kMaxNameLen)
    return false;
  auto ok = [](char c, bool first) {
    if (c == '_' || c == '.')
      return true;
    const bool alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    return first ? alpha : alpha || (c >= '0' && c <= '9');
  };
  for (size_t i = 0; i < name.size(); ++i)
    if (!ok(name[i], i == 0))
      return false;
  return true;
}

VariableStats addVariables(btf::Btf &btf, std::vector<model::VariableRecord> records,
                           const elf::SymbolTable &syms, const VarOptions &opts, DiagEngine &diag) {
  VariableStats st;
  st.records = records.size();
  if (opts.scope == VarOptions::Scope::None)
    return st;

  // CU order, as pahole meets them; it also fixes which of two equal
  // variables survives.
  std::sort(records.begin(), records.end(),
            [](const model::VariableRecord &a, const model::VariableRecord &b) {
              return std::tie(a.cuIndex, a.dieOffset, a.name, a.address) <
                     std::tie(b.cuIndex, b.dieOffset, b.name, b.address);
            });

  std::map<uint32_t, std::vector<Placed>> bySection; // ordered by section index
  for (size_t i = 0; i < records.size(); ++i)
    if (std::optional<Placed> p = place(records[i], syms, opts, st, diag)) {
      p->order = i;
      bySection[p->section].push_back(*p);
    }

  for (auto &[section, entries] : bySection)
    entries = resolveSection(std::move(entries), syms, opts, st, diag);
  resolveClashes(bySection, syms, opts, st, diag);
  std::vector<Placed *> toEmit;
  for (auto &[section, entries] : bySection)
    for (Placed &p : entries)
      toEmit.push_back(&p);

  // VARs in CU order, each followed by its decl tags, as pahole emits them.
  std::sort(toEmit.begin(), toEmit.end(),
            [](const Placed *a, const Placed *b) { return a->order < b->order; });
  for (Placed *p : toEmit) {
    const model::VariableRecord &rec = *p->rec;
    p->varId =
        btf.addVar(rec.name, rec.type,
                   rec.external ? btf::VarLinkage::GlobalAllocated : btf::VarLinkage::Static);
    ++st.emitted;
    if (!opts.declTags)
      continue;
    for (const std::string &t : rec.declTags) {
      btf.addDeclTag(t, p->varId, -1);
      ++st.declTags;
    }
  }

  for (const auto &[section, entries] : bySection) {
    if (entries.empty())
      continue;
    std::vector<btf::SecVar> vars;
    vars.reserve(entries.size());
    for (const Placed &p : entries)
      vars.push_back(btf::SecVar{p.varId, p.offset, p.size});
    // pahole sizes the DATASEC to the end of its last variable, not to the
    // ELF section; the kernel only requires every entry to fit.
    const uint32_t size = entries.back().offset + entries.back().size;
    btf.addDatasec(syms.sections()[section].name, size, vars);
    ++st.datasecs;
  }
  return st;
}

} // namespace d2b::encode
