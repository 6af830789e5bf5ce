// An object with more than 65,535 sections (extended section numbering:
// e_shnum = 0 and e_shstrndx = SHN_XINDEX, the real values in section 0), as
// kpatch builds produce and pahole crashed on: encode in place keeps the
// extended numbering, adds .BTF, and bpftool reads the result.
#include <gtest/gtest.h>

#include <elf.h>

#include <cstring>
#include <fstream>

#include "e2e_support.h"

using namespace d2b::test;
using namespace d2b::test::e2e;

namespace {

TEST(ExtendedSectionNumbering, EncodeInPlaceOf70000Sections) {
  if (!haveProgram("gcc"))
    GTEST_SKIP() << "gcc is not installed";
  TempDir dir;
  {
    std::ofstream c(dir.path("many.c"));
    c << "struct many { int a; long b; };\nstruct many g_many;\n"
         "int f(struct many *m) { return m->a; }\n__asm__(\n";
    for (int i = 0; i < 70000; ++i)
      c << "\"\\t.section .x" << i << ",\\\"a\\\"\\n\\t.byte 1\\n\"\n";
    c << ");\n";
  }
  const std::string obj = dir.path("many.o");
  RunResult cc = run("gcc -g -O1 -c -w " + quote(dir.path("many.c")) + " -o " + quote(obj));
  ASSERT_EQ(cc.status, 0) << describe(cc);

  RunResult r = runTool("encode --vars all " + quote(obj));
  ASSERT_EQ(r.status, 0) << describe(r);
  const std::string bytes = readFile(obj);
  Elf64_Ehdr eh;
  ASSERT_GE(bytes.size(), sizeof eh);
  std::memcpy(&eh, bytes.data(), sizeof eh);
  EXPECT_EQ(eh.e_shnum, 0) << "extended numbering lost";
  EXPECT_EQ(eh.e_shstrndx, SHN_XINDEX);
  Elf64_Shdr s0;
  std::memcpy(&s0, bytes.data() + eh.e_shoff, sizeof s0);
  EXPECT_GT(s0.sh_size, 70000u);

  RunResult d = runTool("dump " + quote(obj));
  ASSERT_EQ(d.status, 0) << describe(d);
  EXPECT_NE(d.out.find("[1] STRUCT 'many' size=16 vlen=2\n"), std::string::npos) << d.out;
  EXPECT_NE(d.out.find("VAR 'g_many' type_id=1, linkage=global"), std::string::npos) << d.out;
  if (haveProgram("bpftool")) {
    RunResult b = run("bpftool btf dump file " + quote(obj));
    EXPECT_EQ(b.status, 0) << describe(b);
    EXPECT_EQ(b.out, d.out);
  }
}

} // namespace
