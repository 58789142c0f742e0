// E5.2-E5.5 of the paper (Section 5, Figure 7) at reduced scale: learning a
// step-function target u(v*^T x + b*) (x ~ N(0, I)/100 in R^100, the
// script's 52 thresholds) with the sigmoid approximation (approx), a ReLU
// network (e2e), a multi-class network (multiclass) and the forward-only
// update (forward_only); and the true gradient through u (plain).
//
// Scale: the paper's data, models, batch (256), optimizers and learning
// rates; forward_only runs its full 5 000 steps (the script's count; it is
// the cheapest), e2e and approx 2 000 (a fifth of the script's 10 000),
// multiclass 5 000 (half); seeds 1, 2, 3 (one test per seed). The errors are
// mean squared errors of the predicted step value on 100 000 fresh samples
// after the last step ("final"; flat_fresh_error); the training cost is the
// thread CPU time of one training step of the model on a fixed batch
// (model_ms, sampling excluded: drawing the batch costs the same for every
// approach, ~0.25 ms, more than a whole forward-only step) and the test cost
// the wall time per sample of the predictor on the 5 000 held-out samples.
//
// Measured with this code (errors on 100 000 fresh points; costs on a
// loaded 2-core machine, the errors are exact reproductions):
//   seed   fo@5000   mc@5000   e2e@2000  approx@2000 (initial)
//   1      0.000241  0.000589  0.00202   0.0186 (0.0746)
//   2      0.00042   0.000735  0.00347   0.106  (0.106: never moves)
//   3      0.000378  0.000808  0.00738   3.66   (3.66:  never moves)
//   CPU ms per model step: fo 0.008-0.012, approx 0.25, e2e 0.42-0.44,
//   mc 0.56-0.64; test ns/sample: fo 21-23, approx 14-24, e2e 710-2400,
//   mc 740-2100. Around the step at b* (1 000 sorted points, |r - b*| <= 0.03,
//   where the target changes once) the prediction changes fo 11/5/3 times,
//   mc 15/9/9 times.
// Asserted with margins (worst seed in brackets): fo <= 0.8 mc (0.57),
// fo <= 0.5 e2e (0.12), fo <= 0.1 approx (0.013), fo's 5 000 steps <= 0.5 x
// the model time of e2e's or mc's 2 000 (~0.07), fo's test cost <= 1/5 of
// e2e's and mc's (~1/30) and <= 3x approx's (1.6), mc boundary changes >= 5
// (9) and > fo's (by 4). The approximation never moves on seeds 2 and 3
// (final >= 0.99 initial: exactly equal) and ends >= 10x above fo on every
// seed (>= 77x). At the script's step counts (e5_flat --profile=paper, 200 000
// fresh points) the order is the same: fo 0.00024/0.00041/0.00040, mc@10000
// 0.00064/0.00076/0.00048, e2e@10000 0.0014/0.0011/0.0014.
// Held-out sets of 5 000-10 000 points are too small to rank fo and mc: the
// error comes from a few points across a wide step (one point across the
// step of width 0.8 weighs 0.64), and on 5 000 points mc@5000 looked better
// than fo on seed 2; hence the 100 000 fresh points.
// Bias sensitivity (seed 1, 1 500 steps from b = b* + offset): offsets -0.1
// and 0 reach 0.0208; +0.3 stays at its initial 0.112 and -1 ends at 0.848
// (asserted: offset 0 <= 0.03, +0.3 never moves, spread >= 5x; measured 41x).
// Fixed seeds: the errors are deterministic; the cost ratios have margins of
// >= 5x over the measured ones.
#include <time.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "experiments/sec5_flat/flat_training.h"
#include "gtest/gtest.h"
#include "lib/io/results.h"

