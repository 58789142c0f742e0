#include "lib/nn/conv2d.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstring>
#include <stdexcept>
#include <string>

#include "lib/nn/gemm.h"
#include "lib/nn/shape_check.h"

namespace fgbdl {
namespace {

using nn_detail::shape_str;
using nn_detail::throw_shape;

// Pixels per chunk of the dense path, rounded down to whole images (at least
// one image). 1024 rows keep the chunk's expanded matrices (1024 x 80
// floats, 320 KiB each for the 5x5x16x16 layer) in L2. Fixed, so that the
// accumulation order of dW never depends on the batch.
constexpr std::size_t kChunkPixels = 1024;

// Grows v to at least n elements (never shrinks: no reallocation once the
// largest size has been seen).
template <class T>
T* ensure(std::vector<T>& v, std::size_t n) {
  if (v.size() < n) v.resize(n);
  return v.data();
}

// d[0..n) += s[0..n) and d[0..n) = s[0..n) on non-overlapping rows
// (__restrict, so that the short channel loops vectorize without alias
// checks).
template <class T>
inline void add_to(T* __restrict d, const T* __restrict s, std::size_t n) {
  for (std::size_t i = 0; i < n; ++i) d[i] += s[i];
}
template <class T>
inline void copy_to(T* __restrict d, const T* __restrict s, std::size_t n) {
  for (std::size_t i = 0; i < n; ++i) d[i] = s[i];
}

// The geometry of one call.
struct Geometry {
  std::size_t N, H, W, C;  // input [N, H, W, C]
  std::size_t KH, KW, O;   // kernel [KH, KW, C, O]
  std::size_t pr, ps;      // padding before the first row / column
  std::size_t pixels() const { return H * W; }
};

// Throws unless the layer is consistent (odd kernel, b [Cout]) and x is
// [*, *, *, Cin]; returns the geometry.
template <class T>
Geometry check_layer(const char* fn, const Conv2d<T>& layer, const xt::xtensor<T, 4>& x) {
  const auto& ws = layer.W.shape();
  if (ws[0] % 2 == 0 || ws[1] % 2 == 0) {
    throw std::invalid_argument(std::string(fn) + ": W has shape " + shape_str(ws) +
                                ", expected odd kernel sizes [KH, KW, Cin, Cout]");
  }
  if (layer.b.size() != ws[3])
    throw_shape(fn, "b", "[" + std::to_string(ws[3]) + "]", shape_str(layer.b.shape()));
  if (x.shape(3) != ws[2])
    throw_shape(fn, "x", "[*, *, *, " + std::to_string(ws[2]) + "]", shape_str(x.shape()));
  return Geometry{x.shape(0), x.shape(1), x.shape(2), ws[2],
                  ws[0],      ws[1],      ws[3],      (ws[0] - 1) / 2,
                  (ws[1] - 1) / 2};
}

// cols[(n, i, j), (s, c)] = src[n, i, j + s - ps, c] (0 outside the image)
// for the nc images of src; cols is [nc*H*W, KW*C]. Each source row is
// first copied into `padded` with ps zero pixels on both sides, so that
// every pixel's KW*C values are one contiguous copy.
template <class T>
void expand_cols(const T* src, std::size_t nc, const Geometry& g, T* cols, T* padded) {
  const std::size_t kc = g.KW * g.C, line = g.W * g.C, pad = g.ps * g.C;
  std::fill_n(padded, pad, T(0));
  std::fill_n(padded + pad + line, (g.KW - 1 - g.ps) * g.C, T(0));
  for (std::size_t row = 0; row < nc * g.H; ++row) {  // (n, i)
    copy_to(padded + pad, src + row * line, line);
    T* drow = cols + row * g.W * kc;
    for (std::size_t j = 0; j < g.W; ++j) copy_to(drow + j * kc, padded + j * g.C, kc);
  }
}

// rows[(n, i, j), (r, o)] = dy[n, i - r + pr, j, o] (0 outside the image)
// for the nc images of dy; rows is [nc*H*W, KH*O].
template <class T>
void expand_rows(const T* dy, std::size_t nc, const Geometry& g, T* rows) {
  const std::size_t ko = g.KH * g.O, line = g.W * g.O;
  for (std::size_t n = 0; n < nc; ++n) {
    for (std::size_t i = 0; i < g.H; ++i) {
      T* drow = rows + (n * g.H + i) * g.W * ko;
      for (std::size_t r = 0; r < g.KH; ++r) {
        const std::ptrdiff_t ii = static_cast<std::ptrdiff_t>(i + g.pr) - static_cast<std::ptrdiff_t>(r);
        if (ii < 0 || ii >= static_cast<std::ptrdiff_t>(g.H)) {
          for (std::size_t j = 0; j < g.W; ++j) std::fill_n(drow + j * ko + r * g.O, g.O, T(0));
        } else {
          const T* srow = dy + (n * g.H + static_cast<std::size_t>(ii)) * line;
          for (std::size_t j = 0; j < g.W; ++j) copy_to(drow + j * ko + r * g.O, srow + j * g.O, g.O);
        }
      }
    }
  }
}

// dst[n, i, j, o] = bias[o] (0 if bias is null) + sum_r z[(n, i + r - pr, j), (r, o)]
// over rows inside the image, for the nc images; z is [nc*H*W, KH*O]. z is
// left all zero: each row of z is cleared after its last use, so that the
// next GEMM can accumulate into it (beta = 1 skips OpenBLAS's separate
// zeroing pass over C, measured ~10% of a [980, 80] x [80, 80] product).
template <class T>
void gather_rows(T* z, std::size_t nc, const Geometry& g, const T* bias, T* dst) {
  const std::size_t ko = g.KH * g.O, O = g.O, zline = g.W * ko;
  for (std::size_t n = 0; n < nc; ++n) {
    T* zimage = z + n * g.H * zline;
    for (std::size_t i = 0; i < g.H; ++i) {
      T* drow = dst + (n * g.H + i) * g.W * O;
      if (bias != nullptr) {
        for (std::size_t j = 0; j < g.W; ++j) copy_to(drow + j * O, bias, O);
      } else {
        std::fill_n(drow, g.W * O, T(0));
      }
      for (std::size_t r = 0; r < g.KH; ++r) {
        const std::ptrdiff_t ii = static_cast<std::ptrdiff_t>(i + r) - static_cast<std::ptrdiff_t>(g.pr);
        if (ii < 0 || ii >= static_cast<std::ptrdiff_t>(g.H)) continue;
        const T* zrow = zimage + static_cast<std::size_t>(ii) * zline + r * O;
        for (std::size_t j = 0; j < g.W; ++j) add_to(drow + j * O, zrow + j * ko, O);
      }
      // Row i - pr of z is not read again (later output rows read rows > i - pr).
      if (i >= g.pr) std::fill_n(zimage + (i - g.pr) * zline, zline, T(0));
    }
    for (std::size_t ii = g.H >= g.pr ? g.H - g.pr : 0; ii < g.H; ++ii)
      std::fill_n(zimage + ii * zline, zline, T(0));
  }
}

// dst = SAME convolution of src [N, H, W, C] with the kernel whose
// rearranged form is wr [(s, c), (r, o)] (KW*C x KH*O), plus bias (if not
// null); dst is [N, H, W, O]. Chunks of whole images.
template <class T>
void conv_same_dense(const T* src, const Geometry& g, const T* wr, const T* bias, T* dst,
                     Conv2dScratch<T>& s) {
  const std::size_t per_chunk = std::max<std::size_t>(1, kChunkPixels / std::max<std::size_t>(g.pixels(), 1));
  const std::size_t kc = g.KW * g.C, ko = g.KH * g.O;
  T* cols = ensure(s.cols, std::min(per_chunk, g.N) * g.pixels() * kc);
  // z accumulates (beta = 1) into zeros: new elements of s.zero_z are 0, and
  // gather_rows leaves the part it used at 0.
  T* z = ensure(s.zero_z, std::min(per_chunk, g.N) * g.pixels() * ko);
  T* padded = ensure(s.padded, (g.W + g.KW - 1) * g.C);
  for (std::size_t n0 = 0; n0 < g.N; n0 += per_chunk) {
    const std::size_t nc = std::min(per_chunk, g.N - n0);
    const std::size_t rows = nc * g.pixels();
    expand_cols(src + n0 * g.pixels() * g.C, nc, g, cols, padded);
    gemm<T>(false, false, rows, ko, kc, cols, kc, wr, ko, T(1), z, ko);
    gather_rows(z, nc, g, bias, dst + n0 * g.pixels() * g.O);
  }
}

// wr[(s, c), (r, o)] = W[r, s, c, o].
template <class T>
void rearrange_kernel(const Conv2d<T>& layer, const Geometry& g, T* wr) {
  const std::size_t ko = g.KH * g.O;
  const T* W = layer.W.data();
  for (std::size_t r = 0; r < g.KH; ++r)
    for (std::size_t s = 0; s < g.KW; ++s)
      for (std::size_t c = 0; c < g.C; ++c)
        for (std::size_t o = 0; o < g.O; ++o)
          wr[(s * g.C + c) * ko + r * g.O + o] = W[((r * g.KW + s) * g.C + c) * g.O + o];
}

// The kernel of dx as a convolution of dy: W'[r, s, o, c] = W[KH-1-r, KW-1-s, c, o],
// rearranged: wr[(s, o), (r, c)] = W'[r, s, o, c]; wr is KW*O x KH*C.
template <class T>
void rearrange_flipped_kernel(const Conv2d<T>& layer, const Geometry& g, T* wr) {
  const std::size_t kc = g.KH * g.C;
  const T* W = layer.W.data();
  for (std::size_t r = 0; r < g.KH; ++r)
    for (std::size_t s = 0; s < g.KW; ++s)
      for (std::size_t o = 0; o < g.O; ++o)
        for (std::size_t c = 0; c < g.C; ++c)
          wr[(s * g.O + o) * kc + r * g.C + c] =
              W[(((g.KH - 1 - r) * g.KW + (g.KW - 1 - s)) * g.C + c) * g.O + o];
}

// The non-zero entries of x, in row-major order.
template <class T>
void collect_nonzeros(const xt::xtensor<T, 4>& x, Conv2dScratch<T>& s) {
  s.nz_index.clear();
  s.nz_value.clear();
  const T* xp = x.data();
  for (std::size_t i = 0, n = x.size(); i < n; ++i) {
    if (xp[i] != T(0)) {
      s.nz_index.push_back(i);
      s.nz_value.push_back(xp[i]);
    }
  }
}

// Calls f(out_pixel, r, s) for every output pixel (flat n*H*W + oi*W + oj)
// that input pixel `pixel` feeds through kernel tap (r, s).
template <class F>
void for_each_tap(std::size_t pixel, const Geometry& g, F f) {
  const std::size_t n = pixel / g.pixels(), rest = pixel % g.pixels();
  const std::ptrdiff_t i = static_cast<std::ptrdiff_t>(rest / g.W), j = static_cast<std::ptrdiff_t>(rest % g.W);
  for (std::size_t r = 0; r < g.KH; ++r) {
    const std::ptrdiff_t oi = i + static_cast<std::ptrdiff_t>(g.pr) - static_cast<std::ptrdiff_t>(r);
    if (oi < 0 || oi >= static_cast<std::ptrdiff_t>(g.H)) continue;
    for (std::size_t s = 0; s < g.KW; ++s) {
      const std::ptrdiff_t oj = j + static_cast<std::ptrdiff_t>(g.ps) - static_cast<std::ptrdiff_t>(s);
      if (oj < 0 || oj >= static_cast<std::ptrdiff_t>(g.W)) continue;
      f(n * g.pixels() + static_cast<std::size_t>(oi) * g.W + static_cast<std::size_t>(oj), r, s);
    }
  }
}

template <class T>
void sparse_forward(const Conv2d<T>& layer, const xt::xtensor<T, 4>& x, const Geometry& g, T* y,
                    Conv2dScratch<T>& s) {
  const std::size_t O = g.O;
  const T* b = layer.b.data();
  const std::size_t total = g.N * g.pixels();
  for (std::size_t p = 0; p < total; ++p) std::copy_n(b, O, y + p * O);
  collect_nonzeros(x, s);
  const T* W = layer.W.data();
  for (std::size_t k = 0; k < s.nz_index.size(); ++k) {
    const std::size_t pixel = s.nz_index[k] / g.C, c = s.nz_index[k] % g.C;
    const T v = s.nz_value[k];
    for_each_tap(pixel, g, [&](std::size_t out, std::size_t r, std::size_t sc) {
      T* d = y + out * O;
      const T* w = W + ((r * g.KW + sc) * g.C + c) * O;
      for (std::size_t o = 0; o < O; ++o) d[o] += v * w[o];
    });
  }
}

template <class T>
void sparse_weight_gradient(Conv2d<T>& layer, const xt::xtensor<T, 4>& x, const T* dy,
                            const Geometry& g, Conv2dScratch<T>& s) {
  const std::size_t O = g.O;
  T* dW = layer.dW.data();
  std::fill_n(dW, layer.dW.size(), T(0));
  collect_nonzeros(x, s);
  for (std::size_t k = 0; k < s.nz_index.size(); ++k) {
    const std::size_t pixel = s.nz_index[k] / g.C, c = s.nz_index[k] % g.C;
    const T v = s.nz_value[k];
    for_each_tap(pixel, g, [&](std::size_t out, std::size_t r, std::size_t sc) {
      T* d = dW + ((r * g.KW + sc) * g.C + c) * O;
      const T* e = dy + out * O;
      for (std::size_t o = 0; o < O; ++o) d[o] += v * e[o];
    });
  }
}

template <class T>
void dense_weight_gradient(Conv2d<T>& layer, const T* x, const T* dy, const Geometry& g,
                           Conv2dScratch<T>& s) {
  const std::size_t per_chunk = std::max<std::size_t>(1, kChunkPixels / g.pixels());
  const std::size_t kc = g.KW * g.C, ko = g.KH * g.O;
  T* cols = ensure(s.cols, std::min(per_chunk, g.N) * g.pixels() * kc);
  T* rows = ensure(s.z, std::min(per_chunk, g.N) * g.pixels() * ko);
  T* dwr = ensure(s.dw, kc * ko);
  T* padded = ensure(s.padded, (g.W + g.KW - 1) * g.C);
  std::fill_n(dwr, kc * ko, T(0));
  for (std::size_t n0 = 0; n0 < g.N; n0 += per_chunk) {
    const std::size_t nc = std::min(per_chunk, g.N - n0);
    expand_cols(x + n0 * g.pixels() * g.C, nc, g, cols, padded);
    expand_rows(dy + n0 * g.pixels() * g.O, nc, g, rows);
    // dwr += cols^T rows.
    gemm<T>(true, false, kc, ko, nc * g.pixels(), cols, kc, rows, ko, T(1), dwr, ko);
  }
  T* dW = layer.dW.data();
  for (std::size_t r = 0; r < g.KH; ++r)
    for (std::size_t sc = 0; sc < g.KW; ++sc)
      for (std::size_t c = 0; c < g.C; ++c)
        for (std::size_t o = 0; o < g.O; ++o)
          dW[((r * g.KW + sc) * g.C + c) * g.O + o] = dwr[(sc * g.C + c) * ko + r * g.O + o];
}

}  // namespace

double conv2d_fan_in_stddev(std::size_t kh, std::size_t kw, std::size_t cin) {
  return 1.0 / std::sqrt(static_cast<double>(kh * kw * cin));
}

template <class T>
Conv2d<T> conv2d_init(std::size_t kh, std::size_t kw, std::size_t cin, std::size_t cout,
                      Engine& rng) {
  return conv2d_init<T>(kh, kw, cin, cout, rng,
                        kh * kw * cin == 0 ? 1.0 : conv2d_fan_in_stddev(kh, kw, cin));
}

template <class T>
Conv2d<T> conv2d_init(std::size_t kh, std::size_t kw, std::size_t cin, std::size_t cout,
                      Engine& rng, double stddev) {
  if (kh % 2 == 0 || kw % 2 == 0) {
    throw std::invalid_argument("conv2d_init: kernel " + std::to_string(kh) + "x" +
                                std::to_string(kw) + ", expected odd sizes");
  }
  if (cin == 0 || cout == 0) {
    throw std::invalid_argument("conv2d_init: " + std::to_string(cin) + " -> " +
                                std::to_string(cout) + " channels, expected at least 1 each");
  }
  if (!(stddev > 0) || !std::isfinite(stddev))
    throw std::invalid_argument("conv2d_init: stddev " + std::to_string(stddev) + ", expected > 0");
  Conv2d<T> layer;
  layer.W = xt::xtensor<T, 4>::from_shape({kh, kw, cin, cout});
  for (T& w : layer.W.storage()) w = static_cast<T>(truncated_normal(rng, stddev));
  layer.b = xt::zeros<T>({cout});
  layer.dW = xt::zeros<T>({kh, kw, cin, cout});
  layer.db = xt::zeros<T>({cout});
  return layer;
}

template <class T>
void conv2d_forward(const Conv2d<T>& layer, const xt::xtensor<T, 4>& x, xt::xtensor<T, 4>& y,
                    Conv2dScratch<T>& scratch, ConvInput input) {
  const Geometry g = check_layer("conv2d_forward", layer, x);
  if (&y == &x) throw std::invalid_argument("conv2d_forward: y must not alias x");
  nn_detail::resize_if_needed(y, std::array<std::size_t, 4>{g.N, g.H, g.W, g.O});
  if (g.N * g.pixels() == 0) return;
  if (input == ConvInput::kSparse) {
    sparse_forward(layer, x, g, y.data(), scratch);
    return;
  }
  T* wr = ensure(scratch.w, g.KW * g.C * g.KH * g.O);
  rearrange_kernel(layer, g, wr);
  conv_same_dense(x.data(), g, wr, layer.b.data(), y.data(), scratch);
}

template <class T>
void conv2d_backward(Conv2d<T>& layer, const xt::xtensor<T, 4>& x, const xt::xtensor<T, 4>& dy,
                     typename Conv2d<T>::Tensor4* dx, Conv2dScratch<T>& scratch,
                     ConvInput input) {
  const Geometry g = check_layer("conv2d_backward", layer, x);
  const std::array<std::size_t, 4> y_shape{g.N, g.H, g.W, g.O};
  if (!(dy.shape() == y_shape))
    throw_shape("conv2d_backward", "dy", shape_str(y_shape), shape_str(dy.shape()));
  if (dx != nullptr && (dx == &dy || dx == &x))
    throw std::invalid_argument("conv2d_backward: dx must not alias dy or x");
  nn_detail::resize_if_needed(layer.dW, layer.W.shape());
  nn_detail::resize_if_needed(layer.db, layer.b.shape());
  if (dx != nullptr) nn_detail::resize_if_needed(*dx, x.shape());

  // db = sum of dy over all pixels.
  T* db = layer.db.data();
  std::fill_n(db, g.O, T(0));
  const T* dyp = dy.data();
  for (std::size_t p = 0, total = g.N * g.pixels(); p < total; ++p) {
    const T* row = dyp + p * g.O;
    for (std::size_t o = 0; o < g.O; ++o) db[o] += row[o];
  }
  if (g.N * g.pixels() == 0) {
    std::fill_n(layer.dW.data(), layer.dW.size(), T(0));
    return;
  }
  if (input == ConvInput::kSparse) {
    sparse_weight_gradient(layer, x, dyp, g, scratch);
  } else {
    dense_weight_gradient(layer, x.data(), dyp, g, scratch);
  }
  if (dx != nullptr) {
    // dx = SAME convolution of dy (O channels) with the flipped kernel (C outputs).
    const Geometry gt{g.N, g.H, g.W, g.O, g.KH, g.KW, g.C, g.pr, g.ps};
    T* wr = ensure(scratch.w, g.KW * g.O * g.KH * g.C);
    rearrange_flipped_kernel(layer, g, wr);
    conv_same_dense(dyp, gt, wr, static_cast<const T*>(nullptr), dx->data(), scratch);
  }
}

double conv2d_forward_flops(std::size_t n, std::size_t h, std::size_t w, std::size_t kh,
                            std::size_t kw, std::size_t cin, std::size_t cout) {
  return 2.0 * static_cast<double>(n * h * w) * static_cast<double>(kh * kw * cin) *
         static_cast<double>(cout);
}

#define FGBDL_INSTANTIATE_CONV2D(T)                                                          \
  template Conv2d<T> conv2d_init<T>(std::size_t, std::size_t, std::size_t, std::size_t,      \
                                    Engine&);                                                \
  template Conv2d<T> conv2d_init<T>(std::size_t, std::size_t, std::size_t, std::size_t,      \
                                    Engine&, double);                                        \
  template void conv2d_forward<T>(const Conv2d<T>&, const xt::xtensor<T, 4>&,                \
                                  xt::xtensor<T, 4>&, Conv2dScratch<T>&, ConvInput);         \
  template void conv2d_backward<T>(Conv2d<T>&, const xt::xtensor<T, 4>&,                     \
                                   const xt::xtensor<T, 4>&, xt::xtensor<T, 4>*,             \
                                   Conv2dScratch<T>&, ConvInput);
FGBDL_INSTANTIATE_CONV2D(float)
FGBDL_INSTANTIATE_CONV2D(double)
#undef FGBDL_INSTANTIATE_CONV2D

}  // namespace fgbdl
