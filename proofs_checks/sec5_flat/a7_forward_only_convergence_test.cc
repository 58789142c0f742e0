// A7 (the paper's Appendix A.7; paper/sec5_flat.md A7): convergence of the
// forward-only update. If u is non-decreasing, L-Lipschitz and |u| <= c, and
// ||v*|| <= B, then the update
//   w_{t+1} = w_t - eta E[(u(w_t^T x) - y) x],   y = u(v*^T x),   w_0 = 0,
// with T = c^4 B^4 L^2 / eps^2 steps and eta = sqrt(1 / (T c^2)) reaches an
// expected squared error E[(u(w^T x) - y)^2] of at most eps.
//
// Checked exactly on finite samples: the expectation is the mean over n
// points, so every step is a full-sample step and every error is exact (in
// double). The inputs satisfy ||x|| <= 1: the statement needs a bound on x
// (scaling x scales the gradient), and the unit ball is the usual one (Kakade
// et al. 2011, GLMtron) and the one under which the constants come out.
//
// Which iterate. The argument behind such bounds (GLMtron's) is a potential
// argument: with ||x|| <= 1 and u monotone and L-Lipschitz,
//   ||w_{t+1} - v*||^2 <= ||w_t - v*||^2 - (2 eta / L - eta^2) err(w_t),
// so summed over t < T it bounds the AVERAGE of err(w_0), ..., err(w_{T-1})
// (hence the best of them) by ||v*||^2 / (T eta (2/L - eta)) =
// eps / (c (2 - eta L)); it says nothing of the last iterate alone. We take
// "after T steps" as the proof gives it, for the best iterate among the
// first T (which the average bounds when c (2 - eta L) >= 1), and also check
// the last iterate w_T, which the proof does not cover but which satisfies
// the bound in every case tried. The average itself is NOT always <= eps: for
// c < 1/2 it can exceed eps (a test below keeps such a case), so the claim
// holds for the best and the last iterate, not for the average. Neither is ||w_t|| <= B (the
// statement's hypothesis on the iterates) imposed: the iteration is run
// unprojected and the regime is counted (the distance to v* never grows when
// eta < 2/L, so ||w_t|| <= 2B).
//
// Sizes keep T <= 20 000 full-sample steps on n <= 60 points in d <= 6.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/strings/str_format.h"
#include "gtest/gtest.h"
#include "lib/core/rng.h"
#include "rapidcheck/gtest.h"

