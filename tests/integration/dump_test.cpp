// The dumpers against their oracles: dumpRaw must print what bpftool prints,
// byte for byte, and dumpC must compile and reproduce every BTF layout, for
// vmlinux, for BPF objects clang builds here, and for hand-built blobs.
#include <gtest/gtest.h>

#include <chrono>
#include <fstream>
#include <functional>
#include <sstream>
#include <sys/resource.h>

#include "btf_samples.h"
#include "dwarf2btf/btf/reader.h"
#include "dwarf2btf/dump/dump_c.h"
#include "dwarf2btf/dump/dump_raw.h"
#include "test_support.h"

using namespace d2b;
using namespace d2b::test;

namespace {

const char *kVmlinux = "/sys/kernel/btf/vmlinux";

bool haveBpftool() { return haveProgram("bpftool"); }
bool haveVmlinux() { return std::ifstream(kVmlinux).good(); }

btf::ParsedBtf load(const std::string &path, const btf::Btf *base = nullptr) {
  auto bytes = btf::readBtfBytes(path);
  if (!bytes)
    throw std::runtime_error(bytes.error().message());
  auto parsed = btf::parseBtf(*bytes, base, path);
  if (!parsed)
    throw std::runtime_error(parsed.error().message());
  return std::move(*parsed);
}

std::string raw(const btf::Btf &b) {
  std::ostringstream os;
  dump::dumpRaw(b, os);
  return os.str();
}

std::string cHeader(const btf::Btf &b) {
  std::ostringstream os;
  Error e = dump::dumpC(b, os);
  if (e)
    throw std::runtime_error(e.message());
  return os.str();
}

std::string layoutAsserts(const btf::Btf &b) {
  std::ostringstream os;
  Error e = dump::dumpCLayoutAsserts(b, os);
  if (e)
    throw std::runtime_error(e.message());
  return os.str();
}

/// bpftool's raw dump of `path` (with `base` as -B when given).
std::string bpftoolRaw(const std::string &path, const std::string &base = "") {
  RunResult r =
      run("bpftool " + (base.empty() ? "" : "-B " + base + " ") + "btf dump file " + path);
  EXPECT_EQ(r.status, 0) << r.err;
  return r.out;
}

/// Compiles `source` with `compiler` (e.g. "clang -target bpf"); returns the
/// diagnostics, empty on success.
std::string compile(const TempDir &dir, const std::string &name, const std::string &source,
                    const std::string &compiler) {
  const std::string path = dir.path(name);
  writeFile(path, source);
  RunResult r = run(compiler + " -fsyntax-only -x c " + path);
  if (r.status != 0)
    return r.err.empty() ? "compiler failed without a message" : r.err.substr(0, 4000);
  return "";
}

/// First line where two texts differ, for readable failures on huge dumps.
std::string firstDifference(const std::string &a, const std::string &b) {
  std::istringstream sa(a), sb(b);
  std::string la, lb;
  for (int line = 1;; ++line) {
    bool ea = !std::getline(sa, la), eb = !std::getline(sb, lb);
    if (ea && eb)
      return "";
    if (ea || eb || la != lb)
      return "line " + std::to_string(line) + ":\n  ours:    " + (ea ? "<eof>" : la) +
             "\n  bpftool: " + (eb ? "<eof>" : lb);
  }
}

/// The C sources compiled to BPF objects below: between them they make clang
/// emit every kind it can (ENUM64 and signed enums need clang >= 15).
const std::vector<std::pair<std::string, std::string>> kSources = {
    {"kinds.c", R"(
struct s { int a:3; unsigned b:5; char c[4][2]; struct { int x; } anon; void (*fp)(int, ...); };
enum e { A = -1, B = 2 };
enum big { C = 0xffffffffffULL };
typedef struct s s_t;
int g1 = 1;
static volatile const int g2 = 2;
float f;
int __attribute__((btf_decl_tag("tagv"))) v3;
int * __attribute__((btf_type_tag("user"))) up;
struct tagged { int __attribute__((btf_type_tag("rcu"))) *p; const char *volatile q[2]; } tg;
union u { int a; long b; };
struct fwd;
struct fwd *fwdp;
s_t *sp;
int func(struct s *p, enum e x, enum big y, union u *z,
         int __attribute__((btf_decl_tag("argt"))) q) { return p->a + x + g2 + (int)y; }
)"},
    {"layout.c", R"(
struct __attribute__((packed)) pk { char c; int i; long l; };
struct __attribute__((aligned(64))) cl { int x; };
struct mix { char c; struct cl line; short tail; };
struct bits { unsigned long a:7, b:33; char c; unsigned d:31; long long e:2; };
union __attribute__((aligned(16))) ua { int x; char y[3]; };
struct nested { struct { int p; union { long q; char r[12]; }; } in; int arr[2][3][4]; };
struct flex { int n; char data[]; };
struct pk pk; struct cl cl; struct mix mix; struct bits bits; union ua ua;
struct nested nested; struct flex *flex;
)"},
    {"prog.c", R"(
#define SEC(n) __attribute__((section(n), used))
#define __uint(name, val) int (*name)[val]
#define __type(name, val) typeof(val) *name
struct event { unsigned pid; char comm[16]; unsigned long long ts; };
struct { __uint(type, 2); __uint(max_entries, 1); __type(key, int); __type(value, struct event); }
    events SEC(".maps");
typedef unsigned long long u64;
struct ctx { u64 regs[21]; };
SEC("kprobe/x") int probe(struct ctx *c) { return (int)c->regs[0] + events.type != 0; }
char LICENSE[] SEC("license") = "GPL";
)"},
};

} // namespace

