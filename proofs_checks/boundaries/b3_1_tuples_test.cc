// B3.1 (paper/boundaries.md, "Where each failure begins"): where end-to-end
// training of E3.1 (paper Section 3.1, Figure 3) stops learning the parity
// of k line images. The paper shows end-to-end training learning only for
// very small k and at chance for k >= 3, and decomposition learning every k.
//
// The boundary at the paper's budgets (20 000 steps end to end, 2 500 with
// decomposition, seeds 1..10) is the grid's, //reports:b3_1_tuples_grid
// under --config=boundaries, 243.5 min of core time: it is not run by this
// test, which checks the shape at the paper's settings (batch 200, 2 000
// held-out tuples) with short budgets (300 steps end to end, 400 with
// decomposition) on seeds 1 and 2. Success as the section defines it
// (experiments/boundaries/success.h): held-out tuple accuracy >= 0.8 at
// some evaluation within the budget. A run with a short budget is the
// first steps of the grid's run of the same (k, approach, seed), so the
// grid's curves give every outcome below on seeds 1..10; the values next to
// each check are from there. The grid itself: end to end 10, 5, 0 and 0 of
// 10 runs succeed at k = 1..4 (k = 2 on seeds 1, 2, 3, 5, 7, at steps 400
// to 5 300), k50 = 2.0 [1.73, 2.27]; decomposition 10 of 10 at every k.
//
// Flake budget: fixed seeds, deterministic on a machine and OpenBLAS kernel
// (another kernel behaves like other seeds; the margins are over the
// grid's 10 seeds).
#include <cstdint>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "experiments/boundaries/success.h"
#include "experiments/sec3_decomposition/tuple_training.h"
#include "gtest/gtest.h"
#include "lib/analysis/rates.h"
#include "lib/io/results.h"
#include "proofs_checks/verdict.h"

namespace fgbdl {
namespace {

constexpr int kSeeds = 2;

// Steps to success of one run (-1: none within `steps`), and its best
// held-out accuracy.
struct Outcome {
  double steps_to_success = -1, best = 0;
};

Outcome run(int k, TupleApproach a, std::int64_t steps, int seed) {
  TupleSettings s;
  s.k = k;
  s.approach = a;
  s.steps = steps;
  const TupleTrainingResult r = train_tuples(s, static_cast<std::uint64_t>(seed), {});
  EXPECT_FALSE(r.status.diverged) << "k " << k << " seed " << seed;
  std::vector<double> step, accuracy;
  for (const auto& row : r.metrics.rows()) {
    step.push_back(row.at(0));
    accuracy.push_back(row.at(1));
  }
  Outcome o;
  o.steps_to_success = steps_to_success(step, accuracy, kTupleSuccessAccuracy);
  for (const double x : accuracy) o.best = std::max(o.best, x);
  return o;
}

// Successes over seeds 1..kSeeds, described into `stat`.
std::int64_t successes(int k, TupleApproach a, std::int64_t steps, std::string* stat) {
  std::int64_t s = 0;
  std::string each;
  for (int seed = 1; seed <= kSeeds; ++seed) {
    const Outcome o = run(k, a, steps, seed);
    s += succeeded_within(o.steps_to_success, static_cast<double>(steps));
    absl::StrAppendFormat(&each, "%s%g (best %.3f)", each.empty() ? "" : ", ", o.steps_to_success,
                          o.best);
  }
  absl::StrAppendFormat(stat, "%s%s k %d within %d steps: %d/%d (steps to success %s)",
                        stat->empty() ? "" : "; ",
                        a == TupleApproach::kEndToEnd ? "end to end" : "decomposition", k, steps,
                        s, kSeeds, each);
  return s;
}

// End to end, k = 1 succeeds within 300 steps on every seed (on seeds
// 1..10 of the grid at step 100, accuracy 0.882 to 0.948 there) and k = 3 on
// none (on seeds 1..10 of the grid none within 20 000 steps; best held-out
// accuracy within 300 steps 0.487 to 0.530: chance).
TEST(B3_1, EndToEndLearnsOneImageAndNotThree) {
  std::string stat;
  EXPECT_EQ(successes(1, TupleApproach::kEndToEnd, 300, &stat), kSeeds) << stat;
  EXPECT_EQ(successes(3, TupleApproach::kEndToEnd, 300, &stat), 0) << stat;
  RecordProperty("measured", stat);
  record_verdict("B3.1", ClaimState::kVerified,
                 absl::StrCat(stat, "; the boundary at the paper's budgets is the grid's "
                                    "(seeds 1..10, paper/boundaries.md)"));
}

// With decomposition, k = 3 succeeds within 400 steps on every seed (on
// seeds 1..10 of the grid first at or above 0.8 at step 300 or 400, accuracy
// 0.881 to 0.896 at step 400: a margin of 0.08).
TEST(B3_1, DecompositionLearnsThreeImages) {
  std::string stat;
  EXPECT_EQ(successes(3, TupleApproach::kDecomposition, 400, &stat), kSeeds) << stat;
  RecordProperty("measured", stat);
  record_verdict("B3.1", ClaimState::kVerified,
                 absl::StrCat(stat, "; the boundary at the paper's budgets is the grid's "
                                    "(seeds 1..10, paper/boundaries.md)"));
}

}  // namespace
}  // namespace fgbdl
