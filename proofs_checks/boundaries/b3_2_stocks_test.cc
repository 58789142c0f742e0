// B3.2 (paper/boundaries.md, "Where each failure begins"): where the
// end-to-end estimator of E3.2 (paper Section 3.2, Figure 4) falls behind
// the decomposition estimator. The paper shows the two close at k = 10 and
// end-to-end training far behind at k = 1 000 and 2 000: the paired gap
// L_e2e - L_dec at the last step becomes material (its 95% Student t
// interval above 0.05, experiments/boundaries/success.h) somewhere in
// (10, 1 000].
//
// Reduced scale: the paper's model and Adam settings (d = 1 000, batch 100,
// lr 0.1), the quick profile's 1 500 steps instead of 2 500, seeds 1..3
// (the grid: 10). The two runs of a seed share the problem, the initial
// weights and the inputs (experiments/sec3_decomposition/stocks_training.h).
// A run of 1 500 steps is the first 1 500 steps of the grid's run of the
// same (k, estimator, seed), so the grid's curves give the values below on
// seeds 1..10 (//reports:b3_2_stocks_grid under --config=boundaries).
//
// Flake budget: fixed seeds, deterministic on a machine and OpenBLAS
// kernel; the margins below are over seeds 1..10.
#include <cstdint>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "experiments/boundaries/success.h"
#include "experiments/sec3_decomposition/stocks_training.h"
#include "gtest/gtest.h"
#include "lib/analysis/rates.h"
#include "lib/io/results.h"
#include "proofs_checks/verdict.h"

namespace fgbdl {
namespace {

constexpr std::int64_t kSteps = 1500;
constexpr int kSeeds = 3;

double final_objective(std::int64_t k, StocksEstimator e, int seed) {
  StocksSettings s;
  s.k = k;
  s.estimator = e;
  s.steps = kSteps;
  RunStatus status;
  const Table t = train_stocks(s, static_cast<std::uint64_t>(seed), status);
  EXPECT_FALSE(status.diverged) << "k " << k << " seed " << seed;
  return t.rows().back().at(1);  // columns step, loss
}

MeanInterval gap_at(std::int64_t k, std::string* stat) {
  std::vector<double> gaps;
  std::string each;
  for (int seed = 1; seed <= kSeeds; ++seed) {
    const double e2e = final_objective(k, StocksEstimator::kEndToEnd, seed),
                 dec = final_objective(k, StocksEstimator::kDecomposition, seed);
    gaps.push_back(e2e - dec);
    absl::StrAppendFormat(&each, "%s%.6f - (%.6f)", each.empty() ? "" : ", ", e2e, dec);
  }
  const MeanInterval m = mean_interval(gaps);
  absl::StrAppendFormat(stat, "%sk %d: gap %.3g [%.3g, %.3g] (L_e2e - L_dec by seed: %s)",
                        stat->empty() ? "" : "; ", k, m.mean, m.ci.low, m.ci.high, each);
  return m;
}

// At k = 10 the gap is not material (its interval does not lie above 0.05);
// at k = 1 000 it is. Measured over seeds 1..10 (the grid's curves at step
// 1 500): at k = 10 the gap is 2.28e-5 to 2.40e-5 on every seed (both
// objectives at -0.9998 or below), at k = 1 000 0.369 to 0.430 (interval
// over the 10 seeds [0.393, 0.419]; over seeds 1..3, 0.384 to 0.447): more
// than 0.3 above the line on every seed.
TEST(B3_2, TheGapIsImmaterialAtTenOutputsAndMaterialAtAThousand) {
  std::string stat;
  const MeanInterval small = gap_at(10, &stat);
  const MeanInterval large = gap_at(1000, &stat);
  EXPECT_LE(small.ci.low, kMaterialGap) << stat;
  EXPECT_GT(large.ci.low, kMaterialGap) << stat;
  stat += absl::StrFormat(" (%d steps, seeds 1..%d, Student t 95%%)", kSteps, kSeeds);
  RecordProperty("measured", stat);
  record_verdict("B3.2", ClaimState::kVerified, stat);
}

}  // namespace
}  // namespace fgbdl
