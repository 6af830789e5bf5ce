// End-to-end: the encoder's output does not depend on the number of worker
// threads nor on the run (pahole's tests/reproducible_build.sh, per fixture).
#include <gtest/gtest.h>

#include "e2e_support.h"

using namespace d2b::test;
using namespace d2b::test::e2e;

namespace {

class Determinism : public ::testing::TestWithParam<std::string> {};

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
  struct Run {
    const char *args;
    const char *out;
  };
  const Run runs[] = {{"-j 1", "j1.btf"},       {"-j 2", "j2.btf"},   {"-j 8", "j8.btf"},
                      {"-j 8", "j8-again.btf"}, {"-j 16", "j16.btf"}, {"", "default.btf"}};
  std::string reference;
  for (const Run &r : runs) {
    Encoded e = encodeRaw(GetParam(), dir, r.args, r.out);
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

INSTANTIATE_TEST_SUITE_P(Fixtures, Determinism, ::testing::ValuesIn(allFixtures()),
                         [](const auto &info) { return paramName(info.param); });

} // namespace
