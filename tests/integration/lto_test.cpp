// Cross-language LTO (testdata/bin/lto, scripts/build-lto-fixtures.sh): C
// (clang-22) and Rust (rustc -C linker-plugin-lto) joined by ld.lld-22 with
// full LTO and with ThinLTO. Shows that the fixtures really inline across
// languages (DW_TAG_inlined_subroutine whose DW_FORM_ref_addr abstract origin
// is a DIE of a unit of the other language), then that dwarf2btf lowers every
// DIE by its own unit's language, resolves every cross-unit reference, keeps
// one set of types for ThinLTO's duplicated units, produces BTF the kernel
// loads, drops exactly the Rust types with --lang-exclude rust / --rust
// exclude, and writes the same bytes for every -j.
#include <gtest/gtest.h>

#include <dwarf.h>
#include <elfutils/libdw.h>

#include <cstring>
#include <map>
#include <set>

#include "dwarf2btf/elf/elf_input.h"
#include "e2e_support.h"

using namespace d2b;
using namespace d2b::test;
using namespace d2b::test::e2e;

namespace {

std::vector<std::string> ltoFixtures() {
  std::vector<std::string> out;
  for (const std::string &f : listDir(testdata("bin/lto")))
    if (f != "MANIFEST")
      out.push_back(testdata("bin/lto/" + f));
  return out;
}

struct InlineFacts {
  int cInlinesRust = 0;  // inlined_subroutine in a C unit, origin in a Rust unit
  int rustInlinesC = 0;  // and the reverse
  int cTypeRefsRust = 0; // a C unit's DW_AT_type is a ref_addr to a Rust unit's DIE
  int cUnits = 0, rustUnits = 0;
};

int unitLanguage(Dwarf_Die *die) {
  Dwarf_Die cu;
  if (!dwarf_diecu(die, &cu, nullptr, nullptr))
    return -1;
  return dwarf_srclang(&cu);
}

bool isC(int lang) {
  return lang == DW_LANG_C89 || lang == DW_LANG_C || lang == DW_LANG_C99 || lang == DW_LANG_C11;
}

// Walks every unit with libdw (through the tool's own reader, so ET_REL
// relocations of .debug_info, which ref_addr needs, are applied).
InlineFacts inlineFacts(const std::string &path) {
  InlineFacts f;
  auto in = elf::ElfInput::open(path);
  EXPECT_TRUE(bool(in)) << (in ? "" : in.error().message());
  if (!in)
    return f;
  Dwarf *dw = (*in)->primary().dwarf();
  Dwarf_Off off = 0, next = 0;
  size_t hsize = 0;
  while (dwarf_nextcu(dw, off, &next, &hsize, nullptr, nullptr, nullptr) == 0) {
    Dwarf_Die cu;
    if (!dwarf_offdie(dw, off + hsize, &cu))
      break;
    const int lang = dwarf_srclang(&cu);
    f.cUnits += isC(lang);
    f.rustUnits += lang == DW_LANG_Rust;
    std::vector<Dwarf_Die> stack{cu};
    while (!stack.empty()) {
      Dwarf_Die d = stack.back();
      stack.pop_back();
      Dwarf_Attribute a;
      Dwarf_Die origin;
      if (dwarf_tag(&d) == DW_TAG_inlined_subroutine && dwarf_attr(&d, DW_AT_abstract_origin, &a) &&
          dwarf_whatform(&a) == DW_FORM_ref_addr && dwarf_formref_die(&a, &origin)) {
        const int olang = unitLanguage(&origin);
        f.cInlinesRust += isC(lang) && olang == DW_LANG_Rust;
        f.rustInlinesC += lang == DW_LANG_Rust && isC(olang);
      }
      Dwarf_Die type;
      if (isC(lang) && dwarf_attr(&d, DW_AT_type, &a) && dwarf_whatform(&a) == DW_FORM_ref_addr &&
          dwarf_formref_die(&a, &type))
        f.cTypeRefsRust += unitLanguage(&type) == DW_LANG_Rust;
      Dwarf_Die c;
      if (dwarf_child(&d, &c) == 0)
        do
          stack.push_back(c);
        while (dwarf_siblingof(&c, &c) == 0);
    }
    off = next;
  }
  return f;
}

size_t countNamed(const std::vector<DumpType> &types, const std::string &kind,
                  const std::string &name) {
  size_t n = 0;
  for (const DumpType &t : types)
    n += t.kind == kind && t.name == name;
  return n;
}

class Lto : public ::testing::TestWithParam<std::string> {
protected:
  std::vector<DumpType> encodeAndDump(const std::string &args, std::string *report = nullptr) {
    Encoded e = encodeRaw(GetParam(), dir_, args, "o" + std::to_string(++n_) + ".btf");
    EXPECT_EQ(e.run.status, 0) << describe(e.run);
    if (report)
      *report = e.run.err;
    RunResult d = runTool("dump " + quote(e.btfPath));
    EXPECT_EQ(d.status, 0) << describe(d);
    return parseDump(d.out);
  }
  TempDir dir_;
  int n_ = 0;
};

// (a) The fixture inlines Rust into C and C into Rust across units.
TEST_P(Lto, InlinesAcrossLanguagesThroughRefAddr) {
  InlineFacts f = inlineFacts(GetParam());
  EXPECT_GE(f.cUnits, 1);
  EXPECT_GE(f.rustUnits, 1);
  EXPECT_GE(f.cInlinesRust, 3) << "rs_sum, rs_shape_area and rs_weigh inlined into c_total";
  EXPECT_GE(f.rustInlinesC, 1) << "c_weight inlined into rs_weigh";
}

// ThinLTO keeps a copy of every unit a backend imported from.
TEST_P(Lto, ThinLtoDuplicatesUnits) {
  InlineFacts f = inlineFacts(GetParam());
  const bool thin = GetParam().find(".thin.") != std::string::npos;
  EXPECT_EQ(f.cUnits, thin ? 2 : 1);
  EXPECT_EQ(f.rustUnits, thin ? 2 : 1);
}

// Full LTO emits the DIBasicType C23's bool shares with Rust once, in the
// Rust unit: c_is_heavy (C) returns a Rust DIE. Lowered by the Rust rules it
// is '_Bool' (the kernel preset's C spelling of Rust's bool); ThinLTO keeps
// a C bool in the C unit, which C's rules name 'bool'.
TEST_P(Lto, CUnitTypeInRustUnitLoweredByRust) {
  const bool full = GetParam().find(".full.") != std::string::npos;
  InlineFacts f = inlineFacts(GetParam());
  EXPECT_EQ(f.cTypeRefsRust, full ? 1 : 0);
  std::vector<DumpType> types = encodeAndDump("");
  std::map<uint32_t, const DumpType *> byId;
  for (const DumpType &t : types)
    byId[t.id] = &t;
  auto typeIdOf = [](const std::string &line, const char *key) {
    return uint32_t(std::stoul(line.substr(line.find(key) + std::strlen(key))));
  };
  std::string ret;
  for (const DumpType &t : types)
    if (t.kind == "FUNC" && t.name == "c_is_heavy")
      ret = byId.at(typeIdOf(byId.at(typeIdOf(t.line, "type_id="))->line, "ret_type_id="))->name;
  EXPECT_EQ(ret, full ? "_Bool" : "bool");
}

// (b) Rust DIEs are lowered by the Rust rules, C DIEs by C's; (c) every
// reference resolves and the duplicated units give one set of types.
TEST_P(Lto, EachDieLoweredByItsUnitsLanguage) {
  std::string report;
  std::vector<DumpType> types = encodeAndDump("--report -v", &report);
  EXPECT_EQ(report.find("dwarf.dangling-ref"), std::string::npos) << report;
  EXPECT_EQ(report.find("dwarf.not-a-type"), std::string::npos) << report;
  EXPECT_EQ(report.find("opaque"), std::string::npos) << report;
  for (const DumpType &t : types) {
    if (t.name == "(anon)" || t.kind == "INT" || t.kind == "FLOAT" || t.kind == "DATASEC")
      continue;
    EXPECT_EQ(t.name.find_first_of("<>&:,;[]{}() #*"), std::string::npos) << t.line;
  }
  // Rust: members sorted by offset, Option named the bpf-linker way.
  EXPECT_EQ(countNamed(types, "STRUCT", "LtoPair"), 1u);
  EXPECT_EQ(countNamed(types, "STRUCT", "RsState"), 1u);
  EXPECT_EQ(countNamed(types, "STRUCT", "Option_3C__26_lto_rs_3A__3A_LtoPair_3E_"), 1u);
  // C, once although ThinLTO put struct lto_pair into two C units.
  EXPECT_EQ(countNamed(types, "STRUCT", "lto_pair"), 1u);
  EXPECT_EQ(countNamed(types, "STRUCT", "c_node"), 1u);
  // The C struct RsShape and the Rust enum RsShape are both kept.
  EXPECT_EQ(countNamed(types, "STRUCT", "RsShape"), 2u);
  EXPECT_NE(report.find("'RsShape' has 2 different definitions"), std::string::npos) << report;
  // Functions of both languages.
  EXPECT_EQ(countNamed(types, "FUNC", "c_total"), 1u);
  EXPECT_EQ(countNamed(types, "FUNC", "c_weight"), 1u);
  EXPECT_EQ(countNamed(types, "FUNC", "rs_sum"), 1u);
}

// (d) The kernel loads it.
TEST_P(Lto, KernelAccepts) {
  Encoded e = encodeRaw(GetParam(), dir_);
  ASSERT_EQ(e.run.status, 0) << describe(e.run);
  RunResult c = runTool("check --kernel " + quote(e.btfPath));
  if (c.out.find("kernel: skipped") != std::string::npos)
    GTEST_SKIP() << c.out;
  EXPECT_EQ(c.status, 0) << c.out << describe(c);
  EXPECT_NE(c.out.find("kernel: accepted"), std::string::npos) << c.out;
}

// (e) Excluding Rust drops exactly the Rust types: what is left is what the
// C units alone give, and together with the Rust units alone it is the whole.
TEST_P(Lto, LangExcludeDropsExactlyRust) {
  auto all = namedTypes(encodeAndDump(""));
  auto noRust = namedTypes(encodeAndDump("--lang-exclude rust"));
  auto noRustPreset = namedTypes(encodeAndDump("--rust=exclude"));
  auto noC = namedTypes(encodeAndDump("--lang-exclude c"));
  EXPECT_EQ(noRust, noRustPreset);
  std::set<std::pair<std::string, std::string>> rustOnly;
  for (const auto &t : noC)
    if (!noRust.count(t))
      rustOnly.insert(t);
  for (const auto &t : rustOnly)
    EXPECT_TRUE(all.count(t)) << t.first << " " << t.second;
  std::set<std::pair<std::string, std::string>> unionSet = noRust;
  unionSet.insert(noC.begin(), noC.end());
  // ThinLTO's imported Rust unit declares RsShape without defining it. Dedup
  // resolves a FWD only to a unique definition, and with both languages in
  // one BTF there are two (the C/Rust clash), so the unreferenced FWD stays;
  // with either language alone it resolves.
  if (GetParam().find(".thin.") != std::string::npos) {
    EXPECT_TRUE(all.count({"FWD", "RsShape"}));
    all.erase({"FWD", "RsShape"});
  }
  EXPECT_EQ(unionSet, all);
  for (const char *rust : {"LtoPair", "RsState", "Option_3C__26_lto_rs_3A__3A_LtoPair_3E_"})
    EXPECT_FALSE(noRust.count({"STRUCT", rust})) << rust;
  EXPECT_FALSE(noRust.count({"FUNC", "rs_sum"}));
  EXPECT_TRUE(noRust.count({"STRUCT", "lto_pair"}));
  EXPECT_TRUE(noRust.count({"STRUCT", "RsShape"})); // the C one
  EXPECT_TRUE(noRust.count({"FUNC", "c_total"}));
  EXPECT_FALSE(noC.count({"STRUCT", "c_node"}));
}

// (f) Parallelism is kept and does not change a byte.
TEST_P(Lto, SameBytesForEveryJobCount) {
  Encoded one = encodeRaw(GetParam(), dir_, "-j1", "j1.btf");
  ASSERT_EQ(one.run.status, 0) << describe(one.run);
  ASSERT_FALSE(one.btf.empty());
  for (const char *j : {"-j2", "-j8"}) {
    Encoded e = encodeRaw(GetParam(), dir_, j, std::string(j + 1) + ".btf");
    ASSERT_EQ(e.run.status, 0) << describe(e.run);
    EXPECT_EQ(e.btf, one.btf) << j;
  }
}

INSTANTIATE_TEST_SUITE_P(Fixtures, Lto, ::testing::ValuesIn(ltoFixtures()),
                         [](const auto &info) { return paramName(info.param); });

} // namespace
