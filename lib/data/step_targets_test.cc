// Tests of the Section 5 step targets (lib/data/step_targets.h).
#include "lib/data/step_targets.h"

#include <cmath>
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "lib/data/box_muller.h"
#include "rapidcheck/gtest.h"

namespace fgbdl {
namespace {

TEST(StepTargets, ThresholdSetsHave52And55DistinctSortedValues) {
  const std::vector<double> s = step_threshold_offsets(StepThresholds::kScript);
  const std::vector<double> p = step_threshold_offsets(StepThresholds::kPaper);
  ASSERT_EQ(s.size(), 52u);  // 40 + 15 minus the collisions -5, 0, 5
  ASSERT_EQ(p.size(), 55u);
  for (std::size_t i = 1; i < s.size(); ++i) EXPECT_LT(s[i - 1], s[i]);
  for (std::size_t i = 1; i < p.size(); ++i) EXPECT_LT(p[i - 1], p[i]);
  EXPECT_EQ(s.front(), -100.0);
  EXPECT_EQ(s.back(), 95.0);
  EXPECT_EQ(p.front(), -97.5);
  EXPECT_EQ(p.back(), 97.5);
  // The thresholds near b* are the same in both sets: -1, -0.2, 0, 0.1, 0.15, 0.175, 1.
  const std::vector<double> near = {-1, -0.2, 0, 0.1, 0.15, 0.175, 1};
  for (const auto* z : {&s, &p}) {
    std::vector<double> got;
    for (const double v : *z)
      if (std::fabs(v) <= 1.0) got.push_back(v);
    EXPECT_EQ(got, near);
  }
}

TEST(StepTargets, UStepsDownToTheNearestThreshold) {
  const std::vector<double> z = {-1, 0, 0.5, 2};
  EXPECT_EQ(step_u(z, -3.0), -1.0);  // below z_0: z_0
  EXPECT_EQ(step_u(z, -1.0), -1.0);  // at a threshold: that threshold
  EXPECT_EQ(step_u(z, -0.01), -1.0);
  EXPECT_EQ(step_u(z, 0.0), 0.0);
  EXPECT_EQ(step_u(z, 0.49), 0.0);
  EXPECT_EQ(step_u(z, 1.0), 0.5);
  EXPECT_EQ(step_u(z, 2.0), 2.0);
  EXPECT_EQ(step_u(z, 100.0), 2.0);
  EXPECT_EQ(step_index(z, 0.7), 2u);
}

// u~ by hand at one point: z = {0, 1}, c = 5, L = 10: one sigmoid of slope 50
// centred at 1 - 1/20 = 0.95. At r = 0.95 it is 1/2; at r = 0.95 + 0.02 it is
// sigmoid(1) = 0.7310585786; the derivative at the centre is 50/4 = 12.5.
TEST(StepTargets, SmoothStepHandComputedValues) {
  const std::vector<double> z = {0, 1};
  EXPECT_NEAR(step_u_tilde(z, 5, 0.95), 0.5, 1e-15);
  EXPECT_NEAR(step_u_tilde(z, 5, 0.97), 0.7310585786300049, 1e-12);
  EXPECT_NEAR(step_u_tilde_derivative(z, 5, 0.95), 12.5, 1e-12);
  EXPECT_EQ(step_u_tilde(z, 5, -100), 0.0);
  EXPECT_EQ(step_u_tilde(z, 5, 100), 1.0);
}

// u~ approaches u away from the thresholds, more so for larger c, and its
// derivative matches a central difference.
RC_GTEST_PROP(StepTargets, SmoothStepApproachesTheStepAndHasTheRightDerivative,
              (std::uint64_t seed)) {
  Engine rng(seed);
  const StepTarget t = draw_step_target(3, StepThresholds::kScript, rng);
  const double r = t.b_star + uniform(rng, -2, 2);
  const double c = uniform(rng, 1, 20);
  const double h = 1e-7;
  const double fd = (step_u_tilde(t.z, c, r + h) - step_u_tilde(t.z, c, r - h)) / (2 * h);
  const double du = step_u_tilde_derivative(t.z, c, r);
  RC_ASSERT(std::fabs(fd - du) <= 1e-4 * (1 + std::fabs(du)));
  // Distance from r to the nearest threshold, relative to the local width.
  const std::size_t i = step_index(t.z, r);
  const double dist = std::min(r - t.z[i], t.z[i + 1] - r) / (t.z[i + 1] - t.z[i]);
  RC_PRE(dist > 0.2);
  // Then every sigmoid is at least c L (0.2 - 0.05) = 1.5 c from its centre
  // in its own units; the error is at most sum_i D_i sigmoid(-1.5 c).
  const double bound = 200.0 / (1.0 + std::exp(1.5 * c));
  RC_ASSERT(std::fabs(step_u_tilde(t.z, c, r) - step_u(t.z, r)) <= bound);
}

TEST(StepTargets, BatchesFollowTheTarget) {
  Engine rng(5);
  const StepTarget t = draw_step_target(100, StepThresholds::kScript, rng);
  ASSERT_EQ(t.v_star.size(), 100u);
  ASSERT_EQ(t.z.size(), 52u);
  Matrix x, y;
  std::vector<double> r;
  sample_step_batch(t, 20000, rng, x, r, y);
  ASSERT_EQ(x.shape(0), 20000u);
  ASSERT_EQ(x.shape(1), 100u);
  ASSERT_EQ(y.shape(1), 1u);
  double sum_x2 = 0, sum_x4 = 0, sum_dr = 0, sum_dr2 = 0;
  for (std::size_t i = 0; i < 20000; ++i) {
    double ri = t.b_star;
    for (std::size_t j = 0; j < 100; ++j) {
      const double x2 = double(x(i, j)) * x(i, j);
      sum_x2 += x2;
      sum_x4 += x2 * x2;
      ri += t.v_star[j] * double(x(i, j));
    }
    EXPECT_EQ(ri, r[i]);
    EXPECT_EQ(y(i, 0), static_cast<float>(step_u(t.z, r[i])));
    sum_dr += r[i] - t.b_star;
    sum_dr2 += (r[i] - t.b_star) * (r[i] - t.b_star);
  }
  // Null hypothesis: x_ij ~ N(0, 1e-4), so E[x^2] = 1e-4 (2e6 draws, relative
  // sd of the mean sqrt(2/2e6) = 0.001; bound 0.006 = 6 sd) and E[x^4] =
  // 3e-8 (relative sd sqrt(96)/3/sqrt(2e6) = 0.0023; bound 0.014); r - b* ~
  // N(0, ||v*||^2 / 1e4) (n = 2e4: mean within 6 sd, variance within 6 sd of
  // its relative sd sqrt(2/n) = 0.01).
  const double v2 = [&] {
    double s = 0;
    for (const double v : t.v_star) s += v * v;
    return s;
  }();
  EXPECT_NEAR(sum_x2 / 2e6, 1e-4, 6e-7);
  EXPECT_NEAR(sum_x4 / 2e6 / 3e-8, 1.0, 0.014);
  EXPECT_NEAR(sum_dr / 2e4, 0.0, 6 * std::sqrt(v2 / 1e4 / 2e4));
  EXPECT_NEAR(sum_dr2 / 2e4 / (v2 / 1e4), 1.0, 0.06);
}

// The sampler's chunked passes compute what one loop over the pairs
// computes (Box-Muller as documented in the header, pair by pair, with
// box_muller.h's functions): the same bits of x, r and y, and the same
// number of draws, for even and odd sizes, within one chunk and across chunk
// boundaries (512 pairs).
TEST(StepTargets, BatchesAreThePairByPairBoxMullerBitForBit) {
  struct Size {
    std::size_t batch, d;
  };
  for (const Size size : {Size{1, 1}, Size{3, 3}, Size{4, 5}, Size{11, 97}, Size{256, 100},
                          Size{1001, 3}}) {
    Engine target_rng(size.d);
    const StepTarget t = draw_step_target(size.d, StepThresholds::kScript, target_rng);
    Engine rng(17), ref_rng(17);
    Matrix x, y;
    std::vector<double> r;
    sample_step_batch(t, size.batch, rng, x, r, y);
    const std::size_t n = size.batch * size.d;
    std::vector<float> ref(n);
    for (std::size_t k = 0; k < n; k += 2) {
      const std::uint64_t bits = ref_rng();
      const float rad =
          std::sqrt(-2.0f * log_u24(static_cast<std::uint32_t>(bits >> 40))) * 0.01f;
      float sine, cosine;
      sincos_2pi_u24(static_cast<std::uint32_t>(bits & 0xffffffu), sine, cosine);
      ref[k] = rad * cosine;
      if (k + 1 < n) ref[k + 1] = rad * sine;
    }
    const std::string where = std::to_string(size.batch) + " x " + std::to_string(size.d);
    ASSERT_EQ(x.size(), n) << where;
    EXPECT_EQ(std::memcmp(x.data(), ref.data(), n * sizeof(float)), 0) << where;
    for (std::size_t i = 0; i < size.batch; ++i) {
      double ri = t.b_star;
      for (std::size_t j = 0; j < size.d; ++j) ri += t.v_star[j] * static_cast<double>(ref[i * size.d + j]);
      EXPECT_EQ(r[i], ri) << where << ", row " << i;
      EXPECT_EQ(y(i, 0), static_cast<float>(step_u(t.z, ri))) << where << ", row " << i;
    }
    EXPECT_EQ(rng(), ref_rng()) << where << ": another number of draws";
  }
}

TEST(StepTargets, SameSeedSameTarget) {
  Engine a(3), b(3), c(4);
  const StepTarget ta = draw_step_target(10, StepThresholds::kPaper, a);
  const StepTarget tb = draw_step_target(10, StepThresholds::kPaper, b);
  const StepTarget tc = draw_step_target(10, StepThresholds::kPaper, c);
  EXPECT_EQ(ta.v_star, tb.v_star);
  EXPECT_EQ(ta.z, tb.z);
  EXPECT_NE(ta.v_star, tc.v_star);
  EXPECT_THROW(draw_step_target(0, StepThresholds::kPaper, a), std::invalid_argument);
  EXPECT_THROW(step_thresholds_from_name("other"), std::invalid_argument);
  EXPECT_EQ(step_thresholds_from_name("paper"), StepThresholds::kPaper);
}

// The even family of B5 (paper/boundaries_sec45.md): count values from -0.5
// to 0.5 with equal gaps, and the same v*, b* as the paper's draw of the
// same seed (only the offsets differ).
TEST(StepTargets, EvenThresholdsAreEquallySpacedOverTheDataRange) {
  const std::vector<double> z = even_threshold_offsets(5);
  EXPECT_EQ(z, (std::vector<double>{-0.5, -0.25, 0.0, 0.25, 0.5}));
  const std::vector<double> z55 = even_threshold_offsets(55);
  ASSERT_EQ(z55.size(), 55u);
  EXPECT_EQ(z55.front(), -0.5);
  EXPECT_DOUBLE_EQ(z55.back(), 0.5);
  for (std::size_t i = 1; i < z55.size(); ++i) EXPECT_NEAR(z55[i] - z55[i - 1], 1.0 / 54, 1e-15);
  EXPECT_THROW(even_threshold_offsets(1), std::invalid_argument);
  EXPECT_THROW(even_threshold_offsets(10001), std::invalid_argument);
  Engine a(7), b(7);
  const StepTarget even = draw_step_target(10, z, a);
  const StepTarget paper = draw_step_target(10, StepThresholds::kPaper, b);
  EXPECT_EQ(even.v_star, paper.v_star);
  EXPECT_EQ(even.b_star, paper.b_star);
  ASSERT_EQ(even.z.size(), 5u);
  for (std::size_t i = 0; i < z.size(); ++i) EXPECT_EQ(even.z[i], even.b_star + z[i]);
}

}  // namespace
}  // namespace fgbdl
