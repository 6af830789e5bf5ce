// End-to-end: the CLI's usage contract — exit 2 for usage errors, with a
// message on stderr and nothing written.
#include <gtest/gtest.h>

#include "e2e_support.h"

using namespace d2b::test;
using namespace d2b::test::e2e;

namespace {

void expectUsageError(const std::string &args) {
  RunResult r = runTool(args);
  EXPECT_FALSE(crashed(r)) << args << ": " << describe(r);
  EXPECT_EQ(r.status, 2) << "`dwarf2btf " << args << "`: " << describe(r);
  EXPECT_FALSE(r.err.empty()) << "`dwarf2btf " << args << "`: no message on stderr";
}

TEST(CliContract, NoArgumentsIsAUsageError) { expectUsageError(""); }
TEST(CliContract, UnknownCommandIsAUsageError) { expectUsageError("frobnicate x"); }
TEST(CliContract, EncodeWithoutInputIsAUsageError) { expectUsageError("encode"); }

TEST(CliContract, UnknownOptionIsAUsageError) {
  TempDir dir;
  std::string in = dir.path("in.o");
  writeFile(in, readFile(allFixtures().front()));
  expectUsageError("encode --no-such-option " + quote(in));
  EXPECT_TRUE(readFile(in) == readFile(allFixtures().front())) << "input modified by a usage error";
}

/// Boost.Program_options loops forever formatting a message whose token holds
/// one of its placeholders (`%original_token%`, `%value%`); found by
/// fuzz_policy. Each is a usage error at once (runTool times out otherwise).
TEST(CliContract, BoostPlaceholderInATokenIsAUsageError) {
  RunResult a = runTool("encode '--foo%original_token%' x.o");
  EXPECT_EQ(a.status, 2) << describe(a);
  EXPECT_EQ(a.err, "dwarf2btf: encode: unrecognised option '--foo\uff05original_token\uff05'\n");
  RunResult b = runTool("encode --jobs '%value%x' x.o");
  EXPECT_EQ(b.status, 2) << describe(b);
  EXPECT_EQ(
      b.err,
      "dwarf2btf: encode: the argument ('\uff05value\uff05x') for option '--jobs' is invalid\n");
  RunResult c = runTool("dump '--x%option%' x.btf");
  EXPECT_EQ(c.status, 2) << describe(c);
  EXPECT_EQ(c.err, "dwarf2btf: dump: unrecognised option '--x\uff05option\uff05'\n");
}

TEST(CliContract, BadDumpFormatIsAUsageError) {
  TempDir dir;
  Encoded e = encodeRaw(allFixtures().front(), dir);
  ASSERT_EQ(e.run.status, 0) << describe(e.run);
  expectUsageError("dump " + quote(e.btfPath) + " --format yaml");
}

} // namespace
