// IncrementalDedup (dedup fed piece by piece while the input grows) must give
// byte for byte what dedup() gives on the whole input, and the same stats.
#include <random>

#include <fmt/format.h>

#include <gtest/gtest.h>

#include "btf_text.h"
#include "dwarf2btf/btf/btf.h"
#include "dwarf2btf/dedup/dedup.h"

using namespace d2b;
using namespace d2b::btf;

namespace {

/// `units` small random "CUs" appended one after another: each refers only
/// to its own types (any order, cycles included), with few names, so units
/// share many equal and almost-equal types, FWDs, enum declarations and
/// same-named different structs, as compile units do.
struct Input {
  Btf btf;
  std::vector<uint32_t> unitEnds; // one past each unit's last id
};

Input randomUnits(std::mt19937 &rng, int units) {
  auto pick = [&](uint32_t n) { return std::uniform_int_distribution<uint32_t>(0, n - 1)(rng); };
  Input in;
  Btf &b = in.btf;
  const uint32_t names[] = {0, b.addString("a"), b.addString("b"), b.addString("c")};
  const Kind kinds[] = {Kind::Int,      Kind::Ptr,    Kind::Array,    Kind::Struct,
                        Kind::Union,    Kind::Enum,   Kind::Fwd,      Kind::Typedef,
                        Kind::Volatile, Kind::Const,  Kind::Restrict, Kind::FuncProto,
                        Kind::Float,    Kind::Enum64, Kind::TypeTag};
  for (int u = 0; u < units; ++u) {
    const uint32_t first = b.endId();
    const uint32_t n = 3 + pick(10);
    // Each unit starts with an int, so references have a non-loop target.
    b.addInt("int", 4, kIntSigned);
    for (uint32_t i = 1; i < n; ++i) {
      const Kind k = kinds[pick(sizeof(kinds) / sizeof(kinds[0]))];
      const bool hasVlen = k == Kind::Struct || k == Kind::Union || k == Kind::Enum ||
                           k == Kind::Enum64 || k == Kind::FuncProto;
      const uint32_t vlen = hasVlen ? pick(3) : 0;
      std::vector<uint32_t> w(3 + tailWords(k, vlen));
      w[0] = names[pick(4)];
      w[1] = makeInfo(k, vlen, k == Kind::Fwd ? pick(2) : 0);
      w[2] = hasSize(k) ? 4 * (1 + pick(2)) : first + pick(n);
      for (size_t j = 3; j < w.size(); ++j)
        w[j] = pick(3);
      if (k == Kind::Int)
        w[3] = 32;
      // Structs and unions refer anywhere in the unit (cycles through them
      // are valid); other kinds mostly backwards, else most inputs would
      // be reference loops.
      const bool anywhere = k == Kind::Struct || k == Kind::Union || pick(20) == 0;
      forEachTypeIdField(w.data(),
                         [&](uint32_t &id) { id = first + (anywhere ? pick(n) : pick(i)); });
      forEachStrField(w.data(), [&](uint32_t &off) { off = names[pick(4)]; });
      b.addRawType(w);
    }
    in.unitEnds.push_back(b.endId());
  }
  return in;
}

/// Feeds `in` to an IncrementalDedup, advancing after each unit, into a
/// fresh Btf with the same strings; returns its result (error text or bytes).
/// `jobs` > 1 runs the final string plan beside the type passes.
std::string incremental(const Input &in, dedup::DedupStats *stats, unsigned jobs) {
  Btf b;
  b.replaceStrings(in.btf.strings());
  dedup::IncrementalDedup d;
  uint32_t next = 1;
  for (uint32_t end : in.unitEnds) {
    for (; next < end; ++next) {
      const TypeView t = in.btf.type(next);
      b.addRawType(std::span(t.w, t.wordCount()));
    }
    if (Error e = d.advance(b))
      return "error: " + e.message();
    // The Btf may move between calls (encode returns it by value).
    Btf moved = std::move(b);
    b = std::move(moved);
  }
  auto st = d.finish(b, jobs);
  if (!st)
    return "error: " + st.error().message();
  *stats = *st;
  auto bytes = b.serialize(std::endian::little);
  return std::string(bytes.begin(), bytes.end());
}

TEST(IncrementalDedup, SameBytesAndStatsAsDedupOnRandomUnits) {
  std::mt19937 rng(4242);
  int same = 0, failed = 0;
  for (int iter = 0; iter < 2000; ++iter) {
    Input in = randomUnits(rng, 1 + int(rng() % 12));
    dedup::DedupStats incStats, parStats;
    const std::string inc = incremental(in, &incStats, 1);
    ASSERT_EQ(incremental(in, &parStats, 2), inc) << "iteration " << iter;
    Btf whole = in.btf;
    auto st = dedup::dedup(whole);
    if (!st) {
      // Reference loops: found by the final passes in both.
      EXPECT_EQ(inc, "error: " + st.error().message()) << "iteration " << iter;
      ++failed;
      continue;
    }
    auto bytes = whole.serialize(std::endian::little);
    ASSERT_EQ(inc, std::string(bytes.begin(), bytes.end()))
        << "iteration " << iter << "\n"
        << fmt::format("{}", fmt::join(test::typeLines(in.btf), "\n"));
    EXPECT_EQ(incStats.typesIn, st->typesIn);
    EXPECT_EQ(incStats.typesOut, st->typesOut);
    EXPECT_EQ(incStats.primMerged, st->primMerged);
    EXPECT_EQ(incStats.compositeMerged, st->compositeMerged);
    EXPECT_EQ(incStats.refMerged, st->refMerged);
    EXPECT_EQ(incStats.fwdsResolved, st->fwdsResolved);
    EXPECT_EQ(incStats.stringBytesIn, st->stringBytesIn);
    EXPECT_EQ(incStats.stringBytesOut, st->stringBytesOut);
    EXPECT_EQ(parStats.stringBytesOut, st->stringBytesOut);
    EXPECT_EQ(parStats.refMerged, st->refMerged);
    ++same;
  }
  // Both outcomes are exercised, and most inputs deduplicate.
  EXPECT_GT(same, 1000);
  EXPECT_GT(failed, 10);
}

TEST(IncrementalDedup, FinishWithoutInputIsEmpty) {
  Btf b;
  dedup::IncrementalDedup d;
  auto st = d.finish(b);
  ASSERT_TRUE(st) << st.error().message();
  EXPECT_EQ(st->typesOut, 0u);
}

TEST(IncrementalDedup, RefusesSplitBtf) {
  Btf base;
  base.addInt("int", 4, kIntSigned);
  Btf split(&base);
  split.addPtr(1);
  dedup::IncrementalDedup d;
  Error e = d.advance(split);
  ASSERT_TRUE(e);
  EXPECT_EQ(e.message(), "dedup: incremental deduplication of split BTF is not supported");
}

TEST(IncrementalDedup, ReportsAnInvalidPieceLikeDedup) {
  Btf b;
  b.addInt("int", 4, kIntSigned);
  dedup::IncrementalDedup d;
  ASSERT_FALSE(d.advance(b));
  b.addPtr(9);
  Error e = d.advance(b);
  ASSERT_TRUE(e);
  EXPECT_EQ(e.message(), "dedup: type [2]: refers to type id 9, but the last type id is 2");
}

} // namespace
