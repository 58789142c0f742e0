#include "lib/train/mlp.h"

#include <stdexcept>
#include <string>
#include <utility>

#include "lib/nn/relu.h"

namespace fgbdl {
namespace {

std::vector<bool> all_but_last(std::size_t layers) {
  std::vector<bool> relu(layers, true);
  if (layers > 0) relu.back() = false;
  return relu;
}

}  // namespace

Mlp::Mlp(const std::vector<std::size_t>& widths, Engine& init)
    : Mlp(widths, all_but_last(widths.empty() ? 0 : widths.size() - 1), init) {}

Mlp::Mlp(const std::vector<std::size_t>& widths, const std::vector<bool>& relu_after,
         Engine& init)
    : relu_after_(relu_after) {
  if (widths.size() < 2 || relu_after.size() != widths.size() - 1)
    throw std::invalid_argument("Mlp: need >= 2 widths and one ReLU flag per layer");
  for (std::size_t l = 0; l + 1 < widths.size(); ++l)
    layers_.push_back(dense_init<float>(widths[l], widths[l + 1], init));
  const std::size_t L = layers_.size();
  z_.resize(L);
  a_.resize(L);
  dz_.resize(L);
  da_.resize(L);
}

const Matrix& Mlp::forward(const Matrix& x) {
  for (std::size_t l = 0; l < layers_.size(); ++l) {
    dense_forward(layers_[l], l == 0 ? x : activation(l - 1), z_[l]);
    if (relu_after_[l]) relu_forward(z_[l], a_[l]);
  }
  return z_.back();
}

void Mlp::predict(const Matrix& x, Matrix& out) const {
  Matrix z, a;
  const Matrix* in = &x;
  for (std::size_t l = 0; l < layers_.size(); ++l) {
    Matrix& dst = l + 1 == layers_.size() ? out : z;
    dense_forward(layers_[l], *in, dst);
    if (l + 1 == layers_.size()) break;
    if (relu_after_[l]) {
      relu_forward(z, a);
    } else {
      std::swap(a, z);  // a = z; z's buffer is the next layer's output
    }
    in = &a;
  }
}

Matrix& Mlp::doutput() {
  Matrix& d = dz_.back();
  if (d.shape() != z_.back().shape()) d = Matrix::from_shape(z_.back().shape());
  return d;
}

void Mlp::input_gradient(Matrix& dx) const { dense_backward_input(layers_[0].W, dz_[0], dx); }

void Mlp::backward(const Matrix& x) {
  for (std::size_t l = layers_.size(); l-- > 0;) {
    dense_backward(layers_[l], l == 0 ? x : activation(l - 1), dz_[l]);
    if (l == 0) break;
    dense_backward_input(layers_[l].W, dz_[l], da_[l - 1]);
    if (relu_after_[l - 1]) {
      relu_backward(z_[l - 1], da_[l - 1], dz_[l - 1]);
    } else {
      std::swap(da_[l - 1], dz_[l - 1]);
    }
  }
}

std::vector<Parameter> dense_parameters(std::vector<Dense<float>>& layers) {
  std::vector<Parameter> params;
  for (std::size_t l = 0; l < layers.size(); ++l) {
    Dense<float>& d = layers[l];
    const std::string k = std::to_string(l + 1);
    params.push_back({"W" + k, d.W.data(), d.dW.data(), d.W.size()});
    params.push_back({"b" + k, d.b.data(), d.db.data(), d.b.size()});
  }
  return params;
}

std::vector<Parameter> Mlp::parameters() { return dense_parameters(layers_); }

}  // namespace fgbdl
