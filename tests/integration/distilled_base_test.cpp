// Distilled base end to end: `encode --base B --distilled-base` and pahole
// mode's distilled_base write .BTF and .BTF.base; the pair reads back with
// libbpf (bpftool) and our dump, and loads in the kernel.
#include <gtest/gtest.h>

#include <filesystem>

#include "e2e_support.h"

using namespace d2b::test;
using namespace d2b::test::e2e;

namespace {

std::string paholeLink() {
  return (std::filesystem::path(toolPath()).parent_path() / "pahole").string();
}

/// base.btf from kinds.gcc, and a copy of kinds.clang as the "module".
struct ModuleFixture {
  TempDir dir;
  std::string base = dir.path("base.btf");
  std::string mod = dir.path("mod.ko");
  ModuleFixture() {
    RunResult r =
        runTool("encode --raw " + quote(base) + " " + quote(testdata("bin/kinds.gcc.dwarf5.O2.o")));
    EXPECT_EQ(r.status, 0) << r.err;
    std::filesystem::copy_file(testdata("bin/kinds.clang.dwarf5.O2.o"), mod);
  }
};

} // namespace

TEST(DistilledBase, EncodeWritesBothSectionsThatReadBackAndLoad) {
  ModuleFixture s;
  RunResult r = runTool("encode --base " + quote(s.base) + " --distilled-base " + quote(s.mod));
  ASSERT_EQ(r.status, 0) << r.err;
  auto distBase = elfSection(s.mod, ".BTF.base");
  auto split = elfSection(s.mod, ".BTF");
  ASSERT_TRUE(distBase && split);
  writeFile(s.dir.path("dist.btf"), *distBase);
  writeFile(s.dir.path("split.btf"), *split);

  // libbpf reads the distilled base: named types only, composites member-less.
  RunResult b = run("bpftool btf dump file " + quote(s.dir.path("dist.btf")));
  if (b.status == 127)
    GTEST_SKIP() << "bpftool not found";
  ASSERT_EQ(b.status, 0) << b.err;
  auto baseTypes = parseDump(b.out);
  ASSERT_EQ(baseTypes.size(), 15u) << b.out;
  for (const DumpType &t : baseTypes) {
    EXPECT_NE(t.name, "(anon)") << t.line;
    if (t.kind == "STRUCT" || t.kind == "UNION" || t.kind == "ENUM") {
      EXPECT_NE(t.line.find("vlen=0"), std::string::npos) << t.line;
    }
  }
  // ... and the split BTF on top of it, as our dump of the module does.
  RunResult lb = run("bpftool -B " + quote(s.dir.path("dist.btf")) + " btf dump file " +
                     quote(s.dir.path("split.btf")));
  ASSERT_EQ(lb.status, 0) << lb.err;
  RunResult ours = runTool("dump " + quote(s.mod));
  ASSERT_EQ(ours.status, 0) << ours.err;
  EXPECT_EQ(ours.out, lb.out);
  EXPECT_EQ(parseDump(ours.out).size(), 92u);
  EXPECT_EQ(ours.out.rfind("[16] ", 0), 0u) << ours.out.substr(0, 200);

  RunResult k = runTool("check --kernel " + quote(s.mod));
  if (k.out.find("check skipped") == std::string::npos) {
    EXPECT_NE(k.out.find("kernel: accepted"), std::string::npos) << k.out;
  }
  EXPECT_EQ(k.status, 0) << k.out << k.err;
}

TEST(DistilledBase, PaholeModeWritesItOnlyForElfOutput) {
  ModuleFixture s;
  RunResult r = run(quote(paholeLink()) + " -J --btf_features=default,distilled_base --btf_base " +
                    quote(s.base) + " " + quote(s.mod));
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_TRUE(elfSection(s.mod, ".BTF.base"));
  RunResult k = runTool("check " + quote(s.mod));
  EXPECT_EQ(k.status, 0) << k.out;

  // Detached output is the split BTF alone, as pahole's.
  std::string other = s.dir.path("other.ko");
  std::filesystem::copy_file(testdata("bin/kinds.clang.dwarf5.O2.o"), other);
  std::string raw = s.dir.path("other.btf");
  RunResult d = run(quote(paholeLink()) + " -J --btf_features=default,distilled_base --btf_base " +
                    quote(s.base) + " --btf_encode_detached=" + quote(raw) + " " + quote(other));
  ASSERT_EQ(d.status, 0) << d.err;
  EXPECT_FALSE(elfSection(other, ".BTF.base"));
  RunResult dump = runTool("dump --base " + quote(s.base) + " " + quote(raw));
  EXPECT_EQ(dump.status, 0) << dump.err;
}

