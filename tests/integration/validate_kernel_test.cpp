// Cross-checks the offline validator against the running kernel: every blob
// of tests/support/bad_btf_cases.cpp is loaded with BPF_BTF_LOAD, and the
// kernel's verdict, errno and last log line must be what validate() says.
// Skipped (visibly) when the bpf syscall is refused.
#include <gtest/gtest.h>

#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <random>
#include <set>

#include "bad_btf_cases.h"
#include "dwarf2btf/btf/btf.h"
#include "dwarf2btf/btf/reader.h"
#include "dwarf2btf/kernel/btf_load.h"
#include "dwarf2btf/validate/validate.h"
#include "random_btf.h"
#include "test_support.h"

using namespace d2b;
using btf::Btf;
using test::BtfCase;
using validate::Violation;

namespace {

/// Why kernel loads cannot run here, or "" when they can.
const std::string &kernelSkipReason() {
  static const std::string reason = [] {
    Btf b;
    b.addInt("int", 4, btf::kIntSigned);
    kernel::KernelLoadResult r = kernel::loadIntoKernel(b.serialize(std::endian::native));
    if (!r.attempted)
      return r.skipReason;
    if (!r.accepted)
      return "the kernel rejects even a lone INT: " + kernel::logTail(r.log, 3);
    return std::string();
  }();
  return reason;
}

#define SKIP_WITHOUT_KERNEL()                                                                      \
  do {                                                                                             \
    if (!kernelSkipReason().empty())                                                               \
      GTEST_SKIP() << kernelSkipReason();                                                          \
  } while (0)

std::string vmlinuxBytes() {
  const std::string path = "/sys/kernel/btf/vmlinux";
  return std::filesystem::exists(path) ? test::readFile(path) : std::string();
}
std::span<const uint8_t> asBytes(const std::string &s) {
  return {reinterpret_cast<const uint8_t *>(s.data()), s.size()};
}

/// True if `b` has a "kptr"-tagged pointer to a struct whose name is also a
/// struct of the running kernel. The kernel then wants a destructor kfunc
/// registered for that type, which validate() cannot know (documented gap).
bool hasKernelKptr(const Btf &b) {
  static const std::set<std::string> kernelStructs = [] {
    std::set<std::string> names;
    const std::string bytes = vmlinuxBytes();
    if (bytes.empty())
      return names;
    Btf v = test::rawToBtf(asBytes(bytes));
    for (uint32_t id = 1; id < v.endId(); ++id)
      if (v.type(id).kind() == btf::Kind::Struct && v.validStrOffset(v.type(id).nameOff()))
        names.insert(std::string(v.name(id)));
    return names;
  }();
  for (uint32_t id = b.startId(); id < b.endId(); ++id) {
    btf::TypeView t = b.type(id);
    if (t.kind() != btf::Kind::TypeTag || !b.validStrOffset(t.nameOff()) || b.name(id) != "kptr")
      continue;
    uint32_t target = t.type();
    for (int hops = 0; hops < 32 && target && target < b.endId(); ++hops) {
      btf::TypeView x = b.type(target);
      if (x.kind() == btf::Kind::Struct) {
        if (b.validStrOffset(x.nameOff()) && kernelStructs.count(std::string(b.name(target))))
          return true;
        break;
      }
      if (x.kind() != btf::Kind::Typedef && x.kind() != btf::Kind::Const &&
          x.kind() != btf::Kind::Volatile && x.kind() != btf::Kind::Restrict &&
          x.kind() != btf::Kind::TypeTag)
        break;
      target = x.type();
    }
  }
  return false;
}

/// The core property: the kernel and validate() agree on `raw`. Returns a
/// description of the disagreement, or "" when they agree.
std::string disagreement(std::span<const uint8_t> raw, const Btf &b) {
  std::vector<Violation> ours = validate::validate(b);
  kernel::KernelLoadResult k = kernel::loadIntoKernel(raw);
  if (!k.attempted)
    return "";
  // errno 0 marks the one problem the kernel logs without failing the load.
  const Violation *fatal = nullptr;
  for (const Violation &v : ours) {
    if (!v.errnoValue && k.log.find(v.logLine()) == std::string::npos)
      return "kernel does not log '" + v.logLine() + "'";
    if (v.errnoValue && !fatal)
      fatal = &v;
  }
  std::string kernelLast = kernel::logTail(k.log, 1);
  if (k.accepted)
    return fatal ? "kernel accepts, we report: " + fatal->logLine() : "";
  if (!fatal) {
    if (hasKernelKptr(b))
      return ""; // the one unmodelled rule, see hasKernelKptr()
    return "kernel rejects (errno " + std::to_string(k.errnoValue) + ": " + kernelLast +
           "), we accept";
  }
  // Some rejections come with no log line: then only the errno can agree.
  // A non-fatal message before it is printed without a line break.
  std::string expected = fatal->logLine();
  if (fatal != &ours[0] && kernelLast == ours[0].logLine() + expected)
    expected = kernelLast;
  const bool lineDiffers = fatal->logged && expected != kernelLast;
  if (lineDiffers || fatal->errnoValue != k.errnoValue)
    return "kernel: '" + kernelLast + "' errno " + std::to_string(k.errnoValue) + "; ours: '" +
           fatal->logLine() + "' errno " + std::to_string(fatal->errnoValue);
  return "";
}

std::string caseName(const testing::TestParamInfo<BtfCase> &info) { return info.param.name; }

class KernelRejects : public testing::TestWithParam<BtfCase> {};
class KernelAccepts : public testing::TestWithParam<BtfCase> {};

} // namespace

