// Claim X5 of the extension "Beyond the paper" (paper/ext_noise.md): noisy
// gradient descent on parities, after Abbe and Sandon, "Provable
// limitations of deep learning" (arXiv 1812.06369) and "Poly-time
// universality and limitations of deep learning" (arXiv 2001.02992): gradient
// descent with large batches and enough noise in its gradients cannot learn
// parities of growing degree, while it learns low-degree targets. Their
// experiments are not the source of this one: the setting is the package's.
//
// The input is x uniform on {±1}^d. A target is a parity chi_S(x) =
// prod_{i in S} x_i of |S| = k coordinates drawn uniformly per seed
// (lib/data/parity.h's Parity with a chosen subset): k > 1 is the sparse
// parity, k = 1 a single bit, the low-degree target. The learner is the
// parity network of E2.1 (experiments/sec2_parity/parity_training.h):
// dense d -> width_factor d with ReLU, dense -> 1, hinge loss, plain SGD on a
// fresh batch every step; its gradient is the exact one plus N(0, tau^2) on
// every entry (lib/train/noisy_gradient.h). Accuracy is the fraction of
// y * score > 0 on a fixed held-out set.
//
// Randomness: derive_engine(seed, stream), one stream per purpose. The
// initial weights, the batches' inputs and the held-out inputs depend on the
// seed only, not on tau nor on the target: for one seed every tau starts
// from the same network and sees the same inputs, and only the noise
// differs; the noise stream depends on the seed and tau.
#ifndef EXPERIMENTS_EXT_NOISE_NOISY_TRAINING_H_
#define EXPERIMENTS_EXT_NOISE_NOISY_TRAINING_H_

#include <cstdint>
#include <functional>
#include <string>

#include "lib/core/rng.h"
#include "lib/data/parity.h"
#include "lib/io/results.h"
#include "lib/train/loop.h"

namespace fgbdl {

// A parity of k distinct coordinates of d, uniform among the subsets of
// size k (a partial Fisher-Yates shuffle). Throws std::invalid_argument
// unless 1 <= k <= d <= 64.
Parity draw_sparse_parity(int d, int k, Engine& rng);

struct NoisySettings {
  int d = 20;                    // input bits
  int degree = 6;                // k: |S| of the target (1: a single bit)
  int width_factor = 10;         // hidden width = width_factor * d
  double tau = 0;                // the noise's standard deviation per gradient entry
  std::int64_t steps = 4000;
  std::int64_t batch = 1024;
  double lr = 0.1;
  std::int64_t eval_every = 100;
  std::int64_t eval_samples = 4096;
};

// One run: columns step, accuracy (held out), loss (the mean training hinge
// loss since the previous row; at step 0 the untrained network's held-out
// loss), tau (the same on every row). With a checkpoint, the run resumes from
// it and keeps it up to date (lib/train/loop.h); the noise stream is saved
// with the others.
Table noisy_run(const NoisySettings& s, std::uint64_t seed, RunStatus& status,
                const std::function<void(std::int64_t)>& on_step = {},
                const RunCheckpoint& checkpoint = {});

}  // namespace fgbdl

#endif  // EXPERIMENTS_EXT_NOISE_NOISY_TRAINING_H_
