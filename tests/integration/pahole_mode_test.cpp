// pahole drop-in mode (`pahole` symlink, `dwarf2btf pahole`) and batch mode
// (`encode` with several inputs), end to end on the fixtures.
#include <gtest/gtest.h>

#include <filesystem>

#include "e2e_support.h"

using namespace d2b::test;
using namespace d2b::test::e2e;

namespace {

/// The `pahole` symlink the build creates beside the binary.
std::string paholeLink() {
  return (std::filesystem::path(toolPath()).parent_path() / "pahole").string();
}

RunResult pahole(const std::string &args) {
  return run("timeout 300 " + quote(paholeLink()) + " " + args);
}

std::string copyFixture(const TempDir &dir, const std::string &fixture, const std::string &name) {
  std::string p = dir.path(name);
  std::filesystem::copy_file(testdata("bin/" + fixture), p);
  return p;
}

bool hasSection(const std::string &file, const std::string &section) {
  RunResult r = run("readelf -SW " + quote(file));
  return r.out.find(" " + section + " ") != std::string::npos;
}

/// The kernel's verdict through `check --kernel`, or "" when skipped.
std::string kernelCheck(const std::string &file, const std::string &base = "") {
  RunResult r = runTool("check --kernel " + (base.empty() ? "" : "--base " + quote(base) + " ") +
                        quote(file));
  if (r.out.find("check skipped") != std::string::npos)
    return "";
  return r.out;
}

} // namespace

TEST(PaholeMode, VersionIsOneLineThatTheKernelScriptParses) {
  ASSERT_TRUE(std::filesystem::exists(paholeLink())) << paholeLink();
  RunResult r = pahole("--version");
  EXPECT_EQ(r.status, 0);
  EXPECT_EQ(r.out, "v1.27\n");
  // scripts/pahole-version.sh's sed.
  RunResult n = run("printf %s " + quote(r.out) + " | sed -E 's/v([0-9]+)\\.([0-9]+)/\\1\\2/'");
  EXPECT_EQ(n.out, "127\n");
  EXPECT_EQ(pahole("--numeric_version").out, "127\n");
  RunResult sub = runTool("pahole --version");
  EXPECT_EQ(sub.status, 0);
  EXPECT_EQ(sub.out, "v1.27\n");
}

TEST(PaholeMode, NoDwarfIsSuccessAndWritesNothing) {
  TempDir dir;
  writeFile(dir.path("n.c"), "int x;\n");
  if (!haveProgram("gcc"))
    GTEST_SKIP() << "gcc not found";
  ASSERT_EQ(run("gcc -c -o " + quote(dir.path("n.o")) + " " + quote(dir.path("n.c"))).status, 0);
  std::string before = readFile(dir.path("n.o"));
  RunResult r = pahole("-J -j --btf_gen_floats " + quote(dir.path("n.o")));
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(readFile(dir.path("n.o")), before);
  // The encode subcommand calls it an error.
  RunResult e = runTool("encode " + quote(dir.path("n.o")));
  EXPECT_EQ(e.status, 1);
}

TEST(PaholeMode, UsageErrorsExitLikeArgp) {
  RunResult r = pahole("-J --btf_features_strict=nonsense x.o");
  EXPECT_EQ(r.status, 64);
  EXPECT_NE(r.err.find("pahole: Feature 'nonsense' in 'nonsense' is not supported."),
            std::string::npos)
      << r.err;
}

