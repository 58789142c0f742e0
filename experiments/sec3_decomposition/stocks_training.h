// Training for the paper's "stocks" experiment (Section 3.2, Figure 4;
// paper/sec3_decomposition.md E3.2): the model N_w(x) = softmax(A x + b) of stocks_model.h
// trained with the end-to-end or the decomposition gradient estimator.
//
// Settings as the paper and its script (dec_vs_e2e_stocks.py): d = 1000,
// Adam with learning rate 0.1, beta1 0.9, beta2 0.99, eps 1e-5 (TensorFlow 1
// semantics, lib/nn/optim.h), batch 100, 2 500 steps. Adam is dense, as
// TensorFlow's: every step updates every entry of W and b, including the rows
// of W whose gradient is zero in this batch (their moments decay and they
// keep moving with their momentum).
//
// Randomness: one seed gives, for each k, independent engines for the labels,
// the initial weights, the inputs and the signals
// (derive_engine(seed, 16 k + purpose)). The estimator does not enter the
// streams: the end-to-end and the decomposition runs of one (seed, k) share
// the problem, the initial weights and the input sequence, and differ only in
// the gradient used (the decomposition draws no z).
//
// The metric is the exact objective L(w) (stocks_objective), at step 0 and
// every eval_every steps (and after the last step).
#ifndef EXPERIMENTS_SEC3_DECOMPOSITION_STOCKS_TRAINING_H_
#define EXPERIMENTS_SEC3_DECOMPOSITION_STOCKS_TRAINING_H_

#include <cstdint>
#include <functional>
#include <vector>

#include "experiments/sec3_decomposition/stocks_model.h"
#include "lib/core/rng.h"
#include "lib/core/tensor.h"
#include "lib/data/stocks.h"
#include "lib/io/results.h"
#include "lib/train/loop.h"

namespace fgbdl {

struct StocksSettings {
  std::int64_t d = 1000;
  std::int64_t k = 1000;
  StocksEstimator estimator = StocksEstimator::kEndToEnd;
  std::int64_t steps = 2500;
  std::int64_t batch = 100;
  double lr = 0.1;
  double beta1 = 0.9, beta2 = 0.99, eps = 1e-5;
  std::int64_t eval_every = 100;
};

// A batch: the inputs' indices j [B] and, for the end-to-end estimator, the
// signals z [B, k] (empty for the decomposition).
struct StocksBatch {
  std::vector<std::int32_t> j;
  Matrix z;
};

// The model N_w as a lib/train model whose loss and gradient are those of
// one estimator: the batch loss (1/B) sum_r -c_r^T N_w(x_r) and its gradient
// (stocks_estimate).
class StocksNetwork final : public Model<StocksBatch> {
 public:
  StocksNetwork(const StocksProblem& problem, StocksModel<float> model, StocksEstimator estimator)
      : problem_(problem), model_(std::move(model)), estimator_(estimator) {
    grad_.dW = xt::zeros<float>(model_.W.shape());
    grad_.db = xt::zeros<float>(model_.b.shape());
  }
  std::vector<Parameter> parameters() override {
    return {{"W", model_.W.data(), grad_.dW.data(), model_.W.size()},
            {"b", model_.b.data(), grad_.db.data(), model_.b.size()}};
  }
  double loss(const StocksBatch& b) override;
  double loss_and_gradient(const StocksBatch& b) override;
  const StocksModel<float>& model() const { return model_; }

 private:
  const StocksProblem& problem_;
  StocksModel<float> model_;
  StocksEstimator estimator_;
  StocksGradient<float> grad_;
};

// The problem, the model, the optimizer and the data streams of one run.
class StocksTrainer {
 public:
  StocksTrainer(const StocksSettings& s, std::uint64_t seed);

  // One Adam step with the settings' estimator on a fresh batch; returns the
  // batch loss (1/B) sum_r -c_r^T N_w(x_r) of that estimator.
  double step() { return train_step(run_, batch_, refs_); }
  // The exact objective L(w) of the current weights.
  double objective() const { return stocks_objective(net_.model(), problem_); }

  const StocksProblem& problem() const { return problem_; }
  const StocksModel<float>& model() const { return net_.model(); }
  TrainingRun<StocksBatch>& run() { return run_; }

 private:
  StocksSettings s_;
  StocksProblem problem_;
  StocksNetwork net_;
  Engine input_rng_, signal_rng_;
  Backprop<StocksBatch> backprop_;
  AdamOptimizer adam_;
  TrainingRun<StocksBatch> run_;
  std::vector<ParamRef<float>> refs_;
  StocksBatch batch_;
};

// Trains for s.steps. Returns a table with columns step, loss (loss = the
// exact objective L) at step 0, every s.eval_every steps and the last step.
// Stops and sets status.diverged at the first non-finite batch loss or
// objective (the row of that step holds the objective). `on_step(done)` is
// called after every evaluation (progress reporting).
Table train_stocks(const StocksSettings& s, std::uint64_t seed, RunStatus& status,
                   const std::function<void(std::int64_t)>& on_step = {},
                   const RunCheckpoint& checkpoint = {});

}  // namespace fgbdl

#endif  // EXPERIMENTS_SEC3_DECOMPOSITION_STOCKS_TRAINING_H_
