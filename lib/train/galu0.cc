#include "lib/train/galu0.h"

#include <cmath>
#include <stdexcept>

#include "lib/nn/gemm.h"
#include "lib/train/mlp.h"

namespace fgbdl {

Galu0::Galu0(const std::vector<std::size_t>& widths, double alpha, double gate_bias_std,
             Engine& init) {
  if (widths.size() < 3) throw std::invalid_argument("Galu0: need {d, width_1, ..., out}, >= 1 hidden layer");
  for (const std::size_t w : widths)
    if (w == 0) throw std::invalid_argument("Galu0: widths must be >= 1");
  if (!(alpha > 0) || !(gate_bias_std >= 0)) throw std::invalid_argument("Galu0: alpha > 0, gate_bias_std >= 0");
  const std::size_t d = widths[0], L = widths.size() - 2;
  const double u_std = 1.0 / (alpha * std::sqrt(static_cast<double>(d)));
  for (std::size_t l = 0; l < L; ++l) {
    Matrix U = Matrix::from_shape({d, widths[l + 1]});
    for (float& v : U) v = static_cast<float>(u_std * normal(init));
    Vector c = Vector::from_shape({widths[l + 1]});
    for (float& v : c) v = static_cast<float>(gate_bias_std * normal(init));
    U_.push_back(std::move(U));
    c_.push_back(std::move(c));
  }
  for (std::size_t l = 0; l + 1 < widths.size(); ++l)
    layers_.push_back(dense_init<float>(widths[l], widths[l + 1], init));
  g_.resize(L);
  a_.resize(L);
}

void Galu0::gates(std::size_t l, const Matrix& x, Matrix& g) const {
  if (x.dimension() != 2 || x.shape(1) != U_[l].shape(0))
    throw std::invalid_argument("Galu0: x must be [B, d]");
  const std::size_t B = x.shape(0), w = U_[l].shape(1);
  if (g.shape(0) != B || g.shape(1) != w) g = Matrix::from_shape({B, w});
  gemm<float>(false, false, B, w, x.shape(1), x.data(), U_[l].data(), 0.0f, g.data());
  for (std::size_t i = 0; i < B; ++i)
    for (std::size_t j = 0; j < w; ++j) g(i, j) = g(i, j) + c_[l](j) > 0 ? 1.0f : 0.0f;
}

void Galu0::run(const Matrix& x, std::vector<Matrix>& g, std::vector<Matrix>& a,
                Matrix& out) const {
  const Matrix* in = &x;
  for (std::size_t l = 0; l < U_.size(); ++l) {
    gates(l, x, g[l]);
    dense_forward(layers_[l], *in, a[l]);
    a[l] *= g[l];
    in = &a[l];
  }
  dense_forward(layers_.back(), *in, out);
}

const Matrix& Galu0::forward(const Matrix& x) {
  run(x, g_, a_, out_);
  return out_;
}

void Galu0::predict(const Matrix& x, Matrix& out) const {
  std::vector<Matrix> g(U_.size()), a(U_.size());
  run(x, g, a, out);
}

Matrix& Galu0::doutput() {
  if (dout_.shape() != out_.shape()) dout_ = Matrix::from_shape(out_.shape());
  return dout_;
}

void Galu0::backward(const Matrix& x) {
  const std::size_t L = U_.size();
  // The output layer, then each hidden layer: dz_l = da_l ⊙ g_l.
  dense_backward(layers_[L], a_[L - 1], dout_);
  dense_backward_input(layers_[L].W, dout_, da_);
  for (std::size_t l = L; l-- > 0;) {
    dz_ = da_ * g_[l];
    dense_backward(layers_[l], l == 0 ? x : a_[l - 1], dz_);
    if (l > 0) dense_backward_input(layers_[l].W, dz_, da_);
  }
}

std::vector<Parameter> Galu0::parameters() { return dense_parameters(layers_); }

}  // namespace fgbdl
