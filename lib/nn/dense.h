// Dense (fully connected) layer: y = x W + b.
//
// Used by every network of the paper: the Section 2 parity network (dense
// d -> 10d with ReLU, then dense 10d -> 1; E2.1 in paper/sec2_parity.md) and the networks of
// the later sections. Initialization follows the paper's scripts (TensorFlow's
// truncated_normal with stddev 1/sqrt(fan_in), biases zero).
//
// Shapes (B = batch size):
//   x  [B, in]    W  [in, out]    b  [out]    y  [B, out]
//   dy [B, out]   dW [in, out]    db [out]    dx [B, in]
//
// Templated on the scalar T; instantiated for float (training) and double
// (gradient checks). GEMMs go to OpenBLAS (cblas) on the contiguous row-major
// storage; nothing is allocated when the outputs already have their shapes.
#ifndef LIB_NN_DENSE_H_
#define LIB_NN_DENSE_H_

#include <cstddef>
#include <xtensor/xtensor.hpp>

#include "lib/core/rng.h"

namespace fgbdl {

template <class T>
struct Dense {
  using Matrix = xt::xtensor<T, 2>;  // the type of x, y, dy, dx
  xt::xtensor<T, 2> W;               // [in, out]
  xt::xtensor<T, 1> b;               // [out]
  xt::xtensor<T, 2> dW;              // [in, out]
  xt::xtensor<T, 1> db;              // [out]
};

// W ~ normal(0, 1/in) truncated at |z| <= 2 std (drawn in row-major order of
// W), b = 0, dW = db = 0.
template <class T>
Dense<T> dense_init(std::size_t in, std::size_t out, Engine& rng);

// y = x W + b. `y` is resized only when its shape is not [B, out]; it must
// not alias x. Throws std::invalid_argument on a shape mismatch.
template <class T>
void dense_forward(const Dense<T>& layer, const xt::xtensor<T, 2>& x, xt::xtensor<T, 2>& y);

// The backward pass in two pieces, so that the input's gradient can be sent
// back through another matrix than W (feedback alignment passes a fixed
// random B of W's shape):
//   dense_backward        dW = x^T dy, db = column sums of dy (both
//                         overwritten, not accumulated);
//   dense_backward_input  dx = dy M^T for any M [in, out]; with M = layer.W
//                         it is dL/dx. dx is resized only when its shape is
//                         not [B, in]; it must not alias dy.
// Both throw std::invalid_argument on a shape mismatch.
template <class T>
void dense_backward(Dense<T>& layer, const xt::xtensor<T, 2>& x, const xt::xtensor<T, 2>& dy);
template <class T>
void dense_backward_input(const xt::xtensor<T, 2>& M, const xt::xtensor<T, 2>& dy,
                          xt::xtensor<T, 2>& dx);

}  // namespace fgbdl

#endif  // LIB_NN_DENSE_H_
