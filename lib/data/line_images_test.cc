// Tests of the line-image generator (lib/data/line_images.h): hand-drawn
// segments for both rasterizers, clipping, labels, balance, determinism.
#include "lib/data/line_images.h"

#include <cmath>
#include <set>

#include "gtest/gtest.h"
#include "rapidcheck/gtest.h"

namespace fgbdl {
namespace {

using Pixels = std::vector<std::pair<int, int>>;

std::set<std::pair<int, int>> as_set(const Pixels& p) { return {p.begin(), p.end()}; }

TEST(LineImages, ThetaZeroRunsDownAColumn) {
  // u = (cos 0, sin 0) = (1, 0): the row changes. c = (10.2, 5.7), l = 6.
  // Paper: t = 0..3, rows round(10.2 -+ t) = 10, 9, 11, 8, 12, 7, 13;
  // column round(5.7) = 6.
  const LineSegment s{0.0, 10.2, 5.7, 6.0};
  const Pixels expected = {{10, 6}, {9, 6}, {11, 6}, {8, 6}, {12, 6}, {7, 6}, {13, 6}};
  EXPECT_EQ(line_pixels(s, LineRasterizer::kPaper), expected);
  // Script: t = 0..2, rows trunc(10.2 -+ t) = 10, 9, 11, 8, 12; column
  // trunc(5.7) = 5.
  const Pixels script = {{10, 5}, {9, 5}, {11, 5}, {8, 5}, {12, 5}};
  EXPECT_EQ(line_pixels(s, LineRasterizer::kScript), script);
  EXPECT_EQ(line_label(s), 1.0f);
}

TEST(LineImages, ThetaHalfPiRunsAlongARow) {
  // u = (cos pi/2, sin pi/2) = (6e-17, 1): the column changes, the row
  // stays round(20.4) = 20. c = (20.4, 3.2), l = 5.5: t = 0..2, columns
  // round(3.2 -+ t) = 3, 2, 4, 1, 5.
  const LineSegment s{M_PI / 2, 20.4, 3.2, 5.5};
  const Pixels expected = {{20, 3}, {20, 2}, {20, 4}, {20, 1}, {20, 5}};
  EXPECT_EQ(line_pixels(s, LineRasterizer::kPaper), expected);
  EXPECT_EQ(line_label(s), -1.0f);  // theta = pi/2 is not < pi/2
}

TEST(LineImages, DiagonalSegmentsAndTheirLabels) {
  // theta = pi/4: u = (0.7071, 0.7071), c = (14, 14), l = 8: t = 0..4,
  // 14 -+ 0.7071 t = 14; 13.29, 14.71; 12.59, 15.41; 11.88, 16.12;
  // 11.17, 16.83 -> rounded 14; 13, 15; 13, 15 (again); 12, 16; 11, 17.
  const LineSegment down{M_PI / 4, 14.0, 14.0, 8.0};
  const Pixels expected = {{14, 14}, {13, 13}, {15, 15}, {12, 12}, {16, 16}, {11, 11}, {17, 17}};
  EXPECT_EQ(line_pixels(down, LineRasterizer::kPaper), expected);
  EXPECT_EQ(line_label(down), 1.0f);
  // theta = 3 pi/4: u = (-0.7071, 0.7071), the other diagonal, label -1.
  const LineSegment up{3 * M_PI / 4, 14.0, 14.0, 8.0};
  const Pixels other = {{14, 14}, {15, 13}, {13, 15}, {16, 12}, {12, 16}, {17, 11}, {11, 17}};
  EXPECT_EQ(line_pixels(up, LineRasterizer::kPaper), other);
  EXPECT_EQ(line_label(up), -1.0f);
}

TEST(LineImages, PixelsOutsideTheImageAreDropped) {
  // c = (1.0, 20.0), theta = 0, l = 10: t = 0..5, rows 1 -+ t = 1, 0, 2,
  // -1, 3, -2, 4, -3, 5, -4, 6; the negative rows are dropped.
  const LineSegment s{0.0, 1.0, 20.0, 10.0};
  const Pixels expected = {{1, 20}, {0, 20}, {2, 20}, {3, 20}, {4, 20}, {5, 20}, {6, 20}};
  EXPECT_EQ(line_pixels(s, LineRasterizer::kPaper), expected);
  // At the far border: c = (27.6, 10.2), theta = 0: round(27.6) = 28 is
  // outside already at t = 0. l = 5: t = 0..2, rows 27.6 -+ t -> 28 (out),
  // 27, 29 (out), 26, 30 (out).
  const LineSegment far{0.0, 27.6, 10.2, 5.0};
  const Pixels far_expected = {{27, 10}, {26, 10}};
  EXPECT_EQ(line_pixels(far, LineRasterizer::kPaper), far_expected);
}

TEST(LineImages, ScriptTruncatesTowardZero) {
  // c = (0.4, 3.3), theta = 0, l = 6. Paper: t = 0..3, rows round(0.4 -+ t)
  // = 0, -1 (out), 1, -2 (out), 2, -3 (out), 3. Script: t = 0..2, rows
  // trunc(0.4 -+ t) = 0, trunc(-0.6) = 0 (toward zero: inside, the pixel
  // of t = 0 again), 1, trunc(-1.6) = -1 (out), 2.
  const LineSegment s{0.0, 0.4, 3.3, 6.0};
  EXPECT_EQ(line_pixels(s, LineRasterizer::kPaper), (Pixels{{0, 3}, {1, 3}, {2, 3}, {3, 3}}));
  EXPECT_EQ(line_pixels(s, LineRasterizer::kScript), (Pixels{{0, 3}, {1, 3}, {2, 3}}));
}

TEST(LineImages, TupleLabelsFollowTheirRules) {
  const float one[] = {-1};
  const float two[] = {1, 1};
  const float three[] = {1, -1, -1};
  const float four[] = {-1, 1, 1, 1};
  // Product.
  EXPECT_EQ(tuple_label(one, 1, TupleLabelRule::kProduct), -1.0f);
  EXPECT_EQ(tuple_label(two, 2, TupleLabelRule::kProduct), 1.0f);
  EXPECT_EQ(tuple_label(three, 3, TupleLabelRule::kProduct), 1.0f);
  EXPECT_EQ(tuple_label(four, 4, TupleLabelRule::kProduct), -1.0f);
  // Script: +1 iff the count of +1 images is odd (0, 2, 1, 3 of them).
  EXPECT_EQ(tuple_label(one, 1, TupleLabelRule::kScriptOddCount), -1.0f);
  EXPECT_EQ(tuple_label(two, 2, TupleLabelRule::kScriptOddCount), -1.0f);
  EXPECT_EQ(tuple_label(three, 3, TupleLabelRule::kScriptOddCount), 1.0f);
  EXPECT_EQ(tuple_label(four, 4, TupleLabelRule::kScriptOddCount), 1.0f);
}

// Every drawn segment is in range; its pixels are inside the image, distinct,
// at most 2 floor(l/2) + 1 (paper) or 2 floor(l/2) - 1 (script) of them,
// and within l/2 + 1 of the centre; the script's t = 0 pixel is never
// dropped (truncation of a coordinate in [0, 28) stays inside).
RC_GTEST_PROP(LineImages, SegmentsAreInRangeAndPixelsNearTheCentre, (std::uint64_t seed)) {
  Engine rng(seed);
  const LineSegment s = draw_line_segment(rng);
  RC_ASSERT(s.theta >= 0 && s.theta < M_PI);
  RC_ASSERT(s.c_row >= 0 && s.c_row < 28 && s.c_col >= 0 && s.c_col < 28);
  RC_ASSERT(s.length >= 5 && s.length <= 23);
  for (const LineRasterizer r : {LineRasterizer::kPaper, LineRasterizer::kScript}) {
    const Pixels p = line_pixels(s, r);
    const long half = static_cast<long>(std::floor(s.length / 2));
    RC_ASSERT(static_cast<long>(p.size()) <= (r == LineRasterizer::kPaper ? 2 * half + 1 : 2 * half - 1));
    RC_ASSERT(as_set(p).size() == p.size());
    for (const auto& [row, col] : p) {
      RC_ASSERT(row >= 0 && row < 28 && col >= 0 && col < 28);
      RC_ASSERT(std::hypot(row - s.c_row, col - s.c_col) <= s.length / 2 + 1.5);
    }
    if (r == LineRasterizer::kScript) RC_ASSERT(!p.empty());
  }
}

TEST(LineImages, BatchesHoldTheirImagesAndLabels) {
  Engine rng(3), replay(3);
  LineTupleBatch<float> batch;
  const LineTupleSpec spec{3, LineRasterizer::kPaper, TupleLabelRule::kProduct};
  sample_line_tuples(5, spec, rng, batch);
  ASSERT_EQ(batch.images.shape(), (std::array<std::size_t, 4>{15, 28, 28, 1}));
  ASSERT_EQ(batch.image_labels.shape(), (std::array<std::size_t, 2>{15, 1}));
  ASSERT_EQ(batch.tuple_labels.shape(), (std::array<std::size_t, 2>{5, 1}));
  // Redraw the segments from the same seed: image b*k + j is segment b*k + j.
  for (std::size_t b = 0; b < 5; ++b) {
    float y[3];
    for (std::size_t j = 0; j < 3; ++j) {
      const LineSegment s = draw_line_segment(replay);
      y[j] = line_label(s);
      EXPECT_EQ(batch.image_labels(b * 3 + j, 0), y[j]);
      const auto lit = as_set(line_pixels(s, LineRasterizer::kPaper));
      for (int r = 0; r < 28; ++r)
        for (int c = 0; c < 28; ++c)
          EXPECT_EQ(batch.images(b * 3 + j, r, c, 0), lit.count({r, c}) ? 1.0f : 0.0f);
    }
    EXPECT_EQ(batch.tuple_labels(b, 0), y[0] * y[1] * y[2]);
  }
}

TEST(LineImages, SameSeedSameBatchOtherSeedOtherBatch) {
  const LineTupleSpec spec{2, LineRasterizer::kScript, TupleLabelRule::kScriptOddCount};
  LineTupleBatch<float> a, b, c;
  Engine ra(11), rb(11), rc(12);
  sample_line_tuples(20, spec, ra, a);
  sample_line_tuples(20, spec, rb, b);
  sample_line_tuples(20, spec, rc, c);
  EXPECT_EQ(a.images, b.images);
  EXPECT_EQ(a.tuple_labels, b.tuple_labels);
  EXPECT_NE(a.images, c.images);
  // float and double batches from the same seed hold the same values.
  LineTupleBatch<double> d;
  Engine rd(11);
  sample_line_tuples(20, spec, rd, d);
  const xt::xtensor<float, 4> d_as_float = xt::cast<float>(d.images);
  EXPECT_EQ(d_as_float, a.images);
}

// Null hypothesis: image labels and tuple labels are fair signs (theta is
// uniform on [0, pi), so P(theta < pi/2) = 1/2, and the product of k
// independent fair signs is fair). Over n draws the mean of a fair sign has
// sd 1/sqrt(n): n = 200 000 images, sd 0.00224; n = 50 000 tuples per k,
// sd 0.00447. Bounds are 5 sd (two-sided flake probability 5.7e-7 each, 9
// checks: < 1e-5 on fresh seeds; the seed is fixed, so deterministic).
TEST(LineImages, LabelsAreBalanced) {
  Engine rng(2017);
  double sum = 0;
  const int n = 200000;
  for (int i = 0; i < n; ++i) sum += line_label(draw_line_segment(rng));
  EXPECT_LT(std::abs(sum / n), 5 * 0.00224);
  // Tuple labels from drawn segments (sample_line_tuples draws them the same
  // way: BatchesHoldTheirImagesAndLabels), without rasterizing.
  for (const TupleLabelRule rule : {TupleLabelRule::kProduct, TupleLabelRule::kScriptOddCount}) {
    for (int k = 1; k <= 4; ++k) {
      double tuple_sum = 0;
      for (int t = 0; t < 50000; ++t) {
        float y[4];
        for (int j = 0; j < k; ++j) y[j] = line_label(draw_line_segment(rng));
        tuple_sum += tuple_label(y, k, rule);
      }
      EXPECT_LT(std::abs(tuple_sum / 50000), 5 * 0.00447) << "k=" << k << " rule=" << to_string(rule);
    }
  }
}

TEST(LineImages, RejectsAnEmptyTupleSize) {
  Engine rng(1);
  LineTupleBatch<float> batch;
  EXPECT_THROW(sample_line_tuples(3, LineTupleSpec{0}, rng, batch), std::invalid_argument);
}

}  // namespace
}  // namespace fgbdl
