// Differential tests of our dedup against libbpf's btf__dedup (the libbpf
// installed on the machine, 1.1.2 on Debian 12) on realistic pre-dedup BTF:
// several "CUs", each a copy of a random closed subset of the running
// kernel's BTF with fresh ids, some struct/enum references replaced by
// forward declarations, some types duplicated inside the CU and the CU's
// types shuffled.
//
// Set D2B_DEDUP_BENCH=1 to also run the large timing comparison.
#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <memory>
#include <random>
#include <unordered_map>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "btf_text.h"
#include "dwarf2btf/btf/btf.h"
#include "dwarf2btf/dedup/dedup.h"
#include "test_support.h"

#ifdef D2B_HAVE_LIBBPF
#include <bpf/btf.h>
#endif

using namespace d2b;
using namespace d2b::btf;
using dedup::LibbpfRules;

namespace {

constexpr const char *kVmlinux = "/sys/kernel/btf/vmlinux";

// ---- a minimal raw BTF loader (host byte order), enough for these tests ----

uint32_t rd32(const uint8_t *p) {
  uint32_t v;
  std::memcpy(&v, p, 4);
  return v;
}

/// Loads raw BTF bytes into a Btf (split on `base` if given). Test-only: it
/// trusts its input, which comes from the kernel or from libbpf.
std::unique_ptr<Btf> loadRaw(const std::vector<uint8_t> &bytes, const Btf *base = nullptr) {
  auto b = base ? std::make_unique<Btf>(base) : std::make_unique<Btf>();
  const uint32_t hdrLen = rd32(&bytes[4]);
  const uint8_t *types = bytes.data() + hdrLen + rd32(&bytes[8]);
  const uint32_t typeLen = rd32(&bytes[12]);
  const char *strs = reinterpret_cast<const char *>(bytes.data() + hdrLen + rd32(&bytes[16]));
  const uint32_t strLen = rd32(&bytes[20]);
  std::vector<uint32_t> w;
  for (uint32_t off = 0; off < typeLen;) {
    const uint32_t info = rd32(types + off + 4);
    const uint32_t n = 3 + tailWords(Kind(infoKindRaw(info)), infoVlen(info));
    w.resize(n);
    std::memcpy(w.data(), types + off, n * 4);
    b->addRawType(w);
    off += n * 4;
  }
  // A base table already holds the leading "" at offset 0.
  if (!base)
    b->strings().appendRaw(std::string_view(strs + 1, strLen - 1));
  else
    b->strings().appendRaw(std::string_view(strs, strLen));
  return b;
}

std::vector<uint8_t> readBytes(const std::string &path) {
  std::string s = test::readFile(path);
  return std::vector<uint8_t>(s.begin(), s.end());
}

// ---- synthetic CU generation --------------------------------------------------

struct GenOptions {
  int cus = 6;
  int rootsPerCu = 200;
  double fwdProb = 0.7;       // pointer edge to a uniquely named struct/enum -> FWD
  double dupProb = 0.05;      // duplicate a type inside its CU
  bool dupPointers = false;   // also duplicate PTR/CONST/TYPEDEF/FUNC_PROTO
  double ownStringProb = 0.5; // split only: own copy of a string the base has
};

/// What a generated input contains, in source (vmlinux) ids.
struct GenInfo {
  std::vector<bool> used;    // source type appears in some CU
  std::vector<bool> fwdUsed; // some CU has a FWD for this struct/enum
  uint64_t types = 0;
};

/// Copies closed subsets of `src` into `dst`, CU after CU.
class CuGenerator {
public:
  CuGenerator(const Btf &src, uint64_t seed) : src_(src), rng_(seed) {
    std::unordered_map<std::string_view, int> composites, enums;
    for (uint32_t id = 1; id < src.endId(); ++id) {
      const TypeView t = src.type(id);
      if (t.kind() == Kind::Struct || t.kind() == Kind::Union)
        ++composites[src.str(t.nameOff())];
      if (t.kind() == Kind::Enum || t.kind() == Kind::Enum64)
        ++enums[src.str(t.nameOff())];
    }
    fwdable_.assign(src.endId(), false);
    for (uint32_t id = 1; id < src.endId(); ++id) {
      const TypeView t = src.type(id);
      const std::string_view name = src.str(t.nameOff());
      if (name.empty())
        continue;
      if ((t.kind() == Kind::Struct || t.kind() == Kind::Union) && composites[name] == 1)
        fwdable_[id] = true;
      if ((t.kind() == Kind::Enum || t.kind() == Kind::Enum64) && enums[name] == 1)
        fwdable_[id] = true;
      if (t.kind() == Kind::Var || t.kind() == Kind::Datasec)
        continue;
      if (t.kind() == Kind::DeclTag && src.type(t.type()).kind() == Kind::Var)
        continue;
      roots_.push_back(id);
    }
  }

