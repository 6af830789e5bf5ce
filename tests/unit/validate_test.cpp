// Offline kernel-rule validation: every rule has a hand-built blob with the
// exact first violation Linux 6.18 reports (tests/support/bad_btf_cases.cpp;
// the integration test checks the same expectations against the kernel).
#include <gtest/gtest.h>

#include <cstring>

#include "bad_btf_cases.h"
#include "dwarf2btf/btf/btf.h"
#include "dwarf2btf/kernel/btf_load.h"
#include "dwarf2btf/validate/validate.h"

using namespace d2b;
using btf::Btf;
using btf::Member;
using test::BtfCase;
using validate::ValidateOptions;
using validate::Violation;

namespace {

std::string describe(const std::vector<Violation> &v) {
  std::string s;
  for (const Violation &x : v)
    s += "  [" + std::to_string(x.typeId) + "] " + x.logLine() + " (errno " +
         std::to_string(x.errnoValue) + ")\n";
  return s.empty() ? "  (none)\n" : s;
}

std::string caseName(const testing::TestParamInfo<BtfCase> &info) { return info.param.name; }

class InvalidBtf : public testing::TestWithParam<BtfCase> {};
class ValidBtf : public testing::TestWithParam<BtfCase> {};

} // namespace

TEST_P(InvalidBtf, FirstViolationIsTheKernels) {
  const BtfCase &c = GetParam();
  Btf b = c.build();
  std::vector<Violation> v = validate::validate(b);
  ASSERT_FALSE(v.empty()) << "expected: " << c.logLine();
  EXPECT_EQ(v[0].typeId, c.typeId) << describe(v);
  EXPECT_EQ(v[0].kernelLine, c.kernelLine) << describe(v);
  EXPECT_EQ(v[0].message, c.message) << describe(v);
  EXPECT_EQ(v[0].errnoValue, c.errnoValue) << describe(v);
  EXPECT_EQ(v[0].logged, c.logged) << describe(v);
}

TEST_P(ValidBtf, NoViolation) {
  Btf b = GetParam().build();
  std::vector<Violation> v = validate::validate(b);
  EXPECT_TRUE(v.empty()) << describe(v);
}

INSTANTIATE_TEST_SUITE_P(Rules, InvalidBtf, testing::ValuesIn(test::invalidBtfCases()), caseName);
INSTANTIATE_TEST_SUITE_P(Rules, ValidBtf, testing::ValuesIn(test::validBtfCases()), caseName);

TEST(Validate, LogLineJoinsPrefixAndMessage) {
  Violation v;
  v.typeId = 2;
  v.kernelLine = "[2] PTR &u32 type_id=1";
  v.message = "Invalid name";
  EXPECT_EQ(v.logLine(), "[2] PTR &u32 type_id=1 Invalid name");
  Violation h;
  h.message = "No type found";
  EXPECT_EQ(h.logLine(), "No type found");
}

TEST(Validate, ReportsEveryIndependentViolationInKernelOrder) {
  Btf b;
  uint32_t u = b.addInt("u32", 4, 0);                                     // 1
  b.addComposite(false, "Foo<u32>", 4, std::vector<Member>{{"a", u, 0}}); // 2: meta
  b.addFwd("F", false);                                                   // 3
  b.addVar("v", 3, btf::VarLinkage::Static);                              // 4: resolve
  b.addTypedef("t", 0);                                                   // 5
  b.addFloat("f", 3);                                                     // 6: meta
  std::vector<Violation> v = validate::validate(b);
  ASSERT_EQ(v.size(), 3u) << describe(v);
  EXPECT_EQ(v[0].logLine(), "[2] STRUCT Foo<u32> size=4 vlen=1 Invalid name");
  EXPECT_EQ(v[1].logLine(), "[6] FLOAT f size=3 Invalid type_size");
  EXPECT_EQ(v[2].logLine(), "[4] VAR v type_id=3 linkage=0 Invalid type_id");

  ValidateOptions first;
  first.reportAll = false;
  std::vector<Violation> one = validate::validate(b, first);
  ASSERT_EQ(one.size(), 1u);
  EXPECT_EQ(one[0].typeId, 2u);
}

