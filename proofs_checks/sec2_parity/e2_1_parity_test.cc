// E2.1 of the paper (Section 2.1, Figure 1) at reduced scale: with the
// paper's network, loss, learning rate and batch, SGD learns random parities
// over d = 5 and d = 10 bits, and stays at chance for d = 30.
//
// Scale: 20 000 SGD steps (the paper runs 50 000), seeds 1, 2, 3. The
// accuracy compared is the mean of the last 10 evaluations (steps 19 100 to
// 20 000, 500 fresh samples each: 5 000 samples, sd <= 0.007).
// Measured with //experiments/sec2_parity:e2_1_parity on seeds 1..10 (the
// test uses 1..3; same code, same numbers):
//   d = 5:  1.000 for every seed;
//   d = 10: 0.967 .. 1.000 (seeds 1, 2, 3: 1.000), first evaluation >= 0.95
//           at steps 400 .. 10 800;
//   d = 30: 0.494 .. 0.511; the largest single evaluation after step
//           15 000 over all 10 seeds was 0.564.
// Thresholds are the claim's: >= 0.95 to learn, <= 0.6 for chance. Margins
// on seeds 1..3: 0.05 above for d <= 10; 0.09 (about 12 sd) below for d = 30.
// Fixed seeds make the test deterministic; over fresh seeds the d = 10
// margin is the thin one (smallest measured 0.017).
#include <cstdint>
#include <numeric>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "experiments/sec2_parity/parity_training.h"
#include "gtest/gtest.h"

namespace fgbdl {
namespace {

constexpr std::int64_t kSteps = 20000;

// Mean accuracy over the last 10 evaluations of a training run.
double final_accuracy(const Table& t) {
  const auto& rows = t.rows();
  double sum = 0;
  for (std::size_t i = rows.size() - 10; i < rows.size(); ++i) sum += rows[i][1];
  return sum / 10.0;
}

double train(int d, std::uint64_t seed) {
  ParitySettings s;
  s.d = d;
  s.steps = kSteps;
  RunStatus status;
  const Table t = train_parity(s, seed, status);
  EXPECT_FALSE(status.diverged) << "d=" << d << " seed=" << seed;
  return final_accuracy(t);
}

TEST(E2_1, SgdLearnsParitiesOfFiveAndTenBitsButNotThirty) {
  std::string measured;
  for (const int d : {5, 10, 30}) {
    for (const std::uint64_t seed : {1u, 2u, 3u}) {
      const double acc = train(d, seed);
      measured += absl::StrFormat("d=%d seed=%d: %.3f; ", d, seed, acc);
      if (d <= 10) {
        EXPECT_GE(acc, 0.95) << "d=" << d << " seed=" << seed << " did not learn";
      } else {
        EXPECT_LE(acc, 0.6) << "d=" << d << " seed=" << seed << " is above chance";
      }
    }
  }
  RecordProperty("measured", absl::StrCat("accuracy after 20000 steps (mean of last 10 evals) ",
                                          measured));
}

// Same seed, same results (bit for bit); another seed, other results.
TEST(E2_1, RunsAreDeterministicGivenTheSeed) {
  ParitySettings s;
  s.d = 10;
  s.steps = 300;
  RunStatus status;
  const Table a = train_parity(s, 7, status);
  const Table b = train_parity(s, 7, status);
  const Table c = train_parity(s, 8, status);
  EXPECT_EQ(a.to_csv(), b.to_csv());
  EXPECT_NE(a.to_csv(), c.to_csv());
}

// A learning rate far past stability (0.01 is the paper's) is recorded as diverged at its step,
// not a crash (paper/design.md, Bad input and failures).
TEST(E2_1, ADivergingRunIsRecordedWithItsStep) {
  ParitySettings s;
  s.d = 5;
  s.steps = 1000;
  s.lr = 1000;  // measured: the loss overflows at step 11 (seed 1)
  RunStatus status;
  const Table t = train_parity(s, 1, status);
  EXPECT_TRUE(status.diverged);
  EXPECT_GE(status.diverged_step, 1);
  EXPECT_LT(status.diverged_step, 1000);
  EXPECT_EQ(t.rows().back()[0], static_cast<double>(status.diverged_step));
}

}  // namespace
}  // namespace fgbdl
