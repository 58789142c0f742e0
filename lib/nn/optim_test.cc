#include "lib/nn/optim.h"

#include <cmath>
#include <cstdint>
#include <cstring>
#include <random>
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

// The float step takes entries whose moments are subnormal (or bound to
// become so) apart, to spare the processor's subnormal assists; every
// output must still be the float of the formula of optim.h evaluated entry
// by entry. The reference below is that formula as a plain loop; the inputs
// mix every kind the sorting distinguishes: normal gradients, gradients
// that turn to +0 or -0 for good (the moments decay through the subnormal
// range, m until it stays there, v down to 0), tiny and subnormal
// gradients, signed zeros, subnormal and zero weights, and infinities.
void reference_adam(AdamState<float>& s, double lr, double beta1_d, double beta2_d, double eps_d,
                    const std::vector<ParamRef<float>>& params) {
  if (s.m.empty()) {
    for (const ParamRef<float>& p : params) {
      s.m.emplace_back(p.n, 0.0f);
      s.v.emplace_back(p.n, 0.0f);
    }
  }
  ++s.t;
  const float beta1 = static_cast<float>(beta1_d), beta2 = static_cast<float>(beta2_d),
              eps = static_cast<float>(eps_d);
  s.beta1_power *= beta1;
  s.beta2_power *= beta2;
  const float lr_t = static_cast<float>(lr) * std::sqrt(1.0f - s.beta2_power) / (1.0f - s.beta1_power);
  for (std::size_t k = 0; k < params.size(); ++k) {
    const ParamRef<float>& p = params[k];
    float* m = s.m[k].data();
    float* v = s.v[k].data();
    for (std::size_t i = 0; i < p.n; ++i) {
      const float g = p.dw[i];
      m[i] += (g - m[i]) * (1.0f - beta1);
      v[i] += (g * g - v[i]) * (1.0f - beta2);
      p.w[i] -= (m[i] * lr_t) / (std::sqrt(v[i]) + eps);
    }
  }
}

std::uint32_t bits(float x) {
  std::uint32_t b;
  std::memcpy(&b, &x, 4);
  return b;
}

float from_bits(std::uint32_t b) {
  float x;
  std::memcpy(&x, &b, 4);
  return x;
}

// Entry i's gradient at step t (1, 2, ...), by its kind i % 10.
float test_gradient(std::size_t i, int t, std::mt19937_64& rng) {
  std::normal_distribution<float> normal(0.0f, 1.0f);
  std::uniform_int_distribution<std::uint32_t> subnormal_bits(1, 0x007fffff);
  const float sign = rng() >> 63 ? -1.0f : 1.0f;
  switch (i % 10) {
    case 0: return 1e-3f * normal(rng);                        // always normal
    case 1: return t <= 20 + int(i % 37) ? 1e-3f * normal(rng) : 0.0f;   // dies: +0 for good
    case 2: return t <= 10 + int(i % 23) ? 1e-17f * normal(rng) : -0.0f;  // tiny, then -0
    case 3: return t <= 5 ? 1e-21f * normal(rng) : sign * 0.0f;          // v soon subnormal
    case 4: return sign * from_bits(subnormal_bits(rng));               // subnormal
    case 5: return t % 3 == 0 ? 1e-19f * normal(rng) : 0.0f;            // on and off
    case 6: {
      const float pick[] = {0.0f, -0.0f, 1.17549435e-38f, -3.5e-38f, 1e-40f, 1e-20f, 2e-30f};
      return pick[rng() % 7];
    }
    case 7: return t == 7 && i % 70 == 7 ? sign * INFINITY : 1e-2f * normal(rng);
    case 8: return t <= 3 ? 1e-37f * sign : 0.0f;                      // m subnormal at once
    default: return t <= 40 ? 1e-5f * normal(rng) : 0.0f;
  }
}

