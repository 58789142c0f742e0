// The pieces of X1's experiment: the targets' bits and values, and the
// error per frequency band (the Walsh coefficients of the residual), checked
// on exact cases.
#include "experiments/ext_sharing/sharing_training.h"

#include <bitset>
#include <cmath>
#include <cstdint>
#include <vector>

#include "gtest/gtest.h"

namespace fgbdl {
namespace {

double chi(std::uint32_t S, std::uint32_t m) {
  return std::bitset<32>(S & m).count() % 2 ? -1.0 : 1.0;
}

// Every bit pattern of k bits exactly `copies` times: the Walsh characters
// are then exactly orthogonal on the sample.
std::vector<std::uint32_t> all_patterns(std::size_t k, std::size_t copies) {
  std::vector<std::uint32_t> masks;
  for (std::size_t c = 0; c < copies; ++c)
    for (std::uint32_t m = 0; m < (1u << k); ++m) masks.push_back(m);
  return masks;
}

Matrix column(const std::vector<double>& v) {
  Matrix m = Matrix::from_shape({v.size(), 1});
  for (std::size_t i = 0; i < v.size(); ++i) m(i, 0) = static_cast<float>(v[i]);
  return m;
}

// On a sample holding every pattern equally often, f = 0 against
// y = a z_1 + b z_1 z_2 z_3 + c z_1...z_5 has band errors a^2, b^2, c^2 and
// mean squared error a^2 + b^2 + c^2 (Parseval); a prediction that adds
// 0.5 z_2 z_4 (degree 2: mid) to y has band errors 0, 0.25, 0.
TEST(BandErrors, AreTheResidualsWalshEnergyPerBand) {
  const std::size_t k = 5;
  const auto masks = all_patterns(k, 3);
  const double a = 0.5, b = -0.7, c = 0.3;
  std::vector<double> y, zero, f;
  for (const std::uint32_t m : masks) {
    y.push_back(a * chi(1, m) + b * chi(7, m) + c * chi(31, m));
    zero.push_back(0);
    f.push_back(y.back() + 0.5 * chi(0b1010, m));
  }
  const BandErrors e0 = band_errors(column(zero), column(y), masks, k);
  EXPECT_NEAR(e0.low, a * a, 1e-6);
  EXPECT_NEAR(e0.mid, b * b, 1e-6);
  EXPECT_NEAR(e0.high, c * c, 1e-6);
  EXPECT_NEAR(e0.mse, a * a + b * b + c * c, 1e-6);
  const BandErrors e1 = band_errors(column(f), column(y), masks, k);
  EXPECT_NEAR(e1.low, 0, 1e-6);
  EXPECT_NEAR(e1.mid, 0.25, 1e-6);
  EXPECT_NEAR(e1.high, 0, 1e-6);
  // The constant (degree 0) counts in the low band.
  std::vector<double> shifted;
  for (const double v : y) shifted.push_back(v + 0.2);
  EXPECT_NEAR(band_errors(column(shifted), column(y), masks, k).low, 0.04, 1e-6);
}

// The samples: z_i = sign(u*^T x_i) recomputed from x matches the recorded
// pattern, y is the stated sum of characters, and each of the k bits is +1
// about half the time (2^14 samples: |mean| < 4 / sqrt(n), a 4-sigma band).
TEST(FrequencyTarget, SamplesAreTheStatedCharactersOfThePatchesBits) {
  Engine rng = derive_engine(7, 0);
  const FrequencyTarget t = draw_frequency_target(6, 8, 3, 0.6, 0.0, 0.8, rng);
  double norm = 0;
  for (const float v : t.u) norm += double(v) * v;
  EXPECT_NEAR(norm, 1.0, 1e-6);
  Matrix x, y;
  std::vector<std::uint32_t> masks;
  const std::size_t n = 1 << 14;
  sample_frequency_batch(t, n, rng, x, y, masks);
  std::vector<double> mean(6, 0.0);
  for (std::size_t r = 0; r < n; ++r) {
    std::uint32_t m = 0;
    for (std::size_t i = 0; i < 6; ++i) {
      double dot = 0;
      for (std::size_t l = 0; l < 8; ++l) dot += double(x(r, i * 8 + l)) * t.u[l];
      if (dot < 0) m |= 1u << i;
      mean[i] += dot < 0 ? -1.0 : 1.0;
    }
    ASSERT_EQ(m, masks[r]) << "sample " << r;
    EXPECT_FLOAT_EQ(y(r, 0), static_cast<float>(0.6 * chi(1, m) + 0.8 * chi(63, m)));
  }
  for (std::size_t i = 0; i < 6; ++i) EXPECT_LT(std::fabs(mean[i] / n), 4 / std::sqrt(double(n)));
}

TEST(FrequencyTarget, RefusesAMidDegreeOutsideTwoToKMinusOne) {
  Engine rng = derive_engine(1, 0);
  EXPECT_THROW(draw_frequency_target(6, 8, 6, 1, 1, 1, rng), std::invalid_argument);
  EXPECT_THROW(draw_frequency_target(6, 8, 1, 1, 1, 1, rng), std::invalid_argument);
  EXPECT_NO_THROW(draw_frequency_target(6, 8, 1, 1, 0, 1, rng));  // no mid character
  EXPECT_THROW(draw_frequency_target(17, 8, 3, 1, 1, 1, rng), std::invalid_argument);
}

}  // namespace
}  // namespace fgbdl
