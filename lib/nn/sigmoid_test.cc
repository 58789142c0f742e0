#include "lib/nn/sigmoid.h"

#include <cmath>

#include "gtest/gtest.h"
#include "lib/nn/testing.h"
#include "rapidcheck/gtest.h"

namespace fgbdl {
namespace {

using nn_testing::central_difference;
using nn_testing::dot;
using nn_testing::gen_matrix;
using nn_testing::invalid_argument_message;
using nn_testing::max_abs_diff;

TEST(Sigmoid, ForwardAndBackwardMatchHandComputedValues) {
  // sigmoid(0) = 1/2; sigmoid(ln 3) = 1/(1 + 1/3) = 3/4; sigmoid(-ln 3) = 1/(1 + 3) = 1/4.
  const xt::xtensor<double, 2> z = {{0, std::log(3.0), -std::log(3.0)}};
  xt::xtensor<double, 2> s, dz;
  sigmoid_forward(z, s);
  const xt::xtensor<double, 2> expected_s = {{0.5, 0.75, 0.25}};
  EXPECT_LE(max_abs_diff(s, expected_s), 1e-15);
  // dz = ds s (1 - s): 2 * 1/2 * 1/2 = 0.5; -1 * 3/4 * 1/4 = -0.1875; 4 * 1/4 * 3/4 = 0.75.
  const xt::xtensor<double, 2> ds = {{2, -1, 4}};
  sigmoid_backward(s, ds, dz);
  const xt::xtensor<double, 2> expected_dz = {{0.5, -0.1875, 0.75}};
  EXPECT_LE(max_abs_diff(dz, expected_dz), 1e-15);
}

TEST(Sigmoid, SaturatesWithoutOverflowForLargeInputs) {
  // The naive 1/(1 + exp(-z)) overflows exp at z = -800 (double) and
  // z = -100 (float: exp(100) ~ 2.7e43 > FLT_MAX). Expected: sigmoid(800) = 1,
  // sigmoid(-800) = exp(-800) = 0 in double; in float sigmoid(-100) =
  // exp(-100) ~ 3.72e-44 (a denormal), sigmoid(-200) = 0, sigmoid(100) = 1.
  const xt::xtensor<double, 2> zd = {{800, -800, 30}};
  xt::xtensor<double, 2> sd;
  sigmoid_forward(zd, sd);
  EXPECT_EQ(sd(0, 0), 1.0);
  EXPECT_EQ(sd(0, 1), 0.0);
  EXPECT_NEAR(sd(0, 2), 1 - std::exp(-30.0), 3e-16);  // 1/(1 + e) = 1 - e + O(e^2), to ~2 ulps
  const xt::xtensor<float, 2> zf = {{100, -100, -200}};
  xt::xtensor<float, 2> sf;
  sigmoid_forward(zf, sf);
  EXPECT_EQ(sf(0, 0), 1.0f);
  EXPECT_NEAR(sf(0, 1), 3.72e-44f, 2e-45f);
  EXPECT_EQ(sf(0, 2), 0.0f);
}

TEST(Sigmoid, ShapeMismatchThrows) {
  const xt::xtensor<double, 2> s = xt::zeros<double>({2, 3}), ds = xt::zeros<double>({2, 2});
  xt::xtensor<double, 2> dz;
  EXPECT_EQ(invalid_argument_message([&] { sigmoid_backward(s, ds, dz); }),
            "sigmoid_backward: ds has shape [2, 2], expected [2, 3]");
}

// L = sum(G * sigmoid(z)) with z in [-6, 6]. Central differences with
// h = 1e-5 have truncation error h^2/6 |G sigmoid'''| <= 1e-10 * 2 * 0.125
// and rounding error ~|L| 2^-52 / h ~ 1e-9; tolerance 1e-7.
RC_GTEST_PROP(Sigmoid, SigmoidBackwardMatchesFiniteDifferences, ()) {
  const auto B = static_cast<std::size_t>(*rc::gen::inRange(1, 6));
  const auto n = static_cast<std::size_t>(*rc::gen::inRange(1, 8));
  xt::xtensor<double, 2> z = gen_matrix(B, n, 6.0);
  const xt::xtensor<double, 2> G = gen_matrix(B, n, 2.0);
  xt::xtensor<double, 2> s, dz;
  sigmoid_forward(z, s);
  sigmoid_backward(s, G, dz);
  auto loss = [&] {
    xt::xtensor<double, 2> t;
    sigmoid_forward(z, t);
    return dot(G, t);
  };
  RC_ASSERT(max_abs_diff(dz, central_difference(z, loss, 1e-5)) <= 1e-7);
}

// The stable form agrees with the textbook formula where the latter is safe.
RC_GTEST_PROP(Sigmoid, SigmoidEqualsTextbookFormulaForModerateInputs, ()) {
  const xt::xtensor<double, 2> z = gen_matrix(3, 4, 30.0);
  xt::xtensor<double, 2> s;
  sigmoid_forward(z, s);
  for (std::size_t i = 0; i < z.size(); ++i) {
    RC_ASSERT(std::fabs(s.data()[i] - 1 / (1 + std::exp(-z.data()[i]))) <= 1e-15);
  }
}

}  // namespace
}  // namespace fgbdl
