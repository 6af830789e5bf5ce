// The section writer on real toolchain output: objects, executables, shared
// objects, ELF32, big-endian, >65535 sections, pahole output and a
// distribution debug vmlinux. Oracles: readelf (no warnings, unchanged
// tables), the linkers, running the programs, objcopy and bpftool.
#include "dwarf2btf/elf/section_writer.h"
#include "output_checks.h"
#include "test_support.h"

#include <cstdlib>
#include <filesystem>
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <sstream>

namespace d2b::test {
namespace {

namespace fs = std::filesystem;
using elf::writeElfWithSection;

/// Some bytes that are not all alike, so misplaced data shows.
std::string blob(size_t size, unsigned seed = 1) {
  std::string s(size, '\0');
  for (size_t i = 0; i < size; ++i)
    s[i] = static_cast<char>((i * 131 + seed * 7 + (i >> 8)) & 0xff);
  return s;
}

#define REQUIRE_PROGRAM(p)                                                                         \
  do {                                                                                             \
    if (!haveProgram(p))                                                                           \
      GTEST_SKIP() << p << " not installed";                                                       \
  } while (0)

/// Runs a command that must succeed; returns its stdout.
std::string mustRun(const std::string &cmd) {
  RunResult r = run(cmd);
  EXPECT_EQ(r.status, 0) << cmd << "\n" << r.err;
  return r.out;
}

/// readelf output, which must come without warnings or errors.
std::string readelf(const std::string &options, const std::string &path) {
  RunResult r = run("readelf -W " + options + " '" + path + "'");
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.err, "") << "readelf " << options << " " << path;
  return r.out;
}

/// The section table lines of `readelf -SW`, keyed by their "[Nr]" field.
std::vector<std::string> sectionLines(const std::string &readelfS) {
  std::vector<std::string> lines;
  std::istringstream in(readelfS);
  for (std::string line; std::getline(in, line);)
    if (line.rfind("  [", 0) == 0 && line.find("[Nr]") == std::string::npos)
      lines.push_back(line);
  return lines;
}

/// A section line without its index and file offset, for comparing a
/// section's attributes between two files.
std::string attributes(const std::string &line) {
  std::istringstream in(line.substr(line.find(']') + 1));
  std::vector<std::string> f;
  for (std::string w; in >> w;)
    f.push_back(w);
  if (f.size() < 6)
    return line;
  f[3] = "<off>";
  std::string out;
  for (const std::string &w : f)
    out += w + " ";
  return out;
}

std::string lineFor(const std::vector<std::string> &lines, const std::string &name) {
  for (const std::string &l : lines)
    if (l.find("] " + name + " ") != std::string::npos)
      return l;
  return "";
}

/// `after`'s section table is `before`'s plus one line for `name`. Only the
/// section name table (which may also hold the symbol names: LLVM shares one
/// .strtab) may move and grow, and section 0, whose sh_size holds the section
/// count when there are more than 65279 sections.
void expectOneSectionAdded(const std::string &beforePath, const std::string &afterPath,
                           const std::string &name) {
  std::vector<std::string> b = sectionLines(readelf("-S", beforePath)),
                           a = sectionLines(readelf("-S", afterPath));
  size_t names = readElf(beforePath).shstrndx;
  ASSERT_EQ(a.size(), b.size() + 1);
  for (size_t i = 0; i < b.size(); ++i) {
    if (i == names || (i == 0 && b.size() >= SHN_LORESERVE))
      continue;
    EXPECT_EQ(a[i], b[i]);
  }
  EXPECT_NE(a.back().find("] " + name + " "), std::string::npos) << a.back();
}

/// The attributes pahole 1.24 + objcopy give a new .BTF section.
void expectNewSectionAttributes(const std::string &readelfS, const std::string &name, size_t size) {
  std::string line = lineFor(sectionLines(readelfS), name);
  ASSERT_NE(line, "");
  std::istringstream in(line.substr(line.find(']') + 1));
  std::string n, type, addr, off, sz, es, lk, inf, al;
  in >> n >> type >> addr >> off >> sz >> es >> lk >> inf >> al; // no flags column
  EXPECT_EQ(type, "PROGBITS");
  EXPECT_EQ(std::stoull(addr, nullptr, 16), 0u);
  EXPECT_EQ(std::stoull(sz, nullptr, 16), size);
  EXPECT_EQ(es, "00");
  EXPECT_EQ(lk, "0");
  EXPECT_EQ(inf, "0");
  EXPECT_EQ(al, "1") << line;
  std::string rest;
  EXPECT_FALSE(in >> rest) << "unexpected flags in: " << line;
}

std::string dumpSection(const std::string &path, const std::string &name) {
  ElfInfo info = readElf(path);
  EXPECT_EQ(info.error, "");
  auto found = info.named(name);
  EXPECT_EQ(found.size(), 1u) << path;
  return found.empty() ? "" : found[0]->data;
}

const char *kProgram = R"(#include <stdio.h>
static int counter = 41;
int bump(void) { return ++counter; }
int main(void) { printf("hello %d\n", bump()); return 0; }
)";