namespace fgbdl {
namespace {

constexpr std::int64_t kTestSamples = 5000;
constexpr std::size_t kFreshSamples = 100000;

double thread_cpu_seconds() {
  timespec ts;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + 1e-9 * static_cast<double>(ts.tv_nsec);
}

FlatSettings settings(FlatApproach a, std::int64_t steps) {
  FlatSettings s;
  s.approach = a;
  s.steps = steps;
  s.lr = script_learning_rate(a);
  s.test_samples = kTestSamples;
  s.eval_every = 1000;
  return s;
}

struct Outcome {
  double initial = 0;                 // error at step 0 (kFreshSamples fresh points)
  double final_error = 0;             // on kFreshSamples fresh points
  double model_ms = 0;                // CPU ms per step on a fixed batch
  double test_ns = 0;                 // per held-out sample
  int switches = 0;                   // changes of the prediction across the zoom
  double zoom_mse = 0;                // MSE on the zoom (|r - b*| <= 0.03)
};

Outcome train(FlatApproach a, std::int64_t steps, std::uint64_t seed, double b_init_offset = NAN) {
  FlatSettings s = settings(a, steps);
  s.b_init_offset = b_init_offset;
  FlatTrainer trainer(s, seed);
  Outcome run;
  run.initial = flat_fresh_error(trainer, seed, kFreshSamples);
  RunStatus status;
  double seconds = 0;
  train_flat(trainer, status, seconds);
  EXPECT_FALSE(status.diverged);
  run.final_error = flat_fresh_error(trainer, seed, kFreshSamples);
  run.test_ns = flat_test_ns_per_sample(trainer, 5);
  // The boundary at b*: 1 000 points with |r - b*| <= 0.03, sorted by r; the
  // target changes value once there.
  const Table zoom = flat_zoom_table(trainer, seed, 0.0, 0.03, 1000);
  for (std::size_t i = 0; i < zoom.rows().size(); ++i) {
    const auto& row = zoom.rows()[i];
    run.zoom_mse += (row[2] - row[1]) * (row[2] - row[1]);
    if (i > 0 && row[2] != zoom.rows()[i - 1][2]) ++run.switches;
  }
  run.zoom_mse /= static_cast<double>(zoom.rows().size());
  // Model cost per step: 100 steps on one fixed batch (after the run).
  Engine rng(99);
  Matrix x, y;
  std::vector<double> r;
  sample_step_batch(trainer.target(), static_cast<std::size_t>(s.batch), rng, x, r, y);
  for (int i = 0; i < 10; ++i) trainer.step_on(x, r, y);
  const double start = thread_cpu_seconds();
  for (int i = 0; i < 100; ++i) trainer.step_on(x, r, y);
  run.model_ms = (thread_cpu_seconds() - start) * 1e3 / 100;
  return run;
}

void check_seed(std::uint64_t seed) {
  const Outcome fo = train(FlatApproach::kForwardOnly, 5000, seed);
  const Outcome e2e = train(FlatApproach::kEndToEnd, 2000, seed);
  const Outcome mc = train(FlatApproach::kMulticlass, 5000, seed);
  const Outcome ap = train(FlatApproach::kApprox, 2000, seed);
  const std::string where = absl::StrCat("seed ", seed);
  // Accuracy: forward-only after its 5 000 steps beats multiclass after as
  // many, e2e and the approximation after 2 000.
  EXPECT_LE(fo.final_error, 0.8 * mc.final_error) << where;
  EXPECT_LE(fo.final_error, 0.5 * e2e.final_error) << where;
  EXPECT_LE(fo.final_error, 0.1 * ap.final_error) << where;
  // Training cost: fo's 5 000 steps against e2e's and mc's 2 000.
  EXPECT_LE(5000 * fo.model_ms, 0.5 * 2000 * e2e.model_ms) << where;
  EXPECT_LE(5000 * fo.model_ms, 0.5 * 2000 * mc.model_ms) << where;
  // Test cost: far below the networks', the same as the approximation's
  // (the same predictor u(w^T x + b)).
  EXPECT_LE(fo.test_ns, e2e.test_ns / 5) << where;
  EXPECT_LE(fo.test_ns, mc.test_ns / 5) << where;
  EXPECT_LE(fo.test_ns, 3 * ap.test_ns) << where;
  // Multi-class boundaries are blurred: around the step at b* its predicted
  // value changes many times where the target changes once, more often than
  // forward-only's (which is not perfectly sharp either).
  EXPECT_GE(mc.switches, 5) << where;
  EXPECT_GT(mc.switches, fo.switches) << where;
  // The approximation is much worse (and, on some seeds, never moves).
  EXPECT_GE(ap.final_error, 10 * fo.final_error) << where;
  ::testing::Test::RecordProperty(
      "measured",
      absl::StrFormat(
          "seed %d, MSE on 1e5 fresh points: forward_only@5000 %.3g, multiclass@5000 %.3g, "
          "e2e@2000 %.3g, approx@2000 %.3g (initial %.3g); CPU ms per model step: fo "
          "%.3f, approx %.3f, e2e %.3f, mc %.3f; test ns/sample: fo %.0f, approx %.0f, e2e %.0f, "
          "mc %.0f; around the step at b* (1000 points, |r - b*| <= 0.03; the target changes "
          "once): prediction changes fo %d, mc %d; MSE there fo %.3g, mc %.3g, e2e %.3g",
          seed, fo.final_error, mc.final_error, e2e.final_error, ap.final_error,
          ap.initial, fo.model_ms, ap.model_ms, e2e.model_ms, mc.model_ms, fo.test_ns,
          ap.test_ns, e2e.test_ns, mc.test_ns, fo.switches, mc.switches, fo.zoom_mse,
          mc.zoom_mse, e2e.zoom_mse));
  if (seed != 1) {
    // Seeds 2 and 3: the approximation's predicted steps never change.
    EXPECT_GE(ap.final_error, 0.99 * ap.initial) << where;
  }
}

TEST(E5, ForwardOnlyAgainstTheOtherApproachesSeed1) { check_seed(1); }
TEST(E5, ForwardOnlyAgainstTheOtherApproachesSeed2) { check_seed(2); }
TEST(E5, ForwardOnlyAgainstTheOtherApproachesSeed3) { check_seed(3); }

// E5.2's "sensitive to the bias initialization": the same run of the
// approximation (seed 1, 1 500 steps) from several initial biases.
TEST(E5, SigmoidApproximationIsSensitiveToTheInitialBias) {
  std::string measured = "seed 1, approx@1500 held-out MSE by initial bias b* + offset:";
  double best = INFINITY, worst = 0;
  for (const double offset : {-1.0, -0.1, 0.0, 0.3}) {
    const Outcome r = train(FlatApproach::kApprox, 1500, 1, offset);
    best = std::min(best, r.final_error);
    worst = std::max(worst, r.final_error);
    measured += absl::StrFormat(" %+.1f: %.3g (initial %.3g);", offset, r.final_error, r.initial);
    if (offset == 0.0) {
      EXPECT_LE(r.final_error, 0.03);
    }
    if (offset == 0.3) {
      EXPECT_GE(r.final_error, 0.99 * r.initial);
    }
  }
  EXPECT_GE(worst, 5 * best);
  RecordProperty("measured", measured);
}

// Plain gradient descent through u: the gradient is exactly zero, and after
// 300 Adam steps every parameter equals its initial value bit for bit.
TEST(E5, GradientThroughTheStepFunctionIsExactlyZero) {
  FlatSettings s = settings(FlatApproach::kPlain, 300);
  FlatTrainer trainer(s, 1);
  const std::vector<float> W0(trainer.layers()[0].W.begin(), trainer.layers()[0].W.end());
  const float b0 = trainer.layers()[0].b(0);
  const double error0 = trainer.test_error();
  double loss_sum = 0;
  for (int t = 0; t < 300; ++t) {
    loss_sum += trainer.step();
    for (const float g : trainer.last_gradient()) ASSERT_EQ(g, 0.0f) << "step " << t;
  }
  EXPECT_GT(loss_sum, 0.0);  // the loss is not zero: there is something to learn
  const std::vector<float> W1(trainer.layers()[0].W.begin(), trainer.layers()[0].W.end());
  const float b1 = trainer.layers()[0].b(0);
  ASSERT_EQ(W0.size(), W1.size());
  EXPECT_EQ(std::memcmp(W0.data(), W1.data(), W0.size() * sizeof(float)), 0);
  EXPECT_EQ(std::memcmp(&b0, &b1, sizeof(float)), 0);
  EXPECT_EQ(trainer.test_error(), error0);
  // forward_only from the same start does move (same data, same init).
  FlatTrainer fo(settings(FlatApproach::kForwardOnly, 300), 1);
  for (int t = 0; t < 300; ++t) fo.step();
  EXPECT_LT(fo.test_error(), 0.5 * error0);
  RecordProperty("measured",
                 absl::StrFormat("300 steps: plain gradient identically 0, parameters unchanged "
                                 "bit for bit, held-out MSE stays %.4g; forward_only from the "
                                 "same start: %.4g",
                                 error0, fo.test_error()));
}

// Same seed, same results (bit for bit); another seed, other results.
TEST(E5, RunsAreDeterministicGivenTheSeed) {
  for (const FlatApproach a : {FlatApproach::kApprox, FlatApproach::kEndToEnd,
                               FlatApproach::kMulticlass, FlatApproach::kForwardOnly}) {
    FlatSettings s = settings(a, 60);
    s.eval_every = 20;
    s.test_samples = 500;
    RunStatus status;
    double seconds = 0;
    FlatTrainer t1(s, 7), t2(s, 7), t3(s, 8);
    const Table a1 = train_flat(t1, status, seconds);
    const Table a2 = train_flat(t2, status, seconds);
    const Table a3 = train_flat(t3, status, seconds);
    EXPECT_EQ(a1.to_csv(), a2.to_csv()) << to_string(a);
    EXPECT_NE(a1.to_csv(), a3.to_csv()) << to_string(a);
    EXPECT_EQ(a1.rows().size(), 4u);
    EXPECT_EQ(a1.columns(),
              (std::vector<std::string>{"step", "train_error", "test_error", "train_loss"}));
    const Table f1 = flat_fit_table(t1, 100), f2 = flat_fit_table(t2, 100);
    EXPECT_EQ(f1.to_csv(), f2.to_csv());
    for (std::size_t i = 1; i < f1.rows().size(); ++i)
      EXPECT_LE(f1.rows()[i - 1][0], f1.rows()[i][0]);  // sorted by r
    const Table z = flat_zoom_table(t1, 7, 0.0, 0.03, 50);
    for (const auto& row : z.rows())
      EXPECT_LE(std::fabs(row[0] - t1.target().b_star), 0.03);
  }
}

}  // namespace
}  // namespace fgbdl
