// Two ways of not merging a unit's repeats of earlier units' types:
// - the merger folds unit types whose whole BTF graph repeats types merged
//   from an earlier unit (EncodeOptions::foldRepeats);
// - a C unit skips the types whose DWARF signature an earlier unit offered:
//   they are neither filled nor lowered, and stand as placeholders mapped to
//   the merged types (EncodeOptions::skipRepeats).
// Equal graphs are merged by the dedup anyway, with the first copy
// canonical, so the BTF must be byte-identical with and without either, at
// 1 and 4 jobs, for every committed fixture (C, Rust, LTO, the sample); so
// must everything reported. On fixtures with several units something must
// actually fold, and gcc's linked ones must skip (their string offsets are
// merged across units; clang's DWARF 5 names strings by per-unit index).
#include <gtest/gtest.h>

#include "dwarf2btf/pipeline/pipeline.h"
#include "e2e_support.h"

using namespace d2b;
using namespace d2b::test;
using namespace d2b::test::e2e;

namespace {

class FoldRepeatsE2e : public ::testing::TestWithParam<std::string> {};

std::string reportOf(const DiagEngine &diag) {
  std::string out;
  for (const auto &[rule, n] : diag.counts())
    out += rule + " " + std::to_string(n) + "\n";
  for (const Diagnostic &d : diag.sortedDiagnostics())
    out += d.format() + "\n";
  return out;
}

TEST_P(FoldRepeatsE2e, SameBtfAsWithoutFoldingOrSkipping) {
  std::string reference, referenceReport;
  uint64_t unfoldedTypes = 0;
  uint64_t skippedAt1 = UINT64_MAX;
  for (bool skip : {false, true})
    for (bool fold : {false, true})
      for (unsigned jobs : {1u, 4u}) {
        SCOPED_TRACE("skip=" + std::to_string(skip) + " fold=" + std::to_string(fold) +
                     " jobs=" + std::to_string(jobs));
        PipelineOptions opts;
        opts.encode.jobs = jobs;
        opts.encode.foldRepeats = fold;
        opts.encode.skipRepeats = skip;
        DiagEngine diag;
        auto enc = encodeFile(GetParam(), opts, diag);
        ASSERT_TRUE(enc) << enc.error().message();
        const std::vector<uint8_t> bytes = enc->btf.serialize(std::endian::little);
        const std::string got(bytes.begin(), bytes.end());
        const encode::EncodeStats &t = enc->types;
        if (!skip) {
          EXPECT_EQ(t.typesSkipped, 0u);
          EXPECT_EQ(t.signaturesKnown, 0u);
        }
        if (!skip && !fold) {
          EXPECT_EQ(t.typesFolded, 0u);
          unfoldedTypes = t.typesEmitted;
        }
        // Every folded type is one the merged BTF did not gain (a skipped
        // type may stand for several: a pointer's type tags, decl tags).
        if (!skip && fold) {
          EXPECT_EQ(t.typesEmitted + t.typesFolded, unfoldedTypes);
        }
        if (fold && !skip && GetParam().find("/multi.") != std::string::npos) {
          EXPECT_GT(t.typesFolded, 0u) << "units sharing headers must share types";
        }
        if (skip) {
          // The merge looks every type up again once the units before it
          // are merged: what is skipped does not depend on the jobs.
          if (jobs == 1) {
            skippedAt1 = t.typesSkipped;
          } else {
            EXPECT_EQ(t.typesSkipped, skippedAt1);
          }
          if (GetParam().find("/multi.gcc.dwarf5.O2.exe") != std::string::npos ||
              GetParam().find("/multi.gcc.dwarf4.O2.so") != std::string::npos) {
            EXPECT_GT(t.typesSkipped, 0u) << "gcc units sharing headers must skip repeats";
          }
        }
        if (reference.empty()) {
          reference = got;
          referenceReport = reportOf(diag);
          continue;
        }
        EXPECT_EQ(got, reference);
        EXPECT_EQ(reportOf(diag), referenceReport);
      }
}

INSTANTIATE_TEST_SUITE_P(Fixtures, FoldRepeatsE2e, ::testing::ValuesIn(encodableFixtures()),
                         [](const auto &info) { return paramName(info.param); });

} // namespace
