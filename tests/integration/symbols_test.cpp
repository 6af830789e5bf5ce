// readSymbols on objects and executables built with gcc (and as) here.
#include <gtest/gtest.h>

#include <dwarf.h>
#include <elfutils/libdwfl.h>
#include <fcntl.h>
#include <gelf.h>
#include <map>
#include <unistd.h>

#include "dwarf2btf/elf/symbols.h"
#include "test_support.h"

using namespace d2b;
using namespace d2b::test;

namespace {

/// An ELF file opened read-only with libelf.
class ElfFile {
public:
  explicit ElfFile(const std::string &path) {
    elf_version(EV_CURRENT);
    fd_ = open(path.c_str(), O_RDONLY);
    if (fd_ >= 0)
      elf_ = elf_begin(fd_, ELF_C_READ_MMAP, nullptr);
  }
  ~ElfFile() {
    if (elf_)
      elf_end(elf_);
    if (fd_ >= 0)
      close(fd_);
  }
  Elf *get() const { return elf_; }

private:
  int fd_ = -1;
  Elf *elf_ = nullptr;
};

/// An ET_REL file laid out by libdwfl, as the DWARF stage opens it: section
/// headers carry the addresses the DWARF relocation used.
class OfflineModule {
public:
  explicit OfflineModule(const std::string &path) {
    static const Dwfl_Callbacks cb = {.find_elf = nullptr,
                                      .find_debuginfo = dwfl_standard_find_debuginfo,
                                      .section_address = dwfl_offline_section_address,
                                      .debuginfo_path = nullptr};
    dwfl_ = dwfl_begin(&cb);
    mod_ = dwfl_report_offline(dwfl_, "m", path.c_str(), -1);
    dwfl_report_end(dwfl_, nullptr, nullptr);
    if (mod_) {
      Dwarf_Addr bias = 0;
      dwarf_ = dwfl_module_getdwarf(mod_, &bias);
      elf_ = dwfl_module_getelf(mod_, &bias);
    }
  }
  ~OfflineModule() { dwfl_end(dwfl_); }
  Elf *elf() const { return elf_; }
  /// low_pc of every top-level subprogram that has one, by name.
  std::map<std::string, uint64_t> lowPcs() const {
    std::map<std::string, uint64_t> out;
    Dwarf_Off off = 0, next;
    size_t hsize;
    while (dwarf_ && dwarf_nextcu(dwarf_, off, &next, &hsize, nullptr, nullptr, nullptr) == 0) {
      Dwarf_Die cu, c;
      if (dwarf_offdie(dwarf_, off + hsize, &cu) && dwarf_child(&cu, &c) == 0) {
        do {
          Dwarf_Addr lo;
          if (dwarf_tag(&c) == DW_TAG_subprogram && dwarf_lowpc(&c, &lo) == 0 && dwarf_diename(&c))
            out[dwarf_diename(&c)] = lo;
        } while (dwarf_siblingof(&c, &c) == 0);
      }
      off = next;
    }
    return out;
  }

private:
  Dwfl *dwfl_ = nullptr;
  Dwfl_Module *mod_ = nullptr;
  Dwarf *dwarf_ = nullptr;
  Elf *elf_ = nullptr;
};

bool compile(const std::string &cmd) {
  RunResult r = run(cmd);
  EXPECT_EQ(r.status, 0) << cmd << "\n" << r.err;
  return r.status == 0;
}

std::vector<std::string> names(const elf::FunctionGroup *g) {
  std::vector<std::string> out;
  if (g)
    for (const auto &s : g->symbols)
      out.push_back(s.name);
  return out;
}

const char *kOptimized = R"(
#include <stdlib.h>
struct s { int a, b; long c[8]; };
__attribute__((noinline, cold)) void die(const char *m) { abort(); }
int g;
__attribute__((noinline)) int f(int x) {
  if (__builtin_expect(x < 0, 0)) { die("neg"); g++; return -1; }
  return x * 2;
}
static __attribute__((noinline)) int get(struct s *p, int k) { return p->a * k + p->b; }
static __attribute__((noinline)) int sum(int *p, int n, int unused) {
  int s = 0;
  for (int i = 0; i < n; i++) s += p[i];
  return s;
}
int arr[10];
int use(struct s *x, struct s *y, int k) { return get(x, k) + get(y, k + 1); }
int main(int argc, char **argv) { return f(argc) + sum(arr, argc, 5); }
)";

} // namespace

