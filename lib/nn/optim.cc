#include "lib/nn/optim.h"

#include <immintrin.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <string>
#include <utility>

namespace fgbdl {

template <class T>
void Sgd::step(const std::vector<ParamRef<T>>& params) const {
  const T rate = static_cast<T>(lr);
  for (const ParamRef<T>& p : params) {
    for (std::size_t i = 0; i < p.n; ++i) p.w[i] -= rate * p.dw[i];
  }
}

namespace {

// The factors of one Adam step: c1 = 1 - beta1, c2 = 1 - beta2, lr_t and
// eps, all in T.
template <class T>
struct AdamConstants {
  T c1, c2, lr_t, eps;
};

// One entry's update, as TensorFlow's ApplyAdam (the order of every
// operation is the formula's of optim.h).
template <class T>
inline void adam_entry(const AdamConstants<T>& c, T g, T& m, T& v, T& w) {
  m += (g - m) * c.c1;
  v += (g * g - v) * c.c2;
  w -= (m * c.lr_t) / (std::sqrt(v) + c.eps);
}

template <class T>
void adam_update(const AdamConstants<T>& c, const T* g, T* m, T* v, T* w, std::size_t n) {
  for (std::size_t i = 0; i < n; ++i) adam_entry(c, g[i], m[i], v[i], w[i]);
}

// float: the same arithmetic, bit for bit, without the cost of subnormal
// numbers. A ReLU unit that no longer fires has gradient exactly 0 on every
// weight in and out of it; its Adam moments then decay geometrically into
// the subnormal range, and m stays there for good (m + (0 - m)(1 - beta1)
// rounds back to m once |m| (1 - beta1) is below half the smallest
// subnormal). Float arithmetic with a subnormal result costs a microcode
// assist of ~100+ cycles on x86 (when, as here, subnormals are not
// flushed: flushing would change the results), and in the Section 4 and
// 5 networks half of the entries reach that state (E5.3: 15 000 of 30 401
// after 10 000 steps), which made Adam ~40% of a training step.
//
// The entries are taken four at a time (SSE) and sorted by their inputs:
//   plain  g, m, v each 0 or normal >= 2^-100 and finite, w not subnormal:
//          the formula in SSE, as the scalar loop computes it;
//   stuck  g = +-0, m = +0 or subnormal with |m| <= K ulps (K: the largest
//          k with k (1 - beta1) <= 1/2 and k lr_t <= 1/2), v = +0, a
//          positive subnormal or a positive normal, w not subnormal. Then,
//          exactly: g - m = -m, and -m (1 - beta1) rounds to a zero, so
//          m' = m; m' lr_t rounds to a zero of m's sign, so is the step q,
//          and w' = w - q; with v subnormal of k ulps, g^2 - v =
//          -v and -v (1 - beta2) rounds to -round(k (1 - beta2)) ulps
//          (nearest, ties to even: the product is below the smallest normal),
//          so v' = (k - round(k (1 - beta2))) ulps, computed in integers
//          (k (1 - beta2) is exact in double); with v normal below 2^-100,
//          v' = v - r with r the float of v (1 - beta2), in double
//          (v_band_update); with v normal >= 2^-100, v' is the formula's,
//          computed in SSE with m set to 0 (m' and w' are replaced);
//   other  the formula with each float operation carried out in double
//          and rounded to float, which meets no subnormal double: one entry
//          at a time (adam_entry_in_double), or with AVX2 gathered by index
//          and taken in groups of four (adam_entries_in_double). In the
//          benchmark's E5.3 steps, 2 031 of the 30 401 entries on average.
// A block whose g, m, v are each 0 or >= 2^-100 in magnitude (a cheap
// test, the common case) goes to the formula whatever w, and infinities or
// NaNs, are: the formula in SSE is the scalar formula on any input, the
// sorting only keeps subnormals away from it.
// Lanes of the SSE formula that are not plain get inputs that keep it away
// from subnormals (g, m, w = 0, v = 1, or v itself when it is normal), and
// their outputs are replaced. Nothing else changes: every output is the
// float the scalar formula gives (lib/nn/optim_test.cc compares the two bit
// for bit on entries of every kind).
constexpr std::int32_t kAbs = 0x7fffffff, kMinNormal = 0x00800000, kInf = 0x7f800000;
constexpr std::int32_t kPlainMin = (127 - 100) << 23;  // the bits of 2^-100

// The largest k in [0, 2^23) with k c <= 1/2 (k c exact in double), for c > 0.
std::int32_t largest_vanishing_multiple(float c) {
  const double cd = c;
  double k = std::floor(0.5 / cd);
  if (k > double(kMinNormal - 1)) k = double(kMinNormal - 1);
  while (k > 0 && k * cd > 0.5) k -= 1;
  while (k + 1 <= double(kMinNormal - 1) && (k + 1) * cd <= 0.5) k += 1;
  return static_cast<std::int32_t>(k);
}

// 0 or normal >= 2^-100 and finite, on the absolute bits a.
inline __m128i plain(__m128i a) {
  return _mm_or_si128(_mm_cmpeq_epi32(a, _mm_setzero_si128()),
                      _mm_and_si128(_mm_cmpgt_epi32(a, _mm_set1_epi32(kPlainMin - 1)),
                                    _mm_cmplt_epi32(a, _mm_set1_epi32(kInf))));
}

// 0 < bits < the smallest normal: positive subnormal (on absolute bits: any).
inline __m128i subnormal(__m128i bits) {
  return _mm_and_si128(_mm_cmpgt_epi32(bits, _mm_setzero_si128()),
                       _mm_cmplt_epi32(bits, _mm_set1_epi32(kMinNormal)));
}

// Float arithmetic carried in double, for the other entries: each float
// operation is done in double (exact for the sums, differences and products
// of floats met here; for the quotient and the square root, rounding to
// double and then to float gives the float result, since 53 >= 2 * 24 + 2)
// and rounded to float, subnormals included, with double operations on
// normal doubles only (no assist).
// The double holding x, read from its bits when x is subnormal.
inline double widen(float x) {
  std::uint32_t b;
  std::memcpy(&b, &x, 4);
  if ((b & 0x7f800000u) != 0) return static_cast<double>(x);
  const double magnitude = static_cast<double>(b & 0x007fffffu) * 0x1p-149;
  return (b >> 31) != 0 ? -magnitude : magnitude;
}

// The float nearest x (ties to even), kept in a double: below the smallest
// normal, the nearest multiple of 2^-149 (adding 1.5 2^-97, whose ulp is
// 2^-149, rounds to it).
inline double round_to_float(double x) {
  if (!(std::fabs(x) < 0x1p-126)) return static_cast<double>(static_cast<float>(x));
  return std::copysign((std::fabs(x) + 0x1.8p-97) - 0x1.8p-97, x);
}

// The float a double holds exactly; a subnormal one built from its bits.
inline float narrow(double x) {
  if (!(std::fabs(x) < 0x1p-126) || x == 0) return static_cast<float>(x);
  const std::uint32_t b = static_cast<std::uint32_t>(std::fabs(x) * 0x1p149) |
                          (std::signbit(x) ? 0x80000000u : 0u);
  float f;
  std::memcpy(&f, &b, 4);
  return f;
}

// adam_entry<float>, operation by operation in double.
inline void adam_entry_in_double(const AdamConstants<float>& c, float g_f, float& m_f, float& v_f,
                                 float& w_f) {
  const double g = widen(g_f), c1 = c.c1, c2 = c.c2, lr_t = c.lr_t, eps = c.eps;
  double m = widen(m_f), v = widen(v_f), w = widen(w_f);
  m = round_to_float(m + round_to_float(round_to_float(g - m) * c1));
  v = round_to_float(v + round_to_float(round_to_float(round_to_float(g * g) - v) * c2));
  const double step = round_to_float(
      round_to_float(m * lr_t) / round_to_float(round_to_float(std::sqrt(v)) + eps));
  w = round_to_float(w - step);
  m_f = narrow(m);
  v_f = narrow(v);
  w_f = narrow(w);
}

// adam_entry_in_double with AVX2, on 4 N entries idx[0, 4 N) of g, m, v, w
// (an index may repeat): the same operations in the same order, four
// entries in the lanes of a vector of doubles, N such groups side by side.
// It rounds a double to float and back by converting it (the float nearest,
// subnormal or not, as round_to_float computes it), and reads and writes
// the floats by conversion too. On the processor the package is measured
// on, conversions to and from subnormal floats take no microcode assist,
// unlike float arithmetic with a subnormal result (33 ns per 4 lanes), so
// an entry takes 3.6 ns here against 22 ns one at a time in
// adam_entry_in_double. No double is subnormal; without FMA (target "avx2"
// only), no product is fused with a sum.
template <int N>
__attribute__((target("avx2"))) void adam_entries_in_double(const AdamConstants<float>& c,
                                                            const std::int32_t* idx, const float* g,
                                                            float* m, float* v, float* w) {
  const __m256d c1 = _mm256_set1_pd(c.c1), c2 = _mm256_set1_pd(c.c2), lr_t = _mm256_set1_pd(c.lr_t),
                eps = _mm256_set1_pd(c.eps);
  auto R = [](__m256d x) __attribute__((target("avx2"))) {
    return _mm256_cvtps_pd(_mm256_cvtpd_ps(x));
  };
  __m256d G[N], M[N], V[N], W[N], T[N], U[N];
  // Every step for all groups before the next, so that their dependency
  // chains overlap (one group at a time is latency bound: 18 ns per entry).
#define FGBDL_EACH(statement) \
  _Pragma("GCC unroll 8") for (int k = 0; k < N; ++k) { statement; }
  FGBDL_EACH(const __m128i at = _mm_loadu_si128(reinterpret_cast<const __m128i*>(idx + 4 * k));
             G[k] = _mm256_cvtps_pd(_mm_i32gather_ps(g, at, 4));
             M[k] = _mm256_cvtps_pd(_mm_i32gather_ps(m, at, 4));
             V[k] = _mm256_cvtps_pd(_mm_i32gather_ps(v, at, 4));
             W[k] = _mm256_cvtps_pd(_mm_i32gather_ps(w, at, 4)))
  FGBDL_EACH(T[k] = R(_mm256_sub_pd(G[k], M[k])))                    // g - m
  FGBDL_EACH(U[k] = R(_mm256_mul_pd(G[k], G[k])))                    // g^2
  FGBDL_EACH(T[k] = R(_mm256_mul_pd(T[k], c1)))                      // (g - m) c1
  FGBDL_EACH(U[k] = R(_mm256_sub_pd(U[k], V[k])))                    // g^2 - v
  FGBDL_EACH(M[k] = R(_mm256_add_pd(M[k], T[k])))                    // m'
  FGBDL_EACH(U[k] = R(_mm256_mul_pd(U[k], c2)))                      // (g^2 - v) c2
  FGBDL_EACH(T[k] = R(_mm256_mul_pd(M[k], lr_t)))                    // m' lr_t
  FGBDL_EACH(V[k] = R(_mm256_add_pd(V[k], U[k])))                    // v'
  FGBDL_EACH(U[k] = R(_mm256_add_pd(R(_mm256_sqrt_pd(V[k])), eps)))  // sqrt(v') + eps
  FGBDL_EACH(T[k] = R(_mm256_div_pd(T[k], U[k])))                    // the step
  FGBDL_EACH(W[k] = _mm256_sub_pd(W[k], T[k]))                       // w', rounded below
  alignas(16) float ms[4 * N], vs[4 * N], ws[4 * N];
  FGBDL_EACH(_mm_store_ps(ms + 4 * k, _mm256_cvtpd_ps(M[k]));
             _mm_store_ps(vs + 4 * k, _mm256_cvtpd_ps(V[k]));
             _mm_store_ps(ws + 4 * k, _mm256_cvtpd_ps(W[k])))
#undef FGBDL_EACH
  for (int l = 0; l < 4 * N; ++l) {
    m[idx[l]] = ms[l];
    v[idx[l]] = vs[l];
    w[idx[l]] = ws[l];
  }
}

// For two normal floats v (as doubles) below 2^-100 and the entry's
// gradient +-0: the bits of v' = v + (0 - v) c2 as the float formula gives
// them, in the low two lanes. No operation meets a subnormal float or double.
inline __m128i v_band_update(__m128d v, __m128d c2) {
  const __m128d min_normal = _mm_set1_pd(0x1p-126), magic = _mm_set1_pd(0x1.8p-97),
                one = _mm_set1_pd(1.0);
  const __m128d p = _mm_mul_pd(v, c2);  // exact (24 x 24 bits)
  const __m128d p_small = _mm_cmplt_pd(p, min_normal);
  const __m128d r = _mm_blendv_pd(_mm_cvtps_pd(_mm_cvtpd_ps(_mm_blendv_pd(p, one, p_small))),
                                  _mm_sub_pd(_mm_add_pd(p, magic), magic), p_small);
  const __m128d d = _mm_sub_pd(v, r);  // exact, >= 0
  const __m128d d_small = _mm_cmplt_pd(d, min_normal);
  const __m128i normal_bits = _mm_castps_si128(_mm_cvtpd_ps(_mm_blendv_pd(d, one, d_small)));
  const __m128i small_bits = _mm_cvttpd_epi32(_mm_mul_pd(d, _mm_set1_pd(0x1p149)));
  // The two 64-bit lanes of the mask to the low two 32-bit lanes.
  const __m128i small_mask = _mm_shuffle_epi32(_mm_castpd_si128(d_small), _MM_SHUFFLE(3, 3, 2, 0));
  return _mm_blendv_epi8(normal_bits, small_bits, small_mask);
}

inline __m128 select(__m128i mask, __m128 if_true, __m128 if_false) {
  return _mm_blendv_ps(if_false, if_true, _mm_castsi128_ps(mask));
}

// Entries [0, 4) of g, m, v, w (the sorting above), but for the other
// entries, which it leaves as they are and returns (bit l: entry l), for
// the caller to update in double. K < 0: no stuck entry.
__attribute__((always_inline)) inline int adam_update4(const AdamConstants<float>& c,
                                                       std::int32_t K, const float* g, float* m,
                                                       float* v, float* w) {
  const __m128 c1 = _mm_set1_ps(c.c1), c2 = _mm_set1_ps(c.c2), lr_t = _mm_set1_ps(c.lr_t),
               eps = _mm_set1_ps(c.eps);
  const __m128d c2d = _mm_set1_pd(static_cast<double>(c.c2));
  const __m128i abs = _mm_set1_epi32(kAbs), zero = _mm_setzero_si128();
  const __m128i all = _mm_cmpeq_epi32(zero, zero);
  const __m128i stuck_enabled = K >= 0 ? all : zero;
  const __m128 G = _mm_loadu_ps(g), M = _mm_loadu_ps(m), V = _mm_loadu_ps(v),
               W = _mm_loadu_ps(w);
  const __m128i Gb = _mm_castps_si128(G), Mb = _mm_castps_si128(M), Vb = _mm_castps_si128(V),
                Wb = _mm_castps_si128(W);
  {
    // The common case first, as in adam_update_avx2.
    const __m128i one = _mm_set1_epi32(1);
    const __m128i lo = _mm_min_epu32(_mm_min_epu32(_mm_sub_epi32(_mm_and_si128(Gb, abs), one),
                                                   _mm_sub_epi32(_mm_and_si128(Mb, abs), one)),
                                     _mm_sub_epi32(_mm_and_si128(Vb, abs), one));
    const __m128i floor = _mm_set1_epi32(kPlainMin - 1);
    if (_mm_movemask_ps(_mm_castsi128_ps(_mm_cmpeq_epi32(_mm_max_epu32(lo, floor), lo))) == 0xF) {
      const __m128 M1 = _mm_add_ps(M, _mm_mul_ps(_mm_sub_ps(G, M), c1));
      const __m128 V1 = _mm_add_ps(V, _mm_mul_ps(_mm_sub_ps(_mm_mul_ps(G, G), V), c2));
      const __m128 W1 =
          _mm_sub_ps(W, _mm_div_ps(_mm_mul_ps(M1, lr_t), _mm_add_ps(_mm_sqrt_ps(V1), eps)));
      _mm_storeu_ps(m, M1);
      _mm_storeu_ps(v, V1);
      _mm_storeu_ps(w, W1);
      return 0;
    }
  }
  const __m128i Ga = _mm_and_si128(Gb, abs), Ma = _mm_and_si128(Mb, abs),
                Va = _mm_and_si128(Vb, abs);
  const __m128i w_ok = _mm_andnot_si128(subnormal(_mm_and_si128(Wb, abs)), all);
  const __m128i is_plain =
      _mm_and_si128(_mm_and_si128(plain(Ga), plain(Ma)), _mm_and_si128(plain(Va), w_ok));
  if (_mm_movemask_ps(_mm_castsi128_ps(is_plain)) == 0xF) {
    const __m128 M1 = _mm_add_ps(M, _mm_mul_ps(_mm_sub_ps(G, M), c1));
    const __m128 V1 = _mm_add_ps(V, _mm_mul_ps(_mm_sub_ps(_mm_mul_ps(G, G), V), c2));
    const __m128 W1 =
        _mm_sub_ps(W, _mm_div_ps(_mm_mul_ps(M1, lr_t), _mm_add_ps(_mm_sqrt_ps(V1), eps)));
    _mm_storeu_ps(m, M1);
    _mm_storeu_ps(v, V1);
    _mm_storeu_ps(w, W1);
    return 0;
  }
  // m = +0, or subnormal of at most K ulps.
  const __m128i m_stuck = _mm_or_si128(
      _mm_cmpeq_epi32(Mb, zero),
      _mm_and_si128(_mm_cmpgt_epi32(Ma, zero), _mm_cmplt_epi32(Ma, _mm_set1_epi32(K + 1))));
  const __m128i v_sub = subnormal(Vb);  // positive subnormal
  const __m128i v_band = _mm_and_si128(  // positive normal below 2^-100
      _mm_cmpgt_epi32(Vb, _mm_set1_epi32(kMinNormal - 1)),
      _mm_cmplt_epi32(Vb, _mm_set1_epi32(kPlainMin)));
  const __m128i v_normal = _mm_or_si128(  // +0, or positive normal >= 2^-100 and finite
      _mm_cmpeq_epi32(Vb, zero), _mm_and_si128(_mm_cmpgt_epi32(Vb, _mm_set1_epi32(kPlainMin - 1)),
                                               _mm_cmplt_epi32(Vb, _mm_set1_epi32(kInf))));
  const __m128i stuck = _mm_andnot_si128(
      is_plain, _mm_and_si128(_mm_and_si128(_mm_cmpeq_epi32(Ga, zero), m_stuck),
                              _mm_and_si128(_mm_or_si128(_mm_or_si128(v_sub, v_band), v_normal),
                                            _mm_and_si128(w_ok, stuck_enabled))));
  const __m128i other = _mm_andnot_si128(_mm_or_si128(is_plain, stuck), all);
  // The SSE formula on plain lanes, and on v of the stuck lanes whose v is normal.
  const __m128 G0 = select(other, _mm_setzero_ps(), G);
  const __m128 M0 = select(is_plain, M, _mm_setzero_ps());
  const __m128 V0 = select(_mm_or_si128(is_plain, _mm_and_si128(stuck, v_normal)), V,
                           _mm_set1_ps(1.0f));
  const __m128 W0 = select(other, _mm_setzero_ps(), W);
  const __m128 M1 = _mm_add_ps(M0, _mm_mul_ps(_mm_sub_ps(G0, M0), c1));
  __m128 V1 = _mm_add_ps(V0, _mm_mul_ps(_mm_sub_ps(_mm_mul_ps(G0, G0), V0), c2));
  const __m128 W1 =
      _mm_sub_ps(W0, _mm_div_ps(_mm_mul_ps(M1, lr_t), _mm_add_ps(_mm_sqrt_ps(V1), eps)));
  const __m128i v_decay = _mm_and_si128(stuck, v_sub);
  if (_mm_movemask_ps(_mm_castsi128_ps(v_decay)) != 0) {
    // v' = k - round(k c2) ulps, k = v's bits.
    const __m128d lo = _mm_round_pd(_mm_mul_pd(_mm_cvtepi32_pd(Vb), c2d),
                                    _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
    const __m128d hi =
        _mm_round_pd(_mm_mul_pd(_mm_cvtepi32_pd(_mm_shuffle_epi32(Vb, 0xEE)), c2d),
                     _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
    const __m128i r = _mm_unpacklo_epi64(_mm_cvtpd_epi32(lo), _mm_cvtpd_epi32(hi));
    V1 = select(v_decay, _mm_castsi128_ps(_mm_sub_epi32(Vb, r)), V1);
  }
  const __m128i v_low = _mm_and_si128(stuck, v_band);
  if (_mm_movemask_ps(_mm_castsi128_ps(v_low)) != 0) {
    // v' = v - round(v c2) in double: v c2 is exact; its float (below the
    // smallest normal: the nearest multiple of 2^-149) is r; v - r is a
    // multiple of 2^-149 below 2^-100, exact; its float is the float
    // conversion when normal, else itself, k 2^-149 with bits k.
    const __m128 Vn = select(v_band, V, _mm_set1_ps(1.0f));  // no subnormal converted
    const __m128i lo = v_band_update(_mm_cvtps_pd(Vn), c2d);
    const __m128i hi = v_band_update(_mm_cvtps_pd(_mm_movehl_ps(Vn, Vn)), c2d);
    V1 = select(v_low, _mm_castsi128_ps(_mm_unpacklo_epi64(lo, hi)), V1);
  }
  // Stuck lanes: m' = m, w' = w - (a zero of m's sign).
  const __m128 W_stuck = _mm_sub_ps(W0, _mm_and_ps(M, _mm_castsi128_ps(_mm_set1_epi32(
                                                         static_cast<std::int32_t>(0x80000000u)))));
  // The other lanes keep their inputs, for the caller.
  _mm_storeu_ps(m, select(is_plain, M1, M));
  _mm_storeu_ps(v, select(other, V, V1));
  _mm_storeu_ps(w, select(other, W, select(stuck, W_stuck, W1)));
  return _mm_movemask_ps(_mm_castsi128_ps(other));
}

// The other entries of adam_update4 (bit l of rest: entry l), one at a time.
inline void adam_other_entries(const AdamConstants<float>& c, int rest, const float* g, float* m,
                               float* v, float* w) {
  for (int l = 0; l < 4; ++l)
    if ((rest >> l & 1) != 0) adam_entry_in_double(c, g[l], m[l], v[l], w[l]);
}

// The largest number of ulps a stuck m may have (-1: no entry is stuck).
std::int32_t stuck_ulps(const AdamConstants<float>& c) {
  const bool ok = c.c1 > 0 && c.c1 < 1 && c.c2 > 0 && c.c2 < 1 && c.lr_t > 0 &&
                  std::isfinite(c.lr_t) && c.eps > 0 && std::isfinite(c.eps);
  return ok ? std::min(largest_vanishing_multiple(c.c1), largest_vanishing_multiple(c.lr_t)) : -1;
}

// plain() on eight lanes.
__attribute__((target("avx2"))) inline __m256i plain_avx2(__m256i a, __m256i zero,
                                                          __m256i plain_min, __m256i inf) {
  return _mm256_or_si256(_mm256_cmpeq_epi32(a, zero),
                         _mm256_and_si256(_mm256_cmpgt_epi32(a, plain_min),
                                          _mm256_cmpgt_epi32(inf, a)));
}

// With AVX2: eight entries at a time when each is plain or stuck with v
// not a normal below 2^-100, the same operations in each lane as
// adam_update4; another block of eight goes to adam_update4 by halves.
__attribute__((target("avx2"))) void adam_update_avx2(const AdamConstants<float>& c,
                                                      std::int32_t K, const float* g, float* m,
                                                      float* v, float* w, std::size_t n) {
  const __m256 c1 = _mm256_set1_ps(c.c1), c2 = _mm256_set1_ps(c.c2),
               lr_t = _mm256_set1_ps(c.lr_t), eps = _mm256_set1_ps(c.eps);
  const __m256i abs = _mm256_set1_epi32(kAbs), zero = _mm256_setzero_si256();
  const __m256i plain_min = _mm256_set1_epi32(kPlainMin - 1), inf = _mm256_set1_epi32(kInf),
                sub_lo = _mm256_set1_epi32(kMinNormal);
  auto plain8 = [&](__m256i a) __attribute__((target("avx2"))) {
    return plain_avx2(a, zero, plain_min, inf);
  };
  const __m256i all = _mm256_cmpeq_epi32(zero, zero);
  const __m256i stuck_enabled = K >= 0 ? all : zero, k_plus_1 = _mm256_set1_epi32(K + 1);
  const __m256 sign = _mm256_castsi256_ps(_mm256_set1_epi32(static_cast<std::int32_t>(0x80000000u)));
  const __m256d c2d = _mm256_set1_pd(static_cast<double>(c.c2));
  const __m256i one = _mm256_set1_epi32(1), plain_floor = _mm256_set1_epi32(kPlainMin - 1);
  // The other entries of adam_update4, kept by index and updated four at a
  // time; adam_update4 leaves them as they were, and no later block reads them.
  constexpr std::size_t kDeferred = 256;
  std::int32_t deferred[kDeferred];
  std::size_t n_deferred = 0;
  auto flush = [&]() __attribute__((target("avx2"))) {
    if (n_deferred == 0) return;
    // A last group of fewer than four repeats its last index: the lanes of
    // one index read the same inputs and write the same outputs.
    for (; n_deferred % 4 != 0; ++n_deferred) deferred[n_deferred] = deferred[n_deferred - 1];
    std::size_t k = 0;
    for (; k + 16 <= n_deferred; k += 16) adam_entries_in_double<4>(c, deferred + k, g, m, v, w);
    for (; k < n_deferred; k += 4) adam_entries_in_double<1>(c, deferred + k, g, m, v, w);
    n_deferred = 0;
  };
  auto defer = [&](std::size_t at, int rest) __attribute__((target("avx2"))) {
    if (rest == 0) return;
    if (n_deferred + 4 > kDeferred) flush();
    for (int l = 0; l < 4; ++l)
      if ((rest >> l & 1) != 0) deferred[n_deferred++] = static_cast<std::int32_t>(at) + l;
  };
  std::size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    const __m256 G = _mm256_loadu_ps(g + i), M = _mm256_loadu_ps(m + i),
                 V = _mm256_loadu_ps(v + i), W = _mm256_loadu_ps(w + i);
    {
      // The common case first, tested cheaply: g, m, v each 0 or >= 2^-100
      // in magnitude (|x| - 1, wrapping, at least the bits of 2^-100 less
      // one, unsigned). Infinities, NaNs and a subnormal w are left to the
      // formula too: none makes the SSE arithmetic differ from the scalar.
      const __m256i lo = _mm256_min_epu32(
          _mm256_min_epu32(_mm256_sub_epi32(_mm256_and_si256(_mm256_castps_si256(G), abs), one),
                           _mm256_sub_epi32(_mm256_and_si256(_mm256_castps_si256(M), abs), one)),
          _mm256_sub_epi32(_mm256_and_si256(_mm256_castps_si256(V), abs), one));
      if (_mm256_movemask_ps(_mm256_castsi256_ps(
              _mm256_cmpeq_epi32(_mm256_max_epu32(lo, plain_floor), lo))) == 0xFF) {
        const __m256 M1 = _mm256_add_ps(M, _mm256_mul_ps(_mm256_sub_ps(G, M), c1));
        const __m256 V1 =
            _mm256_add_ps(V, _mm256_mul_ps(_mm256_sub_ps(_mm256_mul_ps(G, G), V), c2));
        const __m256 W1 = _mm256_sub_ps(
            W, _mm256_div_ps(_mm256_mul_ps(M1, lr_t), _mm256_add_ps(_mm256_sqrt_ps(V1), eps)));
        _mm256_storeu_ps(m + i, M1);
        _mm256_storeu_ps(v + i, V1);
        _mm256_storeu_ps(w + i, W1);
        continue;
      }
    }
    const __m256i Gb = _mm256_castps_si256(G), Mb = _mm256_castps_si256(M),
                  Vb = _mm256_castps_si256(V);
    const __m256i Ga = _mm256_and_si256(Gb, abs), Ma = _mm256_and_si256(Mb, abs);
    const __m256i Wa = _mm256_and_si256(_mm256_castps_si256(W), abs);
    const __m256i w_ok = _mm256_andnot_si256(
        _mm256_and_si256(_mm256_cmpgt_epi32(Wa, zero), _mm256_cmpgt_epi32(sub_lo, Wa)), all);
    // v >= +0: +0 or positive normal >= 2^-100 and finite (plain, as v is never negative
    // but for -0, which is not plain here); positive subnormal.
    const __m256i v_plain = plain8(Vb);
    const __m256i v_sub =
        _mm256_and_si256(_mm256_cmpgt_epi32(Vb, zero), _mm256_cmpgt_epi32(sub_lo, Vb));
    const __m256i is_plain =
        _mm256_and_si256(_mm256_and_si256(plain8(Ga), plain8(Ma)), _mm256_and_si256(v_plain, w_ok));
    // The stuck entries of adam_update4 whose v is not a normal below 2^-100.
    const __m256i m_stuck = _mm256_or_si256(
        _mm256_cmpeq_epi32(Mb, zero),
        _mm256_and_si256(_mm256_cmpgt_epi32(Ma, zero), _mm256_cmpgt_epi32(k_plus_1, Ma)));
    const __m256i stuck = _mm256_andnot_si256(
        is_plain,
        _mm256_and_si256(_mm256_and_si256(_mm256_cmpeq_epi32(Ga, zero), m_stuck),
                         _mm256_and_si256(_mm256_or_si256(v_plain, v_sub),
                                          _mm256_and_si256(w_ok, stuck_enabled))));
    if (_mm256_movemask_ps(_mm256_castsi256_ps(_mm256_or_si256(is_plain, stuck))) == 0xFF) {
      // The formula with m = 0 in the stuck lanes, and v = 1 where subnormal.
      const __m256 M0 = _mm256_and_ps(M, _mm256_castsi256_ps(is_plain));
      const __m256 V0 = _mm256_blendv_ps(V, _mm256_set1_ps(1.0f), _mm256_castsi256_ps(v_sub));
      const __m256 M1 = _mm256_add_ps(M0, _mm256_mul_ps(_mm256_sub_ps(G, M0), c1));
      __m256 V1 =
          _mm256_add_ps(V0, _mm256_mul_ps(_mm256_sub_ps(_mm256_mul_ps(G, G), V0), c2));
      const __m256 W1 = _mm256_sub_ps(
          W, _mm256_div_ps(_mm256_mul_ps(M1, lr_t), _mm256_add_ps(_mm256_sqrt_ps(V1), eps)));
      if (_mm256_movemask_ps(_mm256_castsi256_ps(v_sub)) != 0) {
        // v' = k - round(k c2) ulps, k = v's bits (as adam_update4).
        const __m256d lo = _mm256_round_pd(
            _mm256_mul_pd(_mm256_cvtepi32_pd(_mm256_castsi256_si128(Vb)), c2d),
            _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
        const __m256d hi = _mm256_round_pd(
            _mm256_mul_pd(_mm256_cvtepi32_pd(_mm256_extracti128_si256(Vb, 1)), c2d),
            _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
        const __m256i r = _mm256_set_m128i(_mm256_cvtpd_epi32(hi), _mm256_cvtpd_epi32(lo));
        V1 = _mm256_blendv_ps(V1, _mm256_castsi256_ps(_mm256_sub_epi32(Vb, r)),
                              _mm256_castsi256_ps(v_sub));
      }
      const __m256 W_stuck = _mm256_sub_ps(W, _mm256_and_ps(M, sign));
      _mm256_storeu_ps(m + i, _mm256_blendv_ps(M, M1, _mm256_castsi256_ps(is_plain)));
      _mm256_storeu_ps(v + i, V1);
      _mm256_storeu_ps(w + i, _mm256_blendv_ps(W1, W_stuck, _mm256_castsi256_ps(stuck)));
    } else {
      defer(i, adam_update4(c, K, g + i, m + i, v + i, w + i));
      defer(i + 4, adam_update4(c, K, g + i + 4, m + i + 4, v + i + 4, w + i + 4));
    }
  }
  for (; i + 4 <= n; i += 4) defer(i, adam_update4(c, K, g + i, m + i, v + i, w + i));
  flush();
  _mm256_zeroupper();
  for (; i < n; ++i) adam_entry(c, g[i], m[i], v[i], w[i]);
}

void adam_update_sse(const AdamConstants<float>& c, std::int32_t K, const float* g, float* m,
                     float* v, float* w, std::size_t n) {
  std::size_t i = 0;
  for (; i + 4 <= n; i += 4)
    adam_other_entries(c, adam_update4(c, K, g + i, m + i, v + i, w + i), g + i, m + i, v + i,
                       w + i);
  for (; i < n; ++i) adam_entry(c, g[i], m[i], v[i], w[i]);
}

const bool kHasAvx2 = [] {
  __builtin_cpu_init();
  return __builtin_cpu_supports("avx2") != 0;
}();

template <>
void adam_update<float>(const AdamConstants<float>& c, const float* g, float* m, float* v,
                        float* w, std::size_t n) {
  nn_detail::adam_update_float(kHasAvx2, c.c1, c.c2, c.lr_t, c.eps, g, m, v, w, n);
}

}  // namespace

void nn_detail::adam_update_float(bool avx2, float c1, float c2, float lr_t, float eps,
                                  const float* g, float* m, float* v, float* w, std::size_t n) {
  const AdamConstants<float> c{c1, c2, lr_t, eps};
  const std::int32_t K = stuck_ulps(c);
  if (avx2) {
    // In parts whose indices fit adam_update_avx2's 32-bit ones.
    constexpr std::size_t kPart = std::size_t(1) << 30;
    for (std::size_t at = 0; at < n; at += kPart)
      adam_update_avx2(c, K, g + at, m + at, v + at, w + at, std::min(kPart, n - at));
  } else {
    adam_update_sse(c, K, g, m, v, w, n);
  }
}

Adam::Adam(double lr, double beta1, double beta2, double eps)
    : lr_(lr), beta1_(beta1), beta2_(beta2), eps_(eps) {}

template <class T>
void adam_step(AdamState<T>& s, double lr, double beta1_d, double beta2_d, double eps_d,
               const std::vector<ParamRef<T>>& params) {
  if (s.t == 0 && s.m.empty()) {
    for (const ParamRef<T>& p : params) {
      s.m.emplace_back(p.n, T(0));
      s.v.emplace_back(p.n, T(0));
    }
  }
  if (s.m.size() != params.size() || s.v.size() != params.size()) {
    throw std::logic_error("adam_step: " + std::to_string(params.size()) +
                           " parameters, but the state has " + std::to_string(s.m.size()) +
                           " from the first step");
  }
  for (std::size_t k = 0; k < params.size(); ++k) {
    if (params[k].n != s.m[k].size() || params[k].n != s.v[k].size()) {
      throw std::logic_error("adam_step: parameter " + std::to_string(k) + " has " +
                             std::to_string(params[k].n) + " elements, but its state has " +
                             std::to_string(s.m[k].size()));
    }
  }

  ++s.t;
  const T beta1 = static_cast<T>(beta1_d), beta2 = static_cast<T>(beta2_d),
          eps = static_cast<T>(eps_d);
  s.beta1_power *= beta1;
  s.beta2_power *= beta2;
  const T lr_t = static_cast<T>(lr) * std::sqrt(T(1) - s.beta2_power) / (T(1) - s.beta1_power);
  const AdamConstants<T> c{T(1) - beta1, T(1) - beta2, lr_t, eps};
  for (std::size_t k = 0; k < params.size(); ++k) {
    const ParamRef<T>& p = params[k];
    adam_update(c, p.dw, s.m[k].data(), s.v[k].data(), p.w, p.n);
  }
}

template <class T>
void Adam::step(const std::vector<ParamRef<T>>& params) {
  if (std::holds_alternative<std::monostate>(state_)) state_ = AdamState<T>{};
  AdamState<T>* s = std::get_if<AdamState<T>>(&state_);
  if (s == nullptr)
    throw std::logic_error("Adam::step: called with another scalar type than the first step");
  adam_step(*s, lr_, beta1_, beta2_, eps_, params);
  t_ = static_cast<long>(s->t);
}

template void adam_step<float>(AdamState<float>&, double, double, double, double,
                               const std::vector<ParamRef<float>>&);
template void adam_step<double>(AdamState<double>&, double, double, double, double,
                                const std::vector<ParamRef<double>>&);
template void Sgd::step<float>(const std::vector<ParamRef<float>>&) const;
template void Sgd::step<double>(const std::vector<ParamRef<double>>&) const;
template void Adam::step<float>(const std::vector<ParamRef<float>>&);
template void Adam::step<double>(const std::vector<ParamRef<double>>&);

}  // namespace fgbdl
