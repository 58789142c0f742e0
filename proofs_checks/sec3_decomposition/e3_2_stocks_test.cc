// E3.2 of the paper (Section 3.2, Figure 4) at reduced scale: on the
// "stocks" problem, the decomposition estimator reaches a far lower
// objective than the end-to-end estimator when there are many outputs k, the
// gap grows with k, and with few outputs both succeed. The end-to-end runs do
// not close the gap because part of the inputs get stuck: their softmax
// saturates on a wrong output, where the gradient vanishes.
//
// Scale: d = 500 inputs (the paper: 1000), k = 10, 500, 1000 (the paper: 10,
// 1000, 2000), 1000 Adam steps (the paper: 2500); the paper's batch (100),
// learning rate (0.1), beta1, beta2, eps (0.9, 0.99, 1e-5) and the script's
// initialization; seeds 1, 2, 3. The metric is the exact objective
// L(w) = -(1/d) sum_j N_w(e_j)_y(j) (in [-1, 0]; -1 = every input puts all
// its mass on its label; -1/k at a uniform softmax) after the last step.
// Halving d doubles how often each input is seen, so everything happens in
// fewer steps than at d = 1000, and halving k keeps the test's cost at ~1/8
// of the paper's run; the paper-scale numbers are in the report (e3_2_stocks
// --profile=paper).
//
// Measured with this code on seeds 1..10 (the test uses 1..3):
//   k = 10:   L = -0.9997 (e2e) and -0.9998 (dec) for every seed; after 100
//             steps dec -0.9711 .. -0.9725, e2e -0.8898 .. -0.9023;
//   k = 500:  dec -0.983 .. -0.996, e2e -0.832 .. -0.910, gap 0.08 .. 0.16;
//   k = 1000: dec -0.981 .. -0.994, e2e -0.623 .. -0.725, gap 0.26 .. 0.36;
//             after 100 steps dec -0.053 .. -0.074, e2e -0.010 .. -0.021;
//   inputs stuck (softmax >= 0.9 on a wrong output) at k = 1000:
//   e2e 74 .. 92 of 500, dec 0; at k = 10 none for either.
// Thresholds and margins (smallest over seeds 1..10):
//   k = 1000: dec <= -0.95 (margin 0.031), e2e >= -0.85 (0.125), gap >= 0.15
//             (0.11), and gap(1000) >= gap(500) + 0.05 (0.095);
//             e2e stuck >= 25 inputs (5%; margin 49), dec stuck = 0;
//             faster: after 100 steps dec <= e2e - 0.015 (0.019);
//   k = 10:   both <= -0.999 (0.0007), |dec - e2e| <= 0.001 (0.0009);
//             faster: after 100 steps dec <= e2e - 0.03 (0.039).
// Not asserted (the claim's "faster" is not uniform in time): at k = 1000
// the end-to-end objective is ahead for a while in the middle of training,
// before it stalls (seeds 1..3, evaluations every 50 steps: here at steps
// 250 .. 450 by up to 0.089 on seed 1, 300 .. 350 on seed 3, never on seed 2;
// at the paper's d = 1000 at steps 300 .. 450 by up to 0.017 on every seed).
// Fixed seeds make the test deterministic.
#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "experiments/sec3_decomposition/stocks_model.h"
#include "experiments/sec3_decomposition/stocks_training.h"
#include "gtest/gtest.h"
#include "lib/io/results.h"

