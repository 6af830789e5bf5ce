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
    if (c.out.find("kernel: skipped") == std::string::npos) {
      EXPECT_EQ(c.status, 0) << f << ": " << c.out << describe(c);
    }
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

namespace {

std::string dumpOf(const Encoded &e) {
  RunResult d = runTool("dump " + quote(e.btfPath));
  EXPECT_EQ(d.status, 0) << describe(d);
  return d.out;
}

// u128/i128 enums (testdata/src/rust/wide.rs): TYPEDEF to a 128-bit INT,
// plus ENUM64 E__values with the enumerators that fit in 64 bits.
TEST(RustWideEnums, TypedefIntPlusEnum64OfTheValuesThatFit) {
  TempDir dir;
  Encoded e = encodeRaw(testdata("bin/rust/wide.rustc.dwarf4.O0.o"), dir, "--report -v");
  ASSERT_EQ(e.run.status, 0) << describe(e.run);
  const std::string d = dumpOf(e);
  EXPECT_NE(d.find("ENUM64 'Flags__values' encoding=UNSIGNED size=8 vlen=1\n\t'Small' val=7ULL\n"),
            std::string::npos)
      << d;
  EXPECT_NE(d.find("ENUM64 'Signed__values' encoding=SIGNED size=8 vlen=2\n\t'Neg' val=-1LL\n"
                   "\t'Pos' val=1LL\n"),
            std::string::npos)
      << d;
  EXPECT_NE(d.find("TYPEDEF 'Flags' type_id="), std::string::npos) << d;
  EXPECT_NE(d.find("TYPEDEF 'Signed' type_id="), std::string::npos) << d;
  const std::string all = e.run.out + e.run.err;
  EXPECT_NE(all.find("enumerator 'Huge' = 0x400000000000000000 does not fit in 64 bits; left out "
                     "of 'Flags__values' [rust.enum128.value-dropped]"),
            std::string::npos)
      << all;
  EXPECT_NE(all.find("enumerator 'Far' = 0xfffffff0000000000000000000000000 does not fit in 64 "
                     "bits; left out of 'Signed__values' [rust.enum128.value-dropped]"),
            std::string::npos)
      << all;
  EXPECT_NE(all.find("16-byte enum encoded as a 128-bit INT behind typedef 'Flags'; 1 of 3 "
                     "enumerators in ENUM64 'Flags__values' [rust.enum128-as-int]"),
            std::string::npos)
      << all;
}

// variant_members.ll: `Gen` has resume@0 and upvar@8 beside its variant part.
TEST(RustVariantMembers, PlainMembersBesideTheVariantPartKeepOffsets) {
  TempDir dir;
  Encoded e = encodeRaw(testdata("bin/rust/variant_members.llvm-ir.dwarf4.o"), dir, "--report");
  ASSERT_EQ(e.run.status, 0) << describe(e.run);
  EXPECT_NE((e.run.out + e.run.err).find("rust.data-enum-members                   1"),
            std::string::npos)
      << e.run.out << e.run.err;
  const std::string d = dumpOf(e);
  EXPECT_NE(d.find("\t'resume' type_id="), std::string::npos) << d;
  EXPECT_NE(d.find("STRUCT 'Gen__discr' size=24 vlen=1"), std::string::npos) << d;
  EXPECT_EQ(d.find("STRUCT 'Gen' size=24 vlen=0"), std::string::npos) << d; // not opaque
  RunResult h = runTool("dump --format c " + quote(e.btfPath));
  ASSERT_EQ(h.status, 0) << describe(h);
  const std::string cc = clangForChecks();
  if (cc.empty())
    GTEST_SKIP() << "no clang";
  const std::string path = dir.path("gen.c");
  writeFile(path, h.out +
                      "_Static_assert(__builtin_offsetof(struct Gen, resume) == 0, \"resume\");\n"
                      "_Static_assert(__builtin_offsetof(struct Gen, upvar) == 8, \"upvar\");\n"
                      "_Static_assert(__builtin_offsetof(struct Gen, __discr.value) == 16, \"\");\n"
                      "_Static_assert(__builtin_offsetof(struct Gen, Suspend0.x) == 20, \"x\");\n"
                      "_Static_assert(__builtin_offsetof(struct Gen, Done.v) == 18, \"v\");\n"
                      "_Static_assert(sizeof(struct Gen) == 24, \"size\");\n");
  RunResult r = run(cc + " -fsyntax-only -w -std=gnu11 -x c " + quote(path));
  EXPECT_EQ(r.status, 0) << r.err.substr(0, 4000);
}

// layouts.rs has `mod a { pub struct S { x: u8 } }` and `mod b { pub struct S { y: u64 } }`.
TEST(RustQualify, ClashingNamesGetTheirModulePath) {
  TempDir dir;
  const std::string f = testdata("bin/rust/layouts.rustc.dwarf4.O0.o");
  Encoded on = encodeRaw(f, dir, "--report -v", "on.btf");
  ASSERT_EQ(on.run.status, 0) << describe(on.run);
  auto names = namedTypes(parseDump(dumpOf(on)));
  EXPECT_TRUE(names.count({"STRUCT", "layouts_3A__3A_a_3A__3A_S"}));
  EXPECT_TRUE(names.count({"STRUCT", "layouts_3A__3A_b_3A__3A_S"}));
  EXPECT_FALSE(names.count({"STRUCT", "S"}));
  EXPECT_TRUE(names.count({"STRUCT", "C"})); // unique names stay as they are
  EXPECT_NE((on.run.out + on.run.err)
                .find("'S' shares its name with another type of the unit; named by its path "
                      "'layouts::a::S' [rust.qualify.clash]"),
            std::string::npos)
      << on.run.err;
  Encoded off = encodeRaw(f, dir, "--rust-qualify-clashes=off", "off.btf");
  ASSERT_EQ(off.run.status, 0) << describe(off.run);
  EXPECT_TRUE(namedTypes(parseDump(dumpOf(off))).count({"STRUCT", "S"}));
  // The bpf-linker preset does not qualify; the flag turns it on there.
  Encoded bl = encodeRaw(f, dir, "--rust=bpf-linker", "bl.btf");
  EXPECT_TRUE(namedTypes(parseDump(dumpOf(bl))).count({"STRUCT", "S"}));
  Encoded blq = encodeRaw(f, dir, "--rust=bpf-linker --rust-qualify-clashes=on", "blq.btf");
  EXPECT_TRUE(namedTypes(parseDump(dumpOf(blq))).count({"STRUCT", "layouts_3A__3A_a_3A__3A_S"}));
  // Deterministic for every -j.
  Encoded j1 = encodeRaw(f, dir, "-j1", "j1.btf"), j4 = encodeRaw(f, dir, "-j4", "j4.btf");
  EXPECT_EQ(j1.btf, j4.btf);
  EXPECT_EQ(j1.btf, on.btf);
}

TEST(RustFuncNames, LeafNamesForBpfObjectsLinkageForTheKernel) {
  TempDir dir;
  const std::string f = testdata("bin/rust/funcs.rustc.dwarf4.O0.o");
  Encoded leaf = encodeRaw(f, dir, "--rust-func-names=leaf --report -v", "leaf.btf");
  ASSERT_EQ(leaf.run.status, 0) << describe(leaf.run);
  std::set<std::string> funcs;
  for (const DumpType &t : parseDump(dumpOf(leaf)))
    if (t.kind == "FUNC")
      funcs.insert(t.name);
  EXPECT_TRUE(funcs.count("helper"));               // was _ZN5funcs6helper17h...E
  EXPECT_TRUE(funcs.count("prog"));                 // #[no_mangle]
  EXPECT_TRUE(funcs.count("g_3C_u32_3E_"));         // g<u32>
  EXPECT_TRUE(funcs.count("_7B_closure_23_0_7D_")); // {closure#0}: legacy symbol has '$'
  for (const std::string &n : funcs)
    EXPECT_NE(n.rfind("_ZN", 0), 0u) << n << " kept its symbol without a clash";
  // bpf-linker's preset names by leaf; the kernel preset by symbol.
  Encoded bl = encodeRaw(f, dir, "--rust=bpf-linker", "bl.btf");
  EXPECT_NE(dumpOf(bl).find("FUNC 'helper'"), std::string::npos);
  Encoded k = encodeRaw(f, dir, "", "k.btf");
  EXPECT_EQ(dumpOf(k).find("FUNC 'helper'"), std::string::npos);
  // Kernel acceptance with leaf names.
  RunResult c = runTool("check --kernel " + quote(leaf.btfPath));
  if (c.out.find("kernel: skipped") == std::string::npos) {
    EXPECT_EQ(c.status, 0) << c.out;
  }
}

TEST(RustFuncNames, LeafClashKeepsTheNoMangleFunctionAndRenamesTheOthers) {
  if (!haveProgram("rustc"))
    GTEST_SKIP() << "rustc not installed";
  TempDir dir;
  // Two methods `get` (impls of A and B) and a #[no_mangle] fn `get`.
  writeFile(
      dir.path("clash.rs"),
      "#![no_std]\n#[panic_handler] fn p(_: &core::panic::PanicInfo) -> ! { loop {} }\n"
      "pub struct A(u32); pub struct B(u64);\n"
      "impl A { #[inline(never)] pub fn get(&self) -> u32 { self.0 } }\n"
      "impl B { #[inline(never)] pub fn get(&self) -> u64 { self.0 } }\n"
      "#[no_mangle] pub extern \"C\" fn get(a: &A, b: &B) -> u64 { a.get() as u64 + b.get() }\n");
  RunResult rc = run("rustc --edition 2021 --crate-type=lib --emit=obj -C debuginfo=2 -C "
                     "panic=abort -C opt-level=1 -C symbol-mangling-version=v0 -o " +
                     quote(dir.path("clash.o")) + " " + quote(dir.path("clash.rs")));
  ASSERT_EQ(rc.status, 0) << rc.err;
  Encoded e = encodeRaw(dir.path("clash.o"), dir, "--rust-func-names=leaf --report -v");
  ASSERT_EQ(e.run.status, 0) << describe(e.run);
  std::vector<std::string> funcs;
  for (const DumpType &t : parseDump(dumpOf(e)))
    if (t.kind == "FUNC")
      funcs.push_back(t.name);
  EXPECT_EQ(std::count(funcs.begin(), funcs.end(), "get"), 1) << describe(e.run);
  EXPECT_EQ(std::count_if(funcs.begin(), funcs.end(),
                          [](const std::string &n) { return n.rfind("_RNv", 0) == 0; }),
            2);
  EXPECT_NE((e.run.out + e.run.err).find("leaf name 'get' is taken by 'get'; FUNC named '_RNv"),
            std::string::npos)
      << e.run.err;
  Encoded again = encodeRaw(dir.path("clash.o"), dir, "--rust-func-names=leaf -j1", "j1.btf");
  Encoded again4 = encodeRaw(dir.path("clash.o"), dir, "--rust-func-names=leaf -j4", "j4.btf");
  EXPECT_EQ(again.btf, again4.btf);
}

// A C function and a Rust function with the same leaf name in one object:
// the C one keeps it, the Rust one is named by its symbol.
TEST(RustFuncNames, LeafNeverTakesACFunctionsName) {
  if (!haveProgram("rustc") || !haveProgram("gcc"))
    GTEST_SKIP() << "rustc or gcc not installed";
  TempDir dir;
  writeFile(dir.path("c.c"), "__attribute__((noinline)) int helper(int x) { return x * 2; }\n"
                             "int c_entry(int x) { return helper(x); }\n");
  writeFile(dir.path("r.rs"),
            "#![no_std]\n#[panic_handler] fn p(_: &core::panic::PanicInfo) -> ! { loop {} }\n"
            "#[inline(never)] pub fn helper(x: u32) -> u32 { x + 1 }\n"
            "#[no_mangle] pub extern \"C\" fn r_entry(x: u32) -> u32 { helper(x) }\n");
  RunResult cc = run("gcc -g -O1 -c -o " + quote(dir.path("c.o")) + " " + quote(dir.path("c.c")));
  ASSERT_EQ(cc.status, 0) << cc.err;
  RunResult rc = run("rustc --edition 2021 --crate-type=lib --emit=obj -C debuginfo=2 -C "
                     "panic=abort -C opt-level=1 -C symbol-mangling-version=v0 -o " +
                     quote(dir.path("r.o")) + " " + quote(dir.path("r.rs")));
  ASSERT_EQ(rc.status, 0) << rc.err;
  RunResult ld = run("ld -r -o " + quote(dir.path("m.o")) + " " + quote(dir.path("c.o")) + " " +
                     quote(dir.path("r.o")));
  ASSERT_EQ(ld.status, 0) << ld.err;
  Encoded e = encodeRaw(dir.path("m.o"), dir, "--rust-func-names=leaf --report -v");
  ASSERT_EQ(e.run.status, 0) << describe(e.run);
  std::vector<std::string> funcs;
  for (const DumpType &t : parseDump(dumpOf(e)))
    if (t.kind == "FUNC")
      funcs.push_back(t.name);
  EXPECT_EQ(std::count(funcs.begin(), funcs.end(), "helper"), 1) << describe(e.run);
  EXPECT_EQ(std::count_if(funcs.begin(), funcs.end(),
                          [](const std::string &n) { return n.rfind("_RNv", 0) == 0; }),
            1)
      << describe(e.run);
  EXPECT_NE(
      (e.run.out + e.run.err).find("leaf name 'helper' is taken by 'helper'; FUNC named '_RNv"),
      std::string::npos)
      << e.run.err;
}

TEST(RustCli, FuncNamesAndQualifyValuesAreChecked) {
  const std::string f = quote(testdata("bin/rust/mixed.rustc.dwarf4.O0.o"));
  RunResult a = runTool("encode --rust-func-names=short --raw /dev/null " + f);
  EXPECT_EQ(a.status, 2);
  EXPECT_NE(a.err.find("--rust-func-names: expected linkage or leaf, got 'short'"),
            std::string::npos)
      << a.err;
  RunResult b = runTool("encode --rust-qualify-clashes=maybe --raw /dev/null " + f);
  EXPECT_EQ(b.status, 2);
  EXPECT_NE(b.err.find("--rust-qualify-clashes: expected on or off, got 'maybe'"),
            std::string::npos)
      << b.err;
}

TEST(RustPolicyFile, FuncNamesAndQualifyClashesKeys) {
  TempDir dir;
  writeFile(dir.path("p.conf"), "[rust]\nfunc-names = leaf\nqualify-clashes = false\n");
  Encoded e = encodeRaw(testdata("bin/rust/layouts.rustc.dwarf4.O0.o"), dir,
                        "--policy " + quote(dir.path("p.conf")));
  ASSERT_EQ(e.run.status, 0) << describe(e.run);
  EXPECT_TRUE(namedTypes(parseDump(dumpOf(e))).count({"STRUCT", "S"}));
  Encoded f = encodeRaw(testdata("bin/rust/funcs.rustc.dwarf4.O0.o"), dir,
                        "--policy " + quote(dir.path("p.conf")), "f.btf");
  ASSERT_EQ(f.run.status, 0) << describe(f.run);
  EXPECT_NE(dumpOf(f).find("FUNC 'helper'"), std::string::npos);
}

} // namespace

