#include "experiments/sec3_decomposition/tuple_second_block.h"

#include <algorithm>
#include <array>
#include <cstdint>
#include <stdexcept>
#include <string>

#include "lib/nn/gemm.h"

namespace fgbdl {
namespace {

// Rows per GEMM chunk, rounded to whole images (at least one image): 256
// rows keep Z (or E) at 256 x 400 floats = 400 KiB, in L2 with D and Wcat.
// Fixed, so that the accumulation order of dW depends only on the batch.
constexpr std::size_t kChunkRows = 256;

struct Geometry {
  std::size_t N, H, W, C, KH, KW, O, pr, ps;
  std::size_t Hp() const { return H / 2; }
  std::size_t Wp() const { return W / 2; }
  std::size_t taps() const { return KH * KW * O; }  // the row length of Z and E
};

template <class T>
Geometry check(const char* fn, const Conv2d<T>& layer, const PooledRows<T>& x) {
  const auto& ws = layer.W.shape();
  if (ws[0] % 2 == 0 || ws[1] % 2 == 0 || layer.b.size() != ws[3] || x.C != ws[2] ||
      x.Hp % 2 != 0 || x.Wp % 2 != 0 || x.base.size() != x.C || x.begin.size() != x.N + 1 ||
      x.begin.back() != x.rows() || x.value.size() != x.rows() * x.C) {
    throw std::invalid_argument(std::string(fn) +
                                ": expected W [KH, KW, Cin, Cout] with odd KH, KW, b [Cout], "
                                "x [N, H, W, Cin] as consistent rows with even H, W");
  }
  return {x.N, x.Hp, x.Wp, ws[2], ws[0], ws[1], ws[3], (ws[0] - 1) / 2, (ws[1] - 1) / 2};
}

// wcat[c, (r, s, o)] = W[r, s, c, o].
template <class T>
void rearrange_kernel(const Conv2d<T>& layer, const Geometry& g, T* wcat) {
  const T* W = layer.W.data();
  for (std::size_t r = 0; r < g.KH; ++r)
    for (std::size_t s = 0; s < g.KW; ++s)
      for (std::size_t c = 0; c < g.C; ++c)
        for (std::size_t o = 0; o < g.O; ++o)
          wcat[c * g.taps() + (r * g.KW + s) * g.O + o] = W[((r * g.KW + s) * g.C + c) * g.O + o];
}

// The rows of the images n0 .. n1-1 of one chunk: n1 is the first image
// past n0 where the chunk would exceed kChunkRows (at least n0 + 1).
template <class T>
std::size_t chunk_end(const PooledRows<T>& x, std::size_t n0) {
  std::size_t n1 = n0 + 1;
  while (n1 < x.N && x.begin[n1 + 1] - x.begin[n0] <= kChunkRows) ++n1;
  return n1;
}

// d[row, c] = value[row, c] - base[c] for the rows begin .. end-1.
template <class T>
void deltas(const PooledRows<T>& x, std::size_t begin, std::size_t end, T* d) {
  for (std::size_t row = begin; row < end; ++row) {
    const T* v = x.value.data() + row * x.C;
    T* out = d + (row - begin) * x.C;
    for (std::size_t c = 0; c < x.C; ++c) out[c] = v[c] - x.base[c];
  }
}

// f(oi, oj, r, s) for every output pixel (oi, oj) that input pixel `pixel`
// (i * W + j) feeds through tap (r, s): oi = i + pr - r, oj = j + ps - s.
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

// The range [lo, hi) of output rows i whose tap r reads inside the image:
// 0 <= i + r - pr < H.
inline std::array<std::size_t, 2> inside(std::size_t r, std::size_t pr, std::size_t H) {
  const std::size_t lo = r < pr ? pr - r : 0;
  const std::size_t hi = std::min(H, H + pr - r);
  return {lo, hi};
}

template <class T>
inline void add_to(T* __restrict d, const T* __restrict s, std::size_t n) {
  for (std::size_t i = 0; i < n; ++i) d[i] += s[i];
}

// The pooling's backward at one entry of each channel's window: dy = dp
// where the arg-max a equals `position`, else 0; sum += dy.
template <class T>
inline void route_to(T* __restrict dy, T* __restrict sum, const T* __restrict dp,
                     const T* __restrict a, T position, std::size_t n) {
  for (std::size_t i = 0; i < n; ++i) {
    const T d = dp[i];  // loaded unconditionally, so that the select vectorizes
    const T v = a[i] == position ? d : T(0);
    dy[i] = v;
    sum[i] += v;
  }
}

// The 2x2 max-pooling of one window of a conv output [H, W, O] whose first
// entry is e0 (the output at (2i, 2j)) into pm and am (the arg-max as T),
// by the first block's pool4.
template <class T>
void pool_window(const T* e0, const Geometry& g, T* __restrict pm, T* __restrict am) {
  pool4(e0, e0 + g.O, e0 + g.W * g.O, e0 + (g.W + 1) * g.O, pm, am, g.O);
}

// Every window of an image's conv output y [H, W, O] into p and a.
template <class T>
void pool_image(const T* y, const Geometry& g, T* __restrict p, T* __restrict a) {
  for (std::size_t i = 0; i < g.Hp(); ++i)
    for (std::size_t j = 0; j < g.Wp(); ++j)
      pool_window(y + ((2 * i) * g.W + 2 * j) * g.O, g, p + (i * g.Wp() + j) * g.O,
                  a + (i * g.Wp() + j) * g.O);
}

}  // namespace

template <class T>
void conv_pool_rows_forward(const Conv2d<T>& layer, const PooledRows<T>& x, xt::xtensor<T, 4>& p,
                            std::vector<T>& argmax, ConvRowsScratch<T>& s) {
  const Geometry g = check("conv_pool_rows_forward", layer, x);
  const std::array<std::size_t, 4> p_shape{g.N, g.Hp(), g.Wp(), g.O};
  if (!(p.shape() == p_shape)) p.resize(p_shape);
  argmax.resize(p.size());
  const std::size_t O = g.O, image_out = g.H * g.W * O, pooled = g.Hp() * g.Wp() * O;
  s.wcat.resize(g.C * g.taps());
  rearrange_kernel(layer, g, s.wcat.data());

  // conv(base field) + b: base times the taps that read inside the image.
  std::vector<T>& base_y = s.base_y;
  base_y.assign(image_out, T(0));
  std::vector<T> bw(g.taps(), T(0));  // bw[(r, s), o] = sum_c base[c] W[r, s, c, o]
  for (std::size_t c = 0; c < g.C; ++c)
    for (std::size_t t = 0; t < g.taps(); ++t) bw[t] += x.base[c] * s.wcat[c * g.taps() + t];
  for (std::size_t i = 0; i < g.H; ++i) {
    for (std::size_t j = 0; j < g.W; ++j) {
      T* out = base_y.data() + (i * g.W + j) * O;
      std::copy_n(layer.b.data(), O, out);
      for (std::size_t r = 0; r < g.KH; ++r) {
        const auto [ilo, ihi] = inside(r, g.pr, g.H);
        if (i < ilo || i >= ihi) continue;
        for (std::size_t sc = 0; sc < g.KW; ++sc) {
          const auto [jlo, jhi] = inside(sc, g.ps, g.W);
          if (j < jlo || j >= jhi) continue;
          add_to(out, bw.data() + (r * g.KW + sc) * O, O);
        }
      }
    }
  }

  // Its pooling: the pooled values (and arg-maxes) of every window that no
  // listed row reaches, in every image.
  s.base_p.resize(pooled);
  s.base_a.resize(pooled);
  pool_image(base_y.data(), g, s.base_p.data(), s.base_a.data());

  s.y.resize(image_out);
  std::vector<std::uint8_t>& touched = s.touched;
  for (std::size_t n0 = 0; n0 < g.N;) {
    const std::size_t n1 = chunk_end(x, n0), row0 = x.begin[n0], rows = x.begin[n1] - row0;
    s.d.resize(std::max<std::size_t>(s.d.size(), rows * g.C));
    s.z.resize(std::max<std::size_t>(s.z.size(), rows * g.taps()));
    deltas(x, row0, row0 + rows, s.d.data());
    // Z = D Wcat.
    gemm<T>(false, false, rows, g.taps(), g.C, s.d.data(), g.C, s.wcat.data(), g.taps(), T(0),
            s.z.data(), g.taps());
    for (std::size_t n = n0; n < n1; ++n) {
      // y = conv(base field) + b on the windows the rows of image n reach,
      // plus the rows' contributions in row order (only those windows'
      // pixels of y are valid); every other window pools as base_p.
      T* y = s.y.data();
      touched.assign(g.Hp() * g.Wp(), std::uint8_t{0});
      for (std::size_t row = x.begin[n]; row < x.begin[n + 1]; ++row) {
        const std::size_t i = x.window[row] / g.W, j = x.window[row] % g.W;
        const std::size_t i0 = i >= g.pr ? i - g.pr : 0, i1 = std::min(i + g.KH - 1 - g.pr, g.H - 1);
        const std::size_t j0 = j >= g.ps ? j - g.ps : 0, j1 = std::min(j + g.KW - 1 - g.ps, g.W - 1);
        for (std::size_t a = i0 / 2; a <= i1 / 2; ++a)
          for (std::size_t b = j0 / 2; b <= j1 / 2; ++b) touched[a * g.Wp() + b] = 1;
      }
      for (std::size_t w = 0; w < g.Hp() * g.Wp(); ++w) {
        if (!touched[w]) continue;
        const std::size_t q = (2 * (w / g.Wp())) * g.W + 2 * (w % g.Wp());
        for (const std::size_t at : {q, q + 1, q + g.W, q + g.W + 1})
          copy_channels(base_y.data() + at * O, y + at * O, O);
      }
      for (std::size_t row = x.begin[n]; row < x.begin[n + 1]; ++row) {
        const T* z = s.z.data() + (row - row0) * g.taps();
        for_each_tap(x.window[row], g, [&](std::size_t oi, std::size_t oj, std::size_t r, std::size_t sc) {
          add_channels(z + (r * g.KW + sc) * O, y + (oi * g.W + oj) * O, O);
        });
      }
      T* pn = p.data() + n * pooled;
      T* an = argmax.data() + n * pooled;
      for (std::size_t w = 0; w < g.Hp() * g.Wp(); ++w) {
        if (touched[w]) {
          pool_window(y + (2 * (w / g.Wp()) * g.W + 2 * (w % g.Wp())) * O, g, pn + w * O, an + w * O);
        } else {
          copy_channels(s.base_p.data() + w * O, pn + w * O, O);
          copy_channels(s.base_a.data() + w * O, an + w * O, O);
        }
      }
    }
    n0 = n1;
  }
}

template <class T>
void conv_pool_rows_backward(Conv2d<T>& layer, const PooledRows<T>& x,
                             const std::vector<T>& argmax, const xt::xtensor<T, 4>& dp,
                             std::vector<T>& dvalue, std::vector<T>& dsum,
                             ConvRowsScratch<T>& s) {
  const Geometry g = check("conv_pool_rows_backward", layer, x);
  const std::array<std::size_t, 4> p_shape{g.N, g.Hp(), g.Wp(), g.O};
  if (!(dp.shape() == p_shape) || argmax.size() != dp.size())
    throw std::invalid_argument("conv_pool_rows_backward: dp or argmax does not match x");
  if (!(layer.dW.shape() == layer.W.shape())) layer.dW.resize(layer.W.shape());
  if (!(layer.db.shape() == layer.b.shape())) layer.db.resize(layer.b.shape());
  const std::size_t O = g.O, C = g.C, image_out = g.H * g.W * O, pooled = g.Hp() * g.Wp() * O;
  s.wcat.resize(C * g.taps());
  rearrange_kernel(layer, g, s.wcat.data());
  dvalue.resize(x.rows() * C);
  s.dwcat.assign(C * g.taps(), T(0));
  s.dy_sum.assign(image_out, T(0));
  s.y.resize(image_out);  // holds one image's dy

  for (std::size_t n0 = 0; n0 < g.N;) {
    const std::size_t n1 = chunk_end(x, n0), row0 = x.begin[n0], rows = x.begin[n1] - row0;
    s.d.resize(std::max<std::size_t>(s.d.size(), rows * C));
    s.z.resize(std::max<std::size_t>(s.z.size(), rows * g.taps()));
    deltas(x, row0, row0 + rows, s.d.data());
    for (std::size_t n = n0; n < n1; ++n) {
      // dy of image n: dp at each window's arg-max, 0 elsewhere; and its
      // sum over the batch.
      // Each of a window's four entries is written once (the windows tile
      // the image); the sum adds +0 at the other three, which leaves it
      // unchanged (it starts at +0 and so is never -0).
      T* dy = s.y.data();
      const T* dpn = dp.data() + n * pooled;
      const T* an = argmax.data() + n * pooled;
      for (std::size_t w = 0; w < g.Hp() * g.Wp(); ++w) {
        const std::size_t q0 = (2 * (w / g.Wp())) * g.W + 2 * (w % g.Wp());
        for (std::size_t position = 0; position < 4; ++position)
          route_to(dy + (q0 + (position / 2) * g.W + position % 2) * O,
                   s.dy_sum.data() + (q0 + (position / 2) * g.W + position % 2) * O, dpn + w * O,
                   an + w * O, static_cast<T>(position), O);
      }
      // E rows: the dy entries each listed pixel feeds, tap by tap (0 for
      // the taps that read outside the image).
      for (std::size_t row = x.begin[n]; row < x.begin[n + 1]; ++row) {
        T* e = s.z.data() + (row - row0) * g.taps();
        const std::ptrdiff_t i = static_cast<std::ptrdiff_t>(x.window[row] / g.W),
                             j = static_cast<std::ptrdiff_t>(x.window[row] % g.W);
        for (std::size_t r = 0; r < g.KH; ++r) {
          const std::ptrdiff_t oi = i + static_cast<std::ptrdiff_t>(g.pr) - static_cast<std::ptrdiff_t>(r);
          for (std::size_t sc = 0; sc < g.KW; ++sc) {
            const std::ptrdiff_t oj = j + static_cast<std::ptrdiff_t>(g.ps) - static_cast<std::ptrdiff_t>(sc);
            T* to = e + (r * g.KW + sc) * O;
            if (oi < 0 || oi >= static_cast<std::ptrdiff_t>(g.H) || oj < 0 ||
                oj >= static_cast<std::ptrdiff_t>(g.W)) {
              for (std::size_t o = 0; o < O; ++o) to[o] = T(0);
            } else {
              copy_channels(dy + (static_cast<std::size_t>(oi) * g.W + static_cast<std::size_t>(oj)) * O, to, O);
            }
          }
        }
      }
    }
    // dWcat += D^T E;  dx at the rows = E Wcat^T.
    gemm<T>(true, false, C, g.taps(), rows, s.d.data(), C, s.z.data(), g.taps(), T(1),
            s.dwcat.data(), g.taps());
    gemm<T>(false, true, rows, C, g.taps(), s.z.data(), g.taps(), s.wcat.data(), g.taps(), T(0),
            dvalue.data() + row0 * C, C);
    n0 = n1;
  }

  // R[(r, s), o]: sum_n dy over the output pixels whose tap (r, s) reads
  // inside the image.
  std::vector<T> R(g.taps(), T(0));
  for (std::size_t r = 0; r < g.KH; ++r) {
    const auto [ilo, ihi] = inside(r, g.pr, g.H);
    for (std::size_t sc = 0; sc < g.KW; ++sc) {
      const auto [jlo, jhi] = inside(sc, g.ps, g.W);
      T* out = R.data() + (r * g.KW + sc) * O;
      for (std::size_t i = ilo; i < ihi; ++i)
        for (std::size_t j = jlo; j < jhi; ++j) add_to(out, s.dy_sum.data() + (i * g.W + j) * O, O);
    }
  }
  T* dW = layer.dW.data();
  dsum.assign(C, T(0));
  for (std::size_t r = 0; r < g.KH; ++r)
    for (std::size_t sc = 0; sc < g.KW; ++sc)
      for (std::size_t c = 0; c < C; ++c)
        for (std::size_t o = 0; o < O; ++o) {
          const std::size_t t = (r * g.KW + sc) * O + o;
          dW[((r * g.KW + sc) * C + c) * O + o] = s.dwcat[c * g.taps() + t] + x.base[c] * R[t];
          dsum[c] += layer.W.data()[((r * g.KW + sc) * C + c) * O + o] * R[t];
        }
  // db = sum of dp.
  T* db = layer.db.data();
  std::fill_n(db, O, T(0));
  for (std::size_t q = 0; q < dp.size() / O; ++q) add_to(db, dp.data() + q * O, O);
}

#define FGBDL_INSTANTIATE_CONV_POOL_ROWS(T)                                                     \
  template void conv_pool_rows_forward<T>(const Conv2d<T>&, const PooledRows<T>&,               \
                                          xt::xtensor<T, 4>&, std::vector<T>&,                  \
                                          ConvRowsScratch<T>&);                                 \
  template void conv_pool_rows_backward<T>(Conv2d<T>&, const PooledRows<T>&,                    \
                                           const std::vector<T>&, const xt::xtensor<T, 4>&,     \
                                           std::vector<T>&, std::vector<T>&, ConvRowsScratch<T>&);
FGBDL_INSTANTIATE_CONV_POOL_ROWS(float)
FGBDL_INSTANTIATE_CONV_POOL_ROWS(double)
#undef FGBDL_INSTANTIATE_CONV_POOL_ROWS

}  // namespace fgbdl