  GenInfo info() const { return info_; }

  void addCus(Btf &dst, const GenOptions &o) {
    if (info_.used.empty()) {
      info_.used.assign(src_.endId(), false);
      info_.fwdUsed.assign(src_.endId(), false);
    }
    strMemo_.assign(src_.strings().firstOffset() + src_.strings().size(), UINT32_MAX);
    for (int cu = 0; cu < o.cus; ++cu)
      addCu(dst, o);
  }

private:
  // Node keys: source id, tagged as the type itself, its FWD, or its duplicate.
  static constexpr uint64_t kFwd = 1ull << 32;
  static constexpr uint64_t kDup = 2ull << 32;

  bool coin(double p) { return std::uniform_real_distribution<double>(0, 1)(rng_) < p; }

  uint32_t str(Btf &dst, uint32_t off, const GenOptions &o) {
    if (off == 0)
      return 0;
    const std::string_view s = src_.str(off);
    if (dst.base() && coin(o.ownStringProb))
      return dst.strings().add(s); // a split copy the dedup must fold back
    uint32_t &m = strMemo_[off];
    if (m == UINT32_MAX)
      m = dst.addString(s);
    return m;
  }

  void addCu(Btf &dst, const GenOptions &o) {
    std::vector<uint64_t> nodes;
    std::unordered_map<uint64_t, uint32_t> index; // node -> position in `nodes`
    std::unordered_map<uint32_t, bool> declOnly;  // per CU: pointers see a FWD
    auto addNode = [&](uint64_t n) {
      if (index.emplace(n, uint32_t(nodes.size())).second) {
        nodes.push_back(n);
        return true;
      }
      return false;
    };
    auto viaPointer = [&](uint32_t target) {
      if (!fwdable_[target])
        return false;
      auto [it, fresh] = declOnly.emplace(target, false);
      if (fresh)
        it->second = coin(o.fwdProb);
      return it->second;
    };

    std::vector<uint32_t> work, declared;
    std::uniform_int_distribution<size_t> pick(0, roots_.size() - 1);
    for (int r = 0; r < o.rootsPerCu; ++r)
      work.push_back(roots_[pick(rng_)]);
    while (!work.empty()) {
      const uint32_t id = work.back();
      work.pop_back();
      if (id == 0 || !addNode(id))
        continue;
      const uint32_t *w = src_.typeWords(id);
      const bool isPtr = kindOf(w) == Kind::Ptr;
      forEachTypeIdField(w, [&](const uint32_t &t) {
        if (isPtr && viaPointer(t))
          declared.push_back(t);
        else
          work.push_back(t);
      });
    }
    // Like a real CU, a type is either defined or only declared: pointers
    // use the FWD only when nothing in the CU needed the definition.
    for (uint32_t t : declared)
      if (!index.count(t))
        addNode(t | kFwd);
    const size_t originals = nodes.size();
    for (size_t i = 0; i < originals; ++i) {
      if (nodes[i] & kFwd)
        continue;
      const Kind k = src_.type(uint32_t(nodes[i])).kind();
      const bool dupable = k == Kind::Array || k == Kind::Struct || k == Kind::Union ||
                           (o.dupPointers && (k == Kind::Ptr || k == Kind::Const ||
                                              k == Kind::Typedef || k == Kind::FuncProto));
      if (dupable && coin(o.dupProb))
        addNode(nodes[i] | kDup);
    }
    std::shuffle(nodes.begin(), nodes.end(), rng_);
    std::unordered_map<uint64_t, uint32_t> newId;
    for (size_t i = 0; i < nodes.size(); ++i)
      newId[nodes[i]] = dst.endId() + uint32_t(i);
    const uint32_t firstId = dst.endId();

    // Words of every node; duplicates copy their original's final words.
    std::vector<std::vector<uint32_t>> words(nodes.size());
    auto target = [&](uint32_t from, uint32_t t) -> uint32_t {
      if (t == 0)
        return 0;
      if (auto fwd = newId.find(t | kFwd); fwd != newId.end())
        return fwd->second;
      auto dup = newId.find(t | kDup);
      if (dup != newId.end() && coin(0.5))
        return dup->second;
      return newId.at(t);
    };
    for (size_t i = 0; i < nodes.size(); ++i) {
      const uint64_t n = nodes[i];
      const uint32_t sid = uint32_t(n);
      const TypeView st = src_.type(sid);
      if (n & kFwd) {
        info_.fwdUsed[sid] = true;
        if (st.kind() == Kind::Struct || st.kind() == Kind::Union)
          words[i] = {str(dst, st.nameOff(), o), makeInfo(Kind::Fwd, 0, st.kind() == Kind::Union),
                      0};
        else // an enum forward declaration: no values, 4 bytes, even for ENUM64
          words[i] = {str(dst, st.nameOff(), o), makeInfo(Kind::Enum, 0, false), 4};
        continue;
      }
      if (n & kDup)
        continue;
      info_.used[sid] = true;
      words[i].assign(st.w, st.w + st.wordCount());
      forEachStrField(words[i].data(), [&](uint32_t &off) { off = str(dst, off, o); });
      forEachTypeIdField(words[i].data(), [&](uint32_t &t) { t = target(sid, t); });
    }
    for (size_t i = 0; i < nodes.size(); ++i)
      if (nodes[i] & kDup)
        words[i] = words[newId.at(nodes[i] & ~kDup) - firstId];
    for (const auto &w : words)
      dst.addRawType(w);
    info_.types += nodes.size();
  }