// The shapes that made the 6.12 kernel's own Rust BTF rejected (CStr's unsized
// tail, a struct holding a fn item, `()` parameters): dropped by rule,
// reported, and the result loads.
TEST(RustUnsized, TailsFnItemsAndUnitParamsAreDroppedAndReported) {
  TempDir dir;
  const std::string fixture = testdata("bin/rust/unsized.rustc.dwarf4.O0.o");
  const std::string out = dir.path("u.btf");
  RunResult r = runTool("encode --report -v --raw " + quote(out) + " " + quote(fixture));
  ASSERT_EQ(r.status, 0) << describe(r);
  const std::string all = r.out + r.err;
  EXPECT_NE(all.find("  rust.drop.unsized-member                 2\n"), std::string::npos) << all;
  EXPECT_NE(all.find("  rust.drop.zst-param                      2\n"), std::string::npos) << all;
  EXPECT_NE(all.find(fixture + ": .debug_info: DIE 0x188 'MyStr': warning: member 'inner' lies "
                               "at or past the end of the 0-byte struct (an unsized tail or a "
                               "zero-sized fn item); dropped [rust.drop.unsized-member]\n"),
            std::string::npos)
      << all;
  RunResult d = runTool("dump " + quote(out));
  ASSERT_EQ(d.status, 0) << describe(d);
  EXPECT_NE(d.out.find("STRUCT 'MyStr' size=0 vlen=0\n"), std::string::npos) << d.out;
  RunResult c = runTool("check --kernel " + quote(out));
  if (c.out.find("kernel: skipped") != std::string::npos)
    GTEST_SKIP() << c.out;
  EXPECT_EQ(c.status, 0) << c.out << describe(c);
}
