// The four ways of learning a step-function target of the paper's Section 5,
// "Flat activations" (Figure 7; paper/sec5_flat.md E5.2 to E5.5), and their training.
//
// The target is y = u(v*^T x + b*) with u a step function of known
// thresholds (lib/data/step_targets.h). The approaches, as the authors'
// script step_learn.py builds them:
//   approx        (E5.2, Figure 7a) the "non-flat approximation": learn v, b
//                 of u~(v^T x + b), u~ the sum of one sigmoid per step
//                 (sharpness c, the script's 5); squared loss; Adam 0.01.
//   e2e           (E5.3, Figure 7b) dense 100-100-100 with ReLU, then one
//                 linear output; squared loss; Adam 1e-3.
//   multiclass    (E5.4, Figures 7c, 7d) dense 100-100 with ReLU, then one
//                 logit per class (the script: 100 logits for its 52 classes;
//                 the paper: one per step value); softmax cross-entropy on the
//                 index of the step; predicts the step value of the arg-max
//                 logit (the last threshold when the arg-max is one of the
//                 script's surplus logits, which never get a label); Adam 1e-3.
//   forward_only  (E5.5, Figure 7e) the model u(w^T x + b) trained with the
//                 direction E[(u(w^T x + b) - y) x] (and E[u(w^T x + b) - y]
//                 for b): the backward message through u is the identity
//                 (the script's p + stop_gradient(u(p) - p)); Adam 1e-3.
//   plain         not in the paper's figure: the same model u(w^T x + b)
//                 with its true gradient, which is zero wherever it exists
//                 (u is piecewise constant); Adam 1e-3. It never moves.
// Common settings: batch 256 of fresh samples per step; Adam with beta1 0.9,
// beta2 0.99, eps 1e-5 (TensorFlow 1 semantics, lib/nn/optim.h); the squared
// loss is the script's mean (prediction - y)^2 (no 1/2). Training steps and
// predictions run with subnormal floats flushed to zero, as TensorFlow's CPU
// kernels. Dense layers start as
// the script's (truncated normal, std 1/sqrt(fan_in); biases 0); the bias b of
// the one-unit models starts at 0 (the script) or, with b_init_offset set, at
// b* + b_init_offset (the bias-initialization sweep).
//
// Randomness: one seed gives the target and the held-out set (shared by all
// approaches of that seed, as the script trains all four on one target), the
// training batches (the same sequence for every approach) and the initial
// weights: derive_engine(seed, stream).
//
// Errors: the "predicted value" of every approach is a step value: u(v^T x + b)
// for approx, forward_only and plain, z[arg max] for multiclass, and the raw
// output for e2e. train_error is the mean squared error of the predicted value
// on the training batch of the step (before the update), test_error on the
// held-out set; train_loss is the approach's own objective on the batch.
#ifndef EXPERIMENTS_SEC5_FLAT_FLAT_TRAINING_H_
#define EXPERIMENTS_SEC5_FLAT_FLAT_TRAINING_H_

#include <cmath>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "lib/core/rng.h"
#include "lib/core/tensor.h"
#include "lib/data/step_targets.h"
#include "lib/io/results.h"
#include "lib/nn/dense.h"
#include "lib/train/loop.h"
#include "lib/train/mlp.h"

