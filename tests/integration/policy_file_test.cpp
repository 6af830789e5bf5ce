// `encode --policy FILE`: the file sets the policy, command-line flags win.
#include <gtest/gtest.h>

#include "test_support.h"

using namespace d2b::test;

namespace {

std::string encodeDump(const TempDir &dir, const std::string &args) {
  std::string out = dir.path("out.btf");
  RunResult r =
      run(tool() + " encode " + args + " --raw " + out + " " + testdata("sample/sample.o"));
  EXPECT_EQ(r.status, 0) << r.err;
  return run(tool() + " dump " + out).out;
}

} // namespace

TEST(PolicyFileCli, FileSetsPolicyAndFlagsWin) {
  TempDir dir;
  writeFile(dir.path("p.ini"), "flatten-arrays = true\nfloat = false\nvars = none\n");
  std::string plain = encodeDump(dir, "");
  std::string fromFile = encodeDump(dir, "--policy " + dir.path("p.ini"));
  // sample.c has long long hist[2][4] and a double member.
  EXPECT_NE(plain.find("nr_elems=4"), std::string::npos);
  EXPECT_NE(fromFile.find("nr_elems=8"), std::string::npos) << fromFile;
  EXPECT_NE(plain.find("FLOAT 'double'"), std::string::npos);
  EXPECT_EQ(fromFile.find("FLOAT"), std::string::npos) << fromFile;
  EXPECT_EQ(fromFile.find("DATASEC"), std::string::npos);
  // The command line overrides the file.
  std::string flagged = encodeDump(dir, "--policy " + dir.path("p.ini") + " --vars percpu");
  EXPECT_NE(flagged.find("DATASEC '.data..percpu'"), std::string::npos) << flagged;
}

TEST(PolicyFileCli, BadFileIsAUsageErrorWithTheKey) {
  TempDir dir;
  writeFile(dir.path("p.ini"), "[rust]\nbogus = 1\n");
  RunResult r = run(tool() + " encode --policy " + dir.path("p.ini") + " --raw " +
                    dir.path("o.btf") + " " + testdata("sample/sample.o"));
  EXPECT_EQ(r.status, 2);
  EXPECT_EQ(r.err, "dwarf2btf: encode: --policy: " + dir.path("p.ini") +
                       ": unrecognised option 'rust.bogus'\n");
}

TEST(PolicyFileCli, RustPresetFromFile) {
  TempDir dir;
  writeFile(dir.path("p.ini"), "[rust]\npreset = sideways\n");
  RunResult r = run(tool() + " encode --policy " + dir.path("p.ini") + " --raw " +
                    dir.path("o.btf") + " " + testdata("sample/sample.o"));
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.err.find("sideways"), std::string::npos) << r.err;
}