// The same for a list laid out as a network's rows: runs of 16 entries of
// one kind (a unit that stops firing zeroes a whole row of gradients).
float test_row_gradient(std::size_t i, int t, std::mt19937_64& rng) {
  std::normal_distribution<float> normal(0.0f, 1.0f);
  switch (i / 16 % 4) {
    case 0: return 1e-3f * normal(rng);
    case 1: return t <= 30 ? 1e-3f * normal(rng) : 0.0f;
    case 2: return t <= 5 ? 1e-21f * normal(rng) : 0.0f;
    default: return t <= 8 ? 1e-19f * normal(rng) : -0.0f;
  }
}

TEST(Adam, FloatStepIsTheFormulaBitForBitOnSubnormalsAndZeros) {
  struct Case {
    double lr, beta1, beta2, eps;
    int steps;
  };
  // E5 (beta2 0.99, eps 1e-5), E4.1.4 (TensorFlow's defaults), a large
  // learning rate (no m is left alone: K = 0), lr 0 (lr_t = 0: no entry is
  // left alone), beta1 close to 1 (m decays slowly through the subnormals).
  const Case cases[] = {{1e-3, 0.9, 0.99, 1e-5, 3000},
                        {1e-3, 0.9, 0.999, 1e-8, 1500},
                        {0.5, 0.5, 0.75, 1.0, 400},
                        {0.0, 0.9, 0.99, 1e-5, 300},
                        {1e-2, 0.999, 0.9, 1e-7, 1500}};
  for (const Case& c : cases) {
    std::mt19937_64 rng(17);
    // With a tail of 3, a short list, and rows (test_row_gradient).
    constexpr std::size_t kLists = 4;
    const std::size_t sizes[kLists] = {1003, 64, 3, 512};
    std::vector<std::vector<float>> w(kLists), g(kLists);
    std::normal_distribution<float> normal(0.0f, 1.0f);
    std::uniform_int_distribution<std::uint32_t> subnormal_bits(1, 0x007fffff);
    for (std::size_t k = 0; k < kLists; ++k) {
      for (std::size_t i = 0; i < sizes[k]; ++i) {
        const std::uint64_t r = rng() % 8;
        w[k].push_back(r == 0   ? 0.0f
                       : r == 1 ? -0.0f
                       : r == 2 ? from_bits(subnormal_bits(rng))
                                : normal(rng));
      }
      g[k].assign(sizes[k], 0.0f);
    }
    std::vector<std::vector<float>> w_ref = w;
    std::vector<ParamRef<float>> params, params_ref;
    for (std::size_t k = 0; k < kLists; ++k) {
      params.push_back({w[k].data(), g[k].data(), sizes[k]});
      params_ref.push_back({w_ref[k].data(), g[k].data(), sizes[k]});
    }
    // Besides adam_step, both widths of its float update by name, on copies.
    std::vector<std::vector<float>> w_sse = w, w_avx2 = w, m_sse(kLists), v_sse(kLists),
        m_avx2(kLists), v_avx2(kLists);
    for (std::size_t k = 0; k < kLists; ++k) {
      m_sse[k].assign(sizes[k], 0.0f);
      v_sse[k] = m_avx2[k] = v_avx2[k] = m_sse[k];
    }
    __builtin_cpu_init();
    const bool avx2 = __builtin_cpu_supports("avx2") != 0;
    AdamState<float> state, state_ref;
    std::size_t checked = 0, subnormal_m = 0, subnormal_v = 0;
    for (int t = 1; t <= c.steps; ++t) {
      for (std::size_t k = 0; k < kLists; ++k)
        for (std::size_t i = 0; i < sizes[k]; ++i)
          g[k][i] = k == 3 ? test_row_gradient(i, t, rng) : test_gradient(i + 7 * k, t, rng);
      adam_step(state, c.lr, c.beta1, c.beta2, c.eps, params);
      reference_adam(state_ref, c.lr, c.beta1, c.beta2, c.eps, params_ref);
      const float beta1 = static_cast<float>(c.beta1), beta2 = static_cast<float>(c.beta2);
      const float lr_t = static_cast<float>(c.lr) * std::sqrt(1.0f - state_ref.beta2_power) /
                         (1.0f - state_ref.beta1_power);
      for (std::size_t k = 0; k < kLists; ++k) {
        nn_detail::adam_update_float(false, 1.0f - beta1, 1.0f - beta2, lr_t,
                                     static_cast<float>(c.eps), g[k].data(), m_sse[k].data(),
                                     v_sse[k].data(), w_sse[k].data(), sizes[k]);
        if (avx2)
          nn_detail::adam_update_float(true, 1.0f - beta1, 1.0f - beta2, lr_t,
                                       static_cast<float>(c.eps), g[k].data(), m_avx2[k].data(),
                                       v_avx2[k].data(), w_avx2[k].data(), sizes[k]);
      }
      for (std::size_t k = 0; k < kLists; ++k) {
        for (std::size_t i = 0; i < sizes[k]; ++i) {
          ASSERT_EQ(bits(state.m[k][i]), bits(state_ref.m[k][i]))
              << "m, lr " << c.lr << ", step " << t << ", list " << k << ", entry " << i;
          ASSERT_EQ(bits(state.v[k][i]), bits(state_ref.v[k][i]))
              << "v, lr " << c.lr << ", step " << t << ", list " << k << ", entry " << i;
          ASSERT_EQ(bits(w[k][i]), bits(w_ref[k][i]))
              << "w, lr " << c.lr << ", step " << t << ", list " << k << ", entry " << i;
          ASSERT_EQ(bits(m_sse[k][i]), bits(state_ref.m[k][i])) << "SSE m, step " << t;
          ASSERT_EQ(bits(v_sse[k][i]), bits(state_ref.v[k][i])) << "SSE v, step " << t;
          ASSERT_EQ(bits(w_sse[k][i]), bits(w_ref[k][i])) << "SSE w, step " << t;
          if (avx2) {
            ASSERT_EQ(bits(m_avx2[k][i]), bits(state_ref.m[k][i])) << "AVX2 m, step " << t;
            ASSERT_EQ(bits(v_avx2[k][i]), bits(state_ref.v[k][i])) << "AVX2 v, step " << t;
            ASSERT_EQ(bits(w_avx2[k][i]), bits(w_ref[k][i])) << "AVX2 w, step " << t;
          }
          subnormal_m += std::fpclassify(state.m[k][i]) == FP_SUBNORMAL;
          subnormal_v += std::fpclassify(state.v[k][i]) == FP_SUBNORMAL;
          ++checked;
        }
      }
    }
    // The cases reach the states the sorting is for.
    EXPECT_GT(subnormal_m, checked / 50) << "lr " << c.lr;
    EXPECT_GT(subnormal_v, checked / 200) << "lr " << c.lr;
  }
}