namespace fgbdl {

enum class FlatApproach { kApprox, kEndToEnd, kMulticlass, kForwardOnly, kPlain };

// "approx", "e2e", "multiclass", "forward_only", "plain"; the inverse throws
// std::invalid_argument.
std::string to_string(FlatApproach a);
FlatApproach flat_approach_from_name(const std::string& name);

struct FlatSettings {
  FlatApproach approach = FlatApproach::kForwardOnly;
  std::int64_t d = 100;
  StepThresholds thresholds = StepThresholds::kScript;
  // Not empty: the thresholds relative to b* instead of `thresholds`'s (the
  // even family of lib/data/step_targets.h, paper/boundaries_sec45.md B5);
  // the multi-class head then has one logit per threshold.
  std::vector<double> threshold_offsets;
  std::int64_t steps = 5000;
  std::int64_t batch = 256;
  double lr = 1e-3;
  double beta1 = 0.9, beta2 = 0.99, eps = 1e-5;
  double c = 5.0;                  // sharpness of u~ (approx only)
  double b_init_offset = NAN;      // NaN: b starts at 0 (script); else at b* + offset
  std::int64_t hidden = 100;       // width of the e2e and multiclass hidden layers
  std::int64_t eval_every = 100;
  std::int64_t test_samples = 10000;
};

// Logits of the multiclass head: 100 for the script's thresholds (as the
// script), one per step value (55) for the paper's.
std::size_t multiclass_outputs(StepThresholds t);
// The head of s's multi-class network: multiclass_outputs(s.thresholds), or
// one logit per threshold of s.threshold_offsets when it is not empty.
std::size_t multiclass_outputs(const FlatSettings& s);

// The learning rate of each approach in the script: approx 0.01, the others
// 1e-3 (the script's default get_lr).
double script_learning_rate(FlatApproach a);

// A batch of the step target: x [B, d], r [B] (= v*^T x + b*), y [B, 1].
struct StepBatch {
  Matrix x;
  std::vector<double> r;
  Matrix y;
};

// The learners of the approaches, as lib/train models: a dense stack
// (lib/train/mlp.h; one linear unit for approx, forward_only and plain) and
// what each approach makes of its output. Their loss and predictions run
// with subnormal floats flushed to zero. loss_and_gradient() writes, besides
// the gradient, train_error(): the MSE of the predicted value on the batch.
// forward_only's "gradient" is its update direction (the backward message
// through u taken as the identity), not the gradient of its loss, which is
// zero almost everywhere: plain's exact gradient.
class FlatModel : public Model<StepBatch> {
 public:
  FlatModel(const StepTarget& target, Mlp mlp) : target_(target), mlp_(std::move(mlp)) {}
  std::vector<Parameter> parameters() override { return mlp_.parameters(); }
  double loss(const StepBatch& b) override;
  double loss_and_gradient(const StepBatch& b) override;
  // Predicted values for the rows of x (pred resized to B).
  void predict(const Matrix& x, std::vector<float>& pred) const;
  double train_error() const { return train_error_; }
  const Mlp& mlp() const { return mlp_; }
  Mlp& mlp() { return mlp_; }
  // exp / log evaluations per sample of a training step (flat_cost).
  virtual double train_transcendentals() const { return 0; }

 protected:
  // The predicted value of every row of the output.
  virtual void predicted_values(const Matrix& out, std::vector<float>& pred) const = 0;
  // The objective on the batch from its output and predictions; with dout,
  // also d objective / d out (dout already has out's shape).
  virtual double objective(const Matrix& out, const std::vector<float>& pred,
                           const StepBatch& b, Matrix* dout) const = 0;
  const StepTarget& target_;

 private:
  Mlp mlp_;
  std::vector<float> pred_;
  double train_error_ = NAN;
};

// The model of s.approach for `target` (which must outlive it), with its
// initial weights drawn from `init`.
std::unique_ptr<FlatModel> make_flat_model(const FlatSettings& s, const StepTarget& target,
                                           Engine& init);

// u~(p) for the one-unit approx model's outputs p (throws std::logic_error
// for another model).
void flat_u_tilde(const FlatModel& model, const Matrix& x, std::vector<float>& out);

class FlatTrainer {
 public:
  FlatTrainer(const FlatSettings& s, std::uint64_t seed);

  // One Adam step on a fresh batch. Returns the approach's objective on the
  // batch; train_error() is then the MSE of the predicted value on it.
  double step();
  // The same step on a given batch x [B, d], r [B] (= v*^T x + b*), y [B, 1]
  // (copied in; for benchmarks of the model alone).
  double step_on(const Matrix& x, const std::vector<double>& r, const Matrix& y);
  double train_error() const { return model_->train_error(); }
  // The batch of the last step (x [B, d], r [B], y [B, 1]): what step() drew,
  // or what step_on() was given. Trainers of one seed draw the same batches,
  // so feeding one trainer's batches to the others with step_on() gives each
  // the run its own step() would (one draw instead of one per trainer).
  const Matrix& batch_x() const { return batch_.x; }
  const std::vector<double>& batch_r() const { return batch_.r; }
  const Matrix& batch_y() const { return batch_.y; }

  // Predicted values of the current model for x [B, d] (pred resized to B).
  void predict(const Matrix& x, std::vector<float>& pred) { model_->predict(x, pred); }
  // u~(v^T x + b) for the approx model (throws std::logic_error otherwise).
  void predict_u_tilde(const Matrix& x, std::vector<float>& out) { flat_u_tilde(*model_, x, out); }
  // Mean squared error of the predicted value on the held-out set.
  double test_error();

