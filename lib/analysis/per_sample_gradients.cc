#include "lib/analysis/per_sample_gradients.h"

#include <cmath>
#include <stdexcept>
#include <string>
#include <vector>

namespace fgbdl {

TwoLayerNet init_two_layer_net(std::size_t d, std::size_t h, Engine& rng) {
  if (d == 0 || h == 0) throw std::invalid_argument("init_two_layer_net: d and h must be >= 1");
  TwoLayerNet net;
  net.W = MatrixD({d, h});
  net.b = VectorD::from_shape({h});
  net.a = MatrixD({h, 1});
  net.c = VectorD::from_shape({1});
  net.b.fill(0.0);
  net.c.fill(0.0);
  const double std1 = 1.0 / std::sqrt(static_cast<double>(d));
  const double std2 = 1.0 / std::sqrt(static_cast<double>(h));
  for (std::size_t k = 0; k < d * h; ++k) net.W.data()[k] = truncated_normal(rng, std1);
  for (std::size_t j = 0; j < h; ++j) net.a(j, 0) = truncated_normal(rng, std2);
  return net;
}

void check_shapes(const TwoLayerNet& net) {
  const std::size_t h = net.W.shape()[1];
  if (net.W.shape()[0] == 0 || h == 0 || net.b.size() != h || net.a.shape()[0] != h ||
      net.a.shape()[1] != 1 || net.c.size() != 1) {
    throw std::invalid_argument("TwoLayerNet: expected W [d, h], b [h], a [h, 1], c [1]");
  }
}

namespace {

void check_inputs(const TwoLayerNet& net, const MatrixD& X) {
  check_shapes(net);
  if (X.shape()[1] != net.d()) {
    throw std::invalid_argument("two-layer net: X has " + std::to_string(X.shape()[1]) +
                                " columns, the network expects d = " + std::to_string(net.d()));
  }
}

// z = W^T x + b for one row x (length d) into z (length h).
inline void preactivation(const TwoLayerNet& net, const double* x, double* z) {
  const std::size_t d = net.d(), h = net.h();
  for (std::size_t j = 0; j < h; ++j) z[j] = net.b(j);
  for (std::size_t i = 0; i < d; ++i) {
    const double xi = x[i];
    const double* Wi = net.W.data() + i * h;
    for (std::size_t j = 0; j < h; ++j) z[j] += xi * Wi[j];
  }
}

}  // namespace

VectorD two_layer_predict(const TwoLayerNet& net, const MatrixD& X) {
  check_inputs(net, X);
  const std::size_t N = X.shape()[0], d = net.d(), h = net.h();
  VectorD p = VectorD::from_shape({N});
  std::vector<double> z(h);
  for (std::size_t n = 0; n < N; ++n) {
    preactivation(net, X.data() + n * d, z.data());
    double s = net.c(0);
    for (std::size_t j = 0; j < h; ++j) s += net.a(j, 0) * (z[j] > 0.0 ? z[j] : 0.0);
    p(n) = s;
  }
  return p;
}

MatrixD per_sample_gradients(const TwoLayerNet& net, const MatrixD& X, VectorD* p) {
  check_inputs(net, X);
  const std::size_t N = X.shape()[0], d = net.d(), h = net.h(), P = net.num_params();
  MatrixD G({N, P});
  if (p) *p = VectorD::from_shape({N});
  std::vector<double> z(h), am(h);
  for (std::size_t n = 0; n < N; ++n) {
    const double* x = X.data() + n * d;
    preactivation(net, x, z.data());
    double* g = G.data() + n * P;
    double s = net.c(0);
    for (std::size_t j = 0; j < h; ++j) {
      const bool on = z[j] > 0.0;
      am[j] = on ? net.a(j, 0) : 0.0;                   // a_j m_j
      g[d * h + j] = am[j];                              // dp/db_j
      g[d * h + h + j] = on ? z[j] : 0.0;                // dp/da_j = relu(z_j)
      s += net.a(j, 0) * (on ? z[j] : 0.0);
    }
    for (std::size_t i = 0; i < d; ++i) {
      for (std::size_t j = 0; j < h; ++j) g[i * h + j] = am[j] * x[i];  // dp/dW_ij
    }
    g[P - 1] = 1.0;  // dp/dc
    if (p) (*p)(n) = s;
  }
  return G;
}

}  // namespace fgbdl