TEST(Symbols, StaticsWithTheSameNameAreAmbiguous) {
  if (!haveProgram("gcc"))
    GTEST_SKIP() << "gcc not found";
  TempDir dir;
  writeFile(dir.path("a.c"),
            "__attribute__((noinline)) static int helper(int x) { return x + 1; }\n"
            "int from_a(int x) { return helper(x); }\n");
  writeFile(dir.path("b.c"),
            "__attribute__((noinline)) static int helper(int x) { return x * 3; }\n"
            "int from_b(int x) { return helper(x); }\n"
            "int from_a(int);\n"
            "int main(int c, char **v) { return from_a(c) + from_b(c); }\n");
  ASSERT_TRUE(
      compile("gcc -g -O2 -o " + dir.path("prog") + " " + dir.path("a.c") + " " + dir.path("b.c")));
  ElfFile f(dir.path("prog"));
  ASSERT_NE(f.get(), nullptr);
  Expected<elf::SymbolTable> t = elf::readSymbols(f.get(), dir.path("prog"));
  ASSERT_TRUE(t) << t.error().message();
  EXPECT_EQ(t->symtabName, ".symtab");
  EXPECT_EQ(t->machine, EM_X86_64);
  EXPECT_EQ(t->addressSize, 8);
  const elf::FunctionGroup *helper = t->findFunction("helper");
  ASSERT_NE(helper, nullptr);
  EXPECT_EQ(helper->symbols.size(), 2u);
  EXPECT_TRUE(helper->ambiguousAddr);
  ASSERT_NE(t->findFunction("main"), nullptr);
  EXPECT_FALSE(t->findFunction("main")->ambiguousAddr);
  EXPECT_NE(t->findFunction("from_a"), nullptr);
}

TEST(Symbols, ClonesAndColdPartsOfAnOptimizedExecutable) {
  if (!haveProgram("gcc"))
    GTEST_SKIP() << "gcc not found";
  TempDir dir;
  writeFile(dir.path("o.c"), kOptimized);
  ASSERT_TRUE(compile("gcc -g -O2 -o " + dir.path("o") + " " + dir.path("o.c")));
  ElfFile f(dir.path("o"));
  Expected<elf::SymbolTable> t = elf::readSymbols(f.get(), dir.path("o"));
  ASSERT_TRUE(t) << t.error().message();
  // f.cold is a fragment of f, not a second definition.
  EXPECT_EQ(names(t->findFunction("f")), (std::vector<std::string>{"f"}));
  // gcc 12 -O2 clones get() (get.isra.0) and sum() (sum.constprop.0); the
  // clone is found under the base name.
  int clones = 0;
  for (const char *fn : {"get", "sum"}) {
    const elf::FunctionGroup *g = t->findFunction(fn);
    ASSERT_NE(g, nullptr) << fn;
    ASSERT_EQ(g->symbols.size(), 1u) << fn;
    EXPECT_EQ(elf::functionKey(g->symbols[0].name), fn);
    if (g->symbols[0].name != fn) {
      EXPECT_TRUE(elf::isOptimizedClone(g->symbols[0].name)) << g->symbols[0].name;
      ++clones;
    }
    EXPECT_FALSE(g->ambiguousAddr);
  }
  EXPECT_GE(clones, 1) << "gcc -O2 produced no .isra/.constprop clone";
  for (const elf::ObjectSymbol &o : t->objects()) {
    if (o.name != "arr" && o.name != "g")
      continue;
    const elf::SectionInfo *s = t->sectionContaining(o.address);
    ASSERT_NE(s, nullptr) << o.name;
    EXPECT_EQ(s->index, o.section) << o.name;
    EXPECT_EQ(s->name, ".bss") << o.name;
  }
}

TEST(Symbols, RelocatableObjectUsesSectionAddresses) {
  if (!haveProgram("gcc"))
    GTEST_SKIP() << "gcc not found";
  TempDir dir;
  writeFile(dir.path("o.c"), kOptimized);
  const std::string obj = dir.path("o.o");
  ASSERT_TRUE(compile("gcc -g -O2 -ffunction-sections -fdata-sections -c -o " + obj + " " +
                      dir.path("o.c")));
  {
    // Straight from the file every function sits at st_value 0 of its own
    // section, so all addresses are 0.
    ElfFile raw(obj);
    Expected<elf::SymbolTable> t = elf::readSymbols(raw.get(), obj);
    ASSERT_TRUE(t) << t.error().message();
    EXPECT_EQ(t->elfType, ET_REL);
    ASSERT_NE(t->findFunction("main"), nullptr);
    EXPECT_EQ(t->findFunction("main")->symbols[0].address, 0u);
  }
  OfflineModule m(obj);
  ASSERT_NE(m.elf(), nullptr);
  Expected<elf::SymbolTable> t = elf::readSymbols(m.elf(), obj);
  ASSERT_TRUE(t) << t.error().message();
  std::map<std::string, uint64_t> pcs = m.lowPcs();
  ASSERT_GE(pcs.size(), 3u);
  size_t matched = 0;
  for (const auto &[name, pc] : pcs) {
    const elf::FunctionGroup *g = t->findFunction(name);
    ASSERT_NE(g, nullptr) << name;
    // The DWARF address of every out-of-line function is its symbol's.
    EXPECT_TRUE(g->hasAddress(pc)) << name << " at " << std::hex << pc;
    matched += g->hasAddress(pc);
  }
  EXPECT_EQ(matched, pcs.size());
  // Objects resolve to their own -fdata-sections section.
  bool sawArr = false;
  for (const elf::ObjectSymbol &o : t->objects()) {
    if (o.name != "arr")
      continue;
    sawArr = true;
    const elf::SectionInfo *s = t->sectionContaining(o.address);
    ASSERT_NE(s, nullptr);
    EXPECT_EQ(s->name, ".bss.arr");
    EXPECT_TRUE(t->hasObject("arr", s->index));
  }
  EXPECT_TRUE(sawArr);
}

