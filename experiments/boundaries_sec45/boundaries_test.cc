// Tests of experiments/boundaries_sec45/boundaries.h, against hand-computed
// values.
#include "experiments/boundaries_sec45/boundaries.h"

#include <cmath>
#include <stdexcept>
#include <vector>

#include "gtest/gtest.h"

namespace fgbdl {
namespace {

TEST(StepsToLevel, InterpolatesInLogStepAndLogError) {
  // Between (10, 1e-1) and (1000, 1e-3) the line in (log t, log e) meets
  // 1e-2 halfway: t = 100.
  const LevelStep s = steps_to_level({0, 10, 1000}, {1, 1e-1, 1e-3}, 1e-2);
  EXPECT_TRUE(s.reached);
  EXPECT_NEAR(s.steps, 100.0, 1e-9);
  // Reached exactly at a logged step.
  EXPECT_NEAR(steps_to_level({0, 10, 1000}, {1, 1e-1, 1e-2}, 1e-2).steps, 1000.0, 1e-9);
  // Reached at the first step after 0: that step.
  EXPECT_EQ(steps_to_level({0, 1, 2}, {1, 1e-3, 1e-4}, 1e-2).steps, 1.0);
  // A zero error: the step where it is logged.
  EXPECT_EQ(steps_to_level({0, 10, 20}, {1, 0.5, 0}, 1e-2).steps, 20.0);
}

TEST(StepsToLevel, CensoredAtTheCapOrAtTheLastFiniteStep) {
  const LevelStep c = steps_to_level({0, 10, 100}, {1, 0.5, 0.2}, 1e-2);
  EXPECT_FALSE(c.reached);
  EXPECT_EQ(c.steps, 100.0);
  const LevelStep d = steps_to_level({0, 10, 100}, {1, 0.5, NAN}, 1e-2);
  EXPECT_FALSE(d.reached);
  EXPECT_EQ(d.steps, 10.0);
  EXPECT_THROW(steps_to_level({}, {}, 0.1), std::invalid_argument);
  EXPECT_THROW(steps_to_level({0, 1}, {1}, 0.1), std::invalid_argument);
  EXPECT_THROW(steps_to_level({0}, {1}, 0), std::invalid_argument);
}

TEST(MeanTInterval, HandComputed) {
  // Mean 2, sd 1, m = 3: half-width t_{0.975, 2} / sqrt(3) = 4.302653 / 1.732051.
  const MeanInterval r = mean_t_interval({1, 2, 3});
  EXPECT_DOUBLE_EQ(r.mean, 2.0);
  EXPECT_DOUBLE_EQ(r.sd, 1.0);
  EXPECT_NEAR(r.high - r.mean, 4.302652729911275 / std::sqrt(3.0), 1e-6);
  EXPECT_NEAR(r.mean - r.low, 4.302652729911275 / std::sqrt(3.0), 1e-6);
  const MeanInterval one = mean_t_interval({5});
  EXPECT_EQ(one.low, 5.0);
  EXPECT_EQ(one.high, 5.0);
  EXPECT_THROW(mean_t_interval({}), std::invalid_argument);
  EXPECT_THROW(mean_t_interval({1, NAN}), std::invalid_argument);
}

TEST(UpCrossing, InterpolatesInLogXAndMarksTheGridsEnds) {
  // From 0.05 at x = 2 to 0.15 at x = 8: 0.1 is met halfway in log x, at 4.
  EXPECT_NEAR(up_crossing({1, 2, 8}, {0.01, 0.05, 0.15}, 0.1), 4.0, 1e-12);
  EXPECT_EQ(up_crossing({1, 2}, {0.2, 0.3}, 0.1), -INFINITY);
  EXPECT_EQ(up_crossing({1, 2}, {0.01, 0.02}, 0.1), INFINITY);
  // Only the first rise counts.
  EXPECT_EQ(up_crossing({1, 10, 100}, {0.2, 0.01, 0.2}, 0.1), -INFINITY);
  EXPECT_THROW(up_crossing({2, 1}, {0, 0}, 0.1), std::invalid_argument);
}

TEST(PairedT, HandComputed) {
  // Differences 1, 2, 3: mean 2, sd 1, t = 2 sqrt(3) = 3.4641, 2 dof,
  // p = 0.07418 (two-sided).
  const PairedT r = paired_t({2, 4, 6}, {1, 2, 3});
  EXPECT_DOUBLE_EQ(r.mean_difference, 2.0);
  EXPECT_NEAR(r.t, 2 * std::sqrt(3.0), 1e-12);
  EXPECT_EQ(r.dof, 2);
  EXPECT_NEAR(r.p_two_sided, 1 - std::sqrt(12.0 / 14.0), 1e-9);
  EXPECT_EQ(paired_t({1, 2}, {1, 2}).p_two_sided, 1.0);
  EXPECT_EQ(paired_t({2, 3}, {1, 2}).p_two_sided, 0.0);
  EXPECT_THROW(paired_t({1}, {1}), std::invalid_argument);
}

}  // namespace
}  // namespace fgbdl
