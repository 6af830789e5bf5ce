// Rust support end to end on the committed Rust fixtures (testdata/bin/rust):
// the kernel accepts the BTF of every fixture under the kernel and
// bpf-linker presets; `--rust=exclude` keeps only the C of the mixed object;
// no emitted name breaks the kernel's identifier rule; and the C header of
// each BTF compiles with its layout asserts, plus golden offsets read from
// rustc's DWARF (readelf) for reordered, packed and data-carrying types.
#include <gtest/gtest.h>

#include <algorithm>
#include <set>
#include <sstream>

#include "dwarf2btf/btf/reader.h"
#include "dwarf2btf/dump/dump_c.h"
#include "e2e_support.h"

using namespace d2b;
using namespace d2b::test;
using namespace d2b::test::e2e;

namespace {

std::vector<std::string> rustFixtures() {
  std::vector<std::string> out;
  for (const std::string &f : listDir(testdata("bin/rust")))
    if (f.size() > 2 && f.compare(f.size() - 2, 2, ".o") == 0)
      out.push_back(testdata("bin/rust/" + f));
  return out;
}

std::string cHeaderWithAsserts(const std::string &btfPath) {
  auto bytes = btf::readBtfBytes(btfPath);
  if (!bytes)
    return "#error " + bytes.error().message();
  auto parsed = btf::parseBtf(*bytes, nullptr, btfPath);
  if (!parsed)
    return "#error " + parsed.error().message();
  std::ostringstream os;
  if (Error e = dump::dumpC(parsed->btf, os))
    return "#error " + e.message();
  if (Error e = dump::dumpCLayoutAsserts(parsed->btf, os))
    return "#error " + e.message();
  return os.str();
}

class RustPreset : public ::testing::TestWithParam<std::tuple<std::string, std::string>> {
protected:
  TempDir dir_;
};

TEST_P(RustPreset, KernelAccepts) {
  const auto &[fixture, preset] = GetParam();
  Encoded e = encodeRaw(fixture, dir_, "--rust=" + preset);
  ASSERT_EQ(e.run.status, 0) << describe(e.run);
  RunResult c = runTool("check --kernel " + quote(e.btfPath));
  if (c.out.find("kernel: skipped") != std::string::npos)
    GTEST_SKIP() << c.out;
  EXPECT_EQ(c.status, 0) << c.out << describe(c);
  EXPECT_NE(c.out.find("kernel: accepted"), std::string::npos) << c.out;
}

TEST_P(RustPreset, NamesAreIdentifiers) {
  const auto &[fixture, preset] = GetParam();
  Encoded e = encodeRaw(fixture, dir_, "--rust=" + preset);
  ASSERT_EQ(e.run.status, 0) << describe(e.run);
  RunResult d = runTool("dump " + quote(e.btfPath));
  ASSERT_EQ(d.status, 0) << describe(d);
  for (const DumpType &t : parseDump(d.out)) {
    if (t.name == "(anon)" || t.kind == "INT" || t.kind == "FLOAT" || t.kind == "DATASEC")
      continue; // the kernel does not check these names
    EXPECT_EQ(t.name.find_first_of("<>&:,;[]{}() #*"), std::string::npos) << t.line;
  }
}

TEST_P(RustPreset, CHeaderCompilesWithLayoutAsserts) {
  const auto &[fixture, preset] = GetParam();
  const std::string cc = clangForChecks();
  if (cc.empty())
    GTEST_SKIP() << "no clang";
  Encoded e = encodeRaw(fixture, dir_, "--rust=" + preset);
  ASSERT_EQ(e.run.status, 0) << describe(e.run);
  const std::string path = dir_.path("check.c");
  writeFile(path, cHeaderWithAsserts(e.btfPath));
  RunResult r = run(cc + " -fsyntax-only -Wno-unknown-attributes -std=gnu11 -x c " + quote(path));
  EXPECT_EQ(r.status, 0) << r.err.substr(0, 4000);
}

std::vector<std::tuple<std::string, std::string>> presetCases() {
  std::vector<std::tuple<std::string, std::string>> out;
  for (const std::string &f : rustFixtures())
    for (const char *p : {"kernel", "bpf-linker"})
      out.emplace_back(f, p);
  return out;
}

INSTANTIATE_TEST_SUITE_P(Fixtures, RustPreset, ::testing::ValuesIn(presetCases()),
                         [](const auto &info) {
                           std::string p = std::get<1>(info.param);
                           for (char &c : p)
                             if (c == '-')
                               c = '_';
                           return paramName(std::get<0>(info.param)) + "_" + p;
                         });

// Offsets below are rustc's, read from the fixtures' DWARF with readelf.
TEST(RustLayout, GoldenOffsetsFromDwarf) {
  const std::string cc = clangForChecks();
  if (cc.empty())
    GTEST_SKIP() << "no clang";
  TempDir dir;
  struct Case {
    const char *fixture;
    const char *asserts;
  };
  const Case cases[] = {
      {"layouts.rustc.dwarf4.O0.o",
       "_Static_assert(sizeof(struct P) == 17, \"P\");\n"
       "_Static_assert(__builtin_offsetof(struct P, b) == 1, \"P.b\");\n"
       "_Static_assert(__builtin_offsetof(struct P, f) == 9, \"P.f\");\n"
       "_Static_assert(sizeof(struct A) == 64, \"A\");\n"},
      {"enums.rustc.dwarf4.O0.o",
       "_Static_assert(sizeof(struct D) == 16, \"D\");\n"
       "_Static_assert(__builtin_offsetof(struct D, __discr.value) == 0, \"D tag\");\n"
       "_Static_assert(__builtin_offsetof(struct D, A.a) == 4, \"D::A.a\");\n"
       "_Static_assert(__builtin_offsetof(struct D, A.b) == 8, \"D::A.b\");\n"
       "_Static_assert(__builtin_offsetof(struct Option_3C__28_u32_2C__20__26_u8_29__3E_, "
       "__discr.value) == 8, \"niche at 8\");\n"
       "_Static_assert(__builtin_offsetof(struct Option_3C__28_u32_2C__20__26_u8_29__3E_, "
       "Some.__0.__1) == 8, \"Some.1\");\n"},
  };
  for (const Case &c : cases) {
    Encoded e = encodeRaw(testdata(std::string("bin/rust/") + c.fixture), dir);
    ASSERT_EQ(e.run.status, 0) << describe(e.run);
    RunResult h = runTool("dump --format c " + quote(e.btfPath));
    ASSERT_EQ(h.status, 0) << describe(h);
    const std::string path = dir.path("golden.c");
    writeFile(path, h.out + c.asserts);
    RunResult r = run(cc + " -fsyntax-only -Wno-unknown-attributes -std=gnu11 -x c " + quote(path));
    EXPECT_EQ(r.status, 0) << c.fixture << ": " << r.err.substr(0, 4000);
  }
}

TEST(RustExclude, MixedObjectKeepsOnlyC) {
  TempDir dir;
  const std::string mixed = testdata("bin/rust/mixed.rustc+gcc.dwarf4.O2.ldr.o");
  Encoded ex = encodeRaw(mixed, dir, "--rust=exclude", "ex.btf");
  ASSERT_EQ(ex.run.status, 0) << describe(ex.run);
  Encoded all = encodeRaw(mixed, dir, "", "all.btf");
  ASSERT_EQ(all.run.status, 0) << describe(all.run);
  auto names = [](const std::string &p) {
    RunResult d = runTool("dump " + quote(p));
    EXPECT_EQ(d.status, 0) << describe(d);
    return namedTypes(parseDump(d.out));
  };
  auto exNames = names(ex.btfPath), allNames = names(all.btfPath);
  const std::pair<std::string, std::string> cOnly{"STRUCT", "c_only"},
      rustOnly{"STRUCT", "RustOnly"};
  EXPECT_TRUE(exNames.count(cOnly));
  EXPECT_FALSE(exNames.count(rustOnly));
  EXPECT_TRUE(allNames.count(cOnly));
  EXPECT_TRUE(allNames.count(rustOnly));
  for (const auto &n : exNames)
    EXPECT_TRUE(allNames.count(n)) << n.first << " " << n.second << " lost with Rust included";
}

TEST(RustStatics, VarsNamedBySymbolZeroSizedSkippedKernelAccepts) {
  TempDir dir;
  for (const std::string &f : rustFixtures()) {
    Encoded e = encodeRaw(f, dir, "--vars all");
    ASSERT_EQ(e.run.status, 0) << f << ": " << describe(e.run);
    RunResult c = runTool("check --kernel " + quote(e.btfPath));
    if (c.out.find("kernel: skipped") == std::string::npos)
      EXPECT_EQ(c.status, 0) << f << ": " << c.out << describe(c);
  }
  Encoded e = encodeRaw(testdata("bin/rust/layouts.rustc.dwarf4.O0.o"), dir, "--vars all");
  ASSERT_EQ(e.run.status, 0) << describe(e.run);
  RunResult d = runTool("dump " + quote(e.btfPath));
  ASSERT_EQ(d.status, 0) << describe(d);
  std::set<std::string> vars;
  for (const DumpType &t : parseDump(d.out))
    if (t.kind == "VAR")
      vars.insert(t.name);
  EXPECT_TRUE(vars.count("VS"));   // #[no_mangle]: the symbol is the name
  EXPECT_FALSE(vars.count("X32")); // mangled: the VAR carries the symbol
  EXPECT_TRUE(std::any_of(vars.begin(), vars.end(),
                          [](const std::string &v) { return v.rfind("_ZN7layouts3X32", 0) == 0; }));
  EXPECT_FALSE(vars.count("UNIT")); // `()`: no storage
  EXPECT_FALSE(vars.count("ZS"));   // zero-sized struct
}

TEST(RustPahole, MixedObjectCTypesMatchPaholeLangExcludeRust) {
  if (!haveProgram("pahole"))
    GTEST_SKIP() << "pahole not installed";
  TempDir dir;
  const std::string mixed = testdata("bin/rust/mixed.rustc+gcc.dwarf4.O2.ldr.o");
  const std::string copy = dir.path("pahole.o");
  writeFile(copy, readFile(mixed));
  RunResult p = run("pahole -J --lang_exclude=rust " + quote(copy));
  ASSERT_EQ(p.status, 0) << p.err;
  RunResult pd = runTool("dump " + quote(copy));
  ASSERT_EQ(pd.status, 0) << describe(pd);
  Encoded ex = encodeRaw(mixed, dir, "--rust=exclude", "ex.btf");
  ASSERT_EQ(ex.run.status, 0) << describe(ex.run);
  RunResult xd = runTool("dump " + quote(ex.btfPath));
  EXPECT_EQ(xd.out, pd.out) << "--rust=exclude differs from pahole --lang_exclude=rust";
  // With Rust included, pahole's C types are all there, and Rust's in addition.
  Encoded all = encodeRaw(mixed, dir, "", "all.btf");
  ASSERT_EQ(all.run.status, 0) << describe(all.run);
  auto allNames = namedTypes(parseDump(runTool("dump " + quote(all.btfPath)).out));
  for (const auto &n : namedTypes(parseDump(pd.out)))
    EXPECT_TRUE(allNames.count(n)) << n.first << " " << n.second;
  EXPECT_TRUE(allNames.count({"STRUCT", "RustOnly"}));
}

TEST(RustFuncs, NamedBySymbolWithNamedParams) {
  TempDir dir;
  Encoded e = encodeRaw(testdata("bin/rust/funcs.rustc.dwarf4.O0.o"), dir);
  ASSERT_EQ(e.run.status, 0) << describe(e.run);
  RunResult d = runTool("dump " + quote(e.btfPath));
  ASSERT_EQ(d.status, 0) << describe(d);
  // #[no_mangle] pub fn un(_: u32, (a, b): (u32, u64), _c: u8): the first two
  // parameters have no DW_AT_name.
  EXPECT_NE(d.out.find("\t'arg0' type_id=4\n\t'arg1' type_id=144\n\t'_c' type_id=22\n"
                       "[186] FUNC 'un' type_id=185 linkage=static"),
            std::string::npos)
      << d.out;
  EXPECT_NE(d.out.find("FUNC 'prog'"), std::string::npos);
  // Mangled functions carry their ELF symbol (fentry/kprobe attach by it).
  EXPECT_NE(d.out.find("FUNC '_ZN5funcs6helper17h"), std::string::npos);
  EXPECT_EQ(d.out.find("FUNC 'helper'"), std::string::npos);
}

TEST(RustCli, KnobsOverrideThePreset) {
  TempDir dir;
  Encoded e = encodeRaw(testdata("bin/rust/enums.rustc.dwarf4.O0.o"), dir,
                        "--rust-data-enums=opaque --rust-primitive-names=rust "
                        "--rust-char-name=u32char");
  ASSERT_EQ(e.run.status, 0) << describe(e.run);
  RunResult d = runTool("dump " + quote(e.btfPath));
  EXPECT_NE(d.out.find("STRUCT 'D' size=16 vlen=0"), std::string::npos) << d.out;
  EXPECT_NE(d.out.find("INT 'u32' size=4"), std::string::npos) << d.out;
  EXPECT_NE(d.out.find("INT 'u32char' size=4"), std::string::npos) << d.out;
  RunResult bad = runTool("encode --rust-char-name='a b' --raw /dev/null " +
                          quote(testdata("bin/rust/enums.rustc.dwarf4.O0.o")));
  EXPECT_EQ(bad.status, 2);
  EXPECT_NE(bad.err.find("--rust-char-name: 'a b' is not an identifier"), std::string::npos)
      << bad.err;
}

TEST(RustCli, BadPresetIsAUsageError) {
  RunResult r = runTool("encode --rust=sanitize --raw /dev/null " +
                        quote(testdata("bin/rust/mixed.rustc.dwarf4.O0.o")));
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.err.find("--rust: expected kernel, bpf-linker or exclude, got 'sanitize'"),
            std::string::npos)
      << r.err;
}

} // namespace
