// Training a network on a random parity: experiment E2.1 of the paper
// (Section 2.1, Figure 1).
//
// Network as the paper and its script: dense d -> 10d with ReLU, dense
// 10d -> 1 linear (weights truncated normal with std 1/sqrt(fan_in), biases
// 0); hinge loss mean(max(0, 1 - y * score)); plain SGD with a fresh batch
// every step. Accuracy = fraction of y * score > 0 on fresh samples.
#ifndef EXPERIMENTS_SEC2_PARITY_PARITY_TRAINING_H_
#define EXPERIMENTS_SEC2_PARITY_PARITY_TRAINING_H_

#include <cstdint>
#include <functional>

#include "lib/core/rng.h"
#include "lib/core/tensor.h"
#include "lib/data/parity.h"
#include "lib/io/results.h"
#include "lib/train/loop.h"
#include "lib/train/mlp.h"

namespace fgbdl {

struct ParitySettings {
  int d = 10;
  int width_factor = 10;          // hidden width = width_factor * d
  std::int64_t steps = 50000;
  std::int64_t batch = 128;
  double lr = 0.01;
  std::int64_t eval_every = 100;  // steps between accuracy evaluations
  std::int64_t eval_samples = 500;
};

// One run: the parity, the network, SGD and the data streams.
class ParityTrainer {
 public:
  // Draws the parity, the initial weights and the data stream from `seed`.
  ParityTrainer(const ParitySettings& s, std::uint64_t seed);

  // One SGD step on a fresh batch; returns the batch's hinge loss.
  double step() { return train_step(run_, batch_, refs_); }
  // Accuracy and hinge loss on `eval_samples` fresh samples from the
  // evaluation stream.
  struct Evaluation {
    double accuracy;
    double loss;
  };
  Evaluation evaluate();

  const Parity& parity() const { return parity_; }
  TrainingRun<XYBatch>& run() { return run_; }

 private:
  ParitySettings s_;
  Parity parity_;
  Engine data_rng_, eval_rng_;
  MlpModel net_;
  Backprop<XYBatch> backprop_;
  SgdOptimizer sgd_;
  TrainingRun<XYBatch> run_;
  XYBatch batch_;
  std::vector<ParamRef<float>> refs_;
};

// Trains for s.steps, evaluating at step 0 and every s.eval_every steps.
// Returns a table with columns step, accuracy, loss (loss = mean training
// hinge loss of the steps since the previous evaluation; at step 0, the
// untrained network's loss on the evaluation samples). Stops early and
// sets status.diverged at the first non-finite loss. `on_step(done)` is
// called after every evaluation (progress reporting).
// With a checkpoint, the run resumes from it and keeps it up to date
// (lib/train/loop.h).
Table train_parity(const ParitySettings& s, std::uint64_t seed, RunStatus& status,
                   const std::function<void(std::int64_t)>& on_step = {},
                   const RunCheckpoint& checkpoint = {});

}  // namespace fgbdl

#endif  // EXPERIMENTS_SEC2_PARITY_PARITY_TRAINING_H_