TEST_P(KernelRejects, WithTheMessageWePredict) {
  SKIP_WITHOUT_KERNEL();
  const BtfCase &c = GetParam();
  Btf b = c.build();
  kernel::KernelLoadResult r = kernel::loadIntoKernel(b.serialize(std::endian::native));
  ASSERT_TRUE(r.attempted) << r.skipReason;
  EXPECT_FALSE(r.accepted);
  EXPECT_EQ(r.errnoValue, c.errnoValue);
  std::vector<Violation> ours = validate::validate(b);
  ASSERT_FALSE(ours.empty());
  EXPECT_EQ(ours[0].errnoValue, r.errnoValue);
  if (!c.logged) {
    // Rejected after every type passed: the log ends with an ordinary line.
    EXPECT_EQ(r.log.find(" Invalid"), std::string::npos) << kernel::logTail(r.log, 4);
    return;
  }
  // The failing line is the last thing the kernel logs.
  EXPECT_EQ(kernel::logTail(r.log, 1), c.logLine()) << kernel::logTail(r.log, 4);
  EXPECT_EQ(ours[0].logLine(), kernel::logTail(r.log, 1));
}

TEST_P(KernelAccepts, AsDoWe) {
  SKIP_WITHOUT_KERNEL();
  Btf b = GetParam().build();
  kernel::KernelLoadResult r = kernel::loadIntoKernel(b.serialize(std::endian::native));
  ASSERT_TRUE(r.attempted) << r.skipReason;
  EXPECT_TRUE(r.accepted) << "errno " << r.errnoValue << ": " << kernel::logTail(r.log, 4);
  EXPECT_TRUE(validate::validate(b).empty());
}

INSTANTIATE_TEST_SUITE_P(Rules, KernelRejects, testing::ValuesIn(test::invalidBtfCases()),
                         caseName);
INSTANTIATE_TEST_SUITE_P(Rules, KernelAccepts, testing::ValuesIn(test::validBtfCases()), caseName);