// --- objects ----------------------------------------------------------------

TEST(SectionWriterToolchain, ObjectKeepsRelocationsAndLinks) {
  REQUIRE_PROGRAM("gcc");
  REQUIRE_PROGRAM("readelf");
  TempDir t;
  writeFile(t.path("prog.c"), kProgram);
  mustRun("gcc -g -O1 -c " + t.path("prog.c") + " -o " + t.path("prog.o"));
  fs::copy_file(t.path("prog.o"), t.path("orig.o"));
  std::string data = blob(1234);
  ASSERT_FALSE(writeElfWithSection(t.path("prog.o"), t.path("prog.o"), ".BTF", bytesOf(data)));

  expectOneSectionAdded(t.path("orig.o"), t.path("prog.o"), ".BTF");
  expectNewSectionAttributes(readelf("-S", t.path("prog.o")), ".BTF", data.size());
  EXPECT_EQ(readelf("-r", t.path("prog.o")), readelf("-r", t.path("orig.o")));
  EXPECT_EQ(readelf("-s", t.path("prog.o")), readelf("-s", t.path("orig.o")));
  EXPECT_EQ(dumpSection(t.path("prog.o"), ".BTF"), data);

  mustRun("gcc " + t.path("prog.o") + " -o " + t.path("prog"));
  EXPECT_EQ(mustRun(t.path("prog")), "hello 42\n");
  mustRun("ld -r " + t.path("prog.o") + " -o " + t.path("combined.o"));
}

TEST(SectionWriterToolchain, MatchesObjcopyAddSection) {
  REQUIRE_PROGRAM("gcc");
  REQUIRE_PROGRAM("objcopy");
  TempDir t;
  writeFile(t.path("prog.c"), kProgram);
  mustRun("gcc -g -c " + t.path("prog.c") + " -o " + t.path("prog.o"));
  std::string data = blob(777);
  writeFile(t.path("btf.bin"), data);
  // What the kernel build (pahole + GNU objcopy) produces for a new .BTF.
  mustRun("objcopy --add-section .BTF=" + t.path("btf.bin") + " " + t.path("prog.o") + " " +
          t.path("oracle.o"));
  ASSERT_FALSE(writeElfWithSection(t.path("prog.o"), t.path("ours.o"), ".BTF", bytesOf(data)));
  EXPECT_EQ(attributes(lineFor(sectionLines(readelf("-S", t.path("ours.o"))), ".BTF")),
            attributes(lineFor(sectionLines(readelf("-S", t.path("oracle.o"))), ".BTF")));
  mustRun("objcopy --dump-section .BTF=" + t.path("ours.bin") + " " + t.path("ours.o"));
  EXPECT_EQ(readFile(t.path("ours.bin")), data);
}

TEST(SectionWriterToolchain, CxxObjectKeepsGroups) {
  REQUIRE_PROGRAM("g++");
  TempDir t;
  writeFile(t.path("a.cpp"), R"(#include <cstdio>
template <class T> T twice(T x) { return x + x; }
inline int shared() { static int n = 20; return ++n; }
int main() { std::printf("%d %g\n", twice(shared()), twice(1.5)); }
)");
  mustRun("g++ -g -O0 -c " + t.path("a.cpp") + " -o " + t.path("a.o"));
  fs::copy_file(t.path("a.o"), t.path("orig.o"));
  ASSERT_FALSE(writeElfWithSection(t.path("a.o"), t.path("a.o"), ".BTF", bytesOf(blob(100))));
  std::string groups = readelf("-g", t.path("a.o"));
  EXPECT_NE(groups.find("COMDAT group section"), std::string::npos) << groups;
  EXPECT_EQ(groups, readelf("-g", t.path("orig.o")));
  EXPECT_EQ(readelf("-r", t.path("a.o")), readelf("-r", t.path("orig.o")));
  mustRun("g++ " + t.path("a.o") + " -o " + t.path("a"));
  EXPECT_EQ(mustRun(t.path("a")), "42 3\n");
}

