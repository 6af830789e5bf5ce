// Name clashes across units (testdata/src/clash_a.c + clash_b.c, built by
// gcc and clang and joined with `ld -r`): same-named static functions with
// different prototypes (clash_fn) and with equal ones (clash_same),
// same-named static variables (clash_var, clash_same_var), and same-named but
// different struct clash_s and typedef clash_t. Each policy of --clash-funcs
// and --clash-vars gives the documented FUNCs/VARs, the counts --report
// prints, the notes -v lists, BTF the kernel loads, and the same bytes for
// -j1, -j2, -j4 and -j8. The C/Rust clash (RsShape) is in lto_test.cpp.
#include <gtest/gtest.h>

#include <fmt/format.h>
#include <fstream>
#include <map>

#include "e2e_support.h"

using namespace d2b;
using namespace d2b::test;
using namespace d2b::test::e2e;

namespace {

std::vector<std::string> clashFixtures() {
  return {testdata("bin/clash.gcc.dwarf5.O2.ldr.o"), testdata("bin/clash.clang.dwarf5.O2.ldr.o")};
}

size_t countNamed(const std::vector<DumpType> &types, const std::string &kind,
                  const std::string &name) {
  size_t n = 0;
  for (const DumpType &t : types)
    n += t.kind == kind && t.name == name;
  return n;
}

// The FUNC_PROTO line following FUNC `name`'s type_id, e.g. "vlen=1".
std::vector<std::string> protoVlens(const std::vector<DumpType> &types, const std::string &name) {
  std::map<uint32_t, const DumpType *> byId;
  for (const DumpType &t : types)
    byId[t.id] = &t;
  std::vector<std::string> out;
  for (const DumpType &t : types) {
    if (t.kind != "FUNC" || t.name != name)
      continue;
    const size_t at = t.line.find("type_id=");
    const uint32_t proto = uint32_t(std::stoul(t.line.substr(at + 8)));
    const std::string &pl = byId.at(proto)->line;
    out.push_back(pl.substr(pl.find("vlen=")));
  }
  return out;
}

class Clash : public ::testing::TestWithParam<std::string> {
protected:
  struct Out {
    std::vector<DumpType> types;
    std::string report;
    std::string btf;
    std::string btfPath;
  };
  Out encode(const std::string &args) {
    Encoded e = encodeRaw(GetParam(), dir_, "--vars all --report " + args,
                          "o" + std::to_string(++n_) + ".btf");
    EXPECT_EQ(e.run.status, 0) << describe(e.run);
    RunResult d = runTool("dump " + quote(e.btfPath));
    EXPECT_EQ(d.status, 0) << describe(d);
    return {parseDump(d.out), e.run.err, e.btf, e.btfPath};
  }
  TempDir dir_;
  int n_ = 0;
};

std::string countLine(const std::string &rule, int n) {
  return fmt::format("  {:<40} {}\n", rule, n);
}

TEST_P(Clash, DefaultIsPaholes) {
  Out o = encode("");
  // pahole HEAD: both names skipped (ambiguous address; clash_fn also has an
  // inconsistent prototype); every variable kept; both types kept.
  EXPECT_EQ(countNamed(o.types, "FUNC", "clash_fn"), 0u);
  EXPECT_EQ(countNamed(o.types, "FUNC", "clash_same"), 0u);
  EXPECT_EQ(countNamed(o.types, "FUNC", "clash_use_a"), 1u);
  EXPECT_EQ(countNamed(o.types, "VAR", "clash_var"), 2u);
  EXPECT_EQ(countNamed(o.types, "VAR", "clash_same_var"), 2u);
  EXPECT_EQ(countNamed(o.types, "STRUCT", "clash_s"), 2u);
  EXPECT_EQ(countNamed(o.types, "TYPEDEF", "clash_t"), 2u);
  EXPECT_NE(o.report.find(countLine("clash.func", 2)), std::string::npos) << o.report;
  EXPECT_NE(o.report.find(countLine("clash.var", 2)), std::string::npos) << o.report;
  EXPECT_NE(o.report.find(countLine("clash.type", 2)), std::string::npos) << o.report;
  EXPECT_NE(o.report.find(countLine("func.skip.ambiguous-addr", 2)), std::string::npos) << o.report;
}

TEST_P(Clash, FirstKeepsTheFirstUnitsFunction) {
  Out o = encode("--clash-funcs first");
  EXPECT_EQ(protoVlens(o.types, "clash_fn"), std::vector<std::string>{"vlen=1"}); // clash_a.c
  EXPECT_EQ(countNamed(o.types, "FUNC", "clash_same"), 1u);
  EXPECT_NE(o.report.find(countLine("clash.func", 2)), std::string::npos) << o.report;
  EXPECT_EQ(o.report.find("func.skip.ambiguous-addr"), std::string::npos) << o.report;
}

TEST_P(Clash, KeepAllEmitsOneFuncPerPrototype) {
  Out o = encode("--clash-funcs keep-all");
  EXPECT_EQ(protoVlens(o.types, "clash_fn"), (std::vector<std::string>{"vlen=1", "vlen=2"}));
  EXPECT_EQ(countNamed(o.types, "FUNC", "clash_same"), 1u); // one prototype
  RunResult c = runTool("check --kernel " + quote(o.btfPath));
  if (c.out.find("kernel: skipped") != std::string::npos)
    GTEST_SKIP() << c.out;
  EXPECT_EQ(c.status, 0) << c.out << describe(c);
  EXPECT_NE(c.out.find("kernel: accepted"), std::string::npos) << c.out;
}

TEST_P(Clash, VarPolicies) {
  Out first = encode("--clash-vars first");
  ASSERT_EQ(countNamed(first.types, "VAR", "clash_var"), 1u);
  // The first unit's clash_var is an int (clash_b.c's is a long).
  for (const DumpType &t : first.types)
    if (t.kind == "VAR" && t.name == "clash_var") {
      const uint32_t type = uint32_t(std::stoul(t.line.substr(t.line.find("type_id=") + 8)));
      for (const DumpType &u : first.types)
        if (u.id == type) {
          EXPECT_EQ(u.name, "int") << u.line;
        }
    }
  Out skip = encode("--clash-vars skip");
  EXPECT_EQ(countNamed(skip.types, "VAR", "clash_var"), 0u);
  EXPECT_EQ(countNamed(skip.types, "VAR", "clash_same_var"), 0u);
  EXPECT_EQ(countNamed(skip.types, "DATASEC", ".data"), 0u); // nothing left in it
  EXPECT_NE(skip.report.find(countLine("clash.var", 2)), std::string::npos) << skip.report;
}

TEST_P(Clash, VerboseListsEachClash) {
  Out o = encode("-v --clash-funcs keep-all --clash-vars first");
  for (const char *line :
       {"note: function 'clash_fn' has 2 instances in 2 units with 2 prototypes at different "
        "addresses; --clash-funcs keep-all: 2 FUNCs emitted [clash.func]",
        "note: function 'clash_same' has 2 instances in 2 units with 1 prototype at different "
        "addresses; --clash-funcs keep-all: 1 FUNC emitted [clash.func]",
        "--clash-vars first: 1 VAR emitted [clash.var]",
        "note: 'clash_s' has 2 different definitions (struct [",
        "note: 'clash_t' has 2 different "
        "definitions (typedef ["})
    EXPECT_NE(o.report.find(line), std::string::npos) << line << "\n" << o.report;
  EXPECT_NE(o.report.find("note: variable 'clash_var' is defined at 2 addresses (.data+0x"),
            std::string::npos)
      << o.report;
}

TEST_P(Clash, SameBytesForEveryJobCount) {
  for (const char *policy :
       {"--clash-funcs skip", "--clash-funcs first", "--clash-funcs keep-all --clash-vars first",
        "--clash-funcs keep-all --clash-vars skip"}) {
    Out one = encode(std::string(policy) + " -j1");
    ASSERT_FALSE(one.btf.empty());
    for (const char *j : {" -j2", " -j4", " -j8"}) {
      Out o = encode(std::string(policy) + j);
      EXPECT_EQ(o.btf, one.btf) << policy << j;
      EXPECT_EQ(o.report, one.report) << policy << j;
    }
  }
}

TEST_P(Clash, PolicyFileKeys) {
  const std::string file = dir_.path("clash.policy");
  std::ofstream(file) << "clash-funcs = keep-all\nclash-vars = skip\n";
  Out o = encode("--policy " + quote(file));
  EXPECT_EQ(countNamed(o.types, "FUNC", "clash_fn"), 2u);
  EXPECT_EQ(countNamed(o.types, "VAR", "clash_var"), 0u);
  Out flagWins = encode("--policy " + quote(file) + " --clash-funcs skip");
  EXPECT_EQ(countNamed(flagWins.types, "FUNC", "clash_fn"), 0u);
}

INSTANTIATE_TEST_SUITE_P(Fixtures, Clash, ::testing::ValuesIn(clashFixtures()),
                         [](const auto &info) { return paramName(info.param); });

TEST(ClashOptions, BadValuesAreUsageErrors) {
  const std::string in = quote(testdata("bin/clash.gcc.dwarf5.O2.ldr.o"));
  RunResult f = runTool("encode --raw /dev/null --clash-funcs all " + in);
  EXPECT_EQ(f.status, 2);
  EXPECT_EQ(f.err,
            "dwarf2btf: encode: --clash-funcs: expected skip, first or keep-all, got 'all'\n");
  RunResult v = runTool("encode --raw /dev/null --clash-vars qualify " + in);
  EXPECT_EQ(v.status, 2);
  EXPECT_EQ(v.err,
            "dwarf2btf: encode: --clash-vars: expected keep-all, first or skip, got 'qualify'\n");
}

} // namespace
