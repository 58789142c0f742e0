// T1 (paper Theorem 1, Section 2; paper/sec2_parity.md T1):
//   Var(H, F, w) <= G(w)^2 / |H|
// for an orthogonal family H with E[h^2] <= 1, the square loss or the hinge
// loss with h ∈ {±1}, and G(w)^2 = E_x ||d p_w(x)/dw||^2; with C2.2, over all
// 2^d parities the variance is at most G(w)^2 / 2^d.
//
// Everything here is exact (float64, every input of {±1}^d, every parity):
// per-sample gradients of the E2.1 network p(x) = a · relu(W^T x + b) + c,
// then the variance by enumeration (d <= 6) and by the Walsh-Hadamard
// transform (lib/analysis/gradient_variance.h). What holds exactly (Parseval,
// derived in gradient_variance.h) is
//   Var = 2^-d E_x ||w g||^2 - 4^-d ||w(x_0) g(x_0)||^2,
// with w = -1 (square) or w(x) = -(1[p<1] + 1[p>-1])/2 ∈ {-1, -1/2} (hinge),
// x_0 the all-ones point. Since |w| <= 1 and the output bias gives
// ||g(x_0)|| >= 1, Var < G^2 / 2^d strictly, with a relative gap of at least
// 2^-d / (4 G^2), far above float64 rounding (~1e-15 relative): the bound is
// asserted with no tolerance.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <numeric>
#include <string>
#include <vector>

#include "experiments/sec2_parity/t1_variance_lib.h"
#include "gtest/gtest.h"
#include "lib/analysis/fit.h"
#include "lib/analysis/gradient_variance.h"
#include "lib/analysis/per_sample_gradients.h"
#include "lib/analysis/walsh_hadamard.h"
#include "lib/core/rng.h"
#include "rapidcheck.h"
#include "rapidcheck/gtest.h"

