// AbbrevCache fills in a DIE's abbreviation from its unit's cache; the result
// must be the pointer libdw itself finds, for every DIE of every unit of
// fixtures with DWARF 4 and 5, type units, and LTO units that refer to each
// other; DIEs of another unit and unreadable codes are left to libdw.
#include <gtest/gtest.h>

#include "../../src/dwarf/abbrev_cache.h"
#include "libdw_support.h"
#include "test_support.h"

using d2b::dwarf::AbbrevCache;

namespace {

/// Walks every DIE of every unit twice in step, once priming each new DIE
/// from the cache; returns how many DIEs were compared.
size_t compareAllDies(const std::string &path, size_t &primedHits) {
  d2b::test::OpenedDwarf o(path);
  EXPECT_NE(o.dw, nullptr) << path;
  if (!o.dw)
    return 0;
  size_t compared = 0;
  Dwarf_Off off = 0, next = 0;
  size_t hsize = 0;
  while (dwarf_next_unit(o.dw, off, &next, &hsize, nullptr, nullptr, nullptr, nullptr, nullptr,
                         nullptr) == 0) {
    Dwarf_Die cu;
    if (!dwarf_offdie(o.dw, off + hsize, &cu)) {
      off = next;
      continue;
    }
    AbbrevCache cache;
    cache.reset(cu.cu, AbbrevCache::unitEnd(cu, off, off + hsize));
    std::vector<std::pair<Dwarf_Die, Dwarf_Die>> stack; // (primed, plain)
    Dwarf_Die a, b;
    if (dwarf_child(&cu, &a) == 0 && dwarf_child(&cu, &b) == 0)
      stack.push_back({a, b});
    while (!stack.empty()) {
      auto [p, q] = stack.back();
      stack.pop_back();
      const bool wasNull = p.abbrev == nullptr;
      cache.prime(p);
      if (wasNull && p.abbrev)
        ++primedHits;
      EXPECT_EQ(dwarf_tag(&p), dwarf_tag(&q)) << path << " DIE " << dwarf_dieoffset(&q);
      EXPECT_EQ(p.abbrev, q.abbrev) << path << " DIE " << dwarf_dieoffset(&q);
      ++compared;
      Dwarf_Die ps, qs;
      if (dwarf_siblingof(&p, &ps) == 0 && dwarf_siblingof(&q, &qs) == 0)
        stack.push_back({ps, qs});
      if (dwarf_haschildren(&q) && dwarf_child(&p, &ps) == 0 && dwarf_child(&q, &qs) == 0)
        stack.push_back({ps, qs});
    }
    off = next;
  }
  return compared;
}

TEST(AbbrevCache, SameAbbreviationAsLibdwForEveryDie) {
  for (const char *f : {"bin/multi.gcc.dwarf5.O2.exe", "bin/kinds.clang.dwarf4.O2.o",
                        "bin/typeunits.clang.dwarf5.O2.types.o", "bin/lto/lto.full.ldr.o",
                        "bin/rust/enums.rustc.dwarf5.O2.o"}) {
    SCOPED_TRACE(f);
    size_t hits = 0;
    const size_t n = compareAllDies(d2b::test::testdata(f), hits);
    EXPECT_GT(n, 10u);
    // DIEs after the first of each code come from the cache.
    EXPECT_GT(hits, n / 4);
  }
}

TEST(AbbrevCache, LeavesOtherUnitsAndUnreadableCodesToLibdw) {
  d2b::test::OpenedDwarf o(d2b::test::testdata("bin/multi.gcc.dwarf5.O2.exe"));
  ASSERT_NE(o.dw, nullptr);
  Dwarf_Off off = 0, next = 0;
  size_t hsize = 0;
  ASSERT_EQ(dwarf_next_unit(o.dw, off, &next, &hsize, nullptr, nullptr, nullptr, nullptr, nullptr,
                            nullptr),
            0);
  Dwarf_Off off2 = next, next2 = 0;
  size_t hsize2 = 0;
  ASSERT_EQ(dwarf_next_unit(o.dw, off2, &next2, &hsize2, nullptr, nullptr, nullptr, nullptr,
                            nullptr, nullptr),
            0)
      << "the fixture has two units";
  Dwarf_Die cu1, cu2, c;
  ASSERT_TRUE(dwarf_offdie(o.dw, off + hsize, &cu1));
  ASSERT_TRUE(dwarf_offdie(o.dw, off2 + hsize2, &cu2));
  AbbrevCache cache;
  cache.reset(cu1.cu, AbbrevCache::unitEnd(cu1, off, off + hsize));
  ASSERT_EQ(dwarf_child(&cu2, &c), 0);
  cache.prime(c);
  EXPECT_EQ(c.abbrev, nullptr) << "a DIE of another unit";
  // A code that would run past the unit's end is not read.
  ASSERT_EQ(dwarf_child(&cu1, &c), 0);
  cache.reset(cu1.cu, static_cast<const unsigned char *>(c.addr));
  cache.prime(c);
  EXPECT_EQ(c.abbrev, nullptr);
}

} // namespace
