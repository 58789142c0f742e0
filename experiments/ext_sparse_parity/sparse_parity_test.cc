// The (n, k)-sparse parity and one run of X6 (sparse_parity.h): the support
// is a k-subset, the labels are the product of its coordinates, a run is
// deterministic, ends at its first perfect evaluation, and records a run
// that is not solved in time as censored.
#include "experiments/ext_sparse_parity/sparse_parity.h"

#include <cmath>
#include <set>
#include <stdexcept>

#include "gtest/gtest.h"

namespace fgbdl {
namespace {

TEST(SparseParity, SupportIsAKSubsetAndEveryCoordinateIsDrawn) {
  std::set<std::size_t> seen;
  for (std::uint64_t seed = 0; seed < 200; ++seed) {
    Engine rng = derive_engine(seed, 0);
    const SparseParity p = draw_sparse_parity(10, 3, rng);
    ASSERT_EQ(p.support.size(), 3u);
    EXPECT_LT(p.support[0], p.support[1]);
    EXPECT_LT(p.support[1], p.support[2]);
    EXPECT_LT(p.support[2], 10u);
    seen.insert(p.support.begin(), p.support.end());
  }
  EXPECT_EQ(seen.size(), 10u);
  Engine rng = derive_engine(1, 0);
  EXPECT_THROW(draw_sparse_parity(3, 4, rng), std::invalid_argument);
  EXPECT_THROW(draw_sparse_parity(3, 0, rng), std::invalid_argument);
}

TEST(SparseParity, LabelsAreTheProductOfTheSupportAndInputsAreSigns) {
  const SparseParity p{6, {1, 4}};
  Engine rng = derive_engine(2, 3);
  Matrix x, y;
  sample_parity_batch(p, 500, rng, x, y);
  ASSERT_EQ(x.shape(1), 6u);
  double mean_y = 0;
  for (std::size_t r = 0; r < 500; ++r) {
    for (std::size_t i = 0; i < 6; ++i) ASSERT_EQ(std::fabs(x(r, i)), 1.0f);
    EXPECT_EQ(y(r, 0), x(r, 1) * x(r, 4));
    mean_y += y(r, 0) / 500.0;
  }
  EXPECT_LT(std::fabs(mean_y), 0.2);  // sd 1/sqrt(500) = 0.045: 4.5 sd
}

TEST(ParityRun, IsDeterministicAndEndsAtItsFirstPerfectEvaluation) {
  ParitySettings s;
  s.n = 10;
  s.k = 2;
  s.eval_every = 10;
  s.eval_samples = 1024;
  const ParityRun a = parity_run(s, 4), b = parity_run(s, 4);
  ASSERT_TRUE(a.solved);
  EXPECT_EQ(a.metrics.to_csv(), b.metrics.to_csv());
  const auto& rows = a.metrics.rows();
  EXPECT_EQ(rows.back()[1], 1.0);
  EXPECT_EQ(rows.back()[0], double(a.solved_step));
  for (std::size_t r = 0; r + 1 < rows.size(); ++r) EXPECT_LT(rows[r][1], 1.0);
  EXPECT_EQ(rows.front()[3], 0.0);  // no change at step 0
  EXPECT_GT(rows.back()[3], rows.front()[3]);
  const ParityRun other = parity_run(s, 5);
  EXPECT_NE(a.metrics.to_csv(), other.metrics.to_csv());
}

TEST(ParityRun, RecordsARunNotSolvedInTimeAsCensored) {
  ParitySettings s;
  s.n = 30;
  s.k = 3;
  s.max_steps = 50;
  s.eval_every = 10;
  s.eval_samples = 1024;
  const ParityRun r = parity_run(s, 1);
  EXPECT_FALSE(r.solved);
  EXPECT_EQ(r.solved_step, 50);
  EXPECT_EQ(r.metrics.rows().size(), 6u);
  EXPECT_EQ(r.metrics.rows().back()[7], 0.0);
  EXPECT_EQ(r.metrics.rows().back()[8], 50.0);
}

}  // namespace
}  // namespace fgbdl
