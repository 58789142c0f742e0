// Tests of 2x2 max-pooling, stride 2, SAME (lib/nn/maxpool2d.h).
#include "lib/nn/maxpool2d.h"

#include <algorithm>
#include <numeric>

#include "gtest/gtest.h"
#include "lib/nn/testing.h"
#include "rapidcheck/gtest.h"

namespace fgbdl {
namespace {

using nn_testing::central_difference;
using nn_testing::dot;
using nn_testing::invalid_argument_message;
using nn_testing::max_abs_diff;

using T4 = xt::xtensor<double, 4>;

TEST(MaxPool2d, ForwardMatchesHandComputedValues) {
  // One 4x4 image, one channel:
  //   1  2 | 5  0        windows: max(1,2,3,9) = 9   max(5,0,-1,4) = 5
  //   3  9 |-1  4                 max(7,7,8,2) = 8   max(6,0,0,-3) = 6
  //   ---------
  //   7  7 | 6  0
  //   8  2 | 0 -3
  T4 x = T4::from_shape({1, 4, 4, 1});
  const double v[16] = {1, 2, 5, 0, 3, 9, -1, 4, 7, 7, 6, 0, 8, 2, 0, -3};
  std::copy_n(v, 16, x.data());
  T4 y;
  maxpool2d_forward(x, y);
  ASSERT_EQ(y.shape(), (std::array<std::size_t, 4>{1, 2, 2, 1}));
  EXPECT_EQ(y(0, 0, 0, 0), 9);
  EXPECT_EQ(y(0, 0, 1, 0), 5);
  EXPECT_EQ(y(0, 1, 0, 0), 8);
  EXPECT_EQ(y(0, 1, 1, 0), 6);
}

TEST(MaxPool2d, BackwardRoutesToTheArgMaxAndTiesToTheFirstInRowMajorOrder) {
  // Channel 0 is the image of ForwardMatchesHandComputedValues, dy = 10,
  // 20, 30, 40 on its four windows; every max there is unique (window
  // (1, 0) holds 7, 7, 8, 2: the two 7s tie below its max 8). Channel 1 is
  // a constant 5: every window ties over all four entries, and the first,
  // its top-left, wins.
  T4 x = T4::from_shape({1, 4, 4, 2});
  const double v[16] = {1, 2, 5, 0, 3, 9, -1, 4, 7, 7, 6, 0, 8, 2, 0, -3};
  for (int i = 0; i < 16; ++i) {
    x.data()[2 * i] = v[i];
    x.data()[2 * i + 1] = 5;
  }
  T4 dy = T4::from_shape({1, 2, 2, 2});
  const double g[4] = {10, 20, 30, 40};
  for (int w = 0; w < 4; ++w) dy.data()[2 * w] = dy.data()[2 * w + 1] = g[w];
  T4 dx;
  maxpool2d_backward(x, dy, dx);
  T4 expected = xt::zeros<double>({1, 4, 4, 2});
  expected(0, 1, 1, 0) = 10;  // 9
  expected(0, 0, 2, 0) = 20;  // 5
  expected(0, 3, 0, 0) = 30;  // 8
  expected(0, 2, 2, 0) = 40;  // 6
  expected(0, 0, 0, 1) = 10;  // ties: top-left of each window
  expected(0, 0, 2, 1) = 20;
  expected(0, 2, 0, 1) = 30;
  expected(0, 2, 2, 1) = 40;
  EXPECT_EQ(dx, expected);
}

TEST(MaxPool2d, TieBetweenLaterEntriesGoesToTheEarlierOne) {
  // Window (0, 9, 9, 1): the max 9 appears at (0,1) and (1,0); (0,1) comes
  // first in row-major order.
  T4 x = T4::from_shape({1, 2, 2, 1});
  const double v[4] = {0, 9, 9, 1};
  std::copy_n(v, 4, x.data());
  const T4 dy = xt::ones<double>({1, 1, 1, 1});
  T4 dx;
  maxpool2d_backward(x, dy, dx);
  EXPECT_EQ(dx(0, 0, 1, 0), 1);
  EXPECT_EQ(dx(0, 1, 0, 0), 0);
}

TEST(MaxPool2d, OddSizesPoolPartialWindowsAsTensorFlowSame) {
  // 3x3 -> 2x2: the last row and column form windows of 2 and 1 entries.
  //   1 2 3
  //   4 5 6   -> max(1,2,4,5) = 5, max(3,6) = 6, max(7,8) = 8, max(9) = 9
  //   7 8 9
  T4 x = T4::from_shape({1, 3, 3, 1});
  for (int i = 0; i < 9; ++i) x.data()[i] = i + 1;
  T4 y;
  maxpool2d_forward(x, y);
  ASSERT_EQ(y.shape(), (std::array<std::size_t, 4>{1, 2, 2, 1}));
  EXPECT_EQ(y(0, 0, 0, 0), 5);
  EXPECT_EQ(y(0, 0, 1, 0), 6);
  EXPECT_EQ(y(0, 1, 0, 0), 8);
  EXPECT_EQ(y(0, 1, 1, 0), 9);
  // Negative values: padding never wins (a zero pad would give 0 here).
  T4 neg = -x;
  maxpool2d_forward(neg, y);
  EXPECT_EQ(y(0, 1, 1, 0), -9);
}

// x with all entries distinct and at least 1 apart (a random permutation of
// 0..n-1, shifted): no ties, and a perturbation of h < 0.5 changes no
// arg-max, so max-pooling is linear around x and central differences of
// L = sum(G * pool(x)) are exact up to rounding (|L| <= 64 * 2 * 300).
RC_GTEST_PROP(MaxPool2d, BackwardMatchesFiniteDifferencesAwayFromTies, ()) {
  const auto N = static_cast<std::size_t>(*rc::gen::inRange(1, 3));
  const auto H = static_cast<std::size_t>(*rc::gen::inRange(1, 8));
  const auto W = static_cast<std::size_t>(*rc::gen::inRange(1, 8));
  const auto C = static_cast<std::size_t>(*rc::gen::inRange(1, 4));
  const std::size_t n = N * H * W * C;
  std::vector<int> perm(n);
  std::iota(perm.begin(), perm.end(), 0);
  const auto keys = *rc::gen::container<std::vector<int>>(n, rc::gen::arbitrary<int>());
  std::stable_sort(perm.begin(), perm.end(), [&](int a, int b) { return keys[a] < keys[b]; });
  T4 x = T4::from_shape({N, H, W, C});
  for (std::size_t i = 0; i < n; ++i) x.data()[i] = perm[i] - double(n) / 2;
  const std::size_t Ho = (H + 1) / 2, Wo = (W + 1) / 2;
  const auto gints = *rc::gen::container<std::vector<int>>(N * Ho * Wo * C, rc::gen::inRange(-1000, 1001));
  T4 G = T4::from_shape({N, Ho, Wo, C});
  for (std::size_t i = 0; i < G.size(); ++i) G.data()[i] = gints[i] / 500.0;
  T4 y, dx;
  auto loss = [&] {
    maxpool2d_forward(x, y);
    return dot(G, y);
  };
  maxpool2d_backward(x, G, dx);
  RC_ASSERT(max_abs_diff(dx, central_difference(x, loss, 0.25)) <= 1e-12);
}

// The routed gradient sums to the sum of dy (each dy entry lands on exactly
// one dx entry), also with ties (values drawn from {0, 1}).
RC_GTEST_PROP(MaxPool2d, EveryGradientEntryLandsExactlyOnce, ()) {
  const auto H = static_cast<std::size_t>(*rc::gen::inRange(1, 8));
  const auto W = static_cast<std::size_t>(*rc::gen::inRange(1, 8));
  const auto bits = *rc::gen::container<std::vector<int>>(H * W * 2, rc::gen::inRange(0, 2));
  T4 x = T4::from_shape({1, H, W, 2});
  for (std::size_t i = 0; i < x.size(); ++i) x.data()[i] = bits[i];
  T4 y, dx;
  maxpool2d_forward(x, y);
  const T4 dy = xt::ones<double>(y.shape());
  maxpool2d_backward(x, dy, dx);
  RC_ASSERT(static_cast<double>(xt::sum(dx)()) == static_cast<double>(dy.size()));
  for (std::size_t i = 0; i < dx.size(); ++i) RC_ASSERT(dx.data()[i] == 0.0 || dx.data()[i] == 1.0);
}

// float and double pick the same arg-max and so agree exactly on values
// that are floats.
TEST(MaxPool2d, FloatAgreesWithDouble) {
  T4 x = T4::from_shape({3, 28, 28, 16});
  for (std::size_t i = 0; i < x.size(); ++i) x.data()[i] = double((i * 7919) % 1009) / 64.0;
  const xt::xtensor<float, 4> xf = xt::cast<float>(x);
  T4 y, dx;
  xt::xtensor<float, 4> yf, dxf;
  maxpool2d_forward(x, y);
  maxpool2d_forward(xf, yf);
  const T4 dy = xt::ones<double>(y.shape()) * 0.5;
  maxpool2d_backward(x, dy, dx);
  maxpool2d_backward(xf, xt::xtensor<float, 4>(xt::cast<float>(dy)), dxf);
  EXPECT_EQ(max_abs_diff(y, yf), 0.0);
  EXPECT_EQ(max_abs_diff(dx, dxf), 0.0);
}

TEST(MaxPool2d, ShapeMismatchThrows) {
  const T4 x = xt::zeros<double>({2, 6, 5, 3});
  const T4 dy_bad = xt::zeros<double>({2, 3, 2, 3});
  T4 dx;
  EXPECT_EQ(invalid_argument_message([&] { maxpool2d_backward(x, dy_bad, dx); }),
            "maxpool2d_backward: dy has shape [2, 3, 2, 3], expected [2, 3, 3, 3]");
}

TEST(MaxPool2d, OutputsAreReusedWhenShapesMatch) {
  const xt::xtensor<float, 4> x = xt::ones<float>({4, 28, 28, 16});
  xt::xtensor<float, 4> y, dx;
  maxpool2d_forward(x, y);
  const xt::xtensor<float, 4> dy = xt::ones<float>(y.shape());
  maxpool2d_backward(x, dy, dx);
  const float* yp = y.data();
  const float* dxp = dx.data();
  maxpool2d_forward(x, y);
  maxpool2d_backward(x, dy, dx);
  EXPECT_EQ(y.data(), yp);
  EXPECT_EQ(dx.data(), dxp);
}

}  // namespace
}  // namespace fgbdl
