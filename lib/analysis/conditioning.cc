// Conditioning of the Section 4 problems (see conditioning.h).
#include "lib/analysis/conditioning.h"

#include <cmath>
#include <limits>
#include <stdexcept>
#include <tuple>
#include <xtensor-blas/xlinalg.hpp>
#include <xtensor/xbuilder.hpp>

namespace fgbdl {

xt::xtensor<double, 2> patch_matrix(const xt::xtensor<double, 2>& f) {
  const std::size_t count = f.shape(0), n = f.shape(1);
  if (n < 3) throw std::invalid_argument("patch_matrix: curves need n >= 3 samples");
  xt::xtensor<double, 2> R = xt::empty<double>({count * (n - 2), std::size_t{3}});
  std::size_t row = 0;
  for (std::size_t c = 0; c < count; ++c)
    for (std::size_t t = 1; t + 1 < n; ++t, ++row) {
      R(row, 0) = f(c, t - 1);
      R(row, 1) = f(c, t);
      R(row, 2) = f(c, t + 1);
    }
  return R;
}

xt::xtensor<double, 2> second_moment(const xt::xtensor<double, 2>& rows) {
  const std::size_t m = rows.shape(0), d = rows.shape(1);
  if (m == 0) throw std::invalid_argument("second_moment: no rows");
  xt::xtensor<double, 2> C = xt::linalg::dot(xt::transpose(rows), rows);
  C /= static_cast<double>(m);
  // Exact symmetry (BLAS may round the two triangles differently).
  for (std::size_t i = 0; i < d; ++i)
    for (std::size_t j = 0; j < i; ++j) C(j, i) = C(i, j);
  return C;
}

xt::xtensor<double, 1> symmetric_eigenvalues(const xt::xtensor<double, 2>& symmetric) {
  if (symmetric.shape(0) != symmetric.shape(1) || symmetric.shape(0) == 0)
    throw std::invalid_argument("symmetric_eigenvalues: needs a non-empty square matrix");
  return std::get<0>(xt::linalg::eigh(symmetric));
}

xt::xtensor<double, 1> singular_values(const xt::xtensor<double, 2>& A) {
  return std::get<1>(xt::linalg::svd(A, false, false));
}

double condition_number(const xt::xtensor<double, 2>& symmetric_psd) {
  const auto lambda = symmetric_eigenvalues(symmetric_psd);
  const double lo = lambda(0), hi = lambda(lambda.size() - 1);
  if (!(lo > 0.0)) return std::numeric_limits<double>::infinity();
  return hi / lo;
}

xt::xtensor<double, 2> inverse_sqrt(const xt::xtensor<double, 2>& symmetric_pd) {
  if (symmetric_pd.shape(0) != symmetric_pd.shape(1) || symmetric_pd.shape(0) == 0)
    throw std::invalid_argument("inverse_sqrt: needs a non-empty square matrix");
  const auto eig = xt::linalg::eigh(symmetric_pd);
  const auto& lambda = std::get<0>(eig);
  const auto& V = std::get<1>(eig);
  const std::size_t d = lambda.size();
  xt::xtensor<double, 2> out = xt::zeros<double>({d, d});
  for (std::size_t k = 0; k < d; ++k) {
    if (!(lambda(k) > 0.0))
      throw std::invalid_argument("inverse_sqrt: matrix is not positive definite");
    const double s = 1.0 / std::sqrt(lambda(k));
    for (std::size_t i = 0; i < d; ++i)
      for (std::size_t j = 0; j < d; ++j) out(i, j) += V(i, k) * s * V(j, k);
  }
  return out;
}

}  // namespace fgbdl
