#include "lib/nn/relu.h"

#include "lib/nn/shape_check.h"

namespace fgbdl {

template <class T>
void relu_forward(const xt::xtensor<T, 2>& z, xt::xtensor<T, 2>& a) {
  nn_detail::resize_if_needed(a, z.shape());
  const T* zp = z.data();
  T* ap = a.data();
  for (std::size_t i = 0, n = z.size(); i < n; ++i) ap[i] = zp[i] > T(0) ? zp[i] : T(0);
}

template <class T>
void relu_backward(const xt::xtensor<T, 2>& z, const xt::xtensor<T, 2>& da, xt::xtensor<T, 2>& dz) {
  nn_detail::require_same_shape("relu_backward", "da", da, z);
  nn_detail::resize_if_needed(dz, z.shape());
  const T* zp = z.data();
  const T* dap = da.data();
  T* dzp = dz.data();
  for (std::size_t i = 0, n = z.size(); i < n; ++i) {
    const T g = dap[i];  // loaded unconditionally, so that the select compiles without a branch
    dzp[i] = zp[i] > T(0) ? g : T(0);
  }
}

template void relu_forward<float>(const xt::xtensor<float, 2>&, xt::xtensor<float, 2>&);
template void relu_forward<double>(const xt::xtensor<double, 2>&, xt::xtensor<double, 2>&);
template void relu_backward<float>(const xt::xtensor<float, 2>&, const xt::xtensor<float, 2>&,
                                   xt::xtensor<float, 2>&);
template void relu_backward<double>(const xt::xtensor<double, 2>&, const xt::xtensor<double, 2>&,
                                    xt::xtensor<double, 2>&);

}  // namespace fgbdl
