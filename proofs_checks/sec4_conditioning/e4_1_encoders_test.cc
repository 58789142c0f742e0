// E4.1.1-E4.1.4 of the paper (Section 4.1, Figure 6) at reduced scale: four
// ways to learn the encoding of piecewise-linear curves, n = 100, k = 3,
// float32, measured by the reconstruction error on held-out curves (mean over
// curves of ||decoded - f||^2 / n; experiments/sec4_conditioning/pwl_encoders.h).
//
// What the paper reports, as an ordering at equal step budgets: the
// convolution on whitened patches (E4.1.3) beats the plain convolution
// (E4.1.2), which beats the fully connected layer (E4.1.1); and the
// autoencoder (E4.1.4) fails to capture the kinks.
//
// Scale: the scripts' pool of 10 000 training curves and 1 000 held-out
// curves, the scripts' batches (100; 10 for conv_whitened) and Adam learning
// rates (1e-4, 0.05, 0.99, 1e-3), or SGD at the package's default rates
// (pwl_encoders.h); reduced budgets: 500 steps (the script's conv_whitened
// budget), 5 000 steps for fc against conv (the scripts: 50 000) and 1 000
// autoencoder steps (the script: 10 000). A run here equals the binary's run
// with the same seed and settings (e4_1_encoders --steps=...). The numbers
// quoted below were measured with this code on seeds 1..10
// (DISABLED_MeasureMargins prints them); the tests use fixed seeds and are
// deterministic. (The slow parts, 5 000-step and autoencoder runs, use two
// seeds to keep the test near 10 s of CPU.)
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "experiments/sec4_conditioning/pwl_encoders.h"
#include "gtest/gtest.h"
#include "lib/io/results.h"
#include "lib/train/gradient_check.h"
#include "proofs_checks/verdict.h"

