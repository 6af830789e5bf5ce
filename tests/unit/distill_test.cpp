// Distilled base (btf/distill.h): which base types stay in the base, which
// move into the split BTF, and how ids are renumbered. The expected layout
// follows libbpf's btf__distill_base, whose output was compared byte for byte
// (types and strings) on the fixtures and on Debian modules.
#include <gtest/gtest.h>

#include <cstring>
#include <sstream>

#include "dwarf2btf/btf/distill.h"
#include "dwarf2btf/btf/reader.h"
#include "dwarf2btf/dump/dump_raw.h"
#include "test_support.h"

using namespace d2b::btf;

namespace {

std::string dump(const Btf &b) {
  std::ostringstream out;
  d2b::dump::dumpRaw(b, out);
  return out.str();
}

/// A base with every kind a split BTF may refer to, and some it does not use.
Btf makeBase() {
  Btf b;
  EXPECT_EQ(b.addInt("int", 4, kIntSigned), 1u);
  // big's members (through the PTR [3] back to it) are never followed.
  Member bigMembers[] = {{"a", 1, 0, 0}, {"next", 3, 64, 0}};
  EXPECT_EQ(b.addComposite(false, "big", 16, bigMembers), 2u);
  EXPECT_EQ(b.addPtr(2), 3u);
  Member anonMembers[] = {{"x", 5, 0, 0}};
  EXPECT_EQ(b.addComposite(false, "", 4, anonMembers), 4u);
  EXPECT_EQ(b.addTypedef("u32", 6), 5u);
  EXPECT_EQ(b.addInt("unsigned int", 4, 0), 6u);
  EnumValue wide[] = {{"WIDE", 1ull << 40}};
  EXPECT_EQ(b.addEnum("e64", 8, false, wide), 7u); // ENUM64
  EnumValue small[] = {{"A", 1}};
  EXPECT_EQ(b.addEnum("", 4, false, small), 8u);
  Param params[] = {{"c", 10}};
  EXPECT_EQ(b.addFuncProto(1, params), 9u);
  EXPECT_EQ(b.addConst(11), 10u);
  EXPECT_EQ(b.addFwd("opaque", false), 11u);
  EXPECT_EQ(b.addFunc("f", 9, FuncLinkage::Global), 12u);
  EXPECT_EQ(b.addInt("unused", 2, 0), 13u);
  EXPECT_EQ(b.addComposite(true, "unused_union", 8, {}), 14u);
  return b;
}

std::vector<uint8_t> bytesOf(const std::string &rel) {
  std::string s = d2b::test::readFile(d2b::test::testdata(rel));
  return {s.begin(), s.end()};
}

/// Type and string sections of serialized BTF: libbpf HEAD writes a 32-byte
/// header (with its new layout fields), we write the classic 24 bytes.
std::vector<uint8_t> body(const std::vector<uint8_t> &blob) {
  uint32_t hdrLen = 0;
  std::memcpy(&hdrLen, blob.data() + 4, 4);
  return {blob.begin() + hdrLen, blob.end()};
}

} // namespace

// testdata/expected/distill: kinds.clang.dwarf5.O2.o encoded as split BTF
// against kinds.gcc.dwarf5.O2.o (so structs, unions, enums and typedefs are
// shared), and what libbpf v1.7.0-78 btf__distill_base made of it.
TEST(DistillBase, MatchesLibbpfOnFixture) {
  auto baseBytes = bytesOf("expected/distill/base.btf");
  auto base = parseBtf(baseBytes, nullptr, "base.btf");
  ASSERT_TRUE(base) << base.error().message();
  auto splitBytes = bytesOf("expected/distill/split.btf");
  auto split = parseBtf(splitBytes, &base->btf, "split.btf");
  ASSERT_TRUE(split) << split.error().message();
  auto d = distillBase(split->btf);
  ASSERT_TRUE(d) << d.error().message();
  EXPECT_EQ(body(d->base->serialize(std::endian::little)),
            body(bytesOf("expected/distill/libbpf.base.btf")));
  EXPECT_EQ(body(d->split.serialize(std::endian::little)),
            body(bytesOf("expected/distill/libbpf.split.btf")));
  EXPECT_EQ(d->base->endId(), 16u);
  EXPECT_EQ(d->split.ownCount(), 92u);
}

// libbpf's btf__relocate of its own distilled output back onto the base.
TEST(RelocateSplit, MatchesLibbpfOnFixture) {
  auto baseBytes = bytesOf("expected/distill/base.btf");
  auto base = parseBtf(baseBytes, nullptr, "base.btf");
  ASSERT_TRUE(base);
  auto distBytes = bytesOf("expected/distill/libbpf.base.btf");
  auto dist = parseBtf(distBytes, nullptr, "libbpf.base.btf");
  ASSERT_TRUE(dist) << dist.error().message();
  auto splitBytes = bytesOf("expected/distill/libbpf.split.btf");
  auto split = parseBtf(splitBytes, &dist->btf, "libbpf.split.btf");
  ASSERT_TRUE(split) << split.error().message();
  auto r = relocateSplit(split->btf, base->btf);
  ASSERT_TRUE(r) << r.error().message();
  EXPECT_EQ(r->startId(), base->btf.endId());
  EXPECT_EQ(body(r->serialize(std::endian::little)),
            body(bytesOf("expected/distill/libbpf.relocated.btf")));
}

