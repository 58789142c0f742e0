// The ConvNet of X1 (lib/train/patch_net.h) with and without weight sharing:
// each group's gradient against finite differences, the two networks equal
// at the start, a shared filter's gradient as the sum of the unshared
// filters' gradients, and each position's filter seeing only its own patch.
#include "lib/train/patch_net.h"

#include <cmath>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "gtest/gtest.h"
#include "lib/nn/loss.h"
#include "lib/train/gradient_check.h"

namespace fgbdl {
namespace {

constexpr std::size_t kB = 16, kK = 3, kD = 4, kC = 2, kH = 5;

PatchNet make_net(bool shared, std::uint64_t seed) {
  Engine init = derive_engine(seed, 3);
  return PatchNet(PatchShape{kK, kD, kC, kH, shared}, init);
}

// The network with the squared loss (1/B) sum (f - y)^2 / 2, its value
// summed in float64 from the float32 outputs so that the central difference
// resolves small changes (as lib/train/mlp_test.cc does).
class Regression final : public Model<XYBatch> {
 public:
  explicit Regression(PatchNet net) : net_(std::move(net)) {}
  std::vector<Parameter> parameters() override { return net_.parameters(); }
  double loss(const XYBatch& b) override {
    Matrix out;
    net_.predict(b.x, out);
    double sum = 0;
    for (std::size_t i = 0; i < out.size(); ++i) {
      const double e = double(out.data()[i]) - b.y.data()[i];
      sum += e * e / 2;
    }
    return sum / double(out.shape(0));
  }
  double loss_and_gradient(const XYBatch& b) override {
    squared_loss(net_.forward(b.x), b.y, net_.doutput());
    net_.backward(b.x);
    return loss(b);
  }

 private:
  PatchNet net_;
};

XYBatch batch(std::uint64_t seed) {
  Engine rng = derive_engine(seed, 1);
  XYBatch b{Matrix::from_shape({kB, kK * kD}), Matrix::from_shape({kB, 1})};
  for (float& v : b.x) v = float(normal(rng));
  for (float& v : b.y) v = float(normal(rng));
  return b;
}

// Every group (w, b or w_i, b_i, then W1, b1, W2, b2) of both networks, seeds
// 1 to 10, h in {1e-2, 1e-3, 1e-4}: relative errors measured up to 2.7e-4
// (bound 1e-2, as for lib/train/mlp_test.cc's ReLU stacks). The biases are
// first moved off their initial 0: an example whose k C filter responses are
// all 0 (probability 2^-kC each) would put a hidden unit exactly on its kink
// at b1 = 0, where the loss has no derivative to check.
TEST(PatchNet, GradientOfEachGroupMatchesFiniteDifferences) {
  for (const bool shared : {true, false}) {
    for (std::uint64_t seed = 1; seed <= 10; ++seed) {
      Regression model(make_net(shared, seed));
      const XYBatch b = batch(seed);
      Engine rng = derive_engine(seed, 11);
      for (Parameter& p : model.parameters())
        if (p.name[0] == 'b')
          for (std::size_t j = 0; j < p.n; ++j) p.w[j] = float(0.1 * normal(rng));
      const auto checks = check_gradient<XYBatch>(model, b, {1e-2, 1e-3, 1e-4}, rng);
      ASSERT_EQ(checks.size(), shared ? 6u : 2 * kK + 4);
      for (const GroupGradientCheck& c : checks)
        EXPECT_LT(c.relative_error(), 1e-2)
            << (shared ? "shared" : "unshared") << " seed " << seed << " group " << c.name
            << ": analytic " << c.analytic << ", numeric " << c.numeric;
    }
  }
}

// From one seed the unshared network's filters start as copies of the shared
// one's, so both compute the same function at step 0 (float32 products of
// length d summed in one GEMM or in k: equal to 1e-6 relative).
TEST(PatchNet, SharedAndUnsharedStartAsTheSameFunction) {
  for (std::uint64_t seed = 1; seed <= 5; ++seed) {
    const PatchNet shared = make_net(true, seed), unshared = make_net(false, seed);
    const XYBatch b = batch(seed);
    Matrix fs, fu;
    shared.predict(b.x, fs);
    unshared.predict(b.x, fu);
    ASSERT_EQ(fs.shape(0), kB);
    for (std::size_t i = 0; i < kB; ++i)
      EXPECT_NEAR(fs(i, 0), fu(i, 0), 1e-6 * (1 + std::fabs(fs(i, 0)))) << "seed " << seed;
  }
}

// At equal weights the gradient of a shared filter is the sum over positions
// of the unshared filters' gradients, and the layers above get the same
// gradient in both networks (tolerance 1e-5 relative to the largest entry).
TEST(PatchNet, SharedFilterGradientIsTheSumOfThePositionsGradients) {
  for (std::uint64_t seed = 1; seed <= 5; ++seed) {
    PatchModel shared(make_net(true, seed), &squared_loss<float>);
    PatchModel unshared(make_net(false, seed), &squared_loss<float>);
    const XYBatch b = batch(seed);
    shared.loss_and_gradient(b);
    unshared.loss_and_gradient(b);
    const auto ps = shared.parameters(), pu = unshared.parameters();
    for (std::size_t g = 0; g < 2; ++g) {  // w, then b
      for (std::size_t j = 0; j < ps[g].n; ++j) {
        double sum = 0;
        for (std::size_t i = 0; i < kK; ++i) sum += pu[2 * i + g].dw[j];
        EXPECT_NEAR(ps[g].dw[j], sum, 1e-5 * (1 + std::fabs(sum)))
            << "seed " << seed << " " << ps[g].name << "[" << j << "]";
      }
    }
    for (std::size_t g = 2; g < ps.size(); ++g) {
      ASSERT_EQ(ps[g].name, pu[2 * kK + g - 2].name);
      for (std::size_t j = 0; j < ps[g].n; ++j)
        EXPECT_NEAR(ps[g].dw[j], pu[2 * kK + g - 2].dw[j], 1e-5 * (1 + std::fabs(ps[g].dw[j])))
            << "seed " << seed << " " << ps[g].name;
    }
  }
}

// Without sharing, w_i's gradient is x_i^T dz_i: it comes from patch i
// alone, so zeroing patch 2 in every example zeroes w_2's gradient exactly
// while the other positions' filters still get one.
TEST(PatchNet, AnUnsharedFilterLearnsOnlyFromItsOwnPatch) {
  for (std::uint64_t seed = 1; seed <= 5; ++seed) {
    PatchModel unshared(make_net(false, seed), &squared_loss<float>);
    XYBatch b = batch(seed);
    for (std::size_t r = 0; r < kB; ++r)
      for (std::size_t l = 0; l < kD; ++l) b.x(r, 1 * kD + l) = 0;  // patch 2
    unshared.loss_and_gradient(b);
    const auto pu = unshared.parameters();
    for (std::size_t i = 0; i < kK; ++i) {
      double norm = 0;
      for (std::size_t j = 0; j < pu[2 * i].n; ++j) norm += std::fabs(pu[2 * i].dw[j]);
      if (i == 1)
        EXPECT_EQ(norm, 0.0) << "seed " << seed << ": w_2 moved without its patch";
      else
        EXPECT_GT(norm, 0.0) << "seed " << seed << ": w_" << i + 1 << " got no gradient";
    }
  }
}

}  // namespace
}  // namespace fgbdl
