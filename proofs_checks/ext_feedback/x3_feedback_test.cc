// X3 (paper/ext_feedback.md), after Lillicrap, Cownden, Tweed and Akerman,
// "Random synaptic feedback weights support error backpropagation for deep
// learning" (Nature Communications 7:13276, 2016): does a learner that does
// not follow the exact gradient fail in the same places as gradient descent
// on the paper's four failure families? One MLP from one initialization,
// trained by back-propagation (bp) and by feedback alignment (fa) by the
// same optimizer on the same batches (experiments/ext_feedback/
// feedback_training.h), at the binary's quick settings, on fixed seeds 1..3:
// deterministic, no flake budget beyond the choice of seeds. The bounds were
// set from seeds 1..6 of the same settings (`x3_feedback --seeds=1,2,3,4,5,6`);
// the measured ranges are stated next to them.
//
// Claims (stated before the runs):
//   X3         fa fails where bp fails (line-image tuples at k = 2);
//   X3-LEARN   fa learns what bp learns (parity d = 5, 10; tuples k = 1;
//              curves n = 25; the step target);
//   X3-SLOWER  at equal steps fa is at most as good as bp;
//   X3-ANGLE   at the end of training fa's update is within 90 degrees of
//              the gradient on every family it learns.
// One case per family; each records its verdict on every claim it bears on.
#include <cmath>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "experiments/ext_feedback/feedback_training.h"
#include "gtest/gtest.h"
#include "lib/io/results.h"
#include "proofs_checks/verdict.h"

