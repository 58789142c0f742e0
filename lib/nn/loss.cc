#include "lib/nn/loss.h"

#include <stdexcept>
#include <string>

#include "lib/nn/shape_check.h"

namespace fgbdl {
namespace {

// Checks shapes, sizes dscore; returns B.
template <class T>
std::size_t prepare(const char* fn, const xt::xtensor<T, 2>& score, const xt::xtensor<T, 2>& y,
                    xt::xtensor<T, 2>& dscore) {
  nn_detail::require_same_shape(fn, "y", y, score);
  if (score.shape(0) == 0)
    throw std::invalid_argument(std::string(fn) + ": empty batch (score has 0 rows)");
  nn_detail::resize_if_needed(dscore, score.shape());
  return score.shape(0);
}

}  // namespace

template <class T>
T hinge_loss(const xt::xtensor<T, 2>& score, const xt::xtensor<T, 2>& y,
             xt::xtensor<T, 2>& dscore) {
  const T inv_b = T(1) / static_cast<T>(prepare("hinge_loss", score, y, dscore));
  const T* sp = score.data();
  const T* yp = y.data();
  T* dp = dscore.data();
  double total = 0.0;
  for (std::size_t i = 0, n = score.size(); i < n; ++i) {
    const T margin = T(1) - yp[i] * sp[i];
    if (margin > T(0)) {
      total += margin;
      dp[i] = -yp[i] * inv_b;
    } else {
      dp[i] = T(0);
    }
  }
  return static_cast<T>(total / static_cast<double>(score.shape(0)));
}

template <class T>
T squared_loss(const xt::xtensor<T, 2>& score, const xt::xtensor<T, 2>& y,
               xt::xtensor<T, 2>& dscore) {
  const T inv_b = T(1) / static_cast<T>(prepare("squared_loss", score, y, dscore));
  const T* sp = score.data();
  const T* yp = y.data();
  T* dp = dscore.data();
  double total = 0.0;
  for (std::size_t i = 0, n = score.size(); i < n; ++i) {
    const T diff = sp[i] - yp[i];
    total += static_cast<double>(diff) * diff;
    dp[i] = diff * inv_b;
  }
  return static_cast<T>(total / (2.0 * static_cast<double>(score.shape(0))));
}

#define FGBDL_INSTANTIATE_LOSS(T)                                                \
  template T hinge_loss<T>(const xt::xtensor<T, 2>&, const xt::xtensor<T, 2>&,   \
                           xt::xtensor<T, 2>&);                                  \
  template T squared_loss<T>(const xt::xtensor<T, 2>&, const xt::xtensor<T, 2>&, \
                             xt::xtensor<T, 2>&);
FGBDL_INSTANTIATE_LOSS(float)
FGBDL_INSTANTIATE_LOSS(double)
#undef FGBDL_INSTANTIATE_LOSS

}  // namespace fgbdl
