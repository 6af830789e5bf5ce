// encodeTypes on objects compiled here with gcc and clang: DWARF 4/5, type
// units, zlib/zstd compression, -O0/-O2, big-endian BPF objects. Output is
// parsed by bpftool and compared line by line where we know what to expect,
// against pahole's set of named types, and across thread counts.
#include <gtest/gtest.h>

#include <fcntl.h>
#include <fmt/format.h>
#include <gelf.h>
#include <set>
#include <sstream>
#include <unistd.h>

#ifdef D2B_HAVE_LIBBPF
#include <bpf/btf.h>
#endif

#include "dwarf2btf/dedup/dedup.h"
#include "dwarf2btf/encode/encoder.h"
#include "test_support.h"

using namespace d2b;
using namespace d2b::test;

namespace {

const char *kKindsSource = R"(
#include <stddef.h>
struct bf { unsigned a:3; int b:5; long c; unsigned long long d:40; char e;
            unsigned short f:7, g:9; };
enum small { S_A = -1, S_B = 2 };
enum uns { U_A = 1, U_B = 0xffffffffu };
enum big { B_A = 1, B_B = 0x100000000ULL };
typedef struct node { struct node *next; int v[2][3]; char flex[]; } node_t;
union un { int i; float f; double d; };
struct fwd_only;
struct uses { struct fwd_only *f; const volatile int *restrict r;
              int (*fp)(int, char, ...); void (*fv)(void); _Bool bb; __int128 i128; };
struct zl { int n; int z[0]; };
enum prio { P_NEG = -5, P_BIG = 225 };
struct arrs { char a[256]; short b[65536]; enum prio p; };
static struct arrs arrs_var;
int glob_var = 3;
static int static_var;
int func(struct uses *u, struct bf *b, node_t *n, union un *uu, struct zl *z, enum small s,
         enum uns us, enum big bg) {
  struct inner_local { int q; } il = { 1 };
  { typedef long blocktd; blocktd x = 3; il.q += x; }
  return il.q + arrs_var.a[1] + glob_var + static_var + (int)sizeof(*u) + b->a + n->v[1][2] + uu->i + z->n + s + us + (int)bg;
}
)";

const char *kMainSource = R"(
struct bf { unsigned a:3; int b:5; long c; unsigned long long d:40; char e;
            unsigned short f:7, g:9; };
struct only_main { struct bf inner; int x; };
struct only_main om;
int main(void) { return om.x; }
)";

const char *kBfExpected = "STRUCT 'bf' size=24 vlen=7\n"
                          "\t'a' type_id=X bits_offset=0 bitfield_size=3\n"
                          "\t'b' type_id=X bits_offset=3 bitfield_size=5\n"
                          "\t'c' type_id=X bits_offset=64\n"
                          "\t'd' type_id=X bits_offset=128 bitfield_size=40\n"
                          "\t'e' type_id=X bits_offset=168\n"
                          "\t'f' type_id=X bits_offset=176 bitfield_size=7\n"
                          "\t'g' type_id=X bits_offset=183 bitfield_size=9\n";

struct Encoded {
  encode::TypesResult result;
  std::vector<Diagnostic> diags;
  std::string raw;  // path of the serialized BTF
  std::string dump; // bpftool btf dump output
};

std::string writeRaw(const TempDir &dir, const std::string &name, const btf::Btf &b,
                     std::endian order) {
  std::vector<uint8_t> bytes = b.serialize(order);
  std::string path = dir.path(name);
  writeFile(path, std::string(bytes.begin(), bytes.end()));
  return path;
}

// Encodes `obj`, serializes it and dumps it with bpftool (when present).
Encoded encodeFile(const TempDir &dir, const std::string &obj, encode::EncodeOptions opts = {}) {
  DiagEngine diag;
  Expected<encode::TypesResult> r = encode::encodeTypes(obj, opts, diag);
  if (!r) {
    ADD_FAILURE() << r.error().message();
    return {};
  }
  Encoded e{std::move(*r), diag.sortedDiagnostics(), "", ""};
  e.raw = writeRaw(dir, std::filesystem::path(obj).filename().string() + ".btf", e.result.btf,
                   e.result.order);
  if (haveProgram("bpftool")) {
    RunResult d = run("bpftool btf dump file " + e.raw);
    EXPECT_EQ(d.status, 0) << obj << ": bpftool rejected our BTF: " << d.err;
    e.dump = d.out;
  }
  return e;
}

// `line` with every non-zero "type_id=<n>" replaced by "type_id=X" (ids
// depend on the producer's DIE order).
std::string maskIds(std::string line) {
  size_t p = 0;
  while ((p = line.find("type_id=", p)) != std::string::npos) {
    p += 8;
    size_t e = p;
    while (e < line.size() && isdigit(static_cast<unsigned char>(line[e])))
      ++e;
    if (line.substr(p, e - p) != "0") // void stays visible
      line.replace(p, e - p, "X");
  }
  return line;
}

// The dump block of the type whose header line contains `header`, ids masked.
std::string block(const std::string &dump, const std::string &header) {
  size_t at = dump.find(header);
  if (at == std::string::npos)
    return "<" + header + " not found>";
  std::string out;
  std::istringstream in(dump.substr(at));
  std::string line;
  bool first = true;
  while (std::getline(in, line)) {
    if (!first && (line.empty() || line[0] != '\t'))
      break;
    first = false;
    out += maskIds(line) + "\n";
  }
  return out;
}

bool compile(const std::string &cmd) {
  RunResult r = run(cmd);
  if (r.status != 0)
    ADD_FAILURE() << cmd << "\n" << r.err;
  return r.status == 0;
}

std::string countDiag(const std::vector<Diagnostic> &ds, const std::string &rule) {
  std::string out;
  for (const Diagnostic &d : ds)
    if (d.rule == rule)
      out += d.format() + "\n";
  return out;
}

struct Variant {
  std::string compiler;
  std::string flags;
};