TEST(DumpRawVsBpftool, Vmlinux) {
  if (!haveVmlinux())
    GTEST_SKIP() << kVmlinux << " is not available";
  if (!haveBpftool())
    GTEST_SKIP() << "bpftool is not installed";
  btf::ParsedBtf p = load(kVmlinux);
  const std::string ours = raw(p.btf);
  const std::string theirs = bpftoolRaw(kVmlinux);
  EXPECT_EQ(ours.size(), theirs.size());
  EXPECT_TRUE(ours == theirs) << firstDifference(ours, theirs);
}

TEST(DumpRawVsBpftool, EveryKindInEveryContainer) {
  if (!haveBpftool())
    GTEST_SKIP() << "bpftool is not installed";
  btf::Btf b;
  addEveryKind(b);
  TempDir dir;
  struct Input {
    std::string name;
    std::function<void(const std::string &)> write;
  };
  const std::vector<uint8_t> le = b.serialize(std::endian::little);
  const std::vector<uint8_t> be = b.serialize(std::endian::big);
  std::vector<Input> inputs = {
      {"le.btf", [&](const std::string &p) { writeRawBtf(b, std::endian::little, p); }},
      {"be.btf", [&](const std::string &p) { writeRawBtf(b, std::endian::big, p); }},
      {"elf64le.o", [&](const std::string &p) { writeElfWithBtf(p, le, true, false); }},
      {"elf32le.o", [&](const std::string &p) { writeElfWithBtf(p, le, false, false); }},
      {"elf64be.o", [&](const std::string &p) { writeElfWithBtf(p, be, true, true); }},
  };
  for (const Input &in : inputs) {
    SCOPED_TRACE(in.name);
    const std::string path = dir.path(in.name);
    in.write(path);
    btf::ParsedBtf p = load(path);
    const std::string theirs = bpftoolRaw(path);
    EXPECT_EQ(raw(p.btf), theirs) << firstDifference(raw(p.btf), theirs);
  }
}

TEST(DumpRawVsBpftool, SplitBtfPrintsOnlyItsOwnTypes) {
  if (!haveBpftool())
    GTEST_SKIP() << "bpftool is not installed";
  btf::Btf base;
  addEveryKind(base);
  btf::Btf split(&base);
  const uint32_t p = split.addPtr(19); // base 'point'
  btf::Member m[] = {{"where", p, 0}, {"count", 1, 64}, {"mod_only", split.addInt("u8", 1, 0), 96}};
  split.addComposite(false, "module_thing", 16, m);
  split.addTypedef("point_t", 19); // a name the base already has: the string is shared
  TempDir dir;
  writeRawBtf(base, std::endian::little, dir.path("base.btf"));
  writeRawBtf(split, std::endian::little, dir.path("split.btf"));
  btf::ParsedBtf pb = load(dir.path("base.btf"));
  btf::ParsedBtf ps = load(dir.path("split.btf"), &pb.btf);
  EXPECT_EQ(ps.btf.startId(), base.endId());
  const std::string theirs = bpftoolRaw(dir.path("split.btf"), dir.path("base.btf"));
  EXPECT_EQ(raw(ps.btf), theirs) << firstDifference(raw(ps.btf), theirs);
}

