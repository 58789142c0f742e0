#include "experiments/sec2_parity/parity_training.h"

#include <cmath>

#include "lib/nn/loss.h"

namespace fgbdl {
namespace {

// Stream numbers of derive_engine(seed, stream) for one run. Each d gets
// its own streams so runs of different d are independent.
std::uint64_t stream(int d, int purpose) { return static_cast<std::uint64_t>(d) * 16 + purpose; }
constexpr int kTarget = 0, kInit = 1, kData = 2, kEval = 3;

}  // namespace

namespace {

Parity make_parity(const ParitySettings& s, std::uint64_t seed) {
  Engine target_rng = derive_engine(seed, stream(s.d, kTarget));
  return draw_parity(s.d, target_rng);
}

// The network d -> width_factor d ReLU -> 1 with the hinge loss.
MlpModel make_network(const ParitySettings& s, std::uint64_t seed) {
  Engine init_rng = derive_engine(seed, stream(s.d, kInit));
  const auto d = static_cast<std::size_t>(s.d);
  return MlpModel(Mlp({d, static_cast<std::size_t>(s.width_factor) * d, 1}, init_rng),
                  &hinge_loss<float>);
}

}  // namespace

ParityTrainer::ParityTrainer(const ParitySettings& s, std::uint64_t seed)
    : s_(s),
      parity_(make_parity(s, seed)),
      data_rng_(derive_engine(seed, stream(s.d, kData))),
      eval_rng_(derive_engine(seed, stream(s.d, kEval))),
      net_(make_network(s, seed)),
      sgd_(s.lr) {
  run_.model = &net_;
  run_.gradient = &backprop_;
  run_.optimizer = &sgd_;
  run_.draw = [this](XYBatch& b) {
    sample_parity_batch(parity_, static_cast<std::size_t>(s_.batch), data_rng_, b.x, b.y);
  };
  run_.engines = {&data_rng_, &eval_rng_};
  refs_ = param_refs(net_.parameters());
}

ParityTrainer::Evaluation ParityTrainer::evaluate() {
  Matrix x, y, score, dscore;
  sample_parity_batch(parity_, static_cast<std::size_t>(s_.eval_samples), eval_rng_, x, y);
  net_.predict(x, score);
  std::int64_t correct = 0;
  for (std::size_t i = 0; i < y.shape(0); ++i) correct += y(i, 0) * score(i, 0) > 0;
  const double loss = hinge_loss(score, y, dscore);
  return {static_cast<double>(correct) / static_cast<double>(y.shape(0)), loss};
}

Table train_parity(const ParitySettings& s, std::uint64_t seed, RunStatus& status,
                   const std::function<void(std::int64_t)>& on_step,
                   const RunCheckpoint& checkpoint) {
  ParityTrainer trainer(s, seed);
  Table table({"step", "accuracy", "loss"});
  TrainingRun<XYBatch>& run = trainer.run();
  // Step 0: the untrained network's loss on the evaluation samples; later
  // rows: the mean training loss since the previous row (at a divergence,
  // the non-finite loss itself).
  run.evaluate = [&](const StepLoss& l) {
    const ParityTrainer::Evaluation e = trainer.evaluate();
    table.add_row({static_cast<double>(l.step), e.accuracy, l.step == 0 ? e.loss : l.mean_loss});
    return true;
  };
  run.tables = {&table};
  status = train(run, periodic_loop(s.steps, s.eval_every, on_step, checkpoint)).status;
  return table;
}

}  // namespace fgbdl
