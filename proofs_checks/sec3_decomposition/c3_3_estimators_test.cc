// C3.3 (paper Section 3.2, equations 2 and 3; paper/sec3_decomposition.md C3.3): the two
// gradient estimators of the "stocks" problem (experiments/sec3_decomposition/
// stocks_model.h).
//
// Setting: N_w(x) = softmax(A x + b), x = e_j, labels y(j), z in {±1}^k with
// z_y = 1 and the other signs uniform; L(w) = E[-z^T N_w(x)] =
// -(1/d) sum_j N_w(e_j)_y(j). With G_i = grad_w N_w(x)_i (over all of
// w = (A, b)):
//   end-to-end     g_e2e(x, z) = -sum_i z_i G_i      (gradient of -z^T N_w(x))
//   decomposition  g_dec(x)    = -G_y(x)             (gradient of -e_y^T N_w(x))
// Claims: (a) both are unbiased for grad L; (b) E||g_e2e||^2 =
// E_x sum_i ||G_i||^2 and E||g_dec||^2 = E_x ||G_y(x)||^2; (c) at a random
// initialization the first is about k times the second.
//
// (a) and (b) are exact identities (E[z_i z_l | x] = [i = l], E[z | x] = e_y)
// and are checked exactly: every one of the 2^(k-1) signal vectors is
// enumerated, in float64, for random small k, d, weights and labels, against
// G_i and grad L obtained by central differences of the *forward* model only
// (stocks_output, stocks_objective), never from the estimators' backward code.
//
// (c) What we find (measured below, recorded as the "measured" property):
//   * k = 2: the ratio is exactly 2 at *any* weights (||G_1|| = ||G_2||,
//     since N_1 + N_2 = 1);
//   * for any weights that do not depend on the labels, the ratio averaged
//     over the labels is exactly k: E_y ||G_y||^2 = (1/k) sum_i ||G_i||^2
//     when y is uniform on [k] (so "about k" is a statement about random
//     labels, not only about a near-uniform softmax);
//   * at the E3.2 initialization (the script's: A^T truncated normal with
//     std 1/sqrt(d), b = 0, d = 1000) the softmax is near uniform and the
//     ratio is k to within 0.5% for every k measured (2 .. 2000, 5 seeds);
//   * it is a statement about initialization only: training quickly
//     correlates the weights with the labels, and after 100 decomposition
//     steps at k = 1000 the ratio is ~41, not 1000.
// The claim as paper/sec3_decomposition.md states it ("at a random initialization ... about k
// times larger") holds; the checks below assert it with measured margins and
// the statements above.
#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "experiments/sec3_decomposition/stocks_model.h"
#include "experiments/sec3_decomposition/stocks_training.h"
#include "gtest/gtest.h"
#include "lib/core/rng.h"
#include "lib/data/stocks.h"
#include "rapidcheck.h"
#include "rapidcheck/gtest.h"

