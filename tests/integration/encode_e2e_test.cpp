// End-to-end: `dwarf2btf encode` on every fixture in testdata/bin, judged by
// bpftool (parses the output, its dump equals ours byte for byte), clang
// (the C dump compiles and its layout matches the BTF) and by the three
// output modes agreeing with each other.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "e2e_support.h"

namespace fs = std::filesystem;
using namespace d2b::test;
using namespace d2b::test::e2e;

namespace {

class EncodeE2E : public ::testing::TestWithParam<std::string> {
protected:
  void SetUp() override {
    if (!haveProgram("bpftool"))
      GTEST_SKIP() << "bpftool not installed: it is the oracle for these tests";
  }
  /// Encodes the fixture to raw BTF and checks the basic contract.
  void encodeOk() {
    enc_ = encodeRaw(GetParam(), dir_);
    ASSERT_EQ(enc_.run.status, 0) << describe(enc_.run);
    ASSERT_FALSE(enc_.btf.empty()) << "encode --raw wrote no output";
    EXPECT_EQ(readFile(enc_.input), readFile(GetParam())) << "--raw must leave INPUT untouched";
  }
  TempDir dir_;
  Encoded enc_;
};

TEST_P(EncodeE2E, RawOutputParsesAndDumpEqualsBpftool) {
  ASSERT_NO_FATAL_FAILURE(encodeOk());
  RunResult ref = bpftoolDump(enc_.btfPath);
  ASSERT_EQ(ref.status, 0) << "bpftool rejects our BTF: " << ref.err;
  ASSERT_FALSE(parseDump(ref.out).empty()) << "bpftool sees no types";

  RunResult ours = runTool("dump " + quote(enc_.btfPath));
  ASSERT_EQ(ours.status, 0) << describe(ours);
  EXPECT_EQ(ours.out, ref.out) << "dwarf2btf dump differs from bpftool btf dump";

  RunResult explicitRaw = runTool("dump " + quote(enc_.btfPath) + " --format raw");
  ASSERT_EQ(explicitRaw.status, 0) << describe(explicitRaw);
  EXPECT_EQ(explicitRaw.out, ref.out) << "--format raw differs from the default format";
}

/// Static assertions for every struct/union whose name is unique in the
/// dump: its size and the byte offset of each named, non-bitfield member,
/// as the BTF says. Compiled against our C dump, they check its layout.
std::string layoutAsserts(const std::vector<DumpType> &types, size_t &count) {
  std::map<std::string, int> seen;
  for (auto &t : types)
    if (t.kind == "STRUCT" || t.kind == "UNION" || t.kind == "FWD")
      ++seen[t.name];
  std::ostringstream os;
  count = 0;
  for (auto &t : types) {
    if ((t.kind != "STRUCT" && t.kind != "UNION") || t.name == "(anon)" || seen[t.name] != 1)
      continue;
    std::string tag = (t.kind == "STRUCT" ? "struct " : "union ") + t.name;
    os << "_Static_assert(sizeof(" << tag << ") == " << t.size << ", \"sizeof " << tag << "\");\n";
    ++count;
    for (auto &m : t.members) {
      if (m.name.empty() || m.name == "(anon)" || m.bitfieldSize != 0 || m.bitsOffset % 8 != 0)
        continue;
      os << "_Static_assert(__builtin_offsetof(" << tag << ", " << m.name
         << ") == " << m.bitsOffset / 8 << ", \"offsetof " << tag << "." << m.name << "\");\n";
      ++count;
    }
  }
  return os.str();
}

TEST_P(EncodeE2E, FormatCCompilesAndMatchesLayout) {
  std::string cc = clangForChecks();
  if (cc.empty())
    GTEST_SKIP() << "no clang to compile the C dump";
  ASSERT_NO_FATAL_FAILURE(encodeOk());
  RunResult c = runTool("dump " + quote(enc_.btfPath) + " --format c");
  ASSERT_EQ(c.status, 0) << describe(c);
  ASSERT_NE(c.out.find("struct"), std::string::npos) << "C dump has no struct at all:\n" << c.out;
  std::string header = dir_.path("vmlinux.h");
  writeFile(header, c.out);
  // Host target: the BTF comes from x86-64 objects, so sizes are x86-64's.
  // BPF_NO_PRESERVE_ACCESS_INDEX drops the BPF-only record attribute.
  std::string flags = " -fsyntax-only -DBPF_NO_PRESERVE_ACCESS_INDEX -Wno-unknown-attributes ";
  RunResult syn = run(cc + flags + "-x c " + quote(header));
  ASSERT_EQ(syn.status, 0) << "C dump does not compile:\n" << syn.err;

  RunResult raw = bpftoolDump(enc_.btfPath);
  ASSERT_EQ(raw.status, 0) << raw.err;
  size_t n = 0;
  std::string asserts = layoutAsserts(parseDump(raw.out), n);
  std::string check = dir_.path("layout.c");
  writeFile(check, "#include \"vmlinux.h\"\n" + asserts);
  RunResult lay = run(cc + flags + "-x c " + quote(check));
  EXPECT_EQ(lay.status, 0) << n << " layout assertions, failures:\n" << lay.err;
}

TEST_P(EncodeE2E, OutputAndInPlaceModesEmbedTheRawBytes) {
  ASSERT_NO_FATAL_FAILURE(encodeOk());

  // -o FILE: a new ELF, INPUT untouched.
  std::string outElf = dir_.path("out.elf");
  RunResult o = runTool("encode -o " + quote(outElf) + " " + quote(enc_.input));
  ASSERT_EQ(o.status, 0) << describe(o);
  EXPECT_EQ(readFile(enc_.input), readFile(GetParam())) << "-o must leave INPUT untouched";
  auto sec = elfSection(outElf, ".BTF");
  ASSERT_TRUE(sec.has_value()) << "-o output has no .BTF section";
  EXPECT_TRUE(*sec == enc_.btf) << ".BTF of -o output (" << sec->size()
                                << " bytes) differs from --raw output (" << enc_.btf.size()
                                << " bytes)";
  RunResult re = run("readelf -SW " + quote(outElf));
  EXPECT_EQ(re.status, 0) << re.err;
  EXPECT_EQ(re.err, "") << "readelf complains about the -o output";

  // In place (the default).
  std::string inPlace = dir_.path("inplace");
  fs::copy_file(GetParam(), inPlace);
  RunResult ip = runTool("encode " + quote(inPlace));
  ASSERT_EQ(ip.status, 0) << describe(ip);
  auto sec2 = elfSection(inPlace, ".BTF");
  ASSERT_TRUE(sec2.has_value()) << "in-place output has no .BTF section";
  EXPECT_TRUE(*sec2 == enc_.btf) << "in-place .BTF differs from --raw output";
  std::vector<std::string> expected = {baseName(enc_.input), "inplace", "out.btf", "out.elf"};
  std::sort(expected.begin(), expected.end());
  EXPECT_EQ(listDir(dir_.dir().string()), expected)
      << "stray files next to the input (temporary file not cleaned up?)";

  // Encoding an ELF that already has .BTF replaces it: same bytes again,
  // and still exactly one .BTF section.
  RunResult again = runTool("encode " + quote(inPlace));
  ASSERT_EQ(again.status, 0) << describe(again);
  auto sec3 = elfSection(inPlace, ".BTF");
  ASSERT_TRUE(sec3.has_value());
  EXPECT_TRUE(*sec3 == enc_.btf) << "re-encoding changed .BTF";
  RunResult count = run("readelf -SW " + quote(inPlace) + " | grep -c ' \\.BTF '");
  EXPECT_EQ(count.out, "1\n") << "re-encoding must replace .BTF, not add a second one";
}

INSTANTIATE_TEST_SUITE_P(Fixtures, EncodeE2E, ::testing::ValuesIn(allFixtures()),
                         [](const auto &info) { return paramName(info.param); });

/// Executables keep working after their .BTF is added in place.
class EncodedExecutable : public ::testing::TestWithParam<std::string> {};

TEST_P(EncodedExecutable, StillRunsTheSame) {
  TempDir dir;
  std::string copy = dir.path("prog");
  fs::copy_file(GetParam(), copy);
  RunResult before = run(quote(copy) + " a b");
  RunResult enc = runTool("encode " + quote(copy));
  ASSERT_EQ(enc.status, 0) << describe(enc);
  RunResult after = run(quote(copy) + " a b");
  EXPECT_EQ(after.status, before.status) << after.err;
  EXPECT_EQ(after.out, before.out);
}

std::vector<std::string> executableFixtures() {
  std::vector<std::string> out;
  for (auto &f : allFixtures())
    if (f.size() > 4 && f.compare(f.size() - 4, 4, ".exe") == 0)
      out.push_back(f);
  return out;
}

INSTANTIATE_TEST_SUITE_P(Fixtures, EncodedExecutable, ::testing::ValuesIn(executableFixtures()),
                         [](const auto &info) { return paramName(info.param); });

/// Fixtures that differ from a twin only in how the DWARF is stored
/// (compressed sections) must give byte-identical BTF.
class CompressionTwins : public ::testing::TestWithParam<std::string> {};

TEST_P(CompressionTwins, SameBtfAsUncompressedTwin) {
  const std::string &fx = GetParam();
  std::string twin = fx;
  for (const char *v : {".zlib.o", ".zstd.o"}) {
    size_t at = twin.rfind(v);
    if (at != std::string::npos)
      twin.replace(at, std::string(v).size(), ".o");
  }
  ASSERT_NE(twin, fx);
  ASSERT_TRUE(fs::exists(twin)) << "missing twin " << twin;
  TempDir a, b;
  Encoded x = encodeRaw(fx, a);
  Encoded y = encodeRaw(twin, b);
  ASSERT_EQ(x.run.status, 0) << describe(x.run);
  ASSERT_EQ(y.run.status, 0) << describe(y.run);
  ASSERT_FALSE(x.btf.empty());
  EXPECT_TRUE(x.btf == y.btf) << baseName(fx) << " and " << baseName(twin) << " encode differently";
}

std::vector<std::string> compressedFixtures() {
  std::vector<std::string> out;
  for (auto &f : allFixtures())
    if (f.find(".zlib.") != std::string::npos || f.find(".zstd.") != std::string::npos)
      out.push_back(f);
  return out;
}

INSTANTIATE_TEST_SUITE_P(Fixtures, CompressionTwins, ::testing::ValuesIn(compressedFixtures()),
                         [](const auto &info) { return paramName(info.param); });

TEST(FixtureSet, IsPresent) {
  // The parameterized suites silently instantiate nothing if the fixtures
  // are missing; make that a failure.
  EXPECT_GE(allFixtures().size(), 30u)
      << "testdata/bin is incomplete: run scripts/build-fixtures.sh";
  EXPECT_GE(compressedFixtures().size(), 4u);
  EXPECT_GE(executableFixtures().size(), 2u);
}

} // namespace
