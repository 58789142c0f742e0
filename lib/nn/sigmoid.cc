#include "lib/nn/sigmoid.h"

#include <cmath>

#include "lib/nn/shape_check.h"

namespace fgbdl {

template <class T>
void sigmoid_forward(const xt::xtensor<T, 2>& z, xt::xtensor<T, 2>& s) {
  nn_detail::resize_if_needed(s, z.shape());
  const T* zp = z.data();
  T* sp = s.data();
  for (std::size_t i = 0, n = z.size(); i < n; ++i) {
    const T e = std::exp(-std::fabs(zp[i]));  // in (0, 1]
    sp[i] = zp[i] >= T(0) ? T(1) / (T(1) + e) : e / (T(1) + e);
  }
}

template <class T>
void sigmoid_backward(const xt::xtensor<T, 2>& s, const xt::xtensor<T, 2>& ds,
                      xt::xtensor<T, 2>& dz) {
  nn_detail::require_same_shape("sigmoid_backward", "ds", ds, s);
  nn_detail::resize_if_needed(dz, s.shape());
  const T* sp = s.data();
  const T* dsp = ds.data();
  T* dzp = dz.data();
  for (std::size_t i = 0, n = s.size(); i < n; ++i) dzp[i] = dsp[i] * sp[i] * (T(1) - sp[i]);
}

template void sigmoid_forward<float>(const xt::xtensor<float, 2>&, xt::xtensor<float, 2>&);
template void sigmoid_forward<double>(const xt::xtensor<double, 2>&, xt::xtensor<double, 2>&);
template void sigmoid_backward<float>(const xt::xtensor<float, 2>&, const xt::xtensor<float, 2>&,
                                      xt::xtensor<float, 2>&);
template void sigmoid_backward<double>(const xt::xtensor<double, 2>&, const xt::xtensor<double, 2>&,
                                       xt::xtensor<double, 2>&);

}  // namespace fgbdl
