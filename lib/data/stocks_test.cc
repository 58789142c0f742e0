// Tests of the stocks generator (lib/data/stocks.h).
#include "lib/data/stocks.h"

#include <cmath>
#include <stdexcept>
#include <vector>

#include "gtest/gtest.h"
#include "rapidcheck/gtest.h"

namespace fgbdl {
namespace {

RC_GTEST_PROP(Stocks, SignalsAreSignsWithAOneAtTheLabel, (std::uint64_t seed)) {
  const auto d = static_cast<std::size_t>(*rc::gen::inRange(1, 300));
  const auto k = static_cast<std::size_t>(*rc::gen::inRange(1, 200));
  const auto B = static_cast<std::size_t>(*rc::gen::inRange(0, 40));
  Engine rng(seed);
  const StocksProblem p = draw_stocks_problem(d, k, rng);
  RC_ASSERT(p.d == d && p.k == k && p.label.size() == d);
  for (const std::int32_t y : p.label) RC_ASSERT(y >= 0 && static_cast<std::size_t>(y) < k);
  std::vector<std::int32_t> j;
  sample_stocks_inputs(p, B, rng, j);
  RC_ASSERT(j.size() == B);
  Matrix z;
  sample_stocks_signals(p, j, rng, z);
  RC_ASSERT(z.shape(0) == B && z.shape(1) == k);
  for (std::size_t r = 0; r < B; ++r) {
    RC_ASSERT(j[r] >= 0 && static_cast<std::size_t>(j[r]) < d);
    RC_ASSERT(z(r, static_cast<std::size_t>(p.label[static_cast<std::size_t>(j[r])])) == 1.0f);
    for (std::size_t l = 0; l < k; ++l) RC_ASSERT(z(r, l) == 1.0f || z(r, l) == -1.0f);
  }
}

TEST(Stocks, OneHotInputsHaveASingleOneAtTheIndex) {
  Engine rng(3);
  const StocksProblem p = draw_stocks_problem(5, 3, rng);
  const Matrix x = stocks_one_hot(p, {4, 0, 4});
  const Matrix expected = {{0, 0, 0, 0, 1}, {1, 0, 0, 0, 0}, {0, 0, 0, 0, 1}};
  EXPECT_EQ(x, expected);
}

TEST(Stocks, ProblemsAndBatchesAreReproducibleFromTheSeed) {
  Engine a(9), b(9), c(10);
  const StocksProblem pa = draw_stocks_problem(100, 7, a), pb = draw_stocks_problem(100, 7, b),
                      pc = draw_stocks_problem(100, 7, c);
  EXPECT_EQ(pa.label, pb.label);
  EXPECT_NE(pa.label, pc.label);
  std::vector<std::int32_t> ja, jb;
  sample_stocks_inputs(pa, 50, a, ja);
  sample_stocks_inputs(pb, 50, b, jb);
  EXPECT_EQ(ja, jb);
  Matrix za, zb;
  sample_stocks_signals(pa, ja, a, za);
  sample_stocks_signals(pb, jb, b, zb);
  EXPECT_EQ(za, zb);
}

// Null hypothesis: labels, indices and the signs off the label are uniform,
// and distinct signs are uncorrelated, so E[z | x] = e_{y(x)} and
// E[z_i z_l | x] = [i = l]. Fixed seeds (deterministic); each bound is about
// 6 standard deviations of the estimate it bounds (flake probability ~1e-9 per
// bound over fresh seeds):
//   label counts over d = 100 000, k = 10: count ~ Binomial(1e5, 0.1), sd 95: |count - 1e4| <= 600;
//   index counts over 200 000 draws from d = 20: sd 97.5: |count - 1e4| <= 600;
//   sign means over n = 20 000 rows: sd 1/sqrt(n) = 0.0071: |mean| <= 0.045;
//   the products z_0 z_1 (off the label): same sd: |mean| <= 0.045.
TEST(Stocks, LabelsIndicesAndSignsAreUniform) {
  Engine rng(11);
  {
    const StocksProblem p = draw_stocks_problem(100000, 10, rng);
    std::vector<int> count(10, 0);
    for (const std::int32_t y : p.label) ++count[static_cast<std::size_t>(y)];
    for (const int c : count) EXPECT_NEAR(c, 10000, 600);
  }
  const StocksProblem p = draw_stocks_problem(20, 70, rng);  // 70 > 64: two sign draws per row
  std::vector<std::int32_t> j;
  sample_stocks_inputs(p, 200000, rng, j);
  std::vector<int> count(20, 0);
  for (const std::int32_t v : j) ++count[static_cast<std::size_t>(v)];
  for (const int c : count) EXPECT_NEAR(c, 10000, 600);

  // All rows with input 0: E[z | x = e_0] = e_{y(0)}.
  const std::size_t n = 20000;
  const std::vector<std::int32_t> zeros(n, 0);
  Matrix z;
  sample_stocks_signals(p, zeros, rng, z);
  const auto y0 = static_cast<std::size_t>(p.label[0]);
  const std::size_t a = y0 == 0 ? 1 : 0, b = y0 == 69 ? 68 : 69;  // two coordinates off the label
  double prod = 0;
  for (std::size_t l = 0; l < 70; ++l) {
    double mean = 0;
    for (std::size_t r = 0; r < n; ++r) mean += z(r, l);
    mean /= n;
    if (l == y0) {
      EXPECT_EQ(mean, 1.0);
    } else {
      EXPECT_NEAR(mean, 0.0, 0.045) << "coordinate " << l;
    }
  }
  for (std::size_t r = 0; r < n; ++r) prod += z(r, a) * z(r, b);
  EXPECT_NEAR(prod / n, 0.0, 0.045);
}

TEST(Stocks, RejectsBadSizesAndIndices) {
  Engine rng(1);
  EXPECT_THROW(draw_stocks_problem(0, 5, rng), std::invalid_argument);
  EXPECT_THROW(draw_stocks_problem(5, 0, rng), std::invalid_argument);
  const StocksProblem p = draw_stocks_problem(5, 3, rng);
  Matrix z;
  EXPECT_THROW(sample_stocks_signals(p, {0, 5}, rng, z), std::invalid_argument);
  EXPECT_THROW(sample_stocks_signals(p, {-1}, rng, z), std::invalid_argument);
}

}  // namespace
}  // namespace fgbdl