std::vector<Variant> compilerVariants() {
  std::vector<Variant> v;
  for (std::string cc : {"gcc", "clang", "clang-22"}) {
    if (!haveProgram(cc))
      continue;
    for (std::string f : {"-gdwarf-4 -O0", "-gdwarf-5 -O0", "-gdwarf-4 -O2", "-gdwarf-5 -O2"})
      v.push_back({cc, f});
  }
  return v;
}

} // namespace

TEST(EncodeTypes, CompilersAndDwarfVersionsProduceExpectedStruct) {
  TempDir dir;
  writeFile(dir.path("kinds.c"), kKindsSource);
  auto variants = compilerVariants();
  if (variants.empty())
    GTEST_SKIP() << "no C compiler";
  for (const Variant &v : variants) {
    SCOPED_TRACE(v.compiler + " " + v.flags);
    std::string obj = dir.path("k.o");
    if (!compile(
            fmt::format("{} -g {} -c {} -o {}", v.compiler, v.flags, dir.path("kinds.c"), obj)))
      continue;
    Encoded e = encodeFile(dir, obj);
    EXPECT_EQ(e.result.stats.cus, 1u);
    EXPECT_EQ(e.result.elfType, ET_REL);
    EXPECT_GT(e.result.stats.typesEmitted, 30u);
    EXPECT_EQ(countDiag(e.diags, "dwarf.dangling-ref"), "");
    if (e.dump.empty())
      continue;
    EXPECT_EQ(block(e.dump, "STRUCT 'bf'"), kBfExpected);
    EXPECT_EQ(block(e.dump, "ENUM 'small'"), "ENUM 'small' encoding=SIGNED size=4 vlen=2\n"
                                             "\t'S_A' val=-1\n"
                                             "\t'S_B' val=2\n");
    EXPECT_EQ(block(e.dump, "ENUM 'uns'"), "ENUM 'uns' encoding=UNSIGNED size=4 vlen=2\n"
                                           "\t'U_A' val=1\n"
                                           "\t'U_B' val=4294967295\n");
    EXPECT_EQ(block(e.dump, "ENUM64 'big'"), "ENUM64 'big' encoding=UNSIGNED size=8 vlen=2\n"
                                             "\t'B_A' val=1ULL\n"
                                             "\t'B_B' val=4294967296ULL\n");
    EXPECT_EQ(block(e.dump, "STRUCT 'node'"), "STRUCT 'node' size=32 vlen=3\n"
                                              "\t'next' type_id=X bits_offset=0\n"
                                              "\t'v' type_id=X bits_offset=64\n"
                                              "\t'flex' type_id=X bits_offset=256\n");
    // gcc writes these bounds/values in 1- and 2-byte data forms.
    EXPECT_EQ(block(e.dump, "ENUM 'prio'"), "ENUM 'prio' encoding=SIGNED size=4 vlen=2\n"
                                            "\t'P_NEG' val=-5\n"
                                            "\t'P_BIG' val=225\n");
    EXPECT_NE(e.dump.find("nr_elems=256\n"), std::string::npos);
    EXPECT_NE(e.dump.find("nr_elems=65536\n"), std::string::npos);
    EXPECT_EQ(block(e.dump, "STRUCT 'zl'"), "STRUCT 'zl' size=4 vlen=2\n"
                                            "\t'n' type_id=X bits_offset=0\n"
                                            "\t'z' type_id=X bits_offset=32\n");
    EXPECT_NE(e.dump.find("FWD 'fwd_only' fwd_kind=struct"), std::string::npos);
    EXPECT_NE(e.dump.find("STRUCT 'inner_local' size=4 vlen=1"), std::string::npos);
    if (v.flags.find("-O0") != std::string::npos) { // -O2 drops the unused block
      EXPECT_NE(e.dump.find("TYPEDEF 'blocktd'"), std::string::npos);
    }
    EXPECT_NE(e.dump.find("FLOAT 'double' size=8"), std::string::npos);
    EXPECT_NE(e.dump.find("nr_elems=3\n"), std::string::npos); // nested v[2][3]
    EXPECT_NE(e.dump.find("nr_elems=0\n"), std::string::npos); // flex / zero-length
    // The function-pointer member: int (*)(int, char, ...).
    EXPECT_NE(maskIds(e.dump).find("FUNC_PROTO '(anon)' ret_type_id=X vlen=3\n"
                                   "\t'(anon)' type_id=X\n"
                                   "\t'(anon)' type_id=X\n"
                                   "\t'(anon)' type_id=0\n"),
              std::string::npos)
        << block(e.dump, "FUNC_PROTO");
  }
}

TEST(EncodeTypes, BigEndianBpfObjectsAndDwarf3Bitfields) {
  if (!haveProgram("clang"))
    GTEST_SKIP() << "clang not installed";
  TempDir dir;
  writeFile(dir.path("bf.c"), "struct bf { unsigned a:3; int b:5; long c; unsigned long long "
                              "d:40; char e; unsigned short f:7, g:9; }; struct bf g;\n");
  for (std::string target : {"bpfel", "bpfeb"}) {
    for (std::string dw : {"-gdwarf-3", "-gdwarf-5"}) {
      SCOPED_TRACE(target + " " + dw);
      std::string obj = dir.path(target + ".o");
      if (!compile(
              fmt::format("clang -target {} -g {} -c {} -o {}", target, dw, dir.path("bf.c"), obj)))
        continue;
      Encoded e = encodeFile(dir, obj);
      EXPECT_EQ(e.result.order, target == "bpfeb" ? std::endian::big : std::endian::little);
      EXPECT_EQ(e.result.machine, EM_BPF);
      if (!e.dump.empty()) {
        EXPECT_EQ(block(e.dump, "STRUCT 'bf'"), kBfExpected);
      }
    }
  }
}

