// Crafted BTF 100,000 levels deep (pointer, typedef, qualifier, struct,
// array, prototype and forward-reference chains, and two copies of a chain
// for dedup to merge) through everything `dump`, `check` and dedup run. On
// the test's 8 MiB main-thread stack a walk recursing once per level would
// overflow and crash; passing shows every walk is iterative or stops at a
// depth guard with a clean message.
#include <gtest/gtest.h>

#include <chrono>
#include <functional>
#include <sstream>
#include <string>

#include "dwarf2btf/btf/btf.h"
#include "dwarf2btf/dedup/dedup.h"
#include "dwarf2btf/dump/dump_c.h"
#include "dwarf2btf/dump/dump_raw.h"
#include "dwarf2btf/validate/validate.h"

namespace d2b {
namespace {

constexpr uint32_t kDepth = 100000;

using Link = std::function<uint32_t(btf::Btf &, uint32_t prev, uint32_t level)>;

/// `int`, then kDepth links each made from the previous, then `deep_t`
/// naming the last so the C dump has to reach all of it.
uint32_t buildChain(btf::Btf &b, const Link &link) {
  uint32_t id = b.addInt("int", 4, btf::kIntSigned);
  for (uint32_t i = 1; i <= kDepth; ++i)
    id = link(b, id, i);
  return b.addTypedef("deep_t", id);
}

struct Outcome {
  size_t violations = 0;
  std::string cError; // dumpC's error, "" when it succeeded
  bool cHasDeepT = false;
  uint32_t typesBefore = 0, typesAfterDedup = 0;
};

Outcome runAll(btf::Btf &b) {
  Outcome o;
  o.typesBefore = b.endId() - 1;
  o.violations = validate::validate(b).size();
  std::ostringstream raw;
  dump::dumpRaw(b, raw);
  EXPECT_NE(raw.str().find("TYPEDEF 'deep_t'"), std::string::npos);
  std::ostringstream c;
  const auto start = std::chrono::steady_clock::now();
  if (Error e = dump::dumpC(b, c))
    o.cError = e.message();
  // Linear, not quadratic: a 100,000-deep const/volatile chain once took
  // 73 s here (each qualifier looked down the rest of the chain).
  EXPECT_LT(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count(), 10.0);
  o.cHasDeepT = c.str().find("deep_t") != std::string::npos;
  auto st = dedup::dedup(b);
  EXPECT_TRUE(st) << st.error().message();
  o.typesAfterDedup = b.endId() - 1;
  return o;
}

Outcome runChain(const Link &link) {
  btf::Btf b;
  buildChain(b, link);
  return runAll(b);
}

void expectClean(const Outcome &o, uint32_t types) {
  EXPECT_EQ(o.violations, 0u);
  EXPECT_EQ(o.cError, "");
  EXPECT_TRUE(o.cHasDeepT);
  EXPECT_EQ(o.typesBefore, types);
  EXPECT_EQ(o.typesAfterDedup, types);
}

TEST(DeepNesting, PointerChain) {
  expectClean(runChain([](btf::Btf &b, uint32_t prev, uint32_t) { return b.addPtr(prev); }),
              kDepth + 2);
}

TEST(DeepNesting, TypedefChain) {
  expectClean(runChain([](btf::Btf &b, uint32_t prev, uint32_t i) {
                return b.addTypedef("t" + std::to_string(i), prev);
              }),
              kDepth + 2);
}

TEST(DeepNesting, QualifierChain) {
  expectClean(runChain([](btf::Btf &b, uint32_t prev, uint32_t i) {
                return i % 2 ? b.addConst(prev) : b.addVolatile(prev);
              }),
              kDepth + 2);
}

TEST(DeepNesting, StructByValueChain) {
  expectClean(runChain([](btf::Btf &b, uint32_t prev, uint32_t i) {
                const btf::Member m[] = {{"m", prev, 0, 0}};
                return b.addComposite(false, "s" + std::to_string(i), 4, m);
              }),
              kDepth + 2);
}

TEST(DeepNesting, ArrayChain) {
  expectClean(runChain([](btf::Btf &b, uint32_t prev, uint32_t) { return b.addArray(prev, 1, 1); }),
              kDepth + 2);
}

TEST(DeepNesting, PrototypeChainStopsAtTheDumpGuard) {
  Outcome o = runChain([](btf::Btf &b, uint32_t prev, uint32_t) {
    const btf::Param p[] = {{"x", prev}};
    return b.addPtr(b.addFuncProto(prev, p));
  });
  EXPECT_EQ(o.violations, 0u);
  // A declarator 100,000 prototypes deep is not C anyone can compile; the
  // dump stops at its nesting guard with one message instead.
  EXPECT_EQ(o.cError, "type [196001] PTR '' is nested more than 2000 levels deep");
  EXPECT_EQ(o.typesAfterDedup, 2 * kDepth + 2);
}

TEST(DeepNesting, ForwardReferenceChain) {
  // Type i refers to i + 1: resolving type 1 needs the whole chain at once,
  // which the kernel refuses past 32 levels; the checker says so (it must
  // not recurse to find out), and the dump stops at its guard.
  btf::Btf b;
  for (uint32_t i = 1; i <= kDepth; ++i)
    b.addTypedef("f" + std::to_string(i), i + 1);
  b.addInt("int", 4, btf::kIntSigned);
  auto v = validate::validate(b);
  ASSERT_FALSE(v.empty());
  EXPECT_EQ(v[0].logLine(), "[1] TYPEDEF f1 type_id=2 Exceeded max resolving depth:32");
  std::ostringstream c;
  Error e = dump::dumpC(b, c);
  EXPECT_EQ(e.message(), "type [2002] TYPEDEF 'f2002' is nested more than 2000 levels deep");
  auto st = dedup::dedup(b);
  EXPECT_TRUE(st) << st.error().message();
}

/// Two copies of a 100,000-deep chain (as two units would bring): dedup
/// has to prove them equivalent level by level to merge them.
uint32_t dedupTwoCopies(const Link &link) {
  btf::Btf b;
  buildChain(b, link);
  buildChain(b, link);
  auto st = dedup::dedup(b);
  EXPECT_TRUE(st) << st.error().message();
  EXPECT_TRUE(validate::validate(b).empty());
  return b.endId() - 1;
}

TEST(DeepNesting, DedupMergesTwoDeepStructChains) {
  EXPECT_EQ(dedupTwoCopies([](btf::Btf &b, uint32_t prev, uint32_t i) {
              const btf::Member m[] = {{"m", prev, 0, 0}};
              return b.addComposite(false, "s" + std::to_string(i), 4, m);
            }),
            kDepth + 2);
}

TEST(DeepNesting, DedupMergesTwoDeepPointerStructChains) {
  // struct s_i { struct s_{i-1} *m; }: equivalence goes through pointers.
  EXPECT_EQ(dedupTwoCopies([](btf::Btf &b, uint32_t prev, uint32_t i) {
              const btf::Member m[] = {{"m", b.addPtr(prev), 0, 0}};
              return b.addComposite(false, "s" + std::to_string(i), 8, m);
            }),
            2 * kDepth + 2);
}

TEST(DeepNesting, DedupMergesTwoDeepPointerChains) {
  EXPECT_EQ(dedupTwoCopies([](btf::Btf &b, uint32_t prev, uint32_t) { return b.addPtr(prev); }),
            kDepth + 2);
}

TEST(DeepNesting, DedupStopsComparingAtItsWorkLimit) {
  // 100,000 structs of one name and shape, each holding the one before by
  // value: every struct is a candidate for every later one and each
  // comparison runs down to the bottom of the chain before it differs, so
  // graph comparison is cubic. The work limit stops it; the BTF stays valid.
  btf::Btf b;
  buildChain(b, [](btf::Btf &b, uint32_t prev, uint32_t) {
    const btf::Member m[] = {{"m", prev, 0, 0}};
    return b.addComposite(false, "s", 4, m);
  });
  const auto start = std::chrono::steady_clock::now();
  auto st = dedup::dedup(b);
  const double secs =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  ASSERT_TRUE(st) << st.error().message();
  EXPECT_TRUE(st->equivBudgetExhausted);
  const uint64_t limit = dedup::kEquivStepsBase + dedup::kEquivStepsPerType * st->typesIn;
  EXPECT_GT(st->equivSteps, limit);
  EXPECT_LE(st->equivSteps, limit + kDepth); // one step per check still running when it hit
  EXPECT_EQ(b.endId() - 1, kDepth + 2);      // nothing merged: they all differ
  EXPECT_TRUE(validate::validate(b).empty());
  EXPECT_LT(secs, 60.0);
}

} // namespace
} // namespace d2b
