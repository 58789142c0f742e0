// Tests of the Walsh-Hadamard transform (walsh_hadamard.h) against direct
// sums E_x[chi_S(x) f(x)] over {±1}^d, d <= 8.
#include "lib/analysis/walsh_hadamard.h"

#include <cmath>
#include <cstdint>
#include <vector>

#include "gtest/gtest.h"
#include "lib/core/rng.h"
#include "rapidcheck.h"
#include "rapidcheck/gtest.h"

namespace fgbdl {
namespace {

// E_x[chi_S(x) f(x)] by the definition, chi_S computed as the product of the
// coordinates of x from hypercube_points (not from popcount).
double direct_coefficient(const MatrixD& X, const VectorD& f, std::uint64_t S) {
  const std::size_t n = X.shape()[0];
  const int d = static_cast<int>(X.shape()[1]);
  double sum = 0.0;
  for (std::size_t idx = 0; idx < n; ++idx) {
    double chi = 1.0;
    for (int i = 0; i < d; ++i) {
      if ((S >> i) & 1u) chi *= X(idx, i);
    }
    sum += chi * f(idx);
  }
  return sum / static_cast<double>(n);
}

TEST(WalshHadamard, HandComputedOneAndTwoBits) {
  // d = 1: x_0 = +1 at idx 0, -1 at idx 1. f = (3, 1):
  //   out[0] = E f = (3 + 1)/2 = 2;  out[1] = E[x f] = (3 - 1)/2 = 1.
  VectorD f1 = {3.0, 1.0};
  walsh_hadamard(f1);
  EXPECT_EQ(f1(0), 2.0);
  EXPECT_EQ(f1(1), 1.0);
  // d = 2: f(x) = x_0 x_1 (idx 0..3 -> +1, -1, -1, +1) is the parity S = 3.
  VectorD f2 = {1.0, -1.0, -1.0, 1.0};
  walsh_hadamard(f2);
  EXPECT_EQ(f2(0), 0.0);
  EXPECT_EQ(f2(1), 0.0);
  EXPECT_EQ(f2(2), 0.0);
  EXPECT_EQ(f2(3), 1.0);
  // f(x) = 1 + 2 x_1 (idx -> 3, 3, -1, -1): out = (1, 0, 2, 0).
  VectorD f3 = {3.0, 3.0, -1.0, -1.0};
  walsh_hadamard(f3);
  EXPECT_EQ(f3(0), 1.0);
  EXPECT_EQ(f3(1), 0.0);
  EXPECT_EQ(f3(2), 2.0);
  EXPECT_EQ(f3(3), 0.0);
}

TEST(WalshHadamard, IndexConvention) {
  const MatrixD X = hypercube_points(3);
  // idx 5 = 0b101: x_0 = -1, x_1 = +1, x_2 = -1.
  EXPECT_EQ(X(5, 0), -1.0);
  EXPECT_EQ(X(5, 1), 1.0);
  EXPECT_EQ(X(5, 2), -1.0);
  // chi_{0,2}(x_5) = x_0 x_2 = +1, chi_{0,1}(x_5) = -1.
  EXPECT_EQ(parity_sign(0b101, 5), 1);
  EXPECT_EQ(parity_sign(0b011, 5), -1);
  EXPECT_EQ(parity_sign(0, 5), 1);
}

RC_GTEST_PROP(WalshHadamard, TransformEqualsDirectSumsForEveryParityUpTo8Bits, ()) {
  const int d = *rc::gen::inRange(0, 9);
  const std::uint64_t seed = *rc::gen::arbitrary<std::uint64_t>();
  Engine rng = derive_engine(seed, 0);
  const std::size_t n = std::size_t{1} << d;
  VectorD f = VectorD::from_shape({n});
  for (std::size_t i = 0; i < n; ++i) f(i) = normal(rng);
  const MatrixD X = hypercube_points(d);
  VectorD out = f;
  walsh_hadamard(out);
  double max_err = 0.0;
  for (std::uint64_t S = 0; S < n; ++S) {
    max_err = std::max(max_err, std::fabs(out(S) - direct_coefficient(X, f, S)));
  }
  RC_CLASSIFY(d <= 4, "d <= 4");
  RC_CLASSIFY(d > 4, "d in 5..8");
  // Both are sums of 2^d terms of size ~1 scaled by 2^-d: rounding ~ d * 1e-16.
  RC_ASSERT(max_err <= 1e-13);
}

RC_GTEST_PROP(WalshHadamard, ColumnTransformEqualsTransformOfEachColumn, ()) {
  const int d = *rc::gen::inRange(0, 9);
  const std::size_t P = *rc::gen::inRange<std::size_t>(1, 7);
  Engine rng = derive_engine(*rc::gen::arbitrary<std::uint64_t>(), 1);
  const std::size_t n = std::size_t{1} << d;
  MatrixD F({n, P});
  for (std::size_t i = 0; i < F.size(); ++i) F.data()[i] = normal(rng);
  MatrixD out = F;
  walsh_hadamard_columns(out);
  for (std::size_t k = 0; k < P; ++k) {
    VectorD col = VectorD::from_shape({n});
    for (std::size_t i = 0; i < n; ++i) col(i) = F(i, k);
    walsh_hadamard(col);
    // The same butterflies in the same order: bit-identical.
    for (std::size_t i = 0; i < n; ++i) RC_ASSERT(out(i, k) == col(i));
  }
}

RC_GTEST_PROP(WalshHadamard, InverseAndParseval, ()) {
  const int d = *rc::gen::inRange(0, 11);
  Engine rng = derive_engine(*rc::gen::arbitrary<std::uint64_t>(), 2);
  const std::size_t n = std::size_t{1} << d;
  VectorD f = VectorD::from_shape({n});
  for (std::size_t i = 0; i < n; ++i) f(i) = normal(rng);
  VectorD fhat = f;
  walsh_hadamard(fhat);
  // Parseval: sum_S fhat(S)^2 = E_x f(x)^2.
  double lhs = 0.0, rhs = 0.0;
  for (std::size_t i = 0; i < n; ++i) {
    lhs += fhat(i) * fhat(i);
    rhs += f(i) * f(i) / static_cast<double>(n);
  }
  RC_ASSERT(std::fabs(lhs - rhs) <= 1e-12 * rhs);
  // Inverse: the unnormalised transform of fhat is f.
  VectorD back = fhat;
  fwht_unnormalized(back.data(), n);
  for (std::size_t i = 0; i < n; ++i) RC_ASSERT(std::fabs(back(i) - f(i)) <= 1e-12);
}

TEST(WalshHadamard, IntegerTransformIsExactAndRejectsBadLengths) {
  std::vector<std::int64_t> v = {1, 2, 3, 4, 5, 6, 7, 8};
  fwht_unnormalized(v.data(), v.size());
  // out[0] = sum = 36; out[1] = (1-2)+(3-4)+(5-6)+(7-8) = -4;
  // out[2] = (1+2-3-4)+(5+6-7-8) = -8; out[4] = (1+2+3+4)-(5+6+7+8) = -16; others 0.
  const std::vector<std::int64_t> want = {36, -4, -8, 0, -16, 0, 0, 0};
  EXPECT_EQ(v, want);
  std::vector<double> bad(6, 1.0);
  EXPECT_THROW(fwht_unnormalized(bad.data(), bad.size()), std::invalid_argument);
  EXPECT_THROW(fwht_unnormalized(bad.data(), 0), std::invalid_argument);
}

}  // namespace
}  // namespace fgbdl
