// SGD on the Section 4 fully connected encoder and its expectation (see
// expected_sgd.h).
#include "experiments/sec4_conditioning/expected_sgd.h"

#include <cmath>
#include <limits>
#include <stdexcept>
#include <vector>
#include <xtensor-blas/xlinalg.hpp>
#include <xtensor/xbuilder.hpp>

namespace fgbdl {

xt::xtensor<double, 2> lemma2_closed_form(const xt::xtensor<double, 2>& W, double eta_lambda,
                                          int t) {
  const std::size_t n = W.shape(0);
  if (t < 0) throw std::invalid_argument("lemma2_closed_form: t must be >= 0");
  if (t == 0) return xt::zeros<double>({n, n});
  const xt::xtensor<double, 2> I = xt::eye<double>(n);
  const xt::xtensor<double, 2> M = I - eta_lambda * xt::linalg::dot(W, xt::transpose(W));
  xt::xtensor<double, 2> S = I;
  for (int i = 1; i < t; ++i) S = I + xt::linalg::dot(M, S);
  return eta_lambda * xt::linalg::dot(xt::transpose(W), S);
}

xt::xtensor<double, 2> expected_sgd_recursion(const xt::xtensor<double, 2>& W,
                                              const xt::xtensor<double, 2>& Sigma, double eta,
                                              int t) {
  const std::size_t n = W.shape(0);
  if (t < 0) throw std::invalid_argument("expected_sgd_recursion: t must be >= 0");
  const xt::xtensor<double, 2> A = eta * xt::linalg::dot(Sigma, xt::transpose(W));  // eta Sigma W^T
  const xt::xtensor<double, 2> B = xt::linalg::dot(W, A);  // eta W Sigma W^T
  xt::xtensor<double, 2> U = xt::zeros<double>({n, n});
  for (int i = 0; i < t; ++i) U = U + A - xt::linalg::dot(U, B);
  return U;
}

double expected_sgd_error_norm(const xt::xtensor<double, 1>& s, double eta_lambda, double t) {
  double best = -std::numeric_limits<double>::infinity();
  for (const double sj : s) {
    const double r = std::fabs(1.0 - eta_lambda * sj * sj);
    const double log_term = (t == 0.0 ? 0.0 : t * std::log(r)) - std::log(sj);
    best = std::max(best, log_term);
  }
  return std::exp(best);
}

xt::xtensor<double, 2> sgd_run(CurveDistribution dist, int n, double eta, int t, Engine& rng) {
  const auto nn = static_cast<std::size_t>(n);
  xt::xtensor<double, 2> U = xt::zeros<double>({nn, nn});
  xt::xtensor<double, 2> f, p;
  std::vector<double> residual(nn);
  for (int step = 0; step < t; ++step) {
    sample_curves(dist, n, 3, 1, rng, &f, &p);
    // residual = p - U f; U += eta residual f^T.
    for (std::size_t i = 0; i < nn; ++i) {
      double s = p(0, i);
      for (std::size_t j = 0; j < nn; ++j) s -= U(i, j) * f(0, j);
      residual[i] = eta * s;
    }
    for (std::size_t i = 0; i < nn; ++i)
      for (std::size_t j = 0; j < nn; ++j) U(i, j) += residual[i] * f(0, j);
  }
  return U;
}

}  // namespace fgbdl
