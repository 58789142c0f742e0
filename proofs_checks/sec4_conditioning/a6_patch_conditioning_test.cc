// A6 (paper Appendix A.6; paper/sec4_conditioning.md A6): the 3x3 second moment C of the
// patches [f_{t-1}, f_t, f_{t+1}] of random curves has condition number
// Theta(n^3): lambda_1 >= Omega(n^2) (v = [1,1,1]: the level of a curve is
// O(n)) and lambda_3 <= O(k/n) (v = [1,-2,1]: the second difference is
// non-zero only at the k kinks, a fraction k/n of the patches).
//
// Three curve distributions (lib/data/curves.h): the paper's (theta uniform,
// a ~ U[-1,1]), the script's (slopes in {-2,..,2} from four patterns) and
// the appendix's own setting (the paper's kinks with slope changes +-1,
// kAppendix). C is estimated on 4000 curves per n, n = 25, 50, .., 800.
// Checks, for each distribution:
//   * the fitted exponent of cond(C) against n is in [2.8, 3.2] (the claimed
//     3, +-0.2);
//   * cond(C) / n^3 stays within a factor 2 over n = 25..800 (a Theta, not
//     just a fitted slope), while cond / n^2.5 and cond / n^3.5 drift by
//     more than 3x;
//   * the mechanism: lambda_1 / n^2 and n lambda_3 each stay within a
//     factor 2, and lambda_3 <= [1,-2,1] C [1,-2,1]^T / 6 (Rayleigh; exact,
//     up to rounding);
//   * the convolution is better conditioned than the fully connected
//     problem (T3: ~n^4) at every n, and the gap grows about like n:
//     cond_W / cond(C) is >= 8x larger at n = 800 than at n = 25.
//
// Statistical checks (all but the Rayleigh bound and the reproducibility
// test). Null hypothesis of each: cond(C) = Theta(n^3) by the mechanism
// above, so that the statistics estimated from 4000 curves per n scatter
// around their population values by Monte Carlo error only. The tests run on
// fixed streams (601, 602, 603) and are deterministic; the flake budget is
// the chance that another stream fails, measured by DISABLED_MeasureSpread
// over streams 1..20 of each distribution (4000 curves per n, as here):
//   statistic            paper          script         appendix       threshold
//   fitted exponent      2.949..2.982   3.099..3.125   2.955..2.978   [2.8, 3.2]
//     (sd over streams)  0.008          0.007          0.006
//   cond/n^3 spread      1.08..1.23     1.47..1.61     1.09..1.20     <= 2
//   cond/n^2.5 spread    4.66..5.26     8.25..9.09     4.73..5.29     >= 3
//   cond/n^3.5 spread    6.09..6.87     3.52..3.88     6.05..6.77     >= 3
//     (sd)               0.22           0.10           0.21
//   lambda_1/n^2 spread  1.05..1.15     1.38..1.50     1.05..1.14     <= 2
//   n lambda_3 spread    1.04..1.09     1.05..1.08     1.05..1.06     <= 2
//   gap growth           29.9..33.7     17.3..19.0     29.7..33.2     >= 8
// All 60 streams pass. The closest calls are the script's cond/n^3.5 spread
// (lowest 3.52, 5 sd of its spread above the threshold 3) and its fitted
// exponent (highest 3.125, 11 sd below 3.2); every other statistic is more
// than 10 sd from its threshold. Budget: 0 failures allowed on the fixed
// streams; the probability that a stream fails is below that of a 5-sd
// excursion (< 1e-6 under a normal approximation), per distribution.
// The appendix's curves and the paper's give the same exponent (2.96 on
// average over the streams); the script's give 3.11, and their lambda_1 / n^2
// varies more over n (spread 1.38..1.50, against 1.05..1.15).
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

#include "absl/strings/str_format.h"
#include "experiments/sec4_conditioning/patch_conditioning.h"
#include "gtest/gtest.h"
#include "lib/analysis/conditioning.h"
#include "lib/analysis/fit.h"
#include "lib/core/rng.h"
#include "lib/data/curves.h"

