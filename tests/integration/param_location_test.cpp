// decodeParamLocation / producedByClang on objects compiled by gcc and clang.
#include <gtest/gtest.h>

#include <dwarf.h>
#include <elf.h>
#include <elfutils/libdw.h>
#include <fcntl.h>
#include <map>
#include <unistd.h>

#include "dwarf2btf/encode/param_location.h"
#include "test_support.h"

using namespace d2b;
using namespace d2b::test;

namespace {

const char *kSource = R"(
struct pair { long a, b; };
struct big { long a, b, c; };
__attribute__((noinline)) int bar(int a, int b) { return a + 1; }
__attribute__((noinline)) static int foo(int a, int b, int c) { return a * b - a - b; }
__attribute__((noinline)) long takes_pair(struct pair p, int x) { return p.a + p.b + x; }
__attribute__((noinline)) long takes_big(struct big s, int x) { return s.a + s.c + x; }
__attribute__((noinline)) int many(int a, int b, int c, int d, int e, int f, int g, int h) {
  return a + b + c + d + e + f + g + h;
}
int a, b, c;
int main(void) {
  struct pair p = {a, b};
  struct big s = {a, b, c};
  return bar(a, c) + foo(a, b, c) + takes_pair(p, c) + takes_big(s, a) +
         many(a, b, c, a, b, c, a, b);
}
)";

struct Decoded {
  bool clang = false;
  /// For each concrete (low_pc) subprogram: "R5 R4 O U C" per parameter.
  std::map<std::string, std::string> params;
};

std::string describe(const model::ParamRecord &p) {
  switch (p.location) {
  case model::ParamLocation::Unknown:
    return "U";
  case model::ParamLocation::ConstValue:
    return "C";
  case model::ParamLocation::Register:
    return "R" + std::to_string(p.dwarfReg);
  case model::ParamLocation::Other:
    return "O";
  }
  return "?";
}

Decoded decodeObject(const std::string &path) {
  Decoded out;
  int fd = open(path.c_str(), O_RDONLY);
  Dwarf *dw = dwarf_begin(fd, DWARF_C_READ);
  EXPECT_NE(dw, nullptr) << path;
  const encode::CallAbi abi = encode::callAbiFor(EM_X86_64, 8);
  Dwarf_Off off = 0, next;
  size_t hsize;
  while (dw && dwarf_nextcu(dw, off, &next, &hsize, nullptr, nullptr, nullptr) == 0) {
    Dwarf_Die cu, fn;
    if (dwarf_offdie(dw, off + hsize, &cu)) {
      out.clang = encode::producedByClang(&cu);
      if (dwarf_child(&cu, &fn) == 0) {
        do {
          Dwarf_Addr lo;
          Dwarf_Attribute na;
          if (dwarf_tag(&fn) != DW_TAG_subprogram || dwarf_lowpc(&fn, &lo) != 0 ||
              !dwarf_attr_integrate(&fn, DW_AT_name, &na))
            continue;
          std::string desc;
          Dwarf_Die p;
          if (dwarf_child(&fn, &p) == 0) {
            do {
              if (dwarf_tag(&p) != DW_TAG_formal_parameter)
                continue;
              model::ParamRecord r;
              encode::decodeParamLocation(&p, abi, r);
              desc += (desc.empty() ? "" : " ") + describe(r);
            } while (dwarf_siblingof(&p, &p) == 0);
          }
          out.params[dwarf_formstring(&na)] = desc;
        } while (dwarf_siblingof(&fn, &fn) == 0);
      }
    }
    off = next;
  }
  if (dw)
    dwarf_end(dw);
  close(fd);
  return out;
}

Decoded build(const std::string &cc, const std::string &flags) {
  TempDir dir;
  writeFile(dir.path("p.c"), kSource);
  // Linked, so that the DWARF needs no relocation (plain libdw reads .o
  // files unrelocated: every DW_FORM_strp would point at offset 0).
  RunResult r = run(cc + " " + flags + " -g -o " + dir.path("p") + " " + dir.path("p.c"));
  EXPECT_EQ(r.status, 0) << r.err;
  return decodeObject(dir.path("p"));
}

} // namespace

TEST(ParamLocation, Gcc12O2) {
  if (!haveProgram("gcc"))
    GTEST_SKIP() << "gcc not found";
  Decoded d = build("gcc", "-O2");
  EXPECT_FALSE(d.clang);
  EXPECT_EQ(d.params["bar"], "R5 R4");
  // The concrete foo.constprop.0: c is only DW_OP_GNU_parameter_ref.
  EXPECT_EQ(d.params["foo"], "R5 R4 O");
  // A 16-byte struct in pieces rdi:rsi; x then takes rdx.
  EXPECT_EQ(d.params["takes_pair"], "R5 R1");
  // A 24-byte struct is passed in memory.
  EXPECT_EQ(d.params["takes_big"], "O R5");
  // a: location list DW_OP_reg5, then DW_OP_entry_value(reg5); g, h on the stack.
  EXPECT_EQ(d.params["many"], "R5 R4 R1 R2 R8 R9 O O");
}

TEST(ParamLocation, ClangO2) {
  if (!haveProgram("clang"))
    GTEST_SKIP() << "clang not found";
  Decoded d = build("clang", "-O2");
  EXPECT_TRUE(d.clang);
  // b is unused: clang gives it no location at all.
  EXPECT_EQ(d.params["bar"], "R5 U");
  EXPECT_EQ(d.params["takes_pair"], "R5 R1");
  EXPECT_EQ(d.params["takes_big"], "O R5");
  EXPECT_EQ(d.params["many"], "R5 R4 R1 R2 R8 R9 O O");
}

TEST(ParamLocation, GccO0KeepsEverythingOnTheStack) {
  if (!haveProgram("gcc"))
    GTEST_SKIP() << "gcc not found";
  Decoded d = build("gcc", "-O0");
  EXPECT_EQ(d.params["bar"], "O O");
  EXPECT_EQ(d.params["many"], "O O O O O O O O");
}
