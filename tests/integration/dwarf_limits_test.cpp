// DWARF at and past the limits (testdata/dwarf-asm/limits.s): unknown tags
// and attributes are skipped and counted (listed once per abbreviation and
// unit), unknown languages lowered as C with one warning per value; a struct
// of 70,000 members (an enum of 70,000 enumerators, a prototype of 70,000
// parameters) keeps the first 65,535 and says so; arrays of 4 GiB or
// more become zero-length arrays so the BTF still passes the kernel's rules.
// An unknown form (testdata/dwarf-asm/unknown_form.s) cannot be skipped and
// is one clean error naming it.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include "e2e_support.h"

using namespace d2b::test;
using namespace d2b::test::e2e;

namespace {

class DwarfLimits : public ::testing::Test {
protected:
  void SetUp() override {
    if (!haveProgram("gcc"))
      GTEST_SKIP() << "gcc (assembler driver) not installed";
    RunResult as = run("gcc -c " + quote(testdata("dwarf-asm/limits.s")) + " -o " + quote(obj_));
    ASSERT_EQ(as.status, 0) << describe(as);
  }
  TempDir dir_;
  std::string obj_ = dir_.path("limits.o");
};

TEST_F(DwarfLimits, SkipsCountsAndFallsBack) {
  const std::string out = dir_.path("l.btf");
  RunResult r = runTool("encode --report -v --raw " + quote(out) + " " + quote(obj_));
  ASSERT_EQ(r.status, 0) << describe(r);
  const std::string f = obj_ + ": .debug_info: ";
  // -v also ends with per-phase "timing:" lines, whose values vary.
  std::string all = r.out + r.err;
  all = all.substr(0, all.find("timing: "));
  EXPECT_EQ(all,
            "report: rule counts\n"
            "  c.array-too-large                        2\n"
            "  c.member-offset-too-large                1\n"
            "  c.too-large                              1\n"
            "  c.too-many-enumerators                   1\n"
            "  c.too-many-members                       1\n"
            "  c.too-many-params                        1\n"
            "  dwarf.unknown-attribute                  6\n"
            "  dwarf.unknown-language                   2\n"
            "  dwarf.unknown-tag                        2\n" +
                f +
                "DIE 0xb: warning: unknown DW_AT_language 0x7777; its units are lowered as C "
                "[dwarf.unknown-language]\n" +
                f +
                "DIE 0x17 DW_TAG_base_type 'int': note: unknown attribute 0x3f00 (form 0xb) "
                "skipped [dwarf.unknown-attribute]\n" +
                f +
                "DIE 0x1f DW_TAG_0x5555 'mystery': note: unknown tag 0x5555 skipped with its "
                "children [dwarf.unknown-tag]\n" +
                f +
                "DIE 0x28: warning: array of 4294967297 elements of 4 bytes is 4 GiB or more, "
                "which BTF cannot describe; encoded as a zero-length array [c.array-too-large]\n" +
                f +
                "DIE 0x49 'wide': warning: 70000 members exceed the BTF limit of 65535; the rest "
                "are dropped [c.too-many-members]\n" +
                f +
                "DIE 0xbc030 DW_TAG_0x8888 'future': note: unknown tag 0x8888 skipped with its "
                "children [dwarf.unknown-tag]\n" +
                f +
                "DIE 0xbc05f DW_TAG_base_type 'short': note: unknown attribute 0x3f00 (form 0xb) "
                "skipped [dwarf.unknown-attribute]\n" +
                f +
                "DIE 0xbc075: warning: unknown DW_AT_language 0x9999; its units are lowered as C "
                "[dwarf.unknown-language]\n" +
                f +
                "DIE 0xbc07f DW_TAG_base_type 'short': note: unknown attribute 0x3f00 (form 0xb) "
                "skipped [dwarf.unknown-attribute]\n" +
                f +
                "DIE 0xbc09e DW_TAG_base_type 'int': note: unknown attribute 0x3f00 (form 0xb) "
                "skipped [dwarf.unknown-attribute]\n" +
                f +
                "DIE 0xbc0a6 'big': warning: member 'b' at bit offset 34359738368 cannot be "
                "encoded; placed at 0 [c.member-offset-too-large]\n" +
                f +
                "DIE 0xbc0a6 'big': warning: size 8589934592 does not fit in 32 bits; clamped "
                "[c.too-large]\n" +
                f +
                "DIE 0xbc0d2: warning: array of 2147483648 elements of 4 bytes is 4 GiB or more, "
                "which BTF cannot describe; encoded as a zero-length array [c.array-too-large]\n" +
                f +
                "DIE 0xbc13d DW_TAG_base_type 'int': note: unknown attribute 0x3f00 (form 0xb) "
                "skipped [dwarf.unknown-attribute]\n" +
                f +
                "DIE 0xbc145 'many': warning: 70000 enumerators exceed the BTF limit of 65535; "
                "the rest are dropped [c.too-many-enumerators]\n" +
                f +
                "DIE 0x133b69: warning: too many parameters for BTF; the rest are dropped "
                "[c.too-many-params]\n");
  RunResult d = runTool("dump " + quote(out));
  ASSERT_EQ(d.status, 0) << describe(d);
  EXPECT_NE(d.out.find("STRUCT 'wide' size=280000 vlen=65535\n"), std::string::npos);
  EXPECT_NE(d.out.find("[2] ARRAY '(anon)' type_id=1 index_type_id=1 nr_elems=0\n"),
            std::string::npos)
      << d.out;
  // int[2][0x80000000]: the inner level is the one past 4 GiB, and the
  // outer one (two zero-length arrays) is then small again.
  EXPECT_NE(d.out.find("ARRAY '(anon)' type_id=2 index_type_id=1 nr_elems=2\n"), std::string::npos);
  EXPECT_NE(d.out.find("STRUCT 'holder' size=16 vlen=2\n"
                       "\t'arr' type_id=9 bits_offset=0\n"
                       "\t'after' type_id=1 bits_offset=64\n"),
            std::string::npos)
      << d.out;
  EXPECT_NE(d.out.find("ENUM 'many' encoding=UNSIGNED size=4 vlen=65535\n"), std::string::npos);
  EXPECT_NE(d.out.find("FUNC_PROTO '(anon)' ret_type_id=1 vlen=65535\n"), std::string::npos);
  EXPECT_NE(d.out.find("TYPEDEF 'huge_arr'"), std::string::npos);
  EXPECT_NE(d.out.find("TYPEDEF 'wide_t'"), std::string::npos);
  EXPECT_EQ(d.out.find("future"), std::string::npos);
  EXPECT_EQ(d.out.find("mystery"), std::string::npos);
  EXPECT_NE(d.out.find("INT 'long'"), std::string::npos); // the sibling after 0x8888
  EXPECT_NE(d.out.find("INT 'short'"), std::string::npos);

  if (geteuid() != 0)
    GTEST_SKIP() << "BPF_BTF_LOAD needs root";
  RunResult k = runTool("check --kernel " + quote(out));
  EXPECT_EQ(k.status, 0) << describe(k);
  EXPECT_NE(k.out.find("kernel: accepted"), std::string::npos) << describe(k);
}

TEST_F(DwarfLimits, UnknownFormIsOneCleanError) {
  const std::string obj = dir_.path("form.o");
  RunResult as = run("gcc -c " + quote(testdata("dwarf-asm/unknown_form.s")) + " -o " + quote(obj));
  ASSERT_EQ(as.status, 0) << describe(as);
  RunResult r = runTool("encode --raw " + quote(dir_.path("f.btf")) + " " + quote(obj));
  EXPECT_EQ(r.status, 1);
  EXPECT_EQ(r.err, "dwarf2btf: " + obj +
                       ": .debug_info+0x1c: cannot read sibling: abbreviation 3 (DW_TAG_typedef) "
                       "gives attribute 0x3f01 the unknown form 0x2d, whose size libdw cannot "
                       "know, so the unit cannot be read past it\n");
  EXPECT_FALSE(std::filesystem::exists(dir_.path("f.btf")));
}

} // namespace