TEST(KernelValidate, VmlinuxReloadedIsAcceptedByBoth) {
  SKIP_WITHOUT_KERNEL();
  const std::string bytes = vmlinuxBytes();
  if (bytes.empty())
    GTEST_SKIP() << "/sys/kernel/btf/vmlinux not present";
  Expected<btf::ParsedBtf> parsed = btf::parseBtf(asBytes(bytes), nullptr, "vmlinux");
  ASSERT_TRUE(parsed) << parsed.error().message();
  ASSERT_GT(parsed->btf.ownCount(), 1000u);
  std::vector<Violation> ours = validate::validate(parsed->btf);
  EXPECT_TRUE(ours.empty()) << ours.size() << " violations, first: " << ours[0].logLine();
  // The test-only raw reader used by the mutation tests sees the same thing.
  EXPECT_EQ(test::rawToBtf(asBytes(bytes)).serialize(std::endian::native),
            parsed->btf.serialize(std::endian::native));
  kernel::KernelLoadResult r = kernel::loadIntoKernel(asBytes(bytes), 0);
  if (!r.accepted)
    r = kernel::loadIntoKernel(asBytes(bytes), 1);
  EXPECT_TRUE(r.accepted) << "errno " << r.errnoValue << ": " << kernel::logTail(r.log, 4);
}

TEST(KernelValidate, VerboseLogOfVmlinuxFitsAfterGrowing) {
  SKIP_WITHOUT_KERNEL();
  const std::string bytes = vmlinuxBytes();
  if (bytes.empty())
    GTEST_SKIP() << "/sys/kernel/btf/vmlinux not present";
  // Level 1 logs every type: megabytes, far past the first 64 KiB buffer.
  kernel::KernelLoadResult r = kernel::loadIntoKernel(asBytes(bytes), 1);
  EXPECT_TRUE(r.accepted) << "errno " << r.errnoValue;
  EXPECT_GT(r.log.size(), 1u << 20);
  EXPECT_NE(r.log.find("] STRUCT task_struct size="), std::string::npos);
}

TEST(KernelValidate, TypesPastTheIdLimitAreLoggedDroppedAndAccepted) {
  SKIP_WITHOUT_KERNEL();
  Btf b;
  for (uint32_t i = 0; i < 0xfffff; ++i) // ids 1..0xfffff; 0xfffff is one too many
    b.addPtr(0);
  std::vector<uint8_t> raw = b.serialize(std::endian::native);
  kernel::KernelLoadResult r = kernel::loadIntoKernel(raw);
  EXPECT_TRUE(r.accepted) << "errno " << r.errnoValue;
  EXPECT_EQ(kernel::logTail(r.log, 1), "Exceeded max num of types");
  EXPECT_EQ(disagreement(raw, b), "");

  // Referring to a dropped type fails; the message shares the log line.
  b.mutableTypeWords(6)[2] = 0xfffff;
  raw = b.serialize(std::endian::native);
  r = kernel::loadIntoKernel(raw);
  EXPECT_FALSE(r.accepted);
  EXPECT_EQ(kernel::logTail(r.log, 1),
            "Exceeded max num of types[6] PTR (anon) type_id=1048575 Invalid type_id");
  EXPECT_EQ(disagreement(raw, b), "");
}

TEST(KernelValidate, BlobsOver16MiBFailWithoutALog) {
  SKIP_WITHOUT_KERNEL();
  Btf b;
  b.addInt("int", 4, btf::kIntSigned);
  std::string name(1 << 20, 'n');
  for (int i = 0; i < 17; ++i) {
    name[0] = char('a' + i);
    b.addString(name);
  }
  std::vector<uint8_t> raw = b.serialize(std::endian::native);
  kernel::KernelLoadResult r = kernel::loadIntoKernel(raw);
  EXPECT_FALSE(r.accepted);
  EXPECT_EQ(r.errnoValue, E2BIG);
  EXPECT_EQ(r.log, "");
  std::vector<Violation> ours = validate::validate(b);
  ASSERT_FALSE(ours.empty());
  EXPECT_FALSE(ours[0].logged);
  EXPECT_EQ(disagreement(raw, b), "");
}

