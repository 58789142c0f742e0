// The pieces of X2's data-set part: the softmax cross-entropy (a hand value
// and, through GaLU0, the gradient per parameter group), the IDX reader on a
// gzip file written here, and the PCA's standardized coordinates (zero mean
// and identity covariance on the training set).
#include <zlib.h>

#include <cmath>
#include <cstdlib>
#include <string>
#include <vector>

#include "experiments/ext_gating/fashion_data.h"
#include "experiments/ext_gating/gating_training.h"
#include "gtest/gtest.h"
#include "lib/core/rng.h"
#include "lib/train/galu0.h"
#include "lib/train/gradient_check.h"
#include "lib/train/mlp.h"

namespace fgbdl {
namespace {

TEST(SoftmaxCrossEntropy, HandValue) {
  // Row 1: scores (0, 0), class 0: loss ln 2, dscore (-1/2, 1/2) / B.
  // Row 2: scores (ln 3, 0), class 0: p = 3/4, loss ln(4/3), dscore (-1/4, 1/4) / B.
  const Matrix score = {{0.0f, 0.0f}, {static_cast<float>(std::log(3.0)), 0.0f}};
  const Matrix y = {{1.0f, 0.0f}, {1.0f, 0.0f}};
  Matrix d;
  const float loss = softmax_cross_entropy(score, y, d);
  EXPECT_NEAR(loss, (std::log(2.0) + std::log(4.0 / 3.0)) / 2, 1e-6);
  EXPECT_NEAR(d(0, 0), -0.25, 1e-6);
  EXPECT_NEAR(d(0, 1), 0.25, 1e-6);
  EXPECT_NEAR(d(1, 0), -0.125, 1e-6);
  EXPECT_NEAR(d(1, 1), 0.125, 1e-6);
}

TEST(SoftmaxCrossEntropy, GradientThroughGalu0MatchesFiniteDifferences) {
  for (std::uint64_t seed = 1; seed <= 4; ++seed) {
    Engine init = derive_engine(seed, 1), data = derive_engine(seed, 2);
    NetworkModel<Galu0> model(Galu0({5, 6, 4, 3}, 1.0, 1.0, init), &softmax_cross_entropy);
    XYBatch b{Matrix::from_shape({24, 5}), xt::zeros<float>({std::size_t{24}, std::size_t{3}})};
    for (float& v : b.x) v = static_cast<float>(normal(data));
    for (std::size_t i = 0; i < 24; ++i) b.y(i, uniform_index(data, 3)) = 1.0f;
    const auto checks = check_gradient<XYBatch>(model, b, {1e-1, 3e-2, 1e-2, 3e-3}, init);
    ASSERT_EQ(checks.size(), 6u);
    for (const GroupGradientCheck& c : checks)
      EXPECT_LT(c.relative_error(), 2e-3) << "seed " << seed << " group " << c.name << ": analytic "
                                          << c.analytic << ", numeric " << c.numeric;
  }
}

void write_gzip(const std::string& path, const std::string& bytes) {
  gzFile f = gzopen(path.c_str(), "wb");
  ASSERT_NE(f, nullptr);
  ASSERT_EQ(gzwrite(f, bytes.data(), static_cast<unsigned>(bytes.size())), int(bytes.size()));
  gzclose(f);
}

std::string be32(std::uint32_t v) {
  return {char(v >> 24), char((v >> 16) & 255), char((v >> 8) & 255), char(v & 255)};
}

TEST(Idx, ReadsWhatWasWritten) {
  const std::string dir = std::getenv("TEST_TMPDIR") ? std::getenv("TEST_TMPDIR") : "/tmp";
  // Two 2 x 3 images with pixels 0, 51, ..., and labels 7, 2.
  std::string images = be32(0x803) + be32(2) + be32(2) + be32(3);
  for (int i = 0; i < 12; ++i) images += char(static_cast<unsigned char>(i * 20));
  write_gzip(dir + "/images.gz", images);
  write_gzip(dir + "/labels.gz", be32(0x801) + be32(2) + std::string{char(7), char(2)});
  const Matrix x = read_idx_images(dir + "/images.gz");
  ASSERT_EQ(x.shape(0), 2u);
  ASSERT_EQ(x.shape(1), 6u);
  EXPECT_FLOAT_EQ(x(1, 5), 220.0f / 255.0f);
  EXPECT_EQ(read_idx_labels(dir + "/labels.gz"), (std::vector<std::uint8_t>{7, 2}));
  // A truncated file and a label file read as images are refused.
  write_gzip(dir + "/short.gz", images.substr(0, images.size() - 1));
  EXPECT_THROW(read_idx_images(dir + "/short.gz"), std::exception);
  EXPECT_THROW(read_idx_images(dir + "/labels.gz"), std::exception);
  EXPECT_THROW(read_idx_images(dir + "/missing.gz"), std::exception);
}

TEST(Pca, StandardizedLeadingComponentsAreWhiteOnTheTrainingSet) {
  // x = z A with z ~ N(0, I_6) and A with rows scaled 6, 5, ..., 1: the
  // components have distinct variances.
  Engine rng = derive_engine(3, 0);
  const std::size_t m = 400, p = 6, dims = 3;
  Matrix A = Matrix::from_shape({p, p});
  for (std::size_t i = 0; i < p; ++i)
    for (std::size_t j = 0; j < p; ++j) A(i, j) = static_cast<float>(normal(rng) * double(p - i));
  auto draw = [&](std::size_t n) {
    Matrix x = xt::zeros<float>({n, p});
    for (std::size_t r = 0; r < n; ++r) {
      std::vector<double> z(p);
      for (double& v : z) v = normal(rng);
      for (std::size_t j = 0; j < p; ++j) {
        double s = 3.0;  // an offset the PCA must remove
        for (std::size_t i = 0; i < p; ++i) s += z[i] * A(i, j);
        x(r, j) = static_cast<float>(s);
      }
    }
    return x;
  };
  Matrix train = draw(m), test = draw(100);
  pca_standardize(train, test, dims);
  ASSERT_EQ(train.shape(1), dims);
  ASSERT_EQ(test.shape(1), dims);
  for (std::size_t a = 0; a < dims; ++a) {
    double mean = 0;
    for (std::size_t r = 0; r < m; ++r) mean += train(r, a);
    EXPECT_NEAR(mean / m, 0.0, 1e-5);
    for (std::size_t b = 0; b <= a; ++b) {
      double c = 0;
      for (std::size_t r = 0; r < m; ++r) c += double(train(r, a)) * train(r, b);
      EXPECT_NEAR(c / (m - 1), a == b ? 1.0 : 0.0, 1e-5) << a << "," << b;
    }
  }
}

}  // namespace
}  // namespace fgbdl
