// General matrix product through BLAS (OpenBLAS), for the layers of lib/nn
// and the fused blocks built from them:
//   C[M, N] = op(A) op(B) + beta C
// on row-major storage, op(A) [M, K], op(B) [K, N], with leading dimensions
// lda, ldb, ldc (BLAS semantics: beta == 0 overwrites C, whatever it held).
// Empty dimensions are handled here (BLAS rejects leading dimensions of 0);
// dimensions beyond BLAS's int range throw std::invalid_argument.
// Instantiable for float (sgemm) and double (dgemm).
#ifndef LIB_NN_GEMM_H_
#define LIB_NN_GEMM_H_

#include <cblas.h>

#include <climits>
#include <cstddef>
#include <stdexcept>
#include <type_traits>

namespace fgbdl {

template <class T>
void gemm(bool trans_a, bool trans_b, std::size_t M, std::size_t N, std::size_t K, const T* A,
          std::size_t lda, const T* B, std::size_t ldb, T beta, T* C, std::size_t ldc) {
  static_assert(std::is_same_v<T, float> || std::is_same_v<T, double>, "gemm: float or double");
  if (M == 0 || N == 0) return;
  if (K == 0) {
    for (std::size_t i = 0; i < M; ++i)
      for (std::size_t j = 0; j < N; ++j) C[i * ldc + j] = beta == T(0) ? T(0) : beta * C[i * ldc + j];
    return;
  }
  if (M > INT_MAX || N > INT_MAX || K > INT_MAX || lda > INT_MAX || ldb > INT_MAX || ldc > INT_MAX)
    throw std::invalid_argument("gemm: matrix dimension beyond BLAS's int range");
  const auto ta = trans_a ? CblasTrans : CblasNoTrans, tb = trans_b ? CblasTrans : CblasNoTrans;
  const int m = static_cast<int>(M), n = static_cast<int>(N), k = static_cast<int>(K);
  if constexpr (std::is_same_v<T, float>) {
    cblas_sgemm(CblasRowMajor, ta, tb, m, n, k, 1.0f, A, static_cast<int>(lda), B,
                static_cast<int>(ldb), beta, C, static_cast<int>(ldc));
  } else {
    cblas_dgemm(CblasRowMajor, ta, tb, m, n, k, 1.0, A, static_cast<int>(lda), B,
                static_cast<int>(ldb), beta, C, static_cast<int>(ldc));
  }
}

// The same with packed operands: lda, ldb, ldc the row lengths of A, B, C
// as stored (op(A) [M, K] stored [K, M] when transposed, and so on).
template <class T>
void gemm(bool trans_a, bool trans_b, std::size_t M, std::size_t N, std::size_t K, const T* A,
          const T* B, T beta, T* C) {
  gemm(trans_a, trans_b, M, N, K, A, trans_a ? M : K, B, trans_b ? K : N, beta, C, N);
}

}  // namespace fgbdl

#endif  // LIB_NN_GEMM_H_