// --- executables and shared objects ------------------------------------------

TEST(SectionWriterToolchain, ExecutableRunsAfterAddAndReplace) {
  REQUIRE_PROGRAM("gcc");
  TempDir t;
  writeFile(t.path("prog.c"), kProgram);
  std::string exe = t.path("prog");
  mustRun("gcc -g -O1 " + t.path("prog.c") + " -o " + exe);
  fs::copy_file(exe, t.path("orig"));
  std::string segments = readelf("-l", exe);
  size_t sections = sectionLines(readelf("-S", exe)).size();

  for (size_t size : {500u, 5000u, 20u, 500u}) {
    SCOPED_TRACE("data size " + std::to_string(size));
    std::string data = blob(size, static_cast<unsigned>(size));
    ASSERT_FALSE(writeElfWithSection(exe, exe, ".BTF", bytesOf(data)));
    EXPECT_EQ(mustRun(exe), "hello 42\n");
    EXPECT_EQ(readelf("-l", exe), segments);
    EXPECT_EQ(sectionLines(readelf("-S", exe)).size(), sections + 1);
    EXPECT_EQ(dumpSection(exe, ".BTF"), data);
    EXPECT_EQ(fs::status(exe).permissions(), fs::status(t.path("orig")).permissions());
  }
  expectOneSectionAdded(t.path("orig"), exe, ".BTF");
  mustRun("strip -o " + t.path("stripped") + " " + exe);
  EXPECT_EQ(mustRun(t.path("stripped")), "hello 42\n");
  // What the kernel build does next with the .tmp_vmlinux it had pahole encode.
  mustRun("objcopy --only-section=.BTF --set-section-flags .BTF=alloc,readonly --strip-all " + exe +
          " " + t.path("btf.o"));
  EXPECT_EQ(dumpSection(t.path("btf.o"), ".BTF"), blob(500, 500));
}

TEST(SectionWriterToolchain, SharedObjectStillLinksAndLoads) {
  REQUIRE_PROGRAM("gcc");
  TempDir t;
  writeFile(t.path("lib.c"), "int answer(void) { return 42; }\n");
  writeFile(t.path("main.c"),
            "#include <stdio.h>\nint answer(void);\nint main(void) { printf(\"%d\\n\", "
            "answer()); return 0; }\n");
  std::string so = t.path("libw.so");
  mustRun("gcc -g -shared -fPIC " + t.path("lib.c") + " -o " + so);
  fs::copy_file(so, t.path("orig.so"));
  ASSERT_FALSE(writeElfWithSection(so, so, ".BTF", bytesOf(blob(300))));
  EXPECT_EQ(readelf("-d", so), readelf("-d", t.path("orig.so")));
  EXPECT_EQ(readelf("--dyn-syms", so), readelf("--dyn-syms", t.path("orig.so")));
  EXPECT_EQ(readelf("-l", so), readelf("-l", t.path("orig.so")));
  mustRun("gcc " + t.path("main.c") + " -L" + t.dir().string() + " -lw -Wl,-rpath," +
          t.dir().string() + " -o " + t.path("main"));
  EXPECT_EQ(mustRun(t.path("main")), "42\n");
}

// --- other classes and byte orders -----------------------------------------

TEST(SectionWriterToolchain, Elf32Object) {
  REQUIRE_PROGRAM("gcc");
  TempDir t;
  // No libc headers: 32-bit ones are often not installed.
  writeFile(t.path("prog.c"), "static int counter = 41;\nint bump(void) { return ++counter; }\n"
                              "int main(void) { return bump() - 42; }\n");
  if (run("gcc -m32 -g -c " + t.path("prog.c") + " -o " + t.path("prog.o")).status != 0)
    GTEST_SKIP() << "gcc -m32 cannot compile here";
  fs::copy_file(t.path("prog.o"), t.path("orig.o"));
  std::string data = blob(999);
  ASSERT_FALSE(writeElfWithSection(t.path("prog.o"), t.path("prog.o"), ".BTF", bytesOf(data)));
  EXPECT_NE(readelf("-h", t.path("prog.o")).find("ELF32"), std::string::npos);
  expectOneSectionAdded(t.path("orig.o"), t.path("prog.o"), ".BTF");
  expectNewSectionAttributes(readelf("-S", t.path("prog.o")), ".BTF", data.size());
  EXPECT_EQ(readelf("-r", t.path("prog.o")), readelf("-r", t.path("orig.o")));
  EXPECT_EQ(dumpSection(t.path("prog.o"), ".BTF"), data);
  mustRun("ld -m elf_i386 -r " + t.path("prog.o") + " -o " + t.path("combined.o"));
}

