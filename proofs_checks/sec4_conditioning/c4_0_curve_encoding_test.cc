// C4.0 (paper Section 4.1; paper/sec4_conditioning.md C4.0): a piecewise-linear curve is a
// linear function of its encoding: f = W p with W_ij = [i - j + 1]_+
// (1-based), p_j = sum_i a_i 1[theta_i = j - 1].
//
// Grid. The identity holds when the curve f(x) = sum_i a_i [x - theta_i]_+
// is sampled at x = 1, .., n (the paper's [n]) with kinks theta in
// {0, .., n-1}: row i of W p is sum_j [i - j + 1]_+ p_j = sum_i a_i [i -
// theta_i]_+. Sampled at x = 0, .., n-1 (a 0-based reading) the same
// curve is W p shifted by one sample, f(x) = (W p)_x with x 0-based and
// (W p)_0 = sum of the a_i with theta_i = 0: not equal to W p. The
// authors' script builds f = p W^T, i.e. the x = 1..n grid. The package
// samples at x = 1..n (lib/data/curves.h); the shifted grid is checked
// below to differ, so the convention is pinned down by a test.
//
// Exactness: f and W p are sums of k products a_i * (integer <= n); the
// residual is rounding only, bounded by 1e-13 n here.
#include <algorithm>
#include <cmath>
#include <string>
#include <xtensor-blas/xlinalg.hpp>

#include "absl/strings/str_format.h"
#include "gtest/gtest.h"
#include "lib/core/rng.h"
#include "lib/data/curves.h"
#include "rapidcheck.h"
#include "rapidcheck/gtest.h"

namespace fgbdl {
namespace {

double max_abs(const xt::xtensor<double, 2>& a) {
  double m = 0.0;
  for (const double v : a) m = std::max(m, std::fabs(v));
  return m;
}

RC_GTEST_PROP(C4_0, EveryPiecewiseLinearCurveIsWTimesItsEncoding, (std::uint64_t seed)) {
  const bool script = *rc::gen::arbitrary<bool>();
  const int n = *rc::gen::inRange(script ? 9 : 1, 301);
  const int k = script ? 3 : *rc::gen::inRange(1, std::min(n, 10) + 1);
  RC_CLASSIFY(script, "script curves (k = 3, slopes from 4 patterns)");
  RC_CLASSIFY(!script, "paper curves (theta uniform, a ~ U[-1,1])");
  RC_CLASSIFY(n >= 100, "n >= 100");
  Engine rng(seed);
  xt::xtensor<double, 2> f, p;
  sample_curves(script ? CurveDistribution::kScript : CurveDistribution::kPaper, n, k, 4, rng, &f,
                &p);
  const xt::xtensor<double, 2> Wp =
      xt::transpose(xt::linalg::dot(curve_matrix_W(n), xt::transpose(p)));
  RC_ASSERT(max_abs(Wp - f) <= 1e-13 * n * (1.0 + max_abs(p)));
}

// The hypothesis "p encodes a curve with k kinks" is not needed: W p for an
// arbitrary p is the curve with a kink of size p_j at every theta = j - 1,
// i.e. sum_j p_j [x - (j - 1)]_+ on x = 1..n, computed here from that
// formula without W.
RC_GTEST_PROP(C4_0, WTimesAnyVectorIsTheCurveWithThoseSlopeChanges, (std::uint64_t seed)) {
  const int n = *rc::gen::inRange(1, 120);
  Engine rng(seed);
  xt::xtensor<double, 1> p = xt::empty<double>({static_cast<std::size_t>(n)});
  for (auto& v : p) v = normal(rng);
  const xt::xtensor<double, 1> Wp = xt::linalg::dot(curve_matrix_W(n), p);
  for (int x = 1; x <= n; ++x) {
    double f = 0.0;
    for (int j = 1; j <= n; ++j) f += p(static_cast<std::size_t>(j - 1)) * std::max(x - (j - 1), 0);
    RC_ASSERT(std::fabs(f - Wp(static_cast<std::size_t>(x - 1))) <= 1e-12 * n * n);
  }
}

// The grid convention matters: on x = 0..n-1 the paper's curve is not W p.
// Hand example n = 5, one kink theta = 1, a = 1: on x = 1..5 the curve is
// [x - 1]_+ = 0, 1, 2, 3, 4 = W e_2; on x = 0..4 it is 0, 0, 1, 2, 3.
TEST(C4_0, TheIdentityNeedsTheGridXFromOneToN) {
  xt::xtensor<double, 1> p = xt::zeros<double>({5});
  p(1) = 1.0;
  const xt::xtensor<double, 1> Wp = xt::linalg::dot(curve_matrix_W(5), p);
  const xt::xtensor<double, 1> on_1_to_n = {0, 1, 2, 3, 4};
  const xt::xtensor<double, 1> on_0_to_n_minus_1 = {0, 0, 1, 2, 3};
  EXPECT_EQ(Wp, on_1_to_n);
  EXPECT_NE(Wp, on_0_to_n_minus_1);
  // Over random paper curves (n = 100, k = 3), sampling at x = 0..n-1
  // instead leaves a residual of the size of the slopes.
  Engine rng(7);
  xt::xtensor<double, 2> f, P;
  sample_curves(CurveDistribution::kPaper, 100, 3, 200, rng, &f, &P);
  double worst_shifted = 0.0, worst = 0.0;
  const auto W = curve_matrix_W(100);
  const xt::xtensor<double, 2> WP = xt::transpose(xt::linalg::dot(W, xt::transpose(P)));
  for (std::size_t c = 0; c < 200; ++c) {
    for (std::size_t r = 0; r < 100; ++r) {
      double shifted = 0.0;  // sum_i a_i [r - theta_i]_+ (x = r, 0-based grid)
      for (std::size_t j = 0; j < 100; ++j)
        shifted += P(c, j) * std::max(static_cast<double>(r) - static_cast<double>(j), 0.0);
      worst_shifted = std::max(worst_shifted, std::fabs(shifted - WP(c, r)));
      worst = std::max(worst, std::fabs(f(c, r) - WP(c, r)));
    }
  }
  EXPECT_LE(worst, 1e-11);
  EXPECT_GE(worst_shifted, 0.1);
  RecordProperty("measured",
                 absl::StrFormat("n=100, 200 paper curves: max |f - W p| = %.2g on x = 1..n; "
                                 "%.3g if sampled on x = 0..n-1",
                                 worst, worst_shifted));
}

}  // namespace
}  // namespace fgbdl