TEST(KernelValidate, SplitBtfCombinedWithItsBase) {
  SKIP_WITHOUT_KERNEL();
  Btf base;
  uint32_t dbl = base.addFloat("double", 8);
  uint32_t f64 = base.addTypedef("f64", dbl);
  uint32_t u8 = base.addInt("u8", 1, 0);
  Btf split(&base);
  split.addComposite(false, "ok", 16, std::vector<btf::Member>{{"a", u8, 0}, {"f", f64, 64}});
  kernel::KernelLoadResult r =
      kernel::loadIntoKernel(kernel::combineSplit(split, std::endian::native));
  EXPECT_TRUE(r.accepted) << kernel::logTail(r.log, 3);
  EXPECT_TRUE(validate::validate(split).empty());

  split.addComposite(false, "packed", 9, std::vector<btf::Member>{{"a", u8, 0}, {"f", f64, 8}});
  r = kernel::loadIntoKernel(kernel::combineSplit(split, std::endian::native));
  EXPECT_FALSE(r.accepted);
  std::vector<Violation> ours = validate::validate(split);
  ASSERT_FALSE(ours.empty());
  EXPECT_EQ(ours[0].logLine(), kernel::logTail(r.log, 1));
  EXPECT_EQ(ours[0].typeId, 5u);
}

TEST(KernelValidate, SplitOnSplitCombinedWithBothBases) {
  SKIP_WITHOUT_KERNEL();
  Btf base;
  uint32_t i = base.addInt("int", 4, btf::kIntSigned);
  Btf mid(&base);
  uint32_t p = mid.addPtr(i);
  uint32_t s = mid.addComposite(false, "S", 8, std::vector<btf::Member>{{"p", p, 0}});
  Btf top(&mid);
  top.addTypedef("s_t", s);
  uint32_t bad = top.addComposite(false, "T", 4, std::vector<btf::Member>{{"s", s, 0}});
  std::vector<uint8_t> raw = kernel::combineSplit(top, std::endian::native);
  kernel::KernelLoadResult r = kernel::loadIntoKernel(raw);
  EXPECT_FALSE(r.accepted);
  std::vector<Violation> ours = validate::validate(top);
  ASSERT_FALSE(ours.empty());
  EXPECT_EQ(ours[0].typeId, bad);
  EXPECT_EQ(ours[0].logLine(), kernel::logTail(r.log, 1));
  EXPECT_EQ(ours[0].logLine(), "\ts type_id=3 bits_offset=0 Member exceeds struct_size");
}

TEST(KernelValidate, ClangBpfObjectsAgree) {
  SKIP_WITHOUT_KERNEL();
  std::vector<std::string> compilers;
  for (const char *cc : {"clang", "clang-22"})
    if (test::haveProgram(cc))
      compilers.push_back(cc);
  if (compilers.empty())
    GTEST_SKIP() << "no clang";
  test::TempDir dir;
  // Raw clang output still has DATASEC sizes of 0 (libbpf fixes them up at
  // load time), so the kernel rejects globals.c: we must say so in its words.
  test::writeFile(dir.path("globals.c"), R"(
    struct node { struct node *next; int val; unsigned bits : 3; float f; };
    union u { long l; char c[8]; };
    enum e { A, B = -1 };
    typedef int (*cb_t)(struct node *, ...);
    struct node head;
    const volatile int cfg = 1;
    static union u scratch;
    cb_t callback;
    int __attribute__((btf_decl_tag("tagged"))) tagged_var;
    int sum(struct node *n, enum e x) { return n ? n->val + x + scratch.c[0] : cfg; }
  )");
  test::writeFile(dir.path("tags.c"), R"(
    #define __user __attribute__((btf_type_tag("user")))
    struct s { int a; char b[3]; long long c; int __user *up; double d; };
    int f(struct s *p, int __attribute__((btf_decl_tag("arg"))) x) { return p->a + x; }
  )");
  for (const std::string &cc : compilers) {
    for (const std::string src : {"globals", "tags"}) {
      const std::string c = dir.path(src + ".c"), o = dir.path(src + ".o");
      test::RunResult r = test::run(cc + " -g -O2 -target bpf -c " + c + " -o " + o);
      ASSERT_EQ(r.status, 0) << cc << ": " << r.err;
      Expected<std::vector<uint8_t>> bytes = btf::readBtfBytes(o);
      ASSERT_TRUE(bytes) << bytes.error().message();
      Expected<btf::ParsedBtf> parsed = btf::parseBtf(*bytes, nullptr, o);
      ASSERT_TRUE(parsed) << parsed.error().message();
      const Btf &b = parsed->btf;
      EXPECT_EQ(disagreement(*bytes, b), "") << cc << " " << src;
      std::vector<Violation> ours = validate::validate(b);
      if (src == "tags") {
        EXPECT_TRUE(ours.empty()) << cc << ": " << ours[0].logLine();
      } else {
        ASSERT_FALSE(ours.empty()) << cc;
        EXPECT_EQ(ours[0].message, "size == 0") << cc;
      }
    }
  }
}

