#include "lib/nn/softmax.h"

#include <immintrin.h>

#include <cmath>
#include <cstdint>

#include "lib/nn/shape_check.h"

namespace fgbdl {
namespace {

template <class T>
T row_max_scalar(const T* z, std::size_t K) {
  T top = z[0];
  for (std::size_t l = 1; l < K; ++l) top = z[l] > top ? z[l] : top;
  return top;
}

// s[l] = std::exp(z[l] - top), l in [0, n), one at a time.
template <class T>
void exp_shifted_scalar(const T* z, T top, std::size_t n, T* s) {
  for (std::size_t l = 0; l < n; ++l) s[l] = std::exp(z[l] - top);
}

// glibc's expf (sysdeps/ieee754/flt-32/e_expf.c, glibc 2.36), the version
// it chooses on processors with AVX2 and FMA (__expf_fma), eight entries at
// a time in two vectors of four doubles: the same operations, constants and
// fused multiply-adds as its compiled code, so the same bits (checked
// against std::exp on all 2^32 floats, with and without subnormals flushed,
// by softmax_test). exp(x) = 2^(k/32) 2^(r/32) with x 32/ln 2 = k + r.
constexpr double kInvLn2N = 0x1.71547652b82fep+5, kShift = 0x1.8p52;
constexpr double kC0 = 0x1.c6af84b912394p-20, kC1 = 0x1.ebfce50fac4f3p-13,
                 kC2 = 0x1.62e42ff0c52d6p-6;
// The bits of 2^(i/32), less i << 47 (what is added back below).
constexpr std::uint64_t kExp2Table[32] = {
    0x3ff0000000000000, 0x3fefd9b0d3158574, 0x3fefb5586cf9890f, 0x3fef9301d0125b51,
    0x3fef72b83c7d517b, 0x3fef54873168b9aa, 0x3fef387a6e756238, 0x3fef1e9df51fdee1,
    0x3fef06fe0a31b715, 0x3feef1a7373aa9cb, 0x3feedea64c123422, 0x3feece086061892d,
    0x3feebfdad5362a27, 0x3feeb42b569d4f82, 0x3feeab07dd485429, 0x3feea47eb03a5585,
    0x3feea09e667f3bcd, 0x3fee9f75e8ec5f74, 0x3feea11473eb0187, 0x3feea589994cce13,
    0x3feeace5422aa0db, 0x3feeb737b0cdc5e5, 0x3feec49182a3f090, 0x3feed503b23e255d,
    0x3feee89f995ad3ad, 0x3feeff76f2fb5e47, 0x3fef199bdd85529c, 0x3fef3720dcef9069,
    0x3fef5818dcfba487, 0x3fef7c97337b9b5f, 0x3fefa4afa2a490da, 0x3fefd0765b6e4540};

// The formula on four floats (expf8 replaces the lanes where glibc returns
// something else).
__attribute__((target("avx2,fma"))) inline __m128 expf_formula(__m128 x) {
  const __m256d xd = _mm256_cvtps_pd(x), inv = _mm256_set1_pd(kInvLn2N),
                shift = _mm256_set1_pd(kShift);
  const __m256d kd_shifted = _mm256_fmadd_pd(inv, xd, shift);
  const __m256i ki = _mm256_castpd_si256(kd_shifted);
  const __m256d r = _mm256_fmsub_pd(inv, xd, _mm256_sub_pd(kd_shifted, shift));
  const __m256i t =
      _mm256_add_epi64(_mm256_i64gather_epi64(reinterpret_cast<const long long*>(kExp2Table),
                                              _mm256_and_si256(ki, _mm256_set1_epi64x(31)), 8),
                       _mm256_slli_epi64(ki, 47));
  const __m256d z = _mm256_fmadd_pd(r, _mm256_set1_pd(kC0), _mm256_set1_pd(kC1));
  const __m256d y = _mm256_fmadd_pd(r, _mm256_set1_pd(kC2), _mm256_set1_pd(1.0));
  const __m256d p = _mm256_fmadd_pd(z, _mm256_mul_pd(r, r), y);
  return _mm256_cvtpd_ps(_mm256_mul_pd(p, _mm256_castsi256_pd(t)));
}

// expf on eight floats: the formula, and glibc's results where |x| >= 88
// or x is NaN, in its order: -inf gives +0, NaN x + x, x above
// 0x1.62e42ep6 +inf, x below -0x1.9fe368p6 +0, x below -0x1.9d1d9ep6 the
// product 0x1.4p-75f 0x1.4p-75f (the smallest subnormal, or 0 when
// flushed); the rest of |x| >= 88 the formula.
__attribute__((target("avx2,fma"))) inline __m256 expf8(__m256 x, __m256 tiny) {
  __m256 e = _mm256_set_m128(expf_formula(_mm256_extractf128_ps(x, 1)),
                             expf_formula(_mm256_castps256_ps128(x)));
  e = _mm256_blendv_ps(e, tiny, _mm256_cmp_ps(x, _mm256_set1_ps(-0x1.9d1d9ep6f), _CMP_LT_OQ));
  e = _mm256_blendv_ps(e, _mm256_setzero_ps(),
                       _mm256_cmp_ps(x, _mm256_set1_ps(-0x1.9fe368p6f), _CMP_LT_OQ));
  e = _mm256_blendv_ps(e, _mm256_set1_ps(INFINITY),
                       _mm256_cmp_ps(x, _mm256_set1_ps(0x1.62e42ep6f), _CMP_GT_OQ));
  return _mm256_blendv_ps(e, _mm256_add_ps(x, x), _mm256_cmp_ps(x, x, _CMP_UNORD_Q));
}

__attribute__((target("avx2,fma"))) void exp_shifted_avx2(const float* z, float top, std::size_t n,
                                                          float* s) {
  // At run time, in the current rounding and flushing mode, as glibc does.
  volatile float tiny_factor = 0x1.4p-75f;
  const float tiny_product = tiny_factor * tiny_factor;
  const __m256 tiny = _mm256_set1_ps(tiny_product), t = _mm256_set1_ps(top);
  std::size_t l = 0;
  for (; l + 8 <= n; l += 8)
    _mm256_storeu_ps(s + l, expf8(_mm256_sub_ps(_mm256_loadu_ps(z + l), t), tiny));
  exp_shifted_scalar(z + l, top, n - l, s + l);
}

const bool kHasAvx2Fma = [] {
  __builtin_cpu_init();
  return __builtin_cpu_supports("avx2") != 0 && __builtin_cpu_supports("fma") != 0;
}();

}  // namespace

void nn_detail::exp_shifted(const float* z, float top, std::size_t n, float* s) {
  if (kHasAvx2Fma) {
    exp_shifted_avx2(z, top, n, s);
  } else {
    exp_shifted_scalar(z, top, n, s);
  }
}

namespace {

// s[l] = exp(z[l] - top), l in [0, n).
void exp_shifted(const float* z, float top, std::size_t n, float* s) {
  nn_detail::exp_shifted(z, top, n, s);
}
void exp_shifted(const double* z, double top, std::size_t n, double* s) {
  exp_shifted_scalar(z, top, n, s);
}

}  // namespace

template <class T>
T row_max(const T* z, std::size_t K) {
  return row_max_scalar(z, K);
}

// The same in four lanes: _mm_max_ps(a, b) gives b when either is NaN, so
// the running maxima never take a NaN; the maximum of the lanes then does
// not depend on the order (but for the sign of a zero).
template <>
float row_max<float>(const float* z, std::size_t K) {
  float top = z[0];
  if (std::isnan(top) || K < 8) return row_max_scalar(z, K);
  __m128 acc = _mm_set1_ps(top);
  std::size_t l = 0;
  for (; l + 4 <= K; l += 4) acc = _mm_max_ps(_mm_loadu_ps(z + l), acc);
  acc = _mm_max_ps(acc, _mm_movehl_ps(acc, acc));
  acc = _mm_max_ss(acc, _mm_shuffle_ps(acc, acc, 1));
  top = _mm_cvtss_f32(acc);
  for (; l < K; ++l) top = z[l] > top ? z[l] : top;
  return top;
}

template <class T>
void softmax_row(const T* z, std::size_t K, T* s) {
  if (K == 0) return;
  const T top = row_max(z, K);
  // If the row holds NaN as its first entry, top is NaN and every output is NaN;
  // a later NaN propagates through the sum.
  exp_shifted(z, top, K, s);  // each <= 1
  T sum = 0;
  for (std::size_t l = 0; l < K; ++l) sum += s[l];
  const T inv = T(1) / sum;  // sum >= 1 (the maximum contributes exp(0) = 1)
  for (std::size_t l = 0; l < K; ++l) s[l] *= inv;
}

template <class T>
void softmax_backward_row(const T* s, const T* ds, std::size_t K, T* dz) {
  T inner = 0;
  for (std::size_t l = 0; l < K; ++l) inner += ds[l] * s[l];
  for (std::size_t l = 0; l < K; ++l) dz[l] = s[l] * (ds[l] - inner);
}

// softmax_row on every row, eight rows at a time: each row's sum is still
// taken entry by entry in order, so the bits are softmax_row's, but the
// eight sums' additions interleave instead of each waiting for the one
// before it (a row of 100 alone is a chain of 100 dependent additions).
template <class T>
void softmax_forward(const xt::xtensor<T, 2>& z, xt::xtensor<T, 2>& s) {
  nn_detail::resize_if_needed(s, z.shape());
  const std::size_t B = z.shape(0), K = z.shape(1);
  constexpr std::size_t kRows = 8;
  std::size_t r = 0;
  for (; K > 0 && r + kRows <= B; r += kRows) {
    T* const rows = s.data() + r * K;
    for (std::size_t i = 0; i < kRows; ++i) {
      const T* zi = z.data() + (r + i) * K;
      const T top = row_max(zi, K);
      exp_shifted(zi, top, K, rows + i * K);
    }
    T sum[kRows] = {};
    for (std::size_t l = 0; l < K; ++l)
      for (std::size_t i = 0; i < kRows; ++i) sum[i] += rows[i * K + l];
    for (std::size_t i = 0; i < kRows; ++i) {
      const T inv = T(1) / sum[i];
      for (std::size_t l = 0; l < K; ++l) rows[i * K + l] *= inv;
    }
  }
  for (; r < B; ++r) softmax_row(z.data() + r * K, K, s.data() + r * K);
}

template <class T>
void softmax_backward(const xt::xtensor<T, 2>& s, const xt::xtensor<T, 2>& ds,
                      xt::xtensor<T, 2>& dz) {
  nn_detail::require_same_shape("softmax_backward", "ds", ds, s);
  nn_detail::resize_if_needed(dz, s.shape());
  const std::size_t B = s.shape(0), K = s.shape(1);
  for (std::size_t r = 0; r < B; ++r)
    softmax_backward_row(s.data() + r * K, ds.data() + r * K, K, dz.data() + r * K);
}

#define FGBDL_INSTANTIATE_SOFTMAX(T)                                                         \
  template void softmax_row<T>(const T*, std::size_t, T*);                                   \
  template T row_max<T>(const T*, std::size_t);                                              \
  template void softmax_backward_row<T>(const T*, const T*, std::size_t, T*);                \
  template void softmax_forward<T>(const xt::xtensor<T, 2>&, xt::xtensor<T, 2>&);            \
  template void softmax_backward<T>(const xt::xtensor<T, 2>&, const xt::xtensor<T, 2>&,      \
                                    xt::xtensor<T, 2>&);
FGBDL_INSTANTIATE_SOFTMAX(float)
FGBDL_INSTANTIATE_SOFTMAX(double)
#undef FGBDL_INSTANTIATE_SOFTMAX

}  // namespace fgbdl