namespace fgbdl {
namespace {

constexpr std::uint64_t kSeeds = 3;
// Two-sided 5% critical value of Student's t with kSeeds - 1 = 2 degrees of
// freedom.
constexpr double kT2 = 4.303;

struct Run {
  Table t;
  double at(const std::string& name, std::size_t r) const {
    const auto& cols = t.columns();
    for (std::size_t c = 0; c < cols.size(); ++c)
      if (cols[c] == name) return t.rows()[r][c];
    ADD_FAILURE() << "no column " << name;
    return NAN;
  }
  double last(const std::string& name) const { return at(name, t.rows().size() - 1); }
  // The last finite value of a column (the angle is NaN once a hinge loss is
  // 0 on the probe batch); NaN if none.
  double last_finite(const std::string& name) const {
    for (std::size_t r = t.rows().size(); r-- > 0;)
      if (std::isfinite(at(name, r))) return at(name, r);
    return NAN;
  }
};

// The settings of x3_feedback --profile=quick.
FeedbackSettings parity_settings(std::int64_t d) {
  FeedbackSettings s;
  s.d = d;
  s.width = 10 * d;
  s.steps = 20000;
  s.batch = 128;
  s.optimizer = "sgd";
  s.lr = 0.01;
  s.eval_every = 500;
  return s;
}
FeedbackSettings adam_settings(std::int64_t steps, std::int64_t batch) {
  FeedbackSettings s;
  s.width = 100;
  s.steps = steps;
  s.batch = batch;
  s.optimizer = "adam";
  s.lr = 1e-3;
  s.eval_every = 250;
  return s;
}

// One configuration over seeds 1..kSeeds: bp's and fa's errors at the last
// step (1 - accuracy, or the mean squared error over the target's variance),
// and fa's last finite angle.
struct Config {
  std::string name;
  std::vector<double> bp, fa, angle;
};

Config run_config(const std::string& name, bool accuracy,
                  const std::function<Table(std::uint64_t, RunStatus&)>& body) {
  Config c{name, {}, {}, {}};
  for (std::uint64_t seed = 1; seed <= kSeeds; ++seed) {
    RunStatus status;
    const Run r{body(seed, status)};
    EXPECT_FALSE(status.diverged) << name << " seed " << seed;
    if (accuracy) {
      c.bp.push_back(1 - r.last("bp_accuracy"));
      c.fa.push_back(1 - r.last("fa_accuracy"));
    } else {
      c.bp.push_back(r.last("bp_test_mse") / r.last("target_variance"));
      c.fa.push_back(r.last("fa_test_mse") / r.last("target_variance"));
    }
    c.angle.push_back(r.last_finite("fa_angle_deg"));
  }
  return c;
}

std::string list(const std::vector<double>& v) {
  std::string s;
  for (const double x : v) absl::StrAppendFormat(&s, "%s%.4g", s.empty() ? "" : " ", x);
  return s;
}

// X3-LEARN on one configuration bp learns: fa's error at most `bound` on
// every seed (an error of 0.5 is chance for the accuracies, 1 the best
// constant for the regressions).
void check_learns(const Config& c, double bound, std::string& stat) {
  absl::StrAppendFormat(&stat, "%s%s: error bp %s, fa %s (bound %g)", stat.empty() ? "" : "; ",
                        c.name, list(c.bp), list(c.fa), bound);
  for (std::size_t i = 0; i < c.fa.size(); ++i) {
    EXPECT_LE(c.bp[i], bound) << c.name << " seed " << i + 1;
    EXPECT_LE(c.fa[i], bound) << c.name << " seed " << i + 1;
  }
}

// X3-SLOWER on one configuration: the paired differences fa - bp of the
// errors over the seeds. Verified when fa's error is at least bp's on every
// seed; refuted when fa is better with paired t <= -kT2 (5%, two-sided, 2
// degrees of freedom); not confirmed otherwise. Returns the state.
ClaimState slower(const Config& c, std::string& stat) {
  double mean = 0, sq = 0;
  bool never_better = true;
  for (std::size_t i = 0; i < c.fa.size(); ++i) {
    const double dlt = c.fa[i] - c.bp[i];
    mean += dlt;
    never_better = never_better && dlt >= 0;
  }
  mean /= double(c.fa.size());
  for (std::size_t i = 0; i < c.fa.size(); ++i) {
    const double dlt = c.fa[i] - c.bp[i] - mean;
    sq += dlt * dlt;
  }
  const double se = std::sqrt(sq / double(c.fa.size() - 1) / double(c.fa.size()));
  const double t = se > 0 ? mean / se : (mean == 0 ? 0 : mean > 0 ? INFINITY : -INFINITY);
  absl::StrAppendFormat(&stat, "%s%s: fa - bp error %s, paired t %.2f", stat.empty() ? "" : "; ",
                        c.name, list([&] {
                          std::vector<double> d;
                          for (std::size_t i = 0; i < c.fa.size(); ++i) d.push_back(c.fa[i] - c.bp[i]);
                          return d;
                        }()),
                        t);
  if (never_better) return ClaimState::kVerified;
  return t <= -kT2 ? ClaimState::kRefuted : ClaimState::kNotConfirmed;
}

// X3-ANGLE: fa's last finite angle below `bound` degrees on every seed.
void check_angle(const Config& c, double bound, std::string& stat) {
  absl::StrAppendFormat(&stat, "%s%s: angle %s degrees (bound %g)", stat.empty() ? "" : "; ",
                        c.name, list(c.angle), bound);
  for (std::size_t i = 0; i < c.angle.size(); ++i)
    EXPECT_LT(c.angle[i], bound) << c.name << " seed " << i + 1;
}

// Records the three claims on configurations both learners learn.
void record_learned(const std::vector<Config>& configs, const std::vector<double>& learn_bounds,
                    const std::vector<double>& angle_bounds) {
  std::string learn, slow, angle;
  ClaimState slow_state = ClaimState::kVerified;
  for (std::size_t i = 0; i < configs.size(); ++i) {
    check_learns(configs[i], learn_bounds[i], learn);
    const ClaimState s = slower(configs[i], slow);
    if (s == ClaimState::kRefuted || (s == ClaimState::kNotConfirmed && slow_state == ClaimState::kVerified))
      slow_state = s;
    check_angle(configs[i], angle_bounds[i], angle);
  }
  ::testing::Test::RecordProperty("measured", absl::StrCat(learn, " | ", slow, " | ", angle));
  record_verdict("X3-LEARN", ClaimState::kVerified, learn);
  record_verdict("X3-SLOWER", slow_state, slow);
  record_verdict("X3-ANGLE", ClaimState::kVerified, angle);
}

// Parities of d = 5 and 10 bits (E2.1's network, SGD 0.01, 20 000 steps).
// Measured over seeds 1..6: errors 1 - accuracy bp 0 (d = 5) and 0 to 0.0545
// (d = 10), fa 0 and 0 to 0.215; fa at least as bad as bp on every seed
// (d = 10: 0 to 0.16 worse); fa's last defined angle 48.4 to 80.2 degrees
// (d = 5; undefined once the hinge loss is 0 on the probe) and 48.2 to 58.7
// (d = 10), from 77.5 to 100.8 at step 0. Learned: an error at most 0.25,
// half of chance.
TEST(X3, ParityFeedbackAlignmentLearnsSmallParities) {
  std::vector<Config> configs;
  for (const std::int64_t d : {5, 10}) {
    const FeedbackSettings s = parity_settings(d);
    configs.push_back(run_config(absl::StrCat("parity d=", d), true,
                                 [&](std::uint64_t seed, RunStatus& st) {
                                   return parity_feedback(s, seed, st);
                                 }));
  }
  record_learned(configs, {0.25, 0.25}, {90, 90});
}

// Tuples of one line image (784-100-1 on the pixels, Adam, 5 000 steps).
// Measured over seeds 1..6: errors bp 0.035 to 0.054, fa 0.037 to 0.0575
// (1.00 to 1.10 times bp's, never below it); fa's last angle 32.0 to 37.8
// degrees (75.4 to 98.8 at step 0). Learned: an error at most 0.25.
TEST(X3, TuplesOfOneImageFeedbackAlignmentLearnsThem) {
  const FeedbackSettings s = adam_settings(5000, 64);
  record_learned({run_config("tuples k=1", true,
                             [&](std::uint64_t seed, RunStatus& st) {
                               return tuples_feedback(s, 1, seed, st);
                             })},
                 {0.25}, {90});
}

// Tuples of two line images (1568-100-1, Adam, 5 000 steps): back-propagation
// fails (the paper's Section 3), and so does feedback alignment. Measured over
// seeds 1..6: errors bp 0.4845 to 0.5075, fa 0.4925 to 0.509 (chance 0.5; the
// standard deviation of a chance accuracy on 2 000 samples is 0.011); fa's
// angle ends at 85.0 to 98.2 degrees: no alignment. Bound: an error at least
// 0.46 for both on every seed.
TEST(X3, TuplesOfTwoImagesBothLearnersStayAtChance) {
  const FeedbackSettings s = adam_settings(5000, 64);
  const Config c = run_config("tuples k=2", true, [&](std::uint64_t seed, RunStatus& st) {
    return tuples_feedback(s, 2, seed, st);
  });
  std::string stat;
  absl::StrAppendFormat(&stat, "tuples k=2: error bp %s, fa %s (bound %g); fa's angle %s degrees",
                        list(c.bp), list(c.fa), 0.46, list(c.angle));
  for (std::size_t i = 0; i < c.fa.size(); ++i) {
    EXPECT_GE(c.bp[i], 0.46) << "seed " << i + 1;
    EXPECT_GE(c.fa[i], 0.46) << "seed " << i + 1;
  }
  RecordProperty("measured", stat);
  record_verdict("X3", ClaimState::kVerified, stat);
}

// Curves to their encoding (n = 25, 25-100-25, Adam, 20 000 steps).
// Measured over seeds 1..6: errors over the best constant's bp 0.0198 to
// 0.0438, fa 0.418 to 0.659, 10.0 to 22.7 times bp's; fa's last angle 69.7
// to 83.5 degrees (89.2 to 101.9 at step 0).
// X3-LEARN does not hold here: at equal steps feedback alignment leaves an
// error at least 5 times back-propagation's on every seed (paired t of the
// log ratio over seeds 1..3 at least kT2: a difference significant at 5%).
// Corrected statement, checked: feedback alignment learns part of the
// encoding, an error below 0.8 of the best constant's, and stays at least 5
// times above back-propagation. X3-SLOWER and X3-ANGLE as on the other
// families (angle bound 90 degrees).
TEST(X3, CurvesFeedbackAlignmentLearnsPartOfTheEncoding) {
  const FeedbackSettings s = adam_settings(20000, 100);
  const Config c = run_config("curves n=25", false, [&](std::uint64_t seed, RunStatus& st) {
    return curves_feedback(s, 25, seed, st);
  });
  double mean = 0, sq = 0;
  std::vector<double> log_ratio;
  for (std::size_t i = 0; i < c.fa.size(); ++i) log_ratio.push_back(std::log(c.fa[i] / c.bp[i]));
  for (const double r : log_ratio) mean += r / double(log_ratio.size());
  for (const double r : log_ratio) sq += (r - mean) * (r - mean);
  const double t =
      mean / std::sqrt(sq / double(log_ratio.size() - 1) / double(log_ratio.size()));
  std::string learn = absl::StrFormat(
      "curves n=25: error over the best constant's bp %s, fa %s; fa / bp %s; paired t of the log "
      "ratio %.1f (level %.2f)",
      list(c.bp), list(c.fa),
      list([&] {
        std::vector<double> r;
        for (const double x : log_ratio) r.push_back(std::exp(x));
        return r;
      }()),
      t, kT2);
  for (std::size_t i = 0; i < c.fa.size(); ++i) {
    EXPECT_LE(c.bp[i], 0.1) << "seed " << i + 1;
    EXPECT_LE(c.fa[i], 0.8) << "seed " << i + 1;
    EXPECT_GE(c.fa[i], 5 * c.bp[i]) << "seed " << i + 1;
  }
  EXPECT_GE(t, kT2);
  std::string slow, angle;
  const ClaimState slow_state = slower(c, slow);
  check_angle(c, 90, angle);
  ::testing::Test::RecordProperty("measured", absl::StrCat(learn, " | ", slow, " | ", angle));
  record_verdict("X3-LEARN", ClaimState::kRefuted, learn);
  record_verdict("X3-SLOWER", slow_state, slow);
  record_verdict("X3-ANGLE", ClaimState::kVerified, angle);
}

// The step target (d = 100, E5.3's 100-100-100-1, Adam, 5 000 steps).
// Measured over seeds 1..6: errors over the best constant's bp 0.036 to
// 0.281, fa 0.056 to 0.155; fa worse on 5 seeds, better on seed 3 (0.155
// against 0.281); fa's last angle 41.9 to 84.6 degrees (80.3 to 92.8 at step
// 0). Learned: an error at most 0.5 of the best constant's.
TEST(X3, StepTargetFeedbackAlignmentLearnsIt) {
  FeedbackSettings s = adam_settings(5000, 256);
  s.d = 100;
  s.hidden_layers = 2;
  record_learned({run_config("step d=100", false,
                             [&](std::uint64_t seed, RunStatus& st) {
                               return step_feedback(s, seed, st);
                             })},
                 {0.5}, {90});
}

}  // namespace
}  // namespace fgbdl