// pahole 1.24 encodes Rust DWARF as it is: generic and tuple names the
// kernel refuses, members out of offset order. A C object is fine.
TEST(KernelValidate, PaholeEncodedObjectsAgree) {
  SKIP_WITHOUT_KERNEL();
  if (!test::haveProgram("pahole"))
    GTEST_SKIP() << "pahole missing";
  test::TempDir dir;
  struct Input {
    std::string compile, obj;
    bool accepted;
  };
  std::vector<Input> inputs;
  if (test::haveProgram("rustc")) {
    test::writeFile(dir.path("lib.rs"), R"(
      #![no_std]
      pub struct Foo<T> { pub a: T, pub b: u8 }
      pub struct S { pub a: u8, pub b: u32, pub c: u16 }
      #[no_mangle] pub static mut FOO: Foo<u32> = Foo { a: 1, b: 2 };
      #[no_mangle] pub static mut SS: S = S { a: 1, b: 2, c: 3 };
      #[no_mangle] pub static mut T: (u32, u64) = (1, 2);
      #[no_mangle] pub extern "C" fn get(x: &Foo<u32>) -> u32 { x.a }
    )");
    inputs.push_back({"rustc --crate-type=lib -C debuginfo=2 -C opt-level=1 --emit=obj -o " +
                          dir.path("rs.o") + " " + dir.path("lib.rs"),
                      dir.path("rs.o"), false});
  }
  if (test::haveProgram("gcc")) {
    test::writeFile(dir.path("c.c"), R"(
      struct list { struct list *next; unsigned flags : 3, kind : 5; double w; };
      union u { long l; char c[8]; };
      typedef int (*cb_t)(struct list *, ...);
      struct list head; union u scratch; cb_t callback;
      int walk(struct list *l, int n) { return l ? n + l->kind : 0; }
    )");
    inputs.push_back(
        {"gcc -g -O1 -c -o " + dir.path("c.o") + " " + dir.path("c.c"), dir.path("c.o"), true});
  }
  if (inputs.empty())
    GTEST_SKIP() << "neither rustc nor gcc";
  for (const Input &in : inputs) {
    test::RunResult r = test::run(in.compile);
    ASSERT_EQ(r.status, 0) << in.compile << "\n" << r.err;
    const std::string &obj = in.obj;
    r = test::run("pahole -J " + obj);
    ASSERT_EQ(r.status, 0) << r.err;
    Expected<std::vector<uint8_t>> bytes = btf::readBtfBytes(obj);
    ASSERT_TRUE(bytes) << bytes.error().message();
    Expected<btf::ParsedBtf> parsed = btf::parseBtf(*bytes, nullptr, obj);
    ASSERT_TRUE(parsed) << parsed.error().message();
    EXPECT_EQ(disagreement(*bytes, parsed->btf), "") << obj;
    std::vector<Violation> ours = validate::validate(parsed->btf);
    if (in.accepted) {
      EXPECT_TRUE(ours.empty()) << obj << ": " << ours[0].logLine();
    } else {
      ASSERT_FALSE(ours.empty()) << obj;
      EXPECT_EQ(ours[0].message, "Invalid name") << ours[0].logLine();
    }
  }
}

