#include <algorithm>
#include <gtest/gtest.h>
#include <string>
#include <vector>

#include "dwarf2btf/btf/btf.h"

using namespace d2b::btf;

TEST(StringTable, InternsAndKeepsEmptyAtZero) {
  StringTable st;
  EXPECT_EQ(st.add(""), 0u);
  uint32_t a = st.add("abc");
  EXPECT_EQ(a, 1u);
  EXPECT_EQ(st.add("abc"), a);
  uint32_t b = st.add("de");
  EXPECT_EQ(b, 5u);
  EXPECT_EQ(st.at(b), "de");
  EXPECT_EQ(st.size(), 8u);
  EXPECT_EQ(st.find("zz"), UINT32_MAX);
}

TEST(StringTable, SplitOffsetsContinueAfterBase) {
  StringTable st(100);
  EXPECT_EQ(st.add(""), 0u);
  EXPECT_EQ(st.add("x"), 100u);
  EXPECT_EQ(st.at(100), "x");
  EXPECT_EQ(st.size(), 2u);
}

TEST(StringTable, CopiedTableKeepsIndex) {
  StringTable st;
  st.add("one");
  StringTable copy = st;
  EXPECT_EQ(copy.add("one"), 1u);
  StringTable moved = std::move(copy);
  EXPECT_EQ(moved.find("one"), 1u);
}

TEST(StringTable, ManyStringsSurviveGrowthAndKeepOffsets) {
  // Far past the initial slot count, so the index grows several times.
  StringTable st;
  std::vector<uint32_t> offs;
  for (int i = 0; i < 20000; ++i)
    offs.push_back(st.add("s" + std::to_string(i)));
  for (int i = 0; i < 20000; ++i) {
    ASSERT_EQ(st.add("s" + std::to_string(i)), offs[i]) << i;
    ASSERT_EQ(st.at(offs[i]), "s" + std::to_string(i));
  }
  EXPECT_EQ(st.find("s20000"), UINT32_MAX);
}

TEST(StringTable, RawSectionKeepsFirstOffsetOfDuplicates) {
  StringTable st;
  st.appendRaw(std::string_view("\0ab\0cd\0ab\0", 10));
  EXPECT_EQ(st.find("ab"), 1u);
  EXPECT_EQ(st.find("cd"), 4u);
  EXPECT_EQ(st.add("ab"), 1u);
  EXPECT_EQ(st.size(), 10u);
}

TEST(StringTable, ViewWithNulIsStoredCutShortAndNeverMatches) {
  StringTable st;
  const std::string_view withNul("ab\0c", 4);
  const uint32_t a = st.add(withNul);
  EXPECT_EQ(st.at(a), "ab");
  EXPECT_EQ(st.find("ab"), a); // indexed under what it stores
  EXPECT_EQ(st.find(withNul), UINT32_MAX);
  EXPECT_NE(st.add(withNul), a); // as before: such a view is appended again
  EXPECT_EQ(st.add("ab"), a);
}

TEST(StringTable, MovedFromTableIsEmptyAndUsable) {
  StringTable st(50);
  st.add("x");
  StringTable other = std::move(st);
  EXPECT_EQ(st.size(), 0u);
  EXPECT_EQ(st.add("y"), 50u);
  EXPECT_EQ(other.find("x"), 50u);
}

TEST(Btf, AddTypesAssignsSequentialIds) {
  Btf b;
  uint32_t i = b.addInt("int", 4, kIntSigned);
  uint32_t p = b.addPtr(i);
  Member m[] = {{"a", i, 0, 0}, {"b", i, 32, 3}};
  uint32_t s = b.addComposite(false, "s", 8, m);
  EXPECT_EQ(i, 1u);
  EXPECT_EQ(p, 2u);
  EXPECT_EQ(s, 3u);
  EXPECT_EQ(b.type(s).kind(), Kind::Struct);
  EXPECT_TRUE(b.type(s).kflag());
  EXPECT_EQ(b.type(s).tail()[5], (3u << 24) | 32u);
  EXPECT_EQ(b.name(s), "s");
}

TEST(Btf, EnumPicksEnum64WhenValuesDoNotFit) {
  Btf b;
  EnumValue small[] = {{"A", 1}, {"B", uint64_t(-1)}};
  EXPECT_EQ(b.type(b.addEnum("e", 4, true, small)).kind(), Kind::Enum);
  EnumValue big[] = {{"C", 1ull << 40}};
  EXPECT_EQ(b.type(b.addEnum("f", 8, false, big)).kind(), Kind::Enum64);
}

TEST(Btf, FieldIterVisitsIdsAndStrings) {
  Btf b;
  uint32_t i = b.addInt("int", 4, kIntSigned);
  Param ps[] = {{"x", i}, {"", 0}};
  uint32_t fp = b.addFuncProto(i, ps);
  std::vector<uint32_t> ids, strs;
  forEachTypeIdField(b.typeWords(fp), [&](const uint32_t &id) { ids.push_back(id); });
  forEachStrField(b.typeWords(fp), [&](const uint32_t &s) { strs.push_back(s); });
  EXPECT_EQ(ids, (std::vector<uint32_t>{i, i, 0}));
  EXPECT_EQ(strs.size(), 3u);
}

