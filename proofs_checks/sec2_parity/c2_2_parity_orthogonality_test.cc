// C2.2 (paper Section 2; paper/sec2_parity.md C2.2): under the uniform distribution
// on {±1}^d the 2^d parities chi_S(x) = prod_{i in S} x_i are orthonormal,
// E_x[chi_S chi_S'] = 1[S = S'].
//
// Checked exactly, in integer arithmetic, for every pair (S, S') and every
// d = 0..12: the unnormalised Walsh-Hadamard transform of the ±1 vector of
// chi_S (entry idx = chi_S(x_idx)) is the vector of 2^d E_x[chi_S chi_S'] over
// S', so orthonormality means it equals 2^d at S' = S and 0 elsewhere. The
// transform is validated against direct sums in lib/analysis; here, for
// d <= 7, the same pairs are also summed directly from the coordinates of x
// (chi computed as a product of x_i, not from the bitmask).
#include <cstdint>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "lib/analysis/walsh_hadamard.h"
#include "rapidcheck.h"
#include "rapidcheck/gtest.h"

namespace fgbdl {
namespace {

// Number of (S, S') pairs with 2^d E[chi_S chi_S'] != 2^d 1[S = S'] for one
// d, by the integer WHT; `pairs` counts the pairs checked.
std::int64_t violations_by_wht(int d, std::int64_t& pairs) {
  const std::size_t n = std::size_t{1} << d;
  std::vector<std::int64_t> v(n);
  std::int64_t bad = 0;
  for (std::uint64_t S = 0; S < n; ++S) {
    for (std::uint64_t idx = 0; idx < n; ++idx) v[idx] = parity_sign(S, idx);
    fwht_unnormalized(v.data(), n);  // v[S'] = sum_x chi_S(x) chi_S'(x)
    for (std::uint64_t Sp = 0; Sp < n; ++Sp) {
      const std::int64_t want = Sp == S ? static_cast<std::int64_t>(n) : 0;
      bad += v[Sp] != want;
    }
    pairs += static_cast<std::int64_t>(n);
  }
  return bad;
}

TEST(C2_2, AllParitiesAreOrthonormalForEveryDUpTo12ExactlyInIntegers) {
  std::int64_t pairs = 0, bad = 0;
  for (int d = 0; d <= 12; ++d) {
    const std::int64_t b = violations_by_wht(d, pairs);
    EXPECT_EQ(b, 0) << "d = " << d;
    bad += b;
  }
  // sum_{d=0}^{12} 4^d = (4^13 - 1) / 3 = 22369621 pairs.
  EXPECT_EQ(pairs, 22369621);
  RecordProperty("measured", "d=0..12: " + std::to_string(pairs) +
                                 " pairs (S,S') checked in int64, " + std::to_string(bad) +
                                 " with E[chi_S chi_S'] != 1[S=S']");
}

TEST(C2_2, DirectSumsFromCoordinatesAgreeForDUpTo7) {
  for (int d = 0; d <= 7; ++d) {
    const MatrixD X = hypercube_points(d);
    const std::size_t n = X.shape()[0];
    // chi[S][idx] = prod_{i in S} x_i, from the coordinates.
    std::vector<std::vector<int>> chi(n, std::vector<int>(n, 1));
    for (std::size_t S = 0; S < n; ++S) {
      for (std::size_t idx = 0; idx < n; ++idx) {
        for (int i = 0; i < d; ++i) {
          if ((S >> i) & 1u) chi[S][idx] *= static_cast<int>(X(idx, i));
        }
      }
    }
    for (std::size_t S = 0; S < n; ++S) {
      for (std::size_t Sp = 0; Sp < n; ++Sp) {
        std::int64_t sum = 0;
        for (std::size_t idx = 0; idx < n; ++idx) sum += chi[S][idx] * chi[Sp][idx];
        ASSERT_EQ(sum, S == Sp ? static_cast<std::int64_t>(n) : 0)
            << "d=" << d << " S=" << S << " S'=" << Sp;
      }
    }
  }
}

TEST(C2_2, TheCheckCanFail) {
  // A non-parity (the majority of 3 bits) is not orthogonal to chi_{0}:
  // E[maj(x) x_0] = 1/2 (by hand: maj agrees with x_0 on 6 of the 8 points).
  std::vector<std::int64_t> maj(8);
  const MatrixD X = hypercube_points(3);
  for (std::size_t idx = 0; idx < 8; ++idx) {
    maj[idx] = X(idx, 0) + X(idx, 1) + X(idx, 2) > 0 ? 1 : -1;
  }
  fwht_unnormalized(maj.data(), 8);
  EXPECT_EQ(maj[1], 4);  // 2^3 * 1/2
  EXPECT_EQ(maj[7], -4); // E[maj x_0 x_1 x_2] = -1/2
}

}  // namespace
}  // namespace fgbdl
