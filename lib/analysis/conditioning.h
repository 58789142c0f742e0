// Conditioning of the Section 4 learning problems (paper/sec4_conditioning.md T3, A6, E4.1.3):
// the 3-tap patch matrix of a set of curves and its second moment C (the
// matrix whose condition number governs gradient descent on the
// convolutional problem, Appendix A.6), condition numbers of symmetric PSD
// matrices, and the whitening map C^{-1/2} of Section 4.1's "explicit
// conditioning" (PWL_fail1.py `FtoKConvCondTrainer`: C = F^T F / m,
// C^{-1/2} = V diag(s^{-1/2}) V^T from eigh).
//
// float64 throughout; eigenvalues and singular values through xtensor-blas
// (LAPACK dsyevd / dgesdd of OpenBLAS).
#ifndef LIB_ANALYSIS_CONDITIONING_H_
#define LIB_ANALYSIS_CONDITIONING_H_

#include <xtensor/xtensor.hpp>

namespace fgbdl {

// f [count, n] -> R [count * (n - 2), 3]: row (c, t) is
// [f_{t-1}, f_t, f_{t+1}] of curve c, for t = 1 .. n-2 (0-based), curve by
// curve. Throws std::invalid_argument if n < 3.
xt::xtensor<double, 2> patch_matrix(const xt::xtensor<double, 2>& f);

// (1/m) R^T R for R [m, d], m >= 1.
xt::xtensor<double, 2> second_moment(const xt::xtensor<double, 2>& rows);

// Eigenvalues of a symmetric matrix, ascending (LAPACK dsyevd; the lower
// triangle is read).
xt::xtensor<double, 1> symmetric_eigenvalues(const xt::xtensor<double, 2>& symmetric);

// Singular values of A, descending (LAPACK dgesdd).
xt::xtensor<double, 1> singular_values(const xt::xtensor<double, 2>& A);

// lambda_max / lambda_min of a symmetric PSD matrix; +infinity when
// lambda_min <= 0 (numerically singular).
double condition_number(const xt::xtensor<double, 2>& symmetric_psd);

// C^{-1/2} = V diag(lambda^{-1/2}) V^T of a symmetric positive definite C.
// Throws std::invalid_argument if an eigenvalue is <= 0.
xt::xtensor<double, 2> inverse_sqrt(const xt::xtensor<double, 2>& symmetric_pd);

}  // namespace fgbdl

#endif  // LIB_ANALYSIS_CONDITIONING_H_
