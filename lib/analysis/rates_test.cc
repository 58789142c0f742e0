// Tests of the rates, intervals and logistic boundary fit of rates.h.
#include "lib/analysis/rates.h"

#include <cmath>
#include <cstdint>
#include <limits>
#include <stdexcept>
#include <vector>

#include "gtest/gtest.h"
#include "rapidcheck.h"
#include "rapidcheck/gtest.h"

namespace fgbdl {
namespace {

TEST(Binomial, DistributionFunctionMatchesClosedForms) {
  // P(X <= 0) = (1 - p)^n; P(X <= n - 1) = 1 - p^n.
  EXPECT_NEAR(binomial_cdf(0, 10, 0.3), std::pow(0.7, 10), 1e-14);  // lgamma and exp rounding
  EXPECT_NEAR(binomial_cdf(9, 10, 0.3), 1 - std::pow(0.3, 10), 1e-13);
  // n = 4, p = 1/2: P(X <= 2) = (1 + 4 + 6) / 16.
  EXPECT_NEAR(binomial_cdf(2, 4, 0.5), 11.0 / 16, 1e-14);
  EXPECT_EQ(binomial_cdf(-1, 4, 0.5), 0);
  EXPECT_EQ(binomial_cdf(4, 4, 0.5), 1);
}

TEST(Normal, QuantileMatchesTables) {
  EXPECT_NEAR(normal_quantile(0.975), 1.959963984540054, 1e-12);
  EXPECT_NEAR(normal_quantile(0.5), 0, 1e-12);
  EXPECT_NEAR(normal_quantile(0.995), 2.5758293035489, 1e-11);
}

// Reference values: Clopper and Pearson's exact interval at 95%, as in
// standard tables (e.g. 6 of 10: 0.2624 to 0.8784); the 0-of-n upper end is
// 1 - 0.025^(1/n) in closed form.
TEST(ClopperPearson, MatchesKnownValues) {
  const Interval six = clopper_pearson(6, 10);
  EXPECT_NEAR(six.low, 0.2624, 5e-5);
  EXPECT_NEAR(six.high, 0.8784, 5e-5);
  const Interval zero = clopper_pearson(0, 10);
  EXPECT_EQ(zero.low, 0);
  EXPECT_NEAR(zero.high, 1 - std::pow(0.025, 0.1), 1e-10);  // 0.3085
  EXPECT_NEAR(zero.high, 0.3085, 5e-5);
  const Interval ten = clopper_pearson(10, 10);
  EXPECT_NEAR(ten.low, std::pow(0.025, 0.1), 1e-10);  // 0.6915
  EXPECT_EQ(ten.high, 1);
  // 1 of 2 at 95%: the ends solve (1 - p)^2 = 0.025 and p^2 = 0.025.
  const Interval half = clopper_pearson(1, 2);
  EXPECT_NEAR(half.low, 1 - std::sqrt(0.975), 1e-10);
  EXPECT_NEAR(half.high, std::sqrt(0.975), 1e-10);
}

TEST(Wilson, MatchesKnownValues) {
  // 6 of 10 at 95%: (0.6 + z^2/20 +- z sqrt(0.024 + z^2/400)) / (1 + z^2/10)
  // = 0.3127 to 0.8318.
  const Interval w = wilson(6, 10);
  EXPECT_NEAR(w.low, 0.3127, 5e-5);
  EXPECT_NEAR(w.high, 0.8318, 5e-5);
  const Interval z = wilson(0, 10);
  EXPECT_EQ(z.low, 0);
  EXPECT_NEAR(z.high, 0.2775, 5e-5);
}

TEST(Intervals, BadCountsAndLevelsAreRefused) {
  EXPECT_THROW(clopper_pearson(3, 2), std::invalid_argument);
  EXPECT_THROW(clopper_pearson(0, 0), std::invalid_argument);
  EXPECT_THROW(clopper_pearson(-1, 4), std::invalid_argument);
  EXPECT_THROW(wilson(1, 4, 1.0), std::invalid_argument);
  EXPECT_THROW(mean_interval({1.0}), std::invalid_argument);
  EXPECT_THROW(mean_interval({1.0, std::nan("")}), std::invalid_argument);
}

// The definition itself: at the lower end P(X >= s) = alpha/2, at the upper
// end P(X <= s) = alpha/2, and the ends bracket s/n.
RC_GTEST_PROP(ClopperPearson, EndsSolveTheBinomialTailEquations, ()) {
  const auto n = *rc::gen::inRange<std::int64_t>(1, 200);
  const auto s = *rc::gen::inRange<std::int64_t>(0, n + 1);
  const double level = *rc::gen::element(0.8, 0.9, 0.95, 0.99);
  const Interval r = clopper_pearson(s, n, level);
  const double half = (1 - level) / 2, p = static_cast<double>(s) / static_cast<double>(n);
  RC_ASSERT(r.low <= p);
  RC_ASSERT(p <= r.high);
  if (s > 0) RC_ASSERT(std::abs(1 - binomial_cdf(s - 1, n, r.low) - half) < 1e-9);
  if (s < n) RC_ASSERT(std::abs(binomial_cdf(s, n, r.high) - half) < 1e-9);
}

TEST(MeanInterval, MatchesTheStudentTFormula) {
  // 1..5: mean 3, sd sqrt(2.5), t_{0.975, 4} = 2.776445105.
  const MeanInterval m = mean_interval({1, 2, 3, 4, 5});
  EXPECT_NEAR(m.mean, 3, 1e-15);
  EXPECT_NEAR(m.sd, std::sqrt(2.5), 1e-15);
  const double half = 2.776445105197793 * std::sqrt(2.5) / std::sqrt(5.0);
  EXPECT_NEAR(m.ci.low, 3 - half, 1e-9);
  EXPECT_NEAR(m.ci.high, 3 + half, 1e-9);
}

TEST(FirstReaching, GivesTheFirstStepAtOrAboveTheThreshold) {
  EXPECT_EQ(first_reaching({0, 100, 200, 300}, {0.5, 0.91, 0.7, 0.95}, 0.9), 100);
  EXPECT_EQ(first_reaching({0, 100}, {0.5, 0.89}, 0.9), -1);
  EXPECT_EQ(first_reaching({0, 100}, {0.5, 0.9}, 0.9), 100);
}

// Two settings: the model is saturated, so the fit reproduces each
// setting's rate: a = logit(3/4) = ln 3 at x = 0, a + b = logit(1/4) at
// x = 1, and the crossing is at x = 1/2.
TEST(Logistic, TwoSettingsAreFittedExactly) {
  const std::vector<double> x = {0, 0, 0, 0, 1, 1, 1, 1};
  const std::vector<int> y = {1, 1, 1, 0, 1, 0, 0, 0};
  const LogisticFit f = fit_logistic(x, y);
  EXPECT_FALSE(f.separated);
  EXPECT_TRUE(f.crossing);
  EXPECT_NEAR(f.a, std::log(3.0), 1e-9);
  EXPECT_NEAR(f.b, -2 * std::log(3.0), 1e-9);
  EXPECT_NEAR(f.x50, 0.5, 1e-9);
  // log-likelihood: 2 (3 ln 3/4 + ln 1/4).
  EXPECT_NEAR(f.log_likelihood, 2 * (3 * std::log(0.75) + std::log(0.25)), 1e-9);
  // The profile interval's ends are where the likelihood ratio statistic
  // is chi^2_1(0.95) = 3.8415, around x50.
  EXPECT_LT(f.x50_ci.low, 0.5);
  EXPECT_GT(f.x50_ci.high, 0.5);
  for (double end : {f.x50_ci.low, f.x50_ci.high}) {
    if (!std::isfinite(end)) continue;
    EXPECT_NEAR(2 * (f.log_likelihood - profile_log_likelihood(x, y, end)), 3.841458820694124,
                1e-6);
  }
  EXPECT_NEAR(profile_log_likelihood(x, y, f.x50), f.log_likelihood, 1e-9);
}

// A falling rate over many settings: the crossing is where the data put it
// and its interval is finite and contains it; the interval narrows with
// more runs per setting.
TEST(Logistic, CrossingOfAFallingRateHasAFiniteProfileInterval) {
  // Settings 5..14, rates 1, 1, .9, .8, .6, .4, .2, .1, 0, 0 of 10 runs.
  const std::vector<int> successes = {10, 10, 9, 8, 6, 4, 2, 1, 0, 0};
  std::vector<double> x;
  std::vector<int> y;
  for (int i = 0; i < 10; ++i)
    for (int r = 0; r < 10; ++r) {
      x.push_back(5 + i);
      y.push_back(r < successes[i] ? 1 : 0);
    }
  const LogisticFit f = fit_logistic(x, y);
  EXPECT_FALSE(f.separated);
  EXPECT_LT(f.b, 0);
  // Symmetric around 9.5 (rates at 9.5 - j and 9.5 + j sum to 1).
  EXPECT_NEAR(f.x50, 9.5, 1e-9);
  EXPECT_NEAR(f.x50 - f.x50_ci.low, f.x50_ci.high - f.x50, 1e-6);
  EXPECT_GT(f.x50_ci.low, 8.5);
  EXPECT_LT(f.x50_ci.high, 10.5);
  std::vector<double> x4(x);
  std::vector<int> y4(y);
  for (int copy = 0; copy < 3; ++copy) {
    x4.insert(x4.end(), x.begin(), x.end());
    y4.insert(y4.end(), y.begin(), y.end());
  }
  const LogisticFit f4 = fit_logistic(x4, y4);
  EXPECT_NEAR(f4.x50, 9.5, 1e-9);
  EXPECT_LT(f4.x50_ci.high - f4.x50_ci.low, 0.6 * (f.x50_ci.high - f.x50_ci.low));
}

// Separated outcomes: no maximum-likelihood fit; the crossing is the middle
// of the gap, and the interval contains the whole gap.
TEST(Logistic, SeparatedOutcomesAreSaidAndBracketed) {
  const std::vector<double> x = {1, 1, 2, 2, 3, 3, 4, 4};
  const std::vector<int> y = {1, 1, 1, 1, 0, 0, 0, 0};
  const LogisticFit f = fit_logistic(x, y);
  EXPECT_TRUE(f.separated);
  EXPECT_TRUE(std::isnan(f.a));
  EXPECT_EQ(f.x50, 2.5);
  EXPECT_LE(f.x50_ci.low, 2);
  EXPECT_GE(f.x50_ci.high, 3);
  EXPECT_GT(f.x50_ci.low, 0);
  EXPECT_LT(f.x50_ci.high, 5);
  EXPECT_NEAR(f.log_likelihood, 0, 1e-9);  // the supremum: every outcome predicted
  EXPECT_NE(f.to_string().find("separated"), std::string::npos);
  // Rising instead of falling.
  const LogisticFit g = fit_logistic(x, {0, 0, 0, 0, 1, 1, 1, 1});
  EXPECT_TRUE(g.separated);
  EXPECT_EQ(g.x50, 2.5);
}

TEST(Logistic, NoCrossingWhenEveryOutcomeIsTheSame) {
  const LogisticFit f = fit_logistic({1, 2, 3}, {1, 1, 1});
  EXPECT_FALSE(f.crossing);
  EXPECT_TRUE(std::isnan(f.x50));
  EXPECT_NE(f.to_string().find("no crossing"), std::string::npos);
}

TEST(Logistic, BadInputIsRefused) {
  EXPECT_THROW(fit_logistic({1, 1}, {0, 1}), std::invalid_argument);
  EXPECT_THROW(fit_logistic({1, 2}, {0, 2}), std::invalid_argument);
  EXPECT_THROW(fit_logistic({1, 2}, {0}), std::invalid_argument);
  EXPECT_THROW(fit_logistic({1, std::numeric_limits<double>::infinity()}, {0, 1}),
               std::invalid_argument);
}

}  // namespace
}  // namespace fgbdl