  const Btf &src_;
  std::mt19937_64 rng_;
  std::vector<bool> fwdable_;
  std::vector<uint32_t> roots_;
  std::vector<uint32_t> strMemo_;
  GenInfo info_;
};

// ---- helpers --------------------------------------------------------------

double seconds(std::chrono::steady_clock::time_point since) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - since).count();
}

/// Process CPU time: both dedups are single-threaded, and CPU time is far
/// less disturbed than wall time by other jobs on a shared machine.
double cpuNow() {
  timespec ts;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return double(ts.tv_sec) + double(ts.tv_nsec) * 1e-9;
}

std::unique_ptr<Btf> loadVmlinux() { return loadRaw(readBytes(kVmlinux)); }

/// First lines where two BTFs differ, for failure messages.
std::string firstDifferences(const Btf &ours, const Btf &theirs, int max = 8) {
  std::vector<std::string> a = test::typeLines(ours), b = test::typeLines(theirs);
  std::string out = fmt::format("ours: {} types, libbpf: {} types\n", a.size(), b.size());
  for (size_t i = 0; i < std::max(a.size(), b.size()) && max > 0; ++i) {
    const std::string &x = i < a.size() ? a[i] : "(none)";
    const std::string &y = i < b.size() ? b[i] : "(none)";
    if (x != y) {
      out += fmt::format("  ours:   {}\n  libbpf: {}\n", x, y);
      --max;
    }
  }
  return out;
}

#ifdef D2B_HAVE_LIBBPF
struct LibbpfResult {
  std::vector<uint8_t> raw;
  double seconds = 0;
};

/// Runs libbpf's btf__dedup on raw input (split on `base` raw if given).
LibbpfResult libbpfDedup(const std::vector<uint8_t> &input,
                         const std::vector<uint8_t> *baseRaw = nullptr) {
  struct btf *base = nullptr;
  struct btf *b = nullptr;
  if (baseRaw) {
    // libbpf 1.1 declares btf__new_split() but does not implement it; go
    // through a file instead.
    base = btf__new(baseRaw->data(), uint32_t(baseRaw->size()));
    test::TempDir dir;
    test::writeFile(dir.path("split.btf"), std::string(input.begin(), input.end()));
    b = btf__parse_raw_split(dir.path("split.btf").c_str(), base);
  } else {
    b = btf__new(input.data(), uint32_t(input.size()));
  }
  EXPECT_NE(b, nullptr);
  LibbpfResult r;
  if (!b)
    return r;
  const double t0 = cpuNow();
  int err = btf__dedup(b, nullptr);
  r.seconds = cpuNow() - t0;
  EXPECT_EQ(err, 0) << "btf__dedup failed";
  uint32_t size = 0;
  const void *data = btf__raw_data(b, &size);
  r.raw.assign(static_cast<const uint8_t *>(data), static_cast<const uint8_t *>(data) + size);
  btf__free(b);
  btf__free(base);
  return r;
}

