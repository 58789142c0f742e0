// Learners compared on the same batches, one table per run: each learner's
// evaluations recorded as a curve through the one training loop (loop.h),
// then the curves merged into one metrics table with one row per
// evaluation. Used by the extension experiments that train two networks
// side by side (X1's shared and unshared ConvNets, X2's ReLU and GaLU
// networks).
#ifndef LIB_TRAIN_CURVES_H_
#define LIB_TRAIN_CURVES_H_

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "lib/core/rng.h"
#include "lib/io/results.h"
#include "lib/train/loop.h"
#include "lib/train/mlp.h"
#include "lib/train/model.h"
#include "lib/train/optimizer.h"

namespace fgbdl {

// "sgd" (plain steps) or "adam" (beta1 0.9, beta2 0.999, eps 1e-8) at `lr`.
std::unique_ptr<Optimizer> make_optimizer(const std::string& name, double lr);

// One learner's evaluations: the steps, and at each the metrics' values.
struct Curve {
  std::vector<std::int64_t> steps;
  std::vector<std::vector<double>> values;
  RunStatus status;
};

// Trains `model` with the steps of `source` (Backprop, or a learner that is
// not gradient descent: lib/train/perturbation.h) and `optimizer` through
// the one loop: batches from `draw` (whose random stream is `batches`),
// `metrics()` recorded at step 0 and every `every` steps; a non-finite loss,
// or a non-finite value among the first `checked` metrics, is a divergence
// (metrics after them may be NaN where they are undefined, as X3's
// alignment angle at a zero gradient). No checkpoint: the runs that use it
// are short.
template <class Batch>
Curve train_source_curve(Model<Batch>& model, GradientSource<Batch>& source, Optimizer& optimizer,
                         std::function<void(Batch&)> draw, Engine& batches, std::int64_t steps,
                         std::int64_t every, const std::function<std::vector<double>()>& metrics,
                         const std::function<void(std::int64_t)>& on_step,
                         std::size_t checked = static_cast<std::size_t>(-1)) {
  Curve curve;
  TrainingRun<Batch> run;
  run.model = &model;
  run.gradient = &source;
  run.optimizer = &optimizer;
  run.draw = std::move(draw);
  run.evaluate = [&](const StepLoss& l) {
    curve.steps.push_back(l.step);
    curve.values.push_back(metrics());
    const std::vector<double>& v = curve.values.back();
    for (std::size_t i = 0; i < v.size() && i < checked; ++i)
      if (!std::isfinite(v[i])) return false;
    return true;
  };
  run.engines = {&batches};
  curve.status = train(run, periodic_loop(steps, every, on_step, {})).status;
  return curve;
}

// train_source_curve with back-propagation and make_optimizer(optimizer, lr).
Curve train_curve(Model<XYBatch>& model, const std::string& optimizer, double lr,
                  std::function<void(XYBatch&)> draw, Engine& batches, std::int64_t steps,
                  std::int64_t every, const std::function<std::vector<double>()>& metrics,
                  const std::function<void(std::int64_t)>& on_step,
                  std::size_t checked = static_cast<std::size_t>(-1));

// Scores of predictions `score` [n, c] against targets y [n, c], for the
// metrics of the learners compared here:
//   mean_squared_error  (1/(n c)) sum (score - y)^2;
//   sign_accuracy       the fraction of rows with y(i, 0) score(i, 0) > 0
//                       (targets +-1; a score of 0 is wrong);
//   target_variance     the variance of y per column around its own mean,
//                       averaged over the columns: the error of the best
//                       constant prediction.
double mean_squared_error(const Matrix& score, const Matrix& y);
double sign_accuracy(const Matrix& score, const Matrix& y);
double target_variance(const Matrix& y);

// One row per evaluation (every curve follows one schedule): the step, each
// curve's metrics in order, then the constants. A run in which a learner
// diverges ends at the first divergence: rows before that step, then one row
// of that step with the diverged learner's values and NaN for a learner not
// evaluated there; status records that divergence.
Table merge_curves(const std::vector<std::string>& columns, const std::vector<Curve>& curves,
                   const std::vector<double>& constants, RunStatus& status);

}  // namespace fgbdl

#endif  // LIB_TRAIN_CURVES_H_
