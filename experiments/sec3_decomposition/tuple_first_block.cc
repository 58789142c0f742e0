#include "experiments/sec3_decomposition/tuple_first_block.h"

#include <algorithm>
#include <array>
#include <stdexcept>
#include <string>

namespace fgbdl {
namespace {

struct Geometry {
  std::size_t N, H, W, C, KH, KW, O, pr, ps;
  std::size_t Hp() const { return H / 2; }
  std::size_t Wp() const { return W / 2; }
};

template <class T>
Geometry check(const char* fn, const Conv2d<T>& layer, const xt::xtensor<T, 4>& x) {
  const auto& ws = layer.W.shape();
  const std::size_t H = x.shape(1), W = x.shape(2);
  if (ws[0] % 2 == 0 || ws[1] % 2 == 0 || layer.b.size() != ws[3] || x.shape(3) != ws[2] ||
      H % 2 != 0 || W % 2 != 0) {
    throw std::invalid_argument(std::string(fn) +
                                ": expected W [KH, KW, Cin, Cout] with odd KH, KW, b [Cout], "
                                "x [N, H, W, Cin] with even H, W");
  }
  return {x.shape(0), H, W, ws[2], ws[0], ws[1], ws[3], (ws[0] - 1) / 2, (ws[1] - 1) / 2};
}

// Appends the non-zero entries of one image (size entries) to s.nz_index
// (flat index in the image) and s.nz_value, in row-major order. Blocks of
// 16 entries that are all zero are skipped after one branch-free test (a
// line image has ~11 non-zeros among 784 entries).
template <class T>
void collect(const T* image, std::size_t size, ConvPoolScratch<T>& s) {
  constexpr std::size_t kBlock = 16;
  for (std::size_t start = 0; start < size; start += kBlock) {
    const std::size_t end = std::min(size, start + kBlock);
    int count = 0;
    if (end - start == kBlock) {
      for (std::size_t i = start; i < start + kBlock; ++i) count += image[i] != T(0);
    } else {
      for (std::size_t i = start; i < end; ++i) count += image[i] != T(0);
    }
    if (count == 0) continue;
    for (std::size_t i = start; i < end; ++i) {
      if (image[i] != T(0)) {
        s.nz_index.push_back(static_cast<std::uint32_t>(i));
        s.nz_value.push_back(image[i]);
      }
    }
  }
}

// f(oi, oj, r, s) for every conv output pixel (oi, oj) that input pixel
// (i, j) feeds through tap (r, s): the order of lib/nn/conv2d.cc.
template <class F>
void for_each_tap(std::size_t pixel, const Geometry& g, F f) {
  const std::ptrdiff_t i = static_cast<std::ptrdiff_t>(pixel / g.W), j = static_cast<std::ptrdiff_t>(pixel % g.W);
  for (std::size_t r = 0; r < g.KH; ++r) {
    const std::ptrdiff_t oi = i + static_cast<std::ptrdiff_t>(g.pr) - static_cast<std::ptrdiff_t>(r);
    if (oi < 0 || oi >= static_cast<std::ptrdiff_t>(g.H)) continue;
    for (std::size_t s = 0; s < g.KW; ++s) {
      const std::ptrdiff_t oj = j + static_cast<std::ptrdiff_t>(g.ps) - static_cast<std::ptrdiff_t>(s);
      if (oj < 0 || oj >= static_cast<std::ptrdiff_t>(g.W)) continue;
      f(static_cast<std::size_t>(oi), static_cast<std::size_t>(oj), r, s);
    }
  }
}

// d += v e where the arg-max a equals `position` (a multiply by 0 or 1, so
// that the loop vectorizes: d + 0 (v e) = d for finite e).
template <class T>
void add_where(T* __restrict d, const T* __restrict e, const T* __restrict a, T position, T v,
               std::size_t C) {
  for (std::size_t c = 0; c < C; ++c) {
    const T selected = a[c] == position ? T(1) : T(0);
    d[c] += selected * (v * e[c]);
  }
}

}  // namespace

template <class T>
xt::xtensor<T, 4> to_dense(const PooledRows<T>& p) {
  xt::xtensor<T, 4> d = xt::xtensor<T, 4>::from_shape({p.N, p.Hp, p.Wp, p.C});
  for (std::size_t q = 0; q < p.N * p.Hp * p.Wp; ++q) std::copy_n(p.base.data(), p.C, d.data() + q * p.C);
  for (std::size_t n = 0; n < p.N; ++n)
    for (std::size_t r = p.begin[n]; r < p.begin[n + 1]; ++r)
      std::copy_n(p.value.data() + r * p.C, p.C, d.data() + (n * p.Hp * p.Wp + p.window[r]) * p.C);
  return d;
}

template <class T>
void conv_pool_sparse_forward(const Conv2d<T>& layer, const xt::xtensor<T, 4>& x,
                              PooledRows<T>& p, ConvPoolScratch<T>& scratch) {
  const Geometry g = check("conv_pool_sparse_forward", layer, x);
  const std::size_t O = g.O, image_size = g.H * g.W * g.C, windows = g.Hp() * g.Wp();
  p.N = g.N;
  p.Hp = g.Hp();
  p.Wp = g.Wp();
  p.C = O;
  p.base.assign(layer.b.begin(), layer.b.end());
  p.begin.assign(1, 0);
  p.window.clear();
  // value and argmax keep their size (only grow) until the end: writing
  // rows into existing storage spares zero-filling them first.
  std::size_t rows = 0;
  if (scratch.conv.size() < g.H * g.W * O) scratch.conv.resize(g.H * g.W * O);
  T* conv = scratch.conv.data();  // valid only inside touched windows
  const T* b = layer.b.data();
  const T* Wt = layer.W.data();
  std::vector<std::uint8_t>& touched = scratch.touched;
  touched.resize(windows);
  scratch.nz_begin.assign(1, 0);
  scratch.nz_index.clear();
  scratch.nz_value.clear();
  for (std::size_t n = 0; n < g.N; ++n) {
    collect(x.data() + n * image_size, image_size, scratch);
    const std::size_t nz0 = scratch.nz_begin.back(), nz1 = scratch.nz_index.size();
    scratch.nz_begin.push_back(static_cast<std::uint32_t>(nz1));
    // Windows that some non-zero reaches through the kernel. In every other
    // window the four conv outputs are exactly the bias: its max is the
    // bias and its arg-max the first entry, as the full computation finds.
    std::fill(touched.begin(), touched.end(), std::uint8_t{0});
    for (std::size_t k = nz0; k < nz1; ++k) {
      const std::size_t pixel = scratch.nz_index[k] / g.C, i = pixel / g.W, j = pixel % g.W;
      const std::size_t i0 = i >= g.pr ? i - g.pr : 0, i1 = std::min(i + g.KH - 1 - g.pr, g.H - 1);
      const std::size_t j0 = j >= g.ps ? j - g.ps : 0, j1 = std::min(j + g.KW - 1 - g.ps, g.W - 1);
      for (std::size_t a = i0 / 2; a <= i1 / 2; ++a)
        for (std::size_t b2 = j0 / 2; b2 <= j1 / 2; ++b2) touched[a * g.Wp() + b2] = 1;
    }
    // The convolution of image n on the touched windows: bias, then the
    // non-zeros' contributions (all of which land in touched windows).
    for (std::size_t w = 0; w < windows; ++w) {
      if (!touched[w]) continue;
      const std::size_t i = w / g.Wp(), j = w % g.Wp();
      for (const std::size_t q : {(2 * i) * g.W + 2 * j, (2 * i) * g.W + 2 * j + 1,
                                  (2 * i + 1) * g.W + 2 * j, (2 * i + 1) * g.W + 2 * j + 1})
        copy_channels(b, conv + q * O, O);
    }
    for (std::size_t k = nz0; k < nz1; ++k) {
      const std::size_t pixel = scratch.nz_index[k] / g.C, c = scratch.nz_index[k] % g.C;
      const T v = scratch.nz_value[k];
      for_each_tap(pixel, g, [&](std::size_t oi, std::size_t oj, std::size_t r, std::size_t s) {
        T* d = conv + (oi * g.W + oj) * O;
        const T* w = Wt + ((r * g.KW + s) * g.C + c) * O;
        for (std::size_t o = 0; o < O; ++o) d[o] += v * w[o];
      });
    }
    std::size_t image_rows = 0;
    for (std::size_t w = 0; w < windows; ++w) image_rows += touched[w];
    if (p.value.size() < (rows + image_rows) * O) {
      p.value.resize((rows + image_rows) * O);
      p.argmax.resize((rows + image_rows) * O);
    }
    // 2x2 max-pooling of the touched windows, one row each: `>` from the
    // first entry, so the first maximum wins (lib/nn/maxpool2d.cc);
    // branch-free, so that it vectorizes.
    for (std::size_t w = 0; w < windows; ++w) {
      if (!touched[w]) continue;
      const std::size_t i = w / g.Wp(), j = w % g.Wp();
      const std::size_t row = rows++;
      p.window.push_back(static_cast<std::uint32_t>(w));
      const T* e0 = conv + ((2 * i) * g.W + 2 * j) * O;
      pool4(e0, e0 + O, e0 + g.W * O, e0 + (g.W + 1) * O, p.value.data() + row * O,
            p.argmax.data() + row * O, O);
    }
    p.begin.push_back(static_cast<std::uint32_t>(rows));
  }
  p.value.resize(rows * O);
  p.argmax.resize(rows * O);
}

template <class T>
void conv_pool_sparse_backward(Conv2d<T>& layer, const xt::xtensor<T, 4>& x,
                               const PooledRows<T>& p, const std::vector<T>& dvalue,
                               const std::vector<T>& dsum, ConvPoolScratch<T>& scratch) {
  const Geometry g = check("conv_pool_sparse_backward", layer, x);
  if (p.N != g.N || p.Hp != g.Hp() || p.Wp != g.Wp() || p.C != g.O ||
      dvalue.size() != p.rows() * g.O || dsum.size() != g.O || p.begin.size() != g.N + 1 ||
      scratch.nz_begin.size() != g.N + 1) {
    throw std::invalid_argument(
        "conv_pool_sparse_backward: p, dvalue, dsum or the scratch's non-zeros do not match x "
        "and the layer");
  }
  if (!(layer.dW.shape() == layer.W.shape())) layer.dW.resize(layer.W.shape());
  if (!(layer.db.shape() == layer.b.shape())) layer.db.resize(layer.b.shape());
  const std::size_t O = g.O;
  std::copy(dsum.begin(), dsum.end(), layer.db.begin());
  T* dW = layer.dW.data();
  std::fill_n(dW, layer.dW.size(), T(0));
  std::vector<std::int32_t>& row_of = scratch.row_of;
  row_of.assign(g.Hp() * g.Wp(), -1);
  for (std::size_t n = 0; n < g.N; ++n) {
    for (std::size_t r = p.begin[n]; r < p.begin[n + 1]; ++r) row_of[p.window[r]] = static_cast<std::int32_t>(r);
    for (std::size_t k = scratch.nz_begin[n]; k < scratch.nz_begin[n + 1]; ++k) {
      const std::size_t pixel = scratch.nz_index[k] / g.C, c = scratch.nz_index[k] % g.C;
      const T v = scratch.nz_value[k];
      for_each_tap(pixel, g, [&](std::size_t oi, std::size_t oj, std::size_t r, std::size_t s) {
        const std::int32_t row = row_of[(oi / 2) * g.Wp() + oj / 2];
        if (row < 0) {
          throw std::invalid_argument(
              "conv_pool_sparse_backward: p was not made by the forward pass on this x");
        }
        const std::size_t at = static_cast<std::size_t>(row) * O;
        const T position = static_cast<T>((oi % 2) * 2 + oj % 2);
        add_where(dW + ((r * g.KW + s) * g.C + c) * O, dvalue.data() + at, p.argmax.data() + at,
                  position, v, O);
      });
    }
    for (std::size_t r = p.begin[n]; r < p.begin[n + 1]; ++r) row_of[p.window[r]] = -1;
  }
}

#define FGBDL_INSTANTIATE_CONV_POOL(T)                                                          \
  template xt::xtensor<T, 4> to_dense<T>(const PooledRows<T>&);                                 \
  template void conv_pool_sparse_forward<T>(const Conv2d<T>&, const xt::xtensor<T, 4>&,         \
                                            PooledRows<T>&, ConvPoolScratch<T>&);               \
  template void conv_pool_sparse_backward<T>(Conv2d<T>&, const xt::xtensor<T, 4>&,              \
                                             const PooledRows<T>&, const std::vector<T>&,       \
                                             const std::vector<T>&, ConvPoolScratch<T>&);
FGBDL_INSTANTIATE_CONV_POOL(float)
FGBDL_INSTANTIATE_CONV_POOL(double)
#undef FGBDL_INSTANTIATE_CONV_POOL

}  // namespace fgbdl
