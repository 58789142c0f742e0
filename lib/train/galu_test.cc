// The GaLU network (lib/train/galu.h): a hand-computed output; the gradient
// of each parameter group (W, b) against finite differences, with the
// squared and the hinge loss; convexity of the loss in (W, b) at fixed gates;
// and the exact least-squares solution: it interpolates when k d >= m, its
// gradient vanishes when k d < m, and no SGD iterate of the same network on
// the same training set has a lower training loss.
#include "lib/train/galu.h"

#include <cmath>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "lib/nn/loss.h"
#include "lib/train/galu0.h"
#include "lib/train/gradient_check.h"
#include "lib/train/loop.h"

namespace fgbdl {
namespace {

XYBatch gaussian_batch(std::size_t m, std::size_t d, std::uint64_t seed) {
  Engine rng = derive_engine(seed, 7);
  XYBatch b{Matrix::from_shape({m, d}), Matrix::from_shape({m, 1})};
  for (float& v : b.x) v = static_cast<float>(normal(rng));
  for (float& v : b.y) v = static_cast<float>(normal(rng));
  return b;
}

Galu make_galu(std::size_t d, std::size_t k, bool bias, std::uint64_t seed) {
  Engine init = derive_engine(seed, 3);
  return Galu(GaluShape{d, k, bias, 1.0, 1.0}, init);
}

TEST(Galu, OutputIsTheSumOfGatedLinearUnits) {
  Galu net = make_galu(2, 3, true, 1);
  // theta in feature order: W[l, j] = theta[l k + j], b[j] = theta[d k + j].
  net.set_linear_part({1, -2, 0.5, 3, 0.25, -1, 0.5, 0, -0.5});
  Matrix x = {{1.0f, -2.0f}, {-0.5f, 0.25f}};
  Matrix out;
  net.predict(x, out);
  for (std::size_t i = 0; i < 2; ++i) {
    double expected = 0;
    for (std::size_t j = 0; j < 3; ++j) {
      const double gate_pre = x(i, 0) * net.U()(0, j) + x(i, 1) * net.U()(1, j) + net.c()(j);
      const double z = x(i, 0) * net.W()(0, j) + x(i, 1) * net.W()(1, j) + net.b()(j);
      expected += gate_pre > 0 ? z : 0.0;
    }
    EXPECT_NEAR(out(i, 0), expected, 1e-6) << "row " << i;
  }
  // The first row by hand for the weights set above: z = (1 - 6 + 0.5, -2 -
  // 0.5 + 0, 0.5 + 2 - 0.5) = (-4.5, -2.5, 2); the output is the sum of the
  // open gates' z.
  const double z[3] = {-4.5, -2.5, 2.0};
  Matrix g;
  net.gates(x, g);
  double by_hand = 0;
  for (std::size_t j = 0; j < 3; ++j) by_hand += g(0, j) * z[j];
  EXPECT_NEAR(out(0, 0), by_hand, 1e-6);
  EXPECT_EQ(net.features(), 9u);
}

TEST(Galu, GradientOfEachGroupMatchesFiniteDifferences) {
  for (const bool hinge : {false, true}) {
    for (std::uint64_t seed = 1; seed <= 5; ++seed) {
      GaluModel model(make_galu(6, 5, true, seed), hinge ? &hinge_loss<float> : &squared_loss<float>);
      XYBatch b = gaussian_batch(32, 6, seed);
      if (hinge)
        for (float& v : b.y) v = v > 0 ? 1.0f : -1.0f;
      Engine rng = derive_engine(seed, 11);
      const auto checks = check_gradient<XYBatch>(model, b, {1e-1, 3e-2, 1e-2, 3e-3}, rng);
      ASSERT_EQ(checks.size(), 2u);
      for (const GroupGradientCheck& c : checks) {
        EXPECT_LT(c.relative_error(), 1e-3)
            << (hinge ? "hinge" : "squared") << " seed " << seed << " group " << c.name
            << ": analytic " << c.analytic << ", numeric " << c.numeric;
      }
    }
  }
}

TEST(Galu, GradientCheckCatchesAWrongGradient) {
  // A model whose W gradient is scaled by 1.1: the check must see it.
  class Scaled final : public Model<XYBatch> {
   public:
    explicit Scaled(GaluModel m) : m_(std::move(m)) {}
    std::vector<Parameter> parameters() override { return m_.parameters(); }
    double loss(const XYBatch& b) override { return m_.loss(b); }
    double loss_and_gradient(const XYBatch& b) override {
      const double l = m_.loss_and_gradient(b);
      Parameter w = m_.parameters()[0];
      for (std::size_t i = 0; i < w.n; ++i) w.dw[i] *= 1.1f;
      return l;
    }

   private:
    GaluModel m_;
  } model(GaluModel(make_galu(6, 5, true, 2), &squared_loss<float>));
  XYBatch b = gaussian_batch(32, 6, 2);
  Engine rng = derive_engine(2, 11);
  const auto checks = check_gradient<XYBatch>(model, b, {1e-1, 3e-2, 1e-2, 3e-3}, rng);
  EXPECT_GT(checks[0].relative_error(), 0.05);
}

// At fixed gates f is linear in theta = (W, b), so the squared loss is convex
// in theta: along any segment it lies below the chord (float32 outputs:
// tolerance 1e-5 relative).
TEST(Galu, LossIsConvexInTheLinearPartAtFixedGates) {
  for (std::uint64_t seed = 1; seed <= 10; ++seed) {
    GaluModel model(make_galu(5, 4, true, seed), &squared_loss<float>);
    const XYBatch b = gaussian_batch(40, 5, seed);
    const std::size_t n = model.net().features();
    Engine rng = derive_engine(seed, 13);
    std::vector<double> t0(n), t1(n), t(n);
    for (std::size_t i = 0; i < n; ++i) {
      t0[i] = normal(rng);
      t1[i] = normal(rng);
    }
    model.net().set_linear_part(t0);
    const double l0 = model.loss(b);
    model.net().set_linear_part(t1);
    const double l1 = model.loss(b);
    for (const double s : {0.1, 0.25, 0.5, 0.75, 0.9}) {
      for (std::size_t i = 0; i < n; ++i) t[i] = (1 - s) * t0[i] + s * t1[i];
      model.net().set_linear_part(t);
      EXPECT_LE(model.loss(b), ((1 - s) * l0 + s * l1) * (1 + 1e-5)) << "seed " << seed << " s " << s;
    }
  }
}

TEST(Galu, LeastSquaresInterpolatesWhenFeaturesOutnumberSamples) {
  // k d = 64 features, m = 48 samples: the gated features of Gaussian inputs
  // are linearly independent with probability 1, so the fit is exact.
  Galu net = make_galu(8, 8, false, 4);
  const XYBatch b = gaussian_batch(48, 8, 4);
  const double loss = galu_least_squares(net, b.x, b.y);
  EXPECT_LT(loss, 1e-20);
  // The float32 network with the rounded solution, within float32 rounding.
  GaluModel model(net, &squared_loss<float>);
  EXPECT_LT(model.loss(b), 1e-8);
}

TEST(Galu, LeastSquaresIsAStationaryPointWhenSamplesOutnumberFeatures) {
  // m = 400 > k d + k = 40: the normal equations phi^T (phi theta - y) = 0.
  Galu net = make_galu(6, 5, true, 5);
  const XYBatch b = gaussian_batch(400, 6, 5);
  const double loss = galu_least_squares(net, b.x, b.y);
  EXPECT_GT(loss, 0.1);  // y is independent noise: it cannot be fitted
  const MatrixD phi = galu_features(net, b.x);
  std::vector<double> theta(net.features());
  for (std::size_t i = 0; i < net.shape().d * net.shape().k; ++i) theta[i] = net.W().data()[i];
  for (std::size_t j = 0; j < net.shape().k; ++j) theta[net.shape().d * net.shape().k + j] = net.b()(j);
  std::vector<double> residual(400);
  for (std::size_t i = 0; i < 400; ++i) {
    double f = 0;
    for (std::size_t p = 0; p < theta.size(); ++p) f += phi(i, p) * theta[p];
    residual[i] = f - b.y(i, 0);
  }
  for (std::size_t p = 0; p < theta.size(); ++p) {
    double g = 0;
    for (std::size_t i = 0; i < 400; ++i) g += phi(i, p) * residual[i];
    // theta rounded to float32: a gradient of the order of 1e-7 |phi| |y|.
    EXPECT_LT(std::fabs(g / 400), 1e-5) << "feature " << p;
  }
}

// Convexity at work: the exact solution's training loss is at most that of
// every iterate of SGD on the same network and training set (through the
// one training loop), up to float32 rounding of the evaluated loss.
TEST(Galu, ExactSolutionIsBelowEverySgdIterate) {
  for (std::uint64_t seed = 1; seed <= 3; ++seed) {
    const std::size_t m = 200, d = 8, k = 8;
    const XYBatch train_set = gaussian_batch(m, d, seed);
    Galu exact = make_galu(d, k, false, seed);
    const double exact_loss = galu_least_squares(exact, train_set.x, train_set.y);
    GaluModel model(make_galu(d, k, false, seed), &squared_loss<float>);
    Backprop<XYBatch> backprop;
    SgdOptimizer sgd(0.01);
    Engine batches = derive_engine(seed, 17);
    TrainingRun<XYBatch> run;
    run.model = &model;
    run.gradient = &backprop;
    run.optimizer = &sgd;
    run.draw = [&](XYBatch& b) {
      b.x = Matrix::from_shape({32, d});
      b.y = Matrix::from_shape({32, 1});
      for (std::size_t i = 0; i < 32; ++i) {
        const std::size_t r = uniform_index(batches, m);
        for (std::size_t l = 0; l < d; ++l) b.x(i, l) = train_set.x(r, l);
        b.y(i, 0) = train_set.y(r, 0);
      }
    };
    double lowest = INFINITY;
    run.evaluate = [&](const StepLoss&) {
      lowest = std::min(lowest, model.loss(train_set));
      return true;
    };
    run.engines = {&batches};
    LoopSettings loop;
    loop.steps = 3000;
    loop.schedule.every = 50;
    ASSERT_FALSE(train(run, loop).status.diverged);
    EXPECT_GE(lowest, exact_loss * (1 - 1e-5)) << "seed " << seed;
    // And SGD does approach it: its lowest iterate is within 20% of the exact
    // loss after 3000 steps (a bound, not a margin: a broken update fails it).
    EXPECT_LT(lowest, exact_loss * 1.2) << "seed " << seed << " exact " << exact_loss;
  }
}

// GaLU0 with one hidden layer and biases is the one-hidden-layer GaLU with a
// trained output layer: out = ((x W1 + b1) ⊙ g1) W2 + b2, recomputed here
// from the gates and the weights.
TEST(Galu0, OutputIsTheGatedStackOfDenseLayers) {
  Engine init = derive_engine(1, 3);
  Galu0 net({3, 4, 5, 2}, 1.0, 1.0, init);
  const XYBatch b = gaussian_batch(6, 3, 1);
  Matrix out;
  net.predict(b.x, out);
  std::vector<Parameter> p = net.parameters();
  ASSERT_EQ(p.size(), 6u);
  Matrix g1, g2;
  net.gates(0, b.x, g1);
  net.gates(1, b.x, g2);
  for (std::size_t i = 0; i < 6; ++i) {
    std::vector<double> a1(4), a2(5);
    for (std::size_t j = 0; j < 4; ++j) {
      double z = p[1].w[j];
      for (std::size_t l = 0; l < 3; ++l) z += b.x(i, l) * p[0].w[l * 4 + j];
      a1[j] = z * g1(i, j);
    }
    for (std::size_t j = 0; j < 5; ++j) {
      double z = p[3].w[j];
      for (std::size_t l = 0; l < 4; ++l) z += a1[l] * p[2].w[l * 5 + j];
      a2[j] = z * g2(i, j);
    }
    for (std::size_t o = 0; o < 2; ++o) {
      double z = p[5].w[o];
      for (std::size_t l = 0; l < 5; ++l) z += a2[l] * p[4].w[l * 2 + o];
      EXPECT_NEAR(out(i, o), z, 1e-5) << "row " << i << " output " << o;
    }
  }
}

TEST(Galu0, GradientOfEachGroupMatchesFiniteDifferences) {
  for (std::uint64_t seed = 1; seed <= 5; ++seed) {
    Engine init = derive_engine(seed, 3);
    NetworkModel<Galu0> model(Galu0({6, 7, 5, 1}, 1.0, 1.0, init), &squared_loss<float>);
    const XYBatch b = gaussian_batch(32, 6, seed);
    Engine rng = derive_engine(seed, 11);
    const auto checks = check_gradient<XYBatch>(model, b, {1e-1, 3e-2, 1e-2, 3e-3}, rng);
    ASSERT_EQ(checks.size(), 6u);
    for (const GroupGradientCheck& c : checks) {
      EXPECT_LT(c.relative_error(), 1e-3) << "seed " << seed << " group " << c.name
                                           << ": analytic " << c.analytic << ", numeric "
                                           << c.numeric;
    }
  }
}

// The gates are the input's alone: training the weights never changes them.
TEST(Galu0, TrainingLeavesTheGatesAlone) {
  Engine init = derive_engine(2, 3);
  NetworkModel<Galu0> model(Galu0({6, 7, 5, 1}, 1.0, 1.0, init), &squared_loss<float>);
  const XYBatch b = gaussian_batch(32, 6, 2);
  Matrix before0, before1, after0, after1;
  model.net().gates(0, b.x, before0);
  model.net().gates(1, b.x, before1);
  const double loss0 = model.loss(b);
  SgdOptimizer sgd(0.01);
  const auto refs = param_refs(model.parameters());
  for (int t = 0; t < 200; ++t) {
    model.loss_and_gradient(b);
    sgd.step(refs);
  }
  model.net().gates(0, b.x, after0);
  model.net().gates(1, b.x, after1);
  EXPECT_EQ(before0, after0);
  EXPECT_EQ(before1, after1);
  EXPECT_LT(model.loss(b), loss0);  // and the weights did move (0.631 to 0.586)
}

}  // namespace
}  // namespace fgbdl