namespace fgbdl {
namespace {

// A random network: lib/nn's initialization, then random biases and a random
// output scale e^{N(0,1)} so that both hinge regimes (|p| < 1, |p| >= 1) occur.
TwoLayerNet random_net(int d, std::size_t width, std::uint64_t seed, double bias_scale) {
  Engine rng = derive_engine(seed, 100);
  TwoLayerNet net = init_two_layer_net(static_cast<std::size_t>(d), width, rng);
  const double out_scale = std::exp(normal(rng));
  for (std::size_t j = 0; j < width; ++j) {
    net.b(j) = bias_scale * normal(rng);
    net.a(j, 0) *= out_scale;
  }
  net.c(0) = bias_scale * normal(rng);
  return net;
}

TEST(T1, ExactVarianceOverAllParitiesIsAtMostG2Over2ToTheD) {
  // The property over random d in [2, 10], widths, weights and seeds, both
  // losses. Also tracks the largest ratio Var / (G^2 / 2^d) seen.
  double max_ratio = 0.0;
  int cases = 0, enumerated = 0;
  const bool ok = rc::check(
      "the exact gradient variance over all 2^d parities is at most G(w)^2 / 2^d",
      [&max_ratio, &cases, &enumerated] {
        // Full-size generators: d and width uniform over their ranges from
        // the first case on (rapidcheck otherwise scales ranges with size).
        const int d = *rc::gen::resize(100, rc::gen::inRange(2, 11));
        const std::size_t width = *rc::gen::resize(100, rc::gen::inRange<std::size_t>(1, 33));
        const std::uint64_t seed = *rc::gen::arbitrary<std::uint64_t>();
        const double bias_scale = *rc::gen::element(0.0, 0.3, 1.0);
        const LossKind loss = *rc::gen::element(LossKind::kSquare, LossKind::kHinge);
        const TwoLayerNet net = random_net(d, width, seed, bias_scale);
        VectorD p;
        const MatrixD G = per_sample_gradients(net, hypercube_points(d), &p);
        const double G2 = gradient_norm_sq(G);
        const double var = gradient_variance_parities(G, p, loss);
        if (d <= 6) {  // cross-check by enumerating all 2^d x 2^d (S, x) pairs
          const double var_enum = gradient_variance_enumerate(G, p, parity_targets(d), loss);
          RC_ASSERT(std::fabs(var_enum - var) <= 1e-12 * var);
          ++enumerated;
        }
        bool saturated = false;  // some |p(x)| >= 1 (hinge: w = -1/2 there)
        for (std::size_t n = 0; n < p.size(); ++n) saturated = saturated || std::fabs(p(n)) >= 1.0;
        RC_CLASSIFY(loss == LossKind::kSquare, "square");
        RC_CLASSIFY(loss == LossKind::kHinge, "hinge");
        RC_CLASSIFY(loss == LossKind::kHinge && saturated, "hinge with some |p| >= 1");
        RC_CLASSIFY(d <= 6, "d 2..6 (enumeration + WHT)");
        RC_CLASSIFY(d > 6, "d 7..10 (WHT)");
        const double bound = std::ldexp(G2, -d);
        RC_ASSERT(var <= bound);
        max_ratio = std::max(max_ratio, var / bound);
        ++cases;
      });
  EXPECT_TRUE(ok);
  // Measured with the default seed: 100 cases, max ratio 0.999622 (the gap
  // 1 - ratio = 2^-d ||w0 g0||^2 / G^2 shrinks with d). A ratio above 1
  // would contradict Theorem 1.
  EXPECT_LT(max_ratio, 1.0);
  char buf[200];
  std::snprintf(buf, sizeof buf,
                "%d random nets (d 2..10, %d also by enumeration): max Var/(G^2/2^d) = %.6f",
                cases, enumerated, max_ratio);
  RecordProperty("measured_random_nets", buf);
  std::printf("%s\n", buf);
}

RC_GTEST_PROP(T1, VarianceEqualsItsParsevalFormWhichIsBelowTheBound, ()) {
  // The exact identity behind the bound (see the file comment).
  const int d = *rc::gen::inRange(2, 11);
  const std::size_t width = *rc::gen::inRange<std::size_t>(1, 33);
  const LossKind loss = *rc::gen::element(LossKind::kSquare, LossKind::kHinge);
  const TwoLayerNet net = random_net(d, width, *rc::gen::arbitrary<std::uint64_t>(), 0.5);
  VectorD p;
  const MatrixD G = per_sample_gradients(net, hypercube_points(d), &p);
  const std::size_t N = G.shape()[0], P = G.shape()[1];
  long double e_wg2 = 0.0, w0g0 = 0.0;
  for (std::size_t n = 0; n < N; ++n) {
    const double w = loss == LossKind::kSquare
                         ? -1.0
                         : -0.5 * ((p(n) < 1.0 ? 1.0 : 0.0) + (p(n) > -1.0 ? 1.0 : 0.0));
    long double g2 = 0.0;
    for (std::size_t k = 0; k < P; ++k) g2 += G(n, k) * G(n, k);
    e_wg2 += w * w * g2 / static_cast<long double>(N);
    if (n == 0) w0g0 = w * w * g2;
  }
  const double parseval = static_cast<double>(std::ldexp(e_wg2, -d) - std::ldexp(w0g0, -2 * d));
  const double var = gradient_variance_parities(G, p, loss);
  // The reference is summed in long double; the difference is the rounding
  // of the d butterfly levels of the float64 WHT: measured at most 1.75e-12
  // relative over 1000 cases (RC_PARAMS=max_success=1000, default seed).
  RC_ASSERT(std::fabs(var - parseval) <= 1e-11 * parseval);
  RC_ASSERT(w0g0 >= 0.25);  // |w| >= 1/2 and dp/dc = 1
}

RC_GTEST_PROP(T1, BoundHoldsForOtherOrthogonalFamiliesBySize, ()) {
  // Theorem 1 is about any orthogonal family, not only all parities: take M
  // of the 2^d parities composed with a random permutation pi of the cube,
  // h(x) = chi_S(x_pi(idx)) ∈ {±1} (still orthonormal: pi preserves the
  // uniform distribution), and check Var <= G^2 / M by enumeration.
  const int d = *rc::gen::resize(100, rc::gen::inRange(1, 7));
  const std::size_t n = std::size_t{1} << d;
  const std::size_t M = *rc::gen::resize(100, rc::gen::inRange<std::size_t>(1, n + 1));
  const std::size_t width = *rc::gen::inRange<std::size_t>(1, 17);
  const LossKind loss = *rc::gen::element(LossKind::kSquare, LossKind::kHinge);
  const std::uint64_t seed = *rc::gen::arbitrary<std::uint64_t>();
  const TwoLayerNet net = random_net(d, width, seed, 0.5);
  VectorD p;
  const MatrixD G = per_sample_gradients(net, hypercube_points(d), &p);
  Engine rng = derive_engine(seed, 101);
  std::vector<std::size_t> perm(n), sets(n);
  std::iota(perm.begin(), perm.end(), 0);
  std::iota(sets.begin(), sets.end(), 0);
  for (std::size_t i = n - 1; i > 0; --i) {  // Fisher-Yates, both
    std::swap(perm[i], perm[uniform_index(rng, i + 1)]);
    std::swap(sets[i], sets[uniform_index(rng, i + 1)]);
  }
  MatrixD Y({M, n});
  for (std::size_t m = 0; m < M; ++m) {
    for (std::size_t idx = 0; idx < n; ++idx) Y(m, idx) = parity_sign(sets[m], perm[idx]);
  }
  const double var = gradient_variance_enumerate(G, p, Y, loss);
  const double bound = gradient_norm_sq(G) / static_cast<double>(M);
  RC_CLASSIFY(M == n, "all 2^d");
  RC_CLASSIFY(M < n, "a proper subset");
  RC_CLASSIFY(M == 1, "one function (Var = 0)");
  // For a general orthogonal family no strict gap is proven (unlike all
  // parities, see the top), so the two sides, each rounded to ~1e-15
  // relative, are compared with a 1e-12 relative allowance.
  RC_ASSERT(var <= bound * (1.0 + 1e-12));
}

// The fixed network of the t1_variance experiment (width 16, seed 1).
constexpr std::size_t kWidth = 16;
constexpr std::uint64_t kSeed = 1;

TEST(T1, FixedNetworkVarianceDecaysLike2ToTheMinusD) {
  // The headline check. The exact variance at the fixed network of the
  // t1_variance experiment for d = 2..14 (one network per d, drawn from
  // derive_engine(seed, d)), fitted as log2 Var = intercept + rate d.
  std::vector<double> ds, var_sq, var_hi, norm_sq, norm_hi, ds_hi, norm_sq_hi;
  double max_ratio = 0.0;
  for (int d = 2; d <= 14; ++d) {
    const FixedNetVariance v = t1_fixed_net_variance(d, kWidth, kSeed);
    // Theorem 1 with C2.2, at every d, both losses (strict: see the top).
    EXPECT_LT(v.var_square, v.bound) << "d=" << d;
    EXPECT_LT(v.var_hinge, v.bound) << "d=" << d;
    max_ratio = std::max({max_ratio, v.var_square / v.bound, v.var_hinge / v.bound});
    ds.push_back(d);
    var_sq.push_back(v.var_square);
    var_hi.push_back(v.var_hinge);
    norm_sq.push_back(v.var_square / v.G2);
    norm_hi.push_back(v.var_hinge / v.G2);
    if (d >= 8) {
      ds_hi.push_back(d);
      norm_sq_hi.push_back(v.var_square / v.G2);
    }
  }
  const LineFit raw_sq = fit_log2_line(ds, var_sq);
  const LineFit raw_hi = fit_log2_line(ds, var_hi);
  const LineFit nrm_sq = fit_log2_line(ds, norm_sq);
  const LineFit nrm_hi = fit_log2_line(ds, norm_hi);
  const LineFit nrm_sq_8 = fit_log2_line(ds_hi, norm_sq_hi);
  std::printf("log2 Var vs d, square: %s\n", raw_sq.to_string().c_str());
  std::printf("log2 Var vs d, hinge:  %s\n", raw_hi.to_string().c_str());
  std::printf("log2 Var/G^2 vs d, square: %s\n", nrm_sq.to_string().c_str());
  std::printf("log2 Var/G^2 vs d, hinge:  %s\n", nrm_hi.to_string().c_str());
  std::printf("log2 Var/G^2 vs d = 8..14, square: %s\n", nrm_sq_8.to_string().c_str());
  std::printf("max Var/(G^2/2^d): %.6f\n", max_ratio);

  // MEASURED at width 16, seed 1 (95% CIs, t with 11 dof):
  //   raw Var, square   -0.9562 [-0.9987, -0.9138]
  //   raw Var, hinge    -0.9438 [-0.9974, -0.8902]
  //   Var/G^2, square   -0.9857 [-0.9945, -0.9769]
  //   Var/G^2, hinge    -0.9733 [-1.0118, -0.9348]
  //   Var/G^2, square, d = 8..14 only: -0.9995 [-0.9999, -0.9991]
  //   max Var/(G^2/2^d) = 0.999928
  // Over seeds 1..30 (t1_variance --seeds=1,...,30) the rates were: raw square
  // [-0.970, -0.886], Var/G^2 square [-0.993, -0.961], raw hinge
  // [-0.974, -0.876], Var/G^2 hinge [-1.001, -0.943]; max ratio <= 0.99998.
  //
  // What holds, and is asserted:
  // (1) Exponential decay: every fitted rate is negative with its CI below 0.
  EXPECT_LT(raw_sq.ci_high, 0.0);
  EXPECT_LT(raw_hi.ci_high, 0.0);
  EXPECT_LT(nrm_sq.ci_high, 0.0);
  EXPECT_LT(nrm_hi.ci_high, 0.0);
  // (2) Var <= G^2 2^-d at every d (above), and the bound is tight: by the
  //     Parseval identity Var 2^d / G^2 = 1 - 2^-d ||g(x_0)||^2 / G^2 for the
  //     square loss, so log2(Var/G^2) = -d + log2(1 - 2^-d c_d). The slack
  //     term is largest at small d, which makes the fitted slope over 2..14
  //     slightly SHALLOWER than -1 (its CI excludes -1 for the square loss),
  //     and it vanishes for large d: over d = 8..14 the slope is -1 to
  //     within 0.005 (measured -0.9995).
  EXPECT_NEAR(nrm_sq_8.rate, -1.0, 0.005);
  EXPECT_GT(nrm_sq.rate, -1.0);   // measured -0.9857 (seeds 1..30: all > -0.994)
  EXPECT_LT(nrm_sq.rate, -0.95);  // and within 0.05 of -1 (seeds 1..30: all < -0.961)
  // (3) The raw variance decays like 2^-d only up to G(w)^2, which changes
  //     with d (here from 9.7 at d = 2 to 12.8 at d = 14; a new network per
  //     d): its fitted rate is within 0.15 of -1 (measured -0.956 and -0.944;
  //     seeds 1..30: [-0.974, -0.876]), i.e. "Var decays at least as fast as
  //     2^-d" holds for Var/G^2 at each d, not for the fitted slope of Var.
  EXPECT_NEAR(raw_sq.rate, -1.0, 0.15);
  EXPECT_NEAR(raw_hi.rate, -1.0, 0.15);
  EXPECT_LT(max_ratio, 1.0);

  char buf[600];
  std::snprintf(buf, sizeof buf,
                "fixed net width %zu seed %llu, d=2..14, log2-rates (95%% CI): Var square %s, "
                "hinge %s; Var/G^2 square %s, hinge %s; Var/G^2 square d=8..14 %s; "
                "max Var/(G^2/2^d) = %.6f",
                kWidth, static_cast<unsigned long long>(kSeed), raw_sq.to_string().c_str(),
                raw_hi.to_string().c_str(), nrm_sq.to_string().c_str(),
                nrm_hi.to_string().c_str(), nrm_sq_8.to_string().c_str(), max_ratio);
  RecordProperty("measured", buf);
}

}  // namespace
}  // namespace fgbdl