TEST(Validate, BrokenTypeIsReportedOnceNotThroughItsUsers) {
  Btf b;
  b.addFwd("F", false);                                                // 1
  b.addComposite(false, "Bad", 8, std::vector<Member>{{"f", 1, 0}});   // 2
  b.addComposite(false, "User1", 8, std::vector<Member>{{"b", 2, 0}}); // 3
  b.addComposite(false, "User2", 8, std::vector<Member>{{"b", 2, 0}}); // 4
  b.addTypedef("bad_t", 2);                                            // 5
  std::vector<Violation> v = validate::validate(b);
  ASSERT_EQ(v.size(), 1u) << describe(v);
  EXPECT_EQ(v[0].logLine(), "\tf type_id=1 bits_offset=0 Invalid member");
  EXPECT_EQ(v[0].typeId, 2u);
}

TEST(Validate, FailedMetaStopsTheWalkWhenTheTypeCannotBeSized) {
  Btf b;
  b.addRawType(std::vector<uint32_t>{0, 25u << 24, 0}); // unknown kind
  b.addFwd("Foo<T>", false);                            // never reached
  std::vector<Violation> v = validate::validate(b);
  ASSERT_EQ(v.size(), 1u) << describe(v);
  EXPECT_EQ(v[0].logLine(), "[1] Invalid kind:25");
}

TEST(Validate, OlderKernelOptions) {
  Btf b;
  uint32_t u = b.addInt("u32", 4, 0);
  b.addComposite(false, std::string(200, 'x'), 4, std::vector<Member>{{"a", u, 0}});
  EXPECT_TRUE(validate::validate(b).empty());
  ValidateOptions k515 = ValidateOptions::forKernel(5, 15);
  EXPECT_EQ(k515.maxNameLen, 128u);
  EXPECT_EQ(k515.maxKind, 17u);
  std::vector<Violation> v = validate::validate(b, k515);
  ASSERT_EQ(v.size(), 1u) << describe(v);
  EXPECT_EQ(v[0].message, "Invalid name");

  ValidateOptions k612 = ValidateOptions::forKernel(6, 12);
  EXPECT_EQ(k612.maxNameLen, 512u);
  EXPECT_TRUE(k612.relaxedNames);
  EXPECT_FALSE(k612.tagKindFlag);
  ValidateOptions k618 = ValidateOptions::forKernel(6, 18);
  EXPECT_TRUE(k618.tagKindFlag);
  EXPECT_EQ(k618.maxKind, 19u);
}

TEST(Validate, PreRelaxedNamesRejectDotsAndSlashes) {
  ValidateOptions k68 = ValidateOptions::forKernel(6, 8);
  Btf b;
  uint32_t u = b.addInt("u32", 4, 0);
  b.addComposite(false, "a.b", 4, std::vector<Member>{{"x", u, 0}});
  std::vector<Violation> v = validate::validate(b, k68);
  ASSERT_EQ(v.size(), 1u) << describe(v);
  EXPECT_EQ(v[0].logLine(), "[2] STRUCT a.b size=4 vlen=1 Invalid name");

  Btf d;
  uint32_t i = d.addInt("u32", 4, 0);
  uint32_t var = d.addVar("x", i, btf::VarLinkage::GlobalAllocated);
  btf::SecVar sv[] = {{var, 0, 4}};
  d.addDatasec(".data.rel", 4, sv);
  d.addDatasec("maps/x", 4, sv);
  v = validate::validate(d, k68);
  ASSERT_EQ(v.size(), 1u) << describe(v);
  EXPECT_EQ(v[0].logLine(), "[4] DATASEC maps/x size=4 vlen=1 Invalid name");
  EXPECT_TRUE(validate::validate(d).empty());
}

