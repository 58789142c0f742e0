// X4 (paper/ext_perturbation.md): zeroth-order perturbation learners
// (lib/train/perturbation.h) against back-propagation on the paper's
// Section 5 flat family and Section 2 parities.
//
// Each case runs the experiment library of
// //experiments/ext_perturbation:x4_perturbation at its quick settings (Adam,
// batch 128, N = 16 antithetic pairs, sigma = 0.01, 2000 held-out samples;
// the flat model at learning rate 0.01, the parity network at 1e-3) on fixed
// seeds: deterministic, no flake budget beyond the choice of seeds. Bounds
// measured over more seeds than the case uses are stated next to them.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <string>

#include "absl/strings/str_format.h"
#include "experiments/ext_perturbation/perturbation_training.h"
#include "gtest/gtest.h"
#include "lib/io/results.h"
#include "proofs_checks/verdict.h"

namespace fgbdl {
namespace {

double at(const Table& t, const std::string& name, std::size_t r) {
  const auto& cols = t.columns();
  for (std::size_t c = 0; c < cols.size(); ++c)
    if (cols[c] == name) return t.rows()[r][c];
  ADD_FAILURE() << "no column " << name;
  return NAN;
}
double last(const Table& t, const std::string& name) { return at(t, name, t.rows().size() - 1); }

// One-sided sign test: P(at least `wins` of `n` under a fair coin).
double sign_test_p(int wins, int n) {
  double p = 0;
  for (int k = wins; k <= n; ++k) p += std::tgamma(n + 1) / (std::tgamma(k + 1) * std::tgamma(n - k + 1));
  return p / std::pow(2.0, n);
}

// The flat model u(w^T x + b) of Section 5 (the "plain" learner), 2000
// steps, seeds 1..5. Back-propagation: the exact gradient is zero, Adam's
// step is zero, the held-out error at the last step equals the initial one
// exactly (every seed). Cauchy-sized perturbations: the held-out error ends
// strictly below the initial one on every seed; a one-sided sign test over
// the 5 seeds (null: lower or not with probability 1/2 each) rejects at
// level 0.05 when all 5 are lower (p = 1/32). Measured over seeds 1..10 at
// these settings: lower on 9 (final / initial 0.010 to 0.98), unchanged on
// seed 9 (0.1158: no perturbation of the budget crossed a step that lowered
// the loss); final error 1.10 to 1.30 times the held-out variance of y (the
// error of the best constant) on the 9.
//
// X4-FLAT-GAUSS, on the same runs: Gaussian perturbations of the fixed size
// sigma (the Cauchy sizes' median) end above the Cauchy ones. Seeds 1..5:
// Cauchy lower on 4 (2, 3, 4, 5), Gaussian lower on seed 1 (0.0354 against
// 0.0509); the sign test's p = 6/32 = 0.19 does not reach 0.05: not
// confirmed at this scale, the statistic recorded. (Seeds 1..10: Cauchy lower
// on 7, Gaussian on 2, one tie.)
TEST(X4, CauchyPerturbationsLearnTheFlatModelWhereTheGradientCannot) {
  X4Settings s;
  s.lr = 0.01;
  std::string stat, gauss_stat;
  int cauchy_lower = 0, cauchy_beats_gauss = 0, gauss_beats_cauchy = 0;
  const int seeds = 5;
  for (std::uint64_t seed = 1; seed <= seeds; ++seed) {
    RunStatus status;
    const Table t = flat_perturbation(s, false, seed, status);
    ASSERT_FALSE(status.diverged) << "seed " << seed;
    const double init = at(t, "backprop_test_mse", 0), bp = last(t, "backprop_test_mse"),
                 g = last(t, "gaussian_test_mse"), c = last(t, "cauchy_test_mse"),
                 var = last(t, "target_variance");
    EXPECT_EQ(bp, init) << "seed " << seed;  // exactly: the weights never moved
    EXPECT_LT(c, init) << "seed " << seed;
    cauchy_lower += c < init;
    cauchy_beats_gauss += c < g;
    gauss_beats_cauchy += g < c;
    absl::StrAppendFormat(&stat,
                          "%sseed %d: initial %.4f, backprop %.4f, cauchy %.4f (%.2f of the "
                          "best constant's %.4f)",
                          seed == 1 ? "" : "; ", seed, init, bp, c, c / var, var);
    absl::StrAppendFormat(&gauss_stat, "%sseed %d: gaussian %.4f, cauchy %.4f",
                          seed == 1 ? "" : "; ", seed, g, c);
  }
  const double p = sign_test_p(cauchy_lower, seeds);
  EXPECT_LE(p, 0.05);
  absl::StrAppendFormat(&stat, "; cauchy below the initial error on %d of %d seeds, sign test p = %.3f",
                        cauchy_lower, seeds, p);
  RecordProperty("measured", stat);
  record_verdict("X4-FLAT", ClaimState::kVerified, stat);

  const double pg = sign_test_p(cauchy_beats_gauss, cauchy_beats_gauss + gauss_beats_cauchy);
  absl::StrAppendFormat(&gauss_stat, "; cauchy lower on %d seeds, gaussian on %d, sign test p = %.3f (level 0.05)",
                        cauchy_beats_gauss, gauss_beats_cauchy, pg);
  RecordProperty("measured_gauss", gauss_stat);
  record_verdict("X4-FLAT-GAUSS", pg <= 0.05 ? ClaimState::kVerified : ClaimState::kNotConfirmed,
                 gauss_stat);
}

// Parities (Section 2, E2.1's network d-10d-1, hinge loss), 1000 steps.
// The statistical-query argument (paper/ext_perturbation.md): the loss at
// any weights varies over the 2^d parities by O(2^-d/2), so a learner that
// sees only batch losses gets exponentially little information about S.
//
// X4-PARITY: at d = 20 both perturbation learners' held-out accuracy stays
// within 0.5 +- 0.05 on 2000 held-out samples (the binomial standard
// deviation is 0.011, so 0.05 is 4.5 of them) on seeds 1 and 2 (measured
// 0.491 to 0.510 at 1000 steps; 0.495 to 0.5225 at 3000 steps, seeds 1 and
// 2 of the paper profile). The contrast at d = 5, same budget: the Gaussian
// learner does learn, at least 0.55 (measured 0.6135 to 1.0 over seeds
// 1..6 at 1000 steps; 0.6245 on seed 1, the seed the case runs), so at
// d = 20 it is the dimension that stops it, not the budget.
//
// X4-PARITY-BP, the expectation stated before the runs: at d = 20
// back-propagation fails too (E2.1's failure, here with Adam). Refuted: on
// seed 2 it reaches 0.657 at 1000 steps (14 binomial standard deviations
// above chance; 1.0 at 3000 steps), while on seed 1 it is at 0.5085. The
// case checks the counterexample (seed 2 at least 0.6) and records it.
TEST(X4, NoPerturbationLearnerEscapesTheParityFailure) {
  X4Settings s;
  s.steps = 1000;
  std::string stat, bp_stat;
  double bp_best = 0;
  for (std::uint64_t seed = 1; seed <= 2; ++seed) {
    RunStatus status;
    const Table t = parity_perturbation(s, 20, seed, status);
    ASSERT_FALSE(status.diverged);
    for (const char* learner : {"gaussian", "cauchy"}) {
      const double a = last(t, std::string(learner) + "_accuracy");
      EXPECT_NEAR(a, 0.5, 0.05) << learner << " seed " << seed;
      absl::StrAppendFormat(&stat, "%sd 20 seed %d %s %.4f", stat.empty() ? "" : "; ", seed,
                            learner, a);
    }
    const double bp = last(t, "backprop_accuracy");
    bp_best = std::max(bp_best, bp);
    absl::StrAppendFormat(&bp_stat, "%sd 20 seed %d backprop %.4f (binomial z %.1f)",
                          bp_stat.empty() ? "" : "; ", seed, bp, (bp - 0.5) / std::sqrt(0.25 / 2000));
  }
  RunStatus status;
  const Table small = parity_perturbation(s, 5, 1, status);
  const double g5 = last(small, "gaussian_accuracy");
  EXPECT_GE(g5, 0.55);
  absl::StrAppendFormat(&stat, "; d 5 seed 1 gaussian %.4f, cauchy %.4f, backprop %.4f", g5,
                        last(small, "cauchy_accuracy"), last(small, "backprop_accuracy"));
  RecordProperty("measured", stat);
  record_verdict("X4-PARITY", ClaimState::kVerified, stat);
  EXPECT_GE(bp_best, 0.6);
  RecordProperty("measured_bp", bp_stat);
  record_verdict("X4-PARITY-BP", ClaimState::kRefuted, bp_stat);
}

}  // namespace
}  // namespace fgbdl