TEST(EncodeTypes, TypeUnitsAreFollowedNotEmptied) {
  TempDir dir;
  writeFile(dir.path("kinds.c"), kKindsSource);
  writeFile(dir.path("main.c"), kMainSource);
  // clang emits type units only for C++ types, so it gets C++ sources.
  writeFile(dir.path("a.cc"), "struct bf { unsigned a:3; int b:5; long c; unsigned long long d:40; "
                              "char e; unsigned short f:7, g:9; };\n"
                              "int useA(bf *p) { return p->a; }\n");
  writeFile(dir.path("b.cc"), "struct bf { unsigned a:3; int b:5; long c; unsigned long long d:40; "
                              "char e; unsigned short f:7, g:9; };\n"
                              "struct only_main { bf inner; int x; };\n only_main om;\n"
                              "int main() { return om.x; }\n");
  int ran = 0;
  for (std::string cc : {"gcc", "clang++"}) {
    if (!haveProgram(cc))
      continue;
    const bool cxx = cc == "clang++";
    for (std::string dw : {"-gdwarf-4", "-gdwarf-5"}) {
      SCOPED_TRACE(cc + " " + dw);
      std::string exe = dir.path("tu");
      std::string srcs = cxx ? dir.path("a.cc") + " " + dir.path("b.cc")
                             : dir.path("kinds.c") + " " + dir.path("main.c");
      if (!compile(fmt::format("{} -g {} -fdebug-types-section {} -o {}", cc, dw, srcs, exe)))
        continue;
      ++ran;
      Encoded e = encodeFile(dir, exe);
      EXPECT_EQ(e.result.stats.cus, 2u);
      EXPECT_GE(e.result.stats.typeUnits, 2u);
      EXPECT_GT(e.result.stats.foreignTypes, 0u);
      EXPECT_EQ(countDiag(e.diags, "dwarf.dangling-ref"), "");
      if (e.dump.empty())
        continue;
      EXPECT_EQ(block(e.dump, "STRUCT 'bf'"), kBfExpected);
      EXPECT_EQ(block(e.dump, "STRUCT 'only_main'"), "STRUCT 'only_main' size=32 vlen=2\n"
                                                     "\t'inner' type_id=X bits_offset=0\n"
                                                     "\t'x' type_id=X bits_offset=192\n");
      // No struct reached through a signature may come out empty.
      EXPECT_EQ(e.dump.find("STRUCT 'bf' size=0"), std::string::npos);
    }
  }
  if (!ran)
    GTEST_SKIP() << "no C compiler";
}

TEST(EncodeTypes, CompressedDebugSectionsGiveIdenticalOutput) {
  if (!haveProgram("gcc") || !haveProgram("objcopy"))
    GTEST_SKIP() << "gcc/objcopy not installed";
  TempDir dir;
  writeFile(dir.path("kinds.c"), kKindsSource);
  writeFile(dir.path("main.c"), kMainSource);
  ASSERT_TRUE(compile(fmt::format("gcc -g -c {} -o {}", dir.path("kinds.c"), dir.path("plain.o"))));
  ASSERT_TRUE(compile(fmt::format("gcc -g {} {} -o {}", dir.path("kinds.c"), dir.path("main.c"),
                                  dir.path("plain"))));
  for (std::string base : {"plain.o", "plain"}) {
    Encoded ref = encodeFile(dir, dir.path(base));
    EXPECT_EQ(ref.result.stats.decompressedSections, 0u);
    // zlib-gnu is the old .zdebug_* form, which libdw decompresses itself.
    for (std::string alg : {"zlib", "zstd", "zlib-gnu"}) {
      SCOPED_TRACE(base + " " + alg);
      const bool gnu = alg == "zlib-gnu";
      std::string out = dir.path(base + "." + alg);
      ASSERT_TRUE(compile(
          fmt::format("objcopy --compress-debug-sections={} {} {}", alg, dir.path(base), out)));
      std::string pattern = gnu ? "'zdebug_info'" : "'debug_info.* C '";
      ASSERT_NE(run("readelf -S -W " + out + " | grep -E " + pattern).out, "")
          << "objcopy did not compress";
      Encoded z = encodeFile(dir, out);
      EXPECT_EQ(z.result.stats.decompressedSections > 0, !gnu);
      EXPECT_EQ(readFile(z.raw), readFile(ref.raw));
      ASSERT_EQ(z.result.functions.size(), ref.result.functions.size());
      for (size_t i = 0; i < z.result.functions.size(); ++i)
        EXPECT_EQ(z.result.functions[i].lowPc, ref.result.functions[i].lowPc);
    }
  }
  // gcc's own -gz=zlib path (gcc 12 rejects -gz=zstd: "valid arguments to
  // '-gz=' are: none zlib zlib-gnu").
  ASSERT_TRUE(
      compile(fmt::format("gcc -g -gz=zlib -c {} -o {}", dir.path("kinds.c"), dir.path("gz.o"))));
  Encoded gz = encodeFile(dir, dir.path("gz.o"));
  EXPECT_GT(gz.result.stats.decompressedSections, 0u);
  EXPECT_EQ(readFile(gz.raw), readFile(encodeFile(dir, dir.path("plain.o")).raw));
}

TEST(EncodeTypes, OutputIsIdenticalForAnyNumberOfJobs) {
  if (!haveProgram("gcc"))
    GTEST_SKIP() << "gcc not installed";
  TempDir dir;
  std::string srcs;
  // Several CUs sharing and not sharing types, so fragments interleave.
  for (int i = 0; i < 12; ++i) {
    std::string p = dir.path(fmt::format("u{}.c", i));
    writeFile(p, fmt::format("{}\nstruct own{} {{ int x[{}]; struct bf *b; }};\n"
                             "struct own{} v{};\nint f{}(struct uses *u) {{ return v{}.x[0]; }}\n",
                             kKindsSource, i, i + 1, i, i, i, i));
    // Rename func/glob_var per unit to keep the link happy.
    run(fmt::format("sed -i 's/\\bfunc\\b/func{}/; s/\\bglob_var\\b/glob_var{}/g' {}", i, i, p));
    srcs += " " + p;
  }
  writeFile(dir.path("main.c"), kMainSource);
  ASSERT_TRUE(
      compile(fmt::format("gcc -g -O2 {} {} -o {}", srcs, dir.path("main.c"), dir.path("multi"))));
  std::string ref;
  // unitsPerHandle 1 and 2: workers replace their DWARF handle between units.
  const std::pair<unsigned, unsigned> runs[] = {{1, 128}, {2, 128}, {8, 128}, {16, 128},
                                                {1, 1},   {2, 1},   {2, 2},   {16, 1}};
  for (auto [jobs, perHandle] : runs) {
    SCOPED_TRACE(fmt::format("jobs={} unitsPerHandle={}", jobs, perHandle));
    encode::EncodeOptions o;
    o.jobs = jobs;
    o.unitsPerHandle = perHandle;
    DiagEngine diag;
    auto r = encode::encodeTypes(dir.path("multi"), o, diag);
    ASSERT_TRUE(r) << r.error().message();
    EXPECT_EQ(r->stats.cus, 13u);
    std::vector<uint8_t> bytes = r->btf.serialize(r->order);
    std::string s(bytes.begin(), bytes.end());
    if (ref.empty())
      ref = s;
    else
      EXPECT_EQ(s, ref) << "jobs=" << jobs;
    EXPECT_EQ(r->functions.size(), 25u); // func<i>, f<i>, main
  }
}

