// Tests of the per-sample gradients of p(x) = a · relu(W^T x + b) + c.
#include "lib/analysis/per_sample_gradients.h"

#include <cmath>
#include <vector>

#include "gtest/gtest.h"
#include "lib/core/rng.h"
#include "lib/nn/dense.h"
#include "lib/nn/relu.h"
#include "rapidcheck.h"
#include "rapidcheck/gtest.h"

namespace fgbdl {
namespace {

TwoLayerNet hand_net() {
  TwoLayerNet net;
  net.W = MatrixD({2, 2});
  net.W(0, 0) = 1.0;
  net.W(0, 1) = -1.0;
  net.W(1, 0) = 2.0;
  net.W(1, 1) = 0.5;
  net.b = {0.5, -1.0};
  net.a = MatrixD({2, 1});
  net.a(0, 0) = 2.0;
  net.a(1, 0) = -3.0;
  net.c = {0.25};
  return net;
}

TEST(PerSampleGradients, HandComputedValues) {
  const TwoLayerNet net = hand_net();
  MatrixD X({3, 2});
  X(0, 0) = -1.0; X(0, 1) = 2.0;   // z = (-1 + 4 + 0.5, 1 + 1 - 1) = (3.5, 1): both on
  X(1, 0) = 1.0;  X(1, 1) = 1.0;   // z = (3.5, -1.5): unit 1 off
  X(2, 0) = 1.0;  X(2, 1) = -1.0;  // z = (-0.5, -2.5): both off
  VectorD p;
  const MatrixD G = per_sample_gradients(net, X, &p);
  ASSERT_EQ(G.shape()[1], 9u);  // P = d h + 2 h + 1 = 4 + 4 + 1
  // p = 2 * 3.5 - 3 * 1 + 0.25 = 4.25;  2 * 3.5 + 0.25 = 7.25;  0.25.
  EXPECT_EQ(p(0), 4.25);
  EXPECT_EQ(p(1), 7.25);
  EXPECT_EQ(p(2), 0.25);
  const VectorD p2 = two_layer_predict(net, X);
  for (int n = 0; n < 3; ++n) EXPECT_EQ(p2(n), p(n));
  // Row order [W00 W01 W10 W11 | b0 b1 | a0 a1 | c]; dW_ij = a_j m_j x_i,
  // db_j = a_j m_j, da_j = relu(z_j), dc = 1.
  const std::vector<std::vector<double>> want = {
      {-2.0, 3.0, 4.0, -6.0, 2.0, -3.0, 3.5, 1.0, 1.0},
      {2.0, 0.0, 2.0, 0.0, 2.0, 0.0, 3.5, 0.0, 1.0},
      {0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 1.0}};
  for (int n = 0; n < 3; ++n) {
    for (int k = 0; k < 9; ++k) EXPECT_EQ(G(n, k), want[n][k]) << "row " << n << " param " << k;
  }
}

TEST(PerSampleGradients, RejectsInconsistentShapes) {
  TwoLayerNet net = hand_net();
  EXPECT_THROW(per_sample_gradients(net, MatrixD({1, 3})), std::invalid_argument);
  net.b = VectorD::from_shape({3});
  EXPECT_THROW(per_sample_gradients(net, MatrixD({1, 2})), std::invalid_argument);
}

// Pointer to parameter k in the documented order.
double* param_ptr(TwoLayerNet& net, std::size_t k) {
  const std::size_t d = net.d(), h = net.h();
  if (k < d * h) return net.W.data() + k;
  k -= d * h;
  if (k < h) return net.b.data() + k;
  k -= h;
  if (k < h) return net.a.data() + k;
  return net.c.data();
}

RC_GTEST_PROP(PerSampleGradients, MatchCentralFiniteDifferencesAwayFromKinks, ()) {
  const std::size_t d = *rc::gen::inRange<std::size_t>(1, 7);
  const std::size_t h = *rc::gen::inRange<std::size_t>(1, 9);
  Engine rng = derive_engine(*rc::gen::arbitrary<std::uint64_t>(), 3);
  TwoLayerNet net = init_two_layer_net(d, h, rng);
  for (std::size_t j = 0; j < h; ++j) net.b(j) = 0.5 * normal(rng);
  net.c(0) = normal(rng);
  MatrixD X({1, d});
  for (std::size_t i = 0; i < d; ++i) X(0, i) = normal(rng);
  // Hypothesis: no hidden unit within 1e-3 of its kink (there p is not
  // differentiable; a step of 1e-6 times |x| <= ~6 cannot cross it).
  for (std::size_t j = 0; j < h; ++j) {
    double z = net.b(j);
    for (std::size_t i = 0; i < d; ++i) z += X(0, i) * net.W(i, j);
    RC_PRE(std::fabs(z) > 1e-3);
  }
  const MatrixD G = per_sample_gradients(net, X);
  const double eps = 1e-6;
  for (std::size_t k = 0; k < net.num_params(); ++k) {
    double* w = param_ptr(net, k);
    const double w0 = *w;
    *w = w0 + eps;
    const double up = two_layer_predict(net, X)(0);
    *w = w0 - eps;
    const double down = two_layer_predict(net, X)(0);
    *w = w0;
    const double fd = (up - down) / (2 * eps);
    // p is linear in each parameter between kinks, so the central difference
    // is exact up to rounding: |p| * 1e-16 / 1e-6 ~ 1e-10.
    RC_ASSERT(std::fabs(fd - G(0, k)) <= 1e-7 * (1.0 + std::fabs(G(0, k))));
  }
}

TEST(PerSampleGradients, InitMatchesLibNnDenseInit) {
  // init_two_layer_net draws exactly as dense_init(d, h) then dense_init(h, 1).
  Engine r1 = derive_engine(7, 0), r2 = derive_engine(7, 0);
  const TwoLayerNet mine = init_two_layer_net(5, 6, r1);
  const Dense<double> l1 = dense_init<double>(5, 6, r2);
  const Dense<double> l2 = dense_init<double>(6, 1, r2);
  const TwoLayerNet theirs = two_layer_net_from(l1, l2);
  EXPECT_EQ(mine.W, theirs.W);
  EXPECT_EQ(mine.b, theirs.b);
  EXPECT_EQ(mine.a, theirs.a);
  EXPECT_EQ(mine.c, theirs.c);
}

RC_GTEST_PROP(PerSampleGradients, WeightedBatchSumEqualsLibNnBackward, ()) {
  // For L = sum_n dy_n p(x_n), dL/dparams = sum_n dy_n g(x_n): lib/nn's
  // dense_backward / relu_backward chain must give the same numbers.
  const std::size_t d = *rc::gen::inRange<std::size_t>(1, 9);
  const std::size_t h = *rc::gen::inRange<std::size_t>(1, 12);
  const std::size_t B = *rc::gen::inRange<std::size_t>(1, 20);
  Engine rng = derive_engine(*rc::gen::arbitrary<std::uint64_t>(), 6);
  Dense<double> l1 = dense_init<double>(d, h, rng);
  Dense<double> l2 = dense_init<double>(h, 1, rng);
  for (std::size_t j = 0; j < h; ++j) l1.b(j) = 0.3 * normal(rng);
  l2.b(0) = normal(rng);
  MatrixD X({B, d}), dy({B, 1});
  for (std::size_t i = 0; i < X.size(); ++i) X.data()[i] = normal(rng);
  for (std::size_t n = 0; n < B; ++n) dy(n, 0) = normal(rng);
  MatrixD z1, a1, out, da1, dz1;
  dense_forward(l1, X, z1);
  // Hypothesis: no pre-activation exactly at the kink (the ReLU derivative
  // convention at 0 is not what is being compared).
  for (std::size_t i = 0; i < z1.size(); ++i) RC_PRE(z1.data()[i] != 0.0);
  relu_forward(z1, a1);
  dense_forward(l2, a1, out);
  dense_backward(l2, a1, dy);
  dense_backward_input(l2.W, dy, da1);
  relu_backward(z1, da1, dz1);
  dense_backward(l1, X, dz1);

  const TwoLayerNet net = two_layer_net_from(l1, l2);
  VectorD p;
  const MatrixD G = per_sample_gradients(net, X, &p);
  std::vector<double> want(net.num_params(), 0.0);
  for (std::size_t n = 0; n < B; ++n) {
    RC_ASSERT(std::fabs(p(n) - out(n, 0)) <= 1e-12 * (1.0 + std::fabs(out(n, 0))));
    for (std::size_t k = 0; k < want.size(); ++k) want[k] += dy(n, 0) * G(n, k);
  }
  std::vector<double> got;
  for (double v : l1.dW) got.push_back(v);
  for (double v : l1.db) got.push_back(v);
  for (double v : l2.dW) got.push_back(v);
  for (double v : l2.db) got.push_back(v);
  RC_ASSERT(got.size() == want.size());
  for (std::size_t k = 0; k < want.size(); ++k) {
    RC_ASSERT(std::fabs(got[k] - want[k]) <= 1e-12 * (1.0 + std::fabs(want[k])));
  }
}

}  // namespace
}  // namespace fgbdl
