// Replays every committed fuzzer finding (testdata/fuzz/<target>/) through the
// code the fuzzer ran, and pins the specific fixes with exact expectations.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <sstream>
#include <vector>

#include "../fuzz/targets.h"
#include "test_support.h"

namespace d2b {
namespace {

namespace fs = std::filesystem;
using test::testdata;

std::vector<uint8_t> bytesOf(const fs::path &p) {
  std::ifstream in(p, std::ios::binary);
  return std::vector<uint8_t>(std::istreambuf_iterator<char>(in), {});
}

std::vector<fs::path> inputs(const std::string &target) {
  std::vector<fs::path> out;
  const fs::path dir = testdata("fuzz/" + target);
  if (fs::is_directory(dir))
    for (const auto &e : fs::directory_iterator(dir))
      if (e.is_regular_file())
        out.push_back(e.path());
  std::sort(out.begin(), out.end());
  return out;
}

/// Each input must finish well inside the fuzzer's 30 s timeout (it ran
/// under ASan there; here the bound is for the plain build).
void replay(const std::string &target, int (*one)(const uint8_t *, size_t)) {
  for (const fs::path &p : inputs(target)) {
    SCOPED_TRACE(p.string());
    const std::vector<uint8_t> data = bytesOf(p);
    const auto start = std::chrono::steady_clock::now();
    EXPECT_EQ(one(data.data(), data.size()), 0);
    const auto secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start);
    EXPECT_LT(secs.count(), 10.0);
  }
}

TEST(FuzzRegression, EncodeInputs) { replay("encode", fuzz::encodeOne); }
TEST(FuzzRegression, BtfInputs) { replay("btf", fuzz::btfOne); }
TEST(FuzzRegression, DedupInputs) { replay("dedup", fuzz::dedupOne); }
TEST(FuzzRegression, PolicyInputs) {
  ASSERT_FALSE(inputs("policy").empty()); // the seeds at least
  replay("policy", fuzz::policyOne);
}

/// fuzz_policy's invariant, pinned on the seeds: good files parse, bad ones
/// are one error naming the file.
TEST(FuzzRegression, PolicySeedsParseOrNameTheFile) {
  auto text = [](const char *name) {
    const auto b = bytesOf(testdata(std::string("fuzz/policy/") + name));
    return std::string(b.begin(), b.end());
  };
  auto full = parsePolicyText(text("seed-full.policy"), "p");
  ASSERT_TRUE(full) << full.error().message();
  EXPECT_EQ(full->vars, "all");
  EXPECT_EQ(full->rustCharName, "rust_char");
  auto bools = parsePolicyText(text("seed-booleans.policy"), "p");
  ASSERT_TRUE(bools) << bools.error().message();
  EXPECT_EQ(bools->funcs, false);
  EXPECT_EQ(bools->enum64, true);
  auto langs = parseLanguageList(*bools->langExclude);
  ASSERT_TRUE(langs) << langs.error().message();
  auto unknown = parsePolicyText(text("seed-unknown-key.policy"), "p");
  ASSERT_FALSE(unknown);
  EXPECT_EQ(unknown.error().message(), "p: unrecognised option 'bogus'");
  auto repeated = parsePolicyText(text("seed-repeated-key.policy"), "p");
  ASSERT_FALSE(repeated);
  EXPECT_EQ(repeated.error().message(), "p: option 'vars' cannot be specified more than once");
}

/// fuzz_policy (seconds): Boost.Program_options replaces `%original_token%`
/// in its message template with the token until none is left, so a key or
/// value containing a placeholder looped forever inside what().
TEST(FuzzRegression, PolicyPlaceholderInKeyOrValueIsAnError) {
  const auto b = bytesOf(testdata("fuzz/policy/unknown-key-with-boost-placeholder.policy"));
  auto r = parsePolicyText(std::string(b.begin(), b.end()), "p");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message(), "p: unrecognised option 'consiste\uff05original_token\uff05oat'");
  auto v = parsePolicyText("funcs = %value%x\n", "p");
  ASSERT_FALSE(v);
  EXPECT_EQ(v.error().message(),
            "p: the argument ('\uff05value\uff05x') for option 'funcs' is invalid. Valid choices "
            "are 'on|off', 'yes|no', '1|0' and 'true|false'");
}

/// The error encoding committed input `path` gives ("" when it succeeds).
std::string encodeError(const std::string &path) {
  PipelineOptions opts;
  opts.encode.jobs = 1;
  DiagEngine diag;
  auto r = encodeFile(path, opts, diag);
  return r ? std::string() : r.error().message();
}

/// fuzz_encode: a DIE whose abbreviation code its unit does not define has
/// the DWARF_END_ABBREV marker as abbreviation; the unknown-code check read
/// through it. Now the walk's own error is what remains.
TEST(FuzzRegression, DieWithMissingAbbrevCodeIsAnError) {
  const std::string path = testdata("fuzz/encode/die-with-missing-abbrev-code.o");
  EXPECT_EQ(encodeError(path), path + ": .debug_info+0x930: cannot read sibling: invalid DWARF");
}

/// fuzz_btf: a member 400 MiB into a struct used to be padded with one
/// `long: 64;` per 8 bytes; now the gap is one named array.
TEST(FuzzRegression, HugeMemberGapIsOneArrayInCDump) {
  const auto data = bytesOf(testdata("fuzz/btf/member-offset-past-struct-4g-padding.btf"));
  auto parsed = btf::parseBtf(data, nullptr, "x.btf");
  ASSERT_TRUE(parsed) << parsed.error().message();
  std::ostringstream out;
  ASSERT_FALSE(dump::dumpC(parsed->btf, out));
  const std::string c = out.str();
  EXPECT_LT(c.size(), 200000u);
  EXPECT_NE(c.find("char __d2b_pad"), std::string::npos);
}

/// A valid 1 MiB struct with one int at its end: bitfield padding would be
/// 131,071 lines; the gap array keeps the exact offset (the layout asserts
/// the dump emits check it when compiled, in the integration tests).
TEST(FuzzRegression, LargeValidGapIsOneArray) {
  btf::Btf b;
  const uint32_t i = b.addInt("int", 4, btf::kIntSigned);
  const btf::Member ms[] = {{"a", i, 0, 0}, {"z", i, (1u << 20) * 8 - 32, 0}};
  b.addComposite(false, "big", 1u << 20, ms);
  std::ostringstream out;
  ASSERT_FALSE(dump::dumpC(b, out));
  EXPECT_NE(out.str().find("\tint a;\n\tchar __d2b_pad2_0[1048568];\n\tint z;\n"),
            std::string::npos)
      << out.str();
}

/// fuzz_encode: libdwfl failed without an error text; the diagnostic is now
/// one clean line naming the file.
TEST(FuzzRegression, DwflFailureWithoutErrorText) {
  const std::string path = testdata("fuzz/encode/rel-dwfl-null-error.o");
  EXPECT_EQ(encodeError(path),
            path + ": no DWARF debug information (.debug_info): no usable DWARF sections");
}

/// fuzz_encode: e_shentsize 0 on a file whose debug sections need rewriting
/// (undefined behaviour writing into a 0-byte header copy); now a clean error.
TEST(FuzzRegression, ZeroSectionHeaderEntrySize) {
  const std::string path = testdata("fuzz/encode/zero-shentsize.o");
  EXPECT_EQ(encodeError(path), path + ": section header entry size 0 is too small");
}

} // namespace
} // namespace d2b
