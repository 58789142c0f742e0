// Claim X4 of the extension "Beyond the paper" (paper/ext_perturbation.md):
// zeroth-order perturbation learners (lib/train/perturbation.h) against
// back-propagation on the paper's four failure families. Each run trains
// three learners from the same initial weights, on the same batches, with
// the same optimizer and the same number of steps:
//
//   backprop   the exact gradient (one forward and one backward pass a step);
//   gaussian   N antithetic Gaussian perturbations at the fixed size sigma;
//   cauchy     N antithetic perturbations of Cauchy-distributed sizes
//              sigma |c|, c standard Cauchy (median size sigma);
//
// the perturbation learners take 2N + 1 forward passes a step and no
// backward pass. The families:
//
//   parity   the paper's Section 2 (E2.1, lib/data/parity.h): the network
//            d-10d-1 with ReLU, the hinge loss; held-out accuracy.
//   tuples   the paper's Section 3 line-image tuples at small k
//            (lib/data/line_images.h, the product label): k images side by
//            side as 784 k pixels, the MLP 784k-width-1, the hinge loss;
//            held-out accuracy (as X2's tuples part).
//   curves   the paper's Section 4 piecewise-linear curves (lib/data/curves.h,
//            3 kinks, the paper's distribution) to their encoding p = U f:
//            the MLP n-width-n, the squared loss; held-out mean squared error
//            per coordinate of p.
//   flat     the paper's Section 5 step target y = u(v*^T x + b*)
//            (lib/data/step_targets.h, d = 100, the script's thresholds) and
//            the model u(w^T x + b) itself, the squared loss: the "plain"
//            learner of experiments/sec5_flat/flat_training.h, whose exact
//            gradient is zero wherever it exists; held-out mean squared
//            error of the prediction u(w^T x + b).
//   smooth   the same target and parameters with the smooth model
//            u~(w^T x + b) (E5.2's sigmoid sum, the "approx" learner) as the
//            training loss; held-out error of the prediction u(w^T x + b).
//
// Randomness: derive_engine(seed, stream), one stream per purpose (the
// target, the held-out set, the initial weights, the batches, each
// perturbation learner's perturbations); the three learners of a run see
// the same batches in the same order and start from the same weights.
#ifndef EXPERIMENTS_EXT_PERTURBATION_PERTURBATION_TRAINING_H_
#define EXPERIMENTS_EXT_PERTURBATION_PERTURBATION_TRAINING_H_

#include <cstdint>
#include <functional>
#include <string>

#include "lib/io/results.h"

namespace fgbdl {

struct X4Settings {
  std::int64_t steps = 2000;
  std::int64_t batch = 128;
  std::string optimizer = "adam";  // every learner's: "adam" or "sgd"
  double lr = 1e-3;
  double sigma = 0.01;             // the Gaussian size; the Cauchy sizes' median
  std::int64_t pairs = 16;         // N antithetic pairs a step
  double beta = 0;                 // the perturbation learners' own running average
  std::int64_t width = 16;         // hidden width of the tuples and curves MLPs
  std::int64_t width_factor = 10;  // parity: hidden width = width_factor d
  std::int64_t eval_every = 100;
  std::int64_t eval_samples = 2000;
};

// One parity run over d bits: columns step, backprop_accuracy,
// gaussian_accuracy, cauchy_accuracy. A run in which a learner diverges ends
// at the first divergence (lib/train/curves.h); status records it. The same
// for the runs below.
Table parity_perturbation(const X4Settings& s, int d, std::uint64_t seed, RunStatus& status,
                          const std::function<void(std::int64_t)>& on_step = {});

// One line-image tuple run with k images: the same columns.
Table tuples_perturbation(const X4Settings& s, int k, std::uint64_t seed, RunStatus& status,
                          const std::function<void(std::int64_t)>& on_step = {});

// One curves run at n samples: columns step, backprop_test_mse,
// gaussian_test_mse, cauchy_test_mse, target_variance (the error of
// predicting each coordinate's held-out mean).
Table curves_perturbation(const X4Settings& s, int n, std::uint64_t seed, RunStatus& status,
                          const std::function<void(std::int64_t)>& on_step = {});

// One step-target run with the flat model (smooth false) or the smooth one:
// the same columns as curves_perturbation (target_variance the held-out
// variance of y).
Table flat_perturbation(const X4Settings& s, bool smooth, std::uint64_t seed, RunStatus& status,
                        const std::function<void(std::int64_t)>& on_step = {});

}  // namespace fgbdl

#endif  // EXPERIMENTS_EXT_PERTURBATION_PERTURBATION_TRAINING_H_