TEST(RelocateSplit, NamesUnmatchedAndAmbiguousTypes) {
  Btf dist;
  dist.addComposite(false, "gone", 8, {});
  Btf split(&dist);
  split.addPtr(1);
  Btf base;
  base.addInt("int", 4, kIntSigned);
  auto none = relocateSplit(split, base);
  ASSERT_FALSE(none);
  EXPECT_EQ(none.error().message(),
            "relocation: distilled base type 'gone' [1] (STRUCT) has no match in the base");
  // Two same-named structs of the distilled size: no way to choose.
  Btf twice;
  twice.addComposite(false, "gone", 8, {});
  twice.addComposite(false, "gone", 8, {});
  auto both = relocateSplit(split, twice);
  ASSERT_FALSE(both);
  EXPECT_EQ(both.error().message(),
            "relocation: distilled base type 'gone' [1] matches base types [1] and [2]");
  // ... but of different sizes, the size decides.
  Btf sizes;
  sizes.addComposite(false, "gone", 16, {});
  sizes.addComposite(false, "gone", 8, {});
  auto chosen = relocateSplit(split, sizes);
  ASSERT_TRUE(chosen) << chosen.error().message();
  EXPECT_EQ(chosen->type(3).type(), 2u);
}

TEST(DistillBase, KeepsNamedTypesInBaseAndMovesTheRest) {
  Btf base = makeBase();
  Btf split(&base);
  Member members[] = {
      {"s", 2, 0, 0}, {"anon", 4, 128, 0}, {"e", 7, 192, 0}, {"e2", 8, 256, 0}, {"fp", 16, 320, 0}};
  EXPECT_EQ(split.addComposite(false, "mod", 48, members), 15u);
  EXPECT_EQ(split.addPtr(9), 16u);

  auto d = distillBase(split);
  ASSERT_TRUE(d) << d.error().message();
  // Base order; named STRUCT member-less, ENUM64 as a sized ENUM.
  EXPECT_EQ(dump(*d->base), "[1] INT 'int' size=4 bits_offset=0 nr_bits=32 encoding=SIGNED\n"
                            "[2] STRUCT 'big' size=16 vlen=0\n"
                            "[3] INT 'unsigned int' size=4 bits_offset=0 nr_bits=32 "
                            "encoding=(none)\n"
                            "[4] ENUM 'e64' encoding=UNSIGNED size=8 vlen=0\n"
                            "[5] FWD 'opaque' fwd_kind=struct\n");
  // Own types first (ids shifted down by 15 - 6 = 9), then the moved base
  // types in base order: anon struct 4, typedef 5, anon enum 8, proto 9, const 10.
  EXPECT_EQ(dump(d->split), "[6] STRUCT 'mod' size=48 vlen=5\n"
                            "\t's' type_id=2 bits_offset=0\n"
                            "\t'anon' type_id=8 bits_offset=128\n"
                            "\t'e' type_id=4 bits_offset=192\n"
                            "\t'e2' type_id=10 bits_offset=256\n"
                            "\t'fp' type_id=7 bits_offset=320\n"
                            "[7] PTR '(anon)' type_id=11\n"
                            "[8] STRUCT '(anon)' size=4 vlen=1\n"
                            "\t'x' type_id=9 bits_offset=0\n"
                            "[9] TYPEDEF 'u32' type_id=3\n"
                            "[10] ENUM '(anon)' encoding=UNSIGNED size=4 vlen=1\n"
                            "\t'A' val=1\n"
                            "[11] FUNC_PROTO '(anon)' ret_type_id=1 vlen=1\n"
                            "\t'c' type_id=12\n"
                            "[12] CONST '(anon)' type_id=5\n");
  EXPECT_EQ(d->split.startId(), 6u);
  EXPECT_EQ(d->split.base(), d->base.get());
}

TEST(DistillBase, StringsAreSharedWithTheDistilledBase) {
  Btf base;
  uint32_t i = base.addInt("int", 4, kIntSigned);
  Btf split(&base);
  split.addTypedef("int", i); // same string as the base INT: not repeated
  split.addTypedef("mine", i);
  auto d = distillBase(split);
  ASSERT_TRUE(d);
  EXPECT_EQ(d->base->strings().size(), 5u); // "" and "int"
  EXPECT_EQ(d->split.strings().size(), 5u); // "mine" only
  EXPECT_EQ(d->split.type(2).nameOff(), 1u);
}

TEST(DistillBase, RefusesReferencesToBaseFunctionsAndNonSplitInput) {
  Btf base;
  uint32_t i = base.addInt("int", 4, kIntSigned);
  uint32_t proto = base.addFuncProto(i, {});
  uint32_t f = base.addFunc("f", proto, FuncLinkage::Global);
  Btf split(&base);
  split.addDeclTag("bpf_kfunc", f, -1);
  auto d = distillBase(split);
  ASSERT_FALSE(d);
  EXPECT_EQ(d.error().message(), "distilled base: type [4] refers to base type [3] of kind FUNC, "
                                 "which a distilled base cannot describe");
  auto none = distillBase(base);
  ASSERT_FALSE(none);
  EXPECT_EQ(none.error().message(), "distilled base: the BTF has no base to distil");
}
