// B4.1 (paper/boundaries_sec45.md): the SGD steps that the linear encoders of
// the paper's Section 4.1 (Figure 6; E4.1.1 to E4.1.3 of
// paper/sec4_conditioning.md) need to reach the relative held-out error
// e(t)/e(0) = 10^-2, against the curve length n. The conditioning argument of
// the paper's Section 4 (Theorem 3, Appendix A.6: condition numbers growing
// like n^4 for the fully connected problem and n^3 for the convolution, one
// after whitening) predicts steps growing like a power of n for the first two
// and not growing for the whitened convolution.
//
// Each case trains as //experiments/boundaries_sec45:b4_1_steps does (the
// same PwlSettings: SGD at 1/(2 lambda_max), the paper's curves, a pool of
// 10 000, 1 000 held-out curves, batch 100, 10 for conv_whitened) at
// n = 25, 50, 100 on seeds 1..3, a reduced scale of the binary's grid (n up
// to 400, seeds 1..10). Deterministic: no flake budget beyond the choice of
// seeds. The bounds were set from the binary's runs on seeds 1..10 at the
// same n (bazel build --config=boundaries of the b4_1_* runs of
// //reports:paper); the measured ranges are stated next to them.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "experiments/boundaries_sec45/boundaries.h"
#include "experiments/ext_sparse_parity/steps_fit.h"
#include "experiments/sec4_conditioning/pwl_encoders.h"
#include "gtest/gtest.h"
#include "proofs_checks/verdict.h"

