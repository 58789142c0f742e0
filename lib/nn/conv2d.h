// 2-D convolution, SAME zero padding, stride 1: y = conv(x, W) + b.
//
// The convolutions of the Section 3 tuple network N1 (paper/sec3_decomposition.md E3.1, paper
// Figure 3): conv 5x5, 1 -> 16 channels, then conv 5x5, 16 -> 16 channels,
// both SAME, as tf.nn.conv2d(x, W, strides=[1, 1, 1, 1], padding='SAME') in
// the authors' script tuple_rect.py. Like TensorFlow's conv2d this is a
// cross-correlation (the kernel is not flipped):
//   y[n, i, j, o] = b[o] + sum_{r, s, c} x[n, i + r - pr, j + s - ps, c] W[r, s, c, o]
// with pr = (KH - 1) / 2, ps = (KW - 1) / 2 and x = 0 outside the image.
//
// Shapes (NHWC, TensorFlow's layouts; N images of H x W pixels):
//   x  [N, H, W, Cin]      W  [KH, KW, Cin, Cout]    b  [Cout]    y  [N, H, W, Cout]
//   dy [N, H, W, Cout]     dW [KH, KW, Cin, Cout]    db [Cout]    dx [N, H, W, Cin]
// KH and KW are odd (SAME padding is then symmetric); any channel counts.
//
// Algorithm: im2col + GEMM through BLAS, with the patch matrix split by
// kernel row. A full im2col would hold KH*KW*Cin values per pixel and give
// a GEMM of shape [pixels, KH*KW*Cin] x [KH*KW*Cin, Cout], whose narrow
// N = Cout = 16 runs OpenBLAS far below its square-matrix speed (measured
// on the development machine, one thread: 41-75 GFLOP/s against 173 for
// 2048^3). Here only the KW columns are expanded:
//   cols[p, (s, c)]  = x[n, i, j + s - ps, c]                  [pixels, KW*Cin]
//   Z                = cols . Wr, Wr[(s, c), (r, o)] = W[r, s, c, o]    [pixels, KH*Cout]
//   y[n, i, j, o]    = b[o] + sum_r Z[(n, i + r - pr, j), (r, o)]
// The GEMM is [pixels, 80] x [80, 80] for the 5x5x16x16 layer (measured
// 120-135 GFLOP/s), and the expanded matrix is KH times smaller than a full
// im2col. Z accumulates (beta = 1) into a buffer that the gather leaves at
// zero, which skips OpenBLAS's own zeroing pass over C (about 10% of the
// product). The gradients use the same split:
//   dW[r, s, c, o] = sum_p cols[p, (s, c)] rows[p, (r, o)],
//                    rows[(n, i, j), (r, o)] = dy[n, i - r + pr, j, o]   (a GEMM cols^T rows)
//   dx             = the same SAME convolution of dy with the kernel
//                    W'[r, s, o, c] = W[KH-1-r, KW-1-s, c, o] (flipped, channels swapped)
// All products run over chunks of whole images (a fixed number per chunk, so
// results do not depend on the batch split and stay bit-identical run to
// run) to keep the expanded matrices in cache.
//
// Sparse inputs (ConvInput::kSparse): when most entries of x are 0, as the
// binary line images of E3.1 (11 of 784 pixels lit on average), forward and dW are
// computed by scattering each non-zero entry through the kernel: exact (the
// same sums without the zero terms; results may differ from the dense path
// in the last bits because the summation order differs), with cost
// proportional to the number of non-zeros. dx does not depend on x and is
// computed as in the dense path.
//
// Templated on the scalar T; instantiated for float (training) and double
// (gradient checks). Outputs are resized only when their shape differs; the
// scratch buffers (Conv2dScratch) grow to the largest chunk and are then
// reused, so a training step allocates nothing once shapes are fixed.
#ifndef LIB_NN_CONV2D_H_
#define LIB_NN_CONV2D_H_

#include <cstddef>
#include <vector>
#include <xtensor/xtensor.hpp>

