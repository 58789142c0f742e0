// Per-sample parameter gradients of the Section 2 network
//   p(x) = a · relu(W^T x + b) + c,
// the E2.1 architecture of the paper (Section 2, Figure 1: dense d -> h with ReLU,
// dense h -> 1 linear). Theorem 1 bounds the gradient variance by
// G(w)^2 = E_x ||d p_w(x) / dw||^2, and its proof (and the exact variance in
// gradient_variance.h) works with the per-sample gradients g(x) = d p / dw.
//
// Parameters (float64 throughout), with lib/nn's Dense layout:
//   W [d, h]  (layer 1 weights, lib/nn Dense<double>::W, [in, out])
//   b [h]     (layer 1 bias)
//   a [h, 1]  (layer 2 weights, Dense<double>::W of the h -> 1 layer)
//   c [1]     (layer 2 bias)
// Parameter order of one gradient row (P = d h + 2 h + 1 entries):
//   [ W row-major: index i * h + j for W(i, j) | b (h) | a (h) | c (1) ].
// Closed form per sample x, with z = W^T x + b and m_j = 1[z_j > 0] (the
// ReLU derivative at 0 is taken as 0, as lib/nn's relu_backward):
//   dp/dW_ij = a_j m_j x_i,  dp/db_j = a_j m_j,  dp/da_j = relu(z_j),  dp/dc = 1.
#ifndef LIB_ANALYSIS_PER_SAMPLE_GRADIENTS_H_
#define LIB_ANALYSIS_PER_SAMPLE_GRADIENTS_H_

#include <cstddef>

#include "lib/core/rng.h"
#include "lib/core/tensor.h"

namespace fgbdl {

// The network's parameters as plain tensors (shapes above).
struct TwoLayerNet {
  MatrixD W;  // [d, h]
  VectorD b;  // [h]
  MatrixD a;  // [h, 1]
  VectorD c;  // [1]

  std::size_t d() const { return W.shape()[0]; }
  std::size_t h() const { return W.shape()[1]; }
  std::size_t num_params() const { return d() * h() + 2 * h() + 1; }
};

// From any pair of layers with members W [in, out] and b [out] (lib/nn's
// Dense<double>): layer1 d -> h, layer2 h -> 1.
template <class Layer>
TwoLayerNet two_layer_net_from(const Layer& layer1, const Layer& layer2) {
  TwoLayerNet net;
  net.W = layer1.W;
  net.b = layer1.b;
  net.a = layer2.W;
  net.c = layer2.b;
  return net;
}

// The initialization of E2.1 in paper/sec2_parity.md (and lib/nn's dense_init): weights
// from a normal with std 1/sqrt(fan_in) truncated at 2 std, biases 0. Draws
// W (row-major) then a, from `rng`.
TwoLayerNet init_two_layer_net(std::size_t d, std::size_t h, Engine& rng);

// Throws std::invalid_argument unless the shapes are consistent.
void check_shapes(const TwoLayerNet& net);

// p(x) for every row of X [N, d]: returns [N].
VectorD two_layer_predict(const TwoLayerNet& net, const MatrixD& X);

// g(x) = d p(x) / d params for every row of X [N, d]: returns [N, P] in the
// parameter order above. If `p` is not null it receives p(x) [N].
MatrixD per_sample_gradients(const TwoLayerNet& net, const MatrixD& X, VectorD* p = nullptr);

}  // namespace fgbdl

#endif  // LIB_ANALYSIS_PER_SAMPLE_GRADIENTS_H_
