// Claim X2 of the extension "Beyond the paper I" (paper/ext_gating.md):
// decoupling gating from linearity (Fiat, Malach, Shalev-Shwartz 2019,
// arXiv 1906.05032). A one-hidden-layer ReLU network trained end to end
// against the GaLU network of lib/train/galu.h (the same width, gates from a
// fixed random U, only the linear part trained), on three problems:
//
//   memorize  (the source's memorization experiment) x ~ N(0, I_d),
//             y ~ N(0, 1), m training samples; the training error
//             (1/m) sum (f(x_i) - y_i)^2 of the ReLU network d-k-1 (W1, b1,
//             W2, b2 trained), of the GaLU network (W trained, no biases:
//             the source's k d features) trained by the same optimizer on
//             the same batches, and of the GaLU network's exact
//             least-squares solution (lib/train/galu.h, dgelsd), against
//             k d / m. Squared loss (1/B) sum (f - y)^2 / 2 (lib/nn/loss.h:
//             half the source's mean squared error, so the gradient is half
//             as large at the same learning rate). Batches of `batch`
//             indices drawn uniformly with replacement.
//   parity    the paper's Section 2 family (E2.1, lib/data/parity.h): the
//             E2.1 network d-10d-1 with the hinge loss and SGD on fresh
//             batches, against the GaLU network of width 10d with a trained
//             bias and random gate biases c ~ N(0, 1) (x U has unit variance
//             on {±1}^d at alpha = 1); held-out accuracy.
//   step      the paper's Section 5 target y = u(v*^T x + b*)
//             (lib/data/step_targets.h, the script's thresholds, d = 100,
//             x ~ N(0, I / 100^2)): the ReLU network d-k-1 against the GaLU
//             network of width k, both with the squared loss and Adam on
//             fresh batches; gate biases c ~ N(0, 0.01^2), the scale of
//             x U on these inputs; held-out mean squared error. With two
//             hidden layers (FreshSettings::hidden_layers), the ReLU
//             network d-k-k-1 of E5.3 against GaLU0 of the same widths.
//
// Randomness: derive_engine(seed, stream) with one stream per purpose (data,
// held-out data, each network's initialization, the batches); both networks
// of a run see the same batches, in the same order.
#ifndef EXPERIMENTS_EXT_GATING_GATING_TRAINING_H_
#define EXPERIMENTS_EXT_GATING_GATING_TRAINING_H_

#include <cstdint>
#include <functional>
#include <string>

#include "experiments/ext_gating/fashion_data.h"
#include "lib/core/tensor.h"
#include "lib/io/results.h"

