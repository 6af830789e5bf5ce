// Function selection; see encode/functions.h for the rules. The structure
// follows pahole's btf_encoder.c (save_func, saved_functions_combine,
// select_canonical_state, add_saved_funcs), with determinism added: pahole
// sorts its saved states with qsort, so which instance of a name comes first
// (and therefore which prototype is compared against, and which one is
// emitted when none sits at a symbol address) depends on the sort; here the
// order is (name, CU index, DIE offset).
#include "dwarf2btf/encode/functions.h"

#include <algorithm>
#include <deque>
#include <fmt/format.h>
#include <map>
#include <optional>
#include <set>
#include <tuple>

#include <tbb/blocked_range.h>
#include <tbb/parallel_for.h>
#include <tbb/parallel_sort.h>
#include <tbb/task_arena.h>

#include "dwarf2btf/encode/func_analysis.h"
#include "dwarf2btf/lower/rust_names.h"
#include "dwarf2btf/support/arena.h"
#include "record_location.h"

namespace d2b::encode {

namespace {

struct Instance {
  const model::FunctionRecord *rec = nullptr;
  const elf::FunctionGroup *group = nullptr;
  InstanceFacts facts;
  bool optimizedSymbol = false;
  bool atSymbol = false; // low_pc is the address of one of the group's symbols
};

/// The instance cannot be encoded as its source prototype: it lost
/// parameters and its calling convention changed.
bool skipsOptimizedParams(const Instance &in) {
  return in.facts.optimizedParams && (in.facts.signatureChanged || in.optimizedSymbol);
}

/// pahole's btf_encoder__select_canonical_state: the first instance at a
/// symbol address that does not need the optimized-parameter skip, else the
/// first at a symbol address (the strong definition beats a weak one), else
/// the first.
const Instance &canonical(std::span<const Instance> group) {
  const Instance *first = nullptr;
  for (const Instance &in : group) {
    if (!in.atSymbol)
      continue;
    if (!first)
      first = &in;
    if (!skipsOptimizedParams(in))
      return in;
  }
  return first ? *first : group.front();
}

struct Verdict {
  const char *rule = nullptr;
  const char *reason = nullptr;      // pahole -V wording
  std::optional<std::string> detail; // prototype difference, if inconsistent
};

/// Combines the instances of one function and decides whether it is
/// skipped. The precedence of reasons is pahole's (later checks override).
Verdict judge(const btf::Btf &btf, std::span<const Instance> group, const Instance &chosen,
              bool consistentFunc, bool ignoreAmbiguous = false) {
  const Instance &head = group.front();
  bool unexpected = head.facts.unexpectedReg;
  bool uncertain = head.facts.uncertainParamLoc;
  bool reordered = head.facts.reorderedParams;
  bool inconsistent = false;
  std::optional<std::string> detail;
  for (const Instance &other : group.subspan(1)) {
    unexpected |= other.facts.unexpectedReg;
    uncertain |= other.facts.uncertainParamLoc;
    reordered |= other.facts.reorderedParams;
    // Once the function is known to be unusable, pahole stops comparing.
    if (unexpected || inconsistent || reordered)
      continue;
    detail = prototypeMismatch(btf, *head.rec, *other.rec);
    inconsistent = detail.has_value();
  }

  Verdict v;
  auto set = [&](const char *rule, const char *reason) {
    v.rule = rule;
    v.reason = reason;
  };
  if (unexpected)
    set(kRuleUnexpectedReg, "unexpected register usage for parameter");
  if (consistentFunc && inconsistent)
    set(kRuleInconsistentProto, "inconsistent prototype");
  if (uncertain)
    set(kRuleUncertainLoc, "uncertain parameter location");
  if (reordered)
    set(kRuleReorderedParams, "reordered parameters");
  if (skipsOptimizedParams(chosen))
    set(kRuleOptimizedParams, "optimized parameters");
  if (head.group->ambiguousAddr && !ignoreAmbiguous)
    set(kRuleAmbiguousAddr, "ambiguous address");
  if (consistentFunc && inconsistent)
    v.detail = std::move(detail);
  return v;
}

void reportSkip(const Verdict &v, const Instance &chosen, const FuncOptions &opts,
                DiagEngine &diag) {
  if (!opts.verbose) {
    diag.count(v.rule);
    return;
  }
  const std::string &name = chosen.group->key;
  if (v.detail)
    diag.report(Diagnostic{
        Severity::Note, kRuleProtoMismatch, locationOf(*chosen.rec, opts.file),
        fmt::format("{} : skipping BTF encoding of function due to {}", name, *v.detail)});
  diag.report(
      Diagnostic{Severity::Note, v.rule, locationOf(*chosen.rec, opts.file),
                 fmt::format("{} : skipping BTF encoding of function due to {}", name, v.reason)});
}

const char *clashPolicyName(lower::FuncClash c) {
  switch (c) {
  case lower::FuncClash::Skip:
    return "skip";
  case lower::FuncClash::First:
    return "first";
  case lower::FuncClash::KeepAll:
    return "keep-all";
  }
  return "?";
}

/// Counts a clashing name; with verbose, says what it was and what the
/// policy did with it. Under Skip the pahole-worded skip note already names
/// it (and pahole mode's -V output must stay pahole's), so it is only counted.
void reportClash(std::span<const Instance> group, size_t prototypes, uint64_t emitted,
                 const FuncOptions &opts, DiagEngine &diag) {
  if (!opts.verbose || opts.clash == lower::FuncClash::Skip) {
    diag.count(kRuleFuncClash);
    return;
  }
  std::vector<uint32_t> cus;
  for (const Instance &in : group)
    cus.push_back(in.rec->cuIndex);
  std::sort(cus.begin(), cus.end());
  cus.erase(std::unique(cus.begin(), cus.end()), cus.end());
  diag.report(Diagnostic{
      Severity::Note, kRuleFuncClash, locationOf(*group.front().rec, opts.file),
      fmt::format("function '{}' has {} instance{} in {} unit{} with {} prototype{}{}; "
                  "--clash-funcs {}: {} FUNC{} emitted",
                  group.front().group->key, group.size(), group.size() == 1 ? "" : "s", cus.size(),
                  cus.size() == 1 ? "" : "s", prototypes, prototypes == 1 ? "" : "s",
                  group.front().group->ambiguousAddr ? " at different addresses" : "",
                  clashPolicyName(opts.clash), emitted, emitted == 1 ? "" : "s")});
}

/// kfunc tags directly after the FUNC, as pahole adds them while encoding it.
uint64_t tagKfunc(btf::Btf &btf, uint32_t func, const std::string &name, const FuncOptions &opts) {
  if (!opts.kfuncs)
    return 0;
  auto it = opts.kfuncs->find(name);
  if (it == opts.kfuncs->end())
    return 0;
  btf.addDeclTag(kKfuncTag, func, -1);
  if (!(it->second & kKfFastcall))
    return 1;
  btf.addDeclTag(kFastcallTag, func, -1);
  return 2;
}

bool isIdentifier(std::string_view n) {
  return !n.empty() && !(n[0] >= '0' && n[0] <= '9') && std::all_of(n.begin(), n.end(), [](char c) {
    return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_';
  });
}

// FUNC names. Rust functions named by leaf (btfName) can share it
// (`new` of two impls): the one whose symbol is the leaf (#[no_mangle], what
// libbpf and aya look programs up by) keeps it, else the first by symbol,
// unless a function named by symbol (C in a mixed object) has it; the others
// are named by their symbol (sanitized if it is not an identifier). Decided
// on the sorted list, so the same for every -j.
std::vector<std::string_view> funcNames(const std::vector<const Instance *> &chosen,
                                        const FuncOptions &opts, std::deque<std::string> &made,
                                        DiagEngine &diag) {
  std::vector<std::string_view> names(chosen.size());
  std::map<std::string_view, std::vector<size_t>> byLeaf;
  for (size_t i = 0; i < chosen.size(); ++i) {
    if (chosen[i]->rec->btfName.empty())
      names[i] = chosen[i]->group->key;
    else
      byLeaf[chosen[i]->rec->btfName].push_back(i);
  }
  if (byLeaf.empty()) // C only: every FUNC is named by its symbol
    return names;
  // Names given by symbol (C functions of a mixed object) are never taken
  // over by a Rust leaf name.
  std::set<std::string_view> bySymbol;
  for (size_t i = 0; i < chosen.size(); ++i)
    if (chosen[i]->rec->btfName.empty())
      bySymbol.insert(names[i]);
  for (const auto &[leaf, idx] : byLeaf) {
    constexpr size_t kNone = SIZE_MAX;
    size_t keeper = bySymbol.count(leaf) ? kNone : idx[0];
    for (size_t i : idx)
      if (chosen[i]->group->key == leaf) {
        keeper = i;
        break;
      }
    for (size_t i : idx) {
      if (i == keeper) {
        names[i] = leaf;
        continue;
      }
      const std::string &sym = chosen[i]->group->key;
      names[i] = isIdentifier(sym)
                     ? std::string_view(sym)
                     : std::string_view(made.emplace_back(lower::rust::sanitizeName(sym)));
      if (!opts.verbose) {
        diag.count(kRuleLeafClash);
        continue;
      }
      const std::string_view owner =
          keeper == kNone ? leaf : std::string_view(chosen[keeper]->group->key);
      diag.report(Diagnostic{
          Severity::Note, kRuleLeafClash, locationOf(*chosen[i]->rec, opts.file),
          fmt::format("leaf name '{}' is taken by '{}'; FUNC named '{}'", leaf, owner, names[i])});
    }
  }
  return names;
}

uint64_t emit(btf::Btf &btf, const Instance &in, std::string_view name, const FuncOptions &opts,
              std::vector<btf::Param> &params, uint64_t &kfuncTags) {
  const model::FunctionRecord &rec = *in.rec;
  params.clear();
  for (const model::ParamRecord &p : rec.params)
    params.push_back(btf::Param{p.name, p.type});
  if (rec.varargs)
    params.push_back(btf::Param{"", 0});
  const uint32_t proto = btf.addFuncProto(rec.returnType, params);
  // pahole always uses static linkage (add_ref_type ignores DW_AT_external).
  const uint32_t func = btf.addFunc(name, proto, btf::FuncLinkage::Static);
  kfuncTags += tagKfunc(btf, func, in.group->key, opts);
  if (!opts.declTags)
    return 0;
  uint64_t tags = 0;
  for (const std::string &t : rec.declTags) {
    btf.addDeclTag(t, func, -1);
    ++tags;
  }
  for (size_t i = 0; i < rec.params.size(); ++i)
    for (const std::string &t : rec.params[i].declTags) {
      btf.addDeclTag(t, func, int32_t(i));
      ++tags;
    }
  return tags;
}

} // namespace

FunctionStats addFunctions(btf::Btf &btf, const std::vector<model::FunctionRecord> &records,
                           const elf::SymbolTable &syms, const FuncOptions &opts,
                           DiagEngine &diag) {
  FunctionStats st;
  st.records = records.size();
  const CallAbi abi = callAbiFor(opts.machine, opts.addressSize);

  // The order is total (a unit's DIE offset names one record), so sorting
  // in parallel gives the same order as sorting on one thread. Indexes are
  // sorted, not the records: a record is ~200 bytes with three strings.
  std::vector<uint32_t> order(records.size());
  for (uint32_t i = 0; i < order.size(); ++i)
    order[i] = i;
  auto before = [&](uint32_t x, uint32_t y) {
    const model::FunctionRecord &a = records[x], &b = records[y];
    return std::tie(a.name, a.cuIndex, a.dieOffset, a.lowPc) <
           std::tie(b.name, b.cuIndex, b.dieOffset, b.lowPc);
  };
  // Each record's instance (or why it has none) depends on the record
  // alone: worked out in parallel, gathered in sorted order.
  enum class Drop : uint8_t { None, Declaration, UnnamedParam, NoSymbol };
  std::vector<Instance> all(records.size());
  std::vector<Drop> drops(records.size(), Drop::None);
  auto analyze = [&](size_t k) {
    const model::FunctionRecord &rec = records[order[k]];
    if (rec.declaration) {
      drops[k] = Drop::Declaration;
      return;
    }
    if (std::any_of(rec.params.begin(), rec.params.end(),
                    [](const model::ParamRecord &p) { return p.name.empty(); })) {
      drops[k] = Drop::UnnamedParam;
      return;
    }
    const elf::FunctionGroup *group = syms.findFunction(rec.name);
    if (!group) {
      drops[k] = Drop::NoSymbol;
      return;
    }
    Instance &in = all[k];
    in.rec = &rec;
    in.group = group;
    in.facts = analyzeInstance(rec, btf, abi);
    for (const elf::FunctionSymbol &s : group->symbols) {
      if (!rec.hasLowPc || s.address != rec.lowPc)
        continue;
      in.atSymbol = true;
      in.optimizedSymbol |= elf::isOptimizedClone(s.name);
    }
  };
  // Below a few thousand records a thread costs more than it saves.
  if (opts.jobs > 1 && records.size() >= 4096) {
    tbb::task_arena arena = makeArena(opts.jobs);
    arena.execute([&] {
      tbb::parallel_sort(order.begin(), order.end(), before);
      tbb::parallel_for(tbb::blocked_range<size_t>(0, records.size(), 1024),
                        [&](const tbb::blocked_range<size_t> &r) {
                          for (size_t k = r.begin(); k != r.end(); ++k)
                            analyze(k);
                        });
    });
  } else {
    std::sort(order.begin(), order.end(), before);
    for (size_t k = 0; k < records.size(); ++k)
      analyze(k);
  }

  std::vector<Instance> instances;
  instances.reserve(records.size());
  for (size_t k = 0; k < records.size(); ++k) {
    switch (drops[k]) {
    case Drop::None:
      instances.push_back(all[k]);
      break;
    case Drop::Declaration:
      ++st.declarations;
      break;
    case Drop::UnnamedParam:
      ++st.unnamedParams;
      break;
    case Drop::NoSymbol:
      ++st.noSymbol;
      break;
    }
  }
  all = {};
  st.instances = instances.size();

  // Chosen instances in emission order (copies: keep-all judges copies of
  // the instances grouped by prototype); named together once all are known,
  // since Rust leaf names are given out across functions.
  std::vector<Instance> chosenOnes;
  // Judges one set of instances of a name and queues its chosen instance
  // unless a rule skips it; returns whether a FUNC will be emitted.
  auto judgeAndEmit = [&](std::span<const Instance> set, bool consistentFunc,
                          bool ignoreAmbiguous) {
    const Instance &chosen = canonical(set);
    Verdict v = judge(btf, set, chosen, consistentFunc, ignoreAmbiguous);
    if (v.rule) {
      ++st.skipped;
      ++st.skippedByRule[v.rule];
      reportSkip(v, chosen, opts, diag);
      return false;
    }
    chosenOnes.push_back(chosen);
    return true;
  };
  std::vector<std::vector<Instance>> classes;
  for (size_t i = 0, j; i < instances.size(); i = j) {
    for (j = i + 1; j < instances.size() && instances[j].group == instances[i].group; ++j) {
    }
    std::span<const Instance> group(instances.data() + i, j - i);
    ++st.functions;
    // Classes of equal prototype (pahole's comparison), in instance order;
    // instances are sorted by (name, unit, DIE), so this is the same for any -j.
    // (Most functions have one instance: one class, left unlisted.)
    classes.clear();
    if (group.size() > 1) {
      for (const Instance &in : group) {
        auto same = std::find_if(classes.begin(), classes.end(), [&](const auto &c) {
          return !prototypeMismatch(btf, *c.front().rec, *in.rec);
        });
        if (same == classes.end())
          classes.push_back({in});
        else
          same->push_back(in);
      }
    }
    const size_t prototypes = std::max<size_t>(classes.size(), 1);
    const bool clash = prototypes > 1 || group.front().group->ambiguousAddr;
    if (!clash || opts.clash == lower::FuncClash::Skip) {
      const uint64_t emitted = judgeAndEmit(group, opts.consistentFunc, false) ? 1 : 0;
      if (clash) {
        ++st.clashes;
        reportClash(group, prototypes, emitted, opts, diag);
      }
      continue;
    }
    ++st.clashes;
    uint64_t emitted = 0;
    if (opts.clash == lower::FuncClash::First) {
      emitted = judgeAndEmit(group, false, true) ? 1 : 0;
    } else {
      if (classes.empty())
        emitted = judgeAndEmit(group, false, true) ? 1 : 0;
      for (const std::vector<Instance> &c : classes)
        emitted += judgeAndEmit(c, false, true) ? 1 : 0;
      if (emitted > 1)
        st.clashExtra += emitted - 1;
    }
    reportClash(group, prototypes, emitted, opts, diag);
  }
  std::vector<const Instance *> chosenPtrs;
  for (const Instance &c : chosenOnes)
    chosenPtrs.push_back(&c);
  std::deque<std::string> madeNames; // sanitized symbols
  const std::vector<std::string_view> names = funcNames(chosenPtrs, opts, madeNames, diag);
  std::vector<btf::Param> params; // one buffer for every prototype
  for (size_t i = 0; i < chosenOnes.size(); ++i) {
    st.declTags += emit(btf, chosenOnes[i], names[i], opts, params, st.kfuncTags);
    ++st.emitted;
  }
  return st;
}

} // namespace d2b::encode
