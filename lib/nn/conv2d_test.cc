// Tests of the SAME convolution layer (lib/nn/conv2d.h): hand-computed
// values, a direct-sum reference for random shapes (dense and sparse paths),
// finite-difference gradients, float against double, buffers and errors.
#include "lib/nn/conv2d.h"

#include <cmath>

#include "gtest/gtest.h"
#include "lib/core/rng.h"
#include "lib/nn/testing.h"
#include "rapidcheck/gtest.h"

namespace fgbdl {
namespace {

using nn_testing::central_difference;
using nn_testing::dot;
using nn_testing::invalid_argument_message;
using nn_testing::max_abs_diff;

using T4 = xt::xtensor<double, 4>;

// A tensor of the given shape with entries on the grid k scale / 10^6,
// |k| <= 10^6, each zero with probability zero_percent / 100 (call inside a
// property).
T4 gen_tensor(std::array<std::size_t, 4> shape, double scale = 1.0, int zero_percent = 0) {
  const std::size_t n = shape[0] * shape[1] * shape[2] * shape[3];
  const auto ints = *rc::gen::container<std::vector<int>>(n, rc::gen::inRange(-1000000, 1000001));
  const auto zero = *rc::gen::container<std::vector<int>>(n, rc::gen::inRange(0, 100));
  T4 t = T4::from_shape(shape);
  for (std::size_t i = 0; i < n; ++i) t.data()[i] = zero[i] < zero_percent ? 0.0 : scale * ints[i] / 1e6;
  return t;
}

// The definition, summed term by term (the reference of the properties):
// y[n,i,j,o] = b[o] + sum_{r,s,c} x[n, i+r-pr, j+s-ps, c] W[r,s,c,o].
T4 direct_conv(const T4& x, const T4& W, const xt::xtensor<double, 1>& b) {
  const std::size_t N = x.shape(0), H = x.shape(1), Wd = x.shape(2), C = x.shape(3);
  const std::size_t KH = W.shape(0), KW = W.shape(1), O = W.shape(3);
  const long pr = static_cast<long>(KH - 1) / 2, ps = static_cast<long>(KW - 1) / 2;
  T4 y = T4::from_shape({N, H, Wd, O});
  for (std::size_t n = 0; n < N; ++n)
    for (long i = 0; i < long(H); ++i)
      for (long j = 0; j < long(Wd); ++j)
        for (std::size_t o = 0; o < O; ++o) {
          double acc = b(o);
          for (long r = 0; r < long(KH); ++r)
            for (long s = 0; s < long(KW); ++s)
              for (std::size_t c = 0; c < C; ++c) {
                const long a = i + r - pr, bb = j + s - ps;
                if (a < 0 || a >= long(H) || bb < 0 || bb >= long(Wd)) continue;
                acc += x(n, a, bb, c) * W(r, s, c, o);
              }
          y(n, i, j, o) = acc;
        }
  return y;
}

Conv2d<double> layer_from(const T4& W, const xt::xtensor<double, 1>& b) {
  return Conv2d<double>{W, b, xt::zeros<double>(W.shape()), xt::zeros<double>(b.shape())};
}

TEST(Conv2d, ForwardMatchesHandComputedValues) {
  // One 3x3 image, one channel, 3x3 kernel, SAME: the kernel's centre sits
  // on each pixel and taps outside the image read 0.
  //   x = 1 2 3     W = 0 1 0     b = 10
  //       4 5 6         1 2 1
  //       7 8 9         0 1 0
  // y[i,j] = 10 + 2 x[i,j] + x[i-1,j] + x[i+1,j] + x[i,j-1] + x[i,j+1]:
  //   y[0,0] = 10 + 2 + 4 + 2             = 18
  //   y[0,1] = 10 + 4 + 5 + 1 + 3         = 23
  //   y[0,2] = 10 + 6 + 6 + 2             = 24
  //   y[1,0] = 10 + 8 + 1 + 7 + 5         = 31
  //   y[1,1] = 10 + 10 + 2 + 8 + 4 + 6    = 40
  //   y[1,2] = 10 + 12 + 3 + 9 + 5        = 39
  //   y[2,0] = 10 + 14 + 4 + 8            = 36
  //   y[2,1] = 10 + 16 + 5 + 7 + 9        = 47
  //   y[2,2] = 10 + 18 + 6 + 8            = 42
  T4 x = T4::from_shape({1, 3, 3, 1});
  for (int i = 0; i < 9; ++i) x.data()[i] = i + 1;
  T4 W = T4::from_shape({3, 3, 1, 1});
  const double w[9] = {0, 1, 0, 1, 2, 1, 0, 1, 0};
  std::copy_n(w, 9, W.data());
  const Conv2d<double> layer = layer_from(W, xt::xtensor<double, 1>{10});
  const double expected[9] = {18, 23, 24, 31, 40, 39, 36, 47, 42};
  for (const ConvInput mode : {ConvInput::kDense, ConvInput::kSparse}) {
    Conv2dScratch<double> scratch;
    T4 y;
    conv2d_forward(layer, x, y, scratch, mode);
    ASSERT_EQ(y.shape(), (std::array<std::size_t, 4>{1, 3, 3, 1}));
    for (int i = 0; i < 9; ++i) EXPECT_EQ(y.data()[i], expected[i]) << "pixel " << i;
  }
}

TEST(Conv2d, KernelIsNotFlippedAndChannelsMix) {
  // 1x3 kernel on a 1x3 image with 2 input and 2 output channels: a
  // cross-correlation (TensorFlow's conv2d), so the right tap W[0,2] reads
  // the right neighbour x[j+1].
  //   x[j, c]: j=0: (1, 10)  j=1: (2, 20)  j=2: (3, 30)
  //   W[0, s, c, o] = 0 except W[0,2,0,0] = 1 (right neighbour, c0 -> o0)
  //                            W[0,0,1,1] = 1 (left neighbour, c1 -> o1)
  //                            W[0,1,1,0] = 0.5 (centre, c1 -> o0)
  //   y[j, 0] = x[j+1, 0] + 0.5 x[j, 1];  y[j, 1] = x[j-1, 1]
  //   j=0: (2 + 5, 0)  j=1: (3 + 10, 10)  j=2: (0 + 15, 20)
  T4 x = T4::from_shape({1, 1, 3, 2});
  const double xv[6] = {1, 10, 2, 20, 3, 30};
  std::copy_n(xv, 6, x.data());
  T4 W = xt::zeros<double>({1, 3, 2, 2});
  W(0, 2, 0, 0) = 1;
  W(0, 0, 1, 1) = 1;
  W(0, 1, 1, 0) = 0.5;
  const Conv2d<double> layer = layer_from(W, xt::zeros<double>({2}));
  const double expected[6] = {7, 0, 13, 10, 15, 20};
  for (const ConvInput mode : {ConvInput::kDense, ConvInput::kSparse}) {
    Conv2dScratch<double> scratch;
    T4 y;
    conv2d_forward(layer, x, y, scratch, mode);
    for (int i = 0; i < 6; ++i) EXPECT_EQ(y.data()[i], expected[i]) << "entry " << i;
  }
}

TEST(Conv2d, BackwardMatchesHandComputedValues) {
  // The 3x3 example of ForwardMatchesHandComputedValues with dy = 1 at the
  // centre pixel only: y[1,1] = 10 + sum_{r,s} x[r, s] W[r, s], so
  //   dW[r, s] = x[r, s] (the whole image, 1..9), db = 1,
  //   dx[a, b] = W[a, b] (the kernel, 0 1 0 / 1 2 1 / 0 1 0).
  T4 x = T4::from_shape({1, 3, 3, 1});
  for (int i = 0; i < 9; ++i) x.data()[i] = i + 1;
  T4 W = T4::from_shape({3, 3, 1, 1});
  const double w[9] = {0, 1, 0, 1, 2, 1, 0, 1, 0};
  std::copy_n(w, 9, W.data());
  T4 dy = xt::zeros<double>({1, 3, 3, 1});
  dy(0, 1, 1, 0) = 1;
  for (const ConvInput mode : {ConvInput::kDense, ConvInput::kSparse}) {
    Conv2d<double> layer = layer_from(W, xt::xtensor<double, 1>{10});
    Conv2dScratch<double> scratch;
    T4 dx;
    conv2d_backward(layer, x, dy, &dx, scratch, mode);
    for (int i = 0; i < 9; ++i) {
      EXPECT_EQ(layer.dW.data()[i], i + 1) << "tap " << i;
      EXPECT_EQ(dx.data()[i], w[i]) << "pixel " << i;
    }
    EXPECT_EQ(layer.db(0), 1);
  }
}

TEST(Conv2d, KernelLargerThanTheImageReadsOnlyZerosOutside) {
  // 5x5 kernel of ones on a 2x2 image of ones: every tap of every output
  // pixel that lands inside the image reads 1, and all 4 pixels are within
  // 2 of each other, so each output is 4.
  const T4 x = xt::ones<double>({1, 2, 2, 1});
  const Conv2d<double> layer = layer_from(xt::ones<double>({5, 5, 1, 1}), xt::zeros<double>({1}));
  for (const ConvInput mode : {ConvInput::kDense, ConvInput::kSparse}) {
    Conv2dScratch<double> scratch;
    T4 y;
    conv2d_forward(layer, x, y, scratch, mode);
    const T4 fours = 4.0 * xt::ones<double>({1, 2, 2, 1});
    EXPECT_EQ(y, fours);
  }
}

// Random shapes (odd kernels 1..5, including kernels larger than the image,
// batches spanning several chunks of the dense path): both paths equal the
// term-by-term definition. Sums of <= 75 products of values in [-1, 1]:
// rounding <= 75 * 2 * 2^-53 ~ 2e-14; tolerance 1e-12.
RC_GTEST_PROP(Conv2d, ForwardEqualsTheDefinitionForRandomShapes, ()) {
  const auto N = static_cast<std::size_t>(*rc::gen::inRange(1, 4));
  const auto H = static_cast<std::size_t>(*rc::gen::inRange(1, 9));
  const auto Wd = static_cast<std::size_t>(*rc::gen::inRange(1, 9));
  const auto C = static_cast<std::size_t>(*rc::gen::inRange(1, 4));
  const auto O = static_cast<std::size_t>(*rc::gen::inRange(1, 4));
  const auto KH = static_cast<std::size_t>(2 * *rc::gen::inRange(0, 3) + 1);
  const auto KW = static_cast<std::size_t>(2 * *rc::gen::inRange(0, 3) + 1);
  const int zero_percent = *rc::gen::element(0, 50, 95);
  const T4 x = gen_tensor({N, H, Wd, C}, 1.0, zero_percent);
  const T4 W = gen_tensor({KH, KW, C, O});
  const xt::xtensor<double, 1> b = xt::flatten(gen_tensor({1, 1, 1, O}));
  const Conv2d<double> layer = layer_from(W, b);
  const T4 expected = direct_conv(x, W, b);
  RC_CLASSIFY(KH > H || KW > Wd, "kernel larger than the image");
  for (const ConvInput mode : {ConvInput::kDense, ConvInput::kSparse}) {
    Conv2dScratch<double> scratch;
    T4 y;
    conv2d_forward(layer, x, y, scratch, mode);
    RC_ASSERT(max_abs_diff(y, expected) <= 1e-12);
  }
}

// Many images of 14x14x16 (several chunks of 5 images): dense path against
// the definition, so that chunk borders are exercised at the real size.
TEST(Conv2d, DenseChunksMatchTheDefinitionAtTheNetworkSize) {
  Engine rng(5);
  const Conv2d<double> layer = conv2d_init<double>(5, 5, 16, 16, rng);
  Conv2d<double> with_bias = layer;
  for (std::size_t o = 0; o < 16; ++o) with_bias.b(o) = 0.1 * double(o);
  T4 x = T4::from_shape({12, 14, 14, 16});
  for (double& v : x.storage()) v = uniform(rng, -1, 1);
  Conv2dScratch<double> scratch;
  T4 y;
  conv2d_forward(with_bias, x, y, scratch);
  EXPECT_LE(max_abs_diff(y, direct_conv(x, with_bias.W, with_bias.b)), 1e-12);
}

// L = sum(G * conv(x)) is linear in each of x, W, b (also on the sparse
// path, which computes the same function), so central differences have no
// truncation error for any step h, only rounding: |L| <= 50 outputs * 2 *
// (75 * 4 + 2) ~ 3e4, error <= 3e4 * 2^-52 / h ~ 1.3e-11 with h = 0.5;
// tolerance 1e-9.
RC_GTEST_PROP(Conv2d, BackwardMatchesFiniteDifferences, ()) {
  const auto N = static_cast<std::size_t>(*rc::gen::inRange(1, 3));
  const auto H = static_cast<std::size_t>(*rc::gen::inRange(1, 6));
  const auto Wd = static_cast<std::size_t>(*rc::gen::inRange(1, 6));
  const auto C = static_cast<std::size_t>(*rc::gen::inRange(1, 3));
  const auto O = static_cast<std::size_t>(*rc::gen::inRange(1, 3));
  const auto KH = static_cast<std::size_t>(2 * *rc::gen::inRange(0, 3) + 1);
  const auto KW = static_cast<std::size_t>(2 * *rc::gen::inRange(0, 3) + 1);
  const ConvInput mode = *rc::gen::element(ConvInput::kDense, ConvInput::kSparse);
  RC_CLASSIFY(mode == ConvInput::kSparse, "sparse path");
  T4 x = gen_tensor({N, H, Wd, C}, 2.0, mode == ConvInput::kSparse ? 60 : 0);
  Conv2d<double> layer = layer_from(gen_tensor({KH, KW, C, O}, 2.0),
                                    xt::flatten(gen_tensor({1, 1, 1, O}, 2.0)));
  const T4 G = gen_tensor({N, H, Wd, O}, 2.0);
  Conv2dScratch<double> scratch;
  T4 y, dx;
  auto loss = [&] {
    conv2d_forward(layer, x, y, scratch, mode);
    return dot(G, y);
  };
  conv2d_backward(layer, x, G, &dx, scratch, mode);
  const double h = 0.5, tol = 1e-9;
  RC_ASSERT(max_abs_diff(dx, central_difference(x, loss, h)) <= tol);
  RC_ASSERT(max_abs_diff(layer.dW, central_difference(layer.W, loss, h)) <= tol);
  RC_ASSERT(max_abs_diff(layer.db, central_difference(layer.b, loss, h)) <= tol);
}

// The float instantiation computes what the double one does, to float
// rounding, on the shapes of the E3.1 network (5x5 kernels, 16 channels).
RC_GTEST_PROP(Conv2d, FloatLayerAgreesWithDoubleLayer, ()) {
  const auto N = static_cast<std::size_t>(*rc::gen::inRange(1, 8));
  const auto C = static_cast<std::size_t>(*rc::gen::element(1, 16));
  const auto HW = static_cast<std::size_t>(*rc::gen::element(7, 14));
  const ConvInput mode = *rc::gen::element(ConvInput::kDense, ConvInput::kSparse);
  RC_CLASSIFY(mode == ConvInput::kSparse, "sparse path");
  const T4 x = gen_tensor({N, HW, HW, C}, 1.0, mode == ConvInput::kSparse ? 90 : 0);
  const T4 dy = gen_tensor({N, HW, HW, 16});
  Conv2d<double> d = layer_from(gen_tensor({5, 5, C, 16}), xt::flatten(gen_tensor({1, 1, 1, 16})));
  Conv2d<float> f{xt::cast<float>(d.W), xt::cast<float>(d.b), {}, {}};
  const xt::xtensor<float, 4> xf = xt::cast<float>(x), dyf = xt::cast<float>(dy);
  Conv2dScratch<double> sd;
  Conv2dScratch<float> sf;
  T4 y, dx;
  xt::xtensor<float, 4> yf, dxf;
  conv2d_forward(d, x, y, sd, mode);
  conv2d_forward(f, xf, yf, sf, mode);
  conv2d_backward(d, x, dy, &dx, sd, mode);
  conv2d_backward(f, xf, dyf, &dxf, sf, mode);
  // y, dx: sums of up to 400 products of values in [-1, 1], typically of
  // size ~20, computed from inputs rounded to float (relative 2^-24):
  // error ~ sqrt(400) * 20 * 2^-24 ~ 2.4e-5 typical (the worst case bound
  // 400 * 400 * 2^-24 ~ 1e-2 is never approached); measured max 1.1e-4
  // over the 100 cases; tolerance 5e-4. dW, db: sums over up to 7 * 196
  // pixels of products <= 1 (magnitudes ~40): tolerance 5e-3.
  RC_ASSERT(max_abs_diff(y, yf) <= 5e-4);
  RC_ASSERT(max_abs_diff(dx, dxf) <= 5e-4);
  RC_ASSERT(max_abs_diff(d.dW, f.dW) <= 5e-3);
  RC_ASSERT(max_abs_diff(d.db, f.db) <= 5e-3);
}

TEST(Conv2d, BackwardOverwritesGradientsAndSkipsNullDx) {
  Engine rng(3);
  Conv2d<double> layer = conv2d_init<double>(3, 3, 2, 4, rng);
  T4 x = T4::from_shape({2, 5, 5, 2}), dy = T4::from_shape({2, 5, 5, 4});
  for (double& v : x.storage()) v = uniform(rng, -1, 1);
  for (double& v : dy.storage()) v = uniform(rng, -1, 1);
  Conv2dScratch<double> scratch;
  conv2d_backward(layer, x, dy, nullptr, scratch);
  const T4 dW = layer.dW;
  const xt::xtensor<double, 1> db = layer.db;
  conv2d_backward(layer, x, dy, nullptr, scratch);  // must not add up
  EXPECT_EQ(layer.dW, dW);
  EXPECT_EQ(layer.db, db);
}

TEST(Conv2d, OutputsAndScratchAreReusedWhenShapesMatch) {
  Engine rng(7);
  Conv2d<float> layer = conv2d_init<float>(5, 5, 16, 16, rng);
  xt::xtensor<float, 4> x = xt::ones<float>({20, 14, 14, 16}), y, dx;
  const xt::xtensor<float, 4> dy = xt::ones<float>({20, 14, 14, 16});
  Conv2dScratch<float> scratch;
  conv2d_forward(layer, x, y, scratch);
  conv2d_backward(layer, x, dy, &dx, scratch);
  const float* pointers[] = {y.data(), dx.data(), layer.dW.data(), scratch.cols.data(),
                             scratch.z.data(), scratch.w.data(), scratch.dw.data()};
  conv2d_forward(layer, x, y, scratch);
  conv2d_backward(layer, x, dy, &dx, scratch);
  const float* again[] = {y.data(), dx.data(), layer.dW.data(), scratch.cols.data(),
                          scratch.z.data(), scratch.w.data(), scratch.dw.data()};
  for (int i = 0; i < 7; ++i) EXPECT_EQ(pointers[i], again[i]) << "buffer " << i;
}

TEST(Conv2d, ShapeMismatchesThrowWithExpectedAndActualShapes) {
  Engine rng(1);
  Conv2d<double> layer = conv2d_init<double>(5, 5, 3, 4, rng);
  Conv2dScratch<double> scratch;
  T4 y, dx;
  const T4 x_bad = xt::zeros<double>({2, 6, 6, 2});
  EXPECT_EQ(invalid_argument_message([&] { conv2d_forward(layer, x_bad, y, scratch); }),
            "conv2d_forward: x has shape [2, 6, 6, 2], expected [*, *, *, 3]");
  const T4 x = xt::zeros<double>({2, 6, 6, 3});
  const T4 dy_bad = xt::zeros<double>({2, 6, 5, 4});
  EXPECT_EQ(invalid_argument_message([&] { conv2d_backward(layer, x, dy_bad, &dx, scratch); }),
            "conv2d_backward: dy has shape [2, 6, 5, 4], expected [2, 6, 6, 4]");
  layer.b = xt::zeros<double>({3});
  EXPECT_EQ(invalid_argument_message([&] { conv2d_forward(layer, x, y, scratch); }),
            "conv2d_forward: b has shape [3], expected [4]");
  layer.W = xt::zeros<double>({4, 5, 3, 4});
  layer.b = xt::zeros<double>({4});
  EXPECT_EQ(invalid_argument_message([&] { conv2d_forward(layer, x, y, scratch); }),
            "conv2d_forward: W has shape [4, 5, 3, 4], expected odd kernel sizes [KH, KW, Cin, Cout]");
  EXPECT_THROW(conv2d_init<float>(4, 5, 1, 1, rng), std::invalid_argument);
  EXPECT_THROW(conv2d_init<float>(5, 5, 0, 1, rng), std::invalid_argument);
  EXPECT_THROW(conv2d_init<float>(5, 5, 1, 1, rng, 0.0), std::invalid_argument);
}

TEST(Conv2d, InitIsTruncatedNormalWithStdOneOverSqrtFanIn) {
  // W entries are i.i.d. N(0, 1/fan_in) conditioned on |z| <= 2 std,
  // fan_in = 5*5*16 = 400 (the default). The standard normal truncated to
  // [-2, 2] has std 0.879626 (closed form in dense_test.cc). Null
  // hypothesis: the init is correct; with n = 25*16*256 = 102400 draws the
  // sample std has standard error ~0.0017 (relative) and the mean
  // ~0.0028: tolerances ~6 standard errors (fixed seed: deterministic).
  Engine rng(2017);
  const Conv2d<float> layer = conv2d_init<float>(5, 5, 16, 256, rng);
  const double sd = 1.0 / 20.0;
  EXPECT_DOUBLE_EQ(conv2d_fan_in_stddev(5, 5, 16), sd);
  double sum = 0, sum_sq = 0, max_abs = 0;
  for (float w : layer.W.storage()) {
    sum += w;
    sum_sq += double(w) * w;
    max_abs = std::max(max_abs, std::fabs(double(w)));
  }
  const double n = double(layer.W.size()), mean = sum / n;
  EXPECT_LE(max_abs, 2 * sd * (1 + 1e-6));
  EXPECT_NEAR(mean / sd, 0.0, 0.017);
  EXPECT_NEAR(std::sqrt(sum_sq / n - mean * mean) / sd, 0.879626, 0.01);
  EXPECT_EQ(layer.b, xt::zeros<float>({256}));
  EXPECT_EQ(layer.dW, xt::zeros<float>({5, 5, 16, 256}));
}

TEST(Conv2d, ExplicitStddevScalesTheSameDraws) {
  // The script's first convolution: stddev 1/sqrt(28) instead of
  // 1/sqrt(25). Same engine state, same normal draws, scaled.
  Engine a(9), b(9);
  const Conv2d<double> fan_in = conv2d_init<double>(5, 5, 1, 16, a);
  const Conv2d<double> script = conv2d_init<double>(5, 5, 1, 16, b, 1.0 / std::sqrt(28.0));
  for (std::size_t i = 0; i < fan_in.W.size(); ++i) {
    EXPECT_NEAR(script.W.data()[i], fan_in.W.data()[i] * std::sqrt(25.0 / 28.0), 1e-15);
  }
}

}  // namespace
}  // namespace fgbdl
