// A5 (paper Appendix A.5; paper/sec4_conditioning.md A5): gradient descent on linear
// regression, min_w E (x^T w - y)^2 / 2 with C = E x x^T = V D V^T
// (D_11 >= .. >= D_nn > 0), realizable by w* (y = x^T w*). The gradient is
// C (w - w*), so GD from w_0 = 0 with step eta has
//   w* - w_{t+1} = (I - eta C)^{t+1} w*, hence exactly
//   ||w* - w_{t+1}||^2 = sum_j (1 - eta D_jj)^{2(t+1)} (V^T w*)_j^2.
// Consequences (kappa = D_11 / D_nn):
//   enough:     eta = 1 / D_11 and t + 1 >= kappa log(||w*|| / eps) give
//               ||w* - w_{t+1}|| <= eps;
//   not enough: for eta <= 1 / D_11 and t + 1 <= kappa / 2,
//               ||w* - w_{t+1}|| >= |(V^T w*)_n| / 2 (half of w*'s component
//               along the flattest direction is still missing); for any
//               convergent step eta < 2 / D_11 the same holds for
//               t + 1 <= kappa / 4.
// Checked in float64 against GD iterated on random spectra (kappa up to
// 1e4), eigenvectors and w*. All hold.
#include <algorithm>
#include <cmath>
#include <tuple>
#include <vector>
#include <xtensor-blas/xlinalg.hpp>

#include "absl/strings/str_format.h"
#include "gtest/gtest.h"
#include "lib/core/rng.h"
#include "rapidcheck.h"
#include "rapidcheck/gtest.h"

