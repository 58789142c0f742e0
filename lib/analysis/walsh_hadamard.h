// Fast Walsh-Hadamard transform (WHT) over the Boolean cube {±1}^d: the
// Fourier expansion of functions of d bits in the parity basis.
//
// Paper: Section 2 ("Parities"), the parities chi_S of C2.2 and the variance
// bound of Theorem 1 (claim ids C2.2 and T1 in paper/sec2_parity.md). For parities the
// vectors E_x[chi_S(x) g(x)] over all 2^d sets S are the WHT of g, and
// Parseval's identity sum_S ||E[chi_S g]||^2 = E_x ||g(x)||^2 is what makes
// the gradient variance 2^-d small.
//
// Index convention (used everywhere in lib/analysis and its callers):
//   * A point x ∈ {±1}^d is stored at index idx ∈ [0, 2^d) with
//       bit i of idx set  <=>  x_i = -1      (i = 0 .. d-1),
//     so idx = 0 is the all-ones point x = (1, ..., 1).
//   * A parity (a subset S of [d]) is a bitmask: bit i of S set <=> i ∈ S, and
//       chi_S(x) = prod_{i ∈ S} x_i = (-1)^popcount(S & idx).
//   * The normalised transform maps f (indexed by idx) to
//       out[S] = E_x[chi_S(x) f(x)] = 2^-d sum_idx (-1)^popcount(S & idx) f[idx],
//     x uniform on {±1}^d; the unnormalised one omits the factor 2^-d.
//   The transform matrix H_{S,idx} = (-1)^popcount(S & idx) is symmetric and
//   H H = 2^d I, so the inverse of the normalised transform is the
//   unnormalised one: f[idx] = sum_S out[S] chi_S(x_idx).
//
// Algorithm: the in-place radix-2 butterfly (a, b) -> (a + b, a - b) over
// strides 1, 2, 4, ... (Fino and Algazi, "Unified matrix treatment of the
// fast Walsh-Hadamard transform", IEEE Trans. Computers C-25, 1976),
// d 2^(d-1) butterflies. For a [2^d, P] row-major matrix the butterfly acts
// on whole rows (contiguous P-vectors), which transforms every column at once
// and streams memory row by row.
#ifndef LIB_ANALYSIS_WALSH_HADAMARD_H_
#define LIB_ANALYSIS_WALSH_HADAMARD_H_

#include <bitset>
#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>

#include "lib/core/tensor.h"

namespace fgbdl {

// True iff n is a power of two (n >= 1); then log2_exact(n) is its exponent.
inline bool is_power_of_two(std::size_t n) { return n != 0 && (n & (n - 1)) == 0; }
inline int log2_exact(std::size_t n) {
  int d = 0;
  while ((std::size_t{1} << d) < n) ++d;
  return d;
}

// chi_S(x_idx) = (-1)^popcount(S & idx) ∈ {+1, -1}.
inline int parity_sign(std::uint64_t S, std::uint64_t idx) {
  return (std::bitset<64>(S & idx).count() & 1u) ? -1 : 1;
}

// The 2^d points of {±1}^d as a [2^d, d] matrix, row idx = x_idx (bit i of
// idx set <=> x_i = -1).
inline MatrixD hypercube_points(int d) {
  if (d < 0 || d > 30) throw std::invalid_argument("hypercube_points: d must be in [0, 30]");
  const std::size_t n = std::size_t{1} << d;
  MatrixD X({n, static_cast<std::size_t>(d)});
  for (std::size_t idx = 0; idx < n; ++idx) {
    for (int i = 0; i < d; ++i) X(idx, i) = ((idx >> i) & 1u) ? -1.0 : 1.0;
  }
  return X;
}

// Unnormalised in-place WHT of data[0 .. n), n = 2^d:
//   data[S] <- sum_idx (-1)^popcount(S & idx) data[idx].
// Exact for integer T as long as 2^d max|data| fits in T.
template <class T>
void fwht_unnormalized(T* data, std::size_t n) {
  if (!is_power_of_two(n)) throw std::invalid_argument("fwht: length must be a power of two");
  for (std::size_t h = 1; h < n; h <<= 1) {
    for (std::size_t i = 0; i < n; i += 2 * h) {
      for (std::size_t j = i; j < i + h; ++j) {
        const T a = data[j];
        const T b = data[j + h];
        data[j] = a + b;
        data[j + h] = a - b;
      }
    }
  }
}

// Normalised in-place WHT: f[S] <- E_x[chi_S(x) f(x)] (see the convention
// above). f.size() must be a power of two.
inline void walsh_hadamard(VectorD& f) {
  const std::size_t n = f.size();
  fwht_unnormalized(f.data(), n);
  const double scale = 1.0 / static_cast<double>(n);
  for (std::size_t i = 0; i < n; ++i) f(i) *= scale;
}

// Unnormalised in-place WHT of every column of a row-major [n, P] array
// (n = 2^d rows): row S <- sum_idx (-1)^popcount(S & idx) row idx.
template <class T>
void fwht_columns_unnormalized(T* data, std::size_t n, std::size_t P) {
  if (!is_power_of_two(n)) throw std::invalid_argument("fwht: row count must be a power of two");
  for (std::size_t h = 1; h < n; h <<= 1) {
    for (std::size_t i = 0; i < n; i += 2 * h) {
      for (std::size_t j = i; j < i + h; ++j) {
        T* a = data + j * P;
        T* b = data + (j + h) * P;
        for (std::size_t k = 0; k < P; ++k) {
          const T u = a[k];
          const T v = b[k];
          a[k] = u + v;
          b[k] = u - v;
        }
      }
    }
  }
}

// Normalised in-place WHT of every column of F [2^d, P]:
//   F(S, k) <- E_x[chi_S(x) F(x, k)].
inline void walsh_hadamard_columns(MatrixD& F) {
  const std::size_t n = F.shape()[0];
  const std::size_t P = F.shape()[1];
  fwht_columns_unnormalized(F.data(), n, P);
  const double scale = 1.0 / static_cast<double>(n);
  for (std::size_t i = 0; i < n * P; ++i) F.data()[i] *= scale;
}

}  // namespace fgbdl

#endif  // LIB_ANALYSIS_WALSH_HADAMARD_H_
