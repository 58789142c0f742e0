// 2x2 max-pooling with stride 2, SAME padding.
//
// The pooling of the Section 3 tuple network N1 (E3.1 in paper/sec3_decomposition.md): after each
// convolution, tf.nn.max_pool(x, ksize=[1, 2, 2, 1], strides=[1, 2, 2, 1],
// padding='SAME') in the authors' script tuple_rect.py; 28 -> 14 -> 7.
//   y[n, i, j, c] = max_{a, b in {0, 1}} x[n, 2i + a, 2j + b, c]
// over the window entries inside the image (SAME, as TensorFlow: an odd
// height or width gives ceil(H/2) x ceil(W/2) outputs whose last windows are
// cut by the border; padding never wins the max).
//
// Shapes (NHWC):  x, dx [N, H, W, C]     y, dy [N, ceil(H/2), ceil(W/2), C]
// Backward: each dy entry goes to the arg-max of its window, all other dx
// entries are 0 (a sub-gradient of the max). Ties: the first maximal entry
// in row-major window order, (2i, 2j), (2i, 2j+1), (2i+1, 2j), (2i+1, 2j+1),
// wins (TensorFlow's CPU MaxPoolGrad also routes to a single entry). The
// arg-max is recomputed from x, so the backward pass takes the forward
// input. Comparisons are `>` starting from the window's first entry: a NaN
// there propagates to y, a NaN later in the window is passed over.
// Outputs are resized only when their shape differs; shape mismatches throw
// std::invalid_argument. Instantiated for float and double.
#ifndef LIB_NN_MAXPOOL2D_H_
#define LIB_NN_MAXPOOL2D_H_

#include <xtensor/xtensor.hpp>

namespace fgbdl {

template <class T>
void maxpool2d_forward(const xt::xtensor<T, 4>& x, xt::xtensor<T, 4>& y);

// dx must not alias dy.
template <class T>
void maxpool2d_backward(const xt::xtensor<T, 4>& x, const xt::xtensor<T, 4>& dy,
                        xt::xtensor<T, 4>& dx);

}  // namespace fgbdl

#endif  // LIB_NN_MAXPOOL2D_H_