TEST(DistilledBase, UsageErrors) {
  ModuleFixture s;
  RunResult noBase = runTool("encode --distilled-base " + quote(s.mod));
  EXPECT_EQ(noBase.status, 2);
  EXPECT_EQ(noBase.err, "dwarf2btf: encode: --distilled-base needs --base\n");
  RunResult raw = runTool("encode --base " + quote(s.base) + " --distilled-base --raw " +
                          quote(s.dir.path("x.btf")) + " " + quote(s.mod));
  EXPECT_EQ(raw.status, 2);
  EXPECT_EQ(raw.err, "dwarf2btf: encode: --distilled-base writes ELF sections (.BTF and "
                     ".BTF.base); it cannot be combined with --raw or --raw-dir\n");
}

// check/dump --base relocate the module onto that base, as the kernel does at
// module load.
TEST(DistilledBase, RelocatedOntoItsBaseLoadsInTheKernel) {
  ModuleFixture s;
  ASSERT_EQ(runTool("encode --base " + quote(s.base) + " --distilled-base " + quote(s.mod)).status,
            0);
  RunResult d = runTool("dump --base " + quote(s.base) + " " + quote(s.mod));
  ASSERT_EQ(d.status, 0) << d.err;
  auto types = parseDump(d.out);
  ASSERT_EQ(types.size(), 92u);
  EXPECT_EQ(types.front().id, 132u); // after the 131 types of the base
  RunResult k = runTool("check --kernel --base " + quote(s.base) + " " + quote(s.mod));
  EXPECT_EQ(k.status, 0) << k.out << k.err;
  if (k.out.find("check skipped") == std::string::npos) {
    EXPECT_NE(k.out.find("kernel: accepted"), std::string::npos) << k.out;
  }

  // A base that lacks what the module needs: the error names the type.
  std::string other = s.dir.path("other.btf");
  ASSERT_EQ(runTool("encode --raw " + quote(other) + " " +
                    quote(testdata("bin/multi.gcc.dwarf5.O2.ldr.o")))
                .status,
            0);
  RunResult bad = runTool("check --base " + quote(other) + " " + quote(s.mod));
  EXPECT_EQ(bad.status, 1);
  EXPECT_EQ(bad.err.rfind("dwarf2btf: " + s.mod + ": relocation: distilled base type '", 0), 0u)
      << bad.err;
  EXPECT_NE(bad.err.find(" has no match in the base\n"), std::string::npos) << bad.err;
}

// Writing a new .BTF beside an old .BTF.base would make the kernel relocate
// it against the wrong base; that write is refused and the file kept.
TEST(DistilledBase, PlainReencodeRefusesAStaleDistilledBase) {
  ModuleFixture s;
  ASSERT_EQ(runTool("encode --base " + quote(s.base) + " --distilled-base " + quote(s.mod)).status,
            0);
  std::string before = readFile(s.mod);
  RunResult r = runTool("encode --base " + quote(s.base) + " " + quote(s.mod));
  EXPECT_EQ(r.status, 1);
  EXPECT_EQ(r.err, "dwarf2btf: " + s.mod +
                       ": has a .BTF.base section (a distilled base) that would not match the new "
                       ".BTF: encode with --base B --distilled-base, or remove it first (objcopy "
                       "--remove-section .BTF.base)\n");
  EXPECT_EQ(readFile(s.mod), before);
  // Encoding it again with a distilled base replaces both sections.
  auto btf = elfSection(s.mod, ".BTF"), distBase = elfSection(s.mod, ".BTF.base");
  RunResult again = runTool("encode --base " + quote(s.base) + " --distilled-base " + quote(s.mod));
  EXPECT_EQ(again.status, 0) << again.err;
  EXPECT_EQ(elfSection(s.mod, ".BTF"), btf);
  EXPECT_EQ(elfSection(s.mod, ".BTF.base"), distBase);
  RunResult sections = run("readelf -SW " + quote(s.mod) + " | grep -c ' .BTF'");
  EXPECT_EQ(sections.out, "2\n");
}
