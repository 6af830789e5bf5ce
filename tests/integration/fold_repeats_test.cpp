// The merger folds unit types whose whole graph repeats types merged from an
// earlier unit (EncodeOptions::foldRepeats). Equal graphs are merged by the
// dedup anyway, with the first copy canonical, so the BTF must be
// byte-identical with and without folding, at 1 and 4 jobs, for every
// committed fixture (C, Rust, LTO, the sample); and on fixtures with several
// units something must actually fold.
#include <gtest/gtest.h>

#include "dwarf2btf/pipeline/pipeline.h"
#include "e2e_support.h"

using namespace d2b;
using namespace d2b::test;
using namespace d2b::test::e2e;

namespace {

class FoldRepeatsE2e : public ::testing::TestWithParam<std::string> {};

TEST_P(FoldRepeatsE2e, SameBtfAsWithoutFolding) {
  std::string reference;
  uint64_t folded = 0, unfoldedTypes = 0, foldedTypes = 0;
  for (bool fold : {false, true})
    for (unsigned jobs : {1u, 4u}) {
      PipelineOptions opts;
      opts.encode.jobs = jobs;
      opts.encode.foldRepeats = fold;
      DiagEngine diag;
      auto enc = encodeFile(GetParam(), opts, diag);
      ASSERT_TRUE(enc) << enc.error().message();
      const std::vector<uint8_t> bytes = enc->btf.serialize(std::endian::little);
      const std::string got(bytes.begin(), bytes.end());
      if (!fold) {
        EXPECT_EQ(enc->types.typesFolded, 0u);
        unfoldedTypes = enc->types.typesEmitted;
      } else {
        folded = enc->types.typesFolded;
        foldedTypes = enc->types.typesEmitted;
      }
      if (reference.empty()) {
        reference = got;
        continue;
      }
      EXPECT_EQ(got, reference) << "fold=" << fold << " jobs=" << jobs;
    }
  // Every folded type is one the merged BTF did not gain.
  EXPECT_EQ(foldedTypes + folded, unfoldedTypes);
  if (GetParam().find("/multi.") != std::string::npos) {
    EXPECT_GT(folded, 0u) << "units sharing headers must share types";
  }
}

INSTANTIATE_TEST_SUITE_P(Fixtures, FoldRepeatsE2e, ::testing::ValuesIn(encodableFixtures()),
                         [](const auto &info) { return paramName(info.param); });

} // namespace