TEST(Symbols, DynsymFallbackSkipsImports) {
  if (!haveProgram("gcc") || !haveProgram("strip"))
    GTEST_SKIP() << "gcc or strip not found";
  TempDir dir;
  writeFile(dir.path("l.c"), "#include <stdio.h>\n"
                             "int api(int x) { printf(\"%d\\n\", x); return x; }\n"
                             "int exported_var = 3;\n");
  const std::string so = dir.path("libl.so");
  ASSERT_TRUE(compile("gcc -shared -fPIC -O2 -o " + so + " " + dir.path("l.c") + " && strip " +
                      "--strip-all " + so));
  ElfFile f(so);
  Expected<elf::SymbolTable> t = elf::readSymbols(f.get(), so);
  ASSERT_TRUE(t) << t.error().message();
  EXPECT_EQ(t->symtabName, ".dynsym");
  EXPECT_NE(t->findFunction("api"), nullptr);
  EXPECT_EQ(t->findFunction("printf"), nullptr); // undefined: an import
  bool sawVar = false;
  for (const elf::ObjectSymbol &o : t->objects())
    sawVar |= o.name == "exported_var";
  EXPECT_TRUE(sawVar);
}

TEST(Symbols, ExtendedSectionNumbering) {
  if (!haveProgram("as"))
    GTEST_SKIP() << "as not found";
  // More sections than e_shnum can count: symbol section indexes go
  // through SHN_XINDEX and .symtab_shndx.
  TempDir dir;
  constexpr int kSections = 65300;
  std::string s;
  s.reserve(kSections * 120);
  for (int i = 0; i < kSections; ++i)
    s += ".section .data.s" + std::to_string(i) + ",\"aw\"\n.globl v" + std::to_string(i) +
         "\n.type v" + std::to_string(i) + ",@object\n.size v" + std::to_string(i) + ",4\nv" +
         std::to_string(i) + ": .long 0\n";
  s += ".section .text.last,\"ax\"\n.globl lastfn\n.type lastfn,@function\nlastfn: ret\n"
       ".size lastfn,1\n";
  writeFile(dir.path("x.s"), s);
  ASSERT_TRUE(compile("as -o " + dir.path("x.o") + " " + dir.path("x.s")));
  ElfFile f(dir.path("x.o"));
  Expected<elf::SymbolTable> t = elf::readSymbols(f.get(), dir.path("x.o"));
  ASSERT_TRUE(t) << t.error().message();
  ASSERT_GT(t->sections().size(), size_t(SHN_LORESERVE));
  uint32_t high = 0;
  for (const elf::SectionInfo &sec : t->sections())
    if (sec.name == ".data.s65299")
      high = sec.index;
  ASSERT_GT(high, uint32_t(SHN_LORESERVE));
  EXPECT_TRUE(t->hasObject("v65299", high));
  EXPECT_FALSE(t->hasObject("v65299", high - 1));
  EXPECT_TRUE(t->hasObject("v0", high - (kSections - 1)));
  EXPECT_NE(t->findFunction("lastfn"), nullptr);
}

TEST(Symbols, NotAnElfIsAnError) {
  elf_version(EV_CURRENT);
  char junk[] = "this is not an ELF file at all, just some text";
  Elf *e = elf_memory(junk, sizeof junk);
  ASSERT_NE(e, nullptr);
  Expected<elf::SymbolTable> t = elf::readSymbols(e, "junk.bin");
  elf_end(e);
  ASSERT_FALSE(t);
  EXPECT_EQ(t.error().message(), "junk.bin: cannot read the ELF header: invalid `Elf' handle");
}
