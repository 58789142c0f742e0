// X5 (paper/ext_noise.md), after Abbe and Sandon ("Provable limitations of
// deep learning", arXiv 1812.06369; "Poly-time universality and limitations
// of deep learning", arXiv 2001.02992): gradient descent with large batches
// and enough Gaussian noise in its gradients cannot learn parities of high
// degree, while it still learns low-degree targets. The prediction tested,
// stated before the full runs: beyond a noise level tau* the parity's
// held-out accuracy stays at chance on every seed while a single bit is
// still learned; without noise the same network learns the same parity at
// the same size, so the failure is the noise's. tau* = 0.1 was chosen from
// one exploratory run (seed 1: the parity learned at tau = 1e-2, at chance
// at 0.1 and 1, the bit learned at 1). The data refute the prediction; the
// cases keep the counterexamples and check the corrected statements.
//
// Each case runs the experiment library of //experiments/ext_noise:x5_noisy_gd
// at its default settings (d = 20 bits, a parity of k = 6 of them or a single
// bit, the E2.1 network 20 -> 200 -> 1, hinge loss, SGD at learning rate 0.1
// on batches of 1024 fresh samples, 4000 steps, 4096 held-out samples) on
// fixed seeds 1..3: deterministic, no flake budget beyond the choice of seeds.
// Bounds measured over seeds 1..8 are stated next to them.
#include <algorithm>
#include <cstdint>
#include <string>

#include "absl/strings/str_format.h"
#include "experiments/ext_noise/noisy_training.h"
#include "gtest/gtest.h"
#include "lib/io/results.h"
#include "proofs_checks/verdict.h"

