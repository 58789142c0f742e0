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

}  // namespace
}  // namespace fgbdl