// equalApartFromTypeIds has a path of its own for structs and unions; for
// every kind, a change to one word must make a difference exactly when the
// word is not one forEachTypeIdField names.
TEST(Btf, EqualApartFromTypeIdsIgnoresExactlyTheTypeIdFields) {
  Btf b;
  const uint32_t i = b.addInt("int", 4, kIntSigned);
  const uint32_t p = b.addPtr(i);
  Member ms[] = {{"a", i, 0, 0}, {"b", p, 64, 0}, {"c", i, 128, 3}};
  EnumValue small[] = {{"A", 1}, {"B", 2}};
  EnumValue big[] = {{"C", uint64_t(1) << 40}};
  Param ps[] = {{"x", i}, {"y", p}};
  SecVar vs[] = {{i, 0, 4}, {p, 8, 8}};
  const std::vector<uint32_t> ids = {
      i,
      p,
      b.addConst(i),
      b.addTypedef("t", p),
      b.addFwd("f", false),
      b.addArray(p, i, 4),
      b.addComposite(false, "s", 24, ms),
      b.addComposite(true, "u", 8, std::span(ms, 2)),
      b.addComposite(false, "", 0, {}),
      b.addEnum("e", 4, true, small),
      b.addEnum("e64", 8, false, big),
      b.addFuncProto(i, ps),
      b.addFunc("fn", b.endId() - 1, FuncLinkage::Global),
      b.addVar("v", i, VarLinkage::GlobalAllocated),
      b.addDatasec(".data", 16, vs),
      b.addDeclTag("tag", i, 1),
      b.addTypeTag("tt", p),
      b.addFloat("double", 8),
  };
  for (uint32_t id : ids) {
    const uint32_t *w = b.typeWords(id);
    const std::vector<uint32_t> orig(w, w + wordCountOf(w));
    std::vector<bool> isId(orig.size());
    forEachTypeIdField(orig.data(), [&](const uint32_t &f) { isId[&f - orig.data()] = true; });
    EXPECT_TRUE(equalApartFromTypeIds(orig.data(), orig.data()));
    for (size_t k = 0; k < orig.size(); ++k) {
      std::vector<uint32_t> changed = orig;
      changed[k] ^= 0x5a5;
      EXPECT_EQ(equalApartFromTypeIds(orig.data(), changed.data()), bool(isId[k]))
          << kindName(kindOf(orig.data())) << " word " << k;
    }
  }
}

TEST(Btf, SerializeHeaderAndEndianness) {
  Btf b;
  b.addInt("int", 4, kIntSigned);
  auto le = b.serialize(std::endian::little);
  auto be = b.serialize(std::endian::big);
  ASSERT_EQ(le.size(), 24u + 16u + 5u);
  EXPECT_EQ(le[0], 0x9f);
  EXPECT_EQ(le[1], 0xeb);
  EXPECT_EQ(be[0], 0xeb);
  EXPECT_EQ(be[1], 0x9f);
}

TEST(Btf, SplitIdsAndStringsContinueAfterBase) {
  Btf base;
  uint32_t i = base.addInt("int", 4, kIntSigned);
  Btf split(&base);
  EXPECT_EQ(split.startId(), 2u);
  uint32_t p = split.addPtr(i);
  EXPECT_EQ(p, 2u);
  EXPECT_EQ(split.addTypedef("int", i), 3u);
  EXPECT_EQ(split.type(3).nameOff(), base.type(i).nameOff()); // reused base string
  EXPECT_EQ(split.name(i), "int");
}

TEST(Btf, AppendRawTypesCopiesAllTypesAfterTheOwnOnes) {
  Btf src;
  const uint32_t i = src.addInt("int", 4, kIntSigned);
  src.addPtr(i);
  Member m[] = {{"a", i, 0, 0}, {"b", i, 32, 0}};
  src.addComposite(false, "pair", 8, m);
  Btf dst;
  dst.addInt("char", 1, kIntSigned);
  const uint32_t first = dst.appendRawTypes(src);
  EXPECT_EQ(first, 2u);
  ASSERT_EQ(dst.endId(), 5u);
  for (uint32_t id = src.startId(); id < src.endId(); ++id) {
    const TypeView s = src.type(id), d = dst.type(first + id - 1);
    ASSERT_EQ(s.wordCount(), d.wordCount()) << id;
    // Copied as they are: ids and string offsets are still src's.
    EXPECT_TRUE(std::equal(s.w, s.w + s.wordCount(), d.w)) << id;
  }
  EXPECT_EQ(dst.type(1).kind(), Kind::Int);
  EXPECT_EQ(dst.name(1), "char");
  // An empty source appends nothing.
  EXPECT_EQ(dst.appendRawTypes(Btf()), 5u);
  EXPECT_EQ(dst.endId(), 5u);
}
