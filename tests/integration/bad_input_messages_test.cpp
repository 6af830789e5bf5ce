// Every malformed input in testdata/bad gives exactly the diagnostic listed
// in testdata/bad/EXPECTED (and every input is listed there).
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>

#include "e2e_support.h"

namespace fs = std::filesystem;
using namespace d2b::test;
using namespace d2b::test::e2e;

namespace {

/// name → message, with "FILE" standing for the path.
std::map<std::string, std::string> expectedMessages() {
  std::map<std::string, std::string> out;
  std::ifstream in(testdata("bad/EXPECTED"));
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#')
      continue;
    const size_t bar = line.find(" | ");
    if (bar != std::string::npos)
      out[line.substr(0, bar)] = line.substr(bar + 3);
  }
  return out;
}

class BadInputMessage : public ::testing::TestWithParam<std::string> {};

TEST_P(BadInputMessage, EncodeGivesTheExactDiagnostic) {
  const auto expected = expectedMessages();
  const std::string name = baseName(GetParam());
  auto it = expected.find(name);
  ASSERT_NE(it, expected.end()) << name << " has no line in testdata/bad/EXPECTED";
  std::string want = it->second;
  want.replace(0, 4, GetParam()); // "FILE"
  TempDir dir;
  RunResult r = runTool("encode --raw " + quote(dir.path("out.btf")) + " " + quote(GetParam()));
  EXPECT_EQ(r.status, 1) << describe(r);
  EXPECT_EQ(r.err, "dwarf2btf: " + want + "\n");
}

INSTANTIATE_TEST_SUITE_P(BadInputs, BadInputMessage, ::testing::ValuesIn(badInputs()),
                         [](const auto &info) {
                           std::string n = baseName(info.param);
                           for (char &c : n)
                             if (!isalnum(static_cast<unsigned char>(c)))
                               c = '_';
                           return n;
                         });

} // namespace