namespace fgbdl {
namespace {

constexpr double kLevel = 1e-2;    // the stated level
constexpr std::int64_t kCap = 20000;  // the stated cap
const std::vector<int> kNs = {25, 50, 100};
constexpr std::uint64_t kSeeds = 3;

struct Measured {
  std::vector<StepsPoint> points;
  std::vector<double> relative_at_cap;  // e(last step)/e(0), by (n, seed)
};

// As b4_1_steps.cc: one run per (n, seed), `steps` SGD steps (the cap, or
// fewer when the level is reached well before it: the logged steps up to
// there are the same).
Measured measure(PwlEncoder encoder, std::int64_t steps) {
  Measured m;
  for (const int n : kNs) {
    for (std::uint64_t seed = 1; seed <= kSeeds; ++seed) {
      PwlSettings s;
      s.encoder = encoder;
      s.optimizer = PwlOptimizer::kSgd;
      s.data = pwl_curve_distribution(encoder, false);
      s.n = n;
      s.batch = pwl_script_batch(encoder);
      s.steps = steps;
      s.curve_steps = {};
      s.curves_recorded = 0;
      const PwlRun r = train_pwl(s, seed);
      EXPECT_FALSE(r.status.diverged) << "n " << n << " seed " << seed;
      std::vector<double> step, relative;
      for (const auto& row : r.metrics.rows()) {
        step.push_back(row[0]);
        relative.push_back(row[2] / r.metrics.rows().front()[2]);
      }
      const LevelStep l = steps_to_level(step, relative, kLevel);
      m.points.push_back({double(n), l.steps, l.reached});
      m.relative_at_cap.push_back(relative.back());
    }
  }
  return m;
}

std::string describe(const StepsFit& f) {
  return absl::StrFormat("alpha %.3f, 95%% t interval [%.3f, %.3f] (%d runs at n = 25, 50, 100, "
                         "seeds 1-3)",
                         f.fit.rate, f.fit.ci_low, f.fit.ci_high, static_cast<int>(f.runs));
}

// The fully connected encoder reaches the level within about 60 steps at
// every n: the steps do not grow with n. The prediction (a growth like a
// power of the condition number, which grows like n^4) is refuted: alpha's
// 95% interval lies below 1 (alpha >= 1 rejected at the 2.5% level, one
// sided). Corrected statement, checked: |alpha| < 0.15 and every run
// reaches the level within 100 steps.
TEST(B4_1, FullyConnectedStepsDoNotGrowWithN) {
  const Measured m = measure(PwlEncoder::kFullyConnected, 2000);
  for (const StepsPoint& p : m.points) {
    EXPECT_TRUE(p.solved) << "n " << p.n;
    // Measured over seeds 1..10 at n 25, 50, 100: 51.1 to 63.6 steps (at n
    // 25..400: 51.0 to 63.6).
    EXPECT_LT(p.steps, 100) << "n " << p.n;
  }
  const StepsFit f = fit_steps_exponent(m.points);
  RecordProperty("measured", describe(f));
  // Measured: over seeds 1..10, n 25..400 (50 runs), alpha -0.007 [-0.024,
  // 0.010]; at n 25, 50, 100 over the eight seed triples 1-3 .. 8-10, alpha
  // -0.026 to 0.017, interval ends -0.114 to 0.105.
  EXPECT_LT(std::fabs(f.fit.rate), 0.15);
  ASSERT_LT(f.fit.ci_high, 1.0);
  record_verdict("B4.1", ClaimState::kRefuted,
                 absl::StrCat("fully connected: steps to e/e(0) = 1e-2 do not grow with n: ",
                              describe(f), "; growth like n^alpha with alpha >= 1 rejected"));
}

// The convolution does not reach the level within the cap at any n: its
// steps exceed 20 000 everywhere, so no exponent can be fitted, and the
// growth is not measured (not confirmed). What is measured: its relative
// error at the cap grows with n on every seed.
TEST(B4_1, ConvolutionIsCensoredAtEveryNAndItsErrorAtTheCapGrowsWithN) {
  const Measured m = measure(PwlEncoder::kConv, kCap);
  for (const StepsPoint& p : m.points) EXPECT_FALSE(p.solved) << "n " << p.n;
  std::string at_cap;
  for (std::size_t i = 0; i < m.points.size(); ++i)
    absl::StrAppendFormat(&at_cap, "%sn %g seed %d: %.3f", i == 0 ? "" : ", ", m.points[i].n,
                          static_cast<int>(i % kSeeds) + 1, m.relative_at_cap[i]);
  RecordProperty("measured", at_cap);
  for (std::uint64_t seed = 0; seed < kSeeds; ++seed) {
    const double e25 = m.relative_at_cap[seed], e50 = m.relative_at_cap[kSeeds + seed],
                 e100 = m.relative_at_cap[2 * kSeeds + seed];
    // Measured over seeds 1..10: e(50)/e(25) 1.99 to 2.38, e(100)/e(50)
    // 1.64 to 1.87 (e at the cap 0.101-0.114, 0.210-0.241, 0.372-0.413 at
    // n 25, 50, 100; 0.700-0.777 and 0.881-0.959 at n 200, 400).
    EXPECT_GT(e50 / e25, 1.5) << "seed " << seed + 1;
    EXPECT_GT(e100 / e50, 1.4) << "seed " << seed + 1;
  }
  record_verdict("B4.1", ClaimState::kNotConfirmed,
                 absl::StrCat("convolution: censored at the cap of 20 000 steps at every n, no "
                              "exponent; e/e(0) at the cap: ",
                              at_cap));
}

// The whitened convolution reaches the level within a few steps at every n,
// and alpha's interval lies within [-0.5, 0.5]: no growth, as predicted.
TEST(B4_1, WhitenedConvolutionStepsDoNotGrowWithN) {
  const Measured m = measure(PwlEncoder::kConvWhitened, 200);
  for (const StepsPoint& p : m.points) {
    EXPECT_TRUE(p.solved) << "n " << p.n;
    // Measured over seeds 1..10 at n 25..400: 2.3 to 4.2 steps.
    EXPECT_LT(p.steps, 8) << "n " << p.n;
  }
  const StepsFit f = fit_steps_exponent(m.points);
  RecordProperty("measured", describe(f));
  // Measured: over seeds 1..10, n 25..400, alpha 0.004 [-0.040, 0.048]; at
  // n 25, 50, 100 over the eight seed triples, interval ends -0.245 to 0.302.
  EXPECT_GT(f.fit.ci_low, -0.5);
  EXPECT_LT(f.fit.ci_high, 0.5);
  record_verdict("B4.1", ClaimState::kVerified,
                 absl::StrCat("whitened convolution: no growth with n: ", describe(f)));
}

}  // namespace
}  // namespace fgbdl
