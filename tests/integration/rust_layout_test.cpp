// Layout round trip for every Rust fixture (issue 3): the C header that
// `dwarf2btf dump --format c` prints for our BTF is compiled with clang into
// a program that checks sizeof and offsetof of every member of every Rust
// struct, union and enum (variant fields and discriminants included) against
// the layout rustc wrote in the DWARF, read here with libdw independently of
// src/dwarf (tests/support/dwarf_layout.cpp). Types that cannot be checked
// are listed with their reason; their number per fixture is pinned.
#include <gtest/gtest.h>

#include <map>

#include "dwarf_layout.h"
#include "e2e_support.h"
#include "rust_layout_check.h"

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

// Unchecked types per fixture (file name -> count); the reasons are printed.
// The only ones: core::ffi::c_void in `layouts`, which is void in BTF, and in
// `unsized` the two `Wrap<fn(u64) -> u64>`: rustc gives a struct holding the
// fn item `double` (zero-sized) and one holding a fn pointer the same name.
const std::map<std::string, size_t> kPinnedUnchecked = {
    {"boxed.rustc.dwarf4.O0.o", 0},         {"boxed.rustc.dwarf5.O2.o", 0},
    {"enums.rustc.dwarf4.O0.o", 0},         {"enums.rustc.dwarf4.O2.o", 0},
    {"enums.rustc.dwarf5.O2.o", 0},         {"funcs.rustc.dwarf4.O0.o", 0},
    {"funcs.rustc.dwarf5.O2.o", 0},         {"layouts.rustc.dwarf4.O0.o", 1},
    {"layouts.rustc.dwarf4.O2.o", 1},       {"layouts.rustc.dwarf5.O2.o", 1},
    {"mixed.rustc+gcc.dwarf4.O2.ldr.o", 0}, {"mixed.rustc.dwarf4.O0.o", 0},
    {"mixed.rustc.dwarf5.O2.o", 0},         {"variant_members.llvm-ir.dwarf4.o", 0},
    {"wide.rustc.dwarf4.O0.o", 0},          {"wide.rustc.dwarf5.O2.o", 0},
    {"unsized.rustc.dwarf4.O0.o", 2},       {"unsized.rustc.dwarf5.O2.o", 2},
};

struct RoundTrip {
  LayoutProgram program;
  std::string output; // the check program's stdout
  int status = -1;
};

// Encodes `fixture` with `args`, dumps C, builds and runs the check program.
RoundTrip roundTrip(const std::string &fixture, const std::string &args, bool qualified) {
  RoundTrip rt;
  TempDir dir;
  std::string err;
  LayoutInputs in;
  in.types = readRustLayouts(fixture, &err);
  EXPECT_TRUE(err.empty()) << err;
  in.qualified = qualified;
  const std::string btf = dir.path("out.btf");
  RunResult enc =
      runTool("encode --report -v " + args + " --raw " + quote(btf) + " " + quote(fixture));
  EXPECT_EQ(enc.status, 0) << describe(enc);
  in.opaqueRule = opaqueRulesFromReport(enc.out + enc.err);
  RunResult h = runTool("dump --format c " + quote(btf));
  EXPECT_EQ(h.status, 0) << describe(h);
  in.header = h.out;
  rt.program = buildLayoutProgram(in);
  const std::string src = dir.path("layout.c"), exe = dir.path("layout");
  writeFile(src, rt.program.source);
  RunResult cc = run(clangForChecks() + " -std=gnu11 -w -DBPF_NO_PRESERVE_ACCESS_INDEX -o " +
                     quote(exe) + " " + quote(src));
  EXPECT_EQ(cc.status, 0) << cc.err.substr(0, 4000);
  if (cc.status != 0)
    return rt;
  RunResult r = run(quote(exe));
  rt.output = r.out;
  rt.status = r.status;
  return rt;
}

class RustLayoutRoundTrip : public ::testing::TestWithParam<std::string> {};

