// Tests of the E3.1 tuple networks (tuple_network.h): gradients of both
// objectives against finite differences (double), N1's batching, float
// against double, shapes and parameter counts.
#include "experiments/sec3_decomposition/tuple_network.h"

#include <cmath>

#include "gtest/gtest.h"
#include "lib/core/rng.h"
#include "lib/data/line_images.h"
#include "rapidcheck/gtest.h"

namespace fgbdl {
namespace {

LineTupleBatch<double> tuples(std::size_t B, int k, std::uint64_t seed) {
  Engine rng(seed);
  LineTupleBatch<double> batch;
  sample_line_tuples(B, LineTupleSpec{k}, rng, batch);
  return batch;
}

TEST(TupleNetwork, ShapesAndParameterCount) {
  Engine rng(1);
  TupleNetwork<float> net = tuple_network_init<float>(3, ConvInitRule::kFanIn, rng);
  // conv1 5*5*1*16 + 16, conv2 5*5*16*16 + 16, fc1 784*50 + 50,
  // fc2 50*100 + 100, score 100 + 1, mid 3*100 + 100, out 100 + 1.
  std::size_t total = 0;
  for (const ParamRef<float>& p : tuple_parameters(net)) total += p.n;
  EXPECT_EQ(total, 416u + 6416u + 39250u + 5100u + 101u + 400u + 101u);
  Engine data(2);
  LineTupleBatch<float> batch;
  sample_line_tuples(4, LineTupleSpec{3}, data, batch);
  TupleWorkspace<float> ws;
  tuple_forward(net, batch.images, ws);
  EXPECT_EQ(ws.score.shape(), (std::array<std::size_t, 2>{12, 1}));
  EXPECT_EQ(ws.out.shape(), (std::array<std::size_t, 2>{4, 1}));
  EXPECT_EQ(ws.p2.shape(), (std::array<std::size_t, 4>{12, 7, 7, 16}));
  EXPECT_THROW(tuple_forward(net, xt::xtensor<float, 4>(xt::zeros<float>({4, 28, 28, 1})), ws),
               std::invalid_argument);
}

TEST(TupleNetwork, ScriptInitUsesTheScriptsStandardDeviations) {
  // Same engine: the truncated normal draws are the same, scaled by the
  // ratio of the standard deviations, conv1 1/sqrt(28) vs 1/5, conv2 1/4
  // vs 1/20; the dense layers are identical.
  Engine a(4), b(4);
  const TupleNetwork<double> fan_in = tuple_network_init<double>(2, ConvInitRule::kFanIn, a);
  const TupleNetwork<double> script = tuple_network_init<double>(2, ConvInitRule::kScript, b);
  for (std::size_t i = 0; i < fan_in.conv1.W.size(); ++i)
    EXPECT_NEAR(script.conv1.W.data()[i], fan_in.conv1.W.data()[i] * 5 / std::sqrt(28.0), 1e-15);
  for (std::size_t i = 0; i < fan_in.conv2.W.size(); ++i)
    EXPECT_NEAR(script.conv2.W.data()[i], fan_in.conv2.W.data()[i] * 5, 1e-14);
  EXPECT_EQ(script.fc1.W, fan_in.fc1.W);
  EXPECT_EQ(script.out.W, fan_in.out.W);
}

// N1 on the B*k images at once gives each image the score N1 gives it alone
// (no mixing across images; the first convolution's sparse path and the
// second's chunked GEMM are per image). Double: rounding only, 1e-12.
TEST(TupleNetwork, N1ScoresEachImageIndependentlyOfTheBatch) {
  Engine rng(5);
  const TupleNetwork<double> net = tuple_network_init<double>(3, ConvInitRule::kFanIn, rng);
  const LineTupleBatch<double> batch = tuples(4, 3, 6);
  TupleWorkspace<double> all, one;
  n1_forward(net, batch.images, all);
  for (std::size_t i = 0; i < 12; ++i) {
    xt::xtensor<double, 4> image = xt::xtensor<double, 4>::from_shape({1, 28, 28, 1});
    std::copy_n(batch.images.data() + i * 784, 784, image.data());
    n1_forward(net, image, one);
    EXPECT_NEAR(one.score(0, 0), all.score(i, 0), 1e-12) << "image " << i;
  }
}

// The objective is piecewise smooth (ReLU, max-pool and hinge kinks; the
// sigmoid is the only curvature). For each parameter tensor P and a random
// unit direction V, the central difference c(h) = (L(w + hV) - L(w - hV)) / 2h
// must equal <dL/dP, V>. Where L is smooth, c(h) and c(h/4) agree to
// O(h^2 L''') + rounding eps |L| / h ~ 1e-10 (h = 1e-5); a kink within h of
// w makes them differ by 1.5 D d / h (slope jump D at distance d), so cases
// with |c(h) - c(h/4)| > 1e-8 (1 + |<dL/dP, V>|) cross a kink and are
// discarded (RC_PRE): the property is checked where L is differentiable.
// Exact ties in max-pool windows (all-zero neighbourhoods give equal conv
// outputs) move together under any perturbation and are no kinks.
// Tolerance 1e-7 (1 + |<dL/dP, V>|) on c(h/4). Measured with the fixed
// seed: 1400 checks (100 cases x 14 tensors), none discarded, largest error
// 1.2e-10; dropping one image's hinge gradient fails it at the first case.
// The k images of a tuple share N1, so this checks that the shared
// weights' gradients sum the k copies' contributions.
RC_GTEST_PROP(TupleNetwork, GradientsOfBothObjectivesMatchFiniteDifferences, ()) {
  const int k = *rc::gen::inRange(1, 4);
  const auto B = static_cast<std::size_t>(*rc::gen::inRange(1, 3));
  const TupleApproach approach = *rc::gen::element(TupleApproach::kEndToEnd, TupleApproach::kDecomposition);
  const auto seed = *rc::gen::inRange<std::uint64_t>(0, 1u << 30);
  RC_CLASSIFY(approach == TupleApproach::kDecomposition, "decomposition");
  RC_CLASSIFY(k > 1, "k > 1");
  Engine rng(seed);
  TupleNetwork<double> net = tuple_network_init<double>(k, ConvInitRule::kFanIn, rng);
  // Non-zero biases, so that no layer sits at a symmetric point.
  for (double& b : net.conv1.b) b = uniform(rng, -0.2, 0.2);
  for (double& b : net.fc1.b) b = uniform(rng, -0.2, 0.2);
  const LineTupleBatch<double> batch = tuples(B, k, seed + 1);
  TupleWorkspace<double> ws;
  tuple_loss_and_gradients(net, batch, approach, ws);
  std::vector<ParamRef<double>> params = tuple_parameters(net);
  std::vector<std::vector<double>> grads;
  for (const ParamRef<double>& p : params) grads.emplace_back(p.dw, p.dw + p.n);
  TupleWorkspace<double> fd_ws;
  auto loss = [&] {
    tuple_forward(net, batch.images, fd_ws);
    const std::size_t N = fd_ws.score.shape(0);
    double l = 0;
    for (std::size_t b = 0; b < B; ++b) l += std::max(0.0, 1 - batch.tuple_labels(b, 0) * fd_ws.out(b, 0));
    l /= double(B);
    if (approach == TupleApproach::kDecomposition) {
      double li = 0;
      for (std::size_t i = 0; i < N; ++i) li += std::max(0.0, 1 - batch.image_labels(i, 0) * fd_ws.score(i, 0));
      l += li / double(N);
    }
    return l;
  };
  const double h = 1e-5;
  for (std::size_t q = 0; q < params.size(); ++q) {
    const ParamRef<double>& p = params[q];
    std::vector<double> V(p.n), saved(p.w, p.w + p.n);
    double norm = 0;
    for (double& v : V) {
      v = uniform(rng, -1, 1);
      norm += v * v;
    }
    for (double& v : V) v /= std::sqrt(norm);
    double analytic = 0;
    for (std::size_t i = 0; i < p.n; ++i) analytic += grads[q][i] * V[i];
    auto central = [&](double step) {
      for (std::size_t i = 0; i < p.n; ++i) p.w[i] = saved[i] + step * V[i];
      const double up = loss();
      for (std::size_t i = 0; i < p.n; ++i) p.w[i] = saved[i] - step * V[i];
      const double down = loss();
      std::copy(saved.begin(), saved.end(), p.w);
      return (up - down) / (2 * step);
    };
    const double coarse = central(h), fine = central(h / 4);
    const double scale = 1 + std::fabs(analytic);
    RC_PRE(std::fabs(coarse - fine) <= 1e-8 * scale);
    RC_ASSERT(std::fabs(fine - analytic) <= 1e-7 * scale);
  }
}

// The float network computes what the double one does (same weights, same
// batch) to float rounding: loss and every gradient.
TEST(TupleNetwork, FloatNetworkAgreesWithDoubleNetwork) {
  for (const TupleApproach approach : {TupleApproach::kEndToEnd, TupleApproach::kDecomposition}) {
    Engine rd(8), rf(8);
    TupleNetwork<double> nd = tuple_network_init<double>(2, ConvInitRule::kFanIn, rd);
    TupleNetwork<float> nf = tuple_network_init<float>(2, ConvInitRule::kFanIn, rf);
    // Same weights: round the double ones to float.
    auto pd = tuple_parameters(nd);
    auto pf = tuple_parameters(nf);
    for (std::size_t q = 0; q < pd.size(); ++q)
      for (std::size_t i = 0; i < pd[q].n; ++i) pd[q].w[i] = pf[q].w[i];
    Engine a(9), b(9);
    LineTupleBatch<double> bd;
    LineTupleBatch<float> bf;
    sample_line_tuples(16, LineTupleSpec{2}, a, bd);
    sample_line_tuples(16, LineTupleSpec{2}, b, bf);
    TupleWorkspace<double> wd;
    TupleWorkspace<float> wf;
    const double ld = tuple_loss_and_gradients(nd, bd, approach, wd);
    const double lf = tuple_loss_and_gradients(nf, bf, approach, wf);
    // Loss ~1; float evaluation through ~6 layers: relative ~1e-6.
    EXPECT_NEAR(ld, lf, 1e-5);
    for (std::size_t q = 0; q < pd.size(); ++q) {
      double worst = 0, scale = 0;
      for (std::size_t i = 0; i < pd[q].n; ++i) {
        worst = std::max(worst, std::fabs(pd[q].dw[i] - pf[q].dw[i]));
        scale = std::max(scale, std::fabs(pd[q].dw[i]));
      }
      // Gradients up to ~0.5 summed over 32 images: float error ~1e-6
      // relative to the largest entry; bound 1e-4 relative.
      EXPECT_LE(worst, 1e-4 * scale + 1e-7) << "parameter " << q << " " << to_string(approach);
    }
  }
}

TEST(TupleNetwork, ScoreLayerGradientIsTheLastLayersGradient) {
  Engine rng(10);
  TupleNetwork<double> net = tuple_network_init<double>(2, ConvInitRule::kFanIn, rng);
  const LineTupleBatch<double> batch = tuples(3, 2, 11);
  TupleWorkspace<double> ws;
  tuple_loss_and_gradients(net, batch, TupleApproach::kDecomposition, ws);
  const xt::xtensor<double, 1> g = score_layer_gradient(net);
  ASSERT_EQ(g.size(), 101u);
  for (std::size_t i = 0; i < 100; ++i) EXPECT_EQ(g(i), net.score.dW(i, 0));
  EXPECT_EQ(g(100), net.score.db(0));
}

TEST(TupleNetwork, EvaluationCountsAndObjectives) {
  Engine rng(12);
  const TupleNetwork<double> net = tuple_network_init<double>(2, ConvInitRule::kFanIn, rng);
  TupleNetwork<double> copy = net;
  const LineTupleBatch<double> batch = tuples(5, 2, 13);
  TupleWorkspace<double> ws;
  const TupleEvaluation e = tuple_evaluate(net, batch, ws);
  EXPECT_EQ(e.tuples, 5);
  EXPECT_EQ(e.images, 10);
  int correct = 0;
  for (std::size_t b = 0; b < 5; ++b) correct += batch.tuple_labels(b, 0) * ws.out(b, 0) > 0;
  EXPECT_EQ(e.correct, correct);
  // The objectives equal what tuple_loss_and_gradients returns.
  for (const TupleApproach a : {TupleApproach::kEndToEnd, TupleApproach::kDecomposition})
    EXPECT_NEAR(e.objective(a), tuple_loss_and_gradients(copy, batch, a, ws), 1e-12);
}

}  // namespace
}  // namespace fgbdl