TEST(PaholeMode, InPlaceAndDetachedMatchEncode) {
  TempDir dir;
  for (const char *fx :
       {"kinds.gcc.dwarf5.O2.o", "multi.gcc.dwarf5.O2.exe", "tags.clang.dwarf5.O2.o"}) {
    SCOPED_TRACE(fx);
    std::string a = copyFixture(dir, fx, std::string("a.") + fx);
    std::string b = copyFixture(dir, fx, std::string("b.") + fx);
    // The kernel's 6.1 flags for a v1.25+ pahole.
    RunResult r = pahole("-J --btf_gen_floats -j --lang_exclude=rust "
                         "--skip_encoding_btf_inconsistent_proto --btf_gen_optimized " +
                         quote(a));
    ASSERT_EQ(r.status, 0) << r.err;
    EXPECT_TRUE(hasSection(a, ".BTF"));
    r = pahole("-J --btf_gen_floats --skip_encoding_btf_inconsistent_proto --btf_encode_detached=" +
               quote(dir.path("p.btf")) + " " + quote(b));
    ASSERT_EQ(r.status, 0) << r.err;
    EXPECT_FALSE(hasSection(b, ".BTF")) << "detached mode must leave the input alone";
    RunResult e =
        runTool("encode --flatten-arrays --raw " + quote(dir.path("e.btf")) + " " + quote(b));
    ASSERT_EQ(e.status, 0) << e.err;
    EXPECT_EQ(readFile(dir.path("p.btf")), readFile(dir.path("e.btf")));
    std::string k = kernelCheck(dir.path("p.btf"));
    if (!k.empty()) {
      EXPECT_NE(k.find("kernel: accepted"), std::string::npos) << k;
    }
  }
}

TEST(PaholeMode, VerboseSkipLinesAsPahole) {
  TempDir dir;
  std::string in = copyFixture(dir, "optimized.gcc.dwarf5.O2.o", "o.o");
  RunResult r =
      pahole("-JV --btf_features=default --btf_encode_detached=" + quote(dir.path("o.btf")) + " " +
             quote(in));
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_NE(
      r.out.find("opt_isra : skipping BTF encoding of function due to optimized parameters\n"),
      std::string::npos)
      << r.out;
}

TEST(PaholeMode, SplitAgainstBaseLoadsInKernel) {
  TempDir dir;
  std::string base = copyFixture(dir, "kinds.gcc.dwarf5.O2.o", "vmlinux");
  ASSERT_EQ(pahole("-J --btf_gen_floats " + quote(base)).status, 0);
  std::string mod = copyFixture(dir, "multi.gcc.dwarf5.O2.ldr.o", "mod.ko");
  RunResult r = pahole("-J -j --btf_features=default --btf_base " + quote(base) + " " + quote(mod));
  ASSERT_EQ(r.status, 0) << r.err;
  ASSERT_TRUE(hasSection(mod, ".BTF"));
  RunResult d = runTool("dump --base " + quote(base) + " " + quote(mod));
  ASSERT_EQ(d.status, 0) << d.err;
  // Base types are reused, not re-emitted: "int" lives in the base only.
  EXPECT_EQ(d.out.find("INT 'int'"), std::string::npos) << d.out.substr(0, 2000);
  std::string k = kernelCheck(mod, base);
  if (!k.empty()) {
    EXPECT_NE(k.find("kernel: accepted"), std::string::npos) << k;
  }
}

/// A base for the batch tests, encoded from a C fixture into `dir`
/// ("" if that failed).
std::string batchBase(const TempDir &dir) {
  const std::string base = dir.path("base.btf");
  RunResult r =
      runTool("encode --raw " + quote(base) + " " + quote(testdata("bin/kinds.gcc.dwarf5.O2.o")));
  EXPECT_EQ(r.status, 0) << r.err;
  return r.status == 0 ? base : "";
}

TEST(BatchMode, EachOutputIsByteIdenticalToEncodingItAlone) {
  TempDir dir;
  const std::string base = batchBase(dir);
  ASSERT_FALSE(base.empty());
  std::vector<std::string> inputs;
  for (const std::string &f : allFixtures())
    if (f.find("dwarf5.O2") != std::string::npos && f.find(".types") == std::string::npos)
      inputs.push_back(f);
  ASSERT_GE(inputs.size(), 5u);
  std::string list;
  for (const std::string &f : inputs)
    list += " " + quote(f);
  std::filesystem::create_directory(dir.path("batch"));
  RunResult r = runTool("encode -j 3 --base " + quote(base) + " --raw-dir " +
                        quote(dir.path("batch")) + list);
  ASSERT_EQ(r.status, 0) << r.err;
  for (const std::string &f : inputs) {
    SCOPED_TRACE(f);
    RunResult one = runTool("encode -j 1 --base " + quote(base) + " --raw " +
                            quote(dir.path("one.btf")) + " " + quote(f));
    ASSERT_EQ(one.status, 0) << one.err;
    EXPECT_EQ(readFile(dir.path("batch/" + baseName(f) + ".btf")), readFile(dir.path("one.btf")));
  }
}

