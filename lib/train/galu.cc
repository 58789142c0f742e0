#include "lib/train/galu.h"

#include <cmath>
#include <stdexcept>

#include "lib/nn/dense.h"
#include "lib/nn/gemm.h"

namespace fgbdl {
namespace {

void ensure(Matrix& m, std::size_t rows, std::size_t cols) {
  if (m.shape(0) != rows || m.shape(1) != cols) m = Matrix::from_shape({rows, cols});
}

}  // namespace

Galu::Galu(const GaluShape& shape, Engine& init) : shape_(shape) {
  if (shape.d == 0 || shape.k == 0) throw std::invalid_argument("Galu: d and k must be >= 1");
  if (!(shape.alpha > 0)) throw std::invalid_argument("Galu: alpha must be > 0");
  const std::size_t d = shape.d, k = shape.k;
  U_ = Matrix::from_shape({d, k});
  const double u_std = 1.0 / (shape.alpha * std::sqrt(static_cast<double>(d)));
  for (std::size_t i = 0; i < U_.size(); ++i) U_.data()[i] = static_cast<float>(u_std * normal(init));
  c_ = xt::zeros<float>({k});
  if (shape.bias)
    for (std::size_t j = 0; j < k; ++j) c_(j) = static_cast<float>(shape.gate_bias_std * normal(init));
  Dense<float> linear = dense_init<float>(d, k, init);
  W_ = linear.W;
  dW_ = xt::zeros<float>({d, k});
  b_ = xt::zeros<float>({shape.bias ? k : 0});
  db_ = xt::zeros<float>({shape.bias ? k : 0});
}

void Galu::gates(const Matrix& x, Matrix& g) const {
  if (x.dimension() != 2 || x.shape(1) != shape_.d)
    throw std::invalid_argument("Galu: x must be [B, d]");
  const std::size_t B = x.shape(0), k = shape_.k;
  ensure(g, B, k);
  gemm<float>(false, false, B, k, shape_.d, x.data(), U_.data(), 0.0f, g.data());
  for (std::size_t i = 0; i < B; ++i)
    for (std::size_t j = 0; j < k; ++j) g(i, j) = g(i, j) + c_(j) > 0 ? 1.0f : 0.0f;
}

void Galu::output(const Matrix& x, Matrix& g, Matrix& z, Matrix& out) const {
  const std::size_t B = x.shape(0), k = shape_.k;
  gates(x, g);
  ensure(z, B, k);
  gemm<float>(false, false, B, k, shape_.d, x.data(), W_.data(), 0.0f, z.data());
  ensure(out, B, 1);
  for (std::size_t i = 0; i < B; ++i) {
    double s = 0;
    for (std::size_t j = 0; j < k; ++j)
      s += static_cast<double>((z(i, j) + (shape_.bias ? b_(j) : 0.0f)) * g(i, j));
    out(i, 0) = static_cast<float>(s);
  }
}

const Matrix& Galu::forward(const Matrix& x) {
  output(x, g_, z_, out_);
  return out_;
}

void Galu::predict(const Matrix& x, Matrix& out) const {
  Matrix g, z;
  output(x, g, z, out);
}

Matrix& Galu::doutput() {
  ensure(dout_, out_.shape(0), 1);
  return dout_;
}

void Galu::backward(const Matrix& x) {
  const std::size_t B = x.shape(0), k = shape_.k;
  if (dout_.shape(0) != B || g_.shape(0) != B)
    throw std::invalid_argument("Galu::backward: x is not the input of the last forward()");
  ensure(dz_, B, k);
  for (std::size_t i = 0; i < B; ++i)
    for (std::size_t j = 0; j < k; ++j) dz_(i, j) = dout_(i, 0) * g_(i, j);
  gemm<float>(true, false, shape_.d, k, B, x.data(), dz_.data(), 0.0f, dW_.data());
  if (shape_.bias) {
    for (std::size_t j = 0; j < k; ++j) {
      double s = 0;
      for (std::size_t i = 0; i < B; ++i) s += dz_(i, j);
      db_(j) = static_cast<float>(s);
    }
  }
}

std::vector<Parameter> Galu::parameters() {
  std::vector<Parameter> p{{"W", W_.data(), dW_.data(), W_.size()}};
  if (shape_.bias) p.push_back({"b", b_.data(), db_.data(), b_.size()});
  return p;
}

void Galu::set_linear_part(const std::vector<double>& theta) {
  if (theta.size() != features()) throw std::invalid_argument("Galu: theta has the wrong size");
  const std::size_t dk = shape_.d * shape_.k;
  for (std::size_t i = 0; i < dk; ++i) W_.data()[i] = static_cast<float>(theta[i]);
  if (shape_.bias)
    for (std::size_t j = 0; j < shape_.k; ++j) b_(j) = static_cast<float>(theta[dk + j]);
}

MatrixD galu_features(const Galu& net, const Matrix& x) {
  const std::size_t B = x.shape(0), d = net.shape().d, k = net.shape().k;
  Matrix g;
  net.gates(x, g);
  MatrixD phi = xt::zeros<double>({B, net.features()});
  for (std::size_t i = 0; i < B; ++i) {
    for (std::size_t l = 0; l < d; ++l)
      for (std::size_t j = 0; j < k; ++j) phi(i, l * k + j) = double(x(i, l)) * g(i, j);
    if (net.shape().bias)
      for (std::size_t j = 0; j < k; ++j) phi(i, d * k + j) = g(i, j);
  }
  return phi;
}

}  // namespace fgbdl
