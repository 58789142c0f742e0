// Tests of the log2-linear least-squares fit and the Student t quantile.
#include "lib/analysis/fit.h"

#include <cmath>
#include <vector>

#include "gtest/gtest.h"
#include "rapidcheck.h"
#include "rapidcheck/gtest.h"

namespace fgbdl {
namespace {

TEST(StudentT, QuantilesMatchClosedFormsAndTables) {
  // nu = 1 (Cauchy): t_p = tan(pi (p - 1/2)).
  EXPECT_NEAR(student_t_quantile(0.975, 1), std::tan(M_PI * 0.475), 1e-12);  // 12.7062047...
  // nu = 2: t_p = (2p - 1) / sqrt(2 p (1 - p)).
  EXPECT_NEAR(student_t_quantile(0.975, 2), 0.95 / std::sqrt(2 * 0.975 * 0.025), 1e-12);  // 4.30265...
  EXPECT_NEAR(student_t_quantile(0.9, 2), 0.8 / std::sqrt(2 * 0.9 * 0.1), 1e-12);
  // NIST/SEMATECH e-Handbook of Statistical Methods, 1.3.6.7.2 (critical
  // values of Student's t, upper tail 0.025), three decimals.
  const std::vector<std::pair<int, double>> table = {
      {3, 3.182}, {4, 2.776}, {5, 2.571}, {6, 2.447}, {7, 2.365}, {8, 2.306}, {9, 2.262},
      {10, 2.228}, {11, 2.201}, {12, 2.179}, {15, 2.131}, {20, 2.086}, {30, 2.042}, {100, 1.984}};
  for (const auto& [nu, t] : table) EXPECT_NEAR(student_t_quantile(0.975, nu), t, 5e-4) << nu;
  // nu -> infinity: the normal quantile z = 1.959963984540054 plus the
  // Cornish-Fisher term (z^3 + z) / (4 nu) = 2.3723e-5 at nu = 1e5 (the next
  // term, (5z^5 + 16z^3 + 3z) / (96 nu^2), is 2.8e-10).
  const double z = 1.959963984540054;
  EXPECT_NEAR(student_t_quantile(0.975, 100000) - z, (z * z * z + z) / 4e5, 1e-9);
  // Symmetry and the median.
  EXPECT_EQ(student_t_quantile(0.5, 7), 0.0);
  EXPECT_DOUBLE_EQ(student_t_quantile(0.025, 7), -student_t_quantile(0.975, 7));
  EXPECT_THROW(student_t_quantile(1.0, 3), std::invalid_argument);
  EXPECT_THROW(student_t_quantile(0.5, 0), std::invalid_argument);
}

RC_GTEST_PROP(StudentT, CdfInvertsQuantile, ()) {
  const int nu = *rc::gen::inRange(1, 60);
  const double p = *rc::gen::inRange(1, 999) / 1000.0;
  RC_ASSERT(std::fabs(student_t_cdf(student_t_quantile(p, nu), nu) - p) <= 1e-12);
}

TEST(FitLog2Line, HandComputedExample) {
  // x = 0..3, y = 1, 2, 2, 8 (log2 y = 0, 1, 1, 3): xbar = 1.5, zbar = 1.25,
  // Sxx = 5, Sxz = 4.5, rate = 0.9, intercept = -0.1; residuals
  // 0.1, 0.2, -0.7, 0.4, SSR = 0.7, s^2 = 0.35, se = sqrt(0.35 / 5) = sqrt(0.07),
  // 95% CI = 0.9 ± t_{0.975,2} sqrt(0.07), t_{0.975,2} = 0.95 / sqrt(0.04875).
  const LineFit f = fit_log2_line({0, 1, 2, 3}, {1, 2, 2, 8});
  EXPECT_NEAR(f.rate, 0.9, 1e-14);
  EXPECT_NEAR(f.intercept, -0.1, 1e-14);
  EXPECT_NEAR(f.rate_se, std::sqrt(0.07), 1e-14);
  const double t2 = 0.95 / std::sqrt(0.04875);
  EXPECT_NEAR(f.ci_low, 0.9 - t2 * std::sqrt(0.07), 1e-12);
  EXPECT_NEAR(f.ci_high, 0.9 + t2 * std::sqrt(0.07), 1e-12);
  EXPECT_EQ(f.n, 4u);
}

RC_GTEST_PROP(FitLog2Line, RecoversExactExponentialData, ()) {
  const double rate = *rc::gen::inRange(-3000, 3000) / 1000.0;
  const double intercept = *rc::gen::inRange(-20000, 20000) / 1000.0;
  const int n = *rc::gen::inRange(3, 20);
  std::vector<double> x, y;
  for (int i = 0; i < n; ++i) {
    x.push_back(0.5 * i + 1.0);
    y.push_back(std::exp2(intercept + rate * x.back()));
  }
  const LineFit f = fit_log2_line(x, y);
  RC_ASSERT(std::fabs(f.rate - rate) <= 1e-9);
  RC_ASSERT(std::fabs(f.intercept - intercept) <= 1e-8);
  RC_ASSERT(f.rate_se <= 1e-9);
  RC_ASSERT(f.ci_low <= f.rate && f.rate <= f.ci_high);
}

TEST(FitLog2Line, WeightsActLikeRepeatedPoints) {
  // Weight 2 on a point gives the same line as listing the point twice.
  const std::vector<double> x = {0, 1, 2, 3, 4}, y = {1, 3, 2, 9, 20};
  const LineFit w = fit_log2_line(x, y, {1, 2, 1, 1, 1});
  const LineFit r = fit_log2_line({0, 1, 1, 2, 3, 4}, {1, 3, 3, 2, 9, 20});
  EXPECT_NEAR(w.rate, r.rate, 1e-13);
  EXPECT_NEAR(w.intercept, r.intercept, 1e-13);
  // Scaling all weights changes nothing.
  const LineFit a = fit_log2_line(x, y, {3, 6, 3, 3, 3});
  EXPECT_NEAR(a.rate, w.rate, 1e-13);
  EXPECT_NEAR(a.rate_se, w.rate_se, 1e-13);
  // Unit weights equal no weights.
  const LineFit u = fit_log2_line(x, y, {1, 1, 1, 1, 1});
  const LineFit n = fit_log2_line(x, y);
  EXPECT_EQ(u.rate, n.rate);
  EXPECT_EQ(u.rate_se, n.rate_se);
}

TEST(FitLog2Line, RejectsBadInput) {
  EXPECT_THROW(fit_log2_line({0, 1}, {1, 2}), std::invalid_argument);
  EXPECT_THROW(fit_log2_line({0, 1, 2}, {1, 0, 2}), std::invalid_argument);
  EXPECT_THROW(fit_log2_line({1, 1, 1}, {1, 2, 3}), std::invalid_argument);
  EXPECT_THROW(fit_log2_line({0, 1, 2}, {1, 2, 3}, {1, -1, 1}), std::invalid_argument);
  EXPECT_THROW(fit_log2_line({0, 1, 2}, {1, 2}), std::invalid_argument);
}

}  // namespace
}  // namespace fgbdl