TEST(Validate, TagKindFlagBefore615) {
  Btf b;
  uint32_t u = b.addInt("u32", 4, 0);
  b.addRawType(
      std::vector<uint32_t>{b.addString("attr"), btf::makeInfo(btf::Kind::TypeTag, 0, true), u});
  EXPECT_TRUE(validate::validate(b).empty());
  std::vector<Violation> v = validate::validate(b, ValidateOptions::forKernel(6, 14));
  ASSERT_EQ(v.size(), 1u) << describe(v);
  EXPECT_EQ(v[0].logLine(), "[2] TYPE_TAG attr type_id=1 Invalid btf_info kind_flag");
}

TEST(Validate, KindsNewerThanTheKernelAreUnknown) {
  Btf b;
  btf::EnumValue ev[] = {{"BIG", 1ull << 40}};
  b.addEnum("e", 8, false, ev);
  std::vector<Violation> v = validate::validate(b, ValidateOptions::forKernel(5, 19));
  ASSERT_EQ(v.size(), 1u) << describe(v);
  EXPECT_EQ(v[0].logLine(), "[1] Invalid kind:19");
}

TEST(Validate, SplitBtfIsCheckedAgainstItsBase) {
  Btf base;
  uint32_t dbl = base.addFloat("double", 8);  // 1
  uint32_t f64 = base.addTypedef("f64", dbl); // 2
  uint32_t u8 = base.addInt("u8", 1, 0);      // 3
  Btf split(&base);
  uint32_t good =
      split.addComposite(false, "ok", 16, std::vector<Member>{{"a", u8, 0}, {"f", f64, 64}});
  EXPECT_EQ(good, 4u);
  EXPECT_TRUE(validate::validate(split).empty());
  uint32_t bad =
      split.addComposite(false, "packed", 9, std::vector<Member>{{"a", u8, 0}, {"f", f64, 8}});
  uint32_t dangling = split.addPtr(99);
  std::vector<Violation> v = validate::validate(split);
  ASSERT_EQ(v.size(), 2u) << describe(v);
  EXPECT_EQ(v[0].typeId, bad);
  EXPECT_EQ(v[0].logLine(), "\tf type_id=1 bits_offset=8 Member is not properly aligned");
  EXPECT_EQ(v[1].typeId, dangling);
  EXPECT_EQ(v[1].logLine(), "[6] PTR (anon) type_id=99 Invalid type_id");
}

TEST(Validate, SplitBtfWithoutTypesIsFine) {
  Btf base;
  base.addInt("int", 4, btf::kIntSigned);
  Btf split(&base);
  EXPECT_TRUE(validate::validate(split).empty());
}

TEST(Validate, OversizedBlobIsRejectedBeforeAnyTypeCheck) {
  Btf b;
  uint32_t u = b.addInt("u32", 4, 0);
  // 17 MiB of strings: E2BIG, which the kernel returns without a log.
  std::string name(1 << 20, 'n');
  for (int i = 0; i < 17; ++i) {
    name[0] = char('a' + i);
    b.addString(name);
  }
  (void)u;
  std::vector<Violation> v = validate::validate(b);
  ASSERT_FALSE(v.empty());
  EXPECT_EQ(v[0].errnoValue, E2BIG);
  EXPECT_FALSE(v[0].logged);
  EXPECT_EQ(v[0].typeId, 0u);
  EXPECT_NE(v[0].message.find("exceeds 16777216"), std::string::npos) << v[0].message;
}

TEST(Validate, TypesPastTheIdLimitAreReportedButNotFatal) {
  Btf b;
  for (uint32_t i = 0; i < 0xfffff; ++i)
    b.addPtr(i == 5 ? 0xfffff : 0); // [6] points at the dropped type
  std::vector<Violation> v = validate::validate(b);
  ASSERT_EQ(v.size(), 2u) << describe(v);
  EXPECT_EQ(v[0].logLine(), "Exceeded max num of types");
  EXPECT_EQ(v[0].typeId, 0xfffffu);
  EXPECT_EQ(v[0].errnoValue, 0);
  EXPECT_EQ(v[1].logLine(), "[6] PTR (anon) type_id=1048575 Invalid type_id");
  EXPECT_EQ(v[1].errnoValue, EINVAL);
}

