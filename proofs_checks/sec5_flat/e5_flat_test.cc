// E5.2-E5.5 of the paper (Section 5, Figure 7): learning a step-function
// target u(v*^T x + b*) (x ~ N(0, I)/100 in R^100, the script's 52
// thresholds) with the sigmoid approximation (approx), a ReLU network (e2e),
// a multi-class network (multiclass) and the forward-only update
// (forward_only); and the true gradient through u (plain).
//
// Scale: the paper's data, models, batch (256), optimizers, learning rates
// and step budgets: approx, e2e and multiclass run the script's 10 000
// steps, forward_only its 5 000 and, for a comparison at equal budgets, on
// to 10 000; seeds 1, 2, 3 (two tests per seed: forward-only against the
// approximation and the e2e network, and against the multi-class network,
// each about 12 s of CPU), and seed 4 against the multi-class network. The
// trainers of a seed see the same batches (drawn once, fed to each with
// step_on), so each makes the training run its own step() would, i.e. the
// run of e5_flat --profile=paper for that seed (forward_only's first 5 000
// steps);
// SharedBatchesGiveEachTrainerItsOwnRun checks the equivalence.
//
// What is compared, and how:
//   * accuracy: the mean squared error of the predicted step value on 100 000
//     fresh points (one set per seed, shared by the four learners), forward-
//     only after 5 000 and after 10 000 steps against each other learner
//     after 10 000. Paired per point, the other learner's error minus
//     forward-only's must be positive by at least 3 standard errors, so that
//     the ranking is not an accident of the evaluation sample (the errors
//     come from rare points across a wide step: one point across the step
//     of width 0.8 weighs 0.64);
//   * training cost, without clocks: the arithmetic per sample of a training
//     step from the architectures (flat_cost: multiply-adds and exp/log
//     evaluations; closed forms below), and the number of steps forward-only
//     needs to reach each other learner's final error (evaluated every 250
//     steps on the same 100 000 points);
//   * test-time cost, without clocks: the multiply-adds of one prediction.
//     Forward-only and the approximation predict with the same function
//     u(w^T x + b), so they cost the same: the paper's "cheapest prediction"
//     holds only as a tie, and the test records it as refuted (claim
//     E5.5-PREDICT; an exact counterexample: the counts have no noise).
// Thread CPU time per step and wall time per prediction are recorded as
// information ("measured"), never asserted: on a loaded 2-core machine they
// vary by 2x or more between runs.
//
// What holds and what does not (seeds 1..10, DISABLED_MeasureMargins; the
// thresholds and the margins are stated at each check in check_against_*):
//   * forward-only is far more accurate than the approximation and the e2e
//     network at both budgets on every seed (paired z >= 47.9 and >= 11.4);
//   * against the multi-class network it is never significantly worse, and
//     significantly better on most seeds but not all: seed 4 ties at the
//     paper's budgets and at equal budgets (z 0.9 and 2.4), seed 3 at equal
//     budgets (z 1.7). These ties are within noise (|z| < 3): they neither
//     confirm nor refute "lowest error of the four", and the test records
//     E5.5 as not confirmed on them, with the paired differences and z
//     (multi-class checks on seeds 1 to 4; seeds 1 and 2 record verified);
//   * training: every forward-only step costs 200 multiply-adds per sample
//     and no exp/log, against 200 and 102 sigmoids (approx), 80 300 (e2e) and
//     80 000 and 101 exp/log (multiclass), and forward-only reaches each
//     other learner's 10 000-step error within 5 000 steps (against the
//     multi-class network in 3 000 to 5 000; exactly 5 000 on seeds 4 and 9);
//   * prediction: 100 multiply-adds, 301x and 300x fewer than the networks',
//     and exactly as many as the approximation's (the same predictor): the
//     "cheapest prediction" is an exact tie, recorded as refuted
//     (E5.5-PREDICT).
// The errors and step counts are deterministic for a seed (same binary, one
// BLAS thread).
#include <time.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "experiments/sec5_flat/flat_training.h"
#include "gtest/gtest.h"
#include "lib/io/results.h"
#include "proofs_checks/verdict.h"

