// B5 and B5-K (paper/boundaries_sec45.md): the learners of the paper's
// Section 5 (Figure 7; E5.2 to E5.5 of paper/sec5_flat.md) against the
// sharpness c of the sigmoid approximation (B5) and against the number K of
// thresholds of the step target (B5-K), measured by the fraction of the
// target's variance left unexplained on the held-out set (FVU).
//
// Each case trains as //experiments/boundaries_sec45:b5_sweep does (the
// same FlatSettings: the script's learning rates, batches of 256, Adam; the
// approximation 10 000 steps and the forward-only update 5 000 on the
// script's thresholds; every learner 5 000 steps on the even thresholds) on
// fewer settings and seeds than the binary's grid (c = 1..100 and K =
// 7..110, seeds 1..10). Deterministic: no flake budget beyond the choice of
// seeds. The bounds were set from the binary's runs on seeds 1..10 (bazel
// build --config=boundaries of the b5_* runs of //reports:paper); the
// measured ranges are stated next to them.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "experiments/boundaries_sec45/boundaries.h"
#include "experiments/sec5_flat/flat_training.h"
#include "gtest/gtest.h"
#include "lib/analysis/fit.h"
#include "lib/data/step_targets.h"
#include "proofs_checks/verdict.h"

namespace fgbdl {
namespace {

// The FVU at the end of one run, as b5_sweep.cc: k = 0 for the script's
// thresholds.
double final_fvu(FlatApproach a, double c, int k, std::int64_t steps, std::uint64_t seed) {
  FlatSettings s;
  s.approach = a;
  s.c = c;
  if (k > 0) s.threshold_offsets = even_threshold_offsets(k);
  s.steps = steps;
  s.lr = script_learning_rate(a);
  FlatTrainer trainer(s, seed);
  RunStatus status;
  double seconds = 0;
  const Table m = train_flat(trainer, status, seconds);
  EXPECT_FALSE(status.diverged) << to_string(a) << " c " << c << " k " << k << " seed " << seed;
  const Matrix& y = trainer.y_test();
  const double count = static_cast<double>(y.shape(0));
  double mean = 0, var = 0;
  for (std::size_t i = 0; i < y.shape(0); ++i) mean += y(i, 0) / count;
  for (std::size_t i = 0; i < y.shape(0); ++i) var += (y(i, 0) - mean) * (y(i, 0) - mean);
  return m.rows().back()[2] / (var / count);
}

std::string list(const std::vector<double>& v) {
  std::string out;
  for (const double x : v) absl::StrAppendFormat(&out, "%s%.4g", out.empty() ? "" : ", ", x);
  return out;
}

constexpr std::uint64_t kSharpnessSeeds = 3;  // the grid: 1..10
constexpr std::uint64_t kThresholdSeeds = 2;  // the grid: 1..10
constexpr double kLevel = 0.1;                // the stated level of B5
constexpr double kWorseningBound = 1.5;       // FVU(c = 100) / FVU(c = 1), per seed

// B5: the approximation at c = 1 and c = 100 (the ends of the grid), 10 000
// steps, and the forward-only update, 5 000 steps, on the script's
// thresholds, seeds 1..3. The statement (it works for smooth sigmoids and
// stops working as c grows, crossing FVU 0.1 at a boundary inside the grid)
// is refuted: at c = 1 its FVU is already above 0.1 on every seed, the mean
// above it by a one-sided t test at the level 0.01. The corrected statement
// is checked: it does not reach the level at c = 1, it is worse at c = 100
// on every seed, and the forward-only update is below the level.
TEST(B5, TheApproximationMissesTheLevelEvenAtCOneAndWorsensAsCGrows) {
  std::vector<double> smooth, sharp, forward;
  for (std::uint64_t seed = 1; seed <= kSharpnessSeeds; ++seed) {
    smooth.push_back(final_fvu(FlatApproach::kApprox, 1, 0, 10000, seed));
    sharp.push_back(final_fvu(FlatApproach::kApprox, 100, 0, 10000, seed));
    forward.push_back(final_fvu(FlatApproach::kForwardOnly, 5, 0, 5000, seed));
  }
  const std::string measured = absl::StrCat("FVU at c = 1: ", list(smooth), "; at c = 100: ",
                                            list(sharp), "; forward-only: ", list(forward),
                                            " (seeds 1-3)");
  RecordProperty("measured", measured);
  for (std::size_t i = 0; i < smooth.size(); ++i) {
    // Measured over seeds 1..10: FVU(c = 100) / FVU(c = 1) from 2.50 to 385
    // (higher on every seed: a sign test gives p = 0.002, two-sided).
    EXPECT_GT(sharp[i] / smooth[i], kWorseningBound) << "seed " << i + 1;
    // Measured over seeds 1..10: 0.0040 to 0.0183.
    EXPECT_LT(forward[i], 0.05) << "seed " << i + 1;
  }
  // One-sided t test of mean FVU(c = 1) > 0.1 over the seeds, level 0.01.
  // Measured over seeds 1..10: FVU at c = 1 from 0.075 (seed 4, the one
  // seed below the level) to 0.336, mean 0.246, t = 5.7 (p = 2e-4); on
  // seeds 1..3 0.266 to 0.272.
  const std::vector<double> level(smooth.size(), kLevel);
  const PairedT t = paired_t(smooth, level);
  const double p_one_sided = t.t > 0 ? t.p_two_sided / 2 : 1 - t.p_two_sided / 2;
  ASSERT_LT(p_one_sided, 0.01) << measured;
  record_verdict(
      "B5", ClaimState::kRefuted,
      absl::StrFormat("the approximation misses FVU 0.1 already at c = 1 (mean %.3f, one-sided t "
                      "%.1f, p %.2g < 0.01, seeds 1-3): no boundary inside c = 1..100; it "
                      "worsens as c grows (FVU at c = 100 / c = 1 above %g on every seed); %s",
                      mean_t_interval(smooth).mean, t.t, p_one_sided, kWorseningBound, measured));
}

// B5-K, one case per other learner: on K = 7 and 55 even thresholds
// (5 000 Adam steps each), seeds 1 and 2, the forward-only update has the
// lowest FVU on every (K, seed), by a factor above `ratio_bound`, and the
// other learner's FVU falls from K = 7 to K = 55 on every seed.
void forward_only_against(FlatApproach other, double ratio_bound, const char* measured_range) {
  std::string measured;
  std::vector<double> other_at[2];  // by K (7, 55), then seed
  for (const int k : {7, 55}) {
    for (std::uint64_t seed = 1; seed <= kThresholdSeeds; ++seed) {
      const double f = final_fvu(FlatApproach::kForwardOnly, 5, k, 5000, seed);
      const double o = final_fvu(other, 5, k, 5000, seed);
      other_at[k == 7 ? 0 : 1].push_back(o);
      absl::StrAppendFormat(&measured, "%sK %d seed %d: forward-only %.3g, %s %.3g",
                            measured.empty() ? "" : "; ", k, static_cast<int>(seed), f,
                            to_string(other), o);
      EXPECT_GT(o / f, ratio_bound) << "K " << k << " seed " << seed << " (measured "
                                    << measured_range << ")";
    }
  }
  ::testing::Test::RecordProperty("measured", measured);
  // The other learner's FVU falls from K = 7 to K = 55 on every seed (the
  // grid: on every seed for the networks; for the approximation on every
  // seed where it moves, while a stalled run keeps its initial FVU, which
  // may be higher or lower at K = 55).
  for (std::size_t i = 0; i < other_at[0].size(); ++i)
    EXPECT_LT(other_at[1][i], other_at[0][i]) << "seed " << i + 1;
  record_verdict("B5-K", ClaimState::kVerified,
                 absl::StrCat("forward-only below ", to_string(other), " by a factor above ",
                              ratio_bound, " on every (K, seed): ", measured));
}

TEST(B5_K, ForwardOnlyBeatsTheApproximationAtEveryK) {
  // Measured over seeds 1..10: 4.99 to 2.7e5 at K = 7 and 55 (2.88 to 3.3e5
  // over K = 7..110; the approximation never moves on seeds 3, 4, 5, 9, 10).
  forward_only_against(FlatApproach::kApprox, 2, "4.99 to 2.7e5 over seeds 1..10");
}

TEST(B5_K, ForwardOnlyBeatsTheEndToEndNetworkAtEveryK) {
  // Measured over seeds 1..10: 4.65 to 57.8 at K = 7 and 55 (the same over
  // K = 7..110).
  forward_only_against(FlatApproach::kEndToEnd, 2, "4.65 to 57.8 over seeds 1..10");
}

TEST(B5_K, ForwardOnlyBeatsTheMulticlassNetworkAtEveryK) {
  // Measured over seeds 1..10: 1.85 to 34.9 at K = 7 and 55 (1.85 to 64.3
  // over K = 7..110).
  forward_only_against(FlatApproach::kMulticlass, 1.3, "1.85 to 34.9 over seeds 1..10");
}

}  // namespace
}  // namespace fgbdl
