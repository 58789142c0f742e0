// The ConvNet family of claim X1 (paper/ext_sharing.md), after
// Shalev-Shwartz, Shamir and Shammah, "Weight sharing is crucial to
// successful optimization" (2017): an input of k patches x_1, ..., x_k of
// dimension d, a first layer of C filters applied to every patch, then a
// dense ReLU network on the k C responses:
//
//   h_{i,c} = relu(x_i^T w_{i,c} + b_{i,c})     (i = 1..k, c = 1..C)
//   f(x)    = Mlp({k C, H, 1})(h)
//
// With weight sharing (a convolution with stride d) w_{i,c} = w_c and
// b_{i,c} = b_c for every position i; without it (a locally connected
// layer) each position has its own filters: the same C d + C parameters per
// position. The unshared network starts with every position's filters
// equal to the shared network's (both drawn as lib/nn/dense.h's d -> C
// layer), so from one seed the two networks start as the same function and
// differ only in that a shared filter follows the sum of its positions'
// gradients and an unshared one its own.
//
// Shapes (B = batch): x [B, k d] (patch i in columns i d .. i d + d - 1),
// h [B, k C] (position i in columns i C .. i C + C - 1), output [B, 1].
#ifndef LIB_TRAIN_PATCH_NET_H_
#define LIB_TRAIN_PATCH_NET_H_

#include <cstddef>
#include <vector>

#include "lib/core/rng.h"
#include "lib/core/tensor.h"
#include "lib/nn/dense.h"
#include "lib/train/mlp.h"
#include "lib/train/model.h"

namespace fgbdl {

struct PatchShape {
  std::size_t positions = 6;  // k
  std::size_t patch = 8;      // d
  std::size_t filters = 4;    // C
  std::size_t hidden = 64;    // H
  bool shared = true;
};

class PatchNet {
 public:
  PatchNet() = default;
  // The filters from `init` first (one d -> C layer, copied to every
  // position when unshared), then the Mlp's layers.
  PatchNet(const PatchShape& shape, Engine& init);

  const Matrix& forward(const Matrix& x);
  void predict(const Matrix& x, Matrix& out) const;
  Matrix& doutput() { return top_.doutput(); }
  void backward(const Matrix& x);
  // Shared: w, b (the filters, [d, C] and [C]); unshared: w_1, b_1, ...,
  // w_k, b_k; then the Mlp's W1, b1, W2, b2.
  std::vector<Parameter> parameters();

  const PatchShape& shape() const { return shape_; }
  // The filters of position i (the same layer for every i when shared).
  const Dense<float>& filters(std::size_t i) const { return filters_[shape_.shared ? 0 : i]; }
  Dense<float>& filters(std::size_t i) { return filters_[shape_.shared ? 0 : i]; }

 private:
  // The filter responses of x: pre-activations z [B k, C] (rows b k + i) and
  // h = relu(z) viewed as [B, k C].
  void filter_forward(const Matrix& x, Matrix& patches, Matrix& z, Matrix& h) const;

  PatchShape shape_;
  std::vector<Dense<float>> filters_;  // one layer (shared) or k
  Mlp top_;
  Matrix patches_, z_, h_, dh_, dz_;   // patches_ [B k, d]: x's rows split by position
  std::vector<Matrix> xi_, dzi_;       // unshared: position i's patches [B, d] and dz [B, C]
};

using PatchModel = NetworkModel<PatchNet>;

}  // namespace fgbdl

#endif  // LIB_TRAIN_PATCH_NET_H_
