// X6 (paper/ext_sparse_parity.md), after Barak, Edelman, Goel, Kakade, Malach
// and Zhang, "Hidden progress in deep learning: SGD learns parities near the
// computational limit" (NeurIPS 2022): SGD learns an (n, k)-sparse parity in
// n^O(k) steps, and its accuracy sits at chance for most of that time while a
// progress measure on the relevant weights grows, then jumps.
//
// Each case runs the experiment library of
// //experiments/ext_sparse_parity:x6_sparse_parity at its defaults (a 2-layer
// ReLU MLP of width 100, SGD at 0.1, batch 32 of fresh samples, hinge loss,
// evaluations every 10 steps on 8192 validation samples, at most 20 000
// steps) on fixed seeds 1..3: deterministic, no flake budget beyond the
// choice of seeds. Bounds measured over seeds 1..10 (the binary's runs, the
// same code and settings) are stated next to them.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "experiments/ext_sparse_parity/sparse_parity.h"
#include "experiments/ext_sparse_parity/steps_fit.h"
#include "gtest/gtest.h"
#include "proofs_checks/verdict.h"

namespace fgbdl {
namespace {

constexpr std::uint64_t kSeeds = 3;

ParityRun run(std::int64_t n, std::int64_t k, std::uint64_t seed) {
  ParitySettings s;
  s.n = n;
  s.k = k;
  ParityRun r = parity_run(s, seed);
  EXPECT_FALSE(r.status.diverged) << "n " << n << " k " << k << " seed " << seed;
  return r;
}

// Steps-to-learn of every (n, seed), and the fit of log2 T on log2 n.
struct Scaling {
  std::vector<StepsPoint> runs;
  StepsFit fit;
};
Scaling scaling(std::int64_t k, const std::vector<std::int64_t>& ns) {
  Scaling s;
  for (const std::int64_t n : ns)
    for (std::uint64_t seed = 1; seed <= kSeeds; ++seed) {
      const ParityRun r = run(n, k, seed);
      s.runs.push_back({double(n), double(r.solved_step), r.solved});
    }
  s.fit = fit_steps_exponent(s.runs);
  return s;
}

std::string describe(std::int64_t k, const Scaling& s) {
  return absl::StrFormat("k %d: beta %.3f, 95%% t interval [%.3f, %.3f] (%d runs, %d censored)",
                         k, s.fit.fit.rate, s.fit.fit.ci_low, s.fit.fit.ci_high, s.fit.runs,
                         s.fit.censored);
}

// Steps-to-learn grows like n^beta_k with beta_k growing in k, checked from
// k = 2 to k = 3 on n = 10, 14, 20, 28, 40, 56: the 95% t intervals of the
// two exponents do not overlap, and no run is censored. Measured on the
// seed triples (1,2,3), (4,5,6), (7,8,9), (8,9,10), (2,5,8), (3,6,9),
// (1,6,10): beta_2 0.57 to 0.71, beta_3 1.22 to 1.49, the gap between
// beta_3's lower end and beta_2's upper end 0.17 to 0.48; the test wants a
// gap of at least 0.1.
TEST(X6, TheExponentOfNGrowsFromTwoToThreeBits) {
  const std::vector<std::int64_t> ns{10, 14, 20, 28, 40, 56};
  const Scaling two = scaling(2, ns), three = scaling(3, ns);
  const std::string stat = absl::StrCat(describe(2, two), "; ", describe(3, three));
  RecordProperty("measured", stat);
  EXPECT_EQ(two.fit.censored + three.fit.censored, 0u);
  EXPECT_GE(three.fit.fit.ci_low - two.fit.fit.ci_high, 0.1) << stat;
  record_verdict("X6", ClaimState::kVerified, stat);
}

// From k = 3 to k = 4 the exponent grows too at n up to 80 (the paper
// profile: intervals [1.13, 1.34] and [1.64, 1.99]), but on n = 10 ... 40
// the test scale does not decide: on the seven triples above beta_4 -
// beta_3 ranges from -0.05 to 0.16 and the two 95% intervals overlap on
// every one. Not confirmed. Checked: no run censored, and the intervals
// overlapping (if they separate, either way, the case fails so that its
// verdict is revisited).
TEST(X6, TheExponentOfNFromThreeToFourBitsIsNotDecidedAtTestScale) {
  const std::vector<std::int64_t> ns{10, 14, 20, 28, 40};
  const Scaling three = scaling(3, ns), four = scaling(4, ns);
  const std::string stat = absl::StrCat(describe(3, three), "; ", describe(4, four));
  RecordProperty("measured", stat);
  EXPECT_EQ(three.fit.censored + four.fit.censored, 0u);
  EXPECT_GT(three.fit.fit.ci_high, four.fit.fit.ci_low) << stat;
  EXPECT_GT(four.fit.fit.ci_high, three.fit.fit.ci_low) << stat;
  record_verdict("X6-K4", ClaimState::kNotConfirmed, stat);
}

// P(X >= m) for X ~ Binomial(pairs, 1/2): the one-sided sign test.
double sign_test_p(int m, int pairs) {
  double p = 0, c = 1;  // c = C(pairs, j)
  for (int j = 0; j <= pairs; ++j) {
    if (j >= m) p += c;
    c = c * (pairs - j) / (j + 1);
  }
  return std::ldexp(p, -pairs);
}

// "More relevant bits, more steps" at a fixed n does not hold: at n = 10, 14,
// 20 and 28 the 4-bit parity is learned in fewer steps than the 3-bit one.
// The null hypothesis: either is as likely to be faster in a (n, seed) pair;
// the one-sided sign test over the 12 pairs rejects it at level 0.01 when at
// least 11 go one way (p = 13 / 4096 = 0.0032): refuted (measured over seeds
// 1..10: T_4 < T_3 in 38 of 40 pairs, T_4 / T_3 from 0.45 to 1.04). The
// corrected statement, checked on the same pairs: the order holds within
// each parity of k, T(n, 2) < T(n, 4), and T(n, 2) < T(n, 3) (measured T_2 /
// T_4 from 0.07 to 0.26).
TEST(X6, AParityOfFourBitsIsLearnedFasterThanOneOfThree) {
  std::string stat;
  int faster = 0, pairs = 0;
  for (const std::int64_t n : {10, 14, 20, 28})
    for (std::uint64_t seed = 1; seed <= kSeeds; ++seed) {
      const ParityRun two = run(n, 2, seed), three = run(n, 3, seed), four = run(n, 4, seed);
      ASSERT_TRUE(two.solved && three.solved && four.solved) << "n " << n << " seed " << seed;
      absl::StrAppendFormat(&stat, "%sn %d seed %d: T2 %d, T3 %d, T4 %d", stat.empty() ? "" : "; ",
                            n, seed, two.solved_step, three.solved_step, four.solved_step);
      ++pairs;
      faster += four.solved_step < three.solved_step;
      EXPECT_LT(two.solved_step, four.solved_step) << "n " << n << " seed " << seed;
      EXPECT_LT(two.solved_step, three.solved_step) << "n " << n << " seed " << seed;
    }
  const double p = sign_test_p(faster, pairs);
  absl::StrAppendFormat(&stat, "; T4 < T3 in %d of %d pairs, one-sided sign test p = %.4f (level 0.01)",
                        faster, pairs, p);
  RecordProperty("measured", stat);
  ASSERT_LT(p, 0.01) << stat;
  record_verdict("X6-ORDER", ClaimState::kRefuted, stat);
}

// The plateau of one run of the 3-bit parity of n = 28 bits, with T the step
// at which it is solved and t_0 the first evaluation with accuracy >= 0.55
// (9 standard deviations of 8192 samples above chance): the share of the
// plateau's evaluations at chance (within 0.5 ± 0.02, 3.6 sd), Spearman's
// rho of relevant_mean (the mean over the k relevant inputs of
// ||W1_t(i, :) - W1_0(i, :)||_inf) with the step over the plateau, and the
// ratio of relevant_mean to irrelevant_mean (the same over the other
// inputs) at the plateau's middle (the evaluation nearest t_0 / 2) and at
// its last evaluation.
struct Plateau {
  double T = 0, t0 = 0, at_chance = 0, rho = 0, ratio_middle = 0, ratio_end = 0;
};
Plateau plateau(std::uint64_t seed) {
  Plateau p;
  const ParityRun r = run(28, 3, seed);
  EXPECT_TRUE(r.solved) << "seed " << seed;
  // Columns: step, accuracy, loss, relevant, irrelevant, relevant_mean,
  // irrelevant_mean, ...
  const auto& rows = r.metrics.rows();
  std::size_t leave = 0;
  while (leave < rows.size() && rows[leave][1] < 0.55) ++leave;
  if (leave < 3 || leave == rows.size()) {
    ADD_FAILURE() << "seed " << seed << ": no plateau of 3 evaluations";
    return p;
  }
  p.T = double(r.solved_step);
  p.t0 = rows[leave][0];
  int at_chance = 0;
  for (std::size_t e = 0; e < leave; ++e) at_chance += std::fabs(rows[e][1] - 0.5) <= 0.02;
  p.at_chance = double(at_chance) / double(leave);
  // Spearman's rho of relevant_mean against the step (steps are increasing).
  std::vector<std::size_t> order(leave);
  for (std::size_t e = 0; e < leave; ++e) order[e] = e;
  std::sort(order.begin(), order.end(),
            [&](std::size_t a, std::size_t b) { return rows[a][5] < rows[b][5]; });
  std::vector<double> rank(leave);
  for (std::size_t j = 0; j < leave; ++j) rank[order[j]] = double(j);
  double sxy = 0, sxx = 0;
  const double mean = (double(leave) - 1) / 2;
  for (std::size_t e = 0; e < leave; ++e) {
    sxy += (double(e) - mean) * (rank[e] - mean);
    sxx += (double(e) - mean) * (double(e) - mean);
  }
  p.rho = sxy / sxx;
  std::size_t middle = 1;
  for (std::size_t e = 1; e < leave; ++e)
    if (std::fabs(rows[e][0] - p.t0 / 2) < std::fabs(rows[middle][0] - p.t0 / 2)) middle = e;
  p.ratio_middle = rows[middle][5] / rows[middle][6];
  p.ratio_end = rows[leave - 1][5] / rows[leave - 1][6];
  return p;
}

// The plateau and the jump: per run (bounds from seeds 1..10),
//   - the plateau is most of the time: t_0 / T >= 0.6 (measured 0.65 to 0.87);
//   - on it, accuracy is at chance at >= 90% of its evaluations (measured
//     95% to 100%);
//   - the progress measure grows steadily: rho >= 0.9 (measured 0.95 to
//     0.99);
//   - the relevant weights pull away before the accuracy moves: at the
//     plateau's last evaluation relevant_mean >= 1.3 irrelevant_mean
//     (measured 1.55 to 2.25).
TEST(X6, AccuracyStaysAtChanceWhileTheWeightsMoveThenJumps) {
  std::string stat;
  for (std::uint64_t seed = 1; seed <= kSeeds; ++seed) {
    const Plateau p = plateau(seed);
    absl::StrAppendFormat(&stat,
                          "%sseed %d: solved at %g, leaves chance at %g (%.2f of it), at chance "
                          "on %.2f of the plateau, rho %.3f, relevant/irrelevant at its end %.2f",
                          seed == 1 ? "" : "; ", seed, p.T, p.t0, p.t0 / p.T, p.at_chance, p.rho,
                          p.ratio_end);
    EXPECT_GE(p.t0 / p.T, 0.6) << "seed " << seed;
    EXPECT_GE(p.at_chance, 0.9) << "seed " << seed;
    EXPECT_GE(p.rho, 0.9) << "seed " << seed;
    EXPECT_GE(p.ratio_end, 1.3) << "seed " << seed;
  }
  RecordProperty("measured", stat);
  record_verdict("X6-JUMP", ClaimState::kVerified, stat);
}

// "The progress is hidden in the relevant weights during the plateau": at
// the plateau's middle the relevant inputs' weights have moved no more than
// the others' (ratio measured 0.82 to 1.12 over seeds 1..10; on 9 of them
// the ratio first reaches 1.3 after 0.88 of t_0). A tie, not a difference:
// not confirmed. Checked: the middle ratio within [0.7, 1.3] on every seed.
TEST(X6, TheRelevantWeightsMoveWithTheOthersUntilTheEndOfThePlateau) {
  std::string stat;
  for (std::uint64_t seed = 1; seed <= kSeeds; ++seed) {
    const Plateau p = plateau(seed);
    absl::StrAppendFormat(&stat, "%sseed %d: relevant/irrelevant at the plateau's middle %.2f",
                          seed == 1 ? "" : "; ", seed, p.ratio_middle);
    EXPECT_GE(p.ratio_middle, 0.7) << "seed " << seed;
    EXPECT_LE(p.ratio_middle, 1.3) << "seed " << seed;
  }
  RecordProperty("measured", stat);
  record_verdict("X6-HIDDEN", ClaimState::kNotConfirmed, stat);
}

}  // namespace
}  // namespace fgbdl
