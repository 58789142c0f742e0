// Tests of the stocks model, objective and estimators (stocks_model.h) and of
// its training loop (stocks_training.h).
#include "experiments/sec3_decomposition/stocks_model.h"

#include <cmath>
#include <stdexcept>
#include <string>
#include <vector>
#include <xtensor/xview.hpp>

#include "experiments/sec3_decomposition/stocks_training.h"
#include "gtest/gtest.h"
#include "lib/nn/dense.h"
#include "lib/nn/softmax.h"
#include "rapidcheck.h"
#include "rapidcheck/gtest.h"

namespace fgbdl {
namespace {

// Inputs e_0, e_1 with labels 2, 0; k = 3.
//   W = [[0, ln 2, ln 3],    b = [0, 0, 0]:  N(e_0) = [1, 2, 3] / 6,
//        [ln 3, 0, 0]]                         N(e_1) = [3, 1, 1] / 5.
// L = -(1/2) (N(e_0)_2 + N(e_1)_0) = -(1/2) (1/2 + 3/5) = -0.55.
StocksProblem problem_2x3() { return StocksProblem{2, 3, {2, 0}}; }
StocksModel<double> model_2x3() {
  StocksModel<double> m;
  m.W = {{0, std::log(2.0), std::log(3.0)}, {std::log(3.0), 0, 0}};
  m.b = {0, 0, 0};
  return m;
}

TEST(StocksModel, OutputsAndObjectiveMatchHandComputedValues) {
  const StocksProblem p = problem_2x3();
  const StocksModel<double> m = model_2x3();
  const std::vector<double> n0 = stocks_output(m, 0), n1 = stocks_output(m, 1);
  EXPECT_NEAR(n0[0], 1.0 / 6, 1e-15);
  EXPECT_NEAR(n0[2], 0.5, 1e-15);
  EXPECT_NEAR(n1[0], 0.6, 1e-15);
  EXPECT_NEAR(stocks_objective_term(m, p, 0), -0.5, 1e-15);
  EXPECT_NEAR(stocks_objective_term(m, p, 1), -0.6, 1e-15);
  EXPECT_NEAR(stocks_objective(m, p), -0.55, 1e-15);
  // A constant added to b changes nothing (softmax shift invariance).
  StocksModel<double> shifted = m;
  shifted.b += 40.0;
  EXPECT_NEAR(stocks_objective(shifted, p), -0.55, 1e-14);
}

TEST(StocksModel, EstimatorsMatchHandComputedValues) {
  const StocksProblem p = problem_2x3();
  const StocksModel<double> m = model_2x3();
  StocksGradient<double> g;
  // Decomposition on the batch {e_0}: loss -N_2, ds = [0, 0, -1], s = [1/6, 1/3, 1/2],
  // <ds, s> = -1/2, dlogits = s (ds + 1/2) = [1/12, 1/6, -1/4] = row 0 of dW = db.
  EXPECT_NEAR(stocks_estimate<double>(m, p, {0}, nullptr, StocksEstimator::kDecomposition, g),
              -0.5, 1e-15);
  const xt::xtensor<double, 2> dW = {{1.0 / 12, 1.0 / 6, -0.25}, {0, 0, 0}};
  const xt::xtensor<double, 1> db = {1.0 / 12, 1.0 / 6, -0.25};
  EXPECT_LE(xt::amax(xt::abs(g.dW - dW))(), 1e-15);
  EXPECT_LE(xt::amax(xt::abs(g.db - db))(), 1e-15);
  // End-to-end with z = [-1, 1, 1]: loss -(-1/6 + 1/3 + 1/2) = -2/3; ds = [1, -1, -1],
  // <ds, s> = 1/6 - 1/3 - 1/2 = -2/3, dlogits = s (ds + 2/3) = [5/18, -1/9, -1/6].
  const xt::xtensor<double, 2> z = {{-1, 1, 1}};
  EXPECT_NEAR(stocks_estimate(m, p, {0}, &z, StocksEstimator::kEndToEnd, g), -2.0 / 3, 1e-15);
  const xt::xtensor<double, 1> db2 = {5.0 / 18, -1.0 / 9, -1.0 / 6};
  EXPECT_LE(xt::amax(xt::abs(g.db - db2))(), 1e-15);
  EXPECT_LE(xt::amax(xt::abs(xt::view(g.dW, 0, xt::all()) - db2))(), 1e-15);
  EXPECT_EQ(xt::view(g.dW, 1, xt::all()), xt::zeros<double>({3}));
}

// The one-hot shortcut equals the dense computation it replaces: x [B, d]
// one-hot, logits = x W + b (Dense layer), s = softmax, ds = -c / B, back
// through softmax and the dense layer. Batches repeat inputs (accumulation).
// Double: both sides add the same few terms, in possibly different order
// (BLAS): tolerance 1e-14. Float: the same at float rounding, 1e-6.
RC_GTEST_PROP(StocksModel, OneHotEstimatorEqualsTheDenseComputation, (std::uint64_t seed)) {
  const auto d = static_cast<std::size_t>(*rc::gen::inRange(1, 12));
  const auto k = static_cast<std::size_t>(*rc::gen::inRange(2, 30));
  const auto B = static_cast<std::size_t>(*rc::gen::inRange(1, 25));
  const bool e2e = *rc::gen::arbitrary<bool>();
  Engine rng(seed);
  const StocksProblem p = draw_stocks_problem(d, k, rng);
  std::vector<std::int32_t> j;
  sample_stocks_inputs(p, B, rng, j);
  Matrix zf;
  sample_stocks_signals(p, j, rng, zf);
  StocksModel<double> m;
  m.W = xt::xtensor<double, 2>::from_shape({d, k});
  m.b = xt::xtensor<double, 1>::from_shape({k});
  for (double& w : m.W) w = 3 * normal(rng);
  for (double& w : m.b) w = normal(rng);
  const xt::xtensor<double, 2> z = xt::cast<double>(zf);

  Dense<double> layer{m.W, m.b, {}, {}};
  const xt::xtensor<double, 2> x = xt::cast<double>(stocks_one_hot(p, j));
  xt::xtensor<double, 2> logits, s, ds = xt::zeros<double>({B, k}), dlogits;
  dense_forward(layer, x, logits);
  softmax_forward(logits, s);
  double loss = 0;
  for (std::size_t r = 0; r < B; ++r) {
    for (std::size_t l = 0; l < k; ++l) {
      const double c = e2e ? z(r, l) : (static_cast<std::int32_t>(l) == p.label[j[r]] ? 1.0 : 0.0);
      ds(r, l) = -c / B;
      loss += ds(r, l) * s(r, l);
    }
  }
  softmax_backward(s, ds, dlogits);
  dense_backward(layer, x, dlogits);

  const StocksEstimator est = e2e ? StocksEstimator::kEndToEnd : StocksEstimator::kDecomposition;
  StocksGradient<double> g;
  const double got = stocks_estimate(m, p, j, &z, est, g);
  RC_ASSERT(std::fabs(got - loss) <= 1e-14);
  RC_ASSERT(xt::amax(xt::abs(g.dW - layer.dW))() <= 1e-14);
  RC_ASSERT(xt::amax(xt::abs(g.db - layer.db))() <= 1e-14);

  StocksModel<float> mf{xt::cast<float>(m.W), xt::cast<float>(m.b)};
  StocksGradient<float> gf;
  stocks_estimate(mf, p, j, &zf, est, gf);
  RC_ASSERT(xt::amax(xt::abs(xt::cast<double>(gf.dW) - layer.dW))() <= 1e-6);
  RC_ASSERT(xt::amax(xt::abs(xt::cast<double>(gf.db) - layer.db))() <= 1e-6);
}

// Reusing the buffers: a call clears the rows of the previous one, so every
// estimate equals a fresh one.
TEST(StocksModel, ReusedBuffersGiveTheSameEstimateAsFreshOnes) {
  Engine rng(4);
  const StocksProblem p = draw_stocks_problem(50, 7, rng);
  const StocksModel<float> m = stocks_model_init<float>(50, 7, rng);
  StocksGradient<float> reused;
  std::vector<std::int32_t> j;
  Matrix z;
  for (int t = 0; t < 5; ++t) {
    sample_stocks_inputs(p, 10, rng, j);
    sample_stocks_signals(p, j, rng, z);
    StocksGradient<float> fresh;
    stocks_estimate(m, p, j, &z, StocksEstimator::kEndToEnd, reused);
    stocks_estimate(m, p, j, &z, StocksEstimator::kEndToEnd, fresh);
    EXPECT_EQ(reused.dW, fresh.dW);
    EXPECT_EQ(reused.db, fresh.db);
  }
}

TEST(StocksModel, InitIsTheScriptsAndTheObjectiveStartsNearMinusOneOverK) {
  Engine a(3), b(3);
  const StocksModel<float> m = stocks_model_init<float>(1000, 10, a);
  const Dense<float> ref = dense_init<float>(1000, 10, b);  // truncated normal 1/sqrt(d), b = 0
  EXPECT_EQ(m.W, ref.W);
  EXPECT_EQ(m.b, xt::zeros<float>({10}));
  // Logits have std ~0.88/sqrt(1000) = 0.028, so N(x) is uniform to ~3%:
  // L = -(1/d) sum_j N(e_j)_y is -1/k = -0.1 to within ~0.003 (measured 0.00006).
  const StocksProblem p = draw_stocks_problem(1000, 10, a);
  EXPECT_NEAR(stocks_objective(m, p), -0.1, 0.003);
  StocksModel<double> zero{xt::zeros<double>({1000, 10}), xt::zeros<double>({10})};
  EXPECT_NEAR(stocks_objective(zero, p), -0.1, 1e-13);  // a sum of 1000 roundings
}

TEST(StocksModel, BadArgumentsThrowWithAMessage) {
  const StocksProblem p = problem_2x3();
  const StocksModel<double> m = model_2x3();
  StocksGradient<double> g;
  auto message = [](auto f) -> std::string {
    try {
      f();
    } catch (const std::invalid_argument& e) {
      return e.what();
    }
    return "";
  };
  EXPECT_EQ(message([&] { stocks_estimate<double>(m, p, {2}, nullptr, StocksEstimator::kDecomposition, g); }),
            "stocks_estimate: input index 2 outside [0, 2)");
  EXPECT_EQ(message([&] { stocks_estimate<double>(m, p, {0}, nullptr, StocksEstimator::kEndToEnd, g); }),
            "stocks_estimate: end-to-end needs z");
  const xt::xtensor<double, 2> z = xt::ones<double>({2, 3});
  EXPECT_EQ(message([&] { stocks_estimate(m, p, {0}, &z, StocksEstimator::kEndToEnd, g); }),
            "stocks_estimate: z has shape [2, 3], expected [1, 3]");
  EXPECT_EQ(message([&] { stocks_estimate<double>(m, p, {}, nullptr, StocksEstimator::kDecomposition, g); }),
            "stocks_estimate: empty batch");
  const StocksProblem other{3, 3, {0, 1, 2}};
  EXPECT_EQ(message([&] { stocks_objective(m, other); }),
            "stocks_objective: W has shape [2, 3], expected [3, 3]");
  EXPECT_EQ(message([&] { stocks_objective_term(m, p, 2); }),
            "stocks_objective_term: input index 2 outside [0, 2)");
  EXPECT_EQ(stocks_estimator_from_name("e2e"), StocksEstimator::kEndToEnd);
  EXPECT_EQ(stocks_estimator_name(StocksEstimator::kDecomposition), "dec");
  EXPECT_THROW(stocks_estimator_from_name("sgd"), std::invalid_argument);
}

// Adam is dense, as TensorFlow's: a row of W that is not in the batch still
// moves after it has had a gradient once (its first moment is nonzero).
TEST(StocksTraining, AdamMovesRowsOutsideTheBatchWithTheirMomentum) {
  StocksSettings s;
  s.d = 1000;
  s.k = 10;
  s.batch = 1;
  StocksTrainer t(s, 1);
  t.step();
  const StocksModel<float> after1 = t.model();
  t.step();
  const StocksModel<float> after2 = t.model();
  std::size_t moved = 0;
  for (std::size_t j = 0; j < 1000; ++j)
    moved += xt::view(after1.W, j, xt::all()) != xt::view(after2.W, j, xt::all());
  // Step 2 touched one row's gradient; the row of step 1 moves too (momentum).
  EXPECT_GE(moved, 1u);
  EXPECT_LE(moved, 2u);
}

// The decomposition on a tiny problem converges: every input learns its label.
TEST(StocksTraining, DecompositionSolvesATinyProblem) {
  StocksSettings s;
  s.d = 20;
  s.k = 5;
  s.steps = 300;
  s.batch = 10;
  s.estimator = StocksEstimator::kDecomposition;
  RunStatus status;
  const Table t = train_stocks(s, 3, status);
  EXPECT_FALSE(status.diverged);
  // Initial logits have std 0.88/sqrt(20) = 0.2: L starts near -1/k = -0.2 (measured -0.214).
  EXPECT_NEAR(t.rows().front()[1], -0.2, 0.05);
  EXPECT_LT(t.rows().back()[1], -0.99);  // measured -0.9985
  EXPECT_EQ(t.rows().back()[0], 300.0);
}

}  // namespace
}  // namespace fgbdl
