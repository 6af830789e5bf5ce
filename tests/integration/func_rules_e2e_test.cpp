// End-to-end: exactly which FUNCs and VARs the encoder emits for each
// fixture with default options, derived from pahole HEAD's rules
// (/work/shared/reference/pahole-dropin.md §3; dwarves 1436daf:
// dwarf_loader.c function__signature_changed / function__analyze_parameter_
// locations, btf_encoder.c btf_encoder_func_state__skip_optimized_parms) and
// from how the fixtures were compiled (testdata/bin/MANIFEST). pahole 1.24,
// the only pahole on this machine, predates these rules, so this table is
// the oracle for the function and variable selection.
#include <gtest/gtest.h>

#include <fnmatch.h>
#include <set>

#include "e2e_support.h"

using namespace d2b::test;
using namespace d2b::test::e2e;

namespace {

using Names = std::set<std::string>;

struct Expected {
  const char *fixtures; // fnmatch pattern on the file name; first match wins
  Names funcs;
  Names vars;
  const char *why;
};

const Names kMultiCommon = {"multi_a_entry", "multi_b_entry", "multi_run",       "on_event",
                            "opt_entry",     "opt_kept",      "opt_unused_param"};
Names with(Names base, std::initializer_list<const char *> extra) {
  for (const char *e : extra)
    base.insert(e);
  return base;
}

const std::vector<Expected> &table() {
  static const std::vector<Expected> t = {
      {"kinds.*.O0.*",
       {"kinds_no_args", "kinds_returns_ptr", "kinds_static_helper", "kinds_takes_struct",
        "kinds_use_all", "kinds_vsum"},
       {"pcpu_counter", "pcpu_ints", "pcpu_static"},
       "-O0: every function keeps its signature; VARs only for .data..percpu (default)"},
      {"kinds.*.O2*",
       {"kinds_no_args", "kinds_returns_ptr", "kinds_takes_struct", "kinds_use_all", "kinds_vsum"},
       {"pcpu_counter", "pcpu_ints", "pcpu_static"},
       "kinds_static_helper: its parameter b is the constant &g_bits (no location); gcc names the "
       "clone "
       "kinds_static_helper.constprop.0 (optimized_symbol), clang marks it DW_CC_nocall "
       "(signature_changed): optimized parameters + either => skipped"},
      {"optimized.gcc.*",
       {"opt_entry", "opt_kept", "opt_unused_param"},
       {},
       "opt_dropped_param.constprop.0 (c has no location), opt_constprop.constprop.0 (scale is a "
       "constant), opt_isra.isra.0 (big replaced by a scalar): clones with optimized parameters"},
      {"optimized.clang.*",
       {"opt_entry", "opt_isra", "opt_kept", "opt_unused_param"},
       {},
       "opt_dropped_param (c has no location) and opt_constprop (scale only has DW_AT_const_value) "
       "are "
       "DW_CC_nocall: optimized parameters + signature_changed => skipped; opt_isra keeps its "
       "register"},
      {"multi.gcc.*.so",
       kMultiCommon,
       {},
       "two static `helper`s at different addresses (ambiguous_addr) and the optimized.c clones "
       "are "
       "skipped; the linker merged .data..percpu into .data, so no VARs"},
      {"multi.gcc.*", with(kMultiCommon, {"main"}), {}, "as for the .so, plus main"},
      {"multi.clang.*.so",
       with(kMultiCommon, {"opt_isra"}),
       {},
       "as for gcc; clang keeps opt_isra's signature"},
      {"multi.clang.*", with(kMultiCommon, {"main", "opt_isra"}), {}, "as for the .so, plus main"},
      {"tags.*",
       {"tagged_func", "tagged_second"},
       {"pcpu_tagged"},
       "plain functions; one .data..percpu VAR"},
      {"typeunits.*", {"tu_area"}, {}, "one extern \"C\" function, no per-CPU variables"},
      {"clash.*",
       {"clash_set_a", "clash_set_b", "clash_use_a", "clash_use_b"},
       {},
       "clash_fn and clash_same: static in two CUs at different addresses (ambiguous_addr; "
       "clash_fn also has two prototypes) => skipped under the default --clash-funcs skip; no "
       "per-CPU variables"},
  };
  return t;
}

/// Per-CPU variables of the `ld -r` objects, which keep .data..percpu.
const Names kLdrVars = {"pcpu_b_value", "pcpu_shared_a"};

std::string join(const Names &n) {
  std::string s;
  for (auto &x : n)
    s += (s.empty() ? "" : " ") + x;
  return s.empty() ? "(none)" : s;
}

class FuncRules : public ::testing::TestWithParam<std::string> {};

TEST_P(FuncRules, EmitsExactlyTheExpectedFuncsAndVars) {
  const std::string name = baseName(GetParam());
  const Expected *row = nullptr;
  for (const Expected &e : table())
    if (fnmatch(e.fixtures, name.c_str(), 0) == 0) {
      row = &e;
      break;
    }
  ASSERT_NE(row, nullptr) << "no expectation for " << name << ": add a row to table()";
  Names vars = row->vars;
  if (fnmatch("multi.*.ldr.o", name.c_str(), 0) == 0)
    vars = kLdrVars;

  TempDir dir;
  Encoded e = encodeRaw(GetParam(), dir);
  ASSERT_EQ(e.run.status, 0) << describe(e.run);
  RunResult d = bpftoolDump(e.btfPath);
  ASSERT_EQ(d.status, 0) << d.err;
  Names funcs, gotVars, datasecs;
  for (auto &t : parseDump(d.out)) {
    if (t.kind == "FUNC")
      funcs.insert(t.name);
    else if (t.kind == "VAR")
      gotVars.insert(t.name);
    else if (t.kind == "DATASEC")
      datasecs.insert(t.name);
  }
  EXPECT_EQ(join(funcs), join(row->funcs)) << "FUNCs of " << name << "; rule: " << row->why;
  EXPECT_EQ(join(gotVars), join(vars)) << "VARs of " << name;
  EXPECT_EQ(join(datasecs), vars.empty() ? "(none)" : ".data..percpu") << "DATASECs of " << name;
}

INSTANTIATE_TEST_SUITE_P(Fixtures, FuncRules, ::testing::ValuesIn(allFixtures()),
                         [](const auto &info) { return paramName(info.param); });

} // namespace
