#include "lib/train/patch_net.h"

#include <algorithm>
#include <stdexcept>
#include <string>

#include <xtensor/xview.hpp>

#include "lib/nn/relu.h"

namespace fgbdl {
namespace {

// dst = src with the same elements in row-major order and dst's shape
// [rows, cols] (resized only when it differs).
void copy_as(const Matrix& src, std::size_t rows, std::size_t cols, Matrix& dst) {
  if (dst.shape(0) != rows || dst.shape(1) != cols) dst = Matrix::from_shape({rows, cols});
  std::copy(src.begin(), src.end(), dst.begin());
}

// Rows i, i + k, i + 2k, ... of m: position i's rows of a [B k, .] matrix.
Matrix position_rows(const Matrix& m, std::size_t i, std::size_t k) {
  return xt::view(m, xt::range(i, m.shape(0), k), xt::all());
}

}  // namespace

PatchNet::PatchNet(const PatchShape& shape, Engine& init) : shape_(shape) {
  if (shape.positions < 1 || shape.patch < 1 || shape.filters < 1 || shape.hidden < 1)
    throw std::invalid_argument("PatchNet: every size must be >= 1");
  filters_.push_back(dense_init<float>(shape.patch, shape.filters, init));
  if (!shape.shared) filters_.resize(shape.positions, filters_.front());
  top_ = Mlp({shape.positions * shape.filters, shape.hidden, 1}, init);
}

void PatchNet::filter_forward(const Matrix& x, Matrix& patches, Matrix& z, Matrix& h) const {
  const std::size_t B = x.shape(0), k = shape_.positions, d = shape_.patch, C = shape_.filters;
  if (x.shape(1) != k * d)
    throw std::invalid_argument("PatchNet: input has " + std::to_string(x.shape(1)) +
                                " columns, want k d = " + std::to_string(k * d));
  copy_as(x, B * k, d, patches);
  if (shape_.shared) {
    dense_forward(filters_[0], patches, z);
  } else {
    if (z.shape(0) != B * k || z.shape(1) != C) z = Matrix::from_shape({B * k, C});
    Matrix zi;
    for (std::size_t i = 0; i < k; ++i) {
      dense_forward(filters_[i], position_rows(patches, i, k), zi);
      xt::view(z, xt::range(i, B * k, k), xt::all()) = zi;
    }
  }
  Matrix a;
  relu_forward(z, a);
  copy_as(a, B, k * C, h);
}

const Matrix& PatchNet::forward(const Matrix& x) {
  filter_forward(x, patches_, z_, h_);
  return top_.forward(h_);
}

void PatchNet::predict(const Matrix& x, Matrix& out) const {
  Matrix patches, z, h;
  filter_forward(x, patches, z, h);
  top_.predict(h, out);
}

void PatchNet::backward(const Matrix& x) {
  (void)x;  // the patches of the last forward() are kept
  const std::size_t k = shape_.positions, C = shape_.filters, Bk = z_.shape(0);
  top_.backward(h_);
  top_.input_gradient(dh_);
  Matrix dh_rows;
  copy_as(dh_, Bk, C, dh_rows);
  relu_backward(z_, dh_rows, dz_);
  if (shape_.shared) {
    dense_backward(filters_[0], patches_, dz_);  // sums the positions' gradients
    return;
  }
  for (std::size_t i = 0; i < k; ++i)
    dense_backward(filters_[i], position_rows(patches_, i, k), position_rows(dz_, i, k));
}

std::vector<Parameter> PatchNet::parameters() {
  std::vector<Parameter> params;
  for (std::size_t i = 0; i < filters_.size(); ++i) {
    Dense<float>& f = filters_[i];
    const std::string suffix = shape_.shared ? "" : "_" + std::to_string(i + 1);
    params.push_back({"w" + suffix, f.W.data(), f.dW.data(), f.W.size()});
    params.push_back({"b" + suffix, f.b.data(), f.db.data(), f.b.size()});
  }
  for (Parameter& p : top_.parameters()) params.push_back(p);
  return params;
}

}  // namespace fgbdl
