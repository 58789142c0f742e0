#include "experiments/ext_noise/noisy_training.h"

#include <cmath>
#include <cstring>
#include <stdexcept>
#include <vector>

#include "lib/nn/loss.h"
#include "lib/train/mlp.h"
#include "lib/train/noisy_gradient.h"
#include "lib/train/optimizer.h"

namespace fgbdl {
namespace {

// Streams of derive_engine(seed, stream); the noise's also carries tau.
constexpr std::uint64_t kTarget = 0, kInit = 1, kData = 2, kHeldOut = 3, kNoise = 4;

std::uint64_t noise_stream(double tau) {
  std::uint64_t bits;
  std::memcpy(&bits, &tau, sizeof bits);
  return splitmix64(bits) ^ kNoise;
}

}  // namespace

Parity draw_sparse_parity(int d, int k, Engine& rng) {
  if (d < 1 || d > 64 || k < 1 || k > d)
    throw std::invalid_argument("draw_sparse_parity: need 1 <= k <= d <= 64");
  std::vector<int> order(static_cast<std::size_t>(d));
  for (int i = 0; i < d; ++i) order[static_cast<std::size_t>(i)] = i;
  Parity p;
  p.d = d;
  p.in_subset.assign(static_cast<std::size_t>(d), false);
  for (int i = 0; i < k; ++i) {
    const auto j = static_cast<std::size_t>(i) +
                   uniform_index(rng, static_cast<std::uint64_t>(d - i));
    std::swap(order[static_cast<std::size_t>(i)], order[j]);
    p.in_subset[static_cast<std::size_t>(order[static_cast<std::size_t>(i)])] = true;
  }
  return p;
}

Table noisy_run(const NoisySettings& s, std::uint64_t seed, RunStatus& status,
                const std::function<void(std::int64_t)>& on_step,
                const RunCheckpoint& checkpoint) {
  if (s.width_factor < 1 || s.steps < 1 || s.batch < 1 || s.eval_every < 1 ||
      s.eval_samples < 1 || !(s.lr > 0))
    throw std::invalid_argument("noisy_run: sizes and the learning rate must be positive");
  Engine target_rng = derive_engine(seed, kTarget);
  const Parity target = draw_sparse_parity(s.d, s.degree, target_rng);
  const auto d = static_cast<std::size_t>(s.d);
  Engine init = derive_engine(seed, kInit);
  MlpModel net(Mlp({d, static_cast<std::size_t>(s.width_factor) * d, 1}, init),
               &hinge_loss<float>);
  XYBatch test;
  {
    Engine held_out = derive_engine(seed, kHeldOut);
    sample_parity_batch(target, static_cast<std::size_t>(s.eval_samples), held_out, test.x,
                        test.y);
  }
  Engine data = derive_engine(seed, kData);
  NoisyGradient<XYBatch> noisy(s.tau, derive_engine(seed, noise_stream(s.tau)));
  SgdOptimizer sgd(s.lr);
  Table table({"step", "accuracy", "loss", "tau"});
  TrainingRun<XYBatch> run;
  run.model = &net;
  run.gradient = &noisy;
  run.optimizer = &sgd;
  run.draw = [&](XYBatch& b) {
    sample_parity_batch(target, static_cast<std::size_t>(s.batch), data, b.x, b.y);
  };
  run.evaluate = [&](const StepLoss& l) {
    Matrix score, dscore;
    net.predict(test.x, score);
    std::int64_t correct = 0;
    for (std::size_t i = 0; i < test.y.shape(0); ++i) correct += test.y(i, 0) * score(i, 0) > 0;
    const double held_out_loss = hinge_loss(score, test.y, dscore);
    const double accuracy = static_cast<double>(correct) / static_cast<double>(test.y.shape(0));
    table.add_row({static_cast<double>(l.step), accuracy,
                   l.step == 0 ? held_out_loss : l.mean_loss, s.tau});
    return std::isfinite(held_out_loss);
  };
  run.tables = {&table};
  run.engines = {&data, &noisy.engine()};
  status = train(run, periodic_loop(s.steps, s.eval_every, on_step, checkpoint)).status;
  return table;
}

}  // namespace fgbdl
