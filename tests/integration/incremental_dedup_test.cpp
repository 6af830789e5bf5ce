// encode deduplicates while it merges units (dedup::IncrementalDedup); the
// BTF must be byte-identical to deduplicating the merged units afterwards,
// for every committed fixture (C, Rust, LTO, the sample), at 1 and 4 jobs.
#include <gtest/gtest.h>

#include "dwarf2btf/pipeline/pipeline.h"
#include "e2e_support.h"

using namespace d2b;
using namespace d2b::test;
using namespace d2b::test::e2e;

namespace {

class IncrementalDedupE2e : public ::testing::TestWithParam<std::string> {};

TEST_P(IncrementalDedupE2e, SameBtfAsDedupAfterMerging) {
  std::string reference;
  uint32_t referenceTypes = 0;
  for (bool incremental : {false, true})
    for (unsigned jobs : {1u, 4u}) {
      PipelineOptions opts;
      opts.encode.jobs = jobs;
      opts.incrementalDedup = incremental;
      DiagEngine diag;
      auto enc = encodeFile(GetParam(), opts, diag);
      ASSERT_TRUE(enc) << enc.error().message();
      const std::vector<uint8_t> bytes = enc->btf.serialize(std::endian::little);
      const std::string got(bytes.begin(), bytes.end());
      if (reference.empty()) {
        reference = got;
        referenceTypes = enc->dedup.typesOut;
        continue;
      }
      EXPECT_EQ(got, reference) << "incremental=" << incremental << " jobs=" << jobs;
      EXPECT_EQ(enc->dedup.typesOut, referenceTypes);
    }
  EXPECT_GT(referenceTypes, 0u);
}

INSTANTIATE_TEST_SUITE_P(Fixtures, IncrementalDedupE2e, ::testing::ValuesIn(encodableFixtures()),
                         [](const auto &info) { return paramName(info.param); });

} // namespace
