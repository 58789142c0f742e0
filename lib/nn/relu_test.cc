#include "lib/nn/relu.h"

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

TEST(Relu, ForwardAndBackwardMatchHandComputedValues) {
  const xt::xtensor<double, 2> z = {{-1.5, 0, 2}, {3, -0.25, 1e-300}};
  xt::xtensor<double, 2> a, dz;
  relu_forward(z, a);
  // max(z, 0) entrywise.
  const xt::xtensor<double, 2> expected_a = {{0, 0, 2}, {3, 0, 1e-300}};
  EXPECT_EQ(a, expected_a);
  const xt::xtensor<double, 2> da = {{5, 6, 7}, {8, 9, 10}};
  relu_backward(z, da, dz);
  // da where z > 0 (z = 0 counts as inactive, as TensorFlow's ReluGrad).
  const xt::xtensor<double, 2> expected_dz = {{0, 0, 7}, {8, 0, 10}};
  EXPECT_EQ(dz, expected_dz);
}

TEST(Relu, WorksInPlace) {
  xt::xtensor<float, 2> z = {{-1, 2}}, da = {{3, 4}};
  relu_backward(z, da, da);
  relu_forward(z, z);
  const xt::xtensor<float, 2> expected_a = {{0, 2}}, expected_dz = {{0, 4}};
  EXPECT_EQ(z, expected_a);
  EXPECT_EQ(da, expected_dz);
}

TEST(Relu, ShapeMismatchThrows) {
  const xt::xtensor<double, 2> z = xt::zeros<double>({2, 3}), da = xt::zeros<double>({3, 2});
  xt::xtensor<double, 2> dz;
  EXPECT_EQ(invalid_argument_message([&] { relu_backward(z, da, dz); }),
            "relu_backward: da has shape [3, 2], expected [2, 3]");
}

// Points are kept at |z| >= 0.1 by construction (z = u +/- 0.1 away from 0),
// so z +/- h with h = 1e-6 never crosses the kink; there L = sum(G * relu(z))
// is linear and central differences are exact up to rounding (~1e-9).
// Tolerance 1e-7.
RC_GTEST_PROP(Relu, ReluBackwardMatchesFiniteDifferencesAwayFromZero, ()) {
  const auto B = static_cast<std::size_t>(*rc::gen::inRange(1, 6));
  const auto n = static_cast<std::size_t>(*rc::gen::inRange(1, 8));
  xt::xtensor<double, 2> z = gen_matrix(B, n, 2.0);
  for (double& v : z.storage()) v += v >= 0 ? 0.1 : -0.1;
  const xt::xtensor<double, 2> G = gen_matrix(B, n, 2.0);
  xt::xtensor<double, 2> a, dz;
  relu_backward(z, G, dz);
  auto loss = [&] {
    relu_forward(z, a);
    return dot(G, a);
  };
  RC_ASSERT(max_abs_diff(dz, central_difference(z, loss, 1e-6)) <= 1e-7);
}

}  // namespace
}  // namespace fgbdl
