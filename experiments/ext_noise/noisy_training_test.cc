// The pieces of X5's experiment (experiments/ext_noise/noisy_training.h): a
// sparse parity has exactly k coordinates, each equally likely; a run is
// deterministic per seed; every tau of one seed starts from the same
// network on the same held-out set (the paired design the text relies on).
#include "experiments/ext_noise/noisy_training.h"

#include <cmath>
#include <stdexcept>
#include <vector>

#include "gtest/gtest.h"

namespace fgbdl {
namespace {

TEST(SparseParity, HasExactlyKCoordinatesEachEquallyLikely) {
  Engine rng = derive_engine(1, 0);
  const int d = 10, k = 3, draws = 20000;
  std::vector<int> count(d, 0);
  for (int i = 0; i < draws; ++i) {
    const Parity p = draw_sparse_parity(d, k, rng);
    int in = 0;
    for (int j = 0; j < d; ++j) {
      in += p.in_subset[j];
      count[j] += p.in_subset[j];
    }
    ASSERT_EQ(in, k);
  }
  // Each coordinate is in S with probability k/d = 0.3: over 20 000 draws
  // the count has standard deviation sqrt(20000 * 0.3 * 0.7) = 64.8; 5 of
  // them (324) bounds a false failure below 1e-5 for the 10 coordinates.
  for (int j = 0; j < d; ++j) EXPECT_NEAR(count[j], draws * 0.3, 324) << "coordinate " << j;
  EXPECT_THROW(draw_sparse_parity(10, 0, rng), std::invalid_argument);
  EXPECT_THROW(draw_sparse_parity(10, 11, rng), std::invalid_argument);
  EXPECT_THROW(draw_sparse_parity(65, 3, rng), std::invalid_argument);
}

NoisySettings tiny(double tau) {
  NoisySettings s;
  s.d = 8;
  s.degree = 3;
  s.tau = tau;
  s.steps = 60;
  s.batch = 32;
  s.eval_every = 20;
  s.eval_samples = 256;
  return s;
}

TEST(NoisyRun, IsDeterministicPerSeedAndPairedAcrossTau) {
  RunStatus status;
  const Table a = noisy_run(tiny(0.1), 5, status), b = noisy_run(tiny(0.1), 5, status);
  EXPECT_EQ(a.rows(), b.rows());
  const Table other_seed = noisy_run(tiny(0.1), 6, status);
  EXPECT_NE(a.rows(), other_seed.rows());
  const Table no_noise = noisy_run(tiny(0), 5, status);
  ASSERT_EQ(no_noise.columns(), (std::vector<std::string>{"step", "accuracy", "loss", "tau"}));
  // Step 0: the same untrained network on the same held-out set.
  EXPECT_EQ(a.rows()[0][1], no_noise.rows()[0][1]);
  EXPECT_EQ(a.rows()[0][2], no_noise.rows()[0][2]);
  EXPECT_EQ(a.rows()[0][3], 0.1);
  EXPECT_EQ(no_noise.rows()[0][3], 0.0);
  // After training the noise has changed the network.
  EXPECT_NE(a.rows().back()[2], no_noise.rows().back()[2]);
  EXPECT_EQ(a.rows().size(), 4u);  // steps 0, 20, 40, 60
}

}  // namespace
}  // namespace fgbdl