namespace fgbdl {
namespace {

constexpr std::int64_t kSteps = 10000;          // approx, e2e, multiclass: the script's
constexpr std::int64_t kForwardSteps = 5000;    // forward_only: the script's
constexpr std::int64_t kCheckEvery = 250;       // forward_only's error along its run
constexpr std::size_t kEvalPoints = 100000;     // fresh points per seed
constexpr std::size_t kChunk = 10000;
constexpr std::uint64_t kEvalStream = 1000;     // derive_engine(seed, kEvalStream): the points
constexpr double kMinZ = 3.0;                   // paired standard errors required

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
  s.test_samples = 5000;
  s.eval_every = 1000;
  return s;
}

// The fresh evaluation points of a seed, in chunks of kChunk.
struct EvalSet {
  std::vector<Matrix> x, y;
};

EvalSet eval_set(const StepTarget& target, std::uint64_t seed) {
  Engine rng = derive_engine(seed, kEvalStream);
  EvalSet set;
  std::vector<double> r;
  for (std::size_t done = 0; done < kEvalPoints; done += kChunk) {
    set.x.emplace_back();
    set.y.emplace_back();
    sample_step_batch(target, kChunk, rng, set.x.back(), r, set.y.back());
  }
  return set;
}

// Squared error of the predicted value at every point.
std::vector<double> squared_errors(FlatTrainer& t, const EvalSet& set) {
  std::vector<double> e;
  e.reserve(kEvalPoints);
  std::vector<float> pred;
  for (std::size_t c = 0; c < set.x.size(); ++c) {
    t.predict(set.x[c], pred);
    for (std::size_t i = 0; i < pred.size(); ++i) {
      const double d = static_cast<double>(pred[i]) - set.y[c](i, 0);
      e.push_back(d * d);
    }
  }
  return e;
}

double mean(const std::vector<double>& v) {
  double s = 0;
  for (const double x : v) s += x;
  return s / static_cast<double>(v.size());
}

// The mean of b - a per point (paired), its standard error, and z = mean /
// se: how many standard errors b's error is above a's.
struct Paired {
  double mean = 0, se = 0, z = 0;
};
Paired paired_difference(const std::vector<double>& a, const std::vector<double>& b) {
  const double n = static_cast<double>(a.size());
  double m = 0;
  for (std::size_t i = 0; i < a.size(); ++i) m += (b[i] - a[i]) / n;
  double v = 0;
  for (std::size_t i = 0; i < a.size(); ++i) v += (b[i] - a[i] - m) * (b[i] - a[i] - m);
  v /= n - 1;
  const double se = std::sqrt(v / n);
  return {m, se, v > 0 ? m / se : (m > 0 ? INFINITY : m < 0 ? -INFINITY : 0.0)};
}

// Changes of the prediction across 1 000 fresh points with |r - b*| <= 0.03,
// sorted by r, where the target changes value once.
int boundary_switches(FlatTrainer& t, std::uint64_t seed) {
  const Table zoom = flat_zoom_table(t, seed, 0.0, 0.03, 1000);
  int switches = 0;
  for (std::size_t i = 1; i < zoom.rows().size(); ++i)
    switches += zoom.rows()[i][2] != zoom.rows()[i - 1][2];
  return switches;
}

// CPU ms per step of the model alone, on the last batch (information only).
double model_ms(FlatTrainer& t) {
  const Matrix x = t.batch_x(), y = t.batch_y();
  const std::vector<double> r = t.batch_r();
  const double start = thread_cpu_seconds();
  for (int i = 0; i < 50; ++i) t.step_on(x, r, y);
  return (thread_cpu_seconds() - start) * 1e3 / 50;
}

// One of the other learners, trained alongside forward-only.
struct Other {
  const char* name = "";
  FlatApproach approach = FlatApproach::kApprox;
  double error = 0, initial = 0;  // after 10 000 steps, and at step 0
  double z5 = 0, z10 = 0;         // paired z of (error - fo@5000), (error - fo@10000)
  Paired d5, d10;                 // the paired differences behind z5 and z10
  std::int64_t reach = -1;        // forward_only's steps to reach `error` (-1: never)
  FlatCost cost;
  int switches = 0;
  double ms = 0, ns = 0;          // information only
};

struct SeedOutcome {
  double fo5 = 0, fo10 = 0;  // forward_only's error after 5 000 and 10 000 steps
  FlatCost cost_fo;
  int switches_fo = 0;
  double ms_fo = 0, ns_fo = 0;  // information only
  std::vector<Other> others;
  std::string measured;
};

// Multiply-adds of the other's 10 000 steps over forward-only's steps to
// reach its final error (the batch size cancels).
double macs_ratio(const SeedOutcome& o, const Other& x) {
  return x.reach < 1 ? 0.0
                     : (x.cost.train_macs * kSteps) /
                           (o.cost_fo.train_macs * static_cast<double>(x.reach));
}

// Forward-only (10 000 steps) and the given other learners (10 000 steps) on
// one seed's shared batches, evaluated on one seed's 100 000 fresh points.
SeedOutcome run_seed(std::uint64_t seed, const std::vector<FlatApproach>& approaches) {
  FlatTrainer fo(settings(FlatApproach::kForwardOnly, kSteps), seed);
  std::vector<FlatTrainer> trainers;
  trainers.reserve(approaches.size());
  SeedOutcome o;
  const EvalSet set = eval_set(fo.target(), seed);
  for (const FlatApproach a : approaches) {
    trainers.emplace_back(settings(a, kSteps), seed);
    o.others.emplace_back();
    o.others.back().approach = a;
    o.others.back().name = a == FlatApproach::kApprox       ? "approx"
                           : a == FlatApproach::kEndToEnd   ? "e2e"
                           : a == FlatApproach::kMulticlass ? "multiclass"
                                                            : "?";
    o.others.back().initial = mean(squared_errors(trainers.back(), set));
  }
  std::vector<std::pair<std::int64_t, double>> fo_curve;  // (step, error)
  std::vector<double> fo5_errors;
  for (std::int64_t t = 1; t <= kSteps; ++t) {
    fo.step();
    for (FlatTrainer& other : trainers) other.step_on(fo.batch_x(), fo.batch_r(), fo.batch_y());
    if (t % kCheckEvery == 0) {
      std::vector<double> e = squared_errors(fo, set);
      fo_curve.push_back({t, mean(e)});
      if (t == kForwardSteps) fo5_errors = std::move(e);
    }
  }
  const std::vector<double> fo10_errors = squared_errors(fo, set);
  o.fo5 = mean(fo5_errors);
  o.fo10 = mean(fo10_errors);
  o.cost_fo = flat_cost(fo);
  o.switches_fo = boundary_switches(fo, seed);
  for (std::size_t i = 0; i < trainers.size(); ++i) {
    Other& x = o.others[i];
    const std::vector<double> e = squared_errors(trainers[i], set);
    x.error = mean(e);
    x.d5 = paired_difference(fo5_errors, e);
    x.d10 = paired_difference(fo10_errors, e);
    x.z5 = x.d5.z;
    x.z10 = x.d10.z;
    for (const auto& [t, err] : fo_curve) {
      if (err <= x.error) {
        x.reach = t;
        break;
      }
    }
    x.cost = flat_cost(trainers[i]);
    x.switches = boundary_switches(trainers[i], seed);
  }
  // Timings, as information (after the errors: step_on changes the models).
  o.ns_fo = flat_test_ns_per_sample(fo, 3);
  o.ms_fo = model_ms(fo);
  for (std::size_t i = 0; i < trainers.size(); ++i) {
    o.others[i].ns = flat_test_ns_per_sample(trainers[i], 3);
    o.others[i].ms = model_ms(trainers[i]);
  }
  o.measured = absl::StrFormat(
      "seed %d, MSE on 1e5 fresh points: forward_only@5000 %.3g, @10000 %.3g; prediction "
      "changes across the step at b* (1000 points, |r - b*| <= 0.03, the target changes once): "
      "forward_only %d",
      static_cast<int>(seed), o.fo5, o.fo10, o.switches_fo);
  for (const Other& x : o.others) {
    absl::StrAppend(
        &o.measured,
        absl::StrFormat(
            "; %s@10000 %.3g (initial %.3g): paired z vs forward_only@5000 %.1f, @10000 %.1f; "
            "forward_only reaches its error after %d steps (checked every %d), with %.3g times "
            "fewer multiply-adds than its 10000 steps; exp/log per sample and step %g vs "
            "forward_only's %g; prediction changes at b* %d",
            x.name, x.error, x.initial, x.z5, x.z10, static_cast<int>(x.reach),
            static_cast<int>(kCheckEvery), macs_ratio(o, x), x.cost.train_transcendentals,
            o.cost_fo.train_transcendentals, x.switches));
  }
  absl::StrAppend(&o.measured, "; information only, not asserted: CPU ms per model step ",
                  absl::StrFormat("forward_only %.3f", o.ms_fo));
  for (const Other& x : o.others) absl::StrAppend(&o.measured, absl::StrFormat(", %s %.3f", x.name, x.ms));
  absl::StrAppend(&o.measured, absl::StrFormat("; wall ns per prediction forward_only %.0f", o.ns_fo));
  for (const Other& x : o.others) absl::StrAppend(&o.measured, absl::StrFormat(", %s %.0f", x.name, x.ns));
  return o;
}

// Training cost, for any other learner: forward-only reaches its 10 000-step
// error within its own 5 000 steps (measured max over seeds 1..10: approx
// 2 250, e2e 4 500, multiclass 5 000; on seeds 1..3: 1 500, 4 000, 4 250),
// and each forward-only step costs no more multiply-adds and no more exp/log
// evaluations per sample, and strictly less of one of them (closed forms in
// ArithmeticPerSampleFromTheArchitectures).
void check_training_cost(const SeedOutcome& o, const Other& x, const std::string& where) {
  const std::string who = absl::StrCat(where, ", ", x.name);
  EXPECT_GE(x.reach, 1) << who << ": forward_only never reaches its error";
  EXPECT_LE(x.reach, kForwardSteps) << who;
  EXPECT_LE(o.cost_fo.train_macs, x.cost.train_macs) << who;
  EXPECT_LE(o.cost_fo.train_transcendentals, x.cost.train_transcendentals) << who;
  EXPECT_TRUE(o.cost_fo.train_macs < x.cost.train_macs ||
              o.cost_fo.train_transcendentals < x.cost.train_transcendentals)
      << who;
}

// E5.2, E5.3 and E5.5 against the approximation and the e2e network.
void check_against_approx_and_e2e(std::uint64_t seed) {
  const SeedOutcome o = run_seed(seed, {FlatApproach::kApprox, FlatApproach::kEndToEnd});
  const std::string where = absl::StrCat("seed ", seed);
  ::testing::Test::RecordProperty("measured", o.measured);
  for (const Other& x : o.others) {
    // Accuracy: forward-only after its 5 000 steps, and after as many steps
    // as the others (10 000), is below the approximation and the e2e network
    // after 10 000, by >= kMinZ paired standard errors (measured, seeds
    // 1..10: z >= 47.9 approx, >= 11.4 e2e).
    EXPECT_GE(x.z5, kMinZ) << where << ", " << x.name << " vs forward_only@5000";
    EXPECT_GE(x.z10, kMinZ) << where << ", " << x.name << " vs forward_only@10000";
    check_training_cost(o, x, where);
  }
  // E5.2: the approximation ends >= 10x above forward-only@5000 after twice
  // the steps (measured >= 36.9x over seeds 1..10), and on seeds 2 and 3 its
  // predicted steps never change (its bias starts where every sigmoid the
  // data reach is saturated; also seed 9 of 1..10).
  const Other& approx = o.others[0];
  EXPECT_GE(approx.error, 10 * o.fo5) << where;
  if (seed != 1) {
    EXPECT_EQ(approx.error, approx.initial) << where;
  }
}

// E5.4 and E5.5 against the multi-class network.
void check_against_multiclass(std::uint64_t seed) {
  const SeedOutcome o = run_seed(seed, {FlatApproach::kMulticlass});
  const std::string where = absl::StrCat("seed ", seed);
  ::testing::Test::RecordProperty("measured", o.measured);
  const Other& mc = o.others[0];
  // Forward-only is never significantly worse (z > -kMinZ; measured min
  // 0.9 over seeds 1..10), but not always significantly better: z at the
  // paper's budgets 7.8, 5.2, 4.7, 0.9, 7.8, 9.0, 4.5, 7.3, 4.8, 6.3 and at
  // equal budgets 7.6, 7.1, 1.7, 2.4, 3.1, 10.3, 4.1, 8.5, 3.0, 6.0 on
  // seeds 1..10. Seed 4 ties at both budgets and seed 3 at equal budgets.
  // A tie within noise neither confirms nor refutes "lowest error of the
  // four": such a seed records E5.5 as not confirmed (the level: |z| >=
  // kMinZ, two-sided p <= 0.0027 under the normal approximation; refuting
  // it would take z <= -kMinZ, which fails the check above instead). The
  // ties on seeds 3 and 4 are checked, so that a change that separates the
  // two learners is noticed and the verdict revisited.
  EXPECT_GT(mc.z5, -kMinZ) << where;
  EXPECT_GT(mc.z10, -kMinZ) << where;
  if (seed == 4) {
    EXPECT_LT(mc.z5, kMinZ) << where << ": the tie is gone";
  }
  if (seed == 3 || seed == 4) {
    EXPECT_LT(mc.z10, kMinZ) << where << ": the tie is gone";
  }
  const bool tie = mc.z5 < kMinZ || mc.z10 < kMinZ;
  record_verdict(
      "E5.5", tie ? ClaimState::kNotConfirmed : ClaimState::kVerified,
      absl::StrFormat(
          "lowest error of the four, seed %d: multiclass@10000 minus forward_only squared error "
          "on 1e5 fresh points, paired per point: %.3g (se %.2g, z %.1f) against "
          "forward_only@5000 and %.3g (se %.2g, z %.1f) against forward_only@10000 (MSE "
          "multiclass %.3g, forward_only %.3g and %.3g); level |z| >= %.0f (two-sided p <= "
          "0.0027): %s",
          static_cast<int>(seed), mc.d5.mean, mc.d5.se, mc.z5, mc.d10.mean, mc.d10.se, mc.z10,
          mc.error, o.fo5, o.fo10, kMinZ,
          tie ? "a tie within noise, neither learner significantly more accurate"
              : "forward_only significantly more accurate at both budgets"));
  check_training_cost(o, mc, where);
  // E5.4: the multi-class boundaries are blurred. Around the step at b* its
  // predicted value changes many times where the target changes once
  // (measured 11..23 over seeds 1..10; threshold 5). Forward-only's is not
  // sharp either (3..17), and on seeds 5 and 6 it changes as often or more
  // often, so the two are not ranked.
  EXPECT_GE(mc.switches, 5) << where;
}

TEST(E5, ForwardOnlyAgainstApproximationAndEndToEndSeed1) { check_against_approx_and_e2e(1); }
TEST(E5, ForwardOnlyAgainstApproximationAndEndToEndSeed2) { check_against_approx_and_e2e(2); }
TEST(E5, ForwardOnlyAgainstApproximationAndEndToEndSeed3) { check_against_approx_and_e2e(3); }
TEST(E5, ForwardOnlyAgainstMulticlassSeed1) { check_against_multiclass(1); }
TEST(E5, ForwardOnlyAgainstMulticlassSeed2) { check_against_multiclass(2); }
TEST(E5, ForwardOnlyAgainstMulticlassSeed3) { check_against_multiclass(3); }
TEST(E5, ForwardOnlyAgainstMulticlassSeed4) { check_against_multiclass(4); }

// The arithmetic per sample of each approach (flat_cost), against closed
// forms from the architectures (d = 100, hidden width h = 100, the script's
// 52 thresholds, a multi-class head of K = 100):
//   forward_only, approx, plain: one d -> 1 layer. Train 2d = 200
//     multiply-adds (forward and dW); approx also 2 x 51 = 102 sigmoids (u~
//     and u~'). Predict d = 100, no exp.
//   e2e: d -> h -> h -> h -> 1. Forward d h + 2 h^2 + h = 30 100; train
//     2 x 30 100 + (2 h^2 + h) = 80 300. Predict 30 100.
//   multiclass: d -> h -> h -> K. Forward d h + h^2 + h K = 30 000; train
//     2 x 30 000 + (h^2 + h K) = 80 000, and K + 1 = 101 exp/log. Predict
//     30 000.
// So one forward-only training step is 401x (e2e) and 400x (multiclass)
// cheaper in multiply-adds, and as cheap as the approximation's in
// multiply-adds with none of its 102 sigmoids; one prediction is 301x and
// 300x cheaper than the networks' and exactly as cheap as the
// approximation's: both predict with u(w^T x + b). The paper's claim that
// forward-only has the cheapest prediction of the four holds only as this
// tie, and is recorded as refuted (E5.5-PREDICT).
TEST(E5, ArithmeticPerSampleFromTheArchitectures) {
  const auto cost = [](FlatApproach a) { return flat_cost(FlatTrainer(settings(a, 1), 1)); };
  const FlatCost fo = cost(FlatApproach::kForwardOnly), ap = cost(FlatApproach::kApprox),
                 e2e = cost(FlatApproach::kEndToEnd), mc = cost(FlatApproach::kMulticlass),
                 plain = cost(FlatApproach::kPlain);
  EXPECT_EQ(fo.train_macs, 200);
  EXPECT_EQ(fo.train_transcendentals, 0);
  EXPECT_EQ(fo.predict_macs, 100);
  EXPECT_EQ(ap.train_macs, 200);
  EXPECT_EQ(ap.train_transcendentals, 102);
  EXPECT_EQ(ap.predict_macs, 100);
  EXPECT_EQ(plain.train_macs, 200);
  EXPECT_EQ(e2e.train_macs, 80300);
  EXPECT_EQ(e2e.train_transcendentals, 0);
  EXPECT_EQ(e2e.predict_macs, 30100);
  EXPECT_EQ(mc.train_macs, 80000);
  EXPECT_EQ(mc.train_transcendentals, 101);
  EXPECT_EQ(mc.predict_macs, 30000);
  for (const FlatCost& c : {fo, ap, e2e, mc, plain}) EXPECT_EQ(c.predict_transcendentals, 0);
  // With the paper's 55 thresholds the head has 55 logits and u~ 54 sigmoids.
  FlatSettings paper = settings(FlatApproach::kMulticlass, 1);
  paper.thresholds = StepThresholds::kPaper;
  EXPECT_EQ(flat_cost(FlatTrainer(paper, 1)).predict_macs, 100 * 100 + 100 * 100 + 100 * 55);
  paper.approach = FlatApproach::kApprox;
  EXPECT_EQ(flat_cost(FlatTrainer(paper, 1)).train_transcendentals, 2 * 54);
  // Forward-only predicts no cheaper than the approximation: a tie.
  EXPECT_EQ(fo.predict_macs, ap.predict_macs);
  EXPECT_EQ(fo.predict_transcendentals, ap.predict_transcendentals);
  EXPECT_LT(300 * fo.predict_macs, std::min(e2e.predict_macs, mc.predict_macs) + 1);
  RecordProperty(
      "measured",
      absl::StrFormat(
          "arithmetic per sample (multiply-adds; exp/log): training step forward_only %g; %g, "
          "approx %g; %g, e2e %g; %g, multiclass %g; %g; prediction forward_only %g, approx %g, "
          "e2e %g, multiclass %g multiply-adds, no exp/log",
          fo.train_macs, fo.train_transcendentals, ap.train_macs, ap.train_transcendentals,
          e2e.train_macs, e2e.train_transcendentals, mc.train_macs, mc.train_transcendentals,
          fo.predict_macs, ap.predict_macs, e2e.predict_macs, mc.predict_macs));
  // An exact counterexample (counted, not measured: no noise): forward-only
  // predicts with exactly the approximation's arithmetic.
  if (fo.predict_macs == ap.predict_macs &&
      fo.predict_transcendentals == ap.predict_transcendentals) {
    record_verdict(
        "E5.5-PREDICT", ClaimState::kRefuted,
        absl::StrFormat(
            "cheapest prediction, an exact counterexample: forward_only's prediction u(w^T x + "
            "b) is also the sigmoid approximation's predictor; both cost exactly %g "
            "multiply-adds and %g exp/log per sample (counted from the architectures), so "
            "forward_only ties the approximation and is not cheaper. Corrected: forward_only "
            "and the approximation share the cheapest prediction, %gx and %gx cheaper than the "
            "e2e and multi-class networks",
            fo.predict_macs, fo.predict_transcendentals, e2e.predict_macs / fo.predict_macs,
            mc.predict_macs / fo.predict_macs));
  }
}

// The test's shared batches give the runs of the binary: the same trainer
// driven by its own step() and by another trainer's batches through
// step_on() ends bit-identical.
TEST(E5, SharedBatchesGiveEachTrainerItsOwnRun) {
  for (const FlatApproach a : {FlatApproach::kApprox, FlatApproach::kEndToEnd,
                               FlatApproach::kMulticlass}) {
    FlatTrainer own(settings(a, 40), 5), shared(settings(a, 40), 5),
        driver(settings(FlatApproach::kForwardOnly, 40), 5);
    for (int t = 0; t < 40; ++t) {
      own.step();
      driver.step();
      shared.step_on(driver.batch_x(), driver.batch_r(), driver.batch_y());
    }
    for (std::size_t l = 0; l < own.layers().size(); ++l) {
      const auto& A = own.layers()[l].W;
      const auto& B = shared.layers()[l].W;
      ASSERT_EQ(A.size(), B.size());
      EXPECT_EQ(std::memcmp(A.data(), B.data(), A.size() * sizeof(float)), 0) << to_string(a);
    }
    EXPECT_EQ(own.test_error(), shared.test_error()) << to_string(a);
  }
}

// E5.2's "sensitive to the bias initialization": the same run of the
// approximation (seed 1, 1 500 steps) from several initial biases b* +
// offset. Asserted: offset 0 ends at <= 0.03; +0.3 (above the fine steps,
// every sigmoid the data reach saturated) never moves; the worst offset ends
// >= 5x above the best.
TEST(E5, SigmoidApproximationIsSensitiveToTheInitialBias) {
  std::string measured = "seed 1, approx@1500 held-out MSE by initial bias b* + offset:";
  double best = INFINITY, worst = 0;
  for (const double offset : {-1.0, -0.1, 0.0, 0.3}) {
    FlatSettings s = settings(FlatApproach::kApprox, 1500);
    s.b_init_offset = offset;
    FlatTrainer trainer(s, 1);
    const double initial = trainer.test_error();
    RunStatus status;
    double seconds = 0;
    train_flat(trainer, status, seconds);
    EXPECT_FALSE(status.diverged);
    const double final_error = trainer.test_error();
    best = std::min(best, final_error);
    worst = std::max(worst, final_error);
    measured += absl::StrFormat(" %+.1f: %.3g (initial %.3g);", offset, final_error, initial);
    if (offset == 0.0) {
      EXPECT_LE(final_error, 0.03);
    }
    if (offset == 0.3) {
      EXPECT_EQ(final_error, initial);
    }
  }
  EXPECT_GE(worst, 5 * best);
  RecordProperty("measured", measured + absl::StrFormat(" worst / best %.3g", worst / best));
}

// Plain gradient descent through u: the gradient is zero, measured (every
// 30 steps, the loss on the step's batch is unchanged when every weight
// moves by 1e-5 z, z standard normal: the loss is flat around the weights),
// and after 300 Adam steps every parameter equals its initial value bit for
// bit.
TEST(E5, GradientThroughTheStepFunctionIsExactlyZero) {
  FlatSettings s = settings(FlatApproach::kPlain, 300);
  FlatTrainer trainer(s, 1);
  const std::vector<float> W0(trainer.layers()[0].W.begin(), trainer.layers()[0].W.end());
  const float b0 = trainer.layers()[0].b(0);
  const double error0 = trainer.test_error();
  double loss_sum = 0;
  for (int t = 0; t < 300; ++t) {
    loss_sum += trainer.step();
    if (t % 30 != 0) continue;
    const StepBatch batch{trainer.batch_x(), trainer.batch_r(), trainer.batch_y()};
    FlatModel& model = trainer.model();
    const double before = model.loss(batch);
    Engine rng = derive_engine(1, 1000 + t);
    for (const Parameter& p : model.parameters()) {
      const std::vector<float> saved(p.w, p.w + p.n);
      for (std::size_t i = 0; i < p.n; ++i) p.w[i] = static_cast<float>(p.w[i] + 1e-5 * normal(rng));
      ASSERT_EQ(model.loss(batch), before) << p.name << " at step " << t;
      std::copy(saved.begin(), saved.end(), p.w);
    }
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

// Prints the numbers behind the thresholds of check_against_* for seeds
// 1..10 (all three other learners on the same batches; the same runs as in
// the tests):
//   bazel run -c opt //proofs_checks/sec5_flat:e5_flat_test --
//     --gtest_also_run_disabled_tests --gtest_filter='*MeasureMargins*'
TEST(E5, DISABLED_MeasureMargins) {
  for (std::uint64_t seed = 1; seed <= 10; ++seed) {
    std::printf("%s\n", run_seed(seed, {FlatApproach::kApprox, FlatApproach::kEndToEnd,
                                        FlatApproach::kMulticlass})
                            .measured.c_str());
    std::fflush(stdout);
  }
}

}  // namespace
}  // namespace fgbdl