// Left to choose (jobs 0), the encoder takes a worker per 4 MB of units at
// most: a kernel build runs one process per module, and a second thread
// only costs CPU on a small one. An explicit count is followed as before.
TEST(EncodeTypes, AutomaticJobCountFollowsTheSizeOfTheUnits) {
  const std::string input = testdata("bin/multi.gcc.dwarf5.O2.exe");
  for (unsigned jobs : {0u, 3u}) {
    SCOPED_TRACE(jobs);
    encode::EncodeOptions o;
    o.jobs = jobs;
    DiagEngine diag;
    auto r = encode::encodeTypes(input, o, diag);
    ASSERT_TRUE(r) << r.error().message();
    ASSERT_GE(r->stats.cus, 3u);
    EXPECT_EQ(r->stats.jobs, jobs ? jobs : 1u);
  }
}

TEST(EncodeTypes, NamedTypesMatchPahole) {
  if (!haveProgram("pahole") || !haveProgram("bpftool") || !haveProgram("gcc"))
    GTEST_SKIP() << "pahole/bpftool/gcc not installed";
  TempDir dir;
  writeFile(dir.path("kinds.c"), kKindsSource);
  writeFile(dir.path("main.c"), kMainSource);
  auto namedSet = [](const std::string &dump) {
    std::set<std::string> s;
    std::istringstream in(dump);
    std::string line;
    while (std::getline(in, line)) {
      if (line.empty() || line[0] != '[')
        continue;
      size_t sp = line.find(' ');
      size_t q1 = line.find('\'');
      size_t q2 = line.find('\'', q1 + 1);
      std::string kind = line.substr(sp + 1, q1 - sp - 2);
      std::string name = line.substr(q1 + 1, q2 - q1 - 1);
      // FUNCs come from the next stage; pahole adds them here.
      if (name != "(anon)" && kind != "FUNC")
        s.insert(kind + " " + name);
    }
    return s;
  };
  for (std::string cc : {"gcc", "clang"}) {
    if (!haveProgram(cc))
      continue;
    SCOPED_TRACE(cc);
    std::string exe = dir.path(cc + ".exe");
    ASSERT_TRUE(compile(
        fmt::format("{} -g -O2 {} {} -o {}", cc, dir.path("kinds.c"), dir.path("main.c"), exe)));
    RunResult p = run(fmt::format("pahole -J --btf_encode_detached={} {}", dir.path("p.btf"), exe));
    ASSERT_EQ(p.status, 0) << p.err;
    RunResult pd = run("bpftool btf dump file " + dir.path("p.btf"));
    ASSERT_EQ(pd.status, 0) << pd.err;
    encode::EncodeOptions o;
    o.policy.floats = false; // pahole's default without --btf_gen_floats
    Encoded e = encodeFile(dir, exe, o);
    EXPECT_EQ(namedSet(e.dump), namedSet(pd.out));

    // After dedup, with pahole 1.24's flattened arrays: the same number of
    // types of every kind this stage owns, and identical named types.
    o.policy.flattenArrays = true;
    Encoded f = encodeFile(dir, exe, o);
    ASSERT_TRUE(dedup::dedup(f.result.btf));
    std::string ours =
        run("bpftool btf dump file " + writeRaw(dir, "ours.btf", f.result.btf, f.result.order)).out;
    auto census = [&](const std::string &dump) {
      std::multiset<std::string> s;
      std::istringstream in(dump);
      std::string line, cur;
      auto flush = [&] {
        if (!cur.empty())
          s.insert(cur);
        cur.clear();
      };
      while (std::getline(in, line)) {
        if (!line.empty() && line[0] == '[') {
          flush();
          std::string body = line.substr(line.find(' ') + 1);
          std::string kind = body.substr(0, body.find(' '));
          // FUNC/FUNC_PROTO/VAR/DATASEC come from the FUNC/VAR stage.
          if (kind == "FUNC" || kind == "FUNC_PROTO" || kind == "VAR" || kind == "DATASEC")
            continue;
          // Anonymous types are counted by kind, named ones compared whole.
          cur = body.find("'(anon)'") != std::string::npos ? kind : maskIds(body);
        } else if (!cur.empty() && cur.find('\'') != std::string::npos) {
          cur += "\n" + maskIds(line);
        }
      }
      flush();
      return s;
    };
    EXPECT_EQ(census(ours), census(pd.out));
  }
}