struct CrossTarget {
  const char *triple;
  const char *elfClass;
};

class SectionWriterBigEndian : public ::testing::TestWithParam<CrossTarget> {};

TEST_P(SectionWriterBigEndian, ObjectReadsAndLinks) {
  REQUIRE_PROGRAM("clang");
  TempDir t;
  writeFile(t.path("prog.c"), "int counter = 41;\nint bump(void) { return ++counter; }\n");
  if (run(std::string("clang --target=") + GetParam().triple + " -g -c " + t.path("prog.c") +
          " -o " + t.path("prog.o"))
          .status != 0)
    GTEST_SKIP() << "clang cannot target " << GetParam().triple;
  fs::copy_file(t.path("prog.o"), t.path("orig.o"));
  std::string data = blob(4321);
  ASSERT_FALSE(writeElfWithSection(t.path("prog.o"), t.path("prog.o"), ".BTF", bytesOf(data)));
  std::string header = readelf("-h", t.path("prog.o"));
  EXPECT_NE(header.find("big endian"), std::string::npos);
  EXPECT_NE(header.find(GetParam().elfClass), std::string::npos);
  expectOneSectionAdded(t.path("orig.o"), t.path("prog.o"), ".BTF");
  expectNewSectionAttributes(readelf("-S", t.path("prog.o")), ".BTF", data.size());
  EXPECT_EQ(readelf("-r", t.path("prog.o")), readelf("-r", t.path("orig.o")));
  EXPECT_EQ(readelf("-s", t.path("prog.o")), readelf("-s", t.path("orig.o")));
  EXPECT_EQ(dumpSection(t.path("prog.o"), ".BTF"), data);
  for (const char *lld : {"ld.lld-22", "ld.lld"}) {
    if (!haveProgram(lld))
      continue;
    if (run(std::string(lld) + " -r " + t.path("orig.o") + " -o " + t.path("ref.o")).status != 0)
      continue; // this lld does not know the target
    mustRun(std::string(lld) + " -r " + t.path("prog.o") + " -o " + t.path("combined.o"));
    break;
  }
}

INSTANTIATE_TEST_SUITE_P(Targets, SectionWriterBigEndian,
                         ::testing::Values(CrossTarget{"s390x-linux-gnu", "ELF64"},
                                           CrossTarget{"powerpc-linux-gnu", "ELF32"}),
                         [](const auto &info) { return std::string(info.param.elfClass) + "Msb"; });

// --- extended section numbering ------------------------------------------------

TEST(SectionWriterToolchain, MoreThan65535Sections) {
  REQUIRE_PROGRAM("gcc");
  TempDir t;
  // One assembler line pair per section: the cheapest way to 70,000 sections.
  mustRun("awk 'BEGIN { for (i = 0; i < 70000; i++) printf \".section .s%d,\\\"a\\\"\\n.byte "
          "%d\\n\", i, i % 256 }' > " +
          t.path("many.s"));
  std::string obj = t.path("many.o");
  mustRun("gcc -c " + t.path("many.s") + " -o " + obj);
  std::string header = readelf("-h", obj);
  ASSERT_NE(header.find("Number of section headers:         0 (70005)"), std::string::npos)
      << header;
  fs::copy_file(obj, t.path("orig.o"));

  std::string data = blob(2048);
  ASSERT_FALSE(writeElfWithSection(obj, obj, ".BTF", bytesOf(data)));
  header = readelf("-h", obj);
  EXPECT_NE(header.find("Number of section headers:         0 (70006)"), std::string::npos)
      << header;
  EXPECT_NE(header.find("Section header string table index: 65535 (70004)"), std::string::npos)
      << header;
  expectOneSectionAdded(t.path("orig.o"), obj, ".BTF");
  EXPECT_EQ(readelf("-s", obj), readelf("-s", t.path("orig.o")));
  EXPECT_EQ(dumpSection(obj, ".BTF"), data);

  writeFile(t.path("main.c"), "int main(void) { return 0; }\n");
  mustRun("gcc " + t.path("main.c") + " " + obj + " -o " + t.path("main"));
  mustRun(t.path("main"));
}

// --- pahole and bpftool ----------------------------------------------------------

