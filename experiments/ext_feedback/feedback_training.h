// Claim X3 of the extension "Beyond the paper III" (paper/ext_feedback.md):
// feedback alignment (Lillicrap, Cownden, Tweed, Akerman 2016, "Random
// synaptic feedback weights support error backpropagation for deep
// learning", Nature Communications 7:13276) on the paper's four failure
// families. One multi-layer perceptron (lib/train/mlp.h) is trained twice
// from the same initial weights, by the same optimizer on the same batches:
// by back-propagation ("bp") and by feedback alignment ("fa": the error sent
// down through fixed random matrices B_l drawn once per seed by
// draw_feedback, in place of W_l^T). Problems:
//
//   parity   the paper's Section 2 family (E2.1, lib/data/parity.h): the
//            network d-10d-1, the hinge loss, SGD 0.01, fresh batches of
//            128; held-out accuracy.
//   tuples   the paper's Section 3 line-image tuples (lib/data/line_images.h,
//            the paper's rasterizer, the tuple's label the product of its
//            images' labels): the k images side by side as 784 k pixels, the
//            network 784k-width-1 on the pixels, the hinge loss, Adam 1e-3,
//            batches of 64; held-out accuracy.
//   curves   the paper's Section 4 piecewise-linear curves (lib/data/curves.h,
//            the paper's distribution, 3 kinks): from f sampled at n points
//            to its encoding p = U f (Lemma 1), the network n-width-n, the
//            squared loss, Adam 1e-3, batches of 100; held-out mean squared
//            error per coordinate of p.
//   step     the paper's Section 5 target y = u(v*^T x + b*)
//            (lib/data/step_targets.h, the script's thresholds, d = 100):
//            E5.3's end-to-end network d-100-100-1, the squared loss, Adam
//            1e-3, batches of 256; held-out mean squared error.
//
// Every table has columns step, bp_<score>, fa_<score>, fa_angle_deg (the
// angle between feedback alignment's update and the exact gradient at its
// current weights on a fixed probe batch of 256 held-out samples, over the
// layers below the top: feedback_angle_deg of lib/train/mlp.h; NaN where the
// gradient or the update is zero on the probe, as once a hinge loss is 0
// there: undefined, not a divergence), and for the
// two regression problems target_variance (the held-out error of the best
// constant). A run in which a learner diverges ends at the first divergence
// (lib/train/curves.h's merge_curves).
//
// Randomness: derive_engine(seed, stream), one stream per purpose (the
// target, held-out data, the initial weights, the feedback matrices, the
// batches); both learners see the same batches, in the same order.
#ifndef EXPERIMENTS_EXT_FEEDBACK_FEEDBACK_TRAINING_H_
#define EXPERIMENTS_EXT_FEEDBACK_FEEDBACK_TRAINING_H_

#include <cstdint>
#include <functional>
#include <string>

#include "lib/io/results.h"

namespace fgbdl {

struct FeedbackSettings {
  std::int64_t d = 10;               // parity and step: the input dimension
  std::int64_t width = 100;          // the hidden layers' width
  std::int64_t hidden_layers = 1;
  std::int64_t steps = 20000;
  std::int64_t batch = 128;
  std::string optimizer = "sgd";     // "sgd" or "adam" (beta1 0.9, beta2 0.999, eps 1e-8)
  double lr = 0.01;
  std::int64_t eval_every = 500;
  std::int64_t eval_samples = 2000;  // one held-out set, drawn once
};

// Columns step, bp_accuracy, fa_accuracy, fa_angle_deg.
Table parity_feedback(const FeedbackSettings& s, std::uint64_t seed, RunStatus& status,
                      const std::function<void(std::int64_t)>& on_step = {});

// k images per tuple (s.d is ignored: 784 k). Columns as parity_feedback.
Table tuples_feedback(const FeedbackSettings& s, int k, std::uint64_t seed, RunStatus& status,
                      const std::function<void(std::int64_t)>& on_step = {});

// n samples per curve (s.d is ignored: n). Columns step, bp_test_mse,
// fa_test_mse, fa_angle_deg, target_variance.
Table curves_feedback(const FeedbackSettings& s, int n, std::uint64_t seed, RunStatus& status,
                      const std::function<void(std::int64_t)>& on_step = {});

// Columns as curves_feedback.
Table step_feedback(const FeedbackSettings& s, std::uint64_t seed, RunStatus& status,
                    const std::function<void(std::int64_t)>& on_step = {});

}  // namespace fgbdl

#endif  // EXPERIMENTS_EXT_FEEDBACK_FEEDBACK_TRAINING_H_
