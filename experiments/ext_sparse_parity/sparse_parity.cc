#include "experiments/ext_sparse_parity/sparse_parity.h"

#include <algorithm>
#include <cmath>
#include <memory>
#include <numeric>
#include <stdexcept>

#include "lib/nn/loss.h"
#include "lib/train/curves.h"
#include "lib/train/loop.h"
#include "lib/train/mlp.h"

namespace fgbdl {
namespace {

// Streams of derive_engine(seed, stream).
constexpr std::uint64_t kSupport = 0, kValidation = 1, kInit = 2, kBatches = 3;

// The fraction of rows whose score has the sign of y (a score of 0 is wrong).
double accuracy(const Matrix& score, const Matrix& y) {
  std::size_t right = 0;
  for (std::size_t r = 0; r < y.shape(0); ++r)
    if (double(score(r, 0)) * y(r, 0) > 0) ++right;
  return double(right) / double(y.shape(0));
}

}  // namespace

SparseParity draw_sparse_parity(std::size_t n, std::size_t k, Engine& rng) {
  if (k < 1 || k > n) throw std::invalid_argument("sparse parity: need 1 <= k <= n");
  std::vector<std::size_t> order(n);
  std::iota(order.begin(), order.end(), std::size_t{0});
  for (std::size_t i = 0; i < k; ++i)  // partial Fisher-Yates
    std::swap(order[i], order[i + uniform_index(rng, n - i)]);
  SparseParity p{n, std::vector<std::size_t>(order.begin(), order.begin() + k)};
  std::sort(p.support.begin(), p.support.end());
  return p;
}

void sample_parity_batch(const SparseParity& p, std::size_t B, Engine& rng, Matrix& x,
                         Matrix& y) {
  if (x.shape(0) != B || x.shape(1) != p.n) x = Matrix::from_shape({B, p.n});
  if (y.shape(0) != B || y.shape(1) != 1) y = Matrix::from_shape({B, 1});
  for (std::size_t r = 0; r < B; ++r) {
    for (std::size_t i = 0; i < p.n; ++i) x(r, i) = rademacher(rng);
    float prod = 1;
    for (const std::size_t i : p.support) prod *= x(r, i);
    y(r, 0) = prod;
  }
}

ParityRun parity_run(const ParitySettings& s, std::uint64_t seed,
                     const std::function<void(std::int64_t)>& on_step) {
  if (s.width < 1 || s.batch < 1 || s.max_steps < 1 || s.eval_every < 1 || s.eval_samples < 1)
    throw std::invalid_argument("parity_run: sizes must be >= 1");
  if (s.loss != "hinge" && s.loss != "square")
    throw std::invalid_argument("parity_run: the loss is hinge or square");
  ParityRun out;
  Engine support_rng = derive_engine(seed, kSupport);
  const SparseParity parity = draw_sparse_parity(static_cast<std::size_t>(s.n),
                                                 static_cast<std::size_t>(s.k), support_rng);
  out.support = parity.support;
  XYBatch validation;
  {
    Engine v = derive_engine(seed, kValidation);
    sample_parity_batch(parity, static_cast<std::size_t>(s.eval_samples), v, validation.x,
                        validation.y);
  }
  Engine init = derive_engine(seed, kInit);
  MlpModel model(Mlp({parity.n, static_cast<std::size_t>(s.width), 1}, init),
                 s.loss == "hinge" ? &hinge_loss<float> : &squared_loss<float>);
  const Matrix W1_0 = model.net().layers()[0].W;
  std::vector<bool> relevant(parity.n, false);
  for (const std::size_t i : parity.support) relevant[i] = true;

  Engine batches = derive_engine(seed, kBatches);
  Backprop<XYBatch> backprop;
  std::unique_ptr<Optimizer> sgd = make_optimizer("sgd", s.lr);
  TrainingRun<XYBatch> run;
  run.model = &model;
  run.gradient = &backprop;
  run.optimizer = sgd.get();
  run.draw = [&](XYBatch& b) {
    sample_parity_batch(parity, static_cast<std::size_t>(s.batch), batches, b.x, b.y);
  };
  Table rows({"step", "accuracy", "loss", "relevant", "irrelevant", "relevant_mean",
              "irrelevant_mean"});
  double last_accuracy = 0;
  // A copy of the network for the evaluations: its buffers keep the
  // validation batch's shape, so that no evaluation allocates.
  Mlp evaluator = model.net();
  run.evaluate = [&](const StepLoss& l) {
    for (std::size_t layer = 0; layer < evaluator.layers().size(); ++layer) {
      const Dense<float>& from = model.net().layers()[layer];
      Dense<float>& to = evaluator.layers()[layer];
      std::copy(from.W.begin(), from.W.end(), to.W.begin());
      std::copy(from.b.begin(), from.b.end(), to.b.begin());
    }
    const Matrix& score = evaluator.forward(validation.x);
    last_accuracy = accuracy(score, validation.y);
    const Matrix& W1 = model.net().layers()[0].W;
    // Per input row i: ||W1_t(i, :) - W1_0(i, :)||_inf.
    double rel = 0, irr = 0, rel_sum = 0, irr_sum = 0;
    for (std::size_t i = 0; i < parity.n; ++i) {
      double row = 0;
      for (std::size_t j = 0; j < W1.shape(1); ++j) {
        const double d = std::fabs(double(W1(i, j)) - W1_0(i, j));
        row = std::max(row, std::isfinite(d) ? d : INFINITY);
      }
      (relevant[i] ? rel : irr) = std::max(relevant[i] ? rel : irr, row);
      (relevant[i] ? rel_sum : irr_sum) += row;
    }
    const double k = double(parity.support.size()), others = double(parity.n) - k;
    rows.add_row({double(l.step), last_accuracy, l.mean_loss, rel, irr, rel_sum / k,
                  others > 0 ? irr_sum / others : 0.0});
    bool finite = std::isfinite(rel) && std::isfinite(irr);
    for (std::size_t r = 0; r < score.shape(0) && finite; ++r) finite = std::isfinite(score(r, 0));
    return finite;
  };
  run.tables = {&rows};
  run.engines = {&batches};
  LoopSettings settings = periodic_loop(s.max_steps, s.eval_every, on_step, {});
  settings.done = [&](std::int64_t) { return last_accuracy == 1.0; };
  out.status = train(run, settings).status;
  const auto& last = rows.rows().back();
  out.solved = !out.status.diverged && last[1] == 1.0;
  out.solved_step = static_cast<std::int64_t>(last[0]);
  for (const auto& r : rows.rows()) {
    std::vector<double> row = r;
    row.push_back(out.solved ? 1 : 0);
    row.push_back(double(out.solved_step));
    out.metrics.add_row(row);
  }
  return out;
}

}  // namespace fgbdl
