// `encode --report -v` ends with one "timing:" line per pipeline phase
// (wall and CPU seconds on stderr); without -v there are none.
#include <gtest/gtest.h>

#include <regex>
#include <sstream>

#include "e2e_support.h"

using namespace d2b::test;
using namespace d2b::test::e2e;

namespace {

const std::string kFixture = "bin/multi.gcc.dwarf5.O2.exe";

/// The phase names of the "timing:" lines in `err`, in order.
std::vector<std::string> phases(const std::string &err) {
  static const std::regex line(R"(^timing: +(\S.*?)\s+(\d+\.\d{3} s wall +)?\d+\.\d{3} s cpu$)");
  std::vector<std::string> out;
  std::istringstream in(err);
  for (std::string l; std::getline(in, l);) {
    if (l.rfind("timing:", 0) != 0)
      continue;
    std::smatch m;
    EXPECT_TRUE(std::regex_match(l, m, line)) << "malformed timing line: " << l;
    if (!m.empty())
      out.push_back(m[1].str());
  }
  return out;
}

TEST(PhaseTiming, ReportVerboseListsEveryPhaseInOrder) {
  TempDir dir;
  Encoded e = encodeRaw(testdata(kFixture), dir, "--report -v");
  ASSERT_EQ(e.run.status, 0) << describe(e.run);
  EXPECT_EQ(
      phases(e.run.err),
      (std::vector<std::string>{"types (walk+lower+merge)", "walk", "lower", "merge",
                                "dedup while merging", "funcs+vars", "dedup", "validate", "write"}))
      << e.run.err;
}

TEST(PhaseTiming, SkippedPhasesAreNotListed) {
  TempDir dir;
  Encoded e = encodeRaw(testdata(kFixture), dir,
                        "--report -v --no-dedup --no-validate --no-funcs "
                        "--vars none");
  ASSERT_EQ(e.run.status, 0) << describe(e.run);
  EXPECT_EQ(phases(e.run.err), (std::vector<std::string>{"types (walk+lower+merge)", "walk",
                                                         "lower", "merge", "write"}))
      << e.run.err;
}

TEST(PhaseTiming, NoTimingWithoutVerbose) {
  TempDir dir;
  Encoded plain = encodeRaw(testdata(kFixture), dir, "--report");
  ASSERT_EQ(plain.run.status, 0) << describe(plain.run);
  EXPECT_EQ(plain.run.err.find("timing:"), std::string::npos) << plain.run.err;
  Encoded verbose = encodeRaw(testdata(kFixture), dir, "-v", "v.btf");
  ASSERT_EQ(verbose.run.status, 0) << describe(verbose.run);
  EXPECT_EQ(verbose.run.err.find("timing:"), std::string::npos) << verbose.run.err;
  // Timing never changes the output.
  EXPECT_EQ(plain.btf, verbose.btf);
}

} // namespace
