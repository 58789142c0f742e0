// B2.1 (paper/boundaries.md, "Where each failure begins"): where the
// failure of E2.1 (paper Section 2.1, Figure 1) begins. The paper shows
// d = 5 and d = 10 learned and d = 30 at chance within 50 000 SGD steps, so
// the success rate crosses 1/2 between d = 10 and d = 30.
//
// Reduced scale: the E2.1 network and SGD exactly as the paper (and as the
// grid's runs), with the quick profile's budget of 20 000 steps instead of
// 50 000, on seeds 1..6 (the grid: 10). Success as the section defines it
// (experiments/boundaries/success.h): held-out accuracy >= 0.9 at some
// evaluation within the budget. A run of 20 000 steps is the first 20 000
// steps of the grid's run of the same (d, seed), so the grid's curves give
// every outcome below on seeds 1..10: the measured values next to each
// check are from there (//reports:b2_1_parity_grid under
// --config=boundaries).
//
// Flake budget: the seeds are fixed, so the test is deterministic on a
// machine and OpenBLAS kernel; another kernel behaves like other seeds, and
// the margins below say how many seeds' worth of change each check can take.
#include <cstdint>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "experiments/boundaries/success.h"
#include "experiments/sec2_parity/parity_training.h"
#include "gtest/gtest.h"
#include "lib/analysis/rates.h"
#include "lib/io/results.h"
#include "proofs_checks/verdict.h"

namespace fgbdl {
namespace {

constexpr std::int64_t kBudget = 20000;
constexpr int kSeeds = 6;

std::vector<double> column(const Table& t, const std::string& name) {
  std::vector<double> v;
  std::size_t c = 0;
  while (c < t.columns().size() && t.columns()[c] != name) ++c;
  EXPECT_LT(c, t.columns().size()) << "no column " << name;
  for (const auto& row : t.rows()) v.push_back(row.at(c));
  return v;
}

// Successes within kBudget steps at d over seeds 1..kSeeds, and the steps to
// success of each seed (-1: none).
struct Rate {
  int d = 0;
  std::int64_t s = 0, n = 0;
  std::vector<double> steps;
};

Rate rate_at(int d) {
  Rate r;
  r.d = d;
  for (int seed = 1; seed <= kSeeds; ++seed) {
    ParitySettings s;
    s.d = d;
    s.steps = kBudget;
    RunStatus status;
    const Table t = train_parity(s, static_cast<std::uint64_t>(seed), status);
    EXPECT_FALSE(status.diverged) << "d " << d << " seed " << seed;
    const double steps = steps_to_success(column(t, "step"), column(t, "accuracy"), kSuccessAccuracy);
    r.steps.push_back(steps);
    r.s += succeeded_within(steps, kBudget);
    ++r.n;
  }
  return r;
}

std::string describe(const Rate& r) {
  const Interval ci = clopper_pearson(r.s, r.n);
  std::string steps;
  for (const double x : r.steps) absl::StrAppend(&steps, steps.empty() ? "" : " ", x);
  return absl::StrFormat("d %d: %d/%d [%.3f, %.3f] (steps to success %s)", r.d, r.s, r.n, ci.low,
                         ci.high, steps);
}

// The paper's settings at the reduced budget: the Clopper-Pearson 95%
// interval of the rate lies above 1/2 at d = 5 and d = 10 and below 1/2 at
// d = 30 (6 of 6 and 0 of 6 give [0.541, 1] and [0, 0.459]). Measured over
// seeds 1..10 (the grid's curves): d = 5 and d = 10 succeed on every seed,
// by step 2 200 and 8 500 at the latest (the budget is 2.35 times the
// slowest), d = 30 on none (best held-out accuracy 0.558 to 0.590 over the
// whole 50 000 steps: chance on 500 samples, sd 0.022, at its best of 500
// evaluations).
TEST(B2_1, ThePaperSettingsLearnAtFiveAndTenBitsAndNotAtThirty) {
  std::string stat;
  for (const int d : {5, 10, 30}) {
    const Rate r = rate_at(d);
    const Interval ci = clopper_pearson(r.s, r.n);
    absl::StrAppend(&stat, stat.empty() ? "" : "; ", describe(r));
    if (d == 30) {
      EXPECT_LT(ci.high, 0.5) << describe(r);
    } else {
      EXPECT_GT(ci.low, 0.5) << describe(r);
    }
  }
  stat += absl::StrFormat(" (budget %d steps, seeds 1..%d)", kBudget, kSeeds);
  RecordProperty("measured", stat);
  record_verdict("B2.1", ClaimState::kVerified, stat);
}

// Where the rate crosses 1/2 at the reduced budget: the logistic fit over
// d = 10, 15, 20, 25 (seeds 1..6) crosses at d50 with a profile-likelihood
// interval inside (10, 30). Measured on the grid's curves: seeds 1..6
// 16.64 [14.06, 19.22]; 1..5 16.48 [13.37, 19.50]; 3..8 and 5..10
// separated, 15 [13.95, 17.68]; 1..10 16.44 [14.71, 18.26] (at d = 10, 15,
// 20, 25: 10, 7, 1 and 0 of 10): the ends stay 3.4 above 10 and 10.5 below
// 30.
TEST(B2_1, TheFittedBoundaryLiesBetweenTenAndThirtyBits) {
  std::vector<double> x;
  std::vector<int> y;
  std::string stat;
  for (const int d : {10, 15, 20, 25}) {
    const Rate r = rate_at(d);
    absl::StrAppend(&stat, stat.empty() ? "" : "; ", describe(r));
    for (const double steps : r.steps) {
      x.push_back(d);
      y.push_back(succeeded_within(steps, kBudget) ? 1 : 0);
    }
  }
  const LogisticFit f = fit_logistic(x, y);
  stat = absl::StrCat(f.to_string(), " at a budget of ", kBudget, " steps; ", stat);
  ASSERT_TRUE(f.crossing) << stat;
  EXPECT_GT(f.x50_ci.low, 10) << stat;
  EXPECT_LT(f.x50_ci.high, 30) << stat;
  RecordProperty("measured", stat);
  record_verdict("B2.1", ClaimState::kVerified, stat);
}

}  // namespace
}  // namespace fgbdl
