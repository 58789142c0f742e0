// The second block of the E3.1 network N1 (tuple_network.h): a SAME
// convolution followed by 2x2 max-pooling with stride 2, fused,
//   p = maxpool2d(conv2d(x, W) + b)      (lib/nn/conv2d.h, lib/nn/maxpool2d.h)
// for an input x given as "bias plus rows" (PooledRows, tuple_first_block.h):
// x = base at every pixel except a few listed ones. This is the output of
// the first block, where about 25 of the 196 pixels of a line image differ
// from conv1's bias; the dense computation spends 87% of its work on the
// constant part. Here, by linearity of the convolution,
//   conv(x) = conv(base field) + conv(D),   D = x - base on the listed pixels,
// where conv(base field) (the same for every image: base times the sum of
// the kernel taps that fall inside the image) is computed once per call,
// and conv(D) scatters each listed row through the kernel:
//   Z = D Wcat,  Wcat[c, (r, s, o)] = W[r, s, c, o]      [rows, KH*KW*Cout]
//   y[n, i + pr - r, j + ps - s, :] += Z[row (n, i, j), (r, s, :)].
// The gradients use the same split. With dy the pooling's backward of dp
// (dp at each window's arg-max, 0 elsewhere) and
//   E[row (n, i, j), (r, s, o)] = dy[n, i + pr - r, j + ps - s, o] (0 outside)
// (the dy entries each listed pixel feeds):
//   dW[r, s, c, o] = (D^T E)[c, (r, s, o)] + base[c] R[(r, s), o],
//   dx at the listed pixels = E Wcat^T,
//   sum of dx over all pixels of all images = sum_{r,s,o} W[r, s, c, o] R[(r, s), o],
//   db = sum of dp,
// where R[(r, s), o] sums sum_n dy[n, i, j, o] over the output pixels (i, j)
// whose tap (r, s) reads inside the image. (dx elsewhere is not needed: the
// first block's weights see dx only at its listed pixels, its bias only
// through the sum.) The three products are GEMMs through BLAS, each with
// rows x 16 x 400 multiply-adds: on the E3.1 line images about 1/8 of the
// dense convolution's (flops in tuple_network.h's tuple_step_flops count the
// dense computation, as a framework runs it).
//
// Results equal the composition of the lib/nn layers up to rounding: the
// same sums in another order (the base part is summed apart). Pooling ties
// go to the first entry in row-major window order, as lib/nn's max-pool;
// pixels no listed row reaches hold the base convolution bit for bit, so a
// window of such pixels in the interior of the image is an exact tie and
// routes its gradient to its first entry, as the dense layers do.
//
// Shapes: x (PooledRows) [N, H, W, Cin] with H, W even; W [KH, KW, Cin, Cout]
// odd; p, dp [N, H/2, W/2, Cout]; argmax [N * H/2 * W/2 * Cout], values 0..3
// stored as T. Templated on T (float for training, double for checks and
// the E3.1-SNR).
#ifndef EXPERIMENTS_SEC3_DECOMPOSITION_TUPLE_SECOND_BLOCK_H_
#define EXPERIMENTS_SEC3_DECOMPOSITION_TUPLE_SECOND_BLOCK_H_

#include <cstdint>
#include <vector>
#include <xtensor/xtensor.hpp>

#include "experiments/sec3_decomposition/tuple_first_block.h"
#include "lib/nn/conv2d.h"

namespace fgbdl {

// Buffers of the block (reused across calls: no allocation once the batch
// size is fixed).
template <class T>
struct ConvRowsScratch {
  std::vector<T> wcat;    // [Cin, KH*KW*Cout]
  std::vector<T> base_y;  // conv(base field) + b  [H, W, Cout]
  std::vector<T> base_p, base_a;  // its pooling and arg-max [H/2, W/2, Cout]
  std::vector<std::uint8_t> touched;  // forward: the windows one image's rows reach
  std::vector<T> y;       // one image's convolution output [H, W, Cout]
  std::vector<T> d;       // D of one chunk of rows [rows, Cin]
  std::vector<T> z;       // Z (forward) or E (backward) of one chunk [rows, KH*KW*Cout]
  std::vector<T> dwcat;   // D^T E accumulated [Cin, KH*KW*Cout]
  std::vector<T> dy_sum;  // sum_n dy [H, W, Cout]
};

// p = maxpool2d(conv2d(x) + b) and the pooling arg-max. `p` is resized only
// when its shape differs. Throws std::invalid_argument on shape mismatches.
template <class T>
void conv_pool_rows_forward(const Conv2d<T>& layer, const PooledRows<T>& x, xt::xtensor<T, 4>& p,
                            std::vector<T>& argmax, ConvRowsScratch<T>& scratch);

// Given dp = dL/dp and the arg-max of the forward pass on the same x:
// layer.dW and layer.db (overwritten); dvalue [rows * Cin], dL/dx at x's
// listed rows; dsum [Cin], dL/dx summed over every pixel of every image.
template <class T>
void conv_pool_rows_backward(Conv2d<T>& layer, const PooledRows<T>& x,
                             const std::vector<T>& argmax, const xt::xtensor<T, 4>& dp,
                             std::vector<T>& dvalue, std::vector<T>& dsum,
                             ConvRowsScratch<T>& scratch);

}  // namespace fgbdl

#endif  // EXPERIMENTS_SEC3_DECOMPOSITION_TUPLE_SECOND_BLOCK_H_
