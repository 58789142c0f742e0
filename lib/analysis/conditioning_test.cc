// Tests of lib/analysis/conditioning.h.
#include "lib/analysis/conditioning.h"

#include <cmath>
#include <stdexcept>
#include <xtensor-blas/xlinalg.hpp>

#include "gtest/gtest.h"
#include "lib/core/rng.h"
#include "rapidcheck/gtest.h"

namespace fgbdl {
namespace {

TEST(Conditioning, PatchMatrixListsTheThreeTapWindowsCurveByCurve) {
  const xt::xtensor<double, 2> f = {{1, 2, 3, 4}, {5, 6, 7, 8}};
  const xt::xtensor<double, 2> R = {{1, 2, 3}, {2, 3, 4}, {5, 6, 7}, {6, 7, 8}};
  EXPECT_EQ(patch_matrix(f), R);
  EXPECT_THROW(patch_matrix(xt::xtensor<double, 2>({{1, 2}})), std::invalid_argument);
}

// Hand values: R = [[1,0],[0,2],[1,2]] -> R^T R / 3 = [[2,2],[2,8]] / 3; the
// eigenvalues of [[2,2],[2,8]] are 5 -+ sqrt(13) (trace 10, determinant 12),
// so the condition number is (5 + sqrt 13) / (5 - sqrt 13).
TEST(Conditioning, SecondMomentAndConditionNumberHaveTheirHandValues) {
  const xt::xtensor<double, 2> R = {{1, 0}, {0, 2}, {1, 2}};
  const auto C = second_moment(R);
  EXPECT_DOUBLE_EQ(C(0, 0), 2.0 / 3);
  EXPECT_DOUBLE_EQ(C(0, 1), 2.0 / 3);
  EXPECT_DOUBLE_EQ(C(1, 0), 2.0 / 3);
  EXPECT_DOUBLE_EQ(C(1, 1), 8.0 / 3);
  EXPECT_NEAR(condition_number(C), (5 + std::sqrt(13.0)) / (5 - std::sqrt(13.0)), 1e-12);
  const xt::xtensor<double, 2> diag = {{4, 0, 0}, {0, 1, 0}, {0, 0, 0.25}};
  EXPECT_NEAR(condition_number(diag), 16.0, 1e-13);
  const xt::xtensor<double, 2> singular = {{1, 1}, {1, 1}};
  EXPECT_TRUE(std::isinf(condition_number(singular)));
  const auto s = singular_values(xt::xtensor<double, 2>({{3, 0}, {0, -5}}));
  ASSERT_EQ(s.size(), 2u);
  EXPECT_NEAR(s(0), 5.0, 1e-14);
  EXPECT_NEAR(s(1), 3.0, 1e-14);
}

// For a random SPD C = A A^T + I: C^{-1/2} C C^{-1/2} = I and C^{-1/2} is
// symmetric with (C^{-1/2})^2 C = I; tolerance 1e-10 relative to cond(C)
// (the matrices have cond <= ~1e3 here, rounding ~1e-13).
RC_GTEST_PROP(Conditioning, InverseSqrtWhitensASymmetricPositiveDefiniteMatrix,
              (std::uint64_t seed)) {
  const auto d = static_cast<std::size_t>(*rc::gen::inRange(1, 8));
  Engine rng(seed);
  xt::xtensor<double, 2> A = xt::empty<double>({d, d});
  for (auto& v : A) v = normal(rng);
  xt::xtensor<double, 2> C = xt::linalg::dot(A, xt::transpose(A));
  for (std::size_t i = 0; i < d; ++i) C(i, i) += 1.0;
  const auto S = inverse_sqrt(C);
  const xt::xtensor<double, 2> I = xt::linalg::dot(xt::linalg::dot(S, C), S);
  const double tol = 1e-10 * condition_number(C);
  for (std::size_t i = 0; i < d; ++i)
    for (std::size_t j = 0; j < d; ++j) {
      RC_ASSERT(std::fabs(I(i, j) - (i == j ? 1.0 : 0.0)) <= tol);
      RC_ASSERT(std::fabs(S(i, j) - S(j, i)) <= tol);
    }
  RC_ASSERT(std::fabs(condition_number(I) - 1.0) <= tol);
}

TEST(Conditioning, InverseSqrtRejectsASingularMatrix) {
  EXPECT_THROW(inverse_sqrt(xt::xtensor<double, 2>({{1, 1}, {1, 1}})), std::invalid_argument);
}

}  // namespace
}  // namespace fgbdl
