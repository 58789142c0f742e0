// T2 (paper Theorem 2, Section 2, after Shamir 2016; paper/sec2_parity.md T2): for
// targets h_v(x) = cos(<v, x>), ||v|| = r, x ~ N(0, I_d), the square loss and
// any predictor, Var(H, F, w) <= O(exp(-Omega(d)) + exp(-Omega(r))).
//
// Checked at a seeded random initialization of the small two-layer ReLU
// network p(x) = a · relu(W^T x + b) + c (width 16, lib/nn's init, b = 0):
//   * the split-sample Monte Carlo variance (the estimator of the
//     t2_linear_periodic experiment, reduced scale) agrees with the exact
//     value (lib/analysis linear_periodic_variance_exact, quadrature of a
//     closed form), and over the radii past the peak where it is resolved
//     (variance > 3 se) its fitted log2-rate per unit r is negative with a
//     95% CI excluding 0;
//   * FINDING (the exact value, far beyond Monte Carlo resolution): at a
//     fixed d the decay in r is NOT exponential. Past a Gaussian-fast bulk
//     regime, Var ~ C(d) r^-(d+1): the ReLU kinks make c_v = E[cos(<v,x>) g(x)]
//     decay only like 1/<v, u_j> along each hidden unit's direction u_j, and
//     v lands within O(1/r) of +-u_j with probability ~ r^-(d-1). This is
//     consistent with the theorem, whose exp(-Omega(d)) term does not vanish
//     as r grows; at fixed r the tail decays exponentially in d;
//   * SGD on y = cos(<v*, x>) stays at the trivial loss (the best constant)
//     for r = 5, d = 10, while the same pipeline learns at r = 1.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

#include "experiments/sec2_parity/t2_linear_periodic_lib.h"
#include "gtest/gtest.h"
#include "lib/analysis/fit.h"
#include "lib/analysis/gradient_variance.h"
#include "lib/core/rng.h"
#include "lib/io/results.h"

