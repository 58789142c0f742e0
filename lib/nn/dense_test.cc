#include "lib/nn/dense.h"

#include <cmath>

#include "gtest/gtest.h"
#include "lib/core/rng.h"
#include "lib/nn/testing.h"
#include "rapidcheck/gtest.h"

namespace fgbdl {
namespace {

using nn_testing::central_difference;
using nn_testing::dot;
using nn_testing::gen_matrix;
using nn_testing::invalid_argument_message;
using nn_testing::max_abs_diff;

Dense<double> layer_2x3() {
  Dense<double> layer;
  layer.W = {{1, 0, -1}, {2, 1, 0}};
  layer.b = {0.5, -1, 2};
  layer.dW = xt::zeros<double>({2, 3});
  layer.db = xt::zeros<double>({3});
  return layer;
}

TEST(Dense, ForwardMatchesHandComputedValues) {
  const Dense<double> layer = layer_2x3();
  const xt::xtensor<double, 2> x = {{1, 2}, {-1, 0}};
  xt::xtensor<double, 2> y;
  dense_forward(layer, x, y);
  // Row 1: [1*1 + 2*2 + 0.5, 1*0 + 2*1 - 1, 1*(-1) + 2*0 + 2] = [5.5, 1, 1].
  // Row 2: [-1*1 + 0.5, 0 - 1, -1*(-1) + 2] = [-0.5, -1, 3].
  const xt::xtensor<double, 2> expected = {{5.5, 1, 1}, {-0.5, -1, 3}};
  EXPECT_EQ(y, expected);
}

TEST(Dense, BackwardMatchesHandComputedValues) {
  Dense<double> layer = layer_2x3();
  const xt::xtensor<double, 2> x = {{1, 2}, {-1, 0}};
  const xt::xtensor<double, 2> dy = {{1, -1, 2}, {0, 3, 1}};
  xt::xtensor<double, 2> dx;
  dense_backward(layer, x, dy);
  dense_backward_input(layer.W, dy, dx);
  // dW = x^T dy: row 1 = 1*[1,-1,2] + (-1)*[0,3,1] = [1,-4,1]; row 2 = 2*[1,-1,2] = [2,-2,4].
  const xt::xtensor<double, 2> dW = {{1, -4, 1}, {2, -2, 4}};
  // db = column sums of dy = [1, 2, 3].
  const xt::xtensor<double, 1> db = {1, 2, 3};
  // dx = dy W^T: row 1 = [1*1 - 1*0 + 2*(-1), 1*2 - 1*1 + 2*0] = [-1, 1];
  //              row 2 = [0 + 0 - 1, 0 + 3 + 0] = [-1, 3].
  const xt::xtensor<double, 2> expected_dx = {{-1, 1}, {-1, 3}};
  EXPECT_EQ(layer.dW, dW);
  EXPECT_EQ(layer.db, db);
  EXPECT_EQ(dx, expected_dx);
}

TEST(Dense, BackwardOverwritesGradients) {
  Dense<double> layer = layer_2x3();
  const xt::xtensor<double, 2> x = {{1, 2}, {-1, 0}};
  const xt::xtensor<double, 2> dy = {{1, -1, 2}, {0, 3, 1}};
  dense_backward(layer, x, dy);
  dense_backward(layer, x, dy);  // a second call must not add up
  const xt::xtensor<double, 2> dW = {{1, -4, 1}, {2, -2, 4}};
  const xt::xtensor<double, 1> db = {1, 2, 3};
  EXPECT_EQ(layer.dW, dW);
  EXPECT_EQ(layer.db, db);
}

// The input's gradient through another matrix M of W's shape is dy M^T,
// and with M = W it is the layer's own dL/dx.
TEST(Dense, BackwardInputUsesTheGivenMatrix) {
  const xt::xtensor<double, 2> dy = {{1, -1, 2}, {0, 3, 1}};
  const xt::xtensor<double, 2> M = {{2, 0, 1}, {0, -1, 0}};
  xt::xtensor<double, 2> dx;
  dense_backward_input(M, dy, dx);
  // Row 1: [1*2 + 0 + 2*1, 0 + (-1)(-1) + 0] = [4, 1]; row 2: [0 + 0 + 1, -3] = [1, -3].
  const xt::xtensor<double, 2> expected = {{4, 1}, {1, -3}};
  EXPECT_EQ(dx, expected);
}

TEST(Dense, OutputsAreReusedWhenShapesMatch) {
  Engine rng(7);
  Dense<float> layer = dense_init<float>(30, 300, rng);
  xt::xtensor<float, 2> x = xt::ones<float>({128, 30}), y, dy = xt::ones<float>({128, 300}), dx;
  dense_forward(layer, x, y);
  dense_backward(layer, x, dy);
  dense_backward_input(layer.W, dy, dx);
  const float* y_data = y.data();
  const float* dx_data = dx.data();
  const float* dW_data = layer.dW.data();
  dense_forward(layer, x, y);
  dense_backward(layer, x, dy);
  dense_backward_input(layer.W, dy, dx);
  EXPECT_EQ(y.data(), y_data);
  EXPECT_EQ(dx.data(), dx_data);
  EXPECT_EQ(layer.dW.data(), dW_data);
}

TEST(Dense, ShapeMismatchesThrowWithExpectedAndActualShapes) {
  Dense<double> layer = layer_2x3();
  xt::xtensor<double, 2> y, dx;
  const xt::xtensor<double, 2> x_bad = xt::zeros<double>({4, 5});
  EXPECT_EQ(invalid_argument_message([&] { dense_forward(layer, x_bad, y); }),
            "dense_forward: x has shape [4, 5], expected [*, 2]");
  const xt::xtensor<double, 2> x = xt::zeros<double>({4, 2});
  const xt::xtensor<double, 2> dy_bad = xt::zeros<double>({4, 2});
  EXPECT_EQ(invalid_argument_message([&] { dense_backward(layer, x, dy_bad); }),
            "dense_backward: dy has shape [4, 2], expected [4, 3]");
  EXPECT_EQ(invalid_argument_message([&] { dense_backward_input(layer.W, dy_bad, dx); }),
            "dense_backward_input: dy has shape [4, 2], expected [*, 3]");
  layer.b = xt::zeros<double>({2});
  EXPECT_EQ(invalid_argument_message([&] { dense_forward(layer, x, y); }),
            "dense_forward: b has shape [2], expected [3]");
}

TEST(Dense, InitIsTruncatedNormalWithStdOneOverSqrtFanIn) {
  // W entries are i.i.d. N(0, 1/in) conditioned on |z| <= 2/sqrt(in). The
  // standard normal truncated to [-2, 2] has std
  //   sqrt(1 - 2*2*phi(2) / (Phi(2) - Phi(-2))) = sqrt(1 - 4*0.0539910/0.9544997) = 0.879626.
  // Null hypothesis: the init is correct. With n = 100*1000 draws the sample
  // std has standard error ~0.0017/sqrt(in) and the mean ~0.0028/sqrt(in);
  // the tolerances below are ~6 standard errors (fixed seed, no flakes).
  Engine rng(2017);
  const std::size_t in = 100, out = 1000;
  const Dense<float> layer = dense_init<float>(in, out, rng);
  ASSERT_EQ(layer.W.shape(0), in);
  ASSERT_EQ(layer.W.shape(1), out);
  const double sd = 1.0 / std::sqrt(double(in));
  double sum = 0, sum_sq = 0, max_abs = 0;
  for (float w : layer.W.storage()) {
    sum += w;
    sum_sq += double(w) * w;
    max_abs = std::max(max_abs, std::fabs(double(w)));
  }
  const double n = double(in * out), mean = sum / n;
  EXPECT_LE(max_abs, 2 * sd * (1 + 1e-6));
  EXPECT_NEAR(mean / sd, 0.0, 0.017);
  EXPECT_NEAR(std::sqrt(sum_sq / n - mean * mean) / sd, 0.879626, 0.01);
  EXPECT_EQ(layer.b, xt::zeros<float>({out}));
  EXPECT_EQ(layer.dW, xt::zeros<float>({in, out}));
  EXPECT_EQ(layer.db, xt::zeros<float>({out}));
}

TEST(Dense, InitIsReproducibleFromTheSeed) {
  Engine a(11), b(11), c(12);
  EXPECT_EQ(dense_init<float>(5, 50, a).W, dense_init<float>(5, 50, b).W);
  EXPECT_NE(dense_init<float>(5, 50, a).W, dense_init<float>(5, 50, c).W);
}

// L = sum(G * dense(x)) is linear in each of x, W, b, so central differences
// are exact up to rounding: |L| <= ~200 here, so the error is at most
// ~200 * 2^-52 / h ~ 5e-8 with h = 1e-6; tolerance 1e-6.
RC_GTEST_PROP(Dense, DenseBackwardMatchesFiniteDifferences, ()) {
  const auto B = static_cast<std::size_t>(*rc::gen::inRange(1, 6));
  const auto in = static_cast<std::size_t>(*rc::gen::inRange(1, 7));
  const auto out = static_cast<std::size_t>(*rc::gen::inRange(1, 7));
  Dense<double> layer;
  layer.W = gen_matrix(in, out, 2.0);
  layer.b = xt::flatten(gen_matrix(1, out, 2.0));
  xt::xtensor<double, 2> x = gen_matrix(B, in, 2.0);
  const xt::xtensor<double, 2> G = gen_matrix(B, out, 2.0);
  xt::xtensor<double, 2> y, dx;
  auto loss = [&] {
    dense_forward(layer, x, y);
    return dot(G, y);
  };
  dense_backward(layer, x, G);
  dense_backward_input(layer.W, G, dx);
  const double h = 1e-6, tol = 1e-6;
  RC_ASSERT(max_abs_diff(dx, central_difference(x, loss, h)) <= tol);
  RC_ASSERT(max_abs_diff(layer.dW, central_difference(layer.W, loss, h)) <= tol);
  RC_ASSERT(max_abs_diff(layer.db, central_difference(layer.b, loss, h)) <= tol);
}

// The float instantiation computes the same as the double one (to float
// rounding), on shapes as the E2.1 network uses.
RC_GTEST_PROP(Dense, FloatLayerAgreesWithDoubleLayer, ()) {
  const auto B = static_cast<std::size_t>(*rc::gen::inRange(1, 40));
  const auto in = static_cast<std::size_t>(*rc::gen::inRange(1, 40));
  const auto out = static_cast<std::size_t>(*rc::gen::inRange(1, 40));
  Dense<double> d;
  d.W = gen_matrix(in, out);
  d.b = xt::flatten(gen_matrix(1, out));
  const xt::xtensor<double, 2> x = gen_matrix(B, in), dy = gen_matrix(B, out);
  Dense<float> f{xt::cast<float>(d.W), xt::cast<float>(d.b), {}, {}};
  const xt::xtensor<float, 2> xf = xt::cast<float>(x), dyf = xt::cast<float>(dy);
  xt::xtensor<double, 2> y, dx;
  xt::xtensor<float, 2> yf, dxf;
  dense_forward(d, x, y);
  dense_forward(f, xf, yf);
  dense_backward(d, x, dy);
  dense_backward_input(d.W, dy, dx);
  dense_backward(f, xf, dyf);
  dense_backward_input(f.W, dyf, dxf);
  // Sums of <= 40 products of values in [-1, 1] (plus float input rounding):
  // error <= ~40 * 3 * 2^-24 ~ 1e-5.
  const double tol = 1e-5;
  RC_ASSERT(max_abs_diff(y, yf) <= tol);
  RC_ASSERT(max_abs_diff(dx, dxf) <= tol);
  RC_ASSERT(max_abs_diff(d.dW, f.dW) <= tol);
  RC_ASSERT(max_abs_diff(d.db, f.db) <= tol);
}

}  // namespace
}  // namespace fgbdl