namespace fgbdl {
namespace {

using MatrixD2 = xt::xtensor<double, 2>;
using VectorD1 = xt::xtensor<double, 1>;

// A random problem: V orthonormal (eigenvectors of a random symmetric
// matrix), D log-uniform in [1/kappa, 1] with D_11 = 1 and D_nn = 1/kappa
// exactly, w* standard normal.
struct Problem {
  MatrixD2 C, V;
  VectorD1 D, w_star;
  double kappa = 1;
};

Problem random_problem(int d, double kappa, Engine& rng) {
  Problem p;
  const auto dd = static_cast<std::size_t>(d);
  MatrixD2 A = xt::empty<double>({dd, dd});
  for (auto& v : A) v = normal(rng);
  p.V = std::get<1>(xt::linalg::eigh(MatrixD2(A + xt::transpose(A))));
  p.D = xt::empty<double>({dd});
  for (std::size_t j = 0; j < dd; ++j)
    p.D(j) = j == 0 ? 1.0 : j + 1 == dd ? 1.0 / kappa : std::exp(-uniform01(rng) * std::log(kappa));
  std::sort(p.D.begin(), p.D.end(), std::greater<double>());
  p.C = xt::zeros<double>({dd, dd});
  for (std::size_t j = 0; j < dd; ++j)
    for (std::size_t a = 0; a < dd; ++a)
      for (std::size_t b = 0; b < dd; ++b) p.C(a, b) += p.V(a, j) * p.D(j) * p.V(b, j);
  p.w_star = xt::empty<double>({dd});
  for (auto& v : p.w_star) v = normal(rng);
  p.kappa = kappa;
  return p;
}

// ||w* - w_T|| after T steps of GD from 0.
double gd_error(const Problem& p, double eta, std::int64_t T) {
  VectorD1 w = xt::zeros<double>(p.w_star.shape());
  for (std::int64_t t = 0; t < T; ++t) {
    const VectorD1 g = xt::linalg::dot(p.C, VectorD1(w - p.w_star));
    w -= eta * g;
  }
  return std::sqrt(xt::sum((p.w_star - w) * (p.w_star - w))());
}

// sqrt(sum_j (1 - eta D_jj)^{2T} (V^T w*)_j^2).
double formula_error(const Problem& p, double eta, std::int64_t T) {
  const VectorD1 c = xt::linalg::dot(xt::transpose(p.V), p.w_star);
  double s = 0.0;
  for (std::size_t j = 0; j < c.size(); ++j)
    s += std::pow(1.0 - eta * p.D(j), 2.0 * static_cast<double>(T)) * c(j) * c(j);
  return std::sqrt(s);
}

RC_GTEST_PROP(A5, GdErrorOnLinearRegressionIsExactlyTheSpectralSum, (std::uint64_t seed)) {
  const int d = *rc::gen::inRange(1, 31);
  const int T = *rc::gen::inRange(0, 400);
  Engine rng(seed);
  const double kappa = d == 1 ? 1.0 : std::exp(uniform(rng, 0.0, std::log(1e4)));
  const Problem p = random_problem(d, kappa, rng);
  const double eta = uniform(rng, 0.01, 1.99);  // D_11 = 1: the convergent range
  RC_CLASSIFY(eta > 1.0, "eta in (1/D_11, 2/D_11)");
  const double norm_w = std::sqrt(xt::sum(p.w_star * p.w_star)());
  // Rounding: each step adds ~eps ||w*|| (||I - eta C|| <= 1); measured
  // max |gd - formula| / ((T + 1) ||w*||) = 5.2e-17; tolerance 1e-15, a 19x margin.
  RC_ASSERT(std::fabs(gd_error(p, eta, T) - formula_error(p, eta, T)) <= 1e-15 * (T + 1) * norm_w);
}

RC_GTEST_PROP(A5, KappaLogNormOverEpsIterationsAreEnough, (std::uint64_t seed)) {
  const int d = *rc::gen::inRange(2, 21);
  Engine rng(seed);
  const double kappa = std::exp(uniform(rng, 0.0, std::log(300.0)));
  const Problem p = random_problem(d, kappa, rng);
  const double norm_w = std::sqrt(xt::sum(p.w_star * p.w_star)());
  const double eps = norm_w * std::exp(uniform(rng, std::log(1e-6), std::log(0.5)));
  const auto T = static_cast<std::int64_t>(std::ceil(kappa * std::log(norm_w / eps)));
  RC_ASSERT(gd_error(p, 1.0 / p.D(0), T) <= eps);
}

RC_GTEST_PROP(A5, FewerThanHalfKappaIterationsAreNotEnough, (std::uint64_t seed)) {
  const int d = *rc::gen::inRange(2, 21);
  Engine rng(seed);
  const double kappa = std::exp(uniform(rng, std::log(4.0), std::log(1e4)));
  const Problem p = random_problem(d, kappa, rng);
  const bool small_step = *rc::gen::arbitrary<bool>();
  RC_CLASSIFY(small_step, "eta <= 1/D_11, t+1 <= kappa/2");
  RC_CLASSIFY(!small_step, "eta < 2/D_11, t+1 <= kappa/4");
  const double eta = small_step ? uniform(rng, 0.01, 1.0) : uniform(rng, 1.0, 1.999);
  const double limit = small_step ? kappa / 2 : kappa / 4;
  const auto T = static_cast<std::int64_t>(
      1 + uniform_index(rng, static_cast<std::uint64_t>(std::max(1.0, std::floor(limit)))));
  RC_PRE(static_cast<double>(T) <= limit);
  const VectorD1 c = xt::linalg::dot(xt::transpose(p.V), p.w_star);
  const double flat = std::fabs(c(c.size() - 1));
  RC_ASSERT(gd_error(p, eta, T) >= 0.5 * flat * (1 - 1e-12));
}

// The two counts on one example: kappa = 1000, w* along the flattest
// direction, eps = 1e-3 ||w*||, eta = 1/D_11. The exact first t + 1 with
// error <= eps is log(1e-3) / log(1 - 1/kappa) = 6904.3 -> 6905; the bounds
// say enough at kappa log(1e3) = 6908 and not enough below 500.
TEST(A5, IterationCountsOnAnIllConditionedExample) {
  Engine rng(11);
  Problem p = random_problem(10, 1000.0, rng);
  for (std::size_t a = 0; a < 10; ++a) p.w_star(a) = p.V(a, 9);  // unit norm, along v_n
  std::int64_t first = -1;
  for (std::int64_t T = 1; T <= 20000 && first < 0; ++T)
    if (formula_error(p, 1.0, T) <= 1e-3) first = T;
  EXPECT_EQ(first, 6905);
  EXPECT_LE(gd_error(p, 1.0, 6908), 1e-3);
  EXPECT_GT(gd_error(p, 1.0, 6904), 1e-3);
  EXPECT_GE(gd_error(p, 1.0, 500), 0.5);
  RecordProperty("measured",
                 absl::StrFormat("kappa=1000, w* along v_n, eps=1e-3: first sufficient t+1 = %lld "
                                 "(bound kappa log(1/eps) = 6908); error after 500 = kappa/2 steps "
                                 "%.3f >= 0.5",
                                 static_cast<long long>(first), gd_error(p, 1.0, 500)));
}

}  // namespace
}  // namespace fgbdl
