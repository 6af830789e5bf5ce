// End to end: compiled C -> encodeTypes (DWARF stage) -> readSymbols ->
// addFunctions / addVariables, checked on the resulting BTF, with bpftool
// and, when allowed, the kernel. The checks follow pahole's
// tests/gcc_optimized_default.sh. Until the DWARF stage is in the tree the
// tests report themselves skipped.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>

#include "dwarf2btf/elf/symbols.h"
#include "dwarf2btf/encode/functions.h"
#include "dwarf2btf/encode/variables.h"
#include "test_support.h"

#if __has_include("dwarf2btf/encode/encoder.h")
#include "dwarf2btf/encode/encoder.h"
#define D2B_HAVE_ENCODER 1
#endif

#if defined(D2B_HAVE_LIBBPF)
#include <bpf/btf.h>
#include <cerrno>
#endif

using namespace d2b;
using namespace d2b::test;

namespace {

[[maybe_unused]] const char *kOptimizedDefault = R"(
__attribute__((noinline)) int bar(int a, int b)
{
	return a + 1;
}

__attribute__((noinline)) static int foo(int a, int b, int c)
{
	return a * b - a - b;
}

int a, b, c;
int main(void)
{
	return bar(a, c) + foo(a, b, c);
}
)";

[[maybe_unused]] const char *kVariables = R"(
#define __percpu_var __attribute__((section(".data..percpu")))
int pcpu_first __percpu_var = 1;
static long pcpu_second __percpu_var = 2;
struct stats { long rx, tx; } pcpu_stats __percpu_var;
int __UNIQUE_ID_hidden __percpu_var = 3;
int plain_global = 4;
static int plain_static;
int *pick(void) { static int in_func; return plain_static ? &in_func : &plain_global; }
int main(int argc, char **argv) {
  plain_static = argc;
  return pcpu_first + pcpu_second + pcpu_stats.rx + *pick();
}
)";

#if defined(D2B_HAVE_ENCODER)

/// A whole pipeline run up to (not including) dedup.
struct Pipeline {
  encode::TypesResult types;
  elf::SymbolTable syms;
  encode::FunctionStats funcs;
  encode::VariableStats vars;
  DiagEngine diag;
  std::vector<std::string> notes;
};

bool runPipeline(const std::string &path, encode::VarOptions::Scope scope, Pipeline &p) {
  Expected<encode::TypesResult> t = encode::encodeTypes(path, {}, p.diag);
  EXPECT_TRUE(t) << t.error().message();
  if (!t)
    return false;
  p.types = std::move(*t);
  Expected<elf::SymbolTable> s = elf::readSymbols(p.types.input->symbolsElf(), path);
  EXPECT_TRUE(s) << s.error().message();
  if (!s)
    return false;
  p.syms = std::move(*s);
  encode::FuncOptions fo;
  fo.machine = p.types.machine;
  fo.addressSize = uint8_t(p.types.input->addressSize());
  fo.verbose = true;
  fo.file = path;
  p.funcs = encode::addFunctions(p.types.btf, std::move(p.types.functions), p.syms, fo, p.diag);
  encode::VarOptions vo;
  vo.scope = scope;
  vo.file = path;
  p.vars = encode::addVariables(p.types.btf, std::move(p.types.variables), p.syms, vo, p.diag);
  for (const Diagnostic &d : p.diag.sortedDiagnostics())
    if (d.rule.rfind("func.", 0) == 0)
      p.notes.push_back(d.message);
  return true;
}

/// name -> "ret(type type ...)" for every FUNC, with type names resolved
/// one level ("int", "ptr", ...).
std::map<std::string, std::string> functionsOf(const btf::Btf &b) {
  auto typeName = [&](uint32_t id) -> std::string {
    if (!id)
      return "void";
    std::string n(b.name(id));
    return n.empty() ? std::string(btf::kindName(b.type(id).kind())) : n;
  };
  std::map<std::string, std::string> out;
  for (uint32_t id = b.startId(); id < b.endId(); ++id) {
    if (b.type(id).kind() != btf::Kind::Func)
      continue;
    btf::TypeView proto = b.type(b.type(id).type());
    std::string s = typeName(proto.type()) + "(";
    for (uint32_t i = 0; i < proto.vlen(); ++i)
      s += (i ? ", " : "") + typeName(proto.tail()[2 * i + 1]) + " " +
           std::string(b.str(proto.tail()[2 * i]));
    out[std::string(b.name(id))] = s + ")";
  }
  return out;
}