TEST(BatchMode, InPlaceBatchMatchesSingleRuns) {
  TempDir dir;
  std::vector<std::string> fx = {"kinds.clang.dwarf5.O2.o", "multi.clang.dwarf5.O2.lld.so",
                                 "optimized.gcc.dwarf5.O2.o"};
  std::string list;
  for (const std::string &f : fx) {
    list += " " + quote(copyFixture(dir, f, "batch." + f));
    copyFixture(dir, f, "one." + f);
  }
  RunResult r = runTool("encode -j 2" + list);
  ASSERT_EQ(r.status, 0) << r.err;
  for (const std::string &f : fx) {
    SCOPED_TRACE(f);
    ASSERT_EQ(runTool("encode " + quote(dir.path("one." + f))).status, 0);
    EXPECT_EQ(readFile(dir.path("batch." + f)), readFile(dir.path("one." + f)));
  }
}

TEST(BatchMode, OutputOptionsWithSeveralInputs) {
  RunResult r = runTool("encode -o x a.o b.o");
  EXPECT_EQ(r.status, 2);
  EXPECT_EQ(r.err, "dwarf2btf: encode: -o and --raw name one output; with several INPUTs write in "
                   "place or use --raw-dir DIR\n");
  RunResult d = runTool("encode --raw-dir /tmp x/a.o y/a.o");
  EXPECT_EQ(d.status, 2);
  EXPECT_EQ(d.err,
            "dwarf2btf: encode: --raw-dir: two inputs named 'a.o' would write the same file\n");
}

TEST(BatchMode, OneBadInputFailsOnlyItself) {
  TempDir dir;
  std::string good = copyFixture(dir, "kinds.gcc.dwarf5.O2.o", "good.o");
  writeFile(dir.path("bad.o"), "not an ELF file");
  std::filesystem::create_directory(dir.path("out"));
  RunResult r = runTool("encode --raw-dir " + quote(dir.path("out")) + " " +
                        quote(dir.path("bad.o")) + " " + quote(good));
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(r.err.find("bad.o"), std::string::npos) << r.err;
  EXPECT_TRUE(std::filesystem::exists(dir.path("out/good.o.btf")));
  EXPECT_FALSE(std::filesystem::exists(dir.path("out/bad.o.btf")));
}

// With several jobs the batch runs in worker processes; what it prints
// (reports in input order, the bad input's error) and writes must be what
// one process writes.
TEST(BatchMode, WorkerProcessesReportAndWriteLikeOneProcess) {
  TempDir dir;
  const std::string base = batchBase(dir);
  ASSERT_FALSE(base.empty());
  writeFile(dir.path("bad.o"), "not an ELF file");
  std::string list;
  std::vector<std::string> names;
  for (const std::string &f : allFixtures())
    if (f.find("O2") != std::string::npos && f.find(".types") == std::string::npos) {
      list += " " + quote(f);
      names.push_back(baseName(f));
    }
  list += " " + quote(dir.path("bad.o"));
  ASSERT_GE(names.size(), 5u);
  std::string out[2];
  for (int k = 0; k < 2; ++k) {
    const std::string d = dir.path(k ? "procs" : "one");
    std::filesystem::create_directory(d);
    RunResult r = runTool(std::string("encode --report -v ") + (k ? "-j 3" : "-j 1") + " --base " +
                          quote(base) + " --raw-dir " + quote(d) + list);
    EXPECT_EQ(r.status, 1) << r.err;
    EXPECT_NE(r.err.find("bad.o"), std::string::npos) << r.err;
    out[k] = r.err;
  }
  EXPECT_EQ(out[1], out[0]);
  for (const std::string &n : names) {
    SCOPED_TRACE(n);
    EXPECT_EQ(readFile(dir.path("procs/" + n + ".btf")), readFile(dir.path("one/" + n + ".btf")));
  }
}

