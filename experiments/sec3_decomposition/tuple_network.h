// The networks of the paper's Section 3 experiment "decomposition versus
// end-to-end" (E3.1 in paper/sec3_decomposition.md; paper Section 3.1, Figure 3), as the
// authors' script tuple_rect.py builds them.
//
// N1 maps one 28 x 28 line image to a score; it is shared by the k images
// of a tuple:
//   conv 5x5, 1 -> 16, SAME   -> max-pool 2x2 (28 -> 14)
//   conv 5x5, 16 -> 16, SAME  -> max-pool 2x2 (14 -> 7)
//   flatten (7*7*16 = 784, NHWC order) -> dense 50 + ReLU -> dense 100 + ReLU
//   -> dense 1 = the image score ("score", N1's last layer).
// There is NO nonlinearity after the convolutions: the script adds the bias
// and max-pools (conv_maxpool), nothing else. The paper calls N1
// "LeNet-like"; we follow the script.
// N2 maps the k image scores to the tuple score:
//   sigmoid of the k scores -> dense 100 + ReLU ("mid") -> dense 1 ("out").
//
// One batch of B tuples runs N1 on all B*k images at once (tuple b's images
// are rows b*k .. b*k+k-1, lib/data/line_images.h), so the gradients of
// N1's shared weights sum the contributions of all k copies in one pass.
// Both convolution + pooling blocks run fused and sparse (the same numbers
// as lib/nn's conv2d and maxpool2d layers up to rounding): the first
// scatters the ~11 lit pixels of each line image and lists the ~25 pooled
// pixels that differ from conv1's bias (tuple_first_block.h); the second
// convolves that bias-plus-rows input as the constant field's convolution
// plus the rows' (tuple_second_block.h), about 1/8 of the dense work.
//
// Losses (hinge, mean over the batch, lib/nn/loss.h):
//   end-to-end:     L = (1/B) sum_b [1 - y_b out_b]_+
//   decomposition:  L = (1/B) sum_b [1 - y_b out_b]_+
//                     + (1/(B k)) sum_{b,j} [1 - y_{b,j} score_{b,j}]_+
// The decomposition objective is the end-to-end one plus the image-level
// hinge averaged over all B*k images, with weight 1: the script minimizes
// all_loss = loss['e2e'] + loss['dec'] with both terms tf.reduce_mean, and
// the paper (paper/sec3_decomposition.md, E3.1) says decomposition "also" minimizes the image
// losses. Averaging over images (not summing over the k of a tuple) keeps
// the image term's weight independent of k, as in the script. N2 is trained
// in both cases; the reported accuracy is always the tuple accuracy of N2.
//
// Initialization (TensorFlow truncated_normal, biases 0), drawn in the
// order conv1, conv2, fc1, fc2, score, mid, out:
//   dense layers: std 1/sqrt(fan_in), as the script;
//   convolutions, ConvInitRule::kFanIn (default): std 1/sqrt(KH KW Cin),
//     i.e. 1/5 and 1/20;
//   ConvInitRule::kScript: the script's 1/sqrt(size of the input tensor's
//     last axis): 1/sqrt(28) for conv1 (its input is [B, 28, 28] before the
//     reshape to [B, 28, 28, 1]) and 1/sqrt(16) = 1/4 for conv2 (the
//     channel count, not the fan-in 400).
//
// Templated on T: float for training, double for gradient checks and for
// the gradient signal-to-noise ratio of E3.1-SNR (float64).
#ifndef EXPERIMENTS_SEC3_DECOMPOSITION_TUPLE_NETWORK_H_
#define EXPERIMENTS_SEC3_DECOMPOSITION_TUPLE_NETWORK_H_

#include <cstdint>
#include <string>
#include <vector>
#include <xtensor/xtensor.hpp>

#include "experiments/sec3_decomposition/tuple_first_block.h"
#include "experiments/sec3_decomposition/tuple_second_block.h"
#include "lib/core/rng.h"
#include "lib/data/line_images.h"
#include "lib/nn/conv2d.h"
#include "lib/nn/dense.h"
#include "lib/nn/optim.h"