std::string dumpWithBpftool(const btf::Btf &b, const TempDir &dir) {
  const std::string raw = dir.path("out.btf");
  auto bytes = b.serialize(std::endian::little);
  writeFile(raw, std::string(bytes.begin(), bytes.end()));
  RunResult r = run("bpftool btf dump file " + raw);
  EXPECT_EQ(r.status, 0) << r.err;
  return r.out;
}

/// Loads the BTF into the kernel: the strictest check of FUNC/VAR/DATASEC
/// layout there is. Returns "" on success, "skip: ..." when not possible.
std::string loadIntoKernel(const btf::Btf &b) {
#if defined(D2B_HAVE_LIBBPF)
  auto bytes = b.serialize(std::endian::native);
  struct btf *parsed = btf__new(bytes.data(), uint32_t(bytes.size()));
  if (!parsed)
    return "libbpf could not parse the BTF";
  int err = btf__load_into_kernel(parsed);
  btf__free(parsed);
  if (err == -EPERM || err == -EACCES)
    return "skip: no permission for BPF_BTF_LOAD";
  return err ? "BPF_BTF_LOAD failed: " + std::to_string(err) : "";
#else
  (void)b;
  return "skip: built without libbpf";
#endif
}

#endif

} // namespace

TEST(FuncsEndToEnd, GccOptimizedDefault) {
#if !defined(D2B_HAVE_ENCODER)
  GTEST_SKIP() << "the DWARF stage (encode/encoder.h) is not in this tree yet";
#else
  if (!haveProgram("gcc"))
    GTEST_SKIP() << "gcc not found";
  TempDir dir;
  writeFile(dir.path("t.c"), kOptimizedDefault);
  const std::string bin = dir.path("t");
  ASSERT_EQ(run("gcc -g -O2 -o " + bin + " " + dir.path("t.c")).status, 0);
  Pipeline p;
  ASSERT_TRUE(runPipeline(bin, encode::VarOptions::Scope::PerCpu, p));
  // foo became foo.constprop.0 and lost c: skipped, with pahole's -V line.
  EXPECT_NE(std::find(p.notes.begin(), p.notes.end(),
                      "foo : skipping BTF encoding of function due to optimized parameters"),
            p.notes.end())
      << ::testing::PrintToString(p.notes);
  std::map<std::string, std::string> fns = functionsOf(p.types.btf);
  EXPECT_EQ(fns.count("foo"), 0u);
  EXPECT_EQ(fns["bar"], "int(int a, int b)"); // b is unused but its ABI slot is intact
  EXPECT_EQ(fns["main"], "int()");
  EXPECT_EQ(p.funcs.skippedByRule[encode::kRuleOptimizedParams], 1u);
  if (haveProgram("bpftool")) {
    std::string dump = dumpWithBpftool(p.types.btf, dir);
    EXPECT_NE(dump.find("FUNC 'bar' type_id="), std::string::npos);
    EXPECT_EQ(dump.find("FUNC 'foo'"), std::string::npos);
  }
  std::string load = loadIntoKernel(p.types.btf);
  if (load.rfind("skip:", 0) != 0) {
    EXPECT_EQ(load, "");
  }
#endif
}

TEST(FuncsEndToEnd, GccO0KeepsEveryFunction) {
#if !defined(D2B_HAVE_ENCODER)
  GTEST_SKIP() << "the DWARF stage (encode/encoder.h) is not in this tree yet";
#else
  if (!haveProgram("gcc"))
    GTEST_SKIP() << "gcc not found";
  TempDir dir;
  writeFile(dir.path("t.c"), kOptimizedDefault);
  const std::string bin = dir.path("t");
  ASSERT_EQ(run("gcc -g -O0 -o " + bin + " " + dir.path("t.c")).status, 0);
  Pipeline p;
  ASSERT_TRUE(runPipeline(bin, encode::VarOptions::Scope::PerCpu, p));
  EXPECT_TRUE(p.notes.empty()) << ::testing::PrintToString(p.notes);
  std::map<std::string, std::string> fns = functionsOf(p.types.btf);
  EXPECT_EQ(fns["foo"], "int(int a, int b, int c)");
  EXPECT_EQ(fns["bar"], "int(int a, int b)");
#endif
}

