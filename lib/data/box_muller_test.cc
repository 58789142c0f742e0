// lib/data/box_muller.h against the exact functions (double), over every
// one of the 2^24 inputs of each.
#include "lib/data/box_muller.h"

#include <cmath>
#include <cstdint>

#include "gtest/gtest.h"

namespace fgbdl {
namespace {

constexpr std::uint32_t kInputs = 1u << 24;

// ln u1, u1 = (m + 1) 2^-24: relative error <= 2.5e-7 for every m (measured
// max 2.08e-7, 2.6 float ulp); ln 1 = 0 exactly, and the radius of the
// transform, sqrt(-2 ln u1), within 2e-7 relative (measured 1.57e-7).
TEST(BoxMuller, LogOfEveryUniformIsWithinTwoAndAHalfUlp) {
  double worst = 0, worst_radius = 0;
  std::uint32_t worst_m = 0;
  for (std::uint32_t m = 0; m + 1 < kInputs; ++m) {
    const double exact = std::log((m + 1.0) * 0x1.0p-24);
    const float got = log_u24(m);
    const double rel = std::fabs(got - exact) / std::fabs(exact);
    if (rel > worst) {
      worst = rel;
      worst_m = m;
    }
    const double radius = std::sqrt(-2.0 * exact);
    worst_radius =
        std::fmax(worst_radius, std::fabs(std::sqrt(-2.0f * got) - radius) / radius);
  }
  EXPECT_LE(worst, 2.5e-7) << "at m = " << worst_m;
  EXPECT_LE(worst_radius, 2e-7);
  EXPECT_EQ(log_u24(kInputs - 1), 0.0f);
  EXPECT_LT(log_u24(kInputs - 2), 0.0f);  // u1 < 1: a nonzero radius
}

// sin and cos of 2 pi m 2^-24: absolute error <= 2^-23 for every m
// (measured max 1.08e-7 = 2^-23.14 for both); exact at the quarter turns.
TEST(BoxMuller, SineAndCosineOfEveryAngleAreWithinTwoToTheMinus23) {
  double worst_sin = 0, worst_cos = 0;
  for (std::uint32_t m = 0; m < kInputs; ++m) {
    float s, c;
    sincos_2pi_u24(m, s, c);
    const double a = 2 * M_PI * (m * 0x1.0p-24);
    worst_sin = std::fmax(worst_sin, std::fabs(s - std::sin(a)));
    worst_cos = std::fmax(worst_cos, std::fabs(c - std::cos(a)));
  }
  EXPECT_LE(worst_sin, 0x1.0p-23);
  EXPECT_LE(worst_cos, 0x1.0p-23);
  for (std::uint32_t q = 0; q < 4; ++q) {
    float s, c;
    sincos_2pi_u24(q << 22, s, c);
    const float sin_q[4] = {0, 1, 0, -1}, cos_q[4] = {1, 0, -1, 0};
    EXPECT_EQ(s, sin_q[q]) << "quarter turn " << q;
    EXPECT_EQ(c, cos_q[q]) << "quarter turn " << q;
  }
}

}  // namespace
}  // namespace fgbdl
