#include "experiments/sec3_decomposition/stocks_training.h"

#include <cmath>

namespace fgbdl {
namespace {

// Stream numbers of derive_engine(seed, stream) for one run; each k gets its
// own streams, so runs of different k are independent.
std::uint64_t stream(std::int64_t k, int purpose) {
  return static_cast<std::uint64_t>(k) * 16 + static_cast<std::uint64_t>(purpose);
}
constexpr int kLabels = 0, kInit = 1, kInputs = 2, kSignals = 3;

StocksProblem make_problem(const StocksSettings& s, std::uint64_t seed) {
  Engine rng = derive_engine(seed, stream(s.k, kLabels));
  return draw_stocks_problem(static_cast<std::size_t>(s.d), static_cast<std::size_t>(s.k), rng);
}

StocksModel<float> make_model(const StocksSettings& s, std::uint64_t seed) {
  Engine rng = derive_engine(seed, stream(s.k, kInit));
  return stocks_model_init<float>(static_cast<std::size_t>(s.d), static_cast<std::size_t>(s.k),
                                  rng);
}

}  // namespace

double StocksNetwork::loss(const StocksBatch& b) {
  StocksGradient<float> scratch;
  return stocks_estimate<float>(model_, problem_, b.j, estimator_ == StocksEstimator::kEndToEnd ? &b.z : nullptr,
                                estimator_, scratch);
}

double StocksNetwork::loss_and_gradient(const StocksBatch& b) {
  return stocks_estimate<float>(model_, problem_, b.j, estimator_ == StocksEstimator::kEndToEnd ? &b.z : nullptr,
                                estimator_, grad_);
}

StocksTrainer::StocksTrainer(const StocksSettings& s, std::uint64_t seed)
    : s_(s),
      problem_(make_problem(s, seed)),
      net_(problem_, make_model(s, seed), s.estimator),
      input_rng_(derive_engine(seed, stream(s.k, kInputs))),
      signal_rng_(derive_engine(seed, stream(s.k, kSignals))),
      adam_(s.lr, s.beta1, s.beta2, s.eps) {
  run_.model = &net_;
  run_.gradient = &backprop_;
  run_.optimizer = &adam_;
  run_.draw = [this](StocksBatch& b) {
    sample_stocks_inputs(problem_, static_cast<std::size_t>(s_.batch), input_rng_, b.j);
    if (s_.estimator == StocksEstimator::kEndToEnd)
      sample_stocks_signals(problem_, b.j, signal_rng_, b.z);
  };
  run_.engines = {&input_rng_, &signal_rng_};
  refs_ = param_refs(net_.parameters());
}

Table train_stocks(const StocksSettings& s, std::uint64_t seed, RunStatus& status,
                   const std::function<void(std::int64_t)>& on_step,
                   const RunCheckpoint& checkpoint) {
  StocksTrainer trainer(s, seed);
  Table table({"step", "loss"});
  TrainingRun<StocksBatch>& run = trainer.run();
  run.evaluate = [&](const StepLoss& l) {
    const double L = trainer.objective();
    table.add_row({static_cast<double>(l.step), L});
    return std::isfinite(L);
  };
  run.tables = {&table};
  status = train(run, periodic_loop(s.steps, s.eval_every, on_step, checkpoint)).status;
  return table;
}

}  // namespace fgbdl