// Random corruptions of type words of valid blobs: whatever the kernel says,
// our first violation must be the same line (or both accept).
TEST(KernelValidate, MutatedBlobsAgree) {
  SKIP_WITHOUT_KERNEL();
  // D2B_MUTATIONS raises the per-blob count for a longer session.
  const char *env = std::getenv("D2B_MUTATIONS");
  const int perBlob = env ? std::atoi(env) : 150;
  std::mt19937 rng(20240611);
  int checked = 0, rejected = 0;
  std::vector<std::string> failures;
  for (const BtfCase &c : test::validBtfCases()) {
    Btf orig = c.build();
    const std::vector<uint8_t> base = orig.serialize(std::endian::native);
    const size_t typeWords = orig.words().size();
    for (int iter = 0; iter < perBlob; ++iter) {
      std::vector<uint8_t> raw = base;
      const int edits = 1 + int(rng() % 2);
      for (int e = 0; e < edits; ++e) {
        const size_t w = rng() % typeWords;
        uint32_t v;
        std::memcpy(&v, raw.data() + btf::kHeaderSize + 4 * w, 4);
        switch (rng() % 4) {
        case 0:
          v ^= 1u << (rng() % 32);
          break;
        case 1:
          v = rng() % 40;
          break;
        case 2:
          v += (rng() % 2) ? 1 : uint32_t(-1);
          break;
        default:
          v = rng();
          break;
        }
        std::memcpy(raw.data() + btf::kHeaderSize + 4 * w, &v, 4);
      }
      Btf b = test::rawToBtf(raw);
      std::string d = disagreement(raw, b);
      ++checked;
      if (!validate::validate(b).empty())
        ++rejected;
      if (!d.empty() && failures.size() < 25)
        failures.push_back(c.name + " #" + std::to_string(iter) + ": " + d);
    }
  }
  std::string all;
  for (const std::string &f : failures)
    all += f + "\n";
  EXPECT_TRUE(failures.empty()) << all;
  std::printf("mutations checked: %d, rejected by both: %d\n", checked, rejected);
}

// Random type graphs and long reference chains: cycles, dangling ids, wrong
// kinds, the 32-deep resolve limit and the walk's mode rules all come up.
TEST(KernelValidate, RandomBlobsAgree) {
  SKIP_WITHOUT_KERNEL();
  const char *env = std::getenv("D2B_RANDOM_BLOBS");
  const int count = env ? std::atoi(env) : 3000;
  std::vector<std::string> failures;
  int accepted = 0;
  for (test::RandomBtfShape shape : {test::RandomBtfShape::Graph, test::RandomBtfShape::Chain}) {
    std::mt19937 rng(shape == test::RandomBtfShape::Graph ? 7 : 8);
    for (int i = 0; i < count; ++i) {
      Btf b = test::randomBtf(rng, shape);
      const std::vector<uint8_t> raw = b.serialize(std::endian::native);
      std::string d = disagreement(raw, b);
      if (validate::validate(b).empty())
        ++accepted;
      if (!d.empty() && failures.size() < 25)
        failures.push_back(std::string(shape == test::RandomBtfShape::Graph ? "graph" : "chain") +
                           " #" + std::to_string(i) + ": " + d);
    }
  }
  std::string all;
  for (const std::string &f : failures)
    all += f + "\n";
  EXPECT_TRUE(failures.empty()) << all;
  std::printf("random blobs: %d, accepted by both: %d\n", 2 * count, accepted);
}
