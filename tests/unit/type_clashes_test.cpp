// Same-named type detection after dedup (encode/type_clashes.h) on
// hand-built BTF.
#include <gtest/gtest.h>

#include "dwarf2btf/encode/type_clashes.h"

using namespace d2b;
using namespace d2b::encode;

namespace {

TEST(TypeClashes, CountsNamesWithSeveralDefinitionsPerNamespace) {
  btf::Btf b;
  const uint32_t i = b.addInt("int", 4, btf::kIntSigned);
  btf::Member m[] = {{"x", i, 0, 0}};
  b.addComposite(false, "foo", 4, m); // [2]
  b.addComposite(true, "foo", 4, m);  // [3] union foo: same tag namespace
  b.addFwd("foo", false);             // a FWD is not a definition
  b.addTypedef("foo", i);             // typedefs have their own namespace
  b.addTypedef("bar_t", i);           // [6]
  b.addTypedef("bar_t", b.addPtr(i)); // [8]
  b.addComposite(false, "", 4, m);    // anonymous: never a clash
  b.addComposite(false, "", 4, m);
  b.addInt("int", 8, btf::kIntSigned); // base types are not checked
  DiagEngine diag;
  TypeClashStats st = reportTypeClashes(b, {"x.o", true}, diag);
  EXPECT_EQ(st.names, 2u);
  EXPECT_EQ(st.types, 4u);
  EXPECT_EQ(diag.counts().at(kRuleTypeClash), 2u);
  std::vector<Diagnostic> d = diag.sortedDiagnostics(); // the engine's fixed order
  ASSERT_EQ(d.size(), 2u);
  EXPECT_EQ(d[1].format(), "x.o: [2]: note: 'foo' has 2 different definitions (struct [2], "
                           "union [3]); all kept [clash.type]");
  EXPECT_EQ(d[0].format(), "x.o: [6]: note: 'bar_t' has 2 different definitions (typedef [6], "
                           "typedef [8]); all kept [clash.type]");
}

TEST(TypeClashes, OnlyCountsWithoutVerbose) {
  btf::Btf b;
  const uint32_t i = b.addInt("int", 4, btf::kIntSigned);
  b.addTypedef("t", i);
  b.addTypedef("t", b.addConst(i));
  DiagEngine diag;
  EXPECT_EQ(reportTypeClashes(b, {"x.o", false}, diag).names, 1u);
  EXPECT_TRUE(diag.sortedDiagnostics().empty());
  EXPECT_EQ(diag.counts().at(kRuleTypeClash), 1u);
}

TEST(TypeClashes, SplitBtfIgnoresBase) {
  btf::Btf base;
  const uint32_t i = base.addInt("int", 4, btf::kIntSigned);
  base.addTypedef("t", i);
  btf::Btf split(&base);
  split.addTypedef("t", split.addConst(i)); // one own definition: no clash
  DiagEngine diag;
  EXPECT_EQ(reportTypeClashes(split, {"m.ko", false}, diag).names, 0u);
  EXPECT_TRUE(diag.counts().empty());
}

} // namespace