TEST(DumpRawVsBpftool, ClangBpfObjects) {
  if (!haveBpftool())
    GTEST_SKIP() << "bpftool is not installed";
  std::vector<std::string> compilers;
  for (const char *c : {"clang", "clang-22"})
    if (haveProgram(c))
      compilers.push_back(c);
  if (compilers.empty())
    GTEST_SKIP() << "no clang to build BPF objects with";
  TempDir dir;
  for (const std::string &cc : compilers) {
    for (const auto &[name, src] : kSources) {
      SCOPED_TRACE(cc + " " + name);
      const std::string c = dir.path(cc + "-" + name), o = c + ".o";
      writeFile(c, src);
      RunResult r = run(cc + " -g -O2 -target bpf -c " + c + " -o " + o);
      ASSERT_EQ(r.status, 0) << r.err;
      btf::ParsedBtf p = load(o);
      const std::string theirs = bpftoolRaw(o);
      EXPECT_EQ(raw(p.btf), theirs) << firstDifference(raw(p.btf), theirs);
      // The C header compiles for BPF and reproduces every layout.
      const std::string header = cHeader(p.btf);
      EXPECT_EQ(compile(dir, "h.c", header + layoutAsserts(p.btf), cc + " -target bpf -Wall"), "");
    }
  }
}

TEST(DumpC, EveryKindCompilesWithExactLayout) {
  btf::Btf b;
  addEveryKind(b);
  const std::string text = cHeader(b) + layoutAsserts(b);
  TempDir dir;
  bool ran = false;
  for (const char *cc : {"clang -target bpf", "clang", "clang-22 -target bpf", "gcc"}) {
    std::string prog = std::string(cc).substr(0, std::string(cc).find(' '));
    if (!haveProgram(prog))
      continue;
    ran = true;
    SCOPED_TRACE(cc);
    std::string flags = prog == "gcc" ? " -Wall -Wno-unknown-pragmas" : " -Wall";
    if (std::string(cc).find("bpf") != std::string::npos)
      flags += " -Werror";
    EXPECT_EQ(compile(dir, "every.c", text, cc + flags), "");
  }
  if (!ran)
    GTEST_SKIP() << "no C compiler";
}

TEST(DumpC, TrickyLayoutsCompileExactly) {
  btf::Btf b;
  addTrickyLayouts(b);
  const std::string header = cHeader(b);
  EXPECT_EQ(header.find("left out"), std::string::npos) << header;
  const std::string text = header + layoutAsserts(b);
  TempDir dir;
  bool ran = false;
  for (const char *cc : {"clang -target bpf", "clang", "clang-22 -target bpf", "gcc"}) {
    std::string prog = std::string(cc).substr(0, std::string(cc).find(' '));
    if (!haveProgram(prog))
      continue;
    ran = true;
    SCOPED_TRACE(cc);
    EXPECT_EQ(compile(dir, "tricky.c", text, std::string(cc) + " -w"), "") << header;
  }
  if (!ran)
    GTEST_SKIP() << "no C compiler";
}

