#include "experiments/ext_perturbation/perturbation_training.h"

#include <algorithm>
#include <memory>
#include <stdexcept>
#include <utility>
#include <vector>

#include "experiments/sec5_flat/flat_training.h"
#include "lib/core/rng.h"
#include "lib/core/tensor.h"
#include "lib/data/curves.h"
#include "lib/data/line_images.h"
#include "lib/data/parity.h"
#include "lib/data/step_targets.h"
#include "lib/nn/loss.h"
#include "lib/train/curves.h"
#include "lib/train/mlp.h"
#include "lib/train/perturbation.h"

namespace fgbdl {
namespace {

// Streams of derive_engine(seed, stream).
constexpr std::uint64_t kTarget = 0, kHeldOut = 1, kInit = 2, kBatches = 3, kGaussian = 4,
                        kCauchy = 5;

void check(const X4Settings& s) {
  if (s.steps < 1 || s.batch < 1 || s.eval_every < 1 || s.eval_samples < 1 || s.pairs < 1 ||
      s.width < 1 || s.width_factor < 1 || !(s.lr > 0) || !(s.sigma > 0) ||
      !(s.beta >= 0 && s.beta < 1))
    throw std::invalid_argument("x4: sizes >= 1, lr > 0, sigma > 0, 0 <= beta < 1");
}

// The three learners of a run, in order backprop, gaussian, cauchy: each a
// fresh model from `make` (the same initial weights), the same batches
// (each learner draws from its own copy of the batch stream), its metric
// `score(model)` at every evaluation.
template <class Batch, class M>
std::vector<Curve> three_learners(const X4Settings& s, std::uint64_t seed,
                                  const std::function<std::unique_ptr<M>()>& make,
                                  const std::function<void(Batch&, Engine&)>& draw,
                                  const std::function<double(M&)>& score,
                                  const std::function<void(std::int64_t)>& on_step) {
  std::vector<Curve> curves;
  for (int learner = 0; learner < 3; ++learner) {
    std::unique_ptr<M> model = make();
    std::unique_ptr<GradientSource<Batch>> source;
    if (learner == 0) {
      source = std::make_unique<Backprop<Batch>>();
    } else {
      const PerturbationLaw law = learner == 1 ? PerturbationLaw::kGaussian : PerturbationLaw::kCauchy;
      source = std::make_unique<PerturbationGradient<Batch>>(
          PerturbationSettings{law, s.sigma, static_cast<std::size_t>(s.pairs), s.beta},
          derive_engine(seed, learner == 1 ? kGaussian : kCauchy));
    }
    std::unique_ptr<Optimizer> opt = make_optimizer(s.optimizer, s.lr);
    Engine batches = derive_engine(seed, kBatches);
    const std::int64_t offset = learner * s.steps;
    curves.push_back(train_source_curve<Batch>(
        *model, *source, *opt, [&](Batch& b) { draw(b, batches); }, batches, s.steps,
        s.eval_every, [&] { return std::vector<double>{score(*model)}; },
        [&](std::int64_t t) {
          if (on_step) on_step(offset + t);
        }));
  }
  return curves;
}

// An MLP problem: fresh batches from `sample(B, rng, x, y)`, one held-out set.
Table mlp_problem(const X4Settings& s, std::uint64_t seed, const std::vector<std::size_t>& widths,
                  MlpModel::LossFn loss,
                  const std::function<void(std::size_t, Engine&, Matrix&, Matrix&)>& sample,
                  bool regression, RunStatus& status,
                  const std::function<void(std::int64_t)>& on_step) {
  check(s);
  XYBatch test;
  {
    Engine held_out = derive_engine(seed, kHeldOut);
    sample(static_cast<std::size_t>(s.eval_samples), held_out, test.x, test.y);
  }
  const std::vector<Curve> curves = three_learners<XYBatch, MlpModel>(
      s, seed,
      [&] {
        Engine init = derive_engine(seed, kInit);
        return std::make_unique<MlpModel>(Mlp(widths, init), loss);
      },
      [&](XYBatch& b, Engine& rng) { sample(static_cast<std::size_t>(s.batch), rng, b.x, b.y); },
      [&](MlpModel& m) {
        Matrix out;
        m.predict(test.x, out);
        return regression ? mean_squared_error(out, test.y) : sign_accuracy(out, test.y);
      },
      on_step);
  if (regression)
    return merge_curves({"step", "backprop_test_mse", "gaussian_test_mse", "cauchy_test_mse",
                         "target_variance"},
                        curves, std::vector<double>{target_variance(test.y)}, status);
  return merge_curves({"step", "backprop_accuracy", "gaussian_accuracy", "cauchy_accuracy"},
                      curves, std::vector<double>{}, status);
}

}  // namespace

Table parity_perturbation(const X4Settings& s, int d, std::uint64_t seed, RunStatus& status,
                          const std::function<void(std::int64_t)>& on_step) {
  if (d < 1 || d > 64) throw std::invalid_argument("parity_perturbation: d in 1..64");
  Engine target = derive_engine(seed, kTarget);
  const Parity parity = draw_parity(d, target);
  const auto D = static_cast<std::size_t>(d);
  return mlp_problem(
      s, seed, {D, static_cast<std::size_t>(s.width_factor) * D, 1}, &hinge_loss<float>,
      [&](std::size_t B, Engine& rng, Matrix& x, Matrix& y) {
        sample_parity_batch(parity, B, rng, x, y);
      },
      false, status, on_step);
}

Table tuples_perturbation(const X4Settings& s, int k, std::uint64_t seed, RunStatus& status,
                          const std::function<void(std::int64_t)>& on_step) {
  if (k < 1 || k > 8) throw std::invalid_argument("tuples_perturbation: k in 1..8");
  const auto D = static_cast<std::size_t>(28 * 28 * k);
  const LineTupleSpec spec{k, LineRasterizer::kPaper, TupleLabelRule::kProduct};
  LineTupleBatch<float> batch;
  return mlp_problem(
      s, seed, {D, static_cast<std::size_t>(s.width), 1}, &hinge_loss<float>,
      [&](std::size_t B, Engine& rng, Matrix& x, Matrix& y) {
        sample_line_tuples(B, spec, rng, batch);
        // Image j of tuple b is row b k + j: [B k, 28, 28, 1] in row-major
        // order is the tuples' images side by side, [B, 784 k].
        if (x.shape(0) != B || x.shape(1) != D) x = Matrix::from_shape({B, D});
        std::copy(batch.images.begin(), batch.images.end(), x.begin());
        y = batch.tuple_labels;
      },
      false, status, on_step);
}

Table curves_perturbation(const X4Settings& s, int n, std::uint64_t seed, RunStatus& status,
                          const std::function<void(std::int64_t)>& on_step) {
  if (n < 3 || n > 1000) throw std::invalid_argument("curves_perturbation: n in 3..1000");
  const auto N = static_cast<std::size_t>(n);
  xt::xtensor<double, 2> f, p;
  return mlp_problem(
      s, seed, {N, static_cast<std::size_t>(s.width), N}, &squared_loss<float>,
      [&](std::size_t B, Engine& rng, Matrix& x, Matrix& y) {
        sample_curves(CurveDistribution::kPaper, n, 3, B, rng, &f, &p);
        x = xt::cast<float>(f);
        y = xt::cast<float>(p);
      },
      true, status, on_step);
}

Table flat_perturbation(const X4Settings& s, bool smooth, std::uint64_t seed, RunStatus& status,
                        const std::function<void(std::int64_t)>& on_step) {
  check(s);
  FlatSettings fs;
  fs.approach = smooth ? FlatApproach::kApprox : FlatApproach::kPlain;
  fs.d = 100;
  fs.thresholds = StepThresholds::kScript;
  Engine target_rng = derive_engine(seed, kTarget);
  const StepTarget target = draw_step_target(100, fs.thresholds, target_rng);
  StepBatch test;
  {
    Engine held_out = derive_engine(seed, kHeldOut);
    sample_step_batch(target, static_cast<std::size_t>(s.eval_samples), held_out, test.x, test.r,
                      test.y);
  }
  std::vector<float> pred;
  const std::vector<Curve> curves = three_learners<StepBatch, FlatModel>(
      s, seed,
      [&] {
        Engine init = derive_engine(seed, kInit);
        return make_flat_model(fs, target, init);
      },
      [&](StepBatch& b, Engine& rng) {
        sample_step_batch(target, static_cast<std::size_t>(s.batch), rng, b.x, b.r, b.y);
      },
      [&](FlatModel& m) {
        m.predict(test.x, pred);
        double sum = 0;
        for (std::size_t i = 0; i < pred.size(); ++i) {
          const double e = double(pred[i]) - test.y(i, 0);
          sum += e * e;
        }
        return sum / static_cast<double>(pred.size());
      },
      on_step);
  return merge_curves(
      {"step", "backprop_test_mse", "gaussian_test_mse", "cauchy_test_mse", "target_variance"},
      curves, std::vector<double>{target_variance(test.y)}, status);
}

}  // namespace fgbdl
