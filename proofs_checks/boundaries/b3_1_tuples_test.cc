// B3.1 (paper/boundaries.md, "Where each failure begins"): where end-to-end
// training of E3.1 (paper Section 3.1, Figure 3) stops learning the parity
// of k line images. The paper shows end-to-end training learning only for
// very small k and at chance for k >= 3, and decomposition learning every k.
//
// The boundary at the paper's budgets (20 000 steps end to end, 2 500 with
// decomposition, seeds 1..10) is the grid's, //reports:b3_1_tuples_grid
// under --config=boundaries, about 3 core-hours: it is not run by this test,
// which checks the shape at the paper's settings (batch 200, 2 000
// held-out tuples) with short budgets (300 steps end to end, 400 with
// decomposition) on seeds 1 and 2. Success as the section defines it
// (experiments/boundaries/success.h): held-out tuple accuracy >= 0.8 at
// some evaluation within the budget. Measured with
// //experiments/sec3_decomposition:e3_1_tuples --claim=b3_1_tuples
// --k=1,2,3 --seeds=1,2,3,4 (the quick profile: 600 steps end to end, 400
// with decomposition, the same runs over longer budgets) on seeds 1..4; the
// values are next to each check. On the same runs end to end at k = 2
// reached 0.8 within 600 steps on seed 3 only (at step 600): a coin, as
// near the boundary it should be.
//
// Flake budget: fixed seeds, deterministic on a machine and OpenBLAS kernel
// (another kernel behaves like other seeds; the margins are over 4 seeds).
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

// End to end, k = 1 succeeds within 300 steps on every seed (measured on
// seeds 1..4: at step 100, accuracy 0.882-0.942 there and 0.950-0.962 from
// step 200) and k = 3 on none (best held-out accuracy within 600 steps
// 0.507-0.518 on seeds 1..4: chance).
TEST(B3_1, EndToEndLearnsOneImageAndNotThree) {
  std::string stat;
  EXPECT_EQ(successes(1, TupleApproach::kEndToEnd, 300, &stat), kSeeds) << stat;
  EXPECT_EQ(successes(3, TupleApproach::kEndToEnd, 300, &stat), 0) << stat;
  RecordProperty("measured", stat);
  record_verdict("B3.1", ClaimState::kNotConfirmed,
                 absl::StrCat(stat, "; the boundary at the paper's budgets (the grid of seeds "
                                    "1..10) is not measured by this test"));
}

// With decomposition, k = 3 succeeds within 400 steps on every seed
// (measured on seeds 1..4: first at or above 0.8 at step 300 or 400,
// accuracy 0.881-0.893 at step 400: a margin of 0.08).
TEST(B3_1, DecompositionLearnsThreeImages) {
  std::string stat;
  EXPECT_EQ(successes(3, TupleApproach::kDecomposition, 400, &stat), kSeeds) << stat;
  RecordProperty("measured", stat);
  record_verdict("B3.1", ClaimState::kNotConfirmed,
                 absl::StrCat(stat, "; the boundary at the paper's budgets is not measured by "
                                    "this test"));
}

}  // namespace
}  // namespace fgbdl