#include "lib/core/rng.h"

namespace fgbdl {

template <class T>
struct Conv2d {
  using Tensor4 = xt::xtensor<T, 4>;  // the type of x, y, dy, dx
  xt::xtensor<T, 4> W;                // [KH, KW, Cin, Cout]
  xt::xtensor<T, 1> b;                // [Cout]
  xt::xtensor<T, 4> dW;               // [KH, KW, Cin, Cout]
  xt::xtensor<T, 1> db;               // [Cout]
};

// Buffers reused across calls (contents are meaningless between calls,
// except that zero_z is kept all zero). One scratch may serve several
// layers; it must not be shared by two threads at once.
template <class T>
struct Conv2dScratch {
  std::vector<T> cols;    // column-expanded input of one chunk
  std::vector<T> padded;  // one zero-padded input row
  std::vector<T> z;       // row-expanded dy of one chunk
  std::vector<T> zero_z;  // GEMM output of one chunk; all zero between calls
  std::vector<T> w;       // the rearranged (and, for dx, flipped) kernel
  std::vector<T> dw;      // dW accumulated in the rearranged layout
  std::vector<std::size_t> nz_index;  // sparse path: flat indices of the non-zeros of x
  std::vector<T> nz_value;            // ... and their values
};

// How to treat x: kDense (im2col + GEMM) or kSparse (scatter its non-zeros).
enum class ConvInput { kDense, kSparse };

// The standard deviation of the default initialization, 1/sqrt(fan_in) with
// fan_in = KH * KW * Cin (the inputs of one output unit).
double conv2d_fan_in_stddev(std::size_t kh, std::size_t kw, std::size_t cin);

// W ~ normal(0, stddev^2) truncated at |z| <= 2 stddev (TensorFlow's
// truncated_normal, drawn in row-major order of W), b = 0, dW = db = 0.
// The default stddev is conv2d_fan_in_stddev(kh, kw, cin). (The paper's
// script uses 1/sqrt(size of the input tensor's last axis): 1/sqrt(28) for
// its first convolution, whose input is [B, 28, 28]; pass that explicitly.)
// Throws std::invalid_argument for even or zero kernel sizes, zero channel
// counts or a non-positive stddev.
template <class T>
Conv2d<T> conv2d_init(std::size_t kh, std::size_t kw, std::size_t cin, std::size_t cout,
                      Engine& rng);
template <class T>
Conv2d<T> conv2d_init(std::size_t kh, std::size_t kw, std::size_t cin, std::size_t cout,
                      Engine& rng, double stddev);

// y = conv(x, W) + b. `y` is resized only when its shape is not
// [N, H, W, Cout]; it must not alias x. Throws std::invalid_argument on a
// shape mismatch (or an even kernel).
template <class T>
void conv2d_forward(const Conv2d<T>& layer, const xt::xtensor<T, 4>& x, xt::xtensor<T, 4>& y,
                    Conv2dScratch<T>& scratch, ConvInput input = ConvInput::kDense);

// Given dy = dL/dy: dW and db (overwritten, not accumulated), and dx unless
// dx == nullptr (dx must not alias dy or x). Throws std::invalid_argument
// on a shape mismatch.
template <class T>
void conv2d_backward(Conv2d<T>& layer, const xt::xtensor<T, 4>& x, const xt::xtensor<T, 4>& dy,
                     typename Conv2d<T>::Tensor4* dx, Conv2dScratch<T>& scratch,
                     ConvInput input = ConvInput::kDense);

// Number of floating-point operations (multiply and add counted apart) of
// the dense forward pass, 2 * N*H*W * KH*KW*Cin * Cout; the backward pass
// does the same for dW and again for dx.
double conv2d_forward_flops(std::size_t n, std::size_t h, std::size_t w, std::size_t kh,
                            std::size_t kw, std::size_t cin, std::size_t cout);

}  // namespace fgbdl

#endif  // LIB_NN_CONV2D_H_
