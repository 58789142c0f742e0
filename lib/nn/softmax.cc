#include "lib/nn/softmax.h"

#include <xmmintrin.h>

#include <cmath>

#include "lib/nn/shape_check.h"

namespace fgbdl {
namespace {

template <class T>
T row_max_scalar(const T* z, std::size_t K) {
  T top = z[0];
  for (std::size_t l = 1; l < K; ++l) top = z[l] > top ? z[l] : top;
  return top;
}

}  // namespace

template <class T>
T row_max(const T* z, std::size_t K) {
  return row_max_scalar(z, K);
}

// The same in four lanes: _mm_max_ps(a, b) gives b when either is NaN, so
// the running maxima never take a NaN; the maximum of the lanes then does
// not depend on the order (but for the sign of a zero).
template <>
float row_max<float>(const float* z, std::size_t K) {
  float top = z[0];
  if (std::isnan(top) || K < 8) return row_max_scalar(z, K);
  __m128 acc = _mm_set1_ps(top);
  std::size_t l = 0;
  for (; l + 4 <= K; l += 4) acc = _mm_max_ps(_mm_loadu_ps(z + l), acc);
  acc = _mm_max_ps(acc, _mm_movehl_ps(acc, acc));
  acc = _mm_max_ss(acc, _mm_shuffle_ps(acc, acc, 1));
  top = _mm_cvtss_f32(acc);
  for (; l < K; ++l) top = z[l] > top ? z[l] : top;
  return top;
}

template <class T>
void softmax_row(const T* z, std::size_t K, T* s) {
  if (K == 0) return;
  const T top = row_max(z, K);
  // If the row holds NaN as its first entry, top is NaN and every output is NaN;
  // a later NaN propagates through the sum.
  T sum = 0;
  for (std::size_t l = 0; l < K; ++l) {
    s[l] = std::exp(z[l] - top);  // <= 1
    sum += s[l];
  }
  const T inv = T(1) / sum;  // sum >= 1 (the maximum contributes exp(0) = 1)
  for (std::size_t l = 0; l < K; ++l) s[l] *= inv;
}

template <class T>
void softmax_backward_row(const T* s, const T* ds, std::size_t K, T* dz) {
  T inner = 0;
  for (std::size_t l = 0; l < K; ++l) inner += ds[l] * s[l];
  for (std::size_t l = 0; l < K; ++l) dz[l] = s[l] * (ds[l] - inner);
}

template <class T>
void softmax_forward(const xt::xtensor<T, 2>& z, xt::xtensor<T, 2>& s) {
  nn_detail::resize_if_needed(s, z.shape());
  const std::size_t B = z.shape(0), K = z.shape(1);
  for (std::size_t r = 0; r < B; ++r) softmax_row(z.data() + r * K, K, s.data() + r * K);
}

template <class T>
void softmax_backward(const xt::xtensor<T, 2>& s, const xt::xtensor<T, 2>& ds,
                      xt::xtensor<T, 2>& dz) {
  nn_detail::require_same_shape("softmax_backward", "ds", ds, s);
  nn_detail::resize_if_needed(dz, s.shape());
  const std::size_t B = s.shape(0), K = s.shape(1);
  for (std::size_t r = 0; r < B; ++r)
    softmax_backward_row(s.data() + r * K, ds.data() + r * K, K, dz.data() + r * K);
}

#define FGBDL_INSTANTIATE_SOFTMAX(T)                                                         \
  template void softmax_row<T>(const T*, std::size_t, T*);                                   \
  template T row_max<T>(const T*, std::size_t);                                              \
  template void softmax_backward_row<T>(const T*, const T*, std::size_t, T*);                \
  template void softmax_forward<T>(const xt::xtensor<T, 2>&, xt::xtensor<T, 2>&);            \
  template void softmax_backward<T>(const xt::xtensor<T, 2>&, const xt::xtensor<T, 2>&,      \
                                    xt::xtensor<T, 2>&);
FGBDL_INSTANTIATE_SOFTMAX(float)
FGBDL_INSTANTIATE_SOFTMAX(double)
#undef FGBDL_INSTANTIATE_SOFTMAX

}  // namespace fgbdl
