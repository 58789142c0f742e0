// Tests of the parity generator (lib/data/parity.h).
#include "lib/data/parity.h"

#include "gtest/gtest.h"
#include "rapidcheck/gtest.h"

namespace fgbdl {
namespace {

TEST(Parity, LabelIsTheProductOverTheSubset) {
  Parity p{4, {true, false, true, true}};
  const float x[4] = {-1, -1, 1, -1};  // x0 * x2 * x3 = (-1)(1)(-1) = 1
  EXPECT_EQ(parity_label(p, x), 1.0f);
  const float x2[4] = {-1, 1, 1, 1};   // (-1)(1)(1) = -1
  EXPECT_EQ(parity_label(p, x2), -1.0f);
}

RC_GTEST_PROP(Parity, BatchesHoldSignsAndTheirParity, (std::uint64_t seed)) {
  const int d = *rc::gen::inRange(1, 65);
  Engine rng(seed);
  const Parity p = draw_parity(d, rng);
  RC_ASSERT(std::count(p.in_subset.begin(), p.in_subset.end(), true) > 0);
  Matrix x, y;
  sample_parity_batch(p, 37, rng, x, y);
  RC_ASSERT(x.shape(0) == 37u && x.shape(1) == static_cast<std::size_t>(d));
  for (std::size_t r = 0; r < 37; ++r) {
    for (int i = 0; i < d; ++i) RC_ASSERT(x(r, i) == 1.0f || x(r, i) == -1.0f);
    RC_ASSERT(y(r, 0) == parity_label(p, &x(r, 0)));
  }
}

// Null hypothesis: each coordinate is a fair sign and each label is a fair
// sign. Over n = 128 * 400 draws the mean has sd 1/sqrt(n) = 0.0044; the
// bound 0.025 is 5.7 sd (two-sided flake probability about 1e-8 per
// coordinate, on a fixed seed: deterministic).
TEST(Parity, SignsAndLabelsAreBalanced) {
  Engine rng(7);
  const Parity p = draw_parity(12, rng);
  Matrix x, y;
  std::vector<double> sum(12, 0.0);
  double label_sum = 0;
  const int rounds = 400;
  for (int k = 0; k < rounds; ++k) {
    sample_parity_batch(p, 128, rng, x, y);
    for (std::size_t r = 0; r < 128; ++r) {
      for (std::size_t i = 0; i < 12; ++i) sum[i] += x(r, i);
      label_sum += y(r, 0);
    }
  }
  const double n = 128.0 * rounds;
  for (double s : sum) EXPECT_LT(std::abs(s / n), 0.025);
  EXPECT_LT(std::abs(label_sum / n), 0.025);
}

TEST(Parity, RejectsAnOutOfRangeDimension) {
  Engine rng(1);
  EXPECT_THROW(draw_parity(0, rng), std::invalid_argument);
  EXPECT_THROW(draw_parity(65, rng), std::invalid_argument);
}

}  // namespace
}  // namespace fgbdl