namespace fgbdl {
namespace {

using ModelD = StocksModel<double>;

// ---------------------------------------------------------------------------
// Helpers

// A [rows, cols] matrix with entries uniform on the grid {i scale / 10^6},
// |i| <= 10^6 (inside a rapidcheck property).
xt::xtensor<double, 2> gen_matrix(std::size_t rows, std::size_t cols, double scale) {
  constexpr int kSteps = 1000000;
  const auto ints =
      *rc::gen::container<std::vector<int>>(rows * cols, rc::gen::inRange(-kSteps, kSteps + 1));
  xt::xtensor<double, 2> m = xt::xtensor<double, 2>::from_shape({rows, cols});
  for (std::size_t i = 0; i < ints.size(); ++i) m.data()[i] = scale * ints[i] / kSteps;
  return m;
}

// A random small problem and model: k in [2, 10], d in [1, 5], weights in
// [-scale, scale] with scale in {0.1, 1, 3} (near-uniform to peaked softmax).
struct Case {
  StocksProblem p;
  ModelD m;
};
Case gen_case(int max_k = 10, int max_d = 5) {
  const auto k = static_cast<std::size_t>(*rc::gen::resize(100, rc::gen::inRange(2, max_k + 1)));
  const auto d = static_cast<std::size_t>(*rc::gen::resize(100, rc::gen::inRange(1, max_d + 1)));
  const double scale = *rc::gen::element(0.1, 1.0, 3.0);
  Engine rng(*rc::gen::arbitrary<std::uint64_t>());
  Case c{draw_stocks_problem(d, k, rng), {}};
  c.m.W = gen_matrix(d, k, scale);
  c.m.b = xt::flatten(gen_matrix(1, k, scale));
  RC_CLASSIFY(scale == 0.1, "near-uniform softmax");
  RC_CLASSIFY(scale == 3.0, "peaked softmax");
  return c;
}

// The parameter vector w = (W, b) flattened: [d k + k].
std::vector<double> flat(const xt::xtensor<double, 2>& dW, const xt::xtensor<double, 1>& db) {
  std::vector<double> v(dW.begin(), dW.end());
  v.insert(v.end(), db.begin(), db.end());
  return v;
}

double norm2(const std::vector<double>& v) {
  double s = 0;
  for (double x : v) s += x * x;
  return s;
}

double max_abs_diff(const std::vector<double>& a, const std::vector<double>& b) {
  double worst = a.size() == b.size() ? 0.0 : INFINITY;
  for (std::size_t i = 0; i < a.size() && i < b.size(); ++i)
    worst = std::max(worst, std::fabs(a[i] - b[i]));
  return worst;
}

// Central differences of f(m) (a vector of `n_out` values) with respect to
// every entry of w = (W, b): result[o] is the gradient of output o, flattened
// as flat(dW, db). f reads m, which is restored after each entry.
template <class F>
std::vector<std::vector<double>> fd_jacobian(ModelD& m, std::size_t n_out, F f, double h = 1e-5) {
  const std::size_t nw = m.W.size(), n = nw + m.b.size();
  std::vector<std::vector<double>> J(n_out, std::vector<double>(n));
  for (std::size_t i = 0; i < n; ++i) {
    double& w = i < nw ? m.W.data()[i] : m.b.data()[i - nw];
    const double saved = w;
    w = saved + h;
    const std::vector<double> up = f();
    w = saved - h;
    const std::vector<double> down = f();
    w = saved;
    for (std::size_t o = 0; o < n_out; ++o) J[o][i] = (up[o] - down[o]) / (2 * h);
  }
  return J;
}

// The signal vector number `mask` in [0, 2^(k-1)) for label y: z_y = 1 and
// the other k-1 coordinates take the bits of mask (bit set <=> -1).
xt::xtensor<double, 2> signal(std::size_t k, std::size_t y, std::uint64_t mask) {
  xt::xtensor<double, 2> z = xt::ones<double>({std::size_t{1}, k});
  std::size_t bit = 0;
  for (std::size_t l = 0; l < k; ++l) {
    if (l == y) continue;
    if ((mask >> bit++) & 1u) z(0, l) = -1;
  }
  return z;
}

// Closed form of ||G_i||^2 at input x: G_i is nonzero only in row x of W and
// in b, both equal to row i of the softmax Jacobian J = diag(s) - s s^T, so
// ||G_i||^2 = 2 ||J_i||^2 = 2 s_i^2 ((1 - s_i)^2 + sum_{l != i} s_l^2)
//           = 2 s_i^2 (1 - 2 s_i + sum_l s_l^2).
std::vector<double> G_norm2(const ModelD& m, std::size_t x) {
  const std::vector<double> s = stocks_output(m, x);
  double S2 = 0;
  for (double v : s) S2 += v * v;
  std::vector<double> out(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) out[i] = 2 * s[i] * s[i] * (1 - 2 * s[i] + S2);
  return out;
}

// Second moments of the single-sample estimators and ||grad L||^2, exactly
// (closed form above; (b) checks it against the estimators).
struct Moments {
  double e2e = 0;    // E_x sum_i ||G_i||^2
  double dec = 0;    // E_x ||G_y(x)||^2
  double grad2 = 0;  // ||grad L||^2
  double ratio() const { return e2e / dec; }
  // Variances of the single-sample estimators (both have mean grad L).
  double var_ratio() const { return (e2e - grad2) / (dec - grad2); }
};
Moments moments(const ModelD& m, const StocksProblem& p) {
  Moments r;
  const double d = static_cast<double>(p.d);
  std::vector<double> grad_b(p.k, 0.0);  // b part of grad L = -(1/d) sum_x J_y(x)
  double grad_w2 = 0;                     // W part: row x is -J_y(x) / d
  for (std::size_t x = 0; x < p.d; ++x) {
    const std::vector<double> g = G_norm2(m, x);
    const auto y = static_cast<std::size_t>(p.label[x]);
    for (double v : g) r.e2e += v / d;
    r.dec += g[y] / d;
    grad_w2 += g[y] / 2 / (d * d);
    const std::vector<double> s = stocks_output(m, x);
    for (std::size_t l = 0; l < p.k; ++l) grad_b[l] -= s[y] * ((l == y ? 1.0 : 0.0) - s[l]) / d;
  }
  double grad_b2 = 0;
  for (double v : grad_b) grad_b2 += v * v;
  r.grad2 = grad_w2 + grad_b2;
  return r;
}

// ||g||^2 of a single-sample float estimate: its row of dW and db (dW is
// zero elsewhere).
double estimate_norm2(const StocksGradient<float>& g) {
  const std::size_t k = g.db.size();
  double s = 0;
  for (std::size_t l = 0; l < k; ++l) {
    const double w = g.dW(static_cast<std::size_t>(g.rows.at(0)), l), b = g.db(l);
    s += w * w + b * b;
  }
  return s;
}

ModelD to_double(const StocksModel<float>& m) {
  return {xt::cast<double>(m.W), xt::cast<double>(m.b)};
}

// ---------------------------------------------------------------------------
// (a) Unbiasedness

// For one input x, the mean over all 2^(k-1) signals of the end-to-end
// estimator, and the decomposition estimator, both equal the gradient of the
// x-term l_x(w) = E_z[-z^T N_w(x)] = -N_w(x)_y(x). Reference: central
// differences of l_x (h = 1e-5: truncation h^2/6 |l'''| <= ~2e-11, rounding
// ~2^-52/h ~ 2e-11); tolerance 1e-8. The two estimators' means agree to
// rounding (2^(k-1) <= 512 terms of size <= 1/4): tolerance 1e-13.
RC_GTEST_PROP(C3_3, BothEstimatorsAreUnbiasedForTheGradientOfEachInputsTerm, ()) {
  Case c = gen_case();
  const std::size_t x = *rc::gen::inRange<std::size_t>(0, c.p.d);
  const std::size_t k = c.p.k, y = static_cast<std::size_t>(c.p.label[x]);
  const std::vector<std::int32_t> batch = {static_cast<std::int32_t>(x)};
  StocksGradient<double> g;
  std::vector<double> mean;
  const std::uint64_t n_z = std::uint64_t{1} << (k - 1);
  for (std::uint64_t mask = 0; mask < n_z; ++mask) {
    const xt::xtensor<double, 2> z = signal(k, y, mask);
    stocks_estimate(c.m, c.p, batch, &z, StocksEstimator::kEndToEnd, g);
    const std::vector<double> v = flat(g.dW, g.db);
    if (mean.empty()) mean.assign(v.size(), 0.0);
    for (std::size_t i = 0; i < v.size(); ++i) mean[i] += v[i] / static_cast<double>(n_z);
  }
  stocks_estimate<double>(c.m, c.p, batch, nullptr, StocksEstimator::kDecomposition, g);
  const std::vector<double> dec = flat(g.dW, g.db);
  const std::vector<double> truth =
      fd_jacobian(c.m, 1, [&] { return std::vector{stocks_objective_term(c.m, c.p, x)}; })[0];
  RC_ASSERT(max_abs_diff(mean, truth) <= 1e-8);
  RC_ASSERT(max_abs_diff(dec, truth) <= 1e-8);
  RC_ASSERT(max_abs_diff(mean, dec) <= 1e-13);
}

// Averaged also over all d inputs (x uniform), both are unbiased for grad L
// itself, L computed exactly by stocks_objective. Same tolerances.
RC_GTEST_PROP(C3_3, AveragedOverInputsAndSignalsBothEstimatorsEqualTheGradientOfL, ()) {
  Case c = gen_case(8, 4);
  const std::size_t k = c.p.k;
  StocksGradient<double> g;
  std::vector<double> mean_e2e, mean_dec;
  const std::uint64_t n_z = std::uint64_t{1} << (k - 1);
  const double weight = 1.0 / (static_cast<double>(n_z) * static_cast<double>(c.p.d));
  for (std::size_t x = 0; x < c.p.d; ++x) {
    const std::vector<std::int32_t> batch = {static_cast<std::int32_t>(x)};
    const auto y = static_cast<std::size_t>(c.p.label[x]);
    for (std::uint64_t mask = 0; mask < n_z; ++mask) {
      const xt::xtensor<double, 2> z = signal(k, y, mask);
      stocks_estimate(c.m, c.p, batch, &z, StocksEstimator::kEndToEnd, g);
      const std::vector<double> v = flat(g.dW, g.db);
      if (mean_e2e.empty()) mean_e2e.assign(v.size(), 0.0);
      for (std::size_t i = 0; i < v.size(); ++i) mean_e2e[i] += v[i] * weight;
    }
    stocks_estimate<double>(c.m, c.p, batch, nullptr, StocksEstimator::kDecomposition, g);
    const std::vector<double> v = flat(g.dW, g.db);
    if (mean_dec.empty()) mean_dec.assign(v.size(), 0.0);
    for (std::size_t i = 0; i < v.size(); ++i) mean_dec[i] += v[i] / static_cast<double>(c.p.d);
  }
  const std::vector<double> grad_L =
      fd_jacobian(c.m, 1, [&] { return std::vector{stocks_objective(c.m, c.p)}; })[0];
  RC_ASSERT(max_abs_diff(mean_e2e, grad_L) <= 1e-8);
  RC_ASSERT(max_abs_diff(mean_dec, grad_L) <= 1e-8);
}

// ---------------------------------------------------------------------------
// (b) Second moments

// For every input x: the mean over all signals of ||g_e2e(x, z)||^2 equals
// sum_i ||G_i(x)||^2, and ||g_dec(x)||^2 = ||G_y(x)||^2, with G_i from central
// differences of N_w(x)_i; hence also after averaging over x. The closed form
// G_norm2 used in (c) is checked against the same differences. Tolerance:
// each difference quotient is off by <= ~4e-11, a squared norm of <= 110
// entries of size <= 1/4 by <= ~1e-9; 1e-8.
RC_GTEST_PROP(C3_3, SecondMomentsAreSumOfAllGiSquaredVersusGySquared, ()) {
  Case c = gen_case();
  const std::size_t k = c.p.k;
  StocksGradient<double> g;
  double e2e_total = 0, dec_total = 0, sum_G_total = 0, G_y_total = 0;
  const std::uint64_t n_z = std::uint64_t{1} << (k - 1);
  for (std::size_t x = 0; x < c.p.d; ++x) {
    const auto y = static_cast<std::size_t>(c.p.label[x]);
    const std::vector<std::int32_t> batch = {static_cast<std::int32_t>(x)};
    double e2e = 0;
    for (std::uint64_t mask = 0; mask < n_z; ++mask) {
      const xt::xtensor<double, 2> z = signal(k, y, mask);
      stocks_estimate(c.m, c.p, batch, &z, StocksEstimator::kEndToEnd, g);
      e2e += norm2(flat(g.dW, g.db)) / static_cast<double>(n_z);
    }
    stocks_estimate<double>(c.m, c.p, batch, nullptr, StocksEstimator::kDecomposition, g);
    const double dec = norm2(flat(g.dW, g.db));
    const auto G = fd_jacobian(c.m, k, [&] { return stocks_output(c.m, x); });
    const std::vector<double> closed = G_norm2(c.m, x);
    double sum_G = 0;
    for (std::size_t i = 0; i < k; ++i) {
      const double Gi2 = norm2(G[i]);
      RC_ASSERT(std::fabs(Gi2 - closed[i]) <= 1e-8);
      sum_G += Gi2;
    }
    RC_ASSERT(std::fabs(e2e - sum_G) <= 1e-8);
    RC_ASSERT(std::fabs(dec - norm2(G[y])) <= 1e-8);
    e2e_total += e2e;
    dec_total += dec;
    sum_G_total += sum_G;
    G_y_total += norm2(G[y]);
  }
  const double d = static_cast<double>(c.p.d);
  RC_ASSERT(std::fabs(e2e_total / d - sum_G_total / d) <= 1e-8);
  RC_ASSERT(std::fabs(dec_total / d - G_y_total / d) <= 1e-8);
  const Moments mo = moments(c.m, c.p);
  RC_ASSERT(std::fabs(mo.e2e - sum_G_total / d) <= 1e-8);
  RC_ASSERT(std::fabs(mo.dec - G_y_total / d) <= 1e-8);
}

// ---------------------------------------------------------------------------
// (c) The ratio

// k = 2: N_1 = 1 - N_2, so G_1 = -G_2 and the ratio is exactly 2 at any
// weights, even peaked ones (a single quotient of equal sums: relative 1e-12).
RC_GTEST_PROP(C3_3, ForTwoOutputsTheRatioIsExactlyTwoAtAnyWeights, ()) {
  Case c = gen_case(2, 5);
  const Moments mo = moments(c.m, c.p);
  RC_PRE(mo.dec > 0.0);
  RC_ASSERT(std::fabs(mo.ratio() - 2.0) <= 2e-12);
}

// For any weights, the decomposition second moment averaged over all k^d
// labelings is exactly the end-to-end one divided by k: with y(x) uniform on
// [k], E_y ||G_y(x)||^2 = (1/k) sum_i ||G_i(x)||^2. (The end-to-end second
// moment does not depend on the labels.) Sums of <= 4^3 = 64 terms: 1e-12
// relative.
RC_GTEST_PROP(C3_3, AveragedOverRandomLabelsTheRatioIsExactlyK, ()) {
  Case c = gen_case(4, 3);
  const std::size_t k = c.p.k, d = c.p.d;
  std::size_t labelings = 1;
  for (std::size_t x = 0; x < d; ++x) labelings *= k;
  double dec_mean = 0, e2e = 0;
  for (std::size_t code = 0; code < labelings; ++code) {
    std::size_t rest = code;
    for (std::size_t x = 0; x < d; ++x, rest /= k)
      c.p.label[x] = static_cast<std::int32_t>(rest % k);
    const Moments mo = moments(c.m, c.p);
    dec_mean += mo.dec / static_cast<double>(labelings);
    e2e = mo.e2e;
  }
  RC_ASSERT(std::fabs(e2e / dec_mean - static_cast<double>(k)) <= 1e-12 * k);
}

// At the E3.2 initialization (same code, same seeds as the experiment:
// StocksTrainer, d = 1000), the second-moment ratio and the variance ratio
// are k to within 1%. Measured (seeds 1..5, also k = 2000):
//   |ratio / k - 1| <= 0.0045, |variance ratio / k - 1| <= 0.0055;
//   on the asserted seeds 1..3 and k in {2, 10, 100, 1000} at most 0.0036.
// ||grad L||^2 is ~0.1% of the decomposition second moment (~1/d), so the
// variance ratio and the second-moment ratio nearly coincide.
// The tolerance 0.01 leaves a margin of ~2.8x.
// The exact moments are then confirmed on the float estimators that train
// (stocks_estimate<float>) by Monte Carlo over 2000 sampled (x, z) per k
// (seed 1). Null hypothesis: the sample mean of ||g||^2 estimates the exact
// second moment; allowed: 6 standard errors of that mean, computed from the
// samples (normal tail 2e-9 per check; a fixed seed, so deterministic). The
// standard error is large only at k = 2, where ||g_e2e||^2 is 0 or
// 4 ||G_1||^2 with probability 1/2 each (relative se 1/sqrt(2000) = 2.2%);
// for k >= 10 it is below 0.4%.
TEST(C3_3, AtTheExperimentsInitializationTheEndToEndVarianceIsKTimesLarger) {
  std::string measured;
  for (const std::int64_t k : {2, 10, 100, 1000}) {
    for (const std::uint64_t seed : {1u, 2u, 3u}) {
      StocksSettings s;
      s.k = k;
      const StocksTrainer init(s, seed);
      const Moments mo = moments(to_double(init.model()), init.problem());
      const double kd = static_cast<double>(k);
      EXPECT_NEAR(mo.ratio() / kd, 1.0, 0.01) << "k=" << k << " seed=" << seed;
      EXPECT_NEAR(mo.var_ratio() / kd, 1.0, 0.01) << "k=" << k << " seed=" << seed;
      if (k == 2) {
        EXPECT_NEAR(mo.ratio(), 2.0, 1e-12);
      }
      absl::StrAppendFormat(&measured, "k=%d seed=%d: ratio %.5g (ratio/k %.4f, variance ratio/k %.4f); ",
                            k, seed, mo.ratio(), mo.ratio() / kd, mo.var_ratio() / kd);

      if (seed == 1) {
        // Monte Carlo with the training code (float): 2000 samples.
        Engine rng = derive_engine(seed, 999);
        StocksGradient<float> g;
        std::vector<std::int32_t> j;
        Matrix z;
        const int n = 2000;
        double e2e = 0, e2e_sq = 0, dec = 0, dec_sq = 0;
        for (int t = 0; t < n; ++t) {
          sample_stocks_inputs(init.problem(), 1, rng, j);
          sample_stocks_signals(init.problem(), j, rng, z);
          stocks_estimate(init.model(), init.problem(), j, &z, StocksEstimator::kEndToEnd, g);
          const double a = estimate_norm2(g);
          stocks_estimate<float>(init.model(), init.problem(), j, nullptr,
                                 StocksEstimator::kDecomposition, g);
          const double b = estimate_norm2(g);
          e2e += a / n;
          e2e_sq += a * a / n;
          dec += b / n;
          dec_sq += b * b / n;
        }
        const double se_e2e = std::sqrt((e2e_sq - e2e * e2e) / (n - 1));
        const double se_dec = std::sqrt((dec_sq - dec * dec) / (n - 1));
        EXPECT_LE(std::fabs(e2e - mo.e2e), 6 * se_e2e) << "k=" << k;
        EXPECT_LE(std::fabs(dec - mo.dec), 6 * se_dec) << "k=" << k;
        absl::StrAppendFormat(&measured,
                              "Monte Carlo / exact: e2e %.4f (%.1f se), dec %.4f (%.1f se); ",
                              e2e / mo.e2e, (e2e - mo.e2e) / se_e2e, dec / mo.dec,
                              (dec - mo.dec) / se_dec);
      }
    }
  }
  RecordProperty("measured", measured);
}

// The k-fold gap is a property of the initialization, where the weights know
// nothing of the labels. Training correlates them: at k = 1000, after only
// 100 decomposition steps (objective still ~ -0.012), the ratio is ~41
// (measured: 41.5, seed 1; 20.6 after 300 steps, 1.01 after 2500). We
// assert ratio < k / 10 after 100 steps (4x margin).
TEST(C3_3, TheRatioIsNotKOnceTrainingHasStarted) {
  StocksSettings s;
  s.k = 1000;
  s.estimator = StocksEstimator::kDecomposition;
  StocksTrainer t(s, 1);
  const double at_init = moments(to_double(t.model()), t.problem()).ratio();
  for (int i = 0; i < 100; ++i) t.step();
  const double after = moments(to_double(t.model()), t.problem()).ratio();
  EXPECT_NEAR(at_init / 1000, 1.0, 0.01);
  EXPECT_LT(after, 100.0);
  RecordProperty("measured", absl::StrFormat("k=1000 seed=1: ratio %.4g at init, %.4g after 100 "
                                             "decomposition steps (objective %.4f)",
                                             at_init, after, t.objective()));
}

}  // namespace
}  // namespace fgbdl