TEST(EncodeTypes, ClangTypeAndDeclTags) {
  if (!haveProgram("clang"))
    GTEST_SKIP() << "clang not installed";
  TempDir dir;
  writeFile(dir.path("tags.c"), R"(
#define __tag(x) __attribute__((btf_type_tag(x)))
#define __dtag(x) __attribute__((btf_decl_tag(x)))
struct tagged { int __tag("outer") __tag("inner") *p; int x __dtag("mdecl"); } __dtag("sdecl");
typedef int __dtag("tdecl") tint;
int gv __dtag("vdecl");
int tf(struct tagged *t __dtag("pdecl"), tint i) __dtag("fdecl");
int tf(struct tagged *t, tint i) { return *t->p + i + gv; }
int tf2(struct tagged *t __dtag("pdecl2"), tint i) { return 0; }
)");
  for (std::string cc : {"clang", "clang-22"}) {
    if (!haveProgram(cc))
      continue;
    SCOPED_TRACE(cc);
    std::string obj = dir.path(cc + ".o");
    ASSERT_TRUE(compile(fmt::format("{} -g -c {} -o {}", cc, dir.path("tags.c"), obj)));
    Encoded e = encodeFile(dir, obj);
    if (!e.dump.empty()) {
      const btf::Btf &b = e.result.btf;
      // PTR -> inner -> outer -> int, as pahole chains them.
      std::string chain;
      for (uint32_t id = 1; id < b.endId(); ++id) {
        if (b.type(id).kind() != btf::Kind::Struct || b.name(id) != "tagged")
          continue;
        uint32_t t = b.type(id).tail()[1];
        while (t) {
          btf::TypeView v = b.type(t);
          chain += std::string(btf::kindName(v.kind())) +
                   (b.name(t).empty() ? "" : "(" + std::string(b.name(t)) + ")") + " ";
          t = v.kind() == btf::Kind::Int ? 0 : v.type();
        }
      }
      EXPECT_EQ(chain, "PTR TYPE_TAG(inner) TYPE_TAG(outer) INT(int) ");
      EXPECT_NE(e.dump.find("DECL_TAG 'mdecl' type_id="), std::string::npos);
      EXPECT_NE(e.dump.find("component_idx=1\n"), std::string::npos);
      EXPECT_NE(e.dump.find("DECL_TAG 'sdecl'"), std::string::npos);
      EXPECT_NE(e.dump.find("DECL_TAG 'tdecl'"), std::string::npos);
    }
    ASSERT_EQ(e.result.functions.size(), 2u);
    const model::FunctionRecord &f = e.result.functions[0];
    EXPECT_EQ(f.name, "tf");
    EXPECT_EQ(f.declTags, std::vector<std::string>{"fdecl"});
    ASSERT_EQ(f.params.size(), 2u);
    // clang keeps parameter tags only when they are on the definition.
    EXPECT_EQ(f.params[0].declTags, std::vector<std::string>{});
    EXPECT_EQ(e.result.btf.name(f.params[1].type), "tint");
    const model::FunctionRecord &f2 = e.result.functions[1];
    ASSERT_EQ(f2.params.size(), 2u);
    EXPECT_EQ(f2.params[0].declTags, std::vector<std::string>{"pdecl2"});
    bool sawGv = false;
    for (const model::VariableRecord &v : e.result.variables)
      if (v.name == "gv") {
        sawGv = true;
        EXPECT_EQ(v.declTags, std::vector<std::string>{"vdecl"});
      }
    EXPECT_TRUE(sawGv);
  }
}

TEST(EncodeTypes, FunctionAndVariableRecords) {
  if (!haveProgram("gcc"))
    GTEST_SKIP() << "gcc not installed";
  TempDir dir;
  writeFile(dir.path("r.c"), R"(
struct pair { long a, b; };
int counter = 1;
static int hidden;
extern int elsewhere;
int add(int x, int y) { return x + y + counter + hidden; }
static __attribute__((noinline)) int byval(struct pair p) { return (int)p.a; }
int varf(int n, ...) { return n + byval((struct pair){n, n}); }
)");
  for (std::string flags : {"-O0", "-O2"}) {
    SCOPED_TRACE(flags);
    std::string obj = dir.path("r.o");
    ASSERT_TRUE(compile(fmt::format("gcc -g {} -c {} -o {}", flags, dir.path("r.c"), obj)));
    Encoded e = encodeFile(dir, obj);
    ASSERT_NE(e.result.input, nullptr);
    EXPECT_NE(e.result.input->symbolsElf(), nullptr);
    std::map<std::string, const model::FunctionRecord *> fs;
    for (const auto &f : e.result.functions)
      fs[f.name] = &f;
    ASSERT_TRUE(fs.count("add"));
    ASSERT_TRUE(fs.count("varf"));
    ASSERT_TRUE(fs.count("byval"));
    const model::FunctionRecord &add = *fs["add"];
    EXPECT_TRUE(add.external);
    EXPECT_TRUE(add.hasLowPc);
    EXPECT_EQ(e.result.btf.name(add.returnType), "int");
    ASSERT_EQ(add.params.size(), 2u);
    EXPECT_EQ(add.params[0].name, "x");
    EXPECT_EQ(e.result.btf.name(add.params[1].type), "int");
    if (flags == "-O2") {
      // x86-64: first two integer args in rdi (DWARF 5) and rsi (DWARF 4).
      EXPECT_EQ(add.params[0].location, model::ParamLocation::Register);
      EXPECT_EQ(add.params[0].dwarfReg, 5);
      EXPECT_EQ(add.params[1].dwarfReg, 4);
    }
    EXPECT_TRUE(fs["varf"]->varargs);
    EXPECT_FALSE(fs["byval"]->external);
    ASSERT_EQ(fs["byval"]->params.size(), 1u);
    EXPECT_TRUE(fs["byval"]->params[0].isStructByValue);
    EXPECT_FALSE(fs["byval"]->params[0].isPackedStruct);
    std::map<std::string, const model::VariableRecord *> vs;
    for (const auto &v : e.result.variables)
      vs[v.name] = &v;
    ASSERT_TRUE(vs.count("counter"));
    EXPECT_TRUE(vs["counter"]->hasAddress);
    EXPECT_TRUE(vs["counter"]->external);
    EXPECT_EQ(vs["counter"]->byteSize, 4u);
    EXPECT_EQ(e.result.btf.name(vs["counter"]->type), "int");
    EXPECT_FALSE(vs.count("elsewhere")) << "pure declarations are not recorded";
    if (vs.count("hidden")) {
      EXPECT_FALSE(vs["hidden"]->external);
    }
  }
}