// The signed zeros of a stuck entry: g = 0, m = -1 ulp (stays), v = 0 and
// w = -0 give the step -0 and w' = -0 - -0 = +0; with w = +0, +0. Sixteen
// such entries fill whole blocks of either width.
TEST(Adam, FloatStepKeepsTheSignedZerosOfStuckEntries) {
  for (const bool avx2 : {false, true}) {
    __builtin_cpu_init();
    if (avx2 && !__builtin_cpu_supports("avx2")) continue;
    for (const float w0 : {-0.0f, 0.0f}) {
      std::vector<float> g(16, 0.0f), m(16, from_bits(0x80000001u)), v(16, 0.0f), w(16, w0);
      nn_detail::adam_update_float(avx2, 0.1f, 0.01f, 1e-3f, 1e-5f, g.data(), m.data(), v.data(),
                                   w.data(), 16);
      float m_ref = from_bits(0x80000001u), v_ref = 0.0f, w_ref = w0;
      m_ref += (0.0f - m_ref) * 0.1f;
      v_ref += (0.0f * 0.0f - v_ref) * 0.01f;
      w_ref -= (m_ref * 1e-3f) / (std::sqrt(v_ref) + 1e-5f);
      for (std::size_t i = 0; i < 16; ++i) {
        EXPECT_EQ(bits(m[i]), bits(m_ref)) << "avx2 " << avx2 << ", entry " << i;
        EXPECT_EQ(bits(v[i]), bits(v_ref)) << "avx2 " << avx2 << ", entry " << i;
        EXPECT_EQ(bits(w[i]), bits(w_ref)) << "avx2 " << avx2 << ", w0 " << w0 << ", entry " << i;
      }
    }
  }
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
