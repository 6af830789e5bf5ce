// encode leaves out, as each unit is lowered, the function records that
// addFunctions would drop for want of an ELF function of their name (two
// thirds of a kernel's records, which were held until the end). The BTF,
// the function statistics and every reported rule count must be what they
// are without that, for every committed fixture.
#include <gtest/gtest.h>

#include "dwarf2btf/pipeline/pipeline.h"
#include "e2e_support.h"

using namespace d2b;
using namespace d2b::test;
using namespace d2b::test::e2e;

namespace {

struct Encoded {
  std::string bytes;
  encode::FunctionStats funcs;
  encode::EncodeStats types;
  std::map<std::string, uint64_t> counts;
};

Encoded encodeWith(const std::string &path, bool match) {
  PipelineOptions opts;
  opts.encode.jobs = 2;
  opts.matchFunctionSymbols = match;
  DiagEngine diag;
  Encoded r;
  auto enc = encodeFile(path, opts, diag);
  EXPECT_TRUE(enc) << enc.error().message();
  if (!enc)
    return r;
  const std::vector<uint8_t> b = enc->btf.serialize(std::endian::little);
  r.bytes.assign(b.begin(), b.end());
  r.funcs = enc->funcs;
  r.types = enc->types;
  r.counts = diag.counts();
  return r;
}

class FunctionPrefilter : public ::testing::TestWithParam<std::string> {};

TEST_P(FunctionPrefilter, SameOutputAndCountsAsFilteringAtTheEnd) {
  const Encoded late = encodeWith(GetParam(), false);
  const Encoded early = encodeWith(GetParam(), true);
  EXPECT_EQ(early.bytes, late.bytes);
  EXPECT_EQ(late.types.functionsWithoutSymbol, 0u);
  EXPECT_EQ(early.types.functions, late.types.functions);
  EXPECT_EQ(early.funcs.records, late.funcs.records);
  EXPECT_EQ(early.funcs.declarations, late.funcs.declarations);
  EXPECT_EQ(early.funcs.unnamedParams, late.funcs.unnamedParams);
  EXPECT_EQ(early.funcs.noSymbol, late.funcs.noSymbol);
  EXPECT_EQ(early.funcs.instances, late.funcs.instances);
  EXPECT_EQ(early.funcs.functions, late.funcs.functions);
  EXPECT_EQ(early.funcs.emitted, late.funcs.emitted);
  EXPECT_EQ(early.funcs.skipped, late.funcs.skipped);
  EXPECT_EQ(early.funcs.skippedByRule, late.funcs.skippedByRule);
  EXPECT_EQ(early.counts, late.counts);
  // What was left out early is exactly what the late filter counted.
  EXPECT_LE(early.types.functionsWithoutSymbol, late.funcs.noSymbol);
}

INSTANTIATE_TEST_SUITE_P(Fixtures, FunctionPrefilter, ::testing::ValuesIn(encodableFixtures()),
                         [](const auto &info) { return paramName(info.param); });

// The filter has something to do on these (Rust generics and LTO inlining
// leave functions with no ELF symbol), or the checks above prove nothing.
TEST(FunctionPrefilter, LeavesOutRecordsOfRustAndLtoFixtures) {
  for (const char *f : {"bin/rust/funcs.rustc.dwarf4.O0.o", "bin/lto/lto.thin.so"}) {
    const Encoded e = encodeWith(testdata(f), true);
    EXPECT_GT(e.types.functionsWithoutSymbol, 0u) << f;
    EXPECT_EQ(e.funcs.noSymbol, e.types.functionsWithoutSymbol) << f;
  }
}

} // namespace