TEST(PaholeMode, SplitAgainstRunningKernelBtf) {
  const std::string sysfs = "/sys/kernel/btf/vmlinux";
  if (!std::filesystem::exists(sysfs))
    GTEST_SKIP() << sysfs << " not present";
  TempDir dir;
  std::string mod = copyFixture(dir, "kinds.gcc.dwarf5.O2.o", "mod.ko");
  RunResult r = pahole("-J --btf_features=default --btf_base " + sysfs + " " + quote(mod));
  ASSERT_EQ(r.status, 0) << r.err;
  RunResult d = runTool("dump --base " + sysfs + " " + quote(mod));
  ASSERT_EQ(d.status, 0) << d.err;
  // "int" and "unsigned int" come from the kernel's BTF. ("char" does not:
  // the kernel is built with -funsigned-char, the fixture's char is signed.)
  EXPECT_EQ(d.out.find("INT 'int'"), std::string::npos);
  EXPECT_EQ(d.out.find("INT 'unsigned int'"), std::string::npos);
  EXPECT_NE(d.out.find("INT 'char' size=1 bits_offset=0 nr_bits=8 encoding=SIGNED"),
            std::string::npos);
  std::string k = kernelCheck(mod, sysfs);
  if (!k.empty()) {
    EXPECT_NE(k.find("kernel: accepted"), std::string::npos) << k;
  }
}

// The kernel always passes --lang_exclude=rust; DWARF2BTF_INCLUDE_LANGS=rust
// (opt-in) keeps the Rust units, and without it the output is pahole's. Split
// against a C base, as the kernel encodes a Rust module.
TEST(PaholeMode, IncludeLangsKeepsRustUnitsDespiteLangExclude) {
  TempDir dir;
  std::string base = dir.path("base.btf");
  RunResult b = runTool("encode --flatten-arrays --raw " + quote(base) + " " +
                        quote(testdata("bin/kinds.gcc.dwarf5.O2.o")));
  ASSERT_EQ(b.status, 0) << b.err;
  std::string in = copyFixture(dir, "rust/enums.rustc.dwarf5.O2.o", "enums.o");
  const std::string flags = "-J --btf_gen_floats -j --lang_exclude=rust --btf_base " + quote(base) +
                            " --btf_encode_detached=";
  RunResult off = run("timeout 300 env -u DWARF2BTF_INCLUDE_LANGS " + quote(paholeLink()) + " " +
                      flags + quote(dir.path("off.btf")) + " " + quote(in));
  ASSERT_EQ(off.status, 0) << off.err;
  RunResult on = run("timeout 300 env DWARF2BTF_INCLUDE_LANGS=rust " + quote(paholeLink()) + " " +
                     flags + quote(dir.path("on.btf")) + " " + quote(in));
  ASSERT_EQ(on.status, 0) << on.err;
  // Excluded: a header-only split BTF (24 bytes), as pahole writes for a Rust module.
  EXPECT_EQ(readFile(dir.path("off.btf")).size(), 24u);
  // Included: the same BTF as `encode --flatten-arrays` (the pahole-mode
  // policy, Rust lowered for the kernel).
  RunResult e = runTool("encode --flatten-arrays --base " + quote(base) + " --raw " +
                        quote(dir.path("e.btf")) + " " + quote(in));
  ASSERT_EQ(e.status, 0) << e.err;
  EXPECT_EQ(readFile(dir.path("on.btf")), readFile(dir.path("e.btf")));
  EXPECT_GT(readFile(dir.path("on.btf")).size(), 24u);
  RunResult bad = run("DWARF2BTF_INCLUDE_LANGS=cobol " + quote(paholeLink()) + " " + flags +
                      quote(dir.path("bad.btf")) + " " + quote(in));
  EXPECT_EQ(bad.status, 64);
  EXPECT_EQ(bad.err, "pahole: DWARF2BTF_INCLUDE_LANGS: unknown language 'cobol'\n"
                     "Try `pahole --help' or `pahole --usage' for more information.\n");
}
