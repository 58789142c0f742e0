#include "lib/nn/loss.h"

#include "gtest/gtest.h"
#include "lib/nn/testing.h"
#include "rapidcheck/gtest.h"

namespace fgbdl {
namespace {

using nn_testing::central_difference;
using nn_testing::gen_matrix;
using nn_testing::invalid_argument_message;
using nn_testing::max_abs_diff;

TEST(Loss, HingeMatchesHandComputedValues) {
  // B = 3, K = 2. Margins 1 - y*score:
  //   row 1: 1 - 2 = -1 -> 0;     1 - (-1)(0.5) = 1.5
  //   row 2: 1 - 0.5 = 0.5;       1 - (-1)(-1) = 0 (on the kink) -> 0
  //   row 3: 1 - (-1) = 2;        1 - (-1)(3) = 4
  // loss = (0 + 1.5 + 0.5 + 0 + 2 + 4) / 3 = 8/3.
  // dscore = -y/3 where the margin is > 0, else 0.
  const xt::xtensor<double, 2> score = {{2, 0.5}, {0.5, -1}, {-1, 3}};
  const xt::xtensor<double, 2> y = {{1, -1}, {1, -1}, {1, -1}};
  xt::xtensor<double, 2> dscore;
  EXPECT_DOUBLE_EQ(hinge_loss(score, y, dscore), 8.0 / 3);
  const xt::xtensor<double, 2> expected = {{0, 1.0 / 3}, {-1.0 / 3, 0}, {-1.0 / 3, 1.0 / 3}};
  EXPECT_LE(max_abs_diff(dscore, expected), 1e-16);
}

TEST(Loss, SquaredMatchesHandComputedValues) {
  // B = 2: ((1 - 0)^2 + (2 - 4)^2 + (-1 - (-1))^2 + (0.5 - 0)^2) / 2 / 2
  //      = (1 + 4 + 0 + 0.25) / 4 = 1.3125; dscore = (score - y) / 2.
  const xt::xtensor<float, 2> score = {{1, 2}, {-1, 0.5f}}, y = {{0, 4}, {-1, 0}};
  xt::xtensor<float, 2> dscore;
  EXPECT_EQ(squared_loss(score, y, dscore), 1.3125f);
  const xt::xtensor<float, 2> expected = {{0.5f, -1}, {0, 0.25f}};
  EXPECT_EQ(dscore, expected);
}

TEST(Loss, ShapeMismatchAndEmptyBatchThrow) {
  const xt::xtensor<double, 2> score = xt::zeros<double>({4, 1}), y = xt::zeros<double>({4, 2});
  xt::xtensor<double, 2> d;
  EXPECT_EQ(invalid_argument_message([&] { hinge_loss(score, y, d); }),
            "hinge_loss: y has shape [4, 2], expected [4, 1]");
  EXPECT_EQ(invalid_argument_message([&] { squared_loss(score, y, d); }),
            "squared_loss: y has shape [4, 2], expected [4, 1]");
  const xt::xtensor<double, 2> empty = xt::zeros<double>({0, 1});
  EXPECT_EQ(invalid_argument_message([&] { hinge_loss(empty, empty, d); }),
            "hinge_loss: empty batch (score has 0 rows)");
}

// Margins 1 - y*score are kept at |margin| >= 0.1 by construction
// (score = y (1 - m) with |m| in [0.1, 2.1]), so score +/- h, h = 1e-6, never
// crosses the kink; there the loss is linear and central differences are
// exact up to rounding (~1e-9). Tolerance 1e-7.
RC_GTEST_PROP(Loss, HingeGradientMatchesFiniteDifferencesAwayFromKink, ()) {
  const auto B = static_cast<std::size_t>(*rc::gen::inRange(1, 6));
  const auto K = static_cast<std::size_t>(*rc::gen::inRange(1, 4));
  const auto signs = *rc::gen::container<std::vector<bool>>(B * K, rc::gen::arbitrary<bool>());
  xt::xtensor<double, 2> m = gen_matrix(B, K, 2.0), y = xt::xtensor<double, 2>::from_shape({B, K});
  xt::xtensor<double, 2> score = xt::xtensor<double, 2>::from_shape({B, K});
  for (std::size_t i = 0; i < B * K; ++i) {
    const double margin = m.data()[i] + (m.data()[i] >= 0 ? 0.1 : -0.1);
    y.data()[i] = signs[i] ? 1.0 : -1.0;
    score.data()[i] = y.data()[i] * (1 - margin);
  }
  RC_CLASSIFY(xt::any(xt::greater(m, 0.0)), "some margins active");
  xt::xtensor<double, 2> dscore, unused;
  hinge_loss(score, y, dscore);
  auto loss = [&] { return hinge_loss(score, y, unused); };
  RC_ASSERT(max_abs_diff(dscore, central_difference(score, loss, 1e-6)) <= 1e-7);
}

// The squared loss is quadratic: central differences have no truncation
// error, only rounding (~|L| 2^-52 / h ~ 1e-9). Tolerance 1e-7.
RC_GTEST_PROP(Loss, SquaredGradientMatchesFiniteDifferences, ()) {
  const auto B = static_cast<std::size_t>(*rc::gen::inRange(1, 6));
  const auto K = static_cast<std::size_t>(*rc::gen::inRange(1, 4));
  xt::xtensor<double, 2> score = gen_matrix(B, K, 3.0);
  const xt::xtensor<double, 2> y = gen_matrix(B, K, 3.0);
  xt::xtensor<double, 2> dscore, unused;
  squared_loss(score, y, dscore);
  auto loss = [&] { return squared_loss(score, y, unused); };
  RC_ASSERT(max_abs_diff(dscore, central_difference(score, loss, 1e-6)) <= 1e-7);
}

}  // namespace
}  // namespace fgbdl
