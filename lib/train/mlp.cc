#include "lib/train/mlp.h"

#include <algorithm>
#include <cmath>
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
    dense_backward_input(feedback_.empty() ? layers_[l].W : feedback_[l], dz_[l], da_[l - 1]);
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

void Mlp::set_feedback(std::vector<Matrix> B) {
  if (!B.empty()) {
    if (B.size() != layers_.size())
      throw std::invalid_argument("Mlp::set_feedback: one matrix per layer");
    for (std::size_t l = 1; l < layers_.size(); ++l)
      if (B[l].shape() != layers_[l].W.shape())
        throw std::invalid_argument("Mlp::set_feedback: B_l must have W_l's shape");
  }
  feedback_ = std::move(B);
}

std::vector<Matrix> draw_feedback(const Mlp& mlp, Engine& rng) {
  std::vector<Matrix> B(mlp.layers().size());
  for (std::size_t l = 1; l < B.size(); ++l) {
    const Matrix& W = mlp.layers()[l].W;
    B[l] = dense_init<float>(W.shape(0), W.shape(1), rng).W;
  }
  return B;
}

double feedback_angle_deg(const Mlp& net, const XYBatch& b, MlpModel::LossFn loss) {
  const std::size_t L = net.layers().size();
  if (L < 2) return NAN;
  Mlp fa = net, bp = net;
  bp.set_feedback({});
  for (Mlp* m : {&fa, &bp}) {
    loss(m->forward(b.x), b.y, m->doutput());
    m->backward(b.x);
  }
  double uv = 0, uu = 0, vv = 0;
  for (std::size_t l = 0; l + 1 < L; ++l) {
    const Dense<float>& u = fa.layers()[l];
    const Dense<float>& v = bp.layers()[l];
    for (std::size_t i = 0; i < u.dW.size(); ++i) {
      uv += double(u.dW.data()[i]) * v.dW.data()[i];
      uu += double(u.dW.data()[i]) * u.dW.data()[i];
      vv += double(v.dW.data()[i]) * v.dW.data()[i];
    }
    for (std::size_t i = 0; i < u.db.size(); ++i) {
      uv += double(u.db.data()[i]) * v.db.data()[i];
      uu += double(u.db.data()[i]) * u.db.data()[i];
      vv += double(v.db.data()[i]) * v.db.data()[i];
    }
  }
  if (uu == 0 || vv == 0) return NAN;
  const double c = std::max(-1.0, std::min(1.0, uv / std::sqrt(uu * vv)));
  return std::acos(c) * 180.0 / M_PI;
}

}  // namespace fgbdl
