// X2 (paper/ext_gating.md), after Fiat, Malach and Shalev-Shwartz,
// "Decoupling gating from linearity" (2019): a GaLU network whose gates are
// fixed by a random U and whose linear part alone is trained learns, and
// memorizes training sets, about as well as the same-width ReLU network
// trained end to end. "About as well" is read as: the GaLU network's error
// is within a factor 1.15 of the ReLU network's (either way), seed by seed.
//
// Each case runs the experiment library of //experiments/ext_gating:x2_gating
// on fixed seeds 1..6 (deterministic: no flake budget beyond the choice of
// seeds) and records its verdict on X2:
//   verified       every seed's ratio GaLU / ReLU lies in [1/1.15, 1.15];
//   refuted        the geometric mean ratio lies outside that band and the
//                  paired t statistic of the log ratios over the 6 seeds has
//                  |t| >= 4.03 (two-sided level 0.01 for 5 degrees of
//                  freedom); the case then checks the corrected statement,
//                  with bounds measured over seeds 1..8 (stated next to them);
//   not confirmed  otherwise.
#include <algorithm>
#include <cmath>
#include <functional>
#include <utility>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "experiments/ext_gating/fashion_data.h"
#include "experiments/ext_gating/gating_training.h"
#include "gtest/gtest.h"
#include "lib/io/results.h"
#include "proofs_checks/verdict.h"

