// Tests of the Section 4 curve generator (lib/data/curves.h).
#include "lib/data/curves.h"

#include <cmath>
#include <set>
#include <stdexcept>
#include <vector>
#include <xtensor/xio.hpp>
#include <xtensor/xmath.hpp>

#include "gtest/gtest.h"
#include "rapidcheck/gtest.h"

namespace fgbdl {
namespace {

// max_r |(W p)_r - f_r| for row c.
double max_residual(const xt::xtensor<double, 2>& W, const xt::xtensor<double, 2>& f,
                    const xt::xtensor<double, 2>& p, std::size_t c) {
  const std::size_t n = W.shape(0);
  double worst = 0.0;
  for (std::size_t i = 0; i < n; ++i) {
    double s = 0.0;
    for (std::size_t j = 0; j < n; ++j) s += W(i, j) * p(c, j);
    worst = std::max(worst, std::fabs(s - f(c, i)));
  }
  return worst;
}

TEST(Curves, WAndUHaveTheirHandValues) {
  const xt::xtensor<double, 2> W4 = {{1, 0, 0, 0}, {2, 1, 0, 0}, {3, 2, 1, 0}, {4, 3, 2, 1}};
  const xt::xtensor<double, 2> U4 = {{1, 0, 0, 0}, {-2, 1, 0, 0}, {1, -2, 1, 0}, {0, 1, -2, 1}};
  EXPECT_EQ(curve_matrix_W(4), W4);
  EXPECT_EQ(curve_matrix_U(4), U4);
  EXPECT_EQ(curve_matrix_W(1), (xt::xtensor<double, 2>{{1}}));
  EXPECT_EQ(curve_matrix_U(1), (xt::xtensor<double, 2>{{1}}));
}

// A hand-made curve: n = 6, kinks at 1 and 3 with a = (2, -2): on the grid
// x = 1..6, f(x) = 2 [x - 1]_+ - 2 [x - 3]_+ = 0, 2, 4, 4, 4, 4, and
// p = (0, 2, 0, -2, 0, 0); W p reproduces f.
TEST(Curves, AHandMadeCurveIsWTimesItsEncoding) {
  const xt::xtensor<double, 2> p = {{0, 2, 0, -2, 0, 0}};
  const xt::xtensor<double, 2> f = {{0, 2, 4, 4, 4, 4}};
  EXPECT_EQ(max_residual(curve_matrix_W(6), f, p, 0), 0.0);
}

RC_GTEST_PROP(Curves, PaperScriptAndAppendixCurvesAreWTimesTheirEncoding, (std::uint64_t seed)) {
  const CurveDistribution dist = *rc::gen::element(
      CurveDistribution::kPaper, CurveDistribution::kScript, CurveDistribution::kAppendix);
  const bool script = dist == CurveDistribution::kScript;
  const int n = *rc::gen::inRange(script ? 9 : 1, 120);
  const int k = script ? 3 : *rc::gen::inRange(1, std::min(n, 6) + 1);
  RC_TAG(to_string(dist));
  Engine rng(seed);
  xt::xtensor<double, 2> f, p;
  sample_curves(dist, n, k, 5, rng, &f, &p);
  RC_ASSERT(f.shape(0) == 5u && f.shape(1) == static_cast<std::size_t>(n));
  RC_ASSERT(p.shape(0) == 5u && p.shape(1) == static_cast<std::size_t>(n));
  const auto W = curve_matrix_W(n);
  // f and W p are sums of at most k products of integers (<= n) and a_i:
  // 1e-12 n is far above their rounding.
  for (std::size_t c = 0; c < 5; ++c) RC_ASSERT(max_residual(W, f, p, c) <= 1e-12 * n);
}

RC_GTEST_PROP(Curves, PaperCurvesHaveKDistinctKinksAndSlopeChangesInMinusOneOne,
              (std::uint64_t seed)) {
  const int n = *rc::gen::inRange(1, 200);
  const int k = *rc::gen::inRange(1, std::min(n, 5) + 1);
  Engine rng(seed);
  xt::xtensor<double, 2> f, p;
  sample_curves(CurveDistribution::kPaper, n, k, 10, rng, &f, &p);
  for (std::size_t c = 0; c < 10; ++c) {
    int nonzero = 0;
    for (int j = 0; j < n; ++j) {
      const double v = p(c, static_cast<std::size_t>(j));
      RC_ASSERT(v >= -1.0 && v < 1.0);
      nonzero += v != 0.0;
    }
    RC_ASSERT(nonzero == k);  // U[-1,1] hits 0 with probability 2^-53 per draw
  }
}

// Appendix A.6's curves: the paper's k distinct kinks, each changing the
// slope by exactly +1 or -1; hence f's second difference f_{r+1} - 2 f_r +
// f_{r-1} is a_i at r = theta_i - 1 and 0 away from the kinks, and every slope f_{r+1} - f_r is an
// integer in [-k, k]. (With f_r = sum_i a_i [r + 1 - theta_i]_+, the second
// difference at r is sum_i a_i 1[theta_i = r + 1] = p_{r+1}.)
RC_GTEST_PROP(Curves, AppendixCurvesHaveKDistinctKinksWithUnitSlopeChanges,
              (std::uint64_t seed)) {
  const int n = *rc::gen::inRange(1, 200);
  const int k = *rc::gen::inRange(1, std::min(n, 5) + 1);
  Engine rng(seed);
  xt::xtensor<double, 2> f, p;
  sample_curves(CurveDistribution::kAppendix, n, k, 10, rng, &f, &p);
  for (std::size_t c = 0; c < 10; ++c) {
    int nonzero = 0;
    for (int j = 0; j < n; ++j) {
      const double v = p(c, static_cast<std::size_t>(j));
      RC_ASSERT(v == 0.0 || v == 1.0 || v == -1.0);
      nonzero += v != 0.0;
    }
    RC_ASSERT(nonzero == k);
    for (int r = 0; r + 1 < n; ++r) {
      const double slope = f(c, static_cast<std::size_t>(r + 1)) - f(c, static_cast<std::size_t>(r));
      RC_ASSERT(slope == std::round(slope));
      RC_ASSERT(std::fabs(slope) <= k);
    }
    // Exact integers: the second difference is the encoding, shifted.
    for (int r = 1; r + 1 < n; ++r) {
      const auto ur = static_cast<std::size_t>(r);
      RC_ASSERT(f(c, ur + 1) - 2 * f(c, ur) + f(c, ur - 1) == p(c, ur + 1));
    }
  }
}

// Null hypothesis: appendix kinks are uniform without replacement on the
// grid and the slope changes are fair +-1 signs, independently. Over 40 000
// curves with n = 20, k = 3: the number of kinks at each grid position is
// Binomial(40000, 3/20) (mean 6000, sd 71.4) and the number of +1 among the
// 120 000 slope changes Binomial(120000, 1/2) (mean 60000, sd 173). Bands of
// 6 sd (+-430, +-1040): false-failure probability < 21 * 2e-9 on this fixed
// seed. A bias of the sign or of the kink positions of 2% would fail it.
TEST(Curves, AppendixKinksAreUniformAndSignsFair) {
  Engine rng(19);
  xt::xtensor<double, 2> f, p;
  sample_curves(CurveDistribution::kAppendix, 20, 3, 40000, rng, &f, &p);
  int at[20] = {};
  int plus = 0;
  for (std::size_t c = 0; c < 40000; ++c)
    for (std::size_t j = 0; j < 20; ++j) {
      at[j] += p(c, j) != 0.0;
      plus += p(c, j) == 1.0;
    }
  for (int j = 0; j < 20; ++j) EXPECT_LT(std::abs(at[j] - 6000), 430) << "position " << j;
  EXPECT_LT(std::abs(plus - 60000), 1040);
}

RC_GTEST_PROP(Curves, ScriptCurvesHaveSortedKinksInsideAndOneOfFourSlopePatterns,
              (std::uint64_t seed)) {
  const int n = *rc::gen::inRange(9, 200);
  Engine rng(seed);
  xt::xtensor<double, 2> f, p;
  sample_curves(CurveDistribution::kScript, n, 3, 10, rng, &f, &p);
  const std::set<std::vector<double>> patterns = {
      {1, -2, 2}, {1, -3, 3}, {-2, 3, -2}, {1, -2, 3}};  // slope changes of the 4 patterns
  for (std::size_t c = 0; c < 10; ++c) {
    std::vector<double> a;
    for (int j = 0; j < n; ++j) {
      const double v = p(c, static_cast<std::size_t>(j));
      if (v != 0.0) {
        RC_ASSERT(j >= 3 && j <= n - 4);
        a.push_back(v);
      }
    }
    RC_ASSERT(patterns.count(a) == 1u);
  }
}

// Null hypothesis: the 4 script patterns are equally likely. Over 40 000
// curves each count is Binomial(40000, 1/4) (sd 86.6); |count - 10000| < 520
// is a 6-sd band: false-failure probability < 4 * 2e-9 on this fixed seed.
TEST(Curves, ScriptPatternsAreEquallyLikely) {
  Engine rng(17);
  xt::xtensor<double, 2> f, p;
  sample_curves(CurveDistribution::kScript, 20, 3, 40000, rng, &f, &p);
  int count[4] = {0, 0, 0, 0};
  for (std::size_t c = 0; c < 40000; ++c) {
    std::vector<double> a;
    for (std::size_t j = 0; j < 20; ++j)
      if (p(c, j) != 0.0) a.push_back(p(c, j));
    ASSERT_EQ(a.size(), 3u);
    const int which = a[0] == -2 ? 2 : a[2] == 3 && a[1] == -3 ? 1 : a[2] == 3 ? 3 : 0;
    ++count[which];
  }
  for (int i = 0; i < 4; ++i) EXPECT_LT(std::abs(count[i] - 10000), 520) << "pattern " << i;
}

TEST(Curves, ContinuousCurvesFollowTheScriptGridAndLeavePZero) {
  Engine rng(5);
  xt::xtensor<double, 2> f, p;
  sample_curves(CurveDistribution::kScriptContinuous, 50, 3, 20, rng, &f, &p);
  EXPECT_EQ(xt::amax(xt::abs(p))(), 0.0);
  EXPECT_EQ(p.shape(0), 20u);
  // f(0) = 0 (all theta >= 0) and f is piecewise linear: its second
  // differences vanish except next to the (at most 3) kinks, 2 cells each.
  for (std::size_t c = 0; c < 20; ++c) {
    EXPECT_EQ(f(c, 0), 0.0);
    int bent = 0;
    for (std::size_t r = 1; r + 1 < 50; ++r)
      bent += std::fabs(f(c, r + 1) - 2 * f(c, r) + f(c, r - 1)) > 1e-12;
    EXPECT_LE(bent, 6);
    EXPECT_GE(bent, 1);
  }
}

TEST(Curves, SameSeedSameCurves) {
  for (auto d : {CurveDistribution::kPaper, CurveDistribution::kScript,
                 CurveDistribution::kScriptContinuous, CurveDistribution::kAppendix}) {
    Engine a(3), b(3), c(4);
    xt::xtensor<double, 2> fa, fb, fc;
    sample_curves(d, 30, 3, 7, a, &fa, nullptr);
    sample_curves(d, 30, 3, 7, b, &fb, nullptr);
    sample_curves(d, 30, 3, 7, c, &fc, nullptr);
    EXPECT_EQ(fa, fb);
    EXPECT_NE(fa, fc);
  }
}

TEST(Curves, NamesRoundTripAndBadInputsThrow) {
  for (auto d : {CurveDistribution::kPaper, CurveDistribution::kScript,
                 CurveDistribution::kScriptContinuous, CurveDistribution::kAppendix})
    EXPECT_EQ(parse_curve_distribution(to_string(d)), d);
  EXPECT_EQ(to_string(CurveDistribution::kAppendix), "appendix");
  EXPECT_THROW(parse_curve_distribution("Paper"), std::invalid_argument);
  Engine rng(1);
  xt::xtensor<double, 2> f;
  EXPECT_THROW(sample_curves(CurveDistribution::kPaper, 2, 3, 1, rng, &f, nullptr),
               std::invalid_argument);
  EXPECT_THROW(sample_curves(CurveDistribution::kAppendix, 2, 3, 1, rng, &f, nullptr),
               std::invalid_argument);
  EXPECT_THROW(sample_curves(CurveDistribution::kAppendix, 5, 0, 1, rng, &f, nullptr),
               std::invalid_argument);
  EXPECT_THROW(sample_curves(CurveDistribution::kScript, 8, 3, 1, rng, &f, nullptr),
               std::invalid_argument);
  EXPECT_THROW(sample_curves(CurveDistribution::kScript, 20, 2, 1, rng, &f, nullptr),
               std::invalid_argument);
  EXPECT_THROW(curve_matrix_W(0), std::invalid_argument);
}

}  // namespace
}  // namespace fgbdl