TEST(DumpC, BitfieldsLandWhereTheBtfSays) {
  // Offsets of bitfields cannot be checked with offsetof: run a program that
  // sets each one to all ones and looks for the bits (little-endian host).
  if (!haveProgram("cc"))
    GTEST_SKIP() << "no host C compiler";
  btf::Btf b;
  addEveryKind(b);
  std::string prog = cHeader(b) + R"(
#include <stdio.h>
#include <string.h>
#define PROBE(T, f) do { T v; unsigned char *p = (unsigned char *)&v; int first = -1, n = 0;      \
    memset(&v, 0, sizeof v); v.f = -1;                                                        \
    for (unsigned i = 0; i < sizeof v * 8; ++i)                                               \
      if (p[i / 8] >> (i % 8) & 1) { if (first < 0) first = i; ++n; }                         \
    printf("%s.%s %d %d\n", #T, #f, first, n); } while (0)
int main(void) {
  PROBE(struct flags, a); PROBE(struct flags, b); PROBE(struct flags, c);
  PROBE(struct flags, e); PROBE(struct legacy, m);
  return 0;
}
)";
  TempDir dir;
  writeFile(dir.path("p.c"), prog);
  RunResult c = run("cc -w -o " + dir.path("p") + " " + dir.path("p.c"));
  ASSERT_EQ(c.status, 0) << c.err;
  RunResult r = run(dir.path("p"));
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.out, "struct flags.a 0 3\n"
                   "struct flags.b 3 5\n"
                   "struct flags.c 8 1\n"
                   "struct flags.e 32 20\n"
                   "struct legacy.m 2 5\n");
}

TEST(DumpC, VmlinuxCompilesWithExactLayout) {
  if (!haveVmlinux())
    GTEST_SKIP() << kVmlinux << " is not available";
  if (!haveProgram("clang"))
    GTEST_SKIP() << "clang is not installed";
  btf::ParsedBtf p = load(kVmlinux);
  const std::string header = cHeader(p.btf);
  TempDir dir;
  EXPECT_EQ(compile(dir, "vmlinux.c", header, "clang -target bpf -Wall -Werror"), "");
  // Layout is checked on the host target: the BPF target's __builtin_va_list
  // is a pointer, not the kernel's 24-byte x86-64 one, so va_list members
  // (as in bpftool's vmlinux.h) only match where the kernel was built.
  EXPECT_EQ(compile(dir, "layout.c", header + layoutAsserts(p.btf), "clang -w"), "");
}

TEST(DumpSpeed, VmlinuxAgainstBpftool) {
#if !defined(NDEBUG) || defined(__SANITIZE_ADDRESS__)
  GTEST_SKIP() << "timings mean something only in an optimized, uninstrumented build";
#endif
  if (!haveVmlinux())
    GTEST_SKIP() << kVmlinux << " is not available";
  if (!haveBpftool())
    GTEST_SKIP() << "bpftool is not installed";
  auto cpu = [](int who) {
    rusage u;
    getrusage(who, &u);
    return (u.ru_utime.tv_sec + u.ru_stime.tv_sec) * 1e3 +
           (u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e3;
  };
  // CPU time, best of five: the machine is shared, wall time is noise.
  auto ours = [&](bool c) {
    double best = 1e9;
    for (int i = 0; i < 5; ++i) {
      double t0 = cpu(RUSAGE_SELF);
      btf::ParsedBtf p = load(kVmlinux);
      std::ostringstream os;
      if (c)
        EXPECT_FALSE(dump::dumpC(p.btf, os));
      else
        dump::dumpRaw(p.btf, os);
      best = std::min(best, cpu(RUSAGE_SELF) - t0);
    }
    return best;
  };
  auto theirs = [&](const std::string &fmt) {
    double best = 1e9;
    for (int i = 0; i < 5; ++i) {
      double t0 = cpu(RUSAGE_CHILDREN);
      run(std::string("bpftool btf dump file ") + kVmlinux + fmt + " > /dev/null");
      best = std::min(best, cpu(RUSAGE_CHILDREN) - t0);
    }
    return best;
  };
  const double rawOurs = ours(false), rawTheirs = theirs("");
  const double cOurs = ours(true), cTheirs = theirs(" format c");
  std::printf("vmlinux CPU ms (read+parse+dump, best of 5): raw ours %.1f bpftool %.1f; "
              "C ours %.1f bpftool %.1f\n",
              rawOurs, rawTheirs, cOurs, cTheirs);
  RecordProperty("raw_ours_ms", int(rawOurs));
  RecordProperty("raw_bpftool_ms", int(rawTheirs));
  RecordProperty("c_ours_ms", int(cOurs));
  RecordProperty("c_bpftool_ms", int(cTheirs));
  // Raw dumping must not be slower than bpftool (which also pays for exec
  // and shell: allow that much).
  EXPECT_LE(rawOurs, rawTheirs * 1.1 + 5);
}
