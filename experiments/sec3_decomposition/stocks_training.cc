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

StocksTrainer::StocksTrainer(const StocksSettings& s, std::uint64_t seed)
    : s_(s),
      problem_(make_problem(s, seed)),
      model_(make_model(s, seed)),
      input_rng_(derive_engine(seed, stream(s.k, kInputs))),
      signal_rng_(derive_engine(seed, stream(s.k, kSignals))),
      adam_(s.lr, s.beta1, s.beta2, s.eps) {}

double StocksTrainer::step() {
  sample_stocks_inputs(problem_, static_cast<std::size_t>(s_.batch), input_rng_, j_);
  const bool e2e = s_.estimator == StocksEstimator::kEndToEnd;
  if (e2e) sample_stocks_signals(problem_, j_, signal_rng_, z_);
  const double loss =
      stocks_estimate<float>(model_, problem_, j_, e2e ? &z_ : nullptr, s_.estimator, grad_);
  adam_.step<float>({param<float>(model_.W, grad_.dW), param<float>(model_.b, grad_.db)});
  return loss;
}

Table train_stocks(const StocksSettings& s, std::uint64_t seed, RunStatus& status,
                   const std::function<void(std::int64_t)>& on_step) {
  StocksTrainer trainer(s, seed);
  Table table({"step", "loss"});
  table.add_row({0.0, trainer.objective()});
  for (std::int64_t t = 1; t <= s.steps; ++t) {
    const double batch_loss = trainer.step();
    const bool due = t % s.eval_every == 0 || t == s.steps;
    if (!std::isfinite(batch_loss)) {
      status.diverged = true;
      status.diverged_step = t;
      table.add_row({static_cast<double>(t), trainer.objective()});
      return table;
    }
    if (due) {
      const double L = trainer.objective();
      table.add_row({static_cast<double>(t), L});
      if (!std::isfinite(L)) {
        status.diverged = true;
        status.diverged_step = t;
        return table;
      }
      if (on_step) on_step(t);
    }
  }
  return table;
}

}  // namespace fgbdl
