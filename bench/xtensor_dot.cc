#include "bench/xtensor_dot.h"

#include <xtensor-blas/xlinalg.hpp>

namespace fgbdl {

void xtensor_dot(const xt::xtensor<float, 2>& A, const xt::xtensor<float, 2>& B,
                 xt::xtensor<float, 2>& C) {
  C = xt::linalg::dot(A, B);
}

}  // namespace fgbdl