TEST(Validate, RawRoundTripKeepsVerdicts) {
  for (const BtfCase &c : test::validBtfCases()) {
    Btf b = c.build();
    std::vector<uint8_t> raw = b.serialize(std::endian::native);
    Btf back = test::rawToBtf(raw);
    EXPECT_EQ(back.serialize(std::endian::native), raw) << c.name;
    EXPECT_TRUE(validate::validate(back).empty()) << c.name;
  }
}

TEST(Validate, MemberAndEntryViolationsCarryTheirTypesLine) {
  Btf b;
  uint32_t u8 = b.addInt("u8", 1, 0);
  uint32_t f = b.addFloat("f64", 8);
  b.addComposite(false, "P", 9, std::vector<Member>{{"a", u8, 0}, {"f", f, 8}});
  uint32_t var = b.addVar("x", u8, btf::VarLinkage::GlobalAllocated);
  btf::SecVar sv[] = {{var, 0, 0}};
  b.addDatasec(".data", 4, sv);
  std::vector<Violation> v = validate::validate(b);
  ASSERT_EQ(v.size(), 2u) << describe(v);
  EXPECT_EQ(v[0].logLine(), "\t type_id=4 offset=0 size=0 Invalid size");
  EXPECT_EQ(v[0].typeLine, "[5] DATASEC .data size=4 vlen=1");
  EXPECT_EQ(v[1].logLine(), "\tf type_id=2 bits_offset=8 Member is not properly aligned");
  EXPECT_EQ(v[1].typeLine, "[3] STRUCT P size=9 vlen=2");
  Btf plain;
  plain.addFloat("f", 3);
  v = validate::validate(plain);
  ASSERT_EQ(v.size(), 1u);
  EXPECT_EQ(v[0].typeLine, "");
}

TEST(KernelLoad, DescribesTheKernelsOwnErrno) {
  EXPECT_EQ(kernel::describeErrno(524), "ENOTSUPP (operation not supported)");
  EXPECT_EQ(kernel::describeErrno(EINVAL), strerror(EINVAL));
}

TEST(KernelLoad, LogTailKeepsLastLines) {
  EXPECT_EQ(kernel::logTail("a\nb\nc\n", 2), "b\nc");
  EXPECT_EQ(kernel::logTail("a\nb\nc", 1), "c");
  EXPECT_EQ(kernel::logTail("a\n\n\nb\n\n", 5), "a\nb");
  EXPECT_EQ(kernel::logTail("", 3), "");
  EXPECT_EQ(kernel::logTail("x\n", 0), "");
}

TEST(KernelLoad, CombineSplitConcatenatesBaseThenSplit) {
  Btf base;
  uint32_t i = base.addInt("int", 4, btf::kIntSigned);
  Btf split(&base);
  uint32_t p = split.addPtr(i);
  split.addTypedef("iptr", p);
  std::vector<uint8_t> out = kernel::combineSplit(split, std::endian::little);
  Btf whole;
  whole.addInt("int", 4, btf::kIntSigned);
  whole.addPtr(1);
  whole.addTypedef("iptr", 2);
  EXPECT_EQ(out, whole.serialize(std::endian::little));
  std::vector<uint8_t> be = kernel::combineSplit(split, std::endian::big);
  EXPECT_EQ(be, whole.serialize(std::endian::big));
  EXPECT_EQ(kernel::combineSplit(base, std::endian::little), base.serialize(std::endian::little));
}

