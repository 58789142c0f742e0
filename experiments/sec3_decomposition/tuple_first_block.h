// The first block of the E3.1 network N1 (tuple_network.h): a SAME
// convolution of a sparse input followed by 2x2 max-pooling with stride 2,
// fused. Exactly the composition
//   p = maxpool2d(conv2d(x, W) + b)      (lib/nn/conv2d.h, lib/nn/maxpool2d.h)
// with the convolution's sparse-input path, computed one image at a time so
// that the convolution output [H, W, Cout] (50 KB for a 28 x 28 x 16 image)
// never leaves the cache, and with the pooling's arg-max kept for each
// pooled value, so that the backward pass needs neither the convolution
// output nor its gradient: each pooled gradient dp[n, w, c] reaches dW
// through the one conv output it came from.
//
// The output is not a dense tensor but "bias plus rows" (PooledRows): a
// pooling window that no non-zero of x reaches through the kernel holds the
// bias in all four entries, so its max is exactly the bias (and its arg-max
// the first entry); only the other windows, "touched" (13% of the 196
// windows of an E3.1 line image on average, 11 lit pixels of 784), are
// computed and listed, one row of Cout values each. The next block
// (tuple_second_block.h) exploits the same structure: p = bias + a sparse
// correction.
//
// Results: the listed values and arg-maxes are bit-identical to the
// composition of the lib/nn layers (same sums in the same order, same
// comparisons; ties go to the first entry in row-major window order). dW is
// equal too for finite gradients (the composition only adds further zeros).
// dx is not computed: the input is data.
//
// Shapes: x [N, H, W, Cin] with H, W even;  W [KH, KW, Cin, Cout] odd;
// p (as PooledRows) [N, H/2, W/2, Cout]; its arg-max values 0..3 stored as T
// (the row-major position in the window: (0,0), (0,1), (1,0), (1,1); T
// rather than a byte so that the loops using it vectorize).
#ifndef EXPERIMENTS_SEC3_DECOMPOSITION_TUPLE_FIRST_BLOCK_H_
#define EXPERIMENTS_SEC3_DECOMPOSITION_TUPLE_FIRST_BLOCK_H_

#include <cstdint>
#include <cstring>
#include <vector>
#include <xtensor/xtensor.hpp>

#include "lib/nn/conv2d.h"

namespace fgbdl {

// A tensor p [N, Hp, Wp, C] that equals `base` (one value per channel) at
// every pixel except the listed ones: image n's rows are begin[n] ..
// begin[n+1] - 1, row r is pixel window[r] = i * Wp + j (increasing within
// an image) with values value[r * C .. r * C + C - 1]. argmax[r * C + c] is
// the first block's pooling arg-max of that value.
template <class T>
struct PooledRows {
  std::size_t N = 0, Hp = 0, Wp = 0, C = 0;
  std::vector<T> base;                // [C]
  std::vector<std::uint32_t> begin;   // [N + 1]
  std::vector<std::uint32_t> window;  // [rows]
  std::vector<T> value;               // [rows * C]
  std::vector<T> argmax;              // [rows * C]
  std::size_t rows() const { return window.size(); }
};

// p as a dense tensor [N, Hp, Wp, C] (for tests).
template <class T>
xt::xtensor<T, 4> to_dense(const PooledRows<T>& p);

// Buffers of the fused block (reused across calls).
template <class T>
struct ConvPoolScratch {
  std::vector<T> conv;                  // one image's convolution output [H, W, Cout]
  // The non-zero entries of x, listed by the forward pass for the
  // backward: image n's are nz_begin[n] .. nz_begin[n+1] - 1 (flat index in
  // the image, value).
  std::vector<std::uint32_t> nz_begin;
  std::vector<std::uint32_t> nz_index;
  std::vector<T> nz_value;
  std::vector<std::uint8_t> touched;    // pooling windows reached by a non-zero
  std::vector<std::int32_t> row_of;     // backward: the row of each window of one image, or -1
};

// p = maxpool2d(conv2d(x)) as bias plus the touched windows, with the
// pooling arg-max. Throws std::invalid_argument on shape mismatches or odd
// H, W.
template <class T>
void conv_pool_sparse_forward(const Conv2d<T>& layer, const xt::xtensor<T, 4>& x,
                              PooledRows<T>& p, ConvPoolScratch<T>& scratch);

// Given the gradient dL/dp at the listed rows of p (dvalue [rows * Cout])
// and its sum over every pixel of every image, listed or not (dsum
// [Cout]): layer.dW and layer.db (overwritten), from p and scratch as the
// forward pass on x left them (the scratch lists x's non-zeros: x itself
// is not read again). db = dsum: every pooled value, the bias
// ones included, comes from one conv output, which adds b once.
template <class T>
void conv_pool_sparse_backward(Conv2d<T>& layer, const xt::xtensor<T, 4>& x,
                               const PooledRows<T>& p, const std::vector<T>& dvalue,
                               const std::vector<T>& dsum, ConvPoolScratch<T>& scratch);

// Loops over the channels of one pixel (also tuple_second_block.cc's): with
// E3.1's 16 channels the trip count is a constant, so the compiler unrolls
// them into a few vector instructions instead of a call to memmove or a
// loop with a remainder (element by element either way: same results).
inline constexpr std::size_t kUnrolledChannels = 16;

// `from` and `to` do not overlap (memcpy of a constant size is inlined; a
// copy loop would become a call to memmove).
template <class T>
inline void copy_channels(const T* __restrict from, T* __restrict to, std::size_t n) {
  if (n == kUnrolledChannels) {
    std::memcpy(to, from, kUnrolledChannels * sizeof(T));
  } else {
    std::memcpy(to, from, n * sizeof(T));
  }
}

// to += from.
template <class T>
inline void add_channels(const T* __restrict from, T* __restrict to, std::size_t n) {
  if (n == kUnrolledChannels) {
    for (std::size_t i = 0; i < kUnrolledChannels; ++i) to[i] += from[i];
  } else {
    for (std::size_t i = 0; i < n; ++i) to[i] += from[i];
  }
}

// m = the max of e0..e3 per channel and a = the position (0..3, as T) of
// the first maximum (`>` from e0, as lib/nn/maxpool2d.cc); branch-free, so
// that it vectorizes. Both blocks pool with it.
template <class T>
inline void pool4(const T* __restrict e0, const T* __restrict e1, const T* __restrict e2,
           const T* __restrict e3, T* __restrict m_out, T* __restrict a_out, std::size_t C) {
  for (std::size_t c = 0; c < C; ++c) {
    T m = e0[c], a = T(0);
    const bool w1 = e1[c] > m;
    m = w1 ? e1[c] : m;
    a = w1 ? T(1) : a;
    const bool w2 = e2[c] > m;
    m = w2 ? e2[c] : m;
    a = w2 ? T(2) : a;
    const bool w3 = e3[c] > m;
    m_out[c] = w3 ? e3[c] : m;
    a_out[c] = w3 ? T(3) : a;
  }
}

}  // namespace fgbdl

#endif  // EXPERIMENTS_SEC3_DECOMPOSITION_TUPLE_FIRST_BLOCK_H_