TEST(FuncsEndToEnd, PerCpuAndGlobalVariables) {
#if !defined(D2B_HAVE_ENCODER)
  GTEST_SKIP() << "the DWARF stage (encode/encoder.h) is not in this tree yet";
#else
  if (!haveProgram("gcc"))
    GTEST_SKIP() << "gcc not found";
  TempDir dir;
  writeFile(dir.path("v.c"), kVariables);
  // A relocatable object, as a kernel module is: the default linker script
  // would fold .data..percpu into .data.
  const std::string bin = dir.path("v.o");
  ASSERT_EQ(run("gcc -g -O1 -c -o " + bin + " " + dir.path("v.c")).status, 0);
  {
    Pipeline p;
    ASSERT_TRUE(runPipeline(bin, encode::VarOptions::Scope::PerCpu, p));
    EXPECT_EQ(p.vars.datasecs, 1u);
    EXPECT_EQ(p.vars.emitted, 3u);
    EXPECT_EQ(p.vars.filtered, 1u); // __UNIQUE_ID_hidden
    if (haveProgram("bpftool")) {
      std::string dump = dumpWithBpftool(p.types.btf, dir);
      EXPECT_NE(dump.find("DATASEC '.data..percpu' size="), std::string::npos) << dump;
      EXPECT_NE(dump.find("VAR 'pcpu_first' type_id="), std::string::npos);
      EXPECT_NE(dump.find("linkage=global"), std::string::npos);
      EXPECT_NE(dump.find("VAR 'pcpu_second' type_id="), std::string::npos);
      EXPECT_EQ(dump.find("plain_global"), std::string::npos);
    }
    std::string load = loadIntoKernel(p.types.btf);
    if (load.rfind("skip:", 0) != 0) {
      EXPECT_EQ(load, "");
    }
  }
  {
    Pipeline p;
    ASSERT_TRUE(runPipeline(bin, encode::VarOptions::Scope::All, p));
    EXPECT_GE(p.vars.datasecs, 3u); // .data..percpu, .data, .bss at least
    std::vector<std::string> names;
    for (uint32_t id = p.types.btf.startId(); id < p.types.btf.endId(); ++id)
      if (p.types.btf.type(id).kind() == btf::Kind::Var)
        names.emplace_back(p.types.btf.name(id));
    for (const char *want :
         {"pcpu_first", "pcpu_second", "pcpu_stats", "plain_global", "plain_static"})
      EXPECT_NE(std::find(names.begin(), names.end(), want), names.end()) << want;
    // A function-scope static is not top-level: never a VAR.
    EXPECT_EQ(std::find(names.begin(), names.end(), "in_func"), names.end());
    std::string load = loadIntoKernel(p.types.btf);
    if (load.rfind("skip:", 0) != 0) {
      EXPECT_EQ(load, "");
    }
  }
#endif
}

TEST(FuncsEndToEnd, RelocatableObjectWithFunctionSections) {
#if !defined(D2B_HAVE_ENCODER)
  GTEST_SKIP() << "the DWARF stage (encode/encoder.h) is not in this tree yet";
#else
  if (!haveProgram("gcc"))
    GTEST_SKIP() << "gcc not found";
  TempDir dir;
  writeFile(dir.path("t.c"), kOptimizedDefault);
  const std::string obj = dir.path("t.o");
  ASSERT_EQ(run("gcc -g -O2 -ffunction-sections -c -o " + obj + " " + dir.path("t.c")).status, 0);
  Pipeline p;
  ASSERT_TRUE(runPipeline(obj, encode::VarOptions::Scope::PerCpu, p));
  // With every function at st_value 0 of its own section, only the
  // dwfl layout tells the instances apart; the verdicts match the executable.
  EXPECT_NE(std::find(p.notes.begin(), p.notes.end(),
                      "foo : skipping BTF encoding of function due to optimized parameters"),
            p.notes.end())
      << ::testing::PrintToString(p.notes);
  std::map<std::string, std::string> fns = functionsOf(p.types.btf);
  EXPECT_EQ(fns["bar"], "int(int a, int b)");
  EXPECT_EQ(fns.count("foo"), 0u);
#endif
}