namespace fgbdl {
namespace {

constexpr std::uint64_t kSeeds = 3;
constexpr double kTauStar = 0.1;

struct Accuracy {
  double final_accuracy = 0;  // at the last evaluation
  double best = 0;            // the highest over every evaluation after step 0
};

Accuracy run(int degree, double tau, std::uint64_t seed) {
  NoisySettings s;
  s.degree = degree;
  s.tau = tau;
  RunStatus status;
  const Table t = noisy_run(s, seed, status);
  EXPECT_FALSE(status.diverged) << "degree " << degree << " tau " << tau << " seed " << seed;
  Accuracy a;
  a.final_accuracy = t.rows().back()[1];
  for (std::size_t r = 1; r < t.rows().size(); ++r) a.best = std::max(a.best, t.rows()[r][1]);
  return a;
}

// X5-ZERO. Without noise the parity of 6 of the 20 bits is learned: final
// held-out accuracy at least 0.9 on every seed (measured 0.9583 to 1.0000 over
// seeds 1..8).
TEST(X5, WithoutNoiseTheParityIsLearned) {
  std::string stat;
  for (std::uint64_t seed = 1; seed <= kSeeds; ++seed) {
    const Accuracy a = run(6, 0, seed);
    absl::StrAppendFormat(&stat, "%sseed %d: parity at tau 0, final accuracy %.4f",
                          seed == 1 ? "" : "; ", seed, a.final_accuracy);
    EXPECT_GE(a.final_accuracy, 0.9) << "seed " << seed;
  }
  RecordProperty("measured", stat);
  record_verdict("X5-ZERO", ClaimState::kVerified, stat);
}

// X5, the prediction stated before the full runs: at tau* = 0.1 the parity
// stays at chance on every seed. Refuted by an exact counterexample: on seed
// 3 its held-out accuracy reaches 0.957 (step 3300), above 0.95. The
// corrected statement, checked: at tau* the parity's fate depends on the
// seed; on seeds 1 and 2 its accuracy never exceeds 0.56 at any evaluation
// (at chance the accuracy on 4096 samples has standard deviation 0.0078:
// 0.56 is 7.7 of them; measured 0.5002 to 0.5195 on the 6 of seeds 1..8 where
// the parity stays at chance; seed 5 ends at 0.777 and rising), on seed 3 it reaches 0.95;
// the single bit ends at 0.95 or more on every seed (measured 0.9978 to
// 0.9998 over seeds 1..8).
TEST(X5, AtTauStarTheParityIsLearnedOnSomeSeedsAndNotOnOthers) {
  std::string stat;
  for (std::uint64_t seed = 1; seed <= kSeeds; ++seed) {
    const Accuracy parity = run(6, kTauStar, seed), bit = run(1, kTauStar, seed);
    absl::StrAppendFormat(&stat,
                          "%sseed %d: at tau %g parity best accuracy %.4f (final %.4f), single "
                          "bit final %.4f",
                          seed == 1 ? "" : "; ", seed, kTauStar, parity.best,
                          parity.final_accuracy, bit.final_accuracy);
    if (seed == 3)
      EXPECT_GE(parity.best, 0.95) << "the counterexample, seed " << seed;
    else
      EXPECT_LE(parity.best, 0.56) << "seed " << seed;
    EXPECT_GE(bit.final_accuracy, 0.95) << "seed " << seed;
  }
  RecordProperty("measured", stat);
  record_verdict("X5", ClaimState::kRefuted, stat);
}

// X5, second counterexample: more noise is not less learning. On seed 1 the
// parity stays at chance at tau* = 0.1 (best 0.5195) but at 3 tau* = 0.3 it
// ends at 0.7495 and rising: the noise's random walk inflates the weights
// (the training hinge loss climbs to 7 by step 2000), and with them the
// gradient's signal, while the noise's scale stays tau. One deterministic
// run each, an exact counterexample (no margin over seeds needed); the event
// depends on the noise's realization: with tau = 3 * 0.1, whose bits differ
// from 0.3 and so seed another noise stream, the same seed stays at chance
// (final 0.503). Checked:
// best at tau* at most 0.56, final at 0.3 at least 0.7.
TEST(X5, MoreNoiseCanLetTheParityBeLearned) {
  const Accuracy star = run(6, kTauStar, 1), triple = run(6, 0.3, 1);
  const std::string stat = absl::StrFormat(
      "seed 1: parity best accuracy %.4f at tau %g, final accuracy %.4f at tau %g", star.best,
      kTauStar, triple.final_accuracy, 0.3);
  EXPECT_LE(star.best, 0.56);
  EXPECT_GE(triple.final_accuracy, 0.7);
  RecordProperty("measured", stat);
  record_verdict("X5", ClaimState::kRefuted, stat);
}

// X5-HIGH, the corrected statement: from tau = 1 = 10 tau* on, parity
// learning stops within the step budget while the single bit is still
// learned. At tau = 1 the parity's held-out accuracy never exceeds 0.56 at
// any evaluation on any seed (measured 0.4985 to 0.5186 over seeds 1..8) and
// the single bit ends at 0.95 or more (measured 0.9980 to 0.9993).
TEST(X5, AtTenTimesTauStarTheParityStaysAtChanceWhileTheSingleBitIsLearned) {
  std::string stat;
  for (std::uint64_t seed = 1; seed <= kSeeds; ++seed) {
    const Accuracy parity = run(6, 1.0, seed), bit = run(1, 1.0, seed);
    absl::StrAppendFormat(&stat,
                          "%sseed %d: at tau %g parity best accuracy %.4f (final %.4f), single "
                          "bit final %.4f",
                          seed == 1 ? "" : "; ", seed, 1.0, parity.best,
                          parity.final_accuracy, bit.final_accuracy);
    EXPECT_LE(parity.best, 0.56) << "seed " << seed;
    EXPECT_GE(bit.final_accuracy, 0.95) << "seed " << seed;
  }
  RecordProperty("measured", stat);
  record_verdict("X5-HIGH", ClaimState::kVerified, stat);
}

// X5-BIT. The single bit is learned even at the grid's largest noise,
// tau = 10 = 100 tau*: final accuracy 0.95 or more on every seed (measured
// 0.9971 to 0.9993 over seeds 1..8).
TEST(X5, TheSingleBitIsStillLearnedAtAHundredTimesTauStar) {
  std::string stat;
  for (std::uint64_t seed = 1; seed <= kSeeds; ++seed) {
    const Accuracy bit = run(1, 10.0, seed);
    absl::StrAppendFormat(&stat, "%sseed %d: single bit at tau %g, final accuracy %.4f",
                          seed == 1 ? "" : "; ", seed, 10.0, bit.final_accuracy);
    EXPECT_GE(bit.final_accuracy, 0.95) << "seed " << seed;
  }
  RecordProperty("measured", stat);
  record_verdict("X5-BIT", ClaimState::kVerified, stat);
}

}  // namespace
}  // namespace fgbdl
