#include "experiments/sec2_parity/parity_training.h"

#include <cmath>

#include "lib/nn/loss.h"
#include "lib/nn/optim.h"
#include "lib/nn/relu.h"

namespace fgbdl {
namespace {

// Stream numbers of derive_engine(seed, stream) for one run. Each d gets
// its own streams so runs of different d are independent.
std::uint64_t stream(int d, int purpose) { return static_cast<std::uint64_t>(d) * 16 + purpose; }
constexpr int kTarget = 0, kInit = 1, kData = 2, kEval = 3;

}  // namespace

ParityTrainer::ParityTrainer(const ParitySettings& s, std::uint64_t seed)
    : s_(s),
      data_rng_(derive_engine(seed, stream(s.d, kData))),
      eval_rng_(derive_engine(seed, stream(s.d, kEval))) {
  Engine target_rng = derive_engine(seed, stream(s.d, kTarget));
  parity_ = draw_parity(s.d, target_rng);
  Engine init_rng = derive_engine(seed, stream(s.d, kInit));
  const std::size_t width = static_cast<std::size_t>(s.width_factor) * static_cast<std::size_t>(s.d);
  hidden_ = dense_init<float>(static_cast<std::size_t>(s.d), width, init_rng);
  out_ = dense_init<float>(width, 1, init_rng);
}

float ParityTrainer::step() {
  sample_parity_batch(parity_, static_cast<std::size_t>(s_.batch), data_rng_, x_, y_);
  dense_forward(hidden_, x_, z1_);
  relu_forward(z1_, a1_);
  dense_forward(out_, a1_, score_);
  const float loss = hinge_loss(score_, y_, dscore_);
  dense_backward(out_, a1_, dscore_, &da1_);
  relu_backward(z1_, da1_, dz1_);
  dense_backward(hidden_, x_, dz1_, nullptr);
  const Sgd sgd{s_.lr};
  sgd.step<float>({param<float>(hidden_.W, hidden_.dW), param<float>(hidden_.b, hidden_.db),
                   param<float>(out_.W, out_.dW), param<float>(out_.b, out_.db)});
  return loss;
}

ParityTrainer::Evaluation ParityTrainer::evaluate() {
  Matrix x, y, z, a, score, dscore;
  sample_parity_batch(parity_, static_cast<std::size_t>(s_.eval_samples), eval_rng_, x, y);
  dense_forward(hidden_, x, z);
  relu_forward(z, a);
  dense_forward(out_, a, score);
  std::int64_t correct = 0;
  for (std::size_t i = 0; i < y.shape(0); ++i) correct += y(i, 0) * score(i, 0) > 0;
  const double loss = hinge_loss(score, y, dscore);
  return {static_cast<double>(correct) / static_cast<double>(y.shape(0)), loss};
}

Table train_parity(const ParitySettings& s, std::uint64_t seed, RunStatus& status,
                   const std::function<void(std::int64_t)>& on_step) {
  ParityTrainer trainer(s, seed);
  Table table({"step", "accuracy", "loss"});
  const ParityTrainer::Evaluation start = trainer.evaluate();
  table.add_row({0.0, start.accuracy, start.loss});
  double loss_sum = 0;
  std::int64_t loss_count = 0;
  for (std::int64_t t = 1; t <= s.steps; ++t) {
    const float loss = trainer.step();
    if (!std::isfinite(loss)) {
      status.diverged = true;
      status.diverged_step = t;
      table.add_row({static_cast<double>(t), trainer.evaluate().accuracy, static_cast<double>(loss)});
      return table;
    }
    loss_sum += loss;
    ++loss_count;
    if (t % s.eval_every == 0 || t == s.steps) {
      table.add_row({static_cast<double>(t), trainer.evaluate().accuracy,
                     loss_sum / static_cast<double>(loss_count)});
      loss_sum = 0;
      loss_count = 0;
      if (on_step) on_step(t);
    }
  }
  return table;
}

}  // namespace fgbdl