namespace fgbdl {
namespace {

constexpr int kSeeds = 6;
constexpr double kBand = 1.15;   // "about as well": within this factor
constexpr double kTLevel = 4.03; // two-sided 0.01, t with 5 degrees of freedom

// The last row's value of `column`.
double last(const Table& t, const std::string& column) {
  const auto& cols = t.columns();
  const auto it = std::find(cols.begin(), cols.end(), column);
  EXPECT_NE(it, cols.end()) << column;
  return t.rows().back()[static_cast<std::size_t>(it - cols.begin())];
}

struct Paired {
  std::vector<double> galu, relu;
  double geo_mean_ratio() const {
    double s = 0;
    for (std::size_t i = 0; i < galu.size(); ++i) s += std::log(galu[i] / relu[i]);
    return std::exp(s / static_cast<double>(galu.size()));
  }
  double t() const {
    const double n = static_cast<double>(galu.size());
    double mean = 0, sq = 0;
    for (std::size_t i = 0; i < galu.size(); ++i) mean += std::log(galu[i] / relu[i]);
    mean /= n;
    for (std::size_t i = 0; i < galu.size(); ++i) {
      const double e = std::log(galu[i] / relu[i]) - mean;
      sq += e * e;
    }
    return mean / std::sqrt(sq / (n - 1) / n);
  }
  double min_ratio() const {
    double r = INFINITY;
    for (std::size_t i = 0; i < galu.size(); ++i) r = std::min(r, galu[i] / relu[i]);
    return r;
  }
  double max_ratio() const {
    double r = 0;
    for (std::size_t i = 0; i < galu.size(); ++i) r = std::max(r, galu[i] / relu[i]);
    return r;
  }
  std::string describe(const std::string& what) const {
    std::string per_seed;
    for (std::size_t i = 0; i < galu.size(); ++i)
      per_seed += absl::StrFormat("%s%.4g/%.4g", i ? ", " : "", galu[i], relu[i]);
    return absl::StrFormat(
        "%s: GaLU / ReLU error ratio over seeds 1..%d: geometric mean %.3f, range [%.3f, %.3f], "
        "paired t of log ratios %.1f (band 1/%.2f..%.2f, level |t| >= %.2f); per seed GaLU/ReLU "
        "%s",
        what, kSeeds, geo_mean_ratio(), min_ratio(), max_ratio(), t(), kBand, kBand, kTLevel,
        per_seed);
  }
  // The state the rule at the top gives.
  ClaimState state() const {
    if (min_ratio() >= 1 / kBand && max_ratio() <= kBand) return ClaimState::kVerified;
    const double g = geo_mean_ratio();
    if ((g < 1 / kBand || g > kBand) && std::fabs(t()) >= kTLevel) return ClaimState::kRefuted;
    return ClaimState::kNotConfirmed;
  }
};

// Records what a paired case measured and its verdict on X2; returns the
// statistic and the state.
std::pair<std::string, ClaimState> decide(const Paired& p, const std::string& what) {
  const std::string stat = p.describe(what);
  ::testing::Test::RecordProperty("measured", stat);
  const ClaimState state = p.state();
  record_verdict("X2", state, stat);
  return {stat, state};
}

// Seeds 1..kSeeds of `column_galu` and `column_relu` of run(seed)'s last row.
Paired over_seeds(const std::function<Table(std::uint64_t, RunStatus&)>& run,
                  const std::string& column_galu, const std::string& column_relu,
                  const std::function<void(const Table&, int)>& also = {}) {
  Paired p;
  for (int seed = 1; seed <= kSeeds; ++seed) {
    RunStatus status;
    const Table t = run(seed, status);
    EXPECT_FALSE(status.diverged) << "seed " << seed;
    p.galu.push_back(last(t, column_galu));
    p.relu.push_back(last(t, column_relu));
    if (also) also(t, seed);
  }
  return p;
}

MemorizeSettings memorize_settings(const std::string& optimizer, std::int64_t m) {
  MemorizeSettings s;
  s.d = 8;
  s.k = 16;  // k d = 128
  s.m = m;
  s.steps = 20000;
  s.batch = 128;
  s.optimizer = optimizer;
  s.lr = 1e-3;
  s.eval_every = 20000;
  return s;
}

// A fresh-sample run evaluated once, at its last step, on 2000 held-out samples.
FreshSettings fresh_settings(std::int64_t d, std::int64_t width, std::int64_t steps,
                             std::int64_t batch, const std::string& optimizer, double lr) {
  FreshSettings s;
  s.d = d;
  s.width = width;
  s.steps = steps;
  s.batch = batch;
  s.optimizer = optimizer;
  s.lr = lr;
  s.eval_every = steps;
  s.eval_samples = 2000;
  return s;
}

// Below the interpolation threshold (k d / m = 0.5), with an optimizer that
// converges in the budget (Adam: the GaLU iterate ends 0.67% to 1.39% above
// the exact least-squares optimum over seeds 1..8), the ReLU network fits
// random labels clearly better than the GaLU network at any W: its training
// error is lower on every seed. Compared against the GaLU optimum itself (the
// exact solution), so that no optimization slack is charged to GaLU.
TEST(X2, BelowTheThresholdReluMemorizesMoreThanTheGaluOptimum) {
  const Paired p = over_seeds(
      [](std::uint64_t seed, RunStatus& st) { return memorize(memorize_settings("adam", 256), seed, st); },
      "exact_train_mse", "relu_train_mse", [](const Table& t, int seed) {
        const double exact = last(t, "exact_train_mse"), galu = last(t, "galu_train_mse");
        // Convexity: no GaLU iterate beats the exact optimum (float32 rounding).
        EXPECT_GE(galu, exact * (1 - 1e-5)) << "seed " << seed;
        // And Adam gets there: measured within 1.39% over seeds 1..8.
        EXPECT_LE(galu, exact * 1.02) << "seed " << seed;
      });
  const auto [stat, state] = decide(p, "memorization, d 8, k 16, m 256, Adam 1e-3, 20000 steps");
  // The corrected statement: below the threshold the ReLU network ends
  // lower on every seed, the GaLU optimum's error 1.35 to 1.87 times the
  // ReLU network's over seeds 1..8 (bounds 1.2 and 2.3 here).
  EXPECT_EQ(state, ClaimState::kRefuted) << stat;
  EXPECT_GT(p.min_ratio(), 1.2) << stat;
  EXPECT_LT(p.max_ratio(), 2.3) << stat;
}

// At the threshold (k d / m = 1) the GaLU problem is a square linear system:
// the exact solution interpolates (training error below 1e-20, measured at
// most 1.1e-25 over seeds 1..8), where the ReLU network trained by Adam
// for the same budget ends between 6e-4 and 0.07. Both memorize; the GaLU
// network exactly. (Not always: the gated features need not have rank m,
// e.g. a sample whose gates are all closed has a zero row. With k = 16
// gates no seed here falls short; at d 16, k 8 the quick profile's exact
// fit leaves 0.036 and 0.0036 on seeds 2 and 3 of m 128, and 0.0024 on
// seed 3 of m 64.)
TEST(X2, AtTheThresholdTheGaluOptimumInterpolates) {
  double worst_exact = 0, worst_relu = 0;
  for (int seed = 1; seed <= kSeeds; ++seed) {
    RunStatus status;
    const Table t = memorize(memorize_settings("adam", 128), seed, status);
    ASSERT_FALSE(status.diverged) << "seed " << seed;
    worst_exact = std::max(worst_exact, last(t, "exact_train_mse"));
    worst_relu = std::max(worst_relu, last(t, "relu_train_mse"));
  }
  const std::string stat = absl::StrFormat(
      "memorization at k d / m = 1 (d 8, k 16, m 128): GaLU exact training error at most %.2g, "
      "ReLU by Adam 1e-3 in 20000 steps at most %.2g, over seeds 1..%d",
      worst_exact, worst_relu, kSeeds);
  RecordProperty("measured", stat);
  EXPECT_LT(worst_exact, 1e-20) << stat;
  EXPECT_LT(worst_relu, 0.1) << stat;
  record_verdict("X2", ClaimState::kVerified, stat);
}

// With the source's optimizer (plain SGD, learning rate 1e-3, batch 128) and
// a budget that does not reach either optimum, the GaLU network trains
// faster: its training error at k d / m = 0.5 is below the ReLU network's
// on every seed (ratio 0.665 to 0.848 over seeds 1..8; bounds 0.6 and 0.95
// here). A difference in GaLU's favour, outside the band: the statement's
// "about as well" fails here the other way.
TEST(X2, WithTheSourcesSgdTheGaluNetworkTrainsFaster) {
  const Paired p = over_seeds(
      [](std::uint64_t seed, RunStatus& st) { return memorize(memorize_settings("sgd", 256), seed, st); },
      "galu_train_mse", "relu_train_mse");
  const auto [stat, state] =
      decide(p, "memorization, d 8, k 16, m 256, SGD 1e-3 (the source's), 20000 steps");
  EXPECT_EQ(state, ClaimState::kRefuted) << stat;
  EXPECT_GT(p.min_ratio(), 0.6) << stat;
  EXPECT_LT(p.max_ratio(), 0.95) << stat;
}

// The paper's Section 2 family at a dimension where end-to-end training
// succeeds (E2.1: d = 8, width 80, hinge loss, SGD 0.01, batch 128): both
// networks reach held-out accuracy >= 0.95 on every seed, within 0.05 of
// each other (measured over seeds 1..6 at 10000 steps: ReLU 0.98 to 1,
// GaLU 1 on every seed).
TEST(X2, OnSmallParitiesBothNetworksLearn) {
  const FreshSettings s = fresh_settings(8, 80, 10000, 128, "sgd", 0.01);
  double worst_gap = 0, worst = 1;
  for (int seed = 1; seed <= kSeeds; ++seed) {
    RunStatus status;
    const Table t = parity_gating(s, seed, status);
    ASSERT_FALSE(status.diverged) << "seed " << seed;
    const double relu = last(t, "relu_accuracy"), galu = last(t, "galu_accuracy");
    worst = std::min({worst, relu, galu});
    worst_gap = std::max(worst_gap, std::fabs(relu - galu));
  }
  const std::string stat = absl::StrFormat(
      "parity d 8, width 80, SGD 0.01, 10000 steps: lowest held-out accuracy %.4f, largest "
      "|ReLU - GaLU| gap %.4f over seeds 1..%d (verified at >= 0.95 and <= 0.05)",
      worst, worst_gap, kSeeds);
  RecordProperty("measured", stat);
  const ClaimState state = worst >= 0.95 && worst_gap <= 0.05 ? ClaimState::kVerified
                                                              : ClaimState::kNotConfirmed;
  record_verdict("X2", state, stat);
  EXPECT_EQ(state, ClaimState::kVerified) << stat;
}

// The paper's Section 5 step target (d = 100, Adam 1e-3, batch 256, width
// 100, 3000 steps): the GaLU network's held-out error is above the ReLU
// network's on every seed. Measured over seeds 1..10: ratio 1.08 to 1.92,
// geometric mean 1.39, paired t 4.5 (seeds 1..6: 1.16 to 1.92, t 4.4; at
// 2000 steps seeds 1..6 give t 3.9, not decided). The check: the ratio lies
// in (1, 2.5) on every seed and both networks end below 0.7 times the best
// constant's error.
TEST(X2, OnTheStepTargetTheGaluNetworkLearnsLess) {
  const FreshSettings s = fresh_settings(100, 100, 3000, 256, "adam", 1e-3);
  const Paired p = over_seeds(
      [&](std::uint64_t seed, RunStatus& st) { return step_gating(s, seed, st); }, "galu_test_mse",
      "relu_test_mse", [](const Table& t, int seed) {
        // Both learn something: below the best constant's error.
        EXPECT_LT(last(t, "galu_test_mse"), 0.7 * last(t, "target_variance")) << "seed " << seed;
        EXPECT_LT(last(t, "relu_test_mse"), 0.7 * last(t, "target_variance")) << "seed " << seed;
      });
  const auto stat = decide(p, "step target, d 100, width 100, Adam 1e-3, 3000 steps").first;
  EXPECT_GT(p.min_ratio(), 1.0) << stat;
  EXPECT_LT(p.max_ratio(), 2.5) << stat;
}

// The paper's Section 3 line-image tuples at k = 1 (one 28 x 28 image, its
// label the segment's orientation; E3.1's family): the ReLU network
// 784-100-1 against the GaLU network of width 100 (gate biases N(0, 0.13^2),
// the scale of x U), hinge loss, Adam 1e-3, batch 64, 5000 steps. Scored by
// the held-out error 1 - accuracy on 2000 tuples. Measured by the binary
// over seeds 1..8: GaLU's error 1.03 to 1.37 times the ReLU network's
// (accuracy 0.940 to 0.960 against 0.946 to 0.970: lower on every seed, by
// 0.2 to 1.3 points); seeds 1..6 geometric mean 1.14, paired t 3.3 (not
// decided at |t| >= 4.03, and the mean inside the band). The check: the
// ratio lies in [1, 1.6] on every seed and both networks reach 0.9.
TEST(X2, OnLineImagesBothLearnTheGaluNetworkSlightlyLess) {
  FreshSettings s = fresh_settings(784, 100, 5000, 64, "adam", 1e-3);
  s.gate_bias_std = 0.13;
  Paired err;
  const Paired acc = over_seeds(
      [&](std::uint64_t seed, RunStatus& st) { return tuples_gating(s, 1, seed, st); },
      "galu_accuracy", "relu_accuracy", [&](const Table& t, int seed) {
        EXPECT_GT(last(t, "galu_accuracy"), 0.9) << "seed " << seed;
        EXPECT_GT(last(t, "relu_accuracy"), 0.9) << "seed " << seed;
      });
  for (std::size_t i = 0; i < acc.galu.size(); ++i) {
    err.galu.push_back(1 - acc.galu[i]);
    err.relu.push_back(1 - acc.relu[i]);
  }
  const auto stat =
      decide(err, "line images (k = 1), width 100, Adam 1e-3, 5000 steps, held-out 1 - accuracy")
          .first;
  EXPECT_GE(err.min_ratio(), 1.0) << stat;
  EXPECT_LE(err.max_ratio(), 1.6) << stat;
}

// The paper's Section 4 piecewise-linear curves (n = 25 samples, 3 kinks,
// the paper's distribution): from the curve f to its encoding p = U f, the
// ReLU network 25-100-25 against GaLU0 25-100-25 (no gate biases), squared
// loss, Adam 1e-3, batch 100, 20 000 steps; held-out error per coordinate
// of p on 2000 curves. Measured by the binary over seeds 1..8: GaLU0's
// error 1.38 to 3.38 times the ReLU network's, both far below the error of
// predicting the mean (the ReLU network 2% to 5% of it, GaLU0 6% to 13%);
// seeds 1..6 geometric mean 2.17, paired t 4.9: refuted. The check: the
// ratio lies in (1.2, 4) on every seed and both networks end below 0.2
// times the error of predicting the mean.
TEST(X2, OnPiecewiseLinearCurvesTheGaluNetworkLearnsLess) {
  FreshSettings s = fresh_settings(25, 100, 20000, 100, "adam", 1e-3);
  const Paired p = over_seeds(
      [&](std::uint64_t seed, RunStatus& st) { return curves_gating(s, 25, seed, st); },
      "galu_test_mse", "relu_test_mse", [](const Table& t, int seed) {
        EXPECT_LT(last(t, "galu_test_mse"), 0.2 * last(t, "target_variance")) << "seed " << seed;
        EXPECT_LT(last(t, "relu_test_mse"), 0.2 * last(t, "target_variance")) << "seed " << seed;
      });
  const auto stat =
      decide(p, "curves f to p (n = 25), width 100, Adam 1e-3, 20000 steps, held-out error").first;
  EXPECT_GT(p.min_ratio(), 1.2) << stat;
  EXPECT_LT(p.max_ratio(), 4.0) << stat;
}

// The source's data-set experiment, on Fashion-MNIST (PCA to 64 dimensions,
// standardized; the files of the Debian package dataset-fashion-mnist): the
// ReLU network 64-64-64-10 against GaLU0 of the same widths, softmax
// cross-entropy, Adam 1e-3, batch 128, 3000 steps, test error on the 10 000
// test images. Measured by the binary over seeds 1..8: GaLU0's error 1.10 to
// 1.17 times the ReLU network's (15.1% to 15.7% against 13.2% to 13.7%),
// geometric mean 1.14, paired t 19.6. Here, seeds 1..6: 1.100 to 1.169,
// geometric mean 1.137, t 16.0 (GaLU0's errors are the binary's to the
// digit; the ReLU network's differ from the binary's in the fourth digit,
// 0.1323 against 0.1320 on seed 1). A significant gap whose size sits at the
// band's edge: the rule at the top gives "not confirmed". The check: the
// ratio lies in (1.05, 1.3) on every seed.
TEST(X2, OnFashionMnistGalu0TrailsTheReluNetwork) {
  const std::string dir = "/usr/share/datasets/fashion-mnist";
  set_blas_threads(1);  // as the binary
  ClassificationData data;
  try {
    data = load_fashion(dir, 0, 64);
  } catch (const std::exception& e) {
    FAIL() << "Fashion-MNIST not readable (apt-get install dataset-fashion-mnist): " << e.what();
  }
  FashionSettings s;
  s.steps = 3000;
  s.eval_every = 3000;
  const Paired p = over_seeds(
      [&](std::uint64_t seed, RunStatus& st) { return fashion_gating(s, data, seed, st); },
      "galu_test_error", "relu_test_error");
  const auto stat =
      decide(p, "Fashion-MNIST, PCA 64, widths 64-64, Adam 1e-3, 3000 steps, test error").first;
  EXPECT_GT(p.min_ratio(), 1.05) << stat;
  EXPECT_LT(p.max_ratio(), 1.3) << stat;
}

}  // namespace
}  // namespace fgbdl
