// OffsetMap (src/dwarf): DIE key -> node id, against std::unordered_map
// through growth, up-front reservation and repeated keys.
#include <gtest/gtest.h>

#include <random>
#include <unordered_map>

#include "../../src/dwarf/offset_map.h"

using d2b::dwarf::OffsetMap;

namespace {

void expectSame(const OffsetMap &m, const std::unordered_map<uint64_t, uint32_t> &want,
                std::mt19937_64 &rng) {
  ASSERT_EQ(m.size(), want.size());
  for (const auto &[k, v] : want) {
    const uint32_t *got = m.find(k);
    ASSERT_NE(got, nullptr) << k;
    EXPECT_EQ(*got, v) << k;
  }
  for (int i = 0; i < 1000; ++i) {
    const uint64_t k = rng() % (1u << 24);
    EXPECT_EQ(m.find(k) != nullptr, want.count(k) == 1) << k;
  }
}

} // namespace

TEST(OffsetMap, EmptyFindsNothing) {
  OffsetMap m;
  EXPECT_EQ(m.find(0), nullptr);
  EXPECT_EQ(m.find(12345), nullptr);
  m.reserve(0);
  EXPECT_EQ(m.find(0), nullptr);
  EXPECT_EQ(m.size(), 0u);
}

TEST(OffsetMap, SameAsUnorderedMapWithAndWithoutReserve) {
  for (size_t reserved : {size_t(0), size_t(10), size_t(5000), size_t(100000)}) {
    std::mt19937_64 rng(reserved + 1);
    OffsetMap m;
    m.reserve(reserved);
    std::unordered_map<uint64_t, uint32_t> want;
    // Dense offsets with small strides (as DIE offsets are), then random
    // keys, each added twice: the first value stays (emplace).
    for (uint32_t i = 0; i < 20000; ++i) {
      const uint64_t k = i < 10000 ? 0xb + uint64_t(i) * 7 : rng() % (1u << 24);
      m.emplace(k, i);
      want.emplace(k, i);
      m.emplace(k, i + 1);
      if (i == 300 || i == 12000) // while it still grows, and after
        expectSame(m, want, rng);
      if (reserved >= 100000 && i == 19999)
        m.reserve(10); // a smaller reservation changes nothing
    }
    expectSame(m, want, rng);
  }
}