struct Comparison {
  dedup::DedupStats stats;
  double ours = 0, theirs = 0;
};

/// Dedups `input` with libbpf and with ours; expects byte-identical output.
Comparison compareWithLibbpf(const Btf &input, LibbpfRules rules, const Btf *base = nullptr,
                             const std::vector<uint8_t> *baseRaw = nullptr) {
  const std::vector<uint8_t> raw = input.serialize(std::endian::native);
  Comparison c;
  LibbpfResult lib = libbpfDedup(raw, baseRaw);
  c.theirs = lib.seconds;

  std::unique_ptr<Btf> ours = loadRaw(raw, base);
  dedup::DedupOptions opts;
  opts.rules = rules;
  const double t0 = cpuNow();
  auto st = dedup::dedup(*ours, opts);
  c.ours = cpuNow() - t0;
  EXPECT_TRUE(st) << st.error().message();
  if (!st)
    return c;
  c.stats = *st;
  const std::vector<uint8_t> out = ours->serialize(std::endian::native);
  if (out != lib.raw) {
    std::unique_ptr<Btf> theirs = loadRaw(lib.raw, base);
    ADD_FAILURE() << "dedup output differs from libbpf's\n" << firstDifferences(*ours, *theirs);
    if (const char *dir = std::getenv("D2B_DEDUP_DUMP")) {
      // Full texts for offline diffing.
      std::string a, b, in;
      for (const std::string &l : test::typeLines(*ours))
        a += l + "\n";
      for (const std::string &l : test::typeLines(*theirs))
        b += l + "\n";
      std::unique_ptr<Btf> original = loadRaw(raw, base);
      for (const std::string &l : test::typeLines(*original))
        in += l + "\n";
      test::writeFile(std::string(dir) + "/ours.txt", a);
      test::writeFile(std::string(dir) + "/libbpf.txt", b);
      test::writeFile(std::string(dir) + "/input.txt", in);
    }
  }
  return c;
}
#endif

void report(const char *what, const Btf &input, const dedup::DedupStats &st, double ours,
            double theirs) {
  std::printf("%s: %u types in, %u out (prim %u, composite %u, ref %u merged; %u fwds "
              "resolved); CPU time: ours %.3f s, libbpf %.3f s\n",
              what, input.ownCount(), st.typesOut, st.primMerged, st.compositeMerged, st.refMerged,
              st.fwdsResolved, ours, theirs);
}

#define REQUIRE_VMLINUX()                                                                          \
  if (!std::filesystem::exists(kVmlinux))                                                          \
  GTEST_SKIP() << kVmlinux << " is missing (kernel without CONFIG_DEBUG_INFO_BTF)"

#ifdef D2B_HAVE_LIBBPF
#define REQUIRE_LIBBPF()
#else
#define REQUIRE_LIBBPF() GTEST_SKIP() << "built without libbpf (D2B_HAVE_LIBBPF unset)"
#endif

// ---- tests ----------------------------------------------------------------

// The kernel's BTF was deduplicated when it was built; ours must find nothing
// left to merge in it, so counts of source types are valid expectations below.
TEST(DedupVmlinux, KernelBtfIsAFixpoint) {
  REQUIRE_VMLINUX();
  std::unique_ptr<Btf> v = loadVmlinux();
  const uint32_t n = v->ownCount();
  auto t0 = std::chrono::steady_clock::now();
  auto st = dedup::dedup(*v);
  ASSERT_TRUE(st) << st.error().message();
  std::printf("vmlinux: %u types, dedup %.3f s\n", n, seconds(t0));
  EXPECT_EQ(st->typesOut, n);
}

