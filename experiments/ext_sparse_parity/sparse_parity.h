// Claim X6 of the extension "Beyond the paper VI" (paper/ext_sparse_parity.md):
// SGD learns a sparse parity after about n^O(k) steps, with a plateau and a
// sudden jump while a hidden progress measure grows (Barak, Edelman, Goel,
// Kakade, Malach, Zhang, "Hidden progress in deep learning: SGD learns
// parities near the computational limit", NeurIPS 2022, arXiv 2207.08799).
// No code of the source is public; where its settings are not stated the
// package chose its own (paper/ext_sparse_parity.md says which).
//
// The (n, k)-sparse parity (the source's Section 2): x uniform on {±1}^n,
// y = prod_{i in S} x_i for a hidden set S of k coordinates (drawn uniformly
// per seed). Online learning: a fresh batch every step. The learner is a
// 2-layer ReLU MLP n -> width -> 1 (lib/train/mlp.h) trained by SGD through
// the one training loop with the hinge or the square loss.
//
// "Solved" (the source's convergence time): the first evaluation at which
// the network's sign is right on every sample of a fixed validation batch of
// 2^13 fresh samples. A run that is not solved within its step budget ends
// there and is recorded as censored, never dropped.
//
// Progress measures (the source's Section 4.3, its Figure 1's
// ||w_t - w_0||_inf): over the first layer W1 [n, width] (row i: the weights
// of input i), the largest change since initialization on the rows of S,
//   relevant   = max_{i in S, j} |W1_t(i, j) - W1_0(i, j)|,
// and on the other rows,
//   irrelevant = max_{i not in S, j} |W1_t(i, j) - W1_0(i, j)|,
// and, since a maximum over the n - k other rows grows with their number
// alone, the same per row averaged over the rows of each set,
//   relevant_mean   = (1/k) sum_{i in S} max_j |W1_t(i, j) - W1_0(i, j)|,
//   irrelevant_mean = (1/(n-k)) sum_{i not in S} max_j |...| (0 when k = n).
//
// Randomness: derive_engine(seed, stream), one stream per purpose (the set
// S, the validation batch, the network's initialization, the batches).
#ifndef EXPERIMENTS_EXT_SPARSE_PARITY_SPARSE_PARITY_H_
#define EXPERIMENTS_EXT_SPARSE_PARITY_SPARSE_PARITY_H_

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "lib/core/rng.h"
#include "lib/core/tensor.h"
#include "lib/io/results.h"

namespace fgbdl {

struct SparseParity {
  std::size_t n = 0;
  std::vector<std::size_t> support;  // S, k distinct coordinates, increasing
};

// S uniform among the k-subsets of {0, ..., n - 1}. Throws
// std::invalid_argument unless 1 <= k <= n.
SparseParity draw_sparse_parity(std::size_t n, std::size_t k, Engine& rng);

// B samples: x [B, n] uniform on {±1}^n, y [B, 1] = prod_{i in S} x_i.
void sample_parity_batch(const SparseParity& p, std::size_t B, Engine& rng, Matrix& x,
                         Matrix& y);

struct ParitySettings {
  std::int64_t n = 20, k = 3;
  std::int64_t width = 100;
  std::int64_t batch = 32;
  double lr = 0.1;
  std::string loss = "hinge";  // "hinge" or "square"
  std::int64_t max_steps = 100000;
  std::int64_t eval_every = 10;
  std::int64_t eval_samples = 8192;  // 2^13, the source's validation batch
};

struct ParityRun {
  // Columns: step, accuracy (on the validation batch), loss (mean training
  // loss since the previous evaluation; NaN at step 0), relevant,
  // irrelevant, relevant_mean and irrelevant_mean (the progress measures),
  // then two constants: solved (1, or 0
  // for a censored run) and solved_step (the first step with accuracy 1, or
  // the last step of a censored run).
  Table metrics{{"step", "accuracy", "loss", "relevant", "irrelevant", "relevant_mean",
                 "irrelevant_mean", "solved", "solved_step"}};
  RunStatus status;
  bool solved = false;
  std::int64_t solved_step = 0;
  std::vector<std::size_t> support;
};

// One run: the network trained until its first evaluation with accuracy 1
// (evaluations at step 0 and every eval_every steps) or max_steps. A
// diverged run is not solved.
ParityRun parity_run(const ParitySettings& s, std::uint64_t seed,
                     const std::function<void(std::int64_t)>& on_step = {});

}  // namespace fgbdl

#endif  // EXPERIMENTS_EXT_SPARSE_PARITY_SPARSE_PARITY_H_
