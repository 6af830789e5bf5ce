// End-to-end golden test: `dwarf2btf dump` of each encoded fixture must
// equal testdata/expected/<fixture>.txt. The goldens are reviewed snapshots
// of the encoder's output; regenerate them with scripts/update-golden.sh
// and review `git diff testdata/expected` when the output changes on purpose.
#include <gtest/gtest.h>

#include <filesystem>

#include "e2e_support.h"

namespace fs = std::filesystem;
using namespace d2b::test;
using namespace d2b::test::e2e;

namespace {

class Golden : public ::testing::TestWithParam<std::string> {};

TEST_P(Golden, DumpMatchesExpected) {
  std::string expectedPath = testdata("expected/" + baseName(GetParam()) + ".txt");
  ASSERT_TRUE(fs::exists(expectedPath)) << "no golden dump " << expectedPath
                                        << ": run scripts/update-golden.sh and review the result";
  TempDir dir;
  Encoded e = encodeRaw(GetParam(), dir);
  ASSERT_EQ(e.run.status, 0) << describe(e.run);
  RunResult d = runTool("dump " + quote(e.btfPath));
  ASSERT_EQ(d.status, 0) << describe(d);
  std::string expected = readFile(expectedPath);
  if (d.out == expected)
    return;
  std::string actualPath = dir.path("actual.txt");
  writeFile(actualPath, d.out);
  RunResult diff = run("diff -u " + quote(expectedPath) + " " + quote(actualPath) + " | head -80");
  ADD_FAILURE() << "dump differs from " << expectedPath
                << " (if intended: scripts/update-golden.sh, then review):\n"
                << diff.out;
}

INSTANTIATE_TEST_SUITE_P(Fixtures, Golden, ::testing::ValuesIn(allFixtures()),
                         [](const auto &info) { return paramName(info.param); });

TEST(GoldenSet, NoStaleGoldens) {
  // A golden without its fixture is dead weight that hides a renamed fixture.
  for (const auto &name : listDir(testdata("expected"))) {
    if (name.size() < 4 || name.compare(name.size() - 4, 4, ".txt") != 0)
      continue;
    EXPECT_TRUE(fs::exists(testdata("bin/" + name.substr(0, name.size() - 4))))
        << "testdata/expected/" << name << " has no fixture";
  }
}

} // namespace
