// Resource limits: inputs crafted to exhaust the stack, memory or time.
//  - testdata/dwarf-asm/deep.s: 100,000-deep typedef, pointer and by-value
//    struct chains. The DWARF walk, lowering, dedup, the checker and both
//    dumps are iterative (or guarded), so nothing overflows; the structs all
//    share one name and shape, which makes dedup's graph comparison cubic
//    until its work limit stops it (reported as dedup.work-limit).
//  - tiny files claiming huge counts or sizes (raw BTF headers and vlens,
//    compressed sections, DWARF byte sizes and array bounds past 4 GiB) are
//    refused or handled without allocating what they claim.
// Every run is under `ulimit -v` 1 GiB: a run that tried to allocate what an
// input claims would fail (bad_alloc, exit 1 with the wrong message) or
// crash, not pass.
#include <gtest/gtest.h>

#include "e2e_support.h"

using namespace d2b::test;
using namespace d2b::test::e2e;

namespace {

constexpr const char *kLimit = "ulimit -v 1048576 && ";

bool sanitized() {
#if defined(__SANITIZE_ADDRESS__)
  return true;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
  return true;
#endif
#endif
  return false;
}

/// `dwarf2btf ARGS` under the 1 GiB address-space limit (and runTool's time-out).
RunResult runLimited(const std::string &args) {
  return run(std::string(kLimit) + "timeout -k 5 " + std::to_string(kToolTimeoutSeconds) + " " +
             quote(toolPath()) + " " + args);
}

class ResourceLimits : public ::testing::Test {
protected:
  void SetUp() override {
    if (sanitized())
      GTEST_SKIP() << "ASan reserves terabytes of address space; ulimit -v cannot apply";
  }
  std::string assemble(const std::string &name) {
    if (!haveProgram("gcc"))
      return "";
    const std::string obj = dir_.path(name + ".o");
    RunResult as =
        run("gcc -c " + quote(testdata("dwarf-asm/" + name + ".s")) + " -o " + quote(obj));
    EXPECT_EQ(as.status, 0) << describe(as);
    return obj;
  }
  TempDir dir_;
};

TEST_F(ResourceLimits, HundredThousandDeepDwarf) {
  const std::string obj = assemble("deep");
  if (obj.empty())
    GTEST_SKIP() << "gcc (assembler driver) not installed";
  const std::string out = dir_.path("deep.btf");
  RunResult r = runLimited("encode --report -v --raw " + quote(out) + " " + quote(obj));
  ASSERT_EQ(r.status, 0) << describe(r);
  // -v ends with per-phase "timing:" lines, whose values vary.
  EXPECT_EQ(r.err.substr(0, r.err.find("timing: ")),
            "report: rule counts\n"
            "  clash.type                               2\n"
            "  dedup.work-limit                         1\n" +
                obj +
                ": [200004]: note: 's' has 100000 different definitions (struct [200004], struct "
                "[200005], struct [200006], struct [200007], struct [200008], struct [200009], "
                "struct [200010], struct [200011], and 99992 more); all kept [clash.type]\n" +
                obj +
                ": [2]: note: 't' has 100000 different definitions (typedef [2], typedef [3], "
                "typedef [4], typedef [5], typedef [6], typedef [7], typedef [8], typedef [9], and "
                "99992 more); all kept [clash.type]\n" +
                obj +
                ": warning: comparing type graphs reached its limit of 143909888 steps for "
                "300004 types; the remaining structs and unions were kept without "
                "deduplication [dedup.work-limit]\n");
  RunResult c = runLimited("check " + quote(out));
  EXPECT_EQ(c.status, 0) << describe(c);
  EXPECT_EQ(c.out, out + ": 300004 types: no violations of the kernel's rules\n");
  RunResult d = runLimited("dump " + quote(out));
  ASSERT_EQ(d.status, 0) << describe(d);
  EXPECT_NE(d.out.find("[100002] TYPEDEF 'deep_typedef' type_id=100001\n"), std::string::npos);
  EXPECT_NE(d.out.find("[200003] TYPEDEF 'deep_pointer' type_id=200002\n"), std::string::npos);
  EXPECT_NE(d.out.find("[300004] TYPEDEF 'deep_struct' type_id=300003\n"), std::string::npos);
  RunResult h = runLimited("dump --format c " + quote(out));
  EXPECT_EQ(h.status, 0) << describe(h);
  EXPECT_NE(h.out.find("deep_struct;"), std::string::npos);
}

TEST_F(ResourceLimits, TinyRawBtfClaimingHugeSizes) {
  // Header: type and string sections of almost 4 GiB in a 88-byte file.
  std::string claims("\x9f\xeb\x01\x00\x18\x00\x00\x00"
                     "\x00\x00\x00\x00\xf0\xff\xff\xff"
                     "\xf0\xff\xff\xff\x10\x00\x00\x00",
                     24);
  claims += std::string(64, '\0');
  writeFile(dir_.path("claims.btf"), claims);
  // One STRUCT claiming 65,535 members, none present.
  std::string vlen("\x9f\xeb\x01\x00\x18\x00\x00\x00"
                   "\x00\x00\x00\x00\x0c\x00\x00\x00"
                   "\x0c\x00\x00\x00\x03\x00\x00\x00"
                   "\x01\x00\x00\x00\xff\xff\x00\x04\x08\x00\x00\x00"
                   "\x00s\x00",
                   39);
  writeFile(dir_.path("vlen.btf"), vlen);
  const std::string claimsMsg = "dwarf2btf: " + dir_.path("claims.btf") +
                                ": BTF header: string section [0xfffffff0, 0x100000000) extends "
                                "past the end of the data (0x40 bytes after the header)\n";
  const std::string vlenMsg = "dwarf2btf: " + dir_.path("vlen.btf") +
                              ": .BTF+0x18: type [1]: truncated: STRUCT with vlen 65535 needs "
                              "786432 bytes, 12 left in the type section\n";
  for (const char *cmd : {"dump ", "dump --format c ", "check "}) {
    RunResult a = runLimited(cmd + quote(dir_.path("claims.btf")));
    EXPECT_EQ(a.status, 1) << cmd << describe(a);
    EXPECT_EQ(a.err, claimsMsg) << cmd;
    RunResult b = runLimited(cmd + quote(dir_.path("vlen.btf")));
    EXPECT_EQ(b.status, 1) << cmd << describe(b);
    EXPECT_EQ(b.err, vlenMsg) << cmd;
  }
}

TEST_F(ResourceLimits, CompressedSectionsClaimingGigabytes) {
  const std::string absurd = testdata("fuzz/encode/compressed-section-absurd-size.o");
  const std::string oom = testdata("fuzz/encode/compressed-section-oom.o");
  RunResult a = runLimited("encode --raw " + quote(dir_.path("a.btf")) + " " + quote(absurd));
  EXPECT_EQ(a.status, 1) << describe(a);
  EXPECT_EQ(a.err, "dwarf2btf: " + absurd +
                       ": .debug_line: compression header claims 18446744047939748196 bytes, "
                       "which the 267 bytes of compressed data cannot hold\n");
  RunResult b = runLimited("encode --raw " + quote(dir_.path("b.btf")) + " " + quote(oom));
  EXPECT_EQ(b.status, 1) << describe(b);
  EXPECT_EQ(b.err, "dwarf2btf: " + oom +
                       ": .debug_str: compression header claims 4143970914 bytes, which the 738 "
                       "bytes of compressed data cannot hold\n");
}

TEST_F(ResourceLimits, DwarfSizesPastFourGiB) {
  // limits.s: an 8 GiB struct, arrays of 16 and 8 GiB, 70,000 members,
  // enumerators and parameters.
  const std::string obj = assemble("limits");
  if (obj.empty())
    GTEST_SKIP() << "gcc (assembler driver) not installed";
  RunResult r = runLimited("encode --raw " + quote(dir_.path("l.btf")) + " " + quote(obj));
  EXPECT_EQ(r.status, 0) << describe(r);
  EXPECT_EQ(r.err, "");
}

} // namespace