TEST_P(RustLayoutRoundTrip, EveryMemberOffsetMatchesTheDwarf) {
  if (clangForChecks().empty())
    GTEST_SKIP() << "no clang";
  const std::string &fixture = GetParam();
  RoundTrip rt = roundTrip(fixture, "", true);
  EXPECT_EQ(rt.status, 0) << rt.output.substr(0, 6000);
  EXPECT_NE(rt.output.find("checked " + std::to_string(rt.program.checks) + "\n"),
            std::string::npos)
      << rt.output.substr(0, 2000);
  EXPECT_GE(rt.program.checks, 10u);
  std::string list;
  for (const std::string &u : rt.program.unchecked)
    list += "  " + u + "\n";
  const std::string name = baseName(fixture);
  auto pin = kPinnedUnchecked.find(name);
  ASSERT_NE(pin, kPinnedUnchecked.end()) << "pin the unchecked count of " << name;
  EXPECT_LE(rt.program.unchecked.size(), pin->second) << "unchecked types:\n" << list;
  std::cout << name << ": " << rt.program.checks << " checks, " << rt.program.droppedZstMembers
            << " zero-sized members (dropped by rule), " << rt.program.unchecked.size()
            << " unchecked\n"
            << list;
}

INSTANTIATE_TEST_SUITE_P(Fixtures, RustLayoutRoundTrip, ::testing::ValuesIn(rustFixtures()),
                         [](const auto &info) { return paramName(info.param); });

// Without qualification layouts::S, a::S and b::S share one C name: all three
// are listed as unchecked with that reason rather than checked against the
// wrong layout.
TEST(RustLayoutRoundTripUnqualified, ClashesAreListedNotChecked) {
  if (clangForChecks().empty())
    GTEST_SKIP() << "no clang";
  RoundTrip rt = roundTrip(testdata("bin/rust/layouts.rustc.dwarf4.O0.o"),
                           "--rust-qualify-clashes=off", false);
  EXPECT_EQ(rt.status, 0) << rt.output.substr(0, 4000);
  size_t clashes = 0;
  for (const std::string &u : rt.program.unchecked)
    clashes += u.find(" S: 3 different layouts share the C name 'S'") != std::string::npos;
  EXPECT_EQ(clashes, 3u);
  EXPECT_EQ(rt.program.unchecked.size(), 4u); // and c_void
}

// The checker itself can fail: a wrong expected offset is caught.
TEST(RustLayoutCheck, AWrongOffsetFails) {
  if (clangForChecks().empty())
    GTEST_SKIP() << "no clang";
  TempDir dir;
  LayoutInputs in;
  in.header = "struct S {\n\tunsigned char a;\n\tunsigned int b;\n};\n";
  DwarfType t;
  t.name = "S";
  t.die = 0x10;
  t.size = 8;
  t.members = {{"a", 0, 1}, {"b", 2, 4}}; // b is really at 4
  in.types = {t};
  LayoutProgram p = buildLayoutProgram(in);
  EXPECT_EQ(p.checks, 3u);
  writeFile(dir.path("t.c"), p.source);
  RunResult cc = run(clangForChecks() + " -std=gnu11 -w -o " + quote(dir.path("t")) + " " +
                     quote(dir.path("t.c")));
  ASSERT_EQ(cc.status, 0) << cc.err;
  RunResult r = run(quote(dir.path("t")));
  EXPECT_NE(r.status, 0);
  EXPECT_EQ(r.out, "FAIL S.b: C says 4, DWARF says 2\nchecked 3\n");
}

TEST(RustLayoutCheck, NamesFollowTheLoweringRules) {
  DwarfType e;
  e.name = "Option<&u32>";
  e.die = 1;
  DwarfType v;
  v.name = "Some";
  v.ownerDie = 1;
  v.ownerName = e.name;
  EXPECT_EQ(rustCName(e), "Option_3C__26_u32_3E_");
  EXPECT_EQ(rustCName(v), "Option_3C__26_u32_3E__Some");
  v.ownerName = "D";
  EXPECT_EQ(rustCName(v), "D__Some");
  EXPECT_EQ(rustFieldName("0"), "__0");
  EXPECT_EQ(rustFieldName("{x}"), "___7B_x_7D_");
  EXPECT_EQ(rustFieldName("__0"), "__0");
}

} // namespace
