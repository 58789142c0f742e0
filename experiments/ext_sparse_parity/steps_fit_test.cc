// The steps-to-learn fit (steps_fit.h) on synthetic runs
// T = 40 n^beta 2^{0.3 z}, z standard normal: it recovers beta within its
// interval, its interval covers beta about 95% of the time, and censored runs
// take their n out of the fit and are counted.
#include "experiments/ext_sparse_parity/steps_fit.h"

#include <cmath>
#include <stdexcept>
#include <vector>

#include "gtest/gtest.h"
#include "lib/core/rng.h"

namespace fgbdl {
namespace {

std::vector<StepsPoint> synthetic(double beta, Engine& rng) {
  std::vector<StepsPoint> runs;
  for (const double n : {10.0, 14.0, 20.0, 28.0, 40.0, 56.0})
    for (int seed = 0; seed < 5; ++seed)
      runs.push_back({n, 40 * std::pow(n, beta) * std::exp2(0.3 * normal(rng)), true});
  return runs;
}

TEST(StepsFit, RecoversAKnownExponentWithinItsInterval) {
  for (const double beta : {0.5, 1.0, 2.0, 3.0}) {
    Engine rng = derive_engine(6, static_cast<std::uint64_t>(beta * 10));
    const StepsFit f = fit_steps_exponent(synthetic(beta, rng));
    EXPECT_EQ(f.runs, 30u);
    EXPECT_EQ(f.censored, 0u);
    EXPECT_LE(f.fit.ci_low, beta) << f.fit.to_string();
    EXPECT_GE(f.fit.ci_high, beta) << f.fit.to_string();
    EXPECT_LT(f.fit.ci_high - f.fit.ci_low, 0.5) << f.fit.to_string();
  }
}

// Coverage over 400 synthetic data sets: the count of intervals holding beta
// is Binomial(400, 0.95) if the interval is exact, mean 380, sd 4.4; the
// bounds 365 and 395 are 3.4 sd away (a false failure about 1e-3 for a
// correct interval; the seeds are fixed, so the test is deterministic).
TEST(StepsFit, ItsIntervalCoversTheExponentAbout95PercentOfTheTime) {
  Engine rng = derive_engine(6, 100);
  int covered = 0;
  for (int i = 0; i < 400; ++i) {
    const StepsFit f = fit_steps_exponent(synthetic(2.0, rng));
    covered += f.fit.ci_low <= 2.0 && 2.0 <= f.fit.ci_high;
  }
  RecordProperty("measured", covered);
  EXPECT_GE(covered, 365);
  EXPECT_LE(covered, 395);
}

TEST(StepsFit, LeavesOutEveryNWithACensoredRunAndCountsIt) {
  Engine rng = derive_engine(6, 200);
  std::vector<StepsPoint> runs = synthetic(1.0, rng);
  const StepsFit all = fit_steps_exponent(runs);
  runs.push_back({80, 1e9, false});
  runs.push_back({80, 500, true});  // solved, but at an n with a censored run
  runs.push_back({56, 1e9, false});
  const StepsFit f = fit_steps_exponent(runs);
  EXPECT_EQ(f.censored, 2u);
  EXPECT_EQ(f.left_out, (std::vector<double>{56, 80}));
  EXPECT_EQ(f.runs, 25u);
  EXPECT_NE(f.fit.rate, all.fit.rate);
}

TEST(StepsFit, RefusesTooFewRuns) {
  EXPECT_THROW(fit_steps_exponent({{10, 100, true}, {20, 400, true}}), std::invalid_argument);
  EXPECT_THROW(fit_steps_exponent({{10, 100, true}, {10, 1e9, false}, {20, 1, false}}),
               std::invalid_argument);
}

}  // namespace
}  // namespace fgbdl
