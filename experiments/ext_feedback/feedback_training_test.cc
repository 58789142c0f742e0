// The pieces of X3's experiment checked on small runs: both learners start
// from one network (the same score and an angle near 90 degrees at step 0,
// where the feedback matrices are unrelated to W), a run is a function of its
// seed, and every family writes its columns.
#include "experiments/ext_feedback/feedback_training.h"

#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include "gtest/gtest.h"

namespace fgbdl {
namespace {

FeedbackSettings small(const std::string& optimizer, double lr) {
  FeedbackSettings s;
  s.d = 6;
  s.width = 16;
  s.steps = 40;
  s.batch = 16;
  s.optimizer = optimizer;
  s.lr = lr;
  s.eval_every = 20;
  s.eval_samples = 300;
  return s;
}

std::size_t column(const Table& t, const std::string& name) {
  for (std::size_t c = 0; c < t.columns().size(); ++c)
    if (t.columns()[c] == name) return c;
  ADD_FAILURE() << "no column " << name;
  return 0;
}

// Rows at steps 0, 20, 40; bp's and fa's scores equal at step 0 (one
// network); with `differ`, different afterwards (their updates differ below
// the top layer; an accuracy on 300 samples after 40 small steps may not
// show it).
void check_pair(const Table& t, const std::string& score, bool differ = true) {
  ASSERT_EQ(t.rows().size(), 3u);
  const std::size_t bp = column(t, "bp_" + score), fa = column(t, "fa_" + score);
  EXPECT_EQ(t.rows()[0][bp], t.rows()[0][fa]);
  if (differ) {
    EXPECT_NE(t.rows()[2][bp], t.rows()[2][fa]);
  }
  EXPECT_EQ(t.rows()[2][0], 40);
  const double angle = t.rows()[0][column(t, "fa_angle_deg")];
  EXPECT_GT(angle, 0);
  EXPECT_LT(angle, 180);
}

TEST(FeedbackTraining, EveryFamilyStartsBothLearnersFromOneNetwork) {
  RunStatus status;
  check_pair(parity_feedback(small("sgd", 0.01), 1, status), "accuracy", false);
  EXPECT_FALSE(status.diverged);
  FeedbackSettings s = small("adam", 1e-3);
  check_pair(tuples_feedback(s, 1, 1, status), "accuracy", false);
  check_pair(curves_feedback(s, 8, 1, status), "test_mse");
  s.d = 20;
  s.hidden_layers = 2;
  const Table step = step_feedback(s, 1, status);
  check_pair(step, "test_mse");
  EXPECT_EQ(step.columns().back(), "target_variance");
}

// Same seed, same table to the bit; another seed, another table.
TEST(FeedbackTraining, ARunIsAFunctionOfItsSeed) {
  RunStatus status;
  FeedbackSettings s = small("adam", 1e-3);
  s.hidden_layers = 2;
  const Table a = curves_feedback(s, 8, 3, status), b = curves_feedback(s, 8, 3, status),
              c = curves_feedback(s, 8, 4, status);
  EXPECT_EQ(a.rows(), b.rows());
  EXPECT_NE(a.rows(), c.rows());
}

// A learning rate that blows the loss up ends the run as diverged, at the
// first divergence, not as a crash.
TEST(FeedbackTraining, ADivergingRunEndsAtItsStep) {
  RunStatus status;
  FeedbackSettings s = small("sgd", 1000);
  s.d = 20;
  s.hidden_layers = 2;
  const Table t = step_feedback(s, 1, status);
  EXPECT_TRUE(status.diverged);
  EXPECT_EQ(t.rows().back()[0], status.diverged_step);
}

TEST(FeedbackTraining, RefusesBadSizes) {
  RunStatus status;
  FeedbackSettings s = small("sgd", 0.01);
  EXPECT_THROW(tuples_feedback(s, 0, 1, status), std::invalid_argument);
  EXPECT_THROW(curves_feedback(s, 2, 1, status), std::invalid_argument);
  s.d = 65;
  EXPECT_THROW(parity_feedback(s, 1, status), std::invalid_argument);
  s.d = 6;
  s.width = 0;
  EXPECT_THROW(parity_feedback(s, 1, status), std::invalid_argument);
}

}  // namespace
}  // namespace fgbdl
