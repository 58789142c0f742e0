// The multi-layer perceptron (lib/train/mlp.h) and the finite-difference
// gradient check (lib/train/gradient_check.h), each checked against the
// other's failure: a correct gradient passes, a gradient off by a constant
// factor in one group fails.
#include "lib/train/mlp.h"

#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "lib/nn/loss.h"
#include "lib/train/gradient_check.h"

namespace fgbdl {
namespace {

struct XY {
  Matrix x, y;
};

// An MLP with the squared loss (1/B) sum (out - y)^2 / 2 (lib/nn/loss.h); its
// gradient of group `scaled` is multiplied by `factor` (1: correct).
class MlpRegression final : public Model<XY> {
 public:
  MlpRegression(const std::vector<std::size_t>& widths, const std::vector<bool>& relu,
                std::uint64_t seed)
      : rng_(derive_engine(seed, 0)), mlp_(widths, relu, rng_) {}
  std::vector<Parameter> parameters() override { return mlp_.parameters(); }
  // In float64 from the float32 outputs, so that the central difference
  // resolves small changes.
  double loss(const XY& b) override {
    Matrix out;
    mlp_.predict(b.x, out);
    double sum = 0;
    for (std::size_t i = 0; i < out.size(); ++i) {
      const double e = double(out.data()[i]) - b.y.data()[i];
      sum += e * e / 2;
    }
    return sum / double(out.shape(0));
  }
  double loss_and_gradient(const XY& b) override {
    squared_loss(mlp_.forward(b.x), b.y, mlp_.doutput());
    mlp_.backward(b.x);
    if (!scaled.empty()) {
      for (Parameter& p : mlp_.parameters())
        if (p.name == scaled)
          for (std::size_t i = 0; i < p.n; ++i) p.dw[i] *= factor;
    }
    return loss(b);
  }
  std::string scaled;
  float factor = 1;

 private:
  Engine rng_;
  Mlp mlp_;
};

XY batch(std::size_t B, std::size_t in, std::size_t out, std::uint64_t seed) {
  Engine rng = derive_engine(seed, 1);
  XY b{Matrix::from_shape({B, in}), Matrix::from_shape({B, out})};
  for (float& v : b.x) v = float(normal(rng));
  for (float& v : b.y) v = float(normal(rng));
  return b;
}

// The same network in two ways: forward() (training buffers) and predict()
// (its own buffers) give the same output bit for bit.
TEST(Mlp, PredictEqualsForward) {
  Engine rng = derive_engine(3, 0);
  Mlp mlp({5, 7, 4, 2}, {true, false, false}, rng);
  const XY b = batch(6, 5, 2, 3);
  Matrix out;
  mlp.predict(b.x, out);
  EXPECT_EQ(out, mlp.forward(b.x));
}

// Every group of a ReLU MLP, with a linear layer in the middle as the
// auto-encoder's code, passes the check. float32 weights, the loss summed in
// float64, h in {1e-2, 1e-3, 1e-4}: relative errors measured up to 4.3e-3
// over these 5 seeds x 8 groups; bound 1e-2. A factor 1.2 shows as 0.167.
TEST(Mlp, EveryGroupsGradientMatchesFiniteDifferences) {
  for (std::uint64_t seed = 1; seed <= 5; ++seed) {
    MlpRegression model({6, 16, 3, 16, 4}, {true, false, true, false}, seed);
    const XY b = batch(32, 6, 4, seed);
    Engine rng = derive_engine(seed, 2);
    for (const GroupGradientCheck& c : check_gradient(model, b, {1e-2, 1e-3, 1e-4}, rng)) {
      SCOPED_TRACE(c.name + " seed " + std::to_string(seed));
      EXPECT_LT(c.relative_error(), 1e-2) << c.analytic << " vs " << c.numeric;
    }
  }
}

// A wrong constant factor in any one group, even 1.2, is caught in that
// group and only there.
TEST(Mlp, AGradientOffByAConstantFactorFailsTheCheck) {
  for (const std::string group : {"W1", "b1", "W2", "b4"}) {
    MlpRegression model({6, 16, 3, 16, 4}, {true, false, true, false}, 7);
    model.scaled = group;
    model.factor = 1.2f;
    const XY b = batch(32, 6, 4, 7);
    Engine rng = derive_engine(7, 2);
    for (const GroupGradientCheck& c : check_gradient(model, b, {1e-2, 1e-3, 1e-4}, rng)) {
      SCOPED_TRACE(c.name + " with " + group + " scaled");
      if (c.name == group)
        EXPECT_GT(c.relative_error(), 0.1) << c.analytic << " vs " << c.numeric;
      else
        EXPECT_LT(c.relative_error(), 1e-2) << c.analytic << " vs " << c.numeric;
    }
  }
}

}  // namespace
}  // namespace fgbdl