  const StepTarget& target() const { return *target_; }
  const Matrix& x_test() const { return x_test_; }
  const std::vector<double>& r_test() const { return r_test_; }
  const Matrix& y_test() const { return y_test_; }
  const FlatSettings& settings() const { return s_; }
  FlatModel& model() { return *model_; }
  const FlatModel& model() const { return *model_; }
  // The parameters of the one-unit models (approx, forward_only, plain):
  // w = W [d, 1], b [1]; of the networks: every layer, input first.
  const std::vector<Dense<float>>& layers() const { return model_->mlp().layers(); }
  // The training run as lib/train's loop drives it (evaluate and tables unset).
  TrainingRun<StepBatch> run();

 private:
  void draw(StepBatch& b);  // the next training batch
  double step_on_batch();   // gradient and Adam update on batch_

  FlatSettings s_;
  std::unique_ptr<StepTarget> target_;  // on the heap: the model keeps a reference
  Matrix x_test_, y_test_;
  std::vector<double> r_test_;
  Engine data_rng_;
  std::unique_ptr<FlatModel> model_;
  Backprop<StepBatch> backprop_;
  AdamOptimizer adam_;
  std::vector<ParamRef<float>> refs_;
  StepBatch batch_;
};

// Trains for s.steps. Returns a table with columns step, train_error,
// test_error, train_loss at step 0 (train columns NaN), every s.eval_every
// steps and after the last step. Stops and sets status.diverged at the first
// non-finite objective. `train_seconds` receives the time spent in step()
// only (evaluations excluded). `on_eval(t)` is called after each evaluation.
Table train_flat(FlatTrainer& trainer, RunStatus& status, double& train_seconds,
                 const std::function<void(std::int64_t)>& on_eval = {},
                 const RunCheckpoint& checkpoint = {});

// The held-out points sorted by r, at most `max_points` of them (the first
// ones of the held-out set): columns r, y, prediction (and u_tilde for
// approx). For Figure 7.
Table flat_fit_table(FlatTrainer& trainer, std::size_t max_points);

// `n` fresh points with |r - (b* + offset)| <= half_width (by rejection from
// the data distribution, stream of its own), sorted by r, same columns as
// flat_fit_table: the zoom on one step boundary (Figure 7d).
Table flat_zoom_table(FlatTrainer& trainer, std::uint64_t seed, double offset, double half_width,
                      std::size_t n);

// Mean squared error of the predicted value on n fresh samples (a stream of
// its own, drawn in chunks of 10 000): a sharper estimate of the expected
// error than the held-out set. The errors are dominated by rare points across
// a wide step (one point across the step of width 0.8 at b* - 0.2 weighs
// 0.64), so estimates from 10^4 points vary by tens of percent.
double flat_fresh_error(FlatTrainer& trainer, std::uint64_t seed, std::size_t n);

// Nanoseconds per held-out sample of predict() on the whole held-out set
// (best of `repeats` timings).
double flat_test_ns_per_sample(FlatTrainer& trainer, int repeats);

// The arithmetic of one sample through an approach, counted from its layers
// and its output function: a property of the architecture, the same on every
// machine (unlike the timings above). With in x out the shape of each dense
// layer's W:
//   train_macs        multiply-adds of a training step: the forward pass
//                     (sum of in * out), dW (the same) and dx for every layer
//                     but the first (in * out each; the input needs none);
//   train_transcendentals  exp / log evaluations of a training step: u~ and
//                     u~' each take one sigmoid per step of u (approx: 2 x 51
//                     for the script's 52 thresholds); the softmax takes one
//                     exp per logit and the loss one log (multiclass: 101);
//                     none for e2e, forward_only and plain;
//   predict_macs      multiply-adds of one prediction (the forward pass);
//   predict_transcendentals  exp / log evaluations of one prediction: none
//                     for every approach (u, the arg max and the raw output
//                     need none; approx predicts with u, not u~).
// Comparisons and additions outside the products are not counted: the ReLUs,
// u's binary search over the thresholds (6 comparisons for 52), the arg max
// over the logits, the biases.
struct FlatCost {
  double train_macs = 0;
  double train_transcendentals = 0;
  double predict_macs = 0;
  double predict_transcendentals = 0;
};
FlatCost flat_cost(const FlatTrainer& trainer);

// The settings of a run of s as its manifest and checkpoint record them
// (json values): e5_flat's runs, and b5_sweep's with its own "thresholds".
std::map<std::string, std::string> flat_run_settings(const FlatSettings& s);

}  // namespace fgbdl

#endif  // EXPERIMENTS_SEC5_FLAT_FLAT_TRAINING_H_
