// Row-wise softmax, s_r = exp(z_r) / sum_l exp(z_r,l), for each row r.
//
// Used by the Section 3 "stocks" experiment of the paper (Section 3.2,
// Figure 4, equations 2 and 3; paper/sec3_decomposition.md E3.2, C3.3): the model is
// N_w(x) = softmax(A x + b), a distribution over k outputs, and the Section 5
// multi-class model (E5.4) ends in a softmax over the step values.
//
// Shapes (B = batch size, K = classes):
//   z [B, K]   s [B, K]   ds [B, K]   dz [B, K]
//   forward:  s_r  = exp(z_r - max_l z_r,l) / sum_l exp(z_r,l - max_l z_r,l)
//             (s may be z: in place)
//   backward: dz_r = s_r * (ds_r - <ds_r, s_r>)     (dz may be ds: in place)
// The backward pass is the vector-Jacobian product with the softmax Jacobian
// J = diag(s) - s s^T; it takes the forward *output* s, not z.
//
// Stability: subtracting the row maximum leaves s unchanged (softmax is
// invariant to adding a constant to a row) and makes every exponent <= 0, so
// exp never overflows and the denominator is >= 1; a row with entries
// +-1e30 gives exact 0s and 1s without NaN. A row containing +inf, -inf only
// or NaN gives NaN (there is no meaningful distribution). K = 0 is allowed
// (empty rows).
// Outputs are resized only when their shape differs; shape mismatches throw
// std::invalid_argument. Instantiated for float and double.
#ifndef LIB_NN_SOFTMAX_H_
#define LIB_NN_SOFTMAX_H_

#include <xtensor/xtensor.hpp>

namespace fgbdl {

template <class T>
void softmax_forward(const xt::xtensor<T, 2>& z, xt::xtensor<T, 2>& s);

template <class T>
void softmax_backward(const xt::xtensor<T, 2>& s, const xt::xtensor<T, 2>& ds,
                      xt::xtensor<T, 2>& dz);

// One row: s[0..K) = softmax(z[0..K)); s may equal z. For callers that hold
// rows outside an xtensor (e.g. one row of a larger matrix).
template <class T>
void softmax_row(const T* z, std::size_t K, T* s);

// The largest of z[0..K), K >= 1, as softmax_row takes it: z[0] if it is
// NaN; else the largest entry that is not NaN (later NaNs are skipped). Of
// a maximum of zero the sign is either's (z - top is the same either way).
// In SSE for float.
template <class T>
T row_max(const T* z, std::size_t K);

// One row: dz[0..K) = s * (ds - <ds, s>); dz may equal ds.
template <class T>
void softmax_backward_row(const T* s, const T* ds, std::size_t K, T* dz);

namespace nn_detail {
// s[l] = std::exp(z[l] - top) for l in [0, n), the same bits: with AVX2 and
// FMA eight at a time (glibc's expf in vectors), else one at a time. Open
// for the tests, which compare the two on every float. In place is allowed.
void exp_shifted(const float* z, float top, std::size_t n, float* s);
}  // namespace nn_detail

}  // namespace fgbdl

#endif  // LIB_NN_SOFTMAX_H_
