// End-to-end: the encoder's output does not depend on the number of worker
// threads nor on the run (pahole's tests/reproducible_build.sh, per fixture).
// Inputs: every committed fixture — the C ones (testdata/bin), the Rust ones
// (testdata/bin/rust), testdata/sample — and the hand-written DWARF of
// testdata/dwarf-asm that encodes (limits.s: four units of odd DWARF),
// assembled first. deep.s is left to resource_limits_test (5 s per run).
#include <gtest/gtest.h>

#include <filesystem>
#include <set>

#include "e2e_support.h"

using namespace d2b::test;
using namespace d2b::test::e2e;

namespace {

class Determinism : public ::testing::TestWithParam<std::string> {};

std::vector<std::string> determinismInputs() {
  std::vector<std::string> out = encodableFixtures();
  out.push_back(testdata("dwarf-asm/limits.s"));
  return out;
}

/// Offset of the first differing byte, for the failure message.
size_t firstDifference(const std::string &a, const std::string &b) {
  size_t n = std::min(a.size(), b.size());
  for (size_t i = 0; i < n; ++i)
    if (a[i] != b[i])
      return i;
  return n;
}

TEST_P(Determinism, SameBytesForAnyJobCountAndRun) {
  TempDir dir;
  std::string input = GetParam();
  if (input.ends_with(".s")) {
    if (!haveProgram("gcc"))
      GTEST_SKIP() << "gcc (assembler driver) not installed";
    const std::string obj = dir.path(baseName(input) + ".o");
    RunResult as = run("gcc -c " + quote(input) + " -o " + quote(obj));
    ASSERT_EQ(as.status, 0) << describe(as);
    input = obj;
  }
  struct Run {
    const char *args;
    const char *out;
  };
  const Run runs[] = {{"-j 1", "j1.btf"},       {"-j 2", "j2.btf"},   {"-j 8", "j8.btf"},
                      {"-j 8", "j8-again.btf"}, {"-j 16", "j16.btf"}, {"", "default.btf"}};
  std::string reference;
  for (const Run &r : runs) {
    Encoded e = encodeRaw(input, dir, r.args, r.out);
    ASSERT_EQ(e.run.status, 0) << "encode " << r.args << ": " << describe(e.run);
    ASSERT_FALSE(e.btf.empty()) << "encode " << r.args << " wrote nothing";
    if (reference.empty()) {
      reference = e.btf;
      continue;
    }
    EXPECT_TRUE(e.btf == reference) << "encode " << r.args << " (" << r.out << ", " << e.btf.size()
                                    << " bytes) differs from -j 1 (" << reference.size()
                                    << " bytes) at byte " << firstDifference(e.btf, reference);
  }
}

/// Every ELF file under testdata/bin and testdata/sample is an input, so a
/// new fixture directory cannot silently escape the check.
TEST(DeterminismInputs, CoverEveryElfFixture) {
  const auto in = determinismInputs();
  const std::set<std::string> inputs(in.begin(), in.end());
  size_t elves = 0;
  for (const char *dir : {"bin", "sample"})
    for (const auto &e : std::filesystem::recursive_directory_iterator(testdata(dir))) {
      if (!e.is_regular_file() || readFile(e.path().string())
                                          .rfind("\x7f"
                                                 "ELF",
                                                 0) != 0)
        continue;
      ++elves;
      EXPECT_TRUE(inputs.count(e.path().string())) << e.path() << " is not checked";
    }
  EXPECT_GE(elves, 46u); // 32 C, 13 Rust, the sample
}

INSTANTIATE_TEST_SUITE_P(Fixtures, Determinism, ::testing::ValuesIn(determinismInputs()),
                         [](const auto &info) { return paramName(info.param); });

} // namespace
