// The fused second block of N1 (tuple_second_block.h) on bias-plus-rows
// inputs against the composition of lib/nn's layers on the same input made
// dense: conv2d (dense path) then maxpool2d, forward and backward.
#include "experiments/sec3_decomposition/tuple_second_block.h"

#include <algorithm>
#include <cmath>

#include "experiments/sec3_decomposition/tuple_first_block.h"
#include "gtest/gtest.h"
#include "lib/core/rng.h"
#include "lib/data/line_images.h"
#include "lib/nn/conv2d.h"
#include "lib/nn/maxpool2d.h"
#include "rapidcheck/gtest.h"

namespace fgbdl {
namespace {

// Random rows: each pixel of each image listed with probability `density`,
// values and base uniform in [-1, 1].
template <class T>
PooledRows<T> random_rows(std::size_t N, std::size_t H, std::size_t W, std::size_t C, double density,
                          Engine& rng) {
  PooledRows<T> x;
  x.N = N;
  x.Hp = H;
  x.Wp = W;
  x.C = C;
  for (std::size_t c = 0; c < C; ++c) x.base.push_back(static_cast<T>(uniform(rng, -1, 1)));
  x.begin.push_back(0);
  for (std::size_t n = 0; n < N; ++n) {
    for (std::size_t w = 0; w < H * W; ++w) {
      if (uniform01(rng) >= density) continue;
      x.window.push_back(static_cast<std::uint32_t>(w));
      for (std::size_t c = 0; c < C; ++c) {
        x.value.push_back(static_cast<T>(uniform(rng, -1, 1)));
        x.argmax.push_back(T(0));
      }
    }
    x.begin.push_back(static_cast<std::uint32_t>(x.window.size()));
  }
  return x;
}

template <class T>
PooledRows<T> cast_rows(const PooledRows<double>& x) {
  PooledRows<T> y;
  y.N = x.N;
  y.Hp = x.Hp;
  y.Wp = x.Wp;
  y.C = x.C;
  y.base.assign(x.base.begin(), x.base.end());
  y.begin = x.begin;
  y.window = x.window;
  y.value.assign(x.value.begin(), x.value.end());
  y.argmax.assign(x.argmax.begin(), x.argmax.end());
  return y;
}

// Checks the block in T against the double composition of the library
// layers. `tol` bounds the error relative to the largest magnitude of each
// compared quantity.
template <class T>
void check_against_layers(const Conv2d<double>& layer, const PooledRows<double>& x_double,
                          const xt::xtensor<double, 4>& dp, double tol) {
  const PooledRows<T> x = cast_rows<T>(x_double);
  Conv2d<T> fused{xt::cast<T>(layer.W), xt::cast<T>(layer.b), {}, {}};
  ConvRowsScratch<T> s;
  xt::xtensor<T, 4> p;
  std::vector<T> argmax, dvalue, dsum;
  conv_pool_rows_forward(fused, x, p, argmax, s);
  conv_pool_rows_backward(fused, x, argmax, xt::xtensor<T, 4>(xt::cast<T>(dp)), dvalue, dsum, s);

  // Reference forward.
  Conv2d<double> ref = layer;
  Conv2dScratch<double> scratch;
  const xt::xtensor<double, 4> xd = to_dense(x_double);
  xt::xtensor<double, 4> c, p_ref, dc, dx;
  conv2d_forward(ref, xd, c, scratch);
  maxpool2d_forward(c, p_ref);
  auto max_abs = [](const auto& v) {
    double m = 0;
    for (const auto e : v) m = std::max(m, std::fabs(double(e)));
    return m;
  };
  double scale = max_abs(p_ref) + 1e-300;
  for (std::size_t q = 0; q < p.size(); ++q)
    RC_ASSERT(std::fabs(double(p.data()[q]) - p_ref.data()[q]) <= tol * scale);
  // The arg-max points at a maximal entry of its window (up to rounding);
  // route dp through it, as the library's max-pool does through its own.
  const std::size_t N = x.N, H = x.Hp, W = x.Wp, O = layer.W.shape(3);
  dc = xt::zeros<double>({N, H, W, O});
  for (std::size_t n = 0; n < N; ++n)
    for (std::size_t i = 0; i < H / 2; ++i)
      for (std::size_t j = 0; j < W / 2; ++j)
        for (std::size_t o = 0; o < O; ++o) {
          const std::size_t q = ((n * (H / 2) + i) * (W / 2) + j) * O + o;
          const int a = static_cast<int>(argmax[q]);
          RC_ASSERT(a >= 0 && a <= 3);
          RC_ASSERT(std::fabs(c(n, 2 * i + a / 2, 2 * j + a % 2, o) - p_ref.data()[q]) <= tol * scale);
          dc(n, 2 * i + a / 2, 2 * j + a % 2, o) = dp.data()[q];
        }
  conv2d_backward(ref, xd, dc, &dx, scratch);
  scale = max_abs(ref.dW) + 1e-300;
  for (std::size_t q = 0; q < ref.dW.size(); ++q)
    RC_ASSERT(std::fabs(double(fused.dW.data()[q]) - ref.dW.data()[q]) <= tol * scale);
  scale = max_abs(ref.db) + 1e-300;
  for (std::size_t o = 0; o < O; ++o) RC_ASSERT(std::fabs(double(fused.db(o)) - ref.db(o)) <= tol * scale);
  // dx at the listed rows, and summed over all pixels.
  const std::size_t C = x.C;
  scale = max_abs(dx) + 1e-300;
  std::vector<double> sum(C, 0.0);
  for (std::size_t q = 0; q < dx.size(); ++q) sum[q % C] += dx.data()[q];
  for (std::size_t n = 0; n < N; ++n)
    for (std::size_t r = x.begin[n]; r < x.begin[n + 1]; ++r)
      for (std::size_t cc = 0; cc < C; ++cc)
        RC_ASSERT(std::fabs(double(dvalue[r * C + cc]) - dx.data()[(n * H * W + x.window[r]) * C + cc]) <=
                  tol * scale);
  scale = max_abs(sum) + 1e-300;
  for (std::size_t cc = 0; cc < C; ++cc) RC_ASSERT(std::fabs(double(dsum[cc]) - sum[cc]) <= tol * scale * H * W);
}

// Inputs as training makes them (the first block on line images, conv1
// with a non-zero bias, 5x5 16 -> 16) and random bias-plus-rows inputs of
// any geometry, density from none to all pixels listed. Double: the same
// sums in another order, relative error ~1e-15; float: ~1e-6 (bound 1e-4,
// the sums have up to 16 * 25 * 196 terms).
RC_GTEST_PROP(TupleSecondBlock, FusedBlockEqualsConvThenMaxPoolOnTheDenseInput, ()) {
  const bool line_images = *rc::gen::arbitrary<bool>();
  const auto seed = *rc::gen::inRange<std::uint64_t>(0, 1u << 30);
  RC_CLASSIFY(line_images, "line images");
  Engine rng(seed);
  PooledRows<double> x;
  std::size_t K, O;
  if (line_images) {
    const auto N = static_cast<std::size_t>(*rc::gen::inRange(1, 5));
    LineTupleBatch<double> batch;
    sample_line_tuples(N, LineTupleSpec{1}, rng, batch);
    Conv2d<double> conv1 = conv2d_init<double>(5, 5, 1, 16, rng);
    for (double& b : conv1.b) b = uniform(rng, -0.3, 0.3);
    ConvPoolScratch<double> fs;
    conv_pool_sparse_forward(conv1, batch.images, x, fs);
    K = 5;
    O = 16;
  } else {
    const auto N = static_cast<std::size_t>(*rc::gen::inRange(1, 4));
    const auto H = 2 * static_cast<std::size_t>(*rc::gen::inRange(1, 6));
    const auto W = 2 * static_cast<std::size_t>(*rc::gen::inRange(1, 6));
    const auto C = static_cast<std::size_t>(*rc::gen::inRange(1, 5));
    const double density = *rc::gen::element(0.0, 0.1, 0.5, 1.0);
    RC_CLASSIFY(density == 0.0, "no rows");
    x = random_rows<double>(N, H, W, C, density, rng);
    K = 2 * static_cast<std::size_t>(*rc::gen::inRange(0, 3)) + 1;
    O = static_cast<std::size_t>(*rc::gen::inRange(1, 17));
  }
  Conv2d<double> layer = conv2d_init<double>(K, K, x.C, O, rng);
  for (double& b : layer.b) b = uniform(rng, -0.5, 0.5);
  xt::xtensor<double, 4> dp = xt::xtensor<double, 4>::from_shape({x.N, x.Hp / 2, x.Wp / 2, O});
  for (double& v : dp.storage()) v = uniform(rng, -1, 1);
  check_against_layers<double>(layer, x, dp, 1e-12);
  check_against_layers<float>(layer, x, dp, 1e-4);
}

// Away from the listed pixels the output is the base field's convolution
// bit for bit, so a window whose four pixels read only inside the image
// (all taps) and no row holds four equal values: the max is exact and the
// arg-max is the first entry, as lib/nn's max-pool breaks the tie.
TEST(TupleSecondBlock, UnreachedInteriorWindowsAreExactTiesRoutedToTheFirstEntry) {
  Engine rng(3);
  PooledRows<float> x = random_rows<float>(2, 14, 14, 16, 0.0, rng);
  // One listed pixel in image 1, at (0, 0): it reaches output rows and
  // columns 0..2 only.
  x.window = {0};
  x.value.assign(16, 2.0f);
  x.argmax.assign(16, 0.0f);
  x.begin = {0, 0, 1};
  Conv2d<float> layer = conv2d_init<float>(5, 5, 16, 16, rng);
  for (float& b : layer.b) b = static_cast<float>(uniform(rng, -0.5, 0.5));
  ConvRowsScratch<float> s;
  xt::xtensor<float, 4> p;
  std::vector<float> argmax;
  conv_pool_rows_forward(layer, x, p, argmax, s);
  // Windows (i, j) with 2 <= 2i and 2i + 1 <= 11 (rows 2..11 read all taps
  // inside a 14-pixel image), likewise j; in image 1 also clear of (0..2).
  int checked = 0;
  for (std::size_t n = 0; n < 2; ++n)
    for (std::size_t i = 1; i <= 5; ++i)
      for (std::size_t j = 1; j <= 5; ++j) {
        if (n == 1 && i == 1 && j == 1) continue;  // pixels (2..3, 2..3) are reached
        for (std::size_t o = 0; o < 16; ++o) {
          EXPECT_EQ(argmax[((n * 7 + i) * 7 + j) * 16 + o], 0.0f);
          EXPECT_EQ(p(n, i, j, o), p(0, 3, 3, o));
          ++checked;
        }
      }
  EXPECT_EQ(checked, (25 + 24) * 16);
}

TEST(TupleSecondBlock, RejectsInconsistentInputs) {
  Engine rng(1);
  Conv2d<float> layer = conv2d_init<float>(5, 5, 16, 16, rng);
  ConvRowsScratch<float> s;
  xt::xtensor<float, 4> p;
  std::vector<float> argmax;
  PooledRows<float> odd = random_rows<float>(1, 7, 8, 16, 0.2, rng);
  EXPECT_THROW(conv_pool_rows_forward(layer, odd, p, argmax, s), std::invalid_argument);
  PooledRows<float> channels = random_rows<float>(1, 8, 8, 3, 0.2, rng);
  EXPECT_THROW(conv_pool_rows_forward(layer, channels, p, argmax, s), std::invalid_argument);
  PooledRows<float> truncated = random_rows<float>(2, 8, 8, 16, 0.5, rng);
  truncated.value.pop_back();
  EXPECT_THROW(conv_pool_rows_forward(layer, truncated, p, argmax, s), std::invalid_argument);
}

}  // namespace
}  // namespace fgbdl