TEST(EncodeTypes, SplitBtfContinuesAfterBase) {
  if (!haveProgram("gcc"))
    GTEST_SKIP() << "gcc not installed";
  TempDir dir;
  writeFile(dir.path("kinds.c"), kKindsSource);
  ASSERT_TRUE(compile(fmt::format("gcc -g -c {} -o {}", dir.path("kinds.c"), dir.path("k.o"))));
  btf::Btf base;
  base.addInt("int", 4, btf::kIntSigned);
  base.addInt("long", 8, btf::kIntSigned);
  encode::EncodeOptions o;
  o.base = &base;
  DiagEngine diag;
  auto split = encode::encodeTypes(dir.path("k.o"), o, diag);
  ASSERT_TRUE(split) << split.error().message();
  auto plain = encode::encodeTypes(dir.path("k.o"), {}, diag);
  ASSERT_TRUE(plain);
  EXPECT_EQ(split->btf.startId(), 3u);
  EXPECT_EQ(split->btf.ownCount(), plain->btf.ownCount());
  for (uint32_t id = 1; id < plain->btf.endId(); ++id) {
    EXPECT_EQ(split->btf.name(id + 2), plain->btf.name(id));
    EXPECT_EQ(split->btf.type(id + 2).kind(), plain->btf.type(id).kind());
  }
  for (size_t i = 0; i < plain->functions.size(); ++i)
    EXPECT_EQ(split->functions[i].returnType, plain->functions[i].returnType + 2);
  // "int" is a base string: the split table reuses its offset.
  EXPECT_EQ(split->btf.strings().find("int"), UINT32_MAX);
}

TEST(EncodeTypes, LanguageExclusionSkipsUnits) {
  if (!haveProgram("gcc"))
    GTEST_SKIP() << "gcc not installed";
  TempDir dir;
  writeFile(dir.path("kinds.c"), kKindsSource);
  ASSERT_TRUE(
      compile(fmt::format("gcc -g -std=gnu11 -c {} -o {}", dir.path("kinds.c"), dir.path("k.o"))));
  encode::EncodeOptions o;
  o.policy.langExclude = {0x1d /* DW_LANG_C11 */, 0x0c /* DW_LANG_C99 */};
  DiagEngine diag;
  auto r = encode::encodeTypes(dir.path("k.o"), o, diag);
  ASSERT_TRUE(r) << r.error().message();
  EXPECT_EQ(r->stats.skippedUnits, 1u);
  EXPECT_EQ(r->stats.cus, 0u);
  EXPECT_EQ(r->btf.ownCount(), 0u);
  EXPECT_TRUE(r->functions.empty());
}

TEST(EncodeTypes, CppClassesReferencesAndStaticMembers) {
  if (!haveProgram("g++"))
    GTEST_SKIP() << "g++ not installed";
  TempDir dir;
  writeFile(dir.path("c.cc"), R"(
struct Base { int b; virtual ~Base() {} };
class Derived : public Base { public: static int count; int &ref; int d;
  struct Nested { char c; } n; Derived(int &r) : ref(r), d(0) {} };
int Derived::count = 0;
int use(Derived &d) { return d.d + d.n.c + Derived::count; }
)");
  ASSERT_TRUE(compile(fmt::format("g++ -g -c {} -o {}", dir.path("c.cc"), dir.path("c.o"))));
  Encoded e = encodeFile(dir, dir.path("c.o"));
  if (e.dump.empty())
    return;
  EXPECT_EQ(block(e.dump, "STRUCT 'Derived'"), "STRUCT 'Derived' size=32 vlen=4\n"
                                               "\t'(anon)' type_id=X bits_offset=0\n"
                                               "\t'ref' type_id=X bits_offset=128\n"
                                               "\t'd' type_id=X bits_offset=192\n"
                                               "\t'n' type_id=X bits_offset=224\n");
  EXPECT_NE(e.dump.find("STRUCT 'Nested' size=1 vlen=1"), std::string::npos);
}

TEST(EncodeTypes, UnusableInputsAreErrors) {
  TempDir dir;
  DiagEngine diag;
  writeFile(dir.path("text"), "not an object\n");
  auto r = encode::encodeTypes(dir.path("text"), {}, diag);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message(), dir.path("text") + ": not an ELF file");

  auto missing = encode::encodeTypes(dir.path("absent"), {}, diag);
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().message(),
            dir.path("absent") + ": cannot open: No such file or directory");

  if (!haveProgram("gcc"))
    GTEST_SKIP() << "gcc not installed";
  writeFile(dir.path("m.c"), "int main(void) { return 0; }\n");
  for (std::string kind : {"-c", ""}) {
    std::string out = dir.path(kind.empty() ? "nodw" : "nodw.o");
    ASSERT_TRUE(compile(fmt::format("gcc {} {} -o {}", kind, dir.path("m.c"), out)));
    auto nd = encode::encodeTypes(out, {}, diag);
    ASSERT_FALSE(nd);
    EXPECT_EQ(nd.error().message(), out + ": no DWARF debug information (no .debug_info section)");
  }

  // A unit whose length runs past the end of .debug_info.
  std::string exe = dir.path("m");
  ASSERT_TRUE(compile(fmt::format("gcc -g {} -o {}", dir.path("m.c"), exe)));
  uint64_t infoOff = 0, infoSize = 0;
  {
    int fd = open(exe.c_str(), O_RDONLY);
    elf_version(EV_CURRENT);
    Elf *e = elf_begin(fd, ELF_C_READ, nullptr);
    size_t shstrndx;
    elf_getshdrstrndx(e, &shstrndx);
    for (Elf_Scn *s = elf_nextscn(e, nullptr); s; s = elf_nextscn(e, s)) {
      GElf_Shdr sh;
      gelf_getshdr(s, &sh);
      if (std::string(elf_strptr(e, shstrndx, sh.sh_name)) == ".debug_info") {
        infoOff = sh.sh_offset;
        infoSize = sh.sh_size;
      }
    }
    elf_end(e);
    close(fd);
  }
  ASSERT_NE(infoOff, 0u);
  std::string bytes = readFile(exe);
  bytes[infoOff] = char(0xf0);
  bytes[infoOff + 1] = char(0xff);
  bytes[infoOff + 2] = char(0xff);
  bytes[infoOff + 3] = char(0x7f);
  writeFile(dir.path("bad-length"), bytes);
  auto bl = encode::encodeTypes(dir.path("bad-length"), {}, diag);
  ASSERT_FALSE(bl);
  EXPECT_EQ(bl.error().message(),
            fmt::format("{}: .debug_info+0x0: unit length 0x7ffffff4 runs past the end of the "
                        "section ({:#x} bytes)",
                        dir.path("bad-length"), infoSize));

  // An unknown DWARF version in the first unit header.
  bytes = readFile(exe);
  bytes[infoOff + 4] = 9;
  bytes[infoOff + 5] = 0;
  writeFile(dir.path("bad-version"), bytes);
  auto bv = encode::encodeTypes(dir.path("bad-version"), {}, diag);
  ASSERT_FALSE(bv);
  EXPECT_EQ(bv.error().message().rfind(dir.path("bad-version") + ": .debug_info+0x", 0), 0u)
      << bv.error().message();
}