// Batch mode checks each split on a base prepared once: the violations must
// be exactly those of validating the split on its own.
TEST(Validate, PreparedBaseGivesTheSameViolations) {
  Btf base;
  uint32_t u = base.addInt("u32", 4, 0);                                           // 1
  uint32_t s = base.addComposite(false, "s", 8, std::vector<Member>{{"a", u, 0}}); // 2
  base.addTypedef("t", s);                                                         // 3
  base.addFwd("F", false);                                                         // 4
  auto pb = validate::PreparedBase::create(base);
  auto lines = [](const std::vector<Violation> &v) {
    std::vector<std::string> out;
    for (const Violation &x : v)
      out.push_back(x.logLine());
    return out;
  };
  for (int variant = 0; variant < 3; ++variant) {
    Btf split(&base);
    uint32_t p = split.addPtr(3);
    if (variant == 0) {
      split.addComposite(false, "ok", 16, std::vector<Member>{{"p", p, 0}, {"x", 2, 64}});
    } else if (variant == 1) {
      split.addComposite(false, "bad", 4, std::vector<Member>{{"x", 2, 0}}); // too small
      split.addVar("v", 4, btf::VarLinkage::Static);                         // VAR of a FWD
    } else {
      split.addTypedef("Bad<name>", 1);
      split.addArray(2, 99, 1);
    }
    SCOPED_TRACE(variant);
    auto plain = validate::validate(split);
    auto prepared = validate::validate(split, {}, *pb);
    EXPECT_EQ(lines(prepared), lines(plain));
    EXPECT_EQ(plain.empty(), variant == 0) << describe(plain);
  }
}

namespace {

std::vector<std::string> logLines(const std::vector<Violation> &v) {
  std::vector<std::string> out;
  for (const Violation &x : v)
    out.push_back(x.logLine());
  return out;
}

/// A split on `base` that uses each base type as a member, array element,
/// typedef target, variable and argument, asking for the base types from the
/// first up or from the last down.
Btf splitUsingEveryType(const Btf &base, bool downwards) {
  Btf split(&base);
  const uint32_t n = base.endId();
  const uint32_t u32 = split.addInt("u32", 4, 0);
  for (uint32_t k = 1; k < n; ++k) {
    const uint32_t t = downwards ? n - k : k;
    split.addComposite(false, "s", 64, std::vector<Member>{{"m", t, 0}});
    split.addArray(t, u32, 2);
    split.addTypedef("td", t);
    split.addVar("v", t, btf::VarLinkage::Static);
    const btf::Param arg{"a", t};
    split.addFuncProto(t, std::span(&arg, 1));
  }
  return split;
}

} // namespace

// validate() resolves a split's base types only when the split first asks
// for them (a module needs a few hundred of vmlinux's); PreparedBase
// resolves the whole base in id order, as the kernel did at boot. On a base
// the kernel accepts, both must give the same violations whatever order
// the split asks in: every valid case as a base, walked upwards and
// downwards.
TEST(Validate, BaseResolvedOnDemandGivesTheSameViolations) {
  size_t compared = 0, withViolations = 0;
  for (const BtfCase &c : test::validBtfCases()) {
    const Btf base = c.build();
    if (!validate::validate(base).empty())
      continue; // a case the kernel accepts only with its own log quirks
    auto pb = validate::PreparedBase::create(base);
    for (bool downwards : {false, true}) {
      const Btf split = splitUsingEveryType(base, downwards);
      SCOPED_TRACE(c.name + (downwards ? " downwards" : " upwards"));
      const std::vector<Violation> onDemand = validate::validate(split);
      EXPECT_EQ(logLines(onDemand), logLines(validate::validate(split, {}, *pb)));
      ++compared;
      withViolations += !onDemand.empty();
    }
  }
  // The comparison must have had something to compare.
  EXPECT_GT(compared, 20u);
  EXPECT_GT(withViolations, 5u);
}

// A base level under validate() is also meta-checked on demand: a type's
// own checks run when the split first reaches it. Those checks look at the
// type alone, so a base with types the meta pass rejects must come out as
// with the checks run up front (PreparedBase): every rejected case as a
// base, under the same splits as above.
TEST(Validate, BaseMetaCheckedOnDemandGivesTheSameViolations) {
  ValidateOptions all;
  all.reportAll = true;
  size_t compared = 0;
  for (const BtfCase &c : test::invalidBtfCases()) {
    const Btf base = c.build();
    auto pb = validate::PreparedBase::create(base);
    for (bool downwards : {false, true}) {
      const Btf split = splitUsingEveryType(base, downwards);
      EXPECT_EQ(logLines(validate::validate(split, all)),
                logLines(validate::validate(split, all, *pb)))
          << c.name << (downwards ? " downwards" : " upwards");
      ++compared;
    }
  }
  EXPECT_GT(compared, 100u);
}
