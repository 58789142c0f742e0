// SGD on the fully connected encoder of Section 4.1 and its expectation
// (paper Lemma 2 and Theorem 3; L2, T3 in paper/sec4_conditioning.md).
//
// Problem: min_U E_f ||W^{-1} f - U f||^2 / 2 over n x n matrices U, with
// f = W p (lib/data/curves.h), i.e. the per-sample loss ||p - U f||^2 / 2.
// SGD from U_0 = 0 with one fresh curve per step:
//   U_{t+1} = U_t + eta (p - U_t f) f^T.
// Since p is independent of U_t and the update is affine in U_t, the mean
// follows  E U_{t+1} = E U_t + eta (I - E U_t W) Sigma W^T  with
// Sigma = E[p p^T] (expected_sgd_recursion). Lemma 2 assumes
// Sigma = lambda I and states the closed form
//   E U_t = eta lambda W^T sum_{i=0}^{t-1} (I - eta lambda W W^T)^i
// (lemma2_closed_form). With the SVD W = Q S V^T it is
//   E U_t = V diag((1 - (1 - eta lambda s_j^2)^t) / s_j) Q^T, so
//   E U_t - W^{-1} = -V diag((1 - eta lambda s_j^2)^t / s_j) Q^T and
//   ||E U_t - W^{-1}||_2 = max_j |1 - eta lambda s_j^2|^t / s_j
// (expected_sgd_error_norm), the quantity of Theorem 3.
#ifndef EXPERIMENTS_SEC4_CONDITIONING_EXPECTED_SGD_H_
#define EXPERIMENTS_SEC4_CONDITIONING_EXPECTED_SGD_H_

#include <xtensor/xtensor.hpp>

#include "lib/core/rng.h"
#include "lib/data/curves.h"

namespace fgbdl {

// Lemma 2's closed form for t >= 0 (t = 0 gives 0), the power sum evaluated
// by Horner's rule: S_1 = I, S_{i+1} = I + (I - eta_lambda W W^T) S_i.
xt::xtensor<double, 2> lemma2_closed_form(const xt::xtensor<double, 2>& W, double eta_lambda,
                                          int t);

// E U_t from the recursion E U_{t+1} = E U_t + eta (I - E U_t W) Sigma W^T,
// E U_0 = 0, for a general second moment Sigma = E[p p^T].
xt::xtensor<double, 2> expected_sgd_recursion(const xt::xtensor<double, 2>& W,
                                              const xt::xtensor<double, 2>& Sigma, double eta,
                                              int t);

// ||E U_t - W^{-1}||_2 = max_j |1 - eta_lambda s_j^2|^t / s_j for the
// singular values s of W (Sigma = lambda I), computed in log space so that
// large t neither overflows nor underflows early. t >= 0 real.
double expected_sgd_error_norm(const xt::xtensor<double, 1>& s, double eta_lambda, double t);

// One SGD run of t steps from U_0 = 0 with one fresh curve of `dist` (k = 3
// kinks) per step; returns U_t.
xt::xtensor<double, 2> sgd_run(CurveDistribution dist, int n, double eta, int t, Engine& rng);

}  // namespace fgbdl

#endif  // EXPERIMENTS_SEC4_CONDITIONING_EXPECTED_SGD_H_
