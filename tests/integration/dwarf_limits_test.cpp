// DWARF at and past the limits (testdata/dwarf-asm/limits.s): unknown tags,
// attributes and languages do not stop the encode; a struct of 70,000
// members keeps the first 65,535 and says so; an element count above 2^32 is
// clamped and reported, and the array then overflows the kernel's U32 size
// rule, which the offline check turns into one clean error.
#include <gtest/gtest.h>

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

TEST_F(DwarfLimits, ClampsAndReports) {
  const std::string out = dir_.path("l.btf");
  RunResult r = runTool("encode --no-validate --report -v --raw " + quote(out) + " " + quote(obj_));
  ASSERT_EQ(r.status, 0) << describe(r);
  // -v also ends with per-phase "timing:" lines, whose values vary.
  std::string all = r.out + r.err;
  all = all.substr(0, all.find("timing: "));
  EXPECT_EQ(all,
            "report: rule counts\n"
            "  c.too-large                              1\n"
            "  c.too-many-members                       1\n" +
                obj_ +
                ": .debug_info: DIE 0x28: warning: element count 4294967297 does not fit in 32 "
                "bits; clamped [c.too-large]\n" +
                obj_ +
                ": .debug_info: DIE 0x49 'wide': warning: 70000 members exceed the BTF limit of "
                "65535; the rest are dropped [c.too-many-members]\n");
  RunResult d = runTool("dump " + quote(out));
  ASSERT_EQ(d.status, 0) << describe(d);
  EXPECT_NE(d.out.find("STRUCT 'wide' size=280000 vlen=65535\n"), std::string::npos);
  EXPECT_NE(d.out.find("ARRAY '(anon)' type_id=1 index_type_id=1 nr_elems=4294967295\n"),
            std::string::npos);
  EXPECT_NE(d.out.find("TYPEDEF 'huge_arr'"), std::string::npos);
  EXPECT_NE(d.out.find("TYPEDEF 'wide_t'"), std::string::npos);
}

TEST_F(DwarfLimits, OversizedArrayIsOneCleanError) {
  RunResult r = runTool("encode --raw " + quote(dir_.path("l.btf")) + " " + quote(obj_));
  EXPECT_EQ(r.status, 1);
  EXPECT_EQ(r.err, "dwarf2btf: " + obj_ +
                       ": the BTF would be rejected by the kernel (1 violation; --no-validate "
                       "writes it anyway): [2] ARRAY (anon) type_id=1 index_type_id=1 "
                       "nr_elems=4294967295 Array size overflows U32_MAX\n");
}

} // namespace