namespace fgbdl {
namespace {

constexpr std::size_t kWidth = 16;
constexpr std::uint64_t kSeed = 1;

TEST(T2, TrivialLossIsHalfTheVarianceOfCos) {
  // Closed form (t2_linear_periodic_lib.h): Var(cos Z) / 2 with Z ~ N(0, r^2)
  // is (1/2)(1/2 + e^{-2r^2}/2 - e^{-r^2}); limits 0 at r = 0 and 1/4 as r -> inf.
  EXPECT_EQ(t2_trivial_loss(0.0), 0.0);
  EXPECT_NEAR(t2_trivial_loss(10.0), 0.25, 1e-15);
  // Against sampling: n = 1e6 draws of Z. Null hypothesis: the closed form
  // is the expectation, so the sample estimate is within 5 se (P = 6e-7 per
  // radius; fixed seed).
  Engine rng = derive_engine(30, 0);
  for (const double r : {0.3, 1.0, 2.0}) {
    const int n = 1000000;
    std::vector<double> y(n);
    double mean = 0.0, m2 = 0.0;
    for (int i = 0; i < n; ++i) {
      y[i] = std::cos(r * normal(rng));
      mean += y[i] / n;
      m2 += y[i] * y[i] / n;
    }
    const double half_var = 0.5 * (m2 - mean * mean);
    // se by the delta method: half_var moves by (1/2)(d m2 - 2 mean d mean),
    // so se = (1/2) sd(y^2 - 2 mean y) / sqrt(n).
    double wm = 0.0, wv = 0.0;
    for (int i = 0; i < n; ++i) wm += (y[i] * y[i] - 2 * mean * y[i]) / n;
    for (int i = 0; i < n; ++i) {
      const double e = y[i] * y[i] - 2 * mean * y[i] - wm;
      wv += e * e / (n - 1);
    }
    const double se = 0.5 * std::sqrt(wv / n);
    EXPECT_NEAR(half_var, t2_trivial_loss(r), 5 * se) << "r = " << r;
    std::printf("r = %.1f: trivial loss closed form %.6f, sampled %.6f ± %.1g\n", r,
                t2_trivial_loss(r), half_var, se);
  }
}

TEST(T2, GradientVarianceDecaysInRadiusOverTheResolvedRange) {
  // The headline check: the experiment's estimator at reduced scale (the
  // binary's quick profile uses 50 directions and 4000 inputs per half).
  T2VarianceSettings s;
  s.width = kWidth;
  s.batches = 20;
  s.directions = 40;
  s.samples_per_half = 3000;
  const std::vector<double> rs = {2.0, 2.25, 2.5, 2.75, 3.0, 3.25, 3.5, 3.75, 4.0};
  std::string measured;
  for (const int d : {5, 10}) {
    const auto curve = t2_variance_curve(d, rs, s, kSeed);
    const TwoLayerNet net = t2_net(d, kWidth, kSeed);
    // Every estimate agrees with the exact value. Null hypothesis: the
    // estimator is unbiased with an honest se from 20 i.i.d. replicates, so
    // |z| > 4 has probability P(|t_19| > 4) = 7.6e-4 per point, about 1.4%
    // for the 18 points of one run (the fixed seed makes it deterministic).
    // Measured over seeds 1..25, both d, 450 points: max |z| = 3.25.
    for (const auto& pt : curve) {
      const double exact = linear_periodic_variance_exact(net, pt.r);
      EXPECT_LT(std::fabs(pt.mc.variance - exact), 4.0 * pt.mc.se)
          << "d=" << d << " r=" << pt.r << " estimate " << pt.mc.variance << " ± " << pt.mc.se
          << " exact " << exact;
    }
    const auto window = t2_decay_window(curve);
    ASSERT_GE(window.size(), 3u) << "d=" << d;
    const LineFit fit = t2_fit_rate(window);
    // The variance decays: fitted log2-rate per unit r negative, CI below 0.
    // Flake budget: fixed seed, so deterministic; over seeds 1..25 (50
    // curves) the CI excluded 0 every time (measured with these settings).
    EXPECT_LT(fit.ci_high, 0.0) << "d=" << d << ": " << fit.to_string();
    // The same rate from the exact values at the same radii (unweighted).
    std::vector<double> r_exact, v_exact;
    for (const auto& pt : window) {
      r_exact.push_back(pt.r);
      v_exact.push_back(linear_periodic_variance_exact(net, pt.r));
    }
    const LineFit fit_exact = fit_log2_line(r_exact, v_exact);
    std::printf("d=%d: %zu resolved radii in [%.2f, %.2f]; Monte Carlo log2-rate per unit r %s; "
                "exact values at the same radii %s\n",
                d, window.size(), window.front().r, window.back().r, fit.to_string().c_str(),
                fit_exact.to_string().c_str());
    char buf[400];
    std::snprintf(buf, sizeof buf,
                  "d=%d: log2 Var rate per unit r over %zu resolved radii in [%.2f, %.2f] = %s "
                  "(exact values at the same radii: %s)",
                  d, window.size(), window.front().r, window.back().r, fit.to_string().c_str(),
                  fit_exact.to_string().c_str());
    measured += (measured.empty() ? "" : "; ") + std::string(buf);
  }
  RecordProperty("measured", measured);
}

TEST(T2, ExactVarianceTailIsPolynomialInRadiusAtFixedD) {
  // Counterexample to "the decay in r is exponential" at a fixed d (see the
  // file comment): the exact variance over r = 16 .. 64 follows r^-(d+1).
  // MEASURED slopes of log2 Var against log2 r over r = 16..64: d=2: -3.059,
  // d=3: -4.045, d=5: -6.028, d=10: -11.053, d=20: -21.053 (the asymptotic
  // exponent -(d+1) up to lower-order terms, which shrink as r grows); the
  // log2-rate per unit r halves from [16, 32] to [32, 64] (ratio 0.49..0.50).
  const std::vector<double> rs = {16.0, 16.0 * M_SQRT2, 32.0, 32.0 * M_SQRT2, 64.0};
  std::string measured;
  for (const int d : {2, 3, 5, 10, 20}) {
    const TwoLayerNet net = t2_net(d, kWidth, kSeed);
    std::vector<double> log_r, var;
    for (const double r : rs) {
      log_r.push_back(std::log2(r));
      var.push_back(linear_periodic_variance_exact(net, r));
    }
    const LineFit power = fit_log2_line(log_r, var);
    EXPECT_NEAR(power.rate, -(d + 1.0), 0.1) << "d=" << d << ": " << power.to_string();
    // An exponential e^{-c r} would have the same log2-rate per unit r on
    // [16, 32] and on [32, 64]; a power law halves it.
    const double rate_low = std::log2(var[2] / var[0]) / 16.0;
    const double rate_high = std::log2(var[4] / var[2]) / 32.0;
    EXPECT_NEAR(rate_high / rate_low, 0.5, 0.1) << "d=" << d;
    char buf[160];
    std::snprintf(buf, sizeof buf, "d=%d: log2 Var vs log2 r slope %.3f, rate per unit r %.3f -> %.3f",
                  d, power.rate, rate_low, rate_high);
    std::printf("%s\n", buf);
    measured += (measured.empty() ? "" : "; ") + std::string(buf);
  }
  RecordProperty("measured_tail", measured);
}

TEST(T2, ExactVarianceDecaysExponentiallyInDAtFixedRadius) {
  // The exp(-Omega(d)) part of the theorem, at r = 16 (the tail regime).
  // MEASURED: log2 Var = -15.9, -19.8, -25.6, -42.6, -66.4, -106.9 at
  // d = 2, 3, 5, 10, 20, 40; fitted log2-rate per unit d -2.38 [-2.71, -2.05].
  std::vector<double> ds, var;
  for (const int d : {2, 3, 5, 10, 20, 40}) {
    ds.push_back(d);
    var.push_back(linear_periodic_variance_exact(t2_net(d, kWidth, kSeed), 16.0));
  }
  const LineFit fit = fit_log2_line(ds, var);
  std::printf("r=16: log2 Var rate per unit d %s\n", fit.to_string().c_str());
  EXPECT_LT(fit.ci_high, 0.0) << fit.to_string();
  RecordProperty("measured_d", "r=16, d=2..40: log2 Var rate per unit d " + fit.to_string());
}

TEST(T2, SgdStaysAtTheTrivialLossForLargeRadius) {
  T2TrainSettings s;
  s.d = 10;
  s.width = kWidth;
  s.steps = 20000;
  s.eval_every = 2000;
  s.eval_samples = 10000;
  // r = 5: trivial loss 0.25 (to 1e-11). The held-out loss is a mean over
  // 10000 fixed samples, whose own trivial loss differs from the closed form
  // by about sd((y - m)^2 / 2) / sqrt(10000) ~ 0.0018; the margin 0.01 (4% of
  // the trivial loss, ~5.6 of those sd) would catch any network that learned
  // 4% of the target's variance. MEASURED: max |loss - trivial| over steps
  // 2000..20000 = 1.1e-4 (and over 200000 steps at r = 4 and 5: 4.9e-4).
  // Flake budget: fixed seed, so deterministic; over seeds 1..10 the largest
  // |loss - trivial| after step 2000 was 0.0038 and the control's largest
  // final-loss ratio 0.031, so no seed of the ten would fail.
  s.r = 5.0;
  RunStatus status;
  const Table run = t2_train(s, kSeed, status);
  ASSERT_FALSE(status.diverged);
  const double trivial = t2_trivial_loss(s.r);
  EXPECT_GT(run.rows().front()[1], trivial + 0.01);  // the untrained network is worse
  double max_dev = 0.0;
  for (const auto& row : run.rows()) {
    EXPECT_EQ(row[2], trivial);
    if (row[0] >= 2000) max_dev = std::max(max_dev, std::fabs(row[1] - trivial));
  }
  EXPECT_LT(max_dev, 0.01);
  const double final_loss = run.rows().back()[1];

  // Control: the same network, SGD and data at r = 1 (trivial loss 0.0999)
  // learns the target. MEASURED final loss 0.00193 (0.019 x trivial; at
  // most 0.031 x trivial over seeds 1..10).
  T2TrainSettings c = s;
  c.r = 1.0;
  RunStatus control_status;
  const Table control = t2_train(c, kSeed, control_status);
  const double control_ratio = control.rows().back()[1] / t2_trivial_loss(c.r);
  EXPECT_LT(control_ratio, 0.1);

  char buf[300];
  std::snprintf(buf, sizeof buf,
                "d=10, r=5, 20000 SGD steps: final held-out loss %.5f vs trivial %.5f (max |loss - "
                "trivial| after step 2000: %.2g); control r=1: final loss / trivial = %.3f",
                final_loss, trivial, max_dev, control_ratio);
  std::printf("%s\n", buf);
  RecordProperty("measured_training", buf);
}

TEST(T2, SameSeedGivesBitIdenticalResults) {
  // paper/design.md, Numerics: same seed, binary and thread count -> identical bits. A
  // radius's estimate does not depend on the other radii listed.
  T2VarianceSettings s;
  s.batches = 3;
  s.directions = 5;
  s.samples_per_half = 200;
  const auto a = t2_variance_curve(4, {2.0}, s, 9);
  const auto b = t2_variance_curve(4, {1.0, 2.0}, s, 9);
  EXPECT_EQ(a[0].mc.variance, b[1].mc.variance);
  EXPECT_EQ(a[0].mc.se, b[1].mc.se);
  T2TrainSettings t;
  t.d = 4;
  t.steps = 300;
  t.eval_every = 100;
  t.eval_samples = 500;
  RunStatus s1, s2;
  EXPECT_EQ(t2_train(t, 9, s1).rows(), t2_train(t, 9, s2).rows());
}

}  // namespace
}  // namespace fgbdl