namespace fgbdl {
namespace {

constexpr std::int64_t kD = 500, kSteps = 1000;

struct Outcome {
  double L = 0;               // exact objective after the last step
  int stuck = 0;              // inputs with softmax >= 0.9 on a wrong output
  std::int64_t reach = -1;    // first evaluation step with L <= -0.9 (-1: never)
  double L100 = 0;            // exact objective after 100 steps
};

Outcome train(std::int64_t k, StocksEstimator e, std::uint64_t seed) {
  StocksSettings s;
  s.d = kD;
  s.k = k;
  s.steps = kSteps;
  s.estimator = e;
  StocksTrainer t(s, seed);
  Outcome out;
  for (std::int64_t step = 1; step <= kSteps; ++step) {
    t.step();
    if (step == 100) out.L100 = t.objective();
    if (step % 100 == 0 && out.reach < 0 && t.objective() <= -0.9) out.reach = step;
  }
  out.L = t.objective();
  for (std::size_t j = 0; j < t.problem().d; ++j) {
    const std::vector<double> s_j = stocks_output(t.model(), j);
    const auto y = static_cast<std::size_t>(t.problem().label[j]);
    for (std::size_t l = 0; l < s_j.size(); ++l) out.stuck += l != y && s_j[l] >= 0.9;
  }
  return out;
}

TEST(E3_2, DecompositionBeatsEndToEndForManyOutputsAndBothSucceedForFew) {
  std::string measured;
  for (const std::uint64_t seed : {1u, 2u, 3u}) {
    double gap500 = 0;
    for (const std::int64_t k : {10, 500, 1000}) {
      const Outcome e2e = train(k, StocksEstimator::kEndToEnd, seed);
      const Outcome dec = train(k, StocksEstimator::kDecomposition, seed);
      const double gap = e2e.L - dec.L;
      measured += absl::StrFormat(
          "k=%d seed=%d: e2e %.4f dec %.4f (gap %.4f, stuck e2e %d dec %d, first L<=-0.9 at step "
          "e2e %d dec %d, L after 100 steps e2e %.4f dec %.4f); ",
          k, seed, e2e.L, dec.L, gap, e2e.stuck, dec.stuck, e2e.reach, dec.reach, e2e.L100,
          dec.L100);
      const std::string where = absl::StrFormat("k=%d seed=%d", k, seed);
      EXPECT_EQ(dec.stuck, 0) << where;
      if (k == 10) {
        EXPECT_LE(e2e.L, -0.999) << where;
        EXPECT_LE(dec.L, -0.999) << where;
        EXPECT_LE(std::fabs(gap), 0.001) << where;
        EXPECT_EQ(e2e.stuck, 0) << where;
        EXPECT_LE(dec.L100, e2e.L100 - 0.03) << where << ": decomposition is not faster";
      } else if (k == 500) {
        gap500 = gap;
      } else {
        EXPECT_LE(dec.L, -0.95) << where;
        EXPECT_GE(e2e.L, -0.85) << where;
        EXPECT_GE(gap, 0.15) << where;
        EXPECT_GE(gap, gap500 + 0.05) << where << ": the gap does not grow with k";
        EXPECT_GE(e2e.stuck, 25) << where;
        EXPECT_LE(dec.L100, e2e.L100 - 0.015) << where << ": decomposition is not faster";
      }
    }
  }
  RecordProperty("measured", absl::StrCat("d=500, 1000 steps, exact objective L after the last "
                                          "step: ", measured));
}

// Same seed, same results (bit for bit); another seed, other results. The
// two estimators of one seed share the problem and the initial weights, so
// their step-0 objectives are identical.
TEST(E3_2, RunsAreDeterministicGivenTheSeed) {
  StocksSettings s;
  s.d = 200;
  s.k = 50;
  s.steps = 200;
  s.eval_every = 50;
  RunStatus status;
  const Table a = train_stocks(s, 7, status);
  const Table b = train_stocks(s, 7, status);
  const Table c = train_stocks(s, 8, status);
  EXPECT_FALSE(status.diverged);
  EXPECT_EQ(a.to_csv(), b.to_csv());
  EXPECT_NE(a.to_csv(), c.to_csv());
  ASSERT_EQ(a.rows().size(), 5u);  // steps 0, 50, 100, 150, 200
  EXPECT_EQ(a.columns(), (std::vector<std::string>{"step", "loss"}));
  s.estimator = StocksEstimator::kDecomposition;
  const Table d = train_stocks(s, 7, status);
  EXPECT_EQ(d.rows()[0][1], a.rows()[0][1]);
  EXPECT_NE(d.rows()[1][1], a.rows()[1][1]);
  // At the start the softmax is near uniform: L ~ -1/k.
  EXPECT_NEAR(a.rows()[0][1], -1.0 / 50, 0.001);
}

}  // namespace
}  // namespace fgbdl