namespace fgbdl {
namespace {

double spread(const std::vector<double>& v) {
  return *std::max_element(v.begin(), v.end()) / *std::min_element(v.begin(), v.end());
}

// The statistics of one distribution, from one stream.
struct A6Stats {
  LineFit fit;
  std::vector<double> cond, gap;  // per n
  double per_n3 = 0, per_n25 = 0, per_n35 = 0, lambda1 = 0, lambda3 = 0;  // spreads
  double gap_growth = 0;         // gap(n = 800) / gap(n = 25)
  double rayleigh_excess = -1;   // max over n of lambda_3 / (v C v^T / 6) - 1 (<= rounding)
  double min_gap = INFINITY;     // min over n of cond_W / cond(C)
};

A6Stats measure(CurveDistribution dist, std::uint64_t stream) {
  const std::vector<int> ns = {25, 50, 100, 200, 400, 800};
  A6Stats s;
  std::vector<double> log_n, per_n3, per_n25, per_n35, lambda1, lambda3;
  for (const int n : ns) {
    Engine rng = derive_engine(stream, static_cast<std::uint64_t>(n));
    const auto C = patch_second_moment(dist, n, 4000, rng);
    const auto lambda = symmetric_eigenvalues(C);
    const double v_curv = C(0, 0) + 4 * C(1, 1) + C(2, 2) - 4 * C(0, 1) + 2 * C(0, 2) - 4 * C(1, 2);
    s.rayleigh_excess = std::max(s.rayleigh_excess, lambda(0) / (v_curv / 6) - 1);
    const double c = condition_number(C);
    log_n.push_back(std::log2(n));
    s.cond.push_back(c);
    per_n3.push_back(c / std::pow(n, 3.0));
    per_n25.push_back(c / std::pow(n, 2.5));
    per_n35.push_back(c / std::pow(n, 3.5));
    lambda1.push_back(lambda(2) / (static_cast<double>(n) * n));
    lambda3.push_back(lambda(0) * n);
    s.gap.push_back(cond_W(n) / c);
    s.min_gap = std::min(s.min_gap, s.gap.back());
  }
  s.fit = fit_log2_line(log_n, s.cond);
  s.per_n3 = spread(per_n3);
  s.per_n25 = spread(per_n25);
  s.per_n35 = spread(per_n35);
  s.lambda1 = spread(lambda1);
  s.lambda3 = spread(lambda3);
  s.gap_growth = s.gap.back() / s.gap.front();
  return s;
}

void check_distribution(CurveDistribution dist, std::uint64_t stream) {
  const A6Stats s = measure(dist, stream);
  EXPECT_LE(s.rayleigh_excess, 1e-9);
  EXPECT_GT(s.min_gap, 1.0);
  EXPECT_GE(s.fit.rate, 2.8);
  EXPECT_LE(s.fit.rate, 3.2);
  EXPECT_LE(s.per_n3, 2.0);
  EXPECT_GE(s.per_n25, 3.0);
  EXPECT_GE(s.per_n35, 3.0);
  EXPECT_GE(s.gap_growth, 8.0);
  EXPECT_LE(s.lambda1, 2.0);
  EXPECT_LE(s.lambda3, 2.0);
  ::testing::Test::RecordProperty(
      "measured",
      absl::StrFormat(
          "%s curves (4000 per n): cond(C) ~ n^e, e = %s; cond(25..800) = %.3g .. "
          "%.3g; cond/n^3 spread %.2fx (n^2.5: %.1fx, n^3.5: %.1fx); lambda_1/n^2 "
          "spread %.2fx, n lambda_3 spread %.2fx; cond_W/cond(C) %.3g (n=25) -> %.3g (n=800)",
          to_string(dist), s.fit.to_string(), s.cond.front(), s.cond.back(), s.per_n3,
          s.per_n25, s.per_n35, s.lambda1, s.lambda3, s.gap.front(), s.gap.back()));
}

TEST(A6, PatchConditionNumberIsThetaNCubedForPaperCurves) {
  check_distribution(CurveDistribution::kPaper, 601);
}

TEST(A6, PatchConditionNumberIsThetaNCubedForScriptCurves) {
  check_distribution(CurveDistribution::kScript, 602);
}

// The appendix's own setting: the paper's kinks, slope changes +-1.
TEST(A6, PatchConditionNumberIsThetaNCubedForTheAppendixsUnitSlopeCurves) {
  check_distribution(CurveDistribution::kAppendix, 603);
}

// The figure's rows (experiments/sec4_conditioning:c4_conditioning) are a
// function of (n, curves, seed): same seed, bit-identical row.
TEST(A6, TheFigureRowsAreReproducibleFromTheSeed) {
  const ConditioningRow a = conditioning_row(60, 300, 5), b = conditioning_row(60, 300, 5),
                        c = conditioning_row(60, 300, 6);
  EXPECT_EQ(a.cond_W, b.cond_W);
  EXPECT_EQ(a.cond_patch_paper, b.cond_patch_paper);
  EXPECT_EQ(a.cond_patch_script, b.cond_patch_script);
  EXPECT_EQ(a.cond_patch_appendix, b.cond_patch_appendix);
  EXPECT_EQ(a.cond_whitened_fresh_paper, b.cond_whitened_fresh_paper);
  EXPECT_EQ(a.cond_whitened_fresh_script, b.cond_whitened_fresh_script);
  EXPECT_EQ(a.cond_whitened_fresh_appendix, b.cond_whitened_fresh_appendix);
  EXPECT_NE(a.cond_patch_paper, c.cond_patch_paper);
  EXPECT_NE(a.cond_patch_appendix, c.cond_patch_appendix);
  // Three distributions, three different samples.
  EXPECT_NE(a.cond_patch_appendix, a.cond_patch_paper);
  EXPECT_EQ(a.cond_W, c.cond_W);  // no randomness in W
}

// Prints the spread of every checked statistic over streams 1..20 of each
// distribution (the flake budget above):
//   bazel run //proofs_checks/sec4_conditioning:a6_patch_conditioning_test --
//     --gtest_also_run_disabled_tests --gtest_filter='*MeasureSpread*'
TEST(A6, DISABLED_MeasureSpread) {
  for (const CurveDistribution dist :
       {CurveDistribution::kPaper, CurveDistribution::kScript, CurveDistribution::kAppendix}) {
    std::vector<double> e, n3, n25, n35, l1, l3, growth;
    for (std::uint64_t stream = 1; stream <= 20; ++stream) {
      const A6Stats s = measure(dist, stream);
      e.push_back(s.fit.rate);
      n3.push_back(s.per_n3);
      n25.push_back(s.per_n25);
      n35.push_back(s.per_n35);
      l1.push_back(s.lambda1);
      l3.push_back(s.lambda3);
      growth.push_back(s.gap_growth);
    }
    // "min .. max (sd s)" over the streams.
    const auto range = [](const std::vector<double>& v) {
      double mean = 0, var = 0;
      for (const double x : v) mean += x / static_cast<double>(v.size());
      for (const double x : v) var += (x - mean) * (x - mean) / static_cast<double>(v.size() - 1);
      return absl::StrFormat("%.3f .. %.3f (sd %.3f)", *std::min_element(v.begin(), v.end()),
                             *std::max_element(v.begin(), v.end()), std::sqrt(var));
    };
    std::printf(
        "%s, 20 streams: exponent %s; cond/n^3 spread %s; n^2.5 %s; n^3.5 %s; lambda_1/n^2 %s; "
        "n lambda_3 %s; gap growth %s\n",
        to_string(dist).c_str(), range(e).c_str(), range(n3).c_str(), range(n25).c_str(),
        range(n35).c_str(), range(l1).c_str(), range(l3).c_str(), range(growth).c_str());
    std::fflush(stdout);
  }
}

}  // namespace
}  // namespace fgbdl
