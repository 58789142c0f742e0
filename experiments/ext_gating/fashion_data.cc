#include "experiments/ext_gating/fashion_data.h"

#include <zlib.h>

#include <cmath>
#include <stdexcept>

#include <xtensor-blas/xlinalg.hpp>
#include <xtensor/xview.hpp>

#include "absl/strings/str_cat.h"
#include "lib/core/error.h"

namespace fgbdl {
namespace {

// The whole decompressed content of a gzip file.
std::string read_gzip(const std::string& path) {
  gzFile f = gzopen(path.c_str(), "rb");
  if (f == nullptr) throw UsageError(absl::StrCat(path, ": cannot open"));
  std::string bytes;
  char buf[1 << 16];
  int n;
  while ((n = gzread(f, buf, sizeof buf)) > 0) bytes.append(buf, static_cast<std::size_t>(n));
  const bool bad = n < 0;
  gzclose(f);
  if (bad) throw UsageError(absl::StrCat(path, ": not a readable gzip file"));
  return bytes;
}

std::uint32_t big_endian(const std::string& b, std::size_t at) {
  return (std::uint32_t(std::uint8_t(b[at])) << 24) | (std::uint32_t(std::uint8_t(b[at + 1])) << 16) |
         (std::uint32_t(std::uint8_t(b[at + 2])) << 8) | std::uint32_t(std::uint8_t(b[at + 3]));
}

}  // namespace

Matrix read_idx_images(const std::string& path) {
  const std::string b = read_gzip(path);
  if (b.size() < 16 || big_endian(b, 0) != 0x803)
    throw UsageError(absl::StrCat(path, ": not an IDX image file"));
  const std::size_t n = big_endian(b, 4), pixels = std::size_t(big_endian(b, 8)) * big_endian(b, 12);
  if (b.size() != 16 + n * pixels) throw UsageError(absl::StrCat(path, ": truncated IDX image file"));
  Matrix x = Matrix::from_shape({n, pixels});
  for (std::size_t i = 0; i < n * pixels; ++i)
    x.data()[i] = static_cast<float>(std::uint8_t(b[16 + i])) / 255.0f;
  return x;
}

std::vector<std::uint8_t> read_idx_labels(const std::string& path) {
  const std::string b = read_gzip(path);
  if (b.size() < 8 || big_endian(b, 0) != 0x801)
    throw UsageError(absl::StrCat(path, ": not an IDX label file"));
  const std::size_t n = big_endian(b, 4);
  if (b.size() != 8 + n) throw UsageError(absl::StrCat(path, ": truncated IDX label file"));
  return std::vector<std::uint8_t>(b.begin() + 8, b.end());
}

void pca_standardize(Matrix& x_train, Matrix& x_test, std::size_t dims) {
  const std::size_t m = x_train.shape(0), p = x_train.shape(1);
  if (m < 2 || dims == 0 || dims > p || x_test.shape(1) != p)
    throw std::invalid_argument("pca_standardize: need >= 2 rows and 1 <= dims <= columns");
  xt::xtensor<double, 1> mean = xt::zeros<double>({p});
  for (std::size_t i = 0; i < m; ++i)
    for (std::size_t j = 0; j < p; ++j) mean(j) += x_train(i, j);
  mean /= static_cast<double>(m);
  xt::xtensor<double, 2> centered = xt::zeros<double>({m, p});
  for (std::size_t i = 0; i < m; ++i)
    for (std::size_t j = 0; j < p; ++j) centered(i, j) = x_train(i, j) - mean(j);
  xt::xtensor<double, 2> cov = xt::linalg::dot(xt::transpose(centered), centered);
  cov /= static_cast<double>(m - 1);
  for (std::size_t i = 0; i < p; ++i)
    for (std::size_t j = 0; j < i; ++j) cov(j, i) = cov(i, j);
  // Eigenvalues in ascending order: the last `dims` columns.
  const auto eig = xt::linalg::eigh(cov);
  const xt::xtensor<double, 2>& vectors = std::get<1>(eig);
  auto project = [&](const Matrix& x) {
    const std::size_t n = x.shape(0);
    xt::xtensor<double, 2> c = xt::zeros<double>({n, p});
    for (std::size_t i = 0; i < n; ++i)
      for (std::size_t j = 0; j < p; ++j) c(i, j) = x(i, j) - mean(j);
    xt::xtensor<double, 2> basis = xt::zeros<double>({p, dims});
    for (std::size_t j = 0; j < p; ++j)
      for (std::size_t k = 0; k < dims; ++k) basis(j, k) = vectors(j, p - 1 - k);
    return xt::xtensor<double, 2>(xt::linalg::dot(c, basis));
  };
  const xt::xtensor<double, 2> train = project(x_train), test = project(x_test);
  std::vector<double> sd(dims, 0);
  for (std::size_t k = 0; k < dims; ++k) {
    double s = 0;
    for (std::size_t i = 0; i < m; ++i) s += train(i, k) * train(i, k);
    sd[k] = std::sqrt(s / static_cast<double>(m - 1));
    if (!(sd[k] > 0)) throw std::invalid_argument("pca_standardize: a component of zero variance");
  }
  auto store = [&](const xt::xtensor<double, 2>& z, Matrix& out) {
    out = Matrix::from_shape({z.shape(0), dims});
    for (std::size_t i = 0; i < z.shape(0); ++i)
      for (std::size_t k = 0; k < dims; ++k) out(i, k) = static_cast<float>(z(i, k) / sd[k]);
  };
  store(train, x_train);
  store(test, x_test);
}

ClassificationData load_fashion(const std::string& dir, std::size_t train, std::size_t dims) {
  ClassificationData d;
  Matrix x_train = read_idx_images(dir + "/train-images-idx3-ubyte.gz");
  const auto l_train = read_idx_labels(dir + "/train-labels-idx1-ubyte.gz");
  d.x_test = read_idx_images(dir + "/t10k-images-idx3-ubyte.gz");
  const auto l_test = read_idx_labels(dir + "/t10k-labels-idx1-ubyte.gz");
  if (l_train.size() != x_train.shape(0) || l_test.size() != d.x_test.shape(0))
    throw UsageError(absl::StrCat(dir, ": image and label counts differ"));
  const std::size_t n = train == 0 || train > x_train.shape(0) ? x_train.shape(0) : train;
  d.x_train = xt::view(x_train, xt::range(0, n), xt::all());
  pca_standardize(d.x_train, d.x_test, dims);
  auto one_hot = [](const std::vector<std::uint8_t>& labels, std::size_t n_rows) {
    Matrix y = xt::zeros<float>({n_rows, std::size_t{10}});
    for (std::size_t i = 0; i < n_rows; ++i) {
      if (labels[i] > 9) throw UsageError("Fashion-MNIST: a label above 9");
      y(i, labels[i]) = 1.0f;
    }
    return y;
  };
  d.y_train = one_hot(l_train, n);
  d.y_test = one_hot(l_test, l_test.size());
  return d;
}

}  // namespace fgbdl