#ifdef D2B_HAVE_LIBBPF
TEST(EncodeTypes, KernelAcceptsTypesOfACompiledUnit) {
  if (geteuid() != 0)
    GTEST_SKIP() << "BPF_BTF_LOAD needs root";
  if (!haveProgram("gcc"))
    GTEST_SKIP() << "gcc not installed";
  TempDir dir;
  writeFile(dir.path("kinds.c"), kKindsSource);
  ASSERT_TRUE(compile(fmt::format("gcc -g -O2 -c {} -o {}", dir.path("kinds.c"), dir.path("k.o"))));
  Encoded e = encodeFile(dir, dir.path("k.o"));
  std::string raw = readFile(e.raw);
  struct btf *b = btf__new(raw.data(), raw.size());
  ASSERT_NE(b, nullptr) << "libbpf could not parse our BTF";
  int err = btf__load_into_kernel(b);
  if (err == -EPERM)
    GTEST_SKIP() << "kernel refused BTF_LOAD (EPERM)";
  EXPECT_EQ(err, 0) << "kernel rejected the BTF";
  btf__free(b);
}
#endif

// Manual benchmark on the distribution's vmlinux (not run by ctest):
//   D2B_BENCH_JOBS=2 /usr/bin/time -v build/tests/integration_encode_types_test
//     --gtest_also_run_disabled_tests --gtest_filter='*DISABLED_Vmlinux*'
TEST(EncodeTypes, DISABLED_VmlinuxBenchmark) {
  const std::string path = test::debugVmlinux();
  if (path.empty())
    GTEST_SKIP() << "no /usr/lib/debug/boot/vmlinux-*";
  encode::EncodeOptions o;
  const char *jobs = getenv("D2B_BENCH_JOBS");
  o.jobs = jobs ? unsigned(atoi(jobs)) : 0;
  DiagEngine diag;
  auto t0 = std::chrono::steady_clock::now();
  auto r = encode::encodeTypes(path, o, diag);
  auto t1 = std::chrono::steady_clock::now();
  ASSERT_TRUE(r) << r.error().message();
  const encode::EncodeStats &s = r->stats;
  std::printf("vmlinux jobs=%u: %.2fs units=%lu dies=%lu nodes=%lu types=%lu funcs=%lu vars=%lu "
              "diags=%zu\n",
              o.jobs, std::chrono::duration<double>(t1 - t0).count(), (unsigned long)s.cus,
              (unsigned long)s.dies, (unsigned long)s.graphNodes, (unsigned long)s.typesEmitted,
              (unsigned long)s.functions, (unsigned long)s.variables,
              diag.sortedDiagnostics().size());
}

// Full LTO leaves one unit referring to another's DIEs through
// DW_FORM_ref_addr (tests/integration/lto_test.cpp checks the fixture has
// them): such types are built from the other unit's DIE and resolve to real
// types, never to a dangling reference. The fixture is committed because
// whether a toolchain emits ref_addr at all varies (clang-22 alone, C with
// C, emits none).
TEST(EncodeTypes, CrossUnitRefAddrFromLto) {
  TempDir dir;
  Encoded e = encodeFile(dir, testdata("bin/lto/lto.full.ldr.o"));
  EXPECT_GT(e.result.stats.foreignTypes, 0u);
  EXPECT_EQ(countDiag(e.diags, "dwarf.dangling-ref"), "");
  EXPECT_EQ(countDiag(e.diags, "dwarf.not-a-type"), "");
  if (!e.dump.empty()) { // bpftool parsed it
    EXPECT_EQ(block(e.dump, "STRUCT 'lto_pair'").rfind("STRUCT 'lto_pair' size=", 0), 0u) << e.dump;
  }
  // Every struct member resolves to a real type within the result.
  const btf::Btf &b = e.result.btf;
  for (uint32_t id = 1; id < b.endId(); ++id) {
    btf::TypeView t = b.type(id);
    if (t.kind() != btf::Kind::Struct)
      continue;
    for (uint32_t i = 0; i < t.vlen(); ++i) {
      uint32_t m = t.tail()[3 * i + 1];
      EXPECT_NE(m, 0u) << b.name(id);
      EXPECT_LT(m, b.endId());
    }
  }
}

