// The first block of the E3.1 network N1 (tuple_network.h): a SAME
// convolution of a sparse input followed by 2x2 max-pooling with stride 2,
// fused. Exactly the composition
//   p = maxpool2d(conv2d(x, W) + b)      (lib/nn/conv2d.h, lib/nn/maxpool2d.h)
// with the convolution's sparse-input path, computed one image at a time so
// that the convolution output [H, W, Cout] (50 KB for a 28 x 28 x 16 image)
// never leaves the cache, and with the pooling's arg-max kept for each
// pooled value, so that the backward pass needs neither the
// convolution output nor its gradient: each pooled gradient dp[n, w, c]
// reaches dW through the one conv output it came from. On the E3.1 images
// (11 lit pixels of 784 on average) this removes four passes over the
// [B*k, 28, 28, 16] conv output and its gradient (40 MB each at k = 4).
// Windows that no non-zero reaches through the kernel hold the bias in all
// four entries, so their max is the bias and their arg-max the first entry
// without computing them (87% of the windows of a line image on average).
//
// Results: p and the arg-max are bit-identical to the composition of the
// lib/nn layers (same sums in the same order, same comparisons; ties go to
// the first entry in row-major window order). dW is equal too for finite
// gradients (the composition only adds further zeros); db sums the same
// values in another order (rounding only). dx is not computed: the input
// is data.
//
// Shapes: x [N, H, W, Cin] with H, W even;  W [KH, KW, Cin, Cout] odd;
// p, dp [N, H/2, W/2, Cout];  argmax [N * H/2 * W/2 * Cout], values 0..3
// stored as T (the row-major position in the window: (0,0), (0,1), (1,0),
// (1,1); T rather than a byte so that the loops using it vectorize).
#ifndef EXPERIMENTS_SEC3_DECOMPOSITION_TUPLE_FIRST_BLOCK_H_
#define EXPERIMENTS_SEC3_DECOMPOSITION_TUPLE_FIRST_BLOCK_H_

#include <cstdint>
#include <vector>
#include <xtensor/xtensor.hpp>

#include "lib/nn/conv2d.h"

namespace fgbdl {

// Buffers of the fused block (reused across calls).
template <class T>
struct ConvPoolScratch {
  std::vector<T> conv;                 // one image's convolution output [H, W, Cout]
  std::vector<std::uint32_t> nz_index;  // one image's non-zero entries (flat index in the image)
  std::vector<T> nz_value;
  std::vector<std::uint8_t> touched;    // pooling windows reached by a non-zero
};

// p = maxpool2d(conv2d(x)) and the pooling arg-max. `p` is resized only when
// its shape differs. Throws std::invalid_argument on shape mismatches or odd
// H, W.
template <class T>
void conv_pool_sparse_forward(const Conv2d<T>& layer, const xt::xtensor<T, 4>& x,
                              xt::xtensor<T, 4>& p, std::vector<T>& argmax,
                              ConvPoolScratch<T>& scratch);

// Given dp = dL/dp: layer.dW and layer.db (overwritten), from x and the
// arg-max of the forward pass on the same x.
template <class T>
void conv_pool_sparse_backward(Conv2d<T>& layer, const xt::xtensor<T, 4>& x,
                               const std::vector<T>& argmax,
                               const xt::xtensor<T, 4>& dp, ConvPoolScratch<T>& scratch);

}  // namespace fgbdl

#endif  // EXPERIMENTS_SEC3_DECOMPOSITION_TUPLE_FIRST_BLOCK_H_
