// The fused first block of N1 (tuple_first_block.h) against the
// composition of lib/nn's layers: conv2d (sparse path) then maxpool2d.
#include "experiments/sec3_decomposition/tuple_first_block.h"

#include <cmath>

#include "gtest/gtest.h"
#include "lib/core/rng.h"
#include "lib/data/line_images.h"
#include "lib/nn/conv2d.h"
#include "lib/nn/maxpool2d.h"
#include "rapidcheck/gtest.h"

namespace fgbdl {
namespace {

template <class T>
void check_against_layers(const Conv2d<T>& layer, const xt::xtensor<T, 4>& x, const xt::xtensor<T, 4>& dp) {
  // Composition of the library layers.
  Conv2d<T> ref = layer;
  Conv2dScratch<T> scratch;
  xt::xtensor<T, 4> c, p_ref, dc;
  conv2d_forward(ref, x, c, scratch, ConvInput::kSparse);
  maxpool2d_forward(c, p_ref);
  maxpool2d_backward(c, dp, dc);
  conv2d_backward(ref, x, dc, nullptr, scratch, ConvInput::kSparse);
  // Fused: the gradient at the listed rows, and summed over all pixels.
  Conv2d<T> fused = layer;
  ConvPoolScratch<T> fs;
  PooledRows<T> p;
  conv_pool_sparse_forward(fused, x, p, fs);
  const std::size_t O = layer.W.shape(3), Wp = x.shape(2) / 2, Hp = x.shape(1) / 2;
  std::vector<T> dvalue(p.rows() * O), dsum(O, T(0));
  for (std::size_t n = 0; n < p.N; ++n)
    for (std::size_t r = p.begin[n]; r < p.begin[n + 1]; ++r)
      std::copy_n(dp.data() + (n * Hp * Wp + p.window[r]) * O, O, dvalue.data() + r * O);
  for (std::size_t q = 0; q < dp.size(); ++q) dsum[q % O] += dp.data()[q];
  conv_pool_sparse_backward(fused, x, p, dvalue, dsum, fs);
  RC_ASSERT(to_dense(p) == p_ref);     // bit for bit, the unlisted pixels being the bias
  RC_ASSERT(fused.dW == ref.dW);       // equal (only zeros are added apart)
  double worst = 0;
  for (std::size_t o = 0; o < fused.db.size(); ++o)
    worst = std::max(worst, std::fabs(double(fused.db(o)) - double(ref.db(o))));
  // db: the same dp values summed in another order; relative rounding of a
  // sum of <= 6 * 196 terms: <= 1200 * 2^-52 (double) or 2^-23 (float)
  // times the sum of magnitudes (<= 1200 here).
  RC_ASSERT(worst <= (sizeof(T) == 8 ? 1e-10 : 1e-2));
  // The arg-max routes every listed pooled gradient to the one conv output
  // that the library's max-pool backward picks.
  for (std::size_t n = 0; n < p.N; ++n)
    for (std::size_t r = p.begin[n]; r < p.begin[n + 1]; ++r)
      for (std::size_t o = 0; o < O; ++o) {
        const int a = static_cast<int>(p.argmax[r * O + o]);
        RC_ASSERT(a >= 0 && a <= 3);
        const std::size_t i = p.window[r] / Wp, j = p.window[r] % Wp;
        const T g = dp(n, i, j, o);
        if (g != T(0)) RC_ASSERT(dc(n, 2 * i + a / 2, 2 * j + a % 2, o) == g);
      }
}

// Line images (as in training) and random sparse inputs with several
// channels and odd kernels; float and double.
RC_GTEST_PROP(TupleFirstBlock, FusedBlockEqualsConvThenMaxPool, ()) {
  const bool line_images = *rc::gen::arbitrary<bool>();
  const auto seed = *rc::gen::inRange<std::uint64_t>(0, 1u << 30);
  Engine rng(seed);
  std::size_t N, H, W, C, K;
  xt::xtensor<double, 4> x;
  if (line_images) {
    N = static_cast<std::size_t>(*rc::gen::inRange(1, 7));
    H = W = 28;
    C = 1;
    K = 5;
    LineTupleBatch<double> batch;
    sample_line_tuples(N, LineTupleSpec{1}, rng, batch);
    x = batch.images;
  } else {
    N = static_cast<std::size_t>(*rc::gen::inRange(1, 4));
    H = 2 * static_cast<std::size_t>(*rc::gen::inRange(1, 6));
    W = 2 * static_cast<std::size_t>(*rc::gen::inRange(1, 6));
    C = static_cast<std::size_t>(*rc::gen::inRange(1, 4));
    K = 2 * static_cast<std::size_t>(*rc::gen::inRange(0, 3)) + 1;
    x = xt::zeros<double>({N, H, W, C});
    for (double& v : x.storage()) v = uniform01(rng) < 0.1 ? uniform(rng, -1, 1) : 0.0;
  }
  RC_CLASSIFY(line_images, "line images");
  const std::size_t O = static_cast<std::size_t>(*rc::gen::inRange(1, 17));
  Conv2d<double> layer = conv2d_init<double>(K, K, C, O, rng);
  for (double& b : layer.b) b = uniform(rng, -0.5, 0.5);
  xt::xtensor<double, 4> dp = xt::xtensor<double, 4>::from_shape({N, H / 2, W / 2, O});
  for (double& v : dp.storage()) v = uniform(rng, -1, 1);
  check_against_layers(layer, x, dp);
  const Conv2d<float> lf{xt::cast<float>(layer.W), xt::cast<float>(layer.b), {}, {}};
  check_against_layers(lf, xt::xtensor<float, 4>(xt::cast<float>(x)),
                       xt::xtensor<float, 4>(xt::cast<float>(dp)));
}

TEST(TupleFirstBlock, RejectsOddImageSizes) {
  Engine rng(1);
  Conv2d<float> layer = conv2d_init<float>(5, 5, 1, 16, rng);
  xt::xtensor<float, 4> x = xt::zeros<float>({1, 7, 8, 1});
  PooledRows<float> p;
  ConvPoolScratch<float> s;
  EXPECT_THROW(conv_pool_sparse_forward(layer, x, p, s), std::invalid_argument);
}

}  // namespace
}  // namespace fgbdl
