// Fashion-MNIST for claim X2's data-set part (paper/ext_gating.md), as the
// source prepares it (Fiat, Malach, Shalev-Shwartz 2019): the
// 28 x 28 images projected on their first 64 principal components and
// standardized.
//
// Files: the four gzip-compressed IDX files of the data set
// (train-images-idx3-ubyte.gz, train-labels-idx1-ubyte.gz,
// t10k-images-idx3-ubyte.gz, t10k-labels-idx1-ubyte.gz; format of LeCun,
// Cortes and Burges, "The MNIST database": big-endian magic 0x00000803 for
// images, 0x00000801 for labels, then the dimensions, then bytes).
//
// PCA (float64): pixels scaled to [0, 1]; the training set's mean removed;
// the eigenvectors of the training covariance (LAPACK dsyevd through
// xtensor-blas) with the `dims` largest eigenvalues; both sets projected on
// them; each coordinate divided by its standard deviation on the training
// set. Labels one-hot.
#ifndef EXPERIMENTS_EXT_GATING_FASHION_DATA_H_
#define EXPERIMENTS_EXT_GATING_FASHION_DATA_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "lib/core/tensor.h"

namespace fgbdl {

// Pixels of an IDX image file as floats in [0, 1], [n, rows * cols]; labels
// of an IDX label file. Throw UsageError naming the file if it is missing
// or malformed.
Matrix read_idx_images(const std::string& path);
std::vector<std::uint8_t> read_idx_labels(const std::string& path);

struct ClassificationData {
  Matrix x_train, y_train, x_test, y_test;  // y one-hot [n, classes]
};

// The first `train` training images (all if 0) and all test images of the
// data set in `dir`, after the PCA above to `dims` dimensions.
ClassificationData load_fashion(const std::string& dir, std::size_t train, std::size_t dims);

// The PCA and standardization above, fitted on x_train and applied to both.
void pca_standardize(Matrix& x_train, Matrix& x_test, std::size_t dims);

}  // namespace fgbdl

#endif  // EXPERIMENTS_EXT_GATING_FASHION_DATA_H_
