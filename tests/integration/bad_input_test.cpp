// End-to-end: malformed inputs (testdata/bad, made by
// scripts/build-bad-inputs.py; testdata/bad/MANIFEST says what is wrong with
// each) make every command fail cleanly: exit 1, one diagnostic line that
// starts with the file name (optionally after "dwarf2btf: "), no crash and
// nothing written.
#include <gtest/gtest.h>

#include <filesystem>

#include "e2e_support.h"

namespace fs = std::filesystem;
using namespace d2b::test;
using namespace d2b::test::e2e;

namespace {

/// Checks the failure contract for a run on `path`.
void expectCleanFailure(const RunResult &r, const std::string &path, bool oneLine = true) {
  EXPECT_FALSE(crashed(r)) << "crashed: " << describe(r);
  EXPECT_EQ(r.status, 1) << describe(r);
  std::string err = r.err;
  ASSERT_FALSE(err.empty()) << "no diagnostic on stderr";
  if (err.back() == '\n')
    err.pop_back();
  if (oneLine) {
    EXPECT_EQ(err.find('\n'), std::string::npos) << "more than one line on stderr:\n" << r.err;
  }
  std::string line = err.substr(0, err.find('\n'));
  const std::string prog = "dwarf2btf: ";
  if (line.compare(0, prog.size(), prog) == 0)
    line.erase(0, prog.size());
  EXPECT_EQ(line.compare(0, path.size(), path), 0)
      << "diagnostic does not start with the file name " << path << ":\n"
      << r.err;
  EXPECT_TRUE(line.size() > path.size() + 2)
      << "diagnostic says nothing beyond the file name: " << r.err;
}

class BadInput : public ::testing::TestWithParam<std::string> {
protected:
  TempDir dir_;
};

TEST_P(BadInput, EncodeRawFailsCleanly) {
  std::string out = dir_.path("out.btf");
  RunResult r = runTool("encode --raw " + quote(out) + " " + quote(GetParam()));
  expectCleanFailure(r, GetParam());
  EXPECT_FALSE(fs::exists(out)) << "--raw output written for a bad input";
  EXPECT_TRUE(listDir(dir_.dir().string()).empty()) << "files left behind";
}

TEST_P(BadInput, EncodeOutputFailsCleanly) {
  std::string out = dir_.path("out.elf");
  RunResult r = runTool("encode -o " + quote(out) + " " + quote(GetParam()));
  expectCleanFailure(r, GetParam());
  EXPECT_FALSE(fs::exists(out)) << "-o output written for a bad input";
  EXPECT_TRUE(listDir(dir_.dir().string()).empty()) << "files left behind";
}

TEST_P(BadInput, EncodeInPlaceLeavesInputUntouched) {
  std::string copy = dir_.path(baseName(GetParam()));
  fs::copy_file(GetParam(), copy);
  RunResult r = runTool("encode " + quote(copy));
  expectCleanFailure(r, copy);
  EXPECT_TRUE(readFile(copy) == readFile(GetParam())) << "in-place encode modified a bad input";
  EXPECT_EQ(listDir(dir_.dir().string()), std::vector<std::string>{baseName(GetParam())})
      << "temporary files left next to the input";
}

TEST_P(BadInput, DumpAndCheckFailCleanly) {
  // None of these files has usable BTF.
  RunResult d = runTool("dump " + quote(GetParam()));
  expectCleanFailure(d, GetParam());
  EXPECT_TRUE(d.out.empty()) << "dump printed something for a bad input:\n" << d.out.substr(0, 500);
  RunResult c = runTool("check " + quote(GetParam()));
  expectCleanFailure(c, GetParam());
}

INSTANTIATE_TEST_SUITE_P(BadInputs, BadInput, ::testing::ValuesIn(badInputs()),
                         [](const auto &info) { return paramName(info.param); });

TEST(BadInputSet, IsPresent) {
  EXPECT_GE(badInputs().size(), 20u)
      << "testdata/bad is incomplete: run scripts/build-bad-inputs.py";
}

TEST(MissingInput, NamedInTheDiagnostic) {
  TempDir dir;
  std::string missing = dir.path("does-not-exist.o");
  RunResult r = runTool("encode --raw " + quote(dir.path("out.btf")) + " " + quote(missing));
  expectCleanFailure(r, missing);
  EXPECT_TRUE(listDir(dir.dir().string()).empty());
}

} // namespace
