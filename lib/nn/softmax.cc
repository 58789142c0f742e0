#include "lib/nn/softmax.h"

#include <cmath>

#include "lib/nn/shape_check.h"

namespace fgbdl {

template <class T>
void softmax_row(const T* z, std::size_t K, T* s) {
  if (K == 0) return;
  T top = z[0];
  for (std::size_t l = 1; l < K; ++l) top = z[l] > top ? z[l] : top;
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
  template void softmax_backward_row<T>(const T*, const T*, std::size_t, T*);                \
  template void softmax_forward<T>(const xt::xtensor<T, 2>&, xt::xtensor<T, 2>&);            \
  template void softmax_backward<T>(const xt::xtensor<T, 2>&, const xt::xtensor<T, 2>&,      \
                                    xt::xtensor<T, 2>&);
FGBDL_INSTANTIATE_SOFTMAX(float)
FGBDL_INSTANTIATE_SOFTMAX(double)
#undef FGBDL_INSTANTIATE_SOFTMAX

}  // namespace fgbdl
