// galu_least_squares (lib/train/galu.h), in a file of its own: xtensor-blas's
// LAPACK bindings declare the cblas functions differently from OpenBLAS's
// cblas.h, which galu.cc includes through lib/nn/gemm.h.
#include <stdexcept>
#include <vector>

#include <xtensor-blas/xlinalg.hpp>

#include "lib/train/galu.h"

namespace fgbdl {

double galu_least_squares(Galu& net, const Matrix& x, const Matrix& y) {
  const std::size_t m = x.shape(0);
  if (m == 0 || y.dimension() != 2 || y.shape(0) != m || y.shape(1) != 1)
    throw std::invalid_argument("galu_least_squares: need x [m, d] and y [m, 1], m >= 1");
  const MatrixD phi = galu_features(net, x);
  xt::xtensor<double, 1> target = xt::zeros<double>({m});
  for (std::size_t i = 0; i < m; ++i) target(i) = y(i, 0);
  // dgelsd overwrites its inputs; lstsq works on copies.
  const auto solution = xt::linalg::lstsq(phi, target);
  const xt::xtensor<double, 1> theta = std::get<0>(solution);
  std::vector<double> t(theta.begin(), theta.end());
  net.set_linear_part(t);
  double sum = 0;
  for (std::size_t i = 0; i < m; ++i) {
    double f = 0;
    for (std::size_t p = 0; p < t.size(); ++p) f += phi(i, p) * t[p];
    sum += (f - target(i)) * (f - target(i)) / 2;
  }
  return sum / static_cast<double>(m);
}

}  // namespace fgbdl