TEST(SectionWriterToolchain, ReplacesPaholeBtfReadableByBpftool) {
  REQUIRE_PROGRAM("gcc");
  REQUIRE_PROGRAM("pahole");
  REQUIRE_PROGRAM("bpftool");
  REQUIRE_PROGRAM("objcopy");
  TempDir t;
  writeFile(t.path("prog.c"), "struct point { int x, y; };\nstruct point origin;\n"
                              "int norm(struct point *p) { return p->x * p->x + p->y * p->y; }\n");
  mustRun("gcc -g -c " + t.path("prog.c") + " -o " + t.path("prog.o"));
  fs::copy_file(t.path("prog.o"), t.path("pahole.o"));
  mustRun("pahole -J " + t.path("pahole.o"));
  mustRun("objcopy --dump-section .BTF=" + t.path("real.btf") + " " + t.path("pahole.o"));
  std::string btf = readFile(t.path("real.btf"));
  std::string expected = mustRun("bpftool btf dump file " + t.path("pahole.o"));
  ASSERT_NE(expected.find("STRUCT 'point'"), std::string::npos) << expected;

  // Added to a fresh object, and written over pahole's own .BTF.
  ASSERT_FALSE(writeElfWithSection(t.path("prog.o"), t.path("ours.o"), ".BTF", bytesOf(btf)));
  EXPECT_EQ(mustRun("bpftool btf dump file " + t.path("ours.o")), expected);
  ASSERT_FALSE(
      writeElfWithSection(t.path("pahole.o"), t.path("pahole.o"), ".BTF", bytesOf(blob(50))));
  ASSERT_FALSE(writeElfWithSection(t.path("pahole.o"), t.path("pahole.o"), ".BTF", bytesOf(btf)));
  EXPECT_EQ(mustRun("bpftool btf dump file " + t.path("pahole.o")), expected);
  EXPECT_EQ(sectionLines(readelf("-S", t.path("pahole.o"))).size(),
            sectionLines(readelf("-S", t.path("ours.o"))).size());
}

// --- a distribution debug vmlinux ----------------------------------------------

TEST(SectionWriterToolchain, DistributionDebugVmlinux) {
  std::string vmlinux = d2b::test::debugVmlinux();
  if (vmlinux.empty())
    GTEST_SKIP() << "no debug vmlinux in /usr/lib/debug/boot (set D2B_DEBUG_VMLINUX)";
  REQUIRE_PROGRAM("readelf");
  TempDir t;
  ElfInfo info = readElf(vmlinux);
  ASSERT_EQ(info.error, "");
  auto btf = info.named(".BTF");
  std::string segments = readelf("-l", vmlinux);

  // A new section: every existing header line, segment and relocation link stays.
  std::string out = t.path("vmlinux");
  ASSERT_FALSE(writeElfWithSection(vmlinux, out, ".BTF.test", bytesOf(blob(4096))));
  std::string afterS = readelf("-S", out);
  expectOneSectionAdded(vmlinux, out, ".BTF.test");
  expectNewSectionAttributes(afterS, ".BTF.test", 4096);
  EXPECT_EQ(readelf("-l", out), segments);
  uint64_t names = info.sections[info.shstrndx].hdr.sh_offset;
  // Every byte after the ELF header up to the old section name table is unchanged.
  mustRun("cmp -i 64 -n " + std::to_string(names - 64) + " '" + vmlinux + "' " + out);

  if (btf.empty())
    return;
  // The loaded .BTF keeps its size: different-size data is refused, same-size
  // data goes in place.
  const SectionInfo &old = *btf[0];
  ASSERT_TRUE(old.hdr.sh_flags & SHF_ALLOC);
  Error e = writeElfWithSection(out, out, ".BTF", bytesOf(blob(100)));
  ASSERT_TRUE(e);
  EXPECT_EQ(e.message(),
            out + ": section '.BTF' [" + std::to_string(old.index) + "] is SHF_ALLOC (address " +
                fmt::format("{:#x}, {:#x}", old.hdr.sh_addr, old.hdr.sh_size) +
                " bytes in a loaded segment) and can only be replaced by data of the same size, "
                "not 0x64 bytes");
  std::string same = blob(old.hdr.sh_size, 3);
  ASSERT_FALSE(writeElfWithSection(out, out, ".BTF", bytesOf(same)));
  EXPECT_EQ(readelf("-S", out), afterS);
  EXPECT_EQ(dumpSection(out, ".BTF"), same);
}

} // namespace
} // namespace d2b::test