namespace fgbdl {
namespace {

PwlSettings settings(PwlEncoder e, PwlOptimizer o, bool script_data) {
  PwlSettings s;
  s.encoder = e;
  s.optimizer = o;
  s.data = pwl_curve_distribution(e, script_data);
  s.batch = pwl_script_batch(e);  // pool 10 000, held-out 1 000: the defaults
  return s;
}

struct Outcome {
  double error = 0;  // held-out reconstruction error
  KinkErrors kinks;
};

Outcome train(PwlEncoder e, PwlOptimizer o, bool script_data, std::int64_t steps,
              std::uint64_t seed) {
  PwlTrainer t(settings(e, o, script_data), seed);
  for (std::int64_t i = 0; i < steps; ++i) t.step();
  return {t.test_error(), t.test_kink_errors()};
}

const char* name(PwlOptimizer o) { return o == PwlOptimizer::kSgd ? "sgd" : "adam"; }
const char* data_name(bool script) { return script ? "script" : "paper"; }

// E4.1.3 with SGD (the paper's analysis), against E4.1.1 and E4.1.2 at the
// conv_whitened script's budget of 500 steps, both curve distributions.
// Measured on seeds 1..10: whitened error 1.8e-9 .. 2.3e-5 on the paper's
// curves and exactly 0 on the script's (float32 finds the filter exactly),
// whitened / min(conv, fc) <= 1.5e-5; conv 794 .. 2 910, fc 1.46 .. 3.57.
// Thresholds: whitened error <= 1e-3 and ratio <= 1e-3 (margins 44x, 65x).
TEST(E4_1_3, WhitenedConvolutionBeatsConvolutionAndFullyConnectedWithSgd) {
  std::string measured;
  for (const bool script : {false, true}) {
    for (const std::uint64_t seed : {1u, 2u, 3u}) {
      const PwlOptimizer o = PwlOptimizer::kSgd;
      const double w = train(PwlEncoder::kConvWhitened, o, script, 500, seed).error;
      const double c = train(PwlEncoder::kConv, o, script, 500, seed).error;
      const double f = train(PwlEncoder::kFullyConnected, o, script, 500, seed).error;
      const std::string where =
          absl::StrFormat("%s seed %d", data_name(script), static_cast<int>(seed));
      measured += absl::StrFormat("%s: whitened %.2g conv %.3g fc %.3g; ", where, w, c, f);
      EXPECT_LE(w, 1e-3) << where;
      EXPECT_LE(w, 1e-3 * std::min(c, f)) << where;
    }
  }
  RecordProperty("measured", "SGD, held-out reconstruction error after 500 steps, n = 100: " +
                                 measured);
}

// E4.1.3 as the script runs it (Adam, learning rate 0.99, batch 10): the
// whitened convolution gets accurate within a few hundred steps, but Adam's
// large step keeps throwing it off, so after 500 steps it is not reliably
// accurate. Measured on seeds 1..10 after 500 steps: paper curves 1.0e-5 ..
// 5.6e3 (> 1 on seeds 4 and 7), script curves 1.7e-6 .. 602 (> 1 on seeds 2,
// 7, 9); fc after 500 Adam steps 1.4 .. 29.9 and 2.7 .. 195. The test
// asserts the counterexample (script curves, seed 7: whitened 212 against fc
// 8.24), and what holds: a majority of runs is accurate, error <= 0.1 in 14
// of the 20 runs (threshold: at least 12).
TEST(E4_1_3, WhitenedConvolutionWithTheScriptsAdamIsNotReliablyAccurateAt500Steps) {
  std::string measured;
  const double w7 = train(PwlEncoder::kConvWhitened, PwlOptimizer::kAdam, true, 500, 7).error;
  const double f7 = train(PwlEncoder::kFullyConnected, PwlOptimizer::kAdam, true, 500, 7).error;
  measured += absl::StrFormat("script seed 7: whitened %.3g fc %.3g; all runs:", w7, f7);
  EXPECT_GT(w7, 1.0);
  EXPECT_GT(w7, f7);
  int accurate = 0, inaccurate = 0;
  for (const bool script : {false, true}) {
    for (std::uint64_t seed = 1; seed <= 10; ++seed) {
      const double w =
          train(PwlEncoder::kConvWhitened, PwlOptimizer::kAdam, script, 500, seed).error;
      accurate += w <= 0.1;
      inaccurate += w > 1.0;
      measured += absl::StrFormat(" %s/%d %.2g", data_name(script), static_cast<int>(seed), w);
    }
  }
  EXPECT_GE(accurate, 12);
  RecordProperty("measured",
                 absl::StrCat("Adam lr 0.99 batch 10, held-out error after 500 steps: ", measured,
                              "; runs with error <= 0.1: ", accurate, " of 20"));
  // An exact counterexample: one deterministic run (script curves, seed 7)
  // whose decoded curves are far from exact, worse than fc's after the same
  // steps.
  if (w7 > 1.0 && w7 > f7) {
    record_verdict(
        "E4.1.3", ClaimState::kRefuted,
        absl::StrFormat(
            "with the script's Adam (lr 0.99), an exact counterexample: after 500 steps the "
            "whitened convolution's held-out error is %.3g on script curves, seed 7 (fc: %.3g), "
            "and > 1 on %d of 20 runs (seeds 1..10, both curve distributions). Corrected: with "
            "SGD at 1/(2 lambda_max) it is accurate within 500 steps on every seed checked "
            "(E4_1_3.WhitenedConvolutionBeatsConvolutionAndFullyConnectedWithSgd)",
            w7, f7, inaccurate));
  }
}

// E4.1.2: the paper's "conv beats fc" does not hold for the reconstruction
// error. With SGD (the paper's analysis; rate 1/(2 lambda_max) for both) the
// convolution's error stays large: conv/fc after 5 000 steps measured
// 2 080 .. 2 950 on seeds 1..10, both distributions (threshold 100, margin
// 20x). Why: the slowest
// direction of the convolution's problem (the filter error along about
// [1, -2, 1]) changes p_hat by a multiple of U f, i.e. the decoded curve by
// a multiple of f itself, while the fully connected layer's slow directions
// carry little of f's energy (its decoded error is W (U_hat - U) f =
// -sum_i (1 - 2 eta lambda_i)^t (v_i . f) v_i). With Adam (the scripts) fc
// is also ahead after 500 steps (conv/fc 3.35 .. 581 on seeds 1..10); only at the
// script's 50 000 steps is conv ahead, and not on every seed (paper profile,
// script curves: conv 5.4e-5, 2.1e-7, 0.068 vs fc 14.2, 2.0, 6.2 on seeds
// 1..3; paper curves: conv 59, 14, 4.9e3 vs fc 8.8, 0.23, 7.3).
// E4.1.1's "errors at the kinks": with SGD the fully connected layer's error
// after 5 000 steps is concentrated near the kinks (near / away, as in the
// autoencoder test below: measured 8.94 .. 9.46 on paper curves, 19.8 .. 21.2
// on script curves, seeds 1..10; threshold 4, margin 2.2x); with Adam it is
// not (0.54 .. 1.08 with a 2 000-curve pool), and is not asserted.
TEST(E4_1_2, ConvolutionDoesNotBeatFullyConnectedInReconstructionError) {
  std::string measured;
  double least_sgd = INFINITY, least_adam = INFINITY;  // smallest conv / fc
  for (const bool script : {false, true}) {
    for (const std::uint64_t seed : {1u, 2u}) {
      const std::string where =
          absl::StrFormat("%s seed %d", data_name(script), static_cast<int>(seed));
      const double c = train(PwlEncoder::kConv, PwlOptimizer::kSgd, script, 5000, seed).error;
      const Outcome f =
          train(PwlEncoder::kFullyConnected, PwlOptimizer::kSgd, script, 5000, seed);
      EXPECT_GE(c, 100 * f.error) << where << " (sgd)";
      EXPECT_GE(f.kinks.near, 4 * f.kinks.away) << where << " (fc, sgd)";
      const double c_adam = train(PwlEncoder::kConv, PwlOptimizer::kAdam, script, 500, seed).error;
      const double f_adam =
          train(PwlEncoder::kFullyConnected, PwlOptimizer::kAdam, script, 500, seed).error;
      EXPECT_GT(c_adam, f_adam) << where << " (adam, 500 steps)";
      least_sgd = std::min(least_sgd, c / f.error);
      least_adam = std::min(least_adam, c_adam / f_adam);
      measured += absl::StrFormat(
          "%s: sgd 5000 steps conv %.4g fc %.4g (fc near/away kinks %.3g); adam 500 steps "
          "conv %.4g fc %.4g; ",
          where, c, f.error, f.kinks.near / f.kinks.away, c_adam, f_adam);
    }
  }
  RecordProperty("measured", measured);
  // The level: conv/fc >= 100 on every run with SGD (asserted above), a
  // ratio far outside the run-to-run spread (2 080 .. 2 950 over seeds 1..10).
  if (least_sgd >= 100 && least_adam > 1.0) {
    record_verdict(
        "E4.1.2", ClaimState::kRefuted,
        absl::StrFormat(
            "conv faster than fc: in held-out reconstruction error fc leads at equal budgets, "
            "on every run at the level conv/fc >= 100: with SGD (n = 100) conv/fc >= %.0f after "
            "5 000 steps, and with Adam conv/fc >= %.3g after 500 steps (seeds 1, 2, paper and "
            "script curves, 1 000 held-out curves each). Corrected: only the whitened "
            "convolution beats fc; the plain convolution's slowest direction is the one the "
            "decoded curve is most sensitive to",
            least_sgd, least_adam));
  }
}

// E4.1.4: the autoencoder's error concentrates at the kinks. Measure: the
// mean squared error on the held-out samples within 1 of a bend of f
// ("near") over that on the samples 3 or more away from every bend
// ("away"), kink_errors in pwl_encoders.h. After 1 000 steps, measured on
// seeds 1..10: Adam on the script's continuous curves 2.19 .. 3.92, SGD on
// the paper's curves 2.02 .. 2.48; the whitened convolution (SGD, 500 steps,
// paper curves), which represents the kinks exactly, 0.52 .. 0.72. After
// the script's 10 000 steps (paper profile, seeds 1..3): Adam 4.45 .. 5.08
// (script curves), SGD 3.28 .. 3.47. Thresholds: the autoencoder's ratio
// >= 1.5 (margin 1.35x at the worst seed), the whitened convolution's <= 1
// (margin 1.39x).
TEST(E4_1_4, AutoEncoderErrorConcentratesAtTheKinks) {
  std::string measured;
  struct Case {
    PwlOptimizer o;
    bool script;
    std::uint64_t seed;
  };
  for (const Case& k : {Case{PwlOptimizer::kAdam, true, 1}, Case{PwlOptimizer::kAdam, true, 2},
                        Case{PwlOptimizer::kSgd, false, 1}}) {
    const Outcome a = train(PwlEncoder::kAutoEncoder, k.o, k.script, 1000, k.seed);
    const Outcome w = train(PwlEncoder::kConvWhitened, PwlOptimizer::kSgd, false, 500, k.seed);
    const std::string where = absl::StrFormat("%s %s seed %d", name(k.o), data_name(k.script),
                                              static_cast<int>(k.seed));
    measured += absl::StrFormat(
        "%s: autoencoder error %.3g, near %.3g away %.3g (ratio %.2f); whitened conv ratio "
        "%.2f; ",
        where, a.error, a.kinks.near, a.kinks.away, a.kinks.near / a.kinks.away,
        w.kinks.near / w.kinks.away);
    EXPECT_GE(a.kinks.near, 1.5 * a.kinks.away) << where;
    EXPECT_LE(w.kinks.near, 1.0 * w.kinks.away) << where;
  }
  RecordProperty("measured", "held-out squared error near / away from the kinks, 1000 steps: " +
                                 measured);
}

// Same seed, same run (bit for bit); another seed, another run.
TEST(E4_1, RunsAreDeterministicGivenTheSeed) {
  for (const PwlEncoder e : {PwlEncoder::kFullyConnected, PwlEncoder::kConvWhitened,
                             PwlEncoder::kAutoEncoder}) {
    PwlSettings s = settings(e, PwlOptimizer::kAdam, true);
    s.pool = 300;
    s.held_out = 20;
    s.steps = 30;
    s.curve_steps = {10};
    const PwlRun a = train_pwl(s, 7), b = train_pwl(s, 7), c = train_pwl(s, 8);
    EXPECT_FALSE(a.status.diverged) << to_string(e);
    EXPECT_EQ(a.metrics.to_csv(), b.metrics.to_csv()) << to_string(e);
    EXPECT_EQ(a.curves.to_csv(), b.curves.to_csv()) << to_string(e);
    EXPECT_NE(a.metrics.to_csv(), c.metrics.to_csv()) << to_string(e);
    // Evaluations at 0, 1, 2, 3, 4, 5, 6, 8, 10, 13, 16, 20, 25, 30; curves
    // at 10 and 30, 2 curves of n samples each.
    EXPECT_EQ(a.metrics.rows().size(), 14u) << to_string(e);
    EXPECT_EQ(a.curves.rows().size(), 2u * 2u * 100u) << to_string(e);
  }
}

// The models' gradients against central differences of their losses, one
// parameter group at a time along the group's own gradient
// (lib/train/gradient_check.h), at a random point (float32; the three linear
// models' losses are quadratic, so the difference quotient is exact up to
// rounding). Largest relative error measured over 3 seeds: 4.9e-4; bound 1e-2. A
// factor 1.2 in one group shows as 0.167 there.
TEST(E4_1, GradientsMatchFiniteDifferences) {
  double worst = 0;
  for (const PwlEncoder e : {PwlEncoder::kFullyConnected, PwlEncoder::kConv,
                             PwlEncoder::kConvWhitened, PwlEncoder::kAutoEncoder}) {
    for (const bool relu_code : {false, true}) {
      if (relu_code && e != PwlEncoder::kAutoEncoder) continue;
      for (std::uint64_t seed = 1; seed <= 3; ++seed) {
        PwlSettings s = settings(e, PwlOptimizer::kSgd, false);
        s.n = 12;
        s.relu_code = relu_code;
        Engine rng = derive_engine(seed, 0);
        MatrixD fd, pd;
        sample_curves(CurveDistribution::kPaper, s.n, s.k, 50, rng, &fd, &pd);
        PwlBatch batch{Matrix::from_shape(fd.shape()), Matrix::from_shape(pd.shape())};
        std::copy(fd.begin(), fd.end(), batch.f.begin());
        std::copy(pd.begin(), pd.end(), batch.p.begin());
        Engine init = derive_engine(seed, 1);
        auto model = make_pwl_model(s, batch.f, init);
        for (const Parameter& q : model->parameters())
          for (std::size_t i = 0; i < q.n; ++i) q.w[i] += static_cast<float>(0.1 * normal(rng));
        for (const GroupGradientCheck& c : check_gradient(*model, batch, {1e-2, 1e-3, 1e-4}, rng)) {
          EXPECT_LT(c.relative_error(1e-6), 1e-2)
              << to_string(e) << (relu_code ? " relu code" : "") << " seed " << seed << " "
              << c.name << ": " << c.analytic << " vs " << c.numeric;
          worst = std::max(worst, c.relative_error(1e-6));
        }
      }
    }
  }
  RecordProperty("measured", absl::StrFormat("largest relative error %.3g", worst));
}

// Prints the numbers behind the thresholds above, over seeds 1..10:
//   bazel run //proofs_checks/sec4_conditioning:e4_1_encoders_test --
//     --gtest_also_run_disabled_tests --gtest_filter='*Measure*'
TEST(E4_1, DISABLED_MeasureMargins) {
  for (const bool script : {false, true}) {
    for (std::uint64_t seed = 1; seed <= 10; ++seed) {
      const PwlOptimizer sgd = PwlOptimizer::kSgd, adam = PwlOptimizer::kAdam;
      const Outcome w = train(PwlEncoder::kConvWhitened, sgd, script, 500, seed);
      const Outcome c500 = train(PwlEncoder::kConv, sgd, script, 500, seed);
      const Outcome f500 = train(PwlEncoder::kFullyConnected, sgd, script, 500, seed);
      const Outcome c = train(PwlEncoder::kConv, sgd, script, 5000, seed);
      const Outcome f = train(PwlEncoder::kFullyConnected, sgd, script, 5000, seed);
      const Outcome wa = train(PwlEncoder::kConvWhitened, adam, script, 500, seed);
      const Outcome ca = train(PwlEncoder::kConv, adam, script, 500, seed);
      const Outcome fa = train(PwlEncoder::kFullyConnected, adam, script, 500, seed);
      std::printf("%s seed %d: sgd 500 steps whitened %.3g conv %.3g fc %.3g (ratio %.3g, "
                  "whitened kinks %.3g); sgd 5000 steps conv %.4g fc %.4g (conv/fc %.3g, fc "
                  "kinks %.3g); adam 500 steps whitened %.3g conv %.3g fc %.3g (w/fc %.3g, "
                  "conv/fc %.3g)\n",
                  data_name(script), static_cast<int>(seed), w.error, c500.error, f500.error,
                  w.error / std::min(c500.error, f500.error), w.kinks.near / w.kinks.away,
                  c.error, f.error, c.error / f.error, f.kinks.near / f.kinks.away, wa.error,
                  ca.error, fa.error, wa.error / fa.error, ca.error / fa.error);
      std::fflush(stdout);
    }
  }
  for (const bool script : {true, false}) {
    const PwlOptimizer o = script ? PwlOptimizer::kAdam : PwlOptimizer::kSgd;
    for (std::uint64_t seed = 1; seed <= 10; ++seed) {
      const Outcome a = train(PwlEncoder::kAutoEncoder, o, script, 1000, seed);
      std::printf("autoencoder %s %s seed %d: error %.4g near %.4g away %.4g ratio %.3g\n",
                  name(o), data_name(script), static_cast<int>(seed), a.error, a.kinks.near,
                  a.kinks.away, a.kinks.near / a.kinks.away);
      std::fflush(stdout);
    }
  }
}

}  // namespace
}  // namespace fgbdl