namespace fgbdl {

enum class TupleApproach { kEndToEnd, kDecomposition };
enum class ConvInitRule { kFanIn, kScript };

// "e2e" / "dec" and "fan_in" / "script" (the flag values of the binary).
std::string to_string(TupleApproach a);
std::string to_string(ConvInitRule r);

inline constexpr std::size_t kConvChannels = 16, kConvKernel = 5, kFlatSize = 7 * 7 * 16;
inline constexpr std::size_t kFc1Width = 50, kFc2Width = 100, kMidWidth = 100;

template <class T>
struct TupleNetwork {
  int k = 1;  // images per tuple
  // N1, shared by the k images.
  Conv2d<T> conv1;  // 5x5, 1 -> 16
  Conv2d<T> conv2;  // 5x5, 16 -> 16
  Dense<T> fc1;     // 784 -> 50, then ReLU
  Dense<T> fc2;     // 50 -> 100, then ReLU
  Dense<T> score;   // 100 -> 1: the image score (N1's last layer)
  // N2.
  Dense<T> mid;  // k -> 100 on sigmoid(scores), then ReLU
  Dense<T> out;  // 100 -> 1: the tuple score
};

template <class T>
TupleNetwork<T> tuple_network_init(int k, ConvInitRule rule, Engine& rng);

// Activations and gradients of one pass (reused: no allocation once the
// batch size is fixed). N = number of images, B = N / k tuples.
template <class T>
struct TupleWorkspace {
  using T4 = xt::xtensor<T, 4>;
  using T2 = xt::xtensor<T, 2>;
  PooledRows<T> p1;            // [N,14,14,16] as conv1's bias plus rows (tuple_first_block.h)
  T4 p2;                       // [N,7,7,16]; its values are moved to flat (the buffers swap)
  std::vector<T> argmax2;      // the second pooling's arg-max (tuple_second_block.h)
  T2 flat, z3, a3, z4, a4;     // [N,784] [N,50] [N,50] [N,100] [N,100]
  T2 score;                    // [N,1]: the image scores
  T2 scores_by_tuple, s, z5, a5, out;  // [B,k] [B,k] (sigmoid) [B,100] [B,100] [B,1]
  T2 dout, da5, dz5, ds, dscores, dscore, dscore_image, da4, dz4, da3, dz3, dflat;
  T4 dp2;                      // dflat's values, moved (the buffers swap)
  std::vector<T> dp1_rows, dp1_sum;  // dL/dp1 at p1's rows, and summed over all pixels
  ConvPoolScratch<T> first_block;
  ConvRowsScratch<T> second_block;
};

// N1 on a batch of N images [N, 28, 28, 1]: ws.score [N, 1].
template <class T>
void n1_forward(const TupleNetwork<T>& net, const xt::xtensor<T, 4>& images,
                TupleWorkspace<T>& ws);

// N1 and N2 on B tuples (images [B*k, 28, 28, 1]): ws.score [B*k, 1] and the
// tuple scores ws.out [B, 1]. Throws std::invalid_argument if the image
// count is not a multiple of k.
template <class T>
void tuple_forward(const TupleNetwork<T>& net, const xt::xtensor<T, 4>& images,
                   TupleWorkspace<T>& ws);

// The objective of `approach` on `batch` (its value, see the top of the
// file), with the gradients of all parameters stored in the layers' dW, db
// (overwritten).
template <class T>
T tuple_loss_and_gradients(TupleNetwork<T>& net, const LineTupleBatch<T>& batch,
                           TupleApproach approach, TupleWorkspace<T>& ws);

// Sums over a batch, without gradients: number of tuples with
// y * out > 0, and the sums of the tuple hinge and of the image hinge
// (the objective of a set is tuple_hinge_sum / B [+ image_hinge_sum / (B k)]).
struct TupleEvaluation {
  std::int64_t tuples = 0, correct = 0, images = 0;
  double tuple_hinge_sum = 0, image_hinge_sum = 0;
  void add(const TupleEvaluation& o);
  double accuracy() const;
  double objective(TupleApproach approach) const;
};
template <class T>
TupleEvaluation tuple_evaluate(const TupleNetwork<T>& net, const LineTupleBatch<T>& batch,
                               TupleWorkspace<T>& ws);

// All parameters in a fixed order (conv1 W, b, conv2 W, b, fc1, fc2, score,
// mid, out), each with its gradient: for the optimizer and checkpoints.
template <class T>
std::vector<ParamRef<T>> tuple_parameters(TupleNetwork<T>& net);

// The gradient of the objective with respect to N1's last layer ("score",
// dense 100 -> 1) as left by tuple_loss_and_gradients: [dW (100), db (1)].
template <class T>
xt::xtensor<T, 1> score_layer_gradient(const TupleNetwork<T>& net);

// Floating-point operations of one training step (forward and backward) of
// the convolutions and dense layers for N images and B tuples (the
// sparse first convolution counted as if dense, as a reference framework
// would run it).
double tuple_step_flops(std::size_t images, std::size_t tuples, int k);

}  // namespace fgbdl

#endif  // EXPERIMENTS_SEC3_DECOMPOSITION_TUPLE_NETWORK_H_
