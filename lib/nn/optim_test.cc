#include "lib/nn/optim.h"

#include <cmath>
#include <vector>
#include <xtensor/xtensor.hpp>

#include "gtest/gtest.h"
#include "lib/nn/testing.h"
#include "rapidcheck/gtest.h"

namespace fgbdl {
namespace {

using nn_testing::invalid_argument_message;

TEST(Sgd, OneStepMatchesHandComputedValues) {
  // w - lr dw with lr = 0.5 (exact in binary): [1 - 0.25, -2 - 2, 3 + 0.5] and [10 - 0.5].
  xt::xtensor<double, 2> W = {{1, -2, 3}}, dW = {{0.5, 4, -1}};
  xt::xtensor<double, 1> b = {10}, db = {1};
  Sgd{0.5}.step(std::vector{param(W, dW), param(b, db)});
  const xt::xtensor<double, 2> expected_W = {{0.75, -4, 3.5}};
  EXPECT_EQ(W, expected_W);
  EXPECT_EQ(b(0), 9.5);
}

TEST(Param, RejectsDifferentSizes) {
  xt::xtensor<float, 1> w = {1, 2}, dw = {1, 2, 3};
  EXPECT_EQ(invalid_argument_message([&] { param<float>(w, dw); }),
            "param: dw has 3 elements, expected 2 (the size of w)");
}

TEST(Adam, FirstTwoStepsMatchTensorFlowFormula) {
  // lr = 1, beta1 = 1/2, beta2 = 3/4, eps = 1. Entry a: w = 1, g = 2 then 0.
  // Step 1: m = (1/2) 2 = 1, v = (1/4) 4 = 1, lr_t = sqrt(1 - 3/4) / (1 - 1/2) = 1,
  //         w = 1 - 1 * 1 / (sqrt(1) + 1) = 1/2.
  // Step 2: m = 1/2, v = 3/4, lr_t = sqrt(1 - 9/16) / (1 - 1/4) = sqrt(7)/3,
  //         w = 1/2 - (sqrt(7)/3)(1/2) / (sqrt(3)/2 + 1) = 1/2 - sqrt(7) / (6 + 3 sqrt(3))
  //           = 0.2636910242755529.
  // Entry b (a separate ParamRef): w = 0, g = -2 then 0: m = -1 then -1/2,
  // the same steps with the opposite sign, w = 1/2 then 1 - 0.2636910242755529.
  xt::xtensor<double, 1> a = {1}, da = {2}, b = {0}, db = {-2};
  Adam adam(1.0, 0.5, 0.75, 1.0);
  const std::vector<ParamRef<double>> params = {param(a, da), param(b, db)};
  adam.step(params);
  EXPECT_DOUBLE_EQ(a(0), 0.5);
  EXPECT_DOUBLE_EQ(b(0), 0.5);
  da(0) = 0;
  db(0) = 0;
  adam.step(params);
  EXPECT_NEAR(a(0), 0.2636910242755529, 1e-15);
  EXPECT_NEAR(b(0), 1 - 0.2636910242755529, 1e-15);
  EXPECT_EQ(adam.steps(), 2);
}

TEST(Adam, FirstStepUsesTensorFlowsEpsilonHat) {
  // TensorFlow's first step with the default hyperparameters (lr = 1 here),
  // g = 1e-6: lr_1 = sqrt(1 - beta2)/(1 - beta1), m = (1 - beta1) g,
  // v = (1 - beta2) g^2, so the update is
  //   sqrt(1 - beta2) g / (sqrt(1 - beta2) g + eps)
  //   = sqrt(0.001) 1e-6 / (sqrt(0.001) 1e-6 + 1e-8) = 0.759746926647958.
  // (Kingma and Ba's Algorithm 1, eps added to the bias-corrected sqrt(v),
  // would give 1e-6 / (1e-6 + 1e-8) = 0.990099.)
  xt::xtensor<double, 1> w = {0}, dw = {1e-6};
  Adam adam(1.0);
  adam.step(std::vector{param(w, dw)});
  EXPECT_NEAR(w(0), -0.759746926647958, 1e-12);
  // In float, 0.9f and 0.999f are rounded (1 - 0.999f = 0.99998713e-3), which
  // moves the update by ~3e-6; tolerance 1e-5.
  xt::xtensor<float, 1> wf = {0}, dwf = {1e-6f};
  Adam adam_f(1.0);
  adam_f.step(std::vector{param(wf, dwf)});
  EXPECT_NEAR(wf(0), -0.759746926647958, 1e-5);
}

TEST(Adam, ThrowsWhenTheParameterListChanges) {
  xt::xtensor<float, 1> a = {1, 2}, da = {1, 1}, b = {3}, db = {1}, c = {1, 2, 3}, dc = {1, 1, 1};
  Adam adam(0.1);
  adam.step(std::vector{param(a, da), param(b, db)});
  EXPECT_THROW(adam.step(std::vector{param(a, da)}), std::logic_error);                // fewer
  EXPECT_THROW(adam.step(std::vector{param(a, da), param(c, dc)}), std::logic_error);  // other size
  xt::xtensor<double, 1> ad = {1, 2}, dad = {1, 1}, bd = {3}, dbd = {1};
  EXPECT_THROW(adam.step(std::vector{param(ad, dad), param(bd, dbd)}),
               std::logic_error);  // other type
  EXPECT_EQ(adam.steps(), 1);      // rejected steps change nothing
  const xt::xtensor<float, 1> a_before = a;
  adam.step(std::vector{param(a, da), param(b, db)});  // the same list is still accepted
  EXPECT_EQ(adam.steps(), 2);
  EXPECT_NE(a, a_before);
}

// A checkpoint copies the weights and the AdamState: continuing from the
// copies must give bit for bit what the uninterrupted run gives.
TEST(Adam, ContinuingFromACopyOfTheStateIsBitIdentical) {
  std::vector<float> w(37), g(37);
  for (std::size_t i = 0; i < w.size(); ++i) w[i] = static_cast<float>(std::cos(1.7 * i));
  std::vector<std::vector<float>> grads;  // arbitrary, of mixed signs and scales
  for (int step = 0; step < 200; ++step) {
    for (std::size_t i = 0; i < g.size(); ++i)
      g[i] = static_cast<float>(std::sin(0.37 * i + 1.3 * step) * (1 + i % 5));
    grads.push_back(g);
  }
  std::vector<float> straight = w;
  AdamState<float> s1;
  for (const auto& gs : grads) adam_step<float>(s1, 1e-3, 0.9, 0.99, 1e-5, {{straight.data(), gs.data(), 37}});
  std::vector<float> first = w;
  AdamState<float> s2;
  for (int step = 0; step < 120; ++step)
    adam_step<float>(s2, 1e-3, 0.9, 0.99, 1e-5, {{first.data(), grads[step].data(), 37}});
  std::vector<float> resumed = first;  // the checkpoint
  AdamState<float> s3 = s2;
  for (int step = 120; step < 200; ++step)
    adam_step<float>(s3, 1e-3, 0.9, 0.99, 1e-5, {{resumed.data(), grads[step].data(), 37}});
  EXPECT_EQ(resumed, straight);
  EXPECT_EQ(s3.t, 200);
  // The class is the same computation.
  std::vector<float> via_class = w;
  Adam adam(1e-3, 0.9, 0.99, 1e-5);
  for (const auto& gs : grads) adam.step<float>({{via_class.data(), gs.data(), 37}});
  EXPECT_EQ(via_class, straight);
  EXPECT_EQ(adam.steps(), 200);
}

// Adam (TensorFlow's defaults, lr = 0.05) reaches the minimum of an
// ill-conditioned quadratic f(w) = sum_i a_i (w_i - c_i)^2 / 2 with
// curvatures 1 to 1000, from w = 0 (distance ~4 from the minimum).
TEST(Adam, ReachesTheMinimumOfAQuadratic) {
  const xt::xtensor<double, 1> a = {1, 10, 100, 1000}, c = {3, -2, 0.5, 1};
  xt::xtensor<double, 1> w = xt::zeros<double>({4}), g = xt::zeros<double>({4});
  Adam adam(0.05);
  for (int t = 0; t < 3000; ++t) {
    g = a * (w - c);
    adam.step(std::vector{param(w, g)});
  }
  for (std::size_t i = 0; i < 4; ++i) EXPECT_NEAR(w(i), c(i), 1e-3) << "coordinate " << i;
}

// Plain SGD on the same kind of quadratic, lr < 2 / max curvature, contracts
// every coordinate by |1 - lr a_i| per step: after T steps the error is
// |c_i| (1 - lr a_i)^T exactly (up to rounding).
RC_GTEST_PROP(Sgd, SgdOnAQuadraticContractsByOneMinusLrTimesCurvature, ()) {
  const double a = *rc::gen::inRange(1, 100) / 10.0, c = *rc::gen::inRange(-100, 100) / 10.0;
  const double lr = *rc::gen::inRange(1, 19) / (10.0 * a);  // lr a in (0, 1.9)
  xt::xtensor<double, 1> w = {0}, g = {0};
  const int T = 20;
  for (int t = 0; t < T; ++t) {
    g(0) = a * (w(0) - c);
    Sgd{lr}.step(std::vector{param(w, g)});
  }
  RC_ASSERT(std::fabs((w(0) - c) - (-c) * std::pow(1 - lr * a, T)) <= 1e-12 * (1 + std::fabs(c)));
}

}  // namespace
}  // namespace fgbdl