namespace fgbdl {
namespace {

constexpr double kMaxT = 20000;

// A non-decreasing, L-Lipschitz u with |u| <= c: a continuous piecewise-linear
// u0 (slopes in [0, L] between random knots; flat pieces included) clipped to
// [-c, c] (clipping keeps monotonicity and the Lipschitz constant).
struct MonotoneU {
  std::vector<double> knot;    // sorted
  std::vector<double> slope;   // [knots + 1]: before knot 0, between, after the last
  std::vector<double> value;   // u0 at each knot
  double c = 1;
  double operator()(double r) const {
    const std::size_t j = static_cast<std::size_t>(
        std::upper_bound(knot.begin(), knot.end(), r) - knot.begin());
    const double u0 = j == 0 ? value[0] + slope[0] * (r - knot[0])
                             : value[j - 1] + slope[j] * (r - knot[j - 1]);
    return std::clamp(u0, -c, c);
  }
};

struct Case {
  std::size_t d = 1, n = 1;
  double c = 1, B = 1, L = 1, eps = 1;
  double err0 = 0;  // error of w_0 = 0
  MonotoneU u;
  std::vector<std::vector<double>> x;  // [n][d], ||x_i|| <= 1
  std::vector<double> v_star, y;
};

std::vector<double> random_direction(std::size_t d, Engine& rng) {
  std::vector<double> v(d);
  double norm = 0;
  do {
    norm = 0;
    for (double& e : v) {
      e = normal(rng);
      norm += e * e;
    }
  } while (norm == 0);
  for (double& e : v) e /= std::sqrt(norm);
  return v;
}

Case draw_case(Engine& rng) {
  Case k;
  k.d = 1 + uniform_index(rng, 6);
  k.n = 5 + uniform_index(rng, 56);
  k.c = std::exp(uniform(rng, std::log(0.25), std::log(3.0)));
  k.B = std::exp(uniform(rng, std::log(0.25), std::log(3.0)));
  k.L = std::exp(uniform(rng, std::log(0.25), std::log(4.0)));
  const std::size_t knots = 1 + uniform_index(rng, 6);
  for (std::size_t j = 0; j < knots; ++j) k.u.knot.push_back(uniform(rng, -k.B, k.B));
  std::sort(k.u.knot.begin(), k.u.knot.end());
  for (std::size_t j = 0; j <= knots; ++j) {
    const std::uint64_t kind = uniform_index(rng, 3);  // flat, steepest, in between
    k.u.slope.push_back(kind == 0 ? 0.0 : kind == 1 ? k.L : uniform(rng, 0, k.L));
  }
  k.u.value.push_back(uniform(rng, -k.c, k.c));
  for (std::size_t j = 1; j < knots; ++j)
    k.u.value.push_back(k.u.value[j - 1] + k.u.slope[j] * (k.u.knot[j] - k.u.knot[j - 1]));
  k.u.c = k.c;
  k.v_star = random_direction(k.d, rng);
  const double v_norm = k.B * std::sqrt(uniform01(rng));
  for (double& e : k.v_star) e *= v_norm;
  for (std::size_t i = 0; i < k.n; ++i) {
    std::vector<double> xi = random_direction(k.d, rng);
    const double radius = uniform01(rng) < 0.3 ? 1.0 : std::sqrt(uniform01(rng));
    double r = 0;
    for (std::size_t j = 0; j < k.d; ++j) {
      xi[j] *= radius;
      r += k.v_star[j] * xi[j];
    }
    k.x.push_back(xi);
    k.y.push_back(k.u(r));
  }
  // eps log-uniform between the smallest value with T <= kMaxT and the error
  // of the start w_0 = 0 (a larger eps would hold trivially at t = 0).
  for (const double y : k.y) k.err0 += (k.u(0) - y) * (k.u(0) - y);
  k.err0 /= static_cast<double>(k.n);
  const double eps_lo = k.c * k.c * k.B * k.B * k.L / std::sqrt(kMaxT);
  k.eps = k.err0 > eps_lo ? std::exp(uniform(rng, std::log(eps_lo), std::log(k.err0))) : eps_lo;
  return k;
}

struct Outcome {
  std::int64_t T = 0;
  double eta = 0;
  double err0 = 0;  // err(w_0)
  double avg = 0;   // mean of err(w_0), ..., err(w_{T-1}): what the potential argument bounds
  double best = 0;  // min of err(w_1), ..., err(w_T): the best iterate after the steps
  double last = 0;  // err(w_T)
  double max_w_norm = 0;
  double proof_bound = 0;  // eps / (c (2 - eta L)) when eta L < 2, else inf
};

// Runs the T full-sample forward-only steps from w_0 = 0.
Outcome run(const Case& k) {
  Outcome o;
  o.T = static_cast<std::int64_t>(
      std::ceil(std::pow(k.c, 4) * std::pow(k.B, 4) * k.L * k.L / (k.eps * k.eps)));
  o.T = std::max<std::int64_t>(o.T, 1);
  o.eta = std::sqrt(1.0 / (static_cast<double>(o.T) * k.c * k.c));
  o.proof_bound = o.eta * k.L < 2 ? k.eps / (k.c * (2 - o.eta * k.L)) : INFINITY;
  std::vector<double> w(k.d, 0.0), g(k.d);
  double sum = 0;
  o.best = INFINITY;
  for (std::int64_t t = 0; t <= o.T; ++t) {
    std::fill(g.begin(), g.end(), 0.0);
    double err = 0;
    for (std::size_t i = 0; i < k.n; ++i) {
      double p = 0;
      for (std::size_t j = 0; j < k.d; ++j) p += w[j] * k.x[i][j];
      const double e = k.u(p) - k.y[i];
      err += e * e;
      for (std::size_t j = 0; j < k.d; ++j) g[j] += e * k.x[i][j];
    }
    err /= static_cast<double>(k.n);
    if (t == 0) o.err0 = err;
    if (t > 0) o.best = std::min(o.best, err);
    if (t == o.T) {
      o.last = err;
      break;
    }
    sum += err;
    double norm = 0;
    for (std::size_t j = 0; j < k.d; ++j) {
      w[j] -= o.eta * g[j] / static_cast<double>(k.n);
      norm += w[j] * w[j];
    }
    o.max_w_norm = std::max(o.max_w_norm, std::sqrt(norm));
  }
  o.avg = sum / static_cast<double>(o.T);
  return o;
}

RC_GTEST_PROP(A7, ForwardOnlyUpdateReachesErrorEpsWithinTheAppendixStepsAndRate,
              (std::uint64_t seed)) {
  Engine rng(seed);
  const Case k = draw_case(rng);
  RC_PRE(k.err0 > k.eps);  // otherwise trivial at t = 0 (or T would exceed kMaxT)
  const Outcome o = run(k);
  RC_CLASSIFY(o.max_w_norm > k.B, "iterates leave the ball of radius B");
  RC_CLASSIFY(o.eta * k.L >= 2, "eta L >= 2 (outside the potential argument)");
  RC_CLASSIFY(o.avg > k.eps, "average iterate above eps (c < 1/2)");
  // The claim: the best iterate after the steps (w_1 .. w_T), and the last one.
  RC_ASSERT(o.best <= k.eps);
  RC_ASSERT(o.last <= k.eps);
  // The potential argument's bound on the average, where it applies.
  if (std::isfinite(o.proof_bound)) RC_ASSERT(o.avg <= o.proof_bound * (1 + 1e-9));
}

// The same checks over 300 fixed cases, with the observed errors against the
// bound reported; and the reading "the average iterate" is false: a case with
// c < 1/2 whose average error over the T iterates exceeds eps must exist among
// them (it does: the potential bound eps / (c (2 - eta L)) exceeds eps there,
// and the errors of the first iterates, near err(w_0) > eps, weigh in the
// average). Deterministic (fixed seed).
TEST(A7, ObservedErrorsAgainstTheBound) {
  Engine rng(derive_engine(20170301, 7));
  int cases = 0, trivial = 0, outside_ball = 0, avg_above = 0, steep = 0;
  double worst_avg = 0, worst_best = 0, worst_last = 0, worst_proof = 0, max_c_avg_above = 0;
  std::int64_t max_T = 0;
  std::string avg_above_example;
  for (int trial = 0; trial < 300; ++trial) {
    Case k = draw_case(rng);
    while (k.err0 <= k.eps) {  // trivial at t = 0: draw again, counted
      ++trivial;
      k = draw_case(rng);
    }
    const Outcome o = run(k);
    ++cases;
    outside_ball += o.max_w_norm > k.B;
    steep += o.eta * k.L >= 2;
    max_T = std::max(max_T, o.T);
    worst_avg = std::max(worst_avg, o.avg / k.eps);
    worst_best = std::max(worst_best, o.best / k.eps);
    worst_last = std::max(worst_last, o.last / k.eps);
    if (std::isfinite(o.proof_bound)) worst_proof = std::max(worst_proof, o.avg / o.proof_bound);
    if (o.avg > k.eps) {
      ++avg_above;
      max_c_avg_above = std::max(max_c_avg_above, k.c);
      if (avg_above_example.empty())
        avg_above_example =
            absl::StrFormat("c=%.3g B=%.3g L=%.3g eps=%.3g T=%d: average %.3g, best %.3g, last %.3g",
                            k.c, k.B, k.L, k.eps, o.T, o.avg, o.best, o.last);
    }
    const std::string where = absl::StrFormat("trial %d: c=%.17g B=%.17g L=%.17g eps=%.17g T=%d",
                                              trial, k.c, k.B, k.L, k.eps, o.T);
    EXPECT_LE(o.best, k.eps) << where;
    EXPECT_LE(o.last, k.eps) << where;
    if (std::isfinite(o.proof_bound)) {
      EXPECT_LE(o.avg, o.proof_bound * (1 + 1e-9)) << where;
    }
  }
  EXPECT_GE(avg_above, 1) << "no counterexample to the average-iterate reading";
  EXPECT_LT(max_c_avg_above, 0.5);
  RecordProperty(
      "measured",
      absl::StrFormat(
          "%d random cases (c, B in [0.25, 3], L in [0.25, 4], eps below the start's error; "
          "%d trivial draws skipped; T <= %d full-sample steps, n <= 60, d <= 6): worst best iterate / eps = %.3g, worst "
          "last iterate / eps = %.3g, worst average over the T iterates / eps = %.3g (%d cases "
          "above eps, all with c < 1/2 (largest c %.3g), e.g. %s); worst average / "
          "eps/(c(2 - eta L)) = %.3g; %d cases with eta L >= 2; %d with ||w_t|| > B",
          cases, trivial, static_cast<int>(max_T), worst_best, worst_last, worst_avg, avg_above,
          max_c_avg_above, avg_above_example, worst_proof, steep, outside_ball));
}

// A hand-checked case: u(r) = clip(r, -1, 1) (L = 1, c = 1), d = 1, one point
// x = 1, v* = 0.5 (B = 0.5), eps = 0.01: T = 1 * 0.0625 * 1 / 1e-4 = 625,
// eta = sqrt(1/625) = 0.04. Then w_{t+1} = w_t - 0.04 (w_t - 0.5), so
// w_t = 0.5 (1 - 0.96^t) and err(w_t) = 0.25 * 0.96^(2t).
TEST(A7, HandComputedLinearCase) {
  Case k;
  k.d = 1;
  k.n = 1;
  k.c = 1;
  k.B = 0.5;
  k.L = 1;
  k.eps = 0.01;
  k.u.knot = {-1, 1};
  k.u.slope = {0, 1, 0};
  k.u.value = {-1, 1};
  k.u.c = 1;
  k.x = {{1.0}};
  k.v_star = {0.5};
  k.y = {0.5};
  const Outcome o = run(k);
  EXPECT_EQ(o.T, 625);
  EXPECT_DOUBLE_EQ(o.eta, 0.04);
  EXPECT_NEAR(o.last, 0.25 * std::pow(0.96, 2 * 625), 1e-15);
  double sum = 0;
  for (int t = 0; t < 625; ++t) sum += 0.25 * std::pow(0.96, 2 * t);
  EXPECT_NEAR(o.avg, sum / 625, 1e-12);
  EXPECT_LE(o.avg, k.eps);
}

}  // namespace
}  // namespace fgbdl
