// Training the tuple networks of experiment E3.1 (paper Section 3.1,
// Figure 3; paper/sec3_decomposition.md): end-to-end or with decomposition, Adam as the
// authors' script (learning rate 1e-3, beta1 0.9, beta2 0.99, eps 1e-5),
// batches of 200 fresh tuples, tuple accuracy on held-out tuples every 100
// steps; with checkpoints, so that a long run resumes where it stopped and
// gives byte-identical results.
//
// Randomness (lib/core/rng.h), per (seed, k): stream 16 k + 1 draws the
// initial weights, 16 k + 2 the training tuples, 16 k + 3 the held-out
// tuples (drawn once per run: the script also tests on a fixed set of 2 000
// tuples). The approach does not enter the streams, so end-to-end and
// decomposition runs of the same (k, seed) start from the same network and
// see the same tuples. Stream 4 (k = 0) draws the example images of
// Figure 2.
#ifndef EXPERIMENTS_SEC3_DECOMPOSITION_TUPLE_TRAINING_H_
#define EXPERIMENTS_SEC3_DECOMPOSITION_TUPLE_TRAINING_H_

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "experiments/sec3_decomposition/tuple_network.h"
#include "lib/core/rng.h"
#include "lib/data/line_images.h"
#include "lib/io/results.h"
#include "lib/train/loop.h"

namespace fgbdl {

struct TupleSettings {
  int k = 1;
  TupleApproach approach = TupleApproach::kEndToEnd;
  std::int64_t steps = 20000;
  std::int64_t batch = 200;          // tuples per step
  double lr = 1e-3, beta1 = 0.9, beta2 = 0.99, eps = 1e-5;
  std::int64_t eval_every = 100;     // steps between evaluations
  std::int64_t eval_tuples = 2000;   // held-out tuples
  LineRasterizer rasterizer = LineRasterizer::kPaper;
  TupleLabelRule label_rule = TupleLabelRule::kProduct;
  ConvInitRule conv_init = ConvInitRule::kFanIn;

  // "key=value" pairs separated by spaces, every setting that affects the
  // results (and the seed): the identity of a checkpoint.
  std::string canonical(std::uint64_t seed) const;
};

// The tuple network with the objective of one approach, as a lib/train model.
class TupleModel final : public Model<LineTupleBatch<float>> {
 public:
  TupleModel(TupleNetwork<float> net, TupleApproach approach)
      : net_(std::move(net)), approach_(approach) {}
  // conv1.W, conv1.b, conv2.W, conv2.b, fc1.W, ..., out.b (tuple_parameters' order).
  std::vector<Parameter> parameters() override;
  double loss(const LineTupleBatch<float>& b) override {
    return evaluate(b).objective(approach_);
  }
  double loss_and_gradient(const LineTupleBatch<float>& b) override {
    return tuple_loss_and_gradients(net_, b, approach_, ws_);
  }
  TupleEvaluation evaluate(const LineTupleBatch<float>& b) {
    return tuple_evaluate(net_, b, eval_ws_);
  }
  const TupleNetwork<float>& network() const { return net_; }

 private:
  TupleNetwork<float> net_;
  TupleApproach approach_;
  TupleWorkspace<float> ws_, eval_ws_;
};

// The model, the optimizer, the data streams and the held-out tuples of one run.
class TupleTrainer {
 public:
  TupleTrainer(const TupleSettings& s, std::uint64_t seed);

  // One Adam step on a fresh batch; returns the batch objective.
  double step() { return train_step(run_, batch_, refs_); }
  // Accuracy and objective on the held-out tuples.
  TupleEvaluation evaluate();

  const TupleNetwork<float>& network() const { return model_.network(); }
  // The training run as lib/train's loop drives it (evaluate and tables unset).
  TrainingRun<LineTupleBatch<float>>& run() { return run_; }

 private:
  TupleSettings s_;
  TupleModel model_;
  Engine data_rng_;
  std::vector<LineTupleBatch<float>> eval_set_;  // chunks of at most `batch` tuples
  Backprop<LineTupleBatch<float>> backprop_;
  AdamOptimizer adam_;
  TrainingRun<LineTupleBatch<float>> run_;
  std::vector<ParamRef<float>> refs_;
  LineTupleBatch<float> batch_;
};

// How a run is driven beyond its settings.
struct TupleRunControl {
  std::string checkpoint_path;         // "" : no checkpoints
  std::int64_t checkpoint_every = 0;   // steps between checkpoints; 0: never
  std::int64_t stop_after = 0;         // tests: return after this step as if killed; 0: never
  std::function<void(std::int64_t)> on_progress;  // called after each evaluation with the step
  std::function<void(std::int64_t)> on_resume;    // called with the step of a loaded checkpoint
};

struct TupleTrainingResult {
  Table metrics{{"step", "accuracy", "loss"}};
  RunStatus status;
  std::int64_t resumed_from = 0;  // the checkpoint's step, 0 for a fresh start
  bool completed = false;         // false only when stopped by stop_after
};

// Trains for s.steps, evaluating at step 0 and every s.eval_every steps (and
// at the last step). metrics has columns step, accuracy, loss: accuracy =
// tuple accuracy on the held-out tuples; loss = mean training objective of
// the steps since the previous row (at step 0, the objective on the
// held-out tuples). A non-finite loss stops the run: status.diverged, with
// the step, and a last row. If control.checkpoint_path names an existing
// file, the run resumes from it (std::runtime_error if it is unreadable,
// UsageError if it was written with other settings); checkpoints are
// written atomically every control.checkpoint_every steps. The result does
// not depend on whether, where and how often the run was interrupted.
TupleTrainingResult train_tuples(const TupleSettings& s, std::uint64_t seed,
                                 const TupleRunControl& control);

// One run of the experiment: trains with checkpoints at
// run_dir(root, id)/checkpoint.bin, writes metrics.csv and manifest.json
// there (lib/io/results.h), then deletes the checkpoint. A run stopped by
// control.stop_after writes nothing but its checkpoint.
TupleTrainingResult run_tuple_experiment(const std::string& root, const RunId& id,
                                         const TupleSettings& s, TupleRunControl control);

// Example images for Figure 2: the first `per_label` images with label +1
// and the first with label -1 (images with no lit pixel skipped) drawn from
// stream 4 of `seed`; one row per lit pixel, columns image, label, row, col;
// images 0 .. per_label-1 have label +1, the others -1.
Table line_examples(std::uint64_t seed, LineRasterizer rasterizer, int per_label = 8);

}  // namespace fgbdl

#endif  // EXPERIMENTS_SEC3_DECOMPOSITION_TUPLE_TRAINING_H_
