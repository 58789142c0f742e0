#include "lib/nn/maxpool2d.h"

#include <algorithm>
#include <array>
#include <stdexcept>

#include "lib/nn/shape_check.h"

namespace fgbdl {
namespace {

std::array<std::size_t, 4> pooled_shape(const std::array<std::size_t, 4>& x) {
  return {x[0], (x[1] + 1) / 2, (x[2] + 1) / 2, x[3]};
}

template <class S>
std::array<std::size_t, 4> as_array(const S& s) {
  return {s[0], s[1], s[2], s[3]};
}

// One full 2x2 window: d = max of the channel vectors e0..e3 (row-major
// window order), `>` from e0 so that the first maximum wins. Written
// without branches so that it vectorizes.
template <class T>
void pool4_forward(const T* __restrict e0, const T* __restrict e1, const T* __restrict e2,
                   const T* __restrict e3, T* __restrict d, std::size_t C) {
  for (std::size_t c = 0; c < C; ++c) {
    T m = e0[c];
    m = e1[c] > m ? e1[c] : m;
    m = e2[c] > m ? e2[c] : m;
    d[c] = e3[c] > m ? e3[c] : m;
  }
}

// One full window backward: g goes to the winner of pool4_forward's
// comparisons, the other three entries get 0. The winner's position is
// carried as a value of T (0..3) so that the loop has no branches.
template <class T>
void pool4_backward(const T* __restrict e0, const T* __restrict e1, const T* __restrict e2,
                    const T* __restrict e3, const T* __restrict g, T* __restrict d0,
                    T* __restrict d1, T* __restrict d2, T* __restrict d3, std::size_t C) {
  for (std::size_t c = 0; c < C; ++c) {
    T m = e0[c], a = T(0);
    const bool w1 = e1[c] > m;
    m = w1 ? e1[c] : m;
    a = w1 ? T(1) : a;
    const bool w2 = e2[c] > m;
    m = w2 ? e2[c] : m;
    a = w2 ? T(2) : a;
    a = e3[c] > m ? T(3) : a;
    const T gc = g[c];
    d0[c] = a == T(0) ? gc : T(0);
    d1[c] = a == T(1) ? gc : T(0);
    d2[c] = a == T(2) ? gc : T(0);
    d3[c] = a == T(3) ? gc : T(0);
  }
}

// For every output pixel (n, i, j): f(offset of y[n, i, j, 0], offsets of
// x[n, a, b, 0] for the window's entries inside the image in row-major
// order, their count (1 to 4)).
template <class F>
void for_each_window(const std::array<std::size_t, 4>& shape, F f) {
  const std::size_t N = shape[0], H = shape[1], W = shape[2], C = shape[3];
  const std::size_t Ho = (H + 1) / 2, Wo = (W + 1) / 2;
  for (std::size_t n = 0; n < N; ++n) {
    for (std::size_t i = 0; i < Ho; ++i) {
      for (std::size_t j = 0; j < Wo; ++j) {
        std::size_t in[4] = {0, 0, 0, 0};
        std::size_t count = 0;
        for (std::size_t a = 2 * i; a < std::min(2 * i + 2, H); ++a)
          for (std::size_t b = 2 * j; b < std::min(2 * j + 2, W); ++b)
            in[count++] = ((n * H + a) * W + b) * C;
        f(((n * Ho + i) * Wo + j) * C, in, count);
      }
    }
  }
}

}  // namespace

// Full 2x2 windows (the common case) run the branch-free loops above;
// border windows of odd sizes take the general path with the same
// comparisons.
template <class T>
void maxpool2d_forward(const xt::xtensor<T, 4>& x, xt::xtensor<T, 4>& y) {
  if (&y == &x) throw std::invalid_argument("maxpool2d_forward: y must not alias x");
  nn_detail::resize_if_needed(y, pooled_shape(as_array(x.shape())));
  const T* xp = x.data();
  T* yp = y.data();
  const std::size_t C = x.shape(3);
  for_each_window(as_array(x.shape()), [&](std::size_t out, const std::size_t* in, std::size_t count) {
    T* d = yp + out;
    if (count == 4) {
      pool4_forward(xp + in[0], xp + in[1], xp + in[2], xp + in[3], d, C);
      return;
    }
    std::copy_n(xp + in[0], C, d);
    for (std::size_t e = 1; e < count; ++e) {
      const T* s = xp + in[e];
      for (std::size_t c = 0; c < C; ++c) d[c] = s[c] > d[c] ? s[c] : d[c];
    }
  });
}

template <class T>
void maxpool2d_backward(const xt::xtensor<T, 4>& x, const xt::xtensor<T, 4>& dy,
                        xt::xtensor<T, 4>& dx) {
  const auto y_shape = pooled_shape(as_array(x.shape()));
  if (!(as_array(dy.shape()) == y_shape))
    nn_detail::throw_shape("maxpool2d_backward", "dy", nn_detail::shape_str(y_shape),
                           nn_detail::shape_str(dy.shape()));
  if (&dx == &dy) throw std::invalid_argument("maxpool2d_backward: dx must not alias dy");
  nn_detail::resize_if_needed(dx, x.shape());
  const T* xp = x.data();
  const T* dyp = dy.data();
  T* dxp = dx.data();
  const std::size_t C = x.shape(3);
  for_each_window(as_array(x.shape()), [&](std::size_t out, const std::size_t* in, std::size_t count) {
    const T* g = dyp + out;
    if (count == 4) {
      pool4_backward(xp + in[0], xp + in[1], xp + in[2], xp + in[3], g, dxp + in[0], dxp + in[1],
                     dxp + in[2], dxp + in[3], C);
      return;
    }
    for (std::size_t e = 0; e < count; ++e) std::fill_n(dxp + in[e], C, T(0));
    for (std::size_t c = 0; c < C; ++c) {
      std::size_t best = in[0] + c;
      for (std::size_t e = 1; e < count; ++e) {
        if (xp[in[e] + c] > xp[best]) best = in[e] + c;
      }
      dxp[best] = g[c];
    }
  });
}

template void maxpool2d_forward<float>(const xt::xtensor<float, 4>&, xt::xtensor<float, 4>&);
template void maxpool2d_forward<double>(const xt::xtensor<double, 4>&, xt::xtensor<double, 4>&);
template void maxpool2d_backward<float>(const xt::xtensor<float, 4>&, const xt::xtensor<float, 4>&,
                                        xt::xtensor<float, 4>&);
template void maxpool2d_backward<double>(const xt::xtensor<double, 4>&,
                                         const xt::xtensor<double, 4>&, xt::xtensor<double, 4>&);

}  // namespace fgbdl