// Exact comparison with the installed libbpf (1.1.x rules). Duplicates are
// only of the kinds libbpf 1.1 tolerates inside a CU (ARRAY, STRUCT/UNION),
// so every canonical choice is unambiguous and the output must be identical
// byte for byte: same types, same order, same string section.
TEST(DedupVmlinux, MatchesLibbpfByteForByte) {
  REQUIRE_VMLINUX();
  REQUIRE_LIBBPF();
#ifdef D2B_HAVE_LIBBPF
  std::unique_ptr<Btf> v = loadVmlinux();
  for (uint64_t seed : {1, 2, 3}) {
    SCOPED_TRACE(fmt::format("seed {}", seed));
    Btf input;
    CuGenerator gen(*v, seed);
    GenOptions o;
    o.fwdProb = 0.6 + 0.1 * double(seed);
    gen.addCus(input, o);
    for (LibbpfRules rules : {LibbpfRules::V1_1, LibbpfRules::Current}) {
      SCOPED_TRACE(rules == LibbpfRules::V1_1 ? "rules V1_1" : "rules Current");
      Comparison c = compareWithLibbpf(input, rules);
      report("cus", input, c.stats, c.ours, c.theirs);
      EXPECT_LT(c.stats.typesOut, c.stats.typesIn);
      EXPECT_GT(c.stats.fwdsResolved, 0u);
    }
  }
#endif
}

// Split BTF against the kernel's BTF as base, like a module: copies of kernel
// types collapse into base ids, types the base lacks stay, split strings the
// base has are folded into base offsets.
TEST(DedupVmlinux, SplitMatchesLibbpfByteForByte) {
  REQUIRE_VMLINUX();
  REQUIRE_LIBBPF();
#ifdef D2B_HAVE_LIBBPF
  const std::vector<uint8_t> baseRaw = readBytes(kVmlinux);
  std::unique_ptr<Btf> base = loadRaw(baseRaw);
  for (uint64_t seed : {11, 12}) {
    SCOPED_TRACE(fmt::format("seed {}", seed));
    Btf split(base.get());
    CuGenerator gen(*base, seed);
    GenOptions o;
    o.cus = 4;
    o.rootsPerCu = 100;
    gen.addCus(split, o);
    // Module-only types: new structs that embed and point at kernel types.
    const uint32_t i = split.addInt("int", 4, kIntSigned);
    for (int k = 0; k < 50; ++k) {
      uint32_t kernelType = 1 + uint32_t(k * 997) % (base->endId() - 1);
      while (base->type(kernelType).kind() != Kind::Struct)
        kernelType = kernelType % (base->endId() - 1) + 1;
      Member ms[] = {{"id", i, 0}, {"p", split.addPtr(kernelType), 64}};
      split.addComposite(false, fmt::format("module_struct_{}", k % 25), 16, ms);
    }
    for (LibbpfRules rules : {LibbpfRules::V1_1, LibbpfRules::Current}) {
      SCOPED_TRACE(rules == LibbpfRules::V1_1 ? "rules V1_1" : "rules Current");
      Comparison c = compareWithLibbpf(split, rules, base.get(), &baseRaw);
      report("split", split, c.stats, c.ours, c.theirs);
      EXPECT_LT(c.stats.typesOut, c.stats.typesIn);
    }
  }
#endif
}

// Without an oracle: with every kind of in-CU duplicate (pointers too, which
// libbpf 1.1 does not tolerate), current rules must still collapse the input
// to exactly the kernel types used plus the FWDs whose definition no CU had.
TEST(DedupVmlinux, CurrentRulesRecoverTheSourceTypes) {
  REQUIRE_VMLINUX();
  std::unique_ptr<Btf> v = loadVmlinux();
  Btf input;
  CuGenerator gen(*v, 99);
  GenOptions o;
  o.cus = 8;
  o.dupProb = 0.1;
  o.dupPointers = true;
  gen.addCus(input, o);
  const GenInfo info = gen.info();
  uint32_t expected = 0;
  for (uint32_t id = 1; id < v->endId(); ++id) {
    expected += info.used[id];
    if (info.fwdUsed[id] && !info.used[id])
      ++expected; // a FWD with nothing to resolve to: one copy survives
  }
  auto t0 = std::chrono::steady_clock::now();
  auto st = dedup::dedup(input);
  ASSERT_TRUE(st) << st.error().message();
  std::printf("all-duplicates: %llu types in, %u out, expected %u, %.3f s\n",
              (unsigned long long)info.types, st->typesOut, expected, seconds(t0));
  EXPECT_EQ(st->typesOut, expected);

  // Under libbpf 1.1 rules some structs with duplicated pointers stay apart.
  Btf again;
  CuGenerator gen2(*v, 99);
  gen2.addCus(again, o);
  dedup::DedupOptions old;
  old.rules = LibbpfRules::V1_1;
  auto st2 = dedup::dedup(again, old);
  ASSERT_TRUE(st2) << st2.error().message();
  EXPECT_GT(st2->typesOut, st->typesOut);
}