TEST(EncodeTypes, ComdatTypeUnitsInRelocatableObjects) {
  if (!haveProgram("gcc") || !haveProgram("objcopy"))
    GTEST_SKIP() << "gcc/objcopy not installed";
  TempDir dir;
  writeFile(dir.path("kinds.c"), kKindsSource);
  for (std::string dw : {"-gdwarf-4", "-gdwarf-5"}) {
    SCOPED_TRACE(dw);
    // gcc puts each type unit of a .o in its own COMDAT section, all named
    // .debug_types (DWARF 4) or .debug_info (DWARF 5).
    std::string obj = dir.path("tu.o");
    ASSERT_TRUE(compile(
        fmt::format("gcc -g {} -fdebug-types-section -c {} -o {}", dw, dir.path("kinds.c"), obj)));
    Encoded e = encodeFile(dir, obj);
    EXPECT_EQ(e.result.stats.cus, 1u);
    EXPECT_GT(e.result.stats.typeUnits, 5u);
    EXPECT_GT(e.result.input->mergedSections(), 5u);
    EXPECT_EQ(countDiag(e.diags, "dwarf.dangling-ref"), "");
    if (!e.dump.empty()) {
      EXPECT_EQ(block(e.dump, "STRUCT 'bf'"), kBfExpected);
    }
    // Relocations of the folded sections still apply: the variable address
    // matches the one from an object without type units.
    std::string plain = dir.path("plain.o");
    ASSERT_TRUE(compile(fmt::format("gcc -g {} -c {} -o {}", dw, dir.path("kinds.c"), plain)));
    Encoded p = encodeFile(dir, plain);
    auto addrOf = [](const Encoded &x, const std::string &name) {
      for (const auto &v : x.result.variables)
        if (v.name == name)
          return v.address;
      return ~uint64_t(0);
    };
    EXPECT_EQ(addrOf(e, "glob_var"), addrOf(p, "glob_var"));
    EXPECT_NE(addrOf(e, "glob_var"), ~uint64_t(0));
    // Compressed on top of COMDAT type units.
    std::string z = dir.path("tu.zstd.o");
    ASSERT_TRUE(compile(fmt::format("objcopy --compress-debug-sections=zstd {} {}", obj, z)));
    EXPECT_EQ(readFile(encodeFile(dir, z).raw), readFile(e.raw));
  }
}

TEST(EncodeTypes, InlineInstancesAndOptimizedParameters) {
  if (!haveProgram("gcc"))
    GTEST_SKIP() << "gcc not installed";
  TempDir dir;
  writeFile(dir.path("inl.c"), R"(
struct __attribute__((packed)) pk { char c; long l; };
struct nat { char c; long l; };
static inline int helper(int a, int b) { return a * b + 1; }
static __attribute__((noinline)) int unused_param(int used, int dropped) { return used * 3; }
int takes_packed(struct pk p, struct nat n) { return p.c + n.c; }
int caller(int x) { return helper(x, 2) + helper(x, 3) + unused_param(x, 5); }
int (*fp)(int, int) = helper;
)");
  std::string obj = dir.path("inl.o");
  ASSERT_TRUE(compile(fmt::format("gcc -g -O2 -c {} -o {}", dir.path("inl.c"), obj)));
  Encoded e = encodeFile(dir, obj);
  std::vector<const model::FunctionRecord *> helpers, unused;
  const model::FunctionRecord *packed = nullptr;
  for (const auto &f : e.result.functions) {
    if (f.name == "helper")
      helpers.push_back(&f);
    if (f.name == "unused_param")
      unused.push_back(&f);
    if (f.name == "takes_packed")
      packed = &f;
  }
  // The abstract instance (inline only) and the out-of-line concrete copy,
  // whose name and parameter names come through DW_AT_abstract_origin.
  ASSERT_EQ(helpers.size(), 2u);
  EXPECT_TRUE(helpers[0]->inlineOnly);
  EXPECT_FALSE(helpers[0]->hasLowPc);
  EXPECT_FALSE(helpers[1]->inlineOnly);
  EXPECT_TRUE(helpers[1]->hasLowPc);
  ASSERT_EQ(helpers[1]->params.size(), 2u);
  EXPECT_EQ(helpers[1]->params[1].name, "b");
  EXPECT_EQ(helpers[1]->params[1].location, model::ParamLocation::Register);
  EXPECT_EQ(helpers[1]->params[1].dwarfReg, 4); // rsi
  EXPECT_FALSE(helpers[1]->reorderedParams);
  // A parameter gcc replaced by its constant argument.
  ASSERT_EQ(unused.size(), 2u);
  ASSERT_EQ(unused[1]->params.size(), 2u);
  EXPECT_EQ(unused[1]->params[1].location, model::ParamLocation::ConstValue);
  ASSERT_NE(packed, nullptr);
  ASSERT_EQ(packed->params.size(), 2u);
  EXPECT_TRUE(packed->params[0].isStructByValue);
  EXPECT_TRUE(packed->params[0].isPackedStruct);
  EXPECT_TRUE(packed->params[1].isStructByValue);
  EXPECT_FALSE(packed->params[1].isPackedStruct);
}

TEST(EncodeTypes, RustUnitsGoThroughTheRustLowering) {
  if (!haveProgram("rustc"))
    GTEST_SKIP() << "rustc not installed";
  TempDir dir;
  writeFile(dir.path("r.rs"), R"(
pub enum Shape { Circle(f64), Rect { w: u32, h: u32 }, Empty }
pub struct Pt<T> { pub x: T, pub y: T }
#[no_mangle]
pub extern "C" fn area(s: &Shape, p: &Pt<i64>, v: &[u8]) -> f64 {
    match s { Shape::Circle(r) => r * r + (p.x as f64) + v.len() as f64,
              Shape::Rect { w, h } => (*w * *h) as f64, Shape::Empty => 0.0 }
}
)");
  std::string obj = dir.path("r.o");
  ASSERT_TRUE(compile(fmt::format("rustc -g --crate-type=lib --emit=obj -C opt-level=1 {} -o {}",
                                  dir.path("r.rs"), obj)));
  DiagEngine diag;
  auto r = encode::encodeTypes(obj, {}, diag);
  ASSERT_TRUE(r) << r.error().message();
  EXPECT_EQ(r->stats.cus, 1u);
  EXPECT_GT(r->btf.ownCount(), 5u);
  // The data-carrying enum gets the tagged-union layout (rust_lowering.h).
  EXPECT_EQ(diag.counts()["rust.data-enum-layout"], 1u);
  // Excluding DW_LANG_Rust (0x1c), as the kernel build's --lang_exclude=rust does.
  encode::EncodeOptions o;
  o.policy.langExclude = {0x1c};
  auto x = encode::encodeTypes(obj, o, diag);
  ASSERT_TRUE(x) << x.error().message();
  EXPECT_EQ(x->stats.skippedUnits, 1u);
  EXPECT_EQ(x->btf.ownCount(), 0u);
}