namespace fgbdl {

struct MemorizeSettings {
  std::int64_t d = 16, k = 16, m = 256;
  std::int64_t steps = 20000;
  std::int64_t batch = 128;
  std::string optimizer = "sgd";  // "sgd" or "adam" (beta1 0.9, beta2 0.999, eps 1e-8)
  double lr = 1e-3;
  double alpha = 1.0;             // GaLU gates U ~ N(0, 1) / (alpha sqrt(d))
  std::int64_t eval_every = 1000;
};

// One memorization run: columns step, relu_train_mse, galu_train_mse,
// exact_train_mse (the same value on every row), kd_over_m. A run in which a
// learner diverges ends at the first divergence: its last row is that step,
// with the diverged learner's (non-finite) value and NaN for the other one;
// status records it. The same for the runs below.
Table memorize(const MemorizeSettings& s, std::uint64_t seed, RunStatus& status,
               const std::function<void(std::int64_t)>& on_step = {});

struct FreshSettings {
  std::int64_t d = 10;
  std::int64_t width = 100;
  std::int64_t steps = 20000;
  std::int64_t batch = 128;
  std::string optimizer = "sgd";
  double lr = 0.01;
  double alpha = 1.0;
  std::int64_t eval_every = 500;
  std::int64_t eval_samples = 2000;  // one held-out set, drawn once
  // 1: the ReLU network d-width-1 against the GaLU network of lib/train/galu.h;
  // L > 1: the ReLU network d-width-...-width-1 (L hidden layers) against
  // GaLU0 of the same widths (lib/train/galu0.h: every layer gated from the
  // input, the output layer trained).
  std::int64_t hidden_layers = 1;
  // Outputs of both networks; above 1 the GaLU network is GaLU0 with one
  // hidden layer (its output layer trained), as for L > 1.
  std::int64_t outputs = 1;
  // The GaLU gates' random biases c ~ N(0, gate_bias_std^2) (tuples and
  // curves; parity and step fix theirs to their inputs' scale).
  double gate_bias_std = 0;
};

// One parity run: columns step, relu_accuracy, galu_accuracy on the held-out set.
Table parity_gating(const FreshSettings& s, std::uint64_t seed, RunStatus& status,
                    const std::function<void(std::int64_t)>& on_step = {});

// One step-target run: columns step, relu_test_mse, galu_test_mse, and
// target_variance (the held-out variance of y, the error of the best constant).
Table step_gating(const FreshSettings& s, std::uint64_t seed, RunStatus& status,
                  const std::function<void(std::int64_t)>& on_step = {});

// The paper's Section 3 line-image tuples (E3.1's family at small k,
// lib/data/line_images.h: the paper's rasterizer, the tuple's label the
// product of its images' labels): k images flattened side by side into
// 784 k inputs, the ReLU network 784k-width-1 against the GaLU network of
// width `width`, the hinge loss, fresh batches; held-out accuracy. Columns
// step, relu_accuracy, galu_accuracy.
Table tuples_gating(const FreshSettings& s, int k, std::uint64_t seed, RunStatus& status,
                    const std::function<void(std::int64_t)>& on_step = {});

// The paper's Section 4 piecewise-linear curves (lib/data/curves.h, the
// paper's distribution: 3 kinks, slope changes U[-1, 1]): from the curve f
// sampled at n points to its encoding p = U f (Lemma 1), the ReLU network
// n-width-n against GaLU0 n-width-n, the squared loss, fresh batches;
// held-out mean squared error per coordinate of p. Columns step,
// relu_test_mse, galu_test_mse, target_variance (the error of predicting
// each coordinate's mean).
Table curves_gating(const FreshSettings& s, int n, std::uint64_t seed, RunStatus& status,
                    const std::function<void(std::int64_t)>& on_step = {});

// The softmax cross-entropy of scores [B, K] against one-hot y [B, K],
// averaged over rows (log-sum-exp with the row maximum subtracted);
// dscore = (softmax(score) - y) / B. A loss of lib/train/mlp.h's LossFn form.
float softmax_cross_entropy(const Matrix& score, const Matrix& y, Matrix& dscore);

// The source's data-set experiment on Fashion-MNIST after
// the PCA of fashion_data.h: the ReLU network 64-width-...-10 against GaLU0
// of the same widths (lib/train/galu0.h), the softmax cross-entropy, batches
// of `batch` training rows drawn with replacement.
struct FashionSettings {
  std::int64_t width = 64;
  std::int64_t hidden_layers = 2;
  std::int64_t steps = 10000;
  std::int64_t batch = 128;
  std::string optimizer = "adam";
  double lr = 1e-3;
  double alpha = 1.0;
  double gate_bias_std = 1.0;  // x U has unit variance on standardized inputs at alpha = 1
  std::int64_t eval_every = 1000;
};

// One run: columns step, relu_test_error, galu_test_error (the fraction of
// the test set misclassified).
Table fashion_gating(const FashionSettings& s, const ClassificationData& data, std::uint64_t seed,
                     RunStatus& status, const std::function<void(std::int64_t)>& on_step = {});

}  // namespace fgbdl

#endif  // EXPERIMENTS_EXT_GATING_GATING_TRAINING_H_