// Hash values only narrow candidate searches: with every key colliding,
// the output is the same bytes (the candidates are just scanned longer).
TEST(DedupVmlinux, OutputDoesNotDependOnHashing) {
  REQUIRE_VMLINUX();
  std::unique_ptr<Btf> v = loadVmlinux();
  Btf input;
  CuGenerator gen(*v, 5);
  GenOptions o;
  o.cus = 3;
  o.rootsPerCu = 30;
  o.fwdProb = 0.9;
  o.dupPointers = true;
  gen.addCus(input, o);
  for (LibbpfRules rules : {LibbpfRules::V1_1, LibbpfRules::Current}) {
    Btf fast = input, slow = input;
    dedup::DedupOptions opts;
    opts.rules = rules;
    auto a = dedup::dedup(fast, opts);
    opts.forceHashCollisions = true;
    auto b = dedup::dedup(slow, opts);
    ASSERT_TRUE(a && b);
    std::printf("collisions: %u types in, %u out\n", a->typesIn, a->typesOut);
    EXPECT_LT(a->typesOut, a->typesIn);
    EXPECT_EQ(fast.serialize(std::endian::native), slow.serialize(std::endian::native));
  }
}

// The real thing: pre-dedup BTF of a distribution kernel (millions of types,
// encoded by our tool with --no-dedup from its debug vmlinux) must dedup to
// exactly libbpf's bytes.
TEST(DedupDebugVmlinux, MatchesLibbpfOnRealPreDedupBtf) {
  REQUIRE_LIBBPF();
#ifdef D2B_HAVE_LIBBPF
  const std::string vmlinux = test::debugVmlinux();
  if (vmlinux.empty())
    GTEST_SKIP() << "no /usr/lib/debug/boot/vmlinux-* (install linux-image-*-dbg)";
  test::TempDir dir;
  const std::string raw = dir.path("predup.btf");
  test::RunResult r =
      test::run(test::tool() + " encode --no-dedup --no-validate --raw " + raw + " " + vmlinux);
  ASSERT_EQ(r.status, 0) << r.err;
  std::unique_ptr<Btf> input = loadRaw(readBytes(raw));
  for (LibbpfRules rules : {LibbpfRules::V1_1, LibbpfRules::Current}) {
    SCOPED_TRACE(rules == LibbpfRules::V1_1 ? "rules V1_1" : "rules Current");
    Comparison c = compareWithLibbpf(*input, rules);
    report("debug vmlinux", *input, c.stats, c.ours, c.theirs);
    EXPECT_LT(c.stats.typesOut, c.stats.typesIn / 10);
  }
#endif
}

// The timing comparison for the report: 30 CUs of large kernel subsets.
TEST(DedupVmlinux, Benchmark) {
  REQUIRE_VMLINUX();
  REQUIRE_LIBBPF();
  if (!std::getenv("D2B_DEDUP_BENCH"))
    GTEST_SKIP() << "set D2B_DEDUP_BENCH=1 to run the large timing comparison";
#ifdef D2B_HAVE_LIBBPF
  std::unique_ptr<Btf> v = loadVmlinux();
  Btf input;
  CuGenerator gen(*v, 7);
  GenOptions o;
  o.cus = std::getenv("D2B_DEDUP_BENCH_CUS") ? std::atoi(std::getenv("D2B_DEDUP_BENCH_CUS")) : 30;
  o.rootsPerCu = 20000;
  o.fwdProb = 0.2;
  auto t0 = std::chrono::steady_clock::now();
  gen.addCus(input, o);
  std::printf("bench input: %u types, %u string bytes, generated in %.1f s\n", input.ownCount(),
              input.strings().size(), seconds(t0));
  if (const char *save = std::getenv("D2B_DEDUP_BENCH_SAVE")) {
    const std::vector<uint8_t> raw = input.serialize(std::endian::native);
    test::writeFile(save, std::string(raw.begin(), raw.end()));
  }
  for (LibbpfRules rules : {LibbpfRules::V1_1, LibbpfRules::Current}) {
    Comparison c = compareWithLibbpf(input, rules);
    report(rules == LibbpfRules::V1_1 ? "bench V1_1" : "bench Current", input, c.stats, c.ours,
           c.theirs);
  }
#endif
}

} // namespace
