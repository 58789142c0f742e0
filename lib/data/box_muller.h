// The two functions of the Box-Muller transform on 24-bit uniforms, in float
// and without libm, for the batch sampler of Section 5's step targets
// (step_targets.h: 25 600 normal inputs per training step, where glibc's
// scalar logf and sincosf took most of the step).
//
//   log_u24(m)        = ln u1,          u1 = (m + 1) 2^-24, m in [0, 2^24)
//   sincos_2pi_u24(m) = sin, cos of 2 pi u2, u2 = m 2^-24,  m in [0, 2^24)
//
// Both take the uniform as its 24-bit integer, so the range reduction is
// exact integer arithmetic; the rest is float additions, multiplications and
// one division, with selects instead of branches, so that loops over arrays
// of them vectorize (GCC 12, -O2 -fvect-cost-model=dynamic). They use only
// IEEE-rounded operations, hence give the same bits on every x86-64 machine
// for the same binary (glibc's logf and sincosf switch to FMA variants on
// CPUs that have FMA, and differ in the last bit there).
//
// Accuracy, checked exhaustively over all 2^24 inputs against double
// (box_muller_test; measured): ln u1 within 2.1e-7 relative (2.6 float
// ulp), the radius sqrt(-2 ln u1) within 1.6e-7 relative; sin and cos
// within 1.1e-7 absolute (below 2^-23). The sampler's normals are the exact
// transform's values to about 2 parts in 10 million.
#ifndef LIB_DATA_BOX_MULLER_H_
#define LIB_DATA_BOX_MULLER_H_

#include <cstdint>
#include <cstring>

namespace fgbdl {

inline float log_u24(std::uint32_t m) {
  // x = m + 1 in [1, 2^24] is exact in float; x = 2^e f with f in
  // [sqrt(1/2), sqrt(2)), and ln u1 = (e - 24) ln 2 + ln f.
  const float x = static_cast<float>(m + 1);
  std::int32_t bits;
  std::memcpy(&bits, &x, sizeof bits);
  const std::int32_t mantissa = bits & 0x7fffff;
  const std::int32_t above = mantissa > 0x3504f3 ? 1 : 0;  // f >= sqrt(2): halve it
  const std::int32_t f_bits = mantissa | (0x3f800000 - (above << 23));
  float f;
  std::memcpy(&f, &f_bits, sizeof f);
  const float e = static_cast<float>(((bits >> 23) - 127) + above - 24);
  // ln f = 2 atanh(s) = 2 (s + s^3/3 + s^5/5 + ...), s = (f - 1)/(f + 1),
  // |s| <= 0.1716; the terms up to s^9 leave a relative error below 3e-10.
  const float s = (f - 1.0f) / (f + 1.0f);
  const float z = s * s;
  const float ln_f =
      s * (2.0f + z * (0.6666666667f + z * (0.4f + z * (0.2857142857f + z * 0.2222222222f))));
  // e ln 2 in two parts (Cody-Waite): e * ln2_hi is exact for |e| <= 24.
  constexpr float kLn2Hi = 0.693145751953125f;       // 0x3f317200
  constexpr float kLn2Lo = 1.428606820309417e-06f;   // ln 2 - kLn2Hi
  return e * kLn2Hi + (e * kLn2Lo + ln_f);
}

inline void sincos_2pi_u24(std::uint32_t m, float& sine, float& cosine) {
  // 2 pi u2 = q pi/2 + phi, q = m >> 22 the quadrant, phi = 2 pi r 2^-24
  // with r = m mod 2^22; phi >= pi/4 is computed as pi/2 - theta (sine and
  // cosine swapped), so theta = 2 pi t 2^-24 with t <= 2^21 (exact).
  const std::uint32_t q = m >> 22;
  const std::int32_t r = static_cast<std::int32_t>(m & 0x3fffff);
  const bool swap = r > 0x200000;
  const std::int32_t t = swap ? 0x400000 - r : r;
  constexpr float kTwoPiOver2To24 = 3.7450702e-07f;  // 2 pi / 2^24
  const float theta = static_cast<float>(t) * kTwoPiOver2To24;  // [0, pi/4]
  const float z = theta * theta;
  // Taylor series on [0, pi/4]: the first omitted terms are below 2e-9.
  const float sin_theta =
      theta * (1.0f + z * (-1.6666667e-1f +
                           z * (8.3333333e-3f + z * (-1.9841270e-4f + z * 2.7557319e-6f))));
  const float cos_theta =
      1.0f + z * (-0.5f + z * (4.1666667e-2f +
                               z * (-1.3888889e-3f + z * (2.4801587e-5f + z * -2.7557319e-7f))));
  const float sin_phi = swap ? cos_theta : sin_theta;
  const float cos_phi = swap ? sin_theta : cos_theta;
  // Rotate by q quarter turns: (sin, cos) -> (cos, -sin) per quarter.
  const bool odd = (q & 1u) != 0;
  const float s = odd ? cos_phi : sin_phi;
  const float c = odd ? sin_phi : cos_phi;
  sine = (q & 2u) != 0 ? -s : s;
  cosine = ((q + 1) & 2u) != 0 ? -c : c;
}

}  // namespace fgbdl

#endif  // LIB_DATA_BOX_MULLER_H_
