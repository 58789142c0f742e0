#include "experiments/ext_feedback/feedback_training.h"

#include <algorithm>
#include <stdexcept>
#include <utility>
#include <vector>

#include <xtensor/xview.hpp>

#include "lib/core/rng.h"
#include "lib/core/tensor.h"
#include "lib/data/curves.h"
#include "lib/data/line_images.h"
#include "lib/data/parity.h"
#include "lib/data/step_targets.h"
#include "lib/nn/loss.h"
#include "lib/train/curves.h"
#include "lib/train/mlp.h"

namespace fgbdl {
namespace {

// Streams of derive_engine(seed, stream).
constexpr std::uint64_t kTarget = 0, kHeldOut = 1, kInit = 2, kFeedback = 3, kBatches = 4;
constexpr std::size_t kProbe = 256;  // held-out rows of the angle's probe batch

using Sample = std::function<void(std::size_t, Engine&, Matrix&, Matrix&)>;

// The two learners of one problem: the network `in`-width-...-`out` from one
// initialization, trained by back-propagation and by feedback alignment on
// the same batches from `sample`, scored by `score` on one held-out set.
Table feedback_pair(const FeedbackSettings& s, std::uint64_t seed, std::size_t in,
                    std::size_t out, MlpModel::LossFn loss, const Sample& sample,
                    double (*score)(const Matrix&, const Matrix&), const std::string& score_name,
                    bool add_variance, RunStatus& status,
                    const std::function<void(std::int64_t)>& on_step) {
  if (s.width < 1 || s.hidden_layers < 1 || s.hidden_layers > 8 || s.steps < 1 || s.batch < 1 ||
      s.eval_every < 1 || s.eval_samples < 1)
    throw std::invalid_argument("feedback: sizes must be >= 1");
  XYBatch test, probe;
  {
    Engine held_out = derive_engine(seed, kHeldOut);
    sample(static_cast<std::size_t>(s.eval_samples), held_out, test.x, test.y);
    const std::size_t P = std::min(kProbe, test.x.shape(0));
    probe.x = xt::view(test.x, xt::range(0, P), xt::all());
    probe.y = xt::view(test.y, xt::range(0, P), xt::all());
  }
  std::vector<std::size_t> widths{in};
  widths.insert(widths.end(), static_cast<std::size_t>(s.hidden_layers),
                static_cast<std::size_t>(s.width));
  widths.push_back(out);
  Engine init = derive_engine(seed, kInit);
  const Mlp net(widths, init);
  MlpModel bp(net, loss);
  Mlp fa_net = net;
  Engine feedback = derive_engine(seed, kFeedback);
  fa_net.set_feedback(draw_feedback(fa_net, feedback));
  MlpModel fa(std::move(fa_net), loss);

  const Engine batches = derive_engine(seed, kBatches);
  auto learn = [&](MlpModel& model, bool angle, std::int64_t offset) {
    Engine rng = batches;  // each learner its own copy: the same batches
    return train_curve(
        model, s.optimizer, s.lr,
        [&](XYBatch& b) { sample(static_cast<std::size_t>(s.batch), rng, b.x, b.y); }, rng,
        s.steps, s.eval_every,
        [&] {
          Matrix prediction;
          model.predict(test.x, prediction);
          std::vector<double> v{score(prediction, test.y)};
          if (angle) v.push_back(feedback_angle_deg(model.net(), probe, loss));
          return v;
        },
        [&](std::int64_t t) {
          if (on_step) on_step(offset + t);
        },
        1);  // the score; the angle is NaN where a gradient is zero
  };
  std::vector<Curve> curves;
  curves.push_back(learn(bp, false, 0));
  curves.push_back(learn(fa, true, s.steps));
  std::vector<std::string> columns{"step", "bp_" + score_name, "fa_" + score_name,
                                   "fa_angle_deg"};
  std::vector<double> constants;
  if (add_variance) {
    columns.push_back("target_variance");
    constants.push_back(target_variance(test.y));
  }
  return merge_curves(columns, curves, constants, status);
}

}  // namespace

Table parity_feedback(const FeedbackSettings& s, std::uint64_t seed, RunStatus& status,
                      const std::function<void(std::int64_t)>& on_step) {
  if (s.d < 1 || s.d > 64) throw std::invalid_argument("parity_feedback: d in 1..64");
  Engine target = derive_engine(seed, kTarget);
  const Parity parity = draw_parity(static_cast<int>(s.d), target);
  return feedback_pair(
      s, seed, static_cast<std::size_t>(s.d), 1, &hinge_loss<float>,
      [&](std::size_t B, Engine& rng, Matrix& x, Matrix& y) {
        sample_parity_batch(parity, B, rng, x, y);
      },
      sign_accuracy, "accuracy", false, status, on_step);
}

Table tuples_feedback(const FeedbackSettings& s, int k, std::uint64_t seed, RunStatus& status,
                      const std::function<void(std::int64_t)>& on_step) {
  if (k < 1 || k > 8) throw std::invalid_argument("tuples_feedback: k in 1..8");
  const std::size_t d = 28 * 28 * static_cast<std::size_t>(k);
  const LineTupleSpec spec{k, LineRasterizer::kPaper, TupleLabelRule::kProduct};
  LineTupleBatch<float> batch;
  return feedback_pair(
      s, seed, d, 1, &hinge_loss<float>,
      [&](std::size_t B, Engine& rng, Matrix& x, Matrix& y) {
        sample_line_tuples(B, spec, rng, batch);
        // Image j of tuple b is row b k + j: [B k, 28, 28, 1] in row-major
        // order is the tuples' images side by side, [B, 784 k].
        if (x.shape(0) != B || x.shape(1) != d) x = Matrix::from_shape({B, d});
        std::copy(batch.images.begin(), batch.images.end(), x.begin());
        y = batch.tuple_labels;
      },
      sign_accuracy, "accuracy", false, status, on_step);
}

Table curves_feedback(const FeedbackSettings& s, int n, std::uint64_t seed, RunStatus& status,
                      const std::function<void(std::int64_t)>& on_step) {
  if (n < 3 || n > 1000) throw std::invalid_argument("curves_feedback: n in 3..1000");
  xt::xtensor<double, 2> f, p;
  const auto N = static_cast<std::size_t>(n);
  return feedback_pair(
      s, seed, N, N, &squared_loss<float>,
      [&](std::size_t B, Engine& rng, Matrix& x, Matrix& y) {
        sample_curves(CurveDistribution::kPaper, n, 3, B, rng, &f, &p);
        x = xt::cast<float>(f);
        y = xt::cast<float>(p);
      },
      mean_squared_error, "test_mse", true, status, on_step);
}

Table step_feedback(const FeedbackSettings& s, std::uint64_t seed, RunStatus& status,
                    const std::function<void(std::int64_t)>& on_step) {
  if (s.d < 1 || s.d > 4096) throw std::invalid_argument("step_feedback: d in 1..4096");
  Engine target_rng = derive_engine(seed, kTarget);
  const StepTarget target =
      draw_step_target(static_cast<std::size_t>(s.d), StepThresholds::kScript, target_rng);
  std::vector<double> r;
  return feedback_pair(
      s, seed, static_cast<std::size_t>(s.d), 1, &squared_loss<float>,
      [&](std::size_t B, Engine& rng, Matrix& x, Matrix& y) {
        sample_step_batch(target, B, rng, x, r, y);
      },
      mean_squared_error, "test_mse", true, status, on_step);
}

}  // namespace fgbdl
