#include "experiments/ext_gating/gating_training.h"

#include <algorithm>
#include <cmath>
#include <memory>
#include <stdexcept>
#include <utility>
#include <vector>

#include "lib/core/rng.h"
#include "lib/core/tensor.h"
#include "lib/data/curves.h"
#include "lib/data/line_images.h"
#include "lib/data/parity.h"
#include "lib/data/step_targets.h"
#include "lib/nn/loss.h"
#include "lib/train/curves.h"
#include "lib/train/galu.h"
#include "lib/train/galu0.h"
#include "lib/train/loop.h"
#include "lib/train/mlp.h"

namespace fgbdl {
namespace {

// Streams of derive_engine(seed, stream).
constexpr std::uint64_t kData = 0, kHeldOut = 1, kReluInit = 2, kGaluInit = 3, kBatches = 4,
                        kTarget = 5;

void check(const FreshSettings& s) {
  if (s.d < 1 || s.width < 1 || s.steps < 1 || s.batch < 1 || s.eval_every < 1 ||
      s.eval_samples < 1 || s.hidden_layers < 1 || s.hidden_layers > 8 || s.outputs < 1)
    throw std::invalid_argument("gating: sizes must be >= 1");
}


// What both learners of a run share: the optimizer, the budget, the batches
// (each learner draws from its own copy of `batches`, so both see the same
// ones), and the evaluation set with its score.
struct PairSettings {
  std::string optimizer;
  double lr = 0;
  std::int64_t steps = 0, every = 0;
  Engine batches;
  std::function<void(XYBatch&, Engine&)> draw;
  const XYBatch* eval = nullptr;
  double (*score)(const Matrix& prediction, const Matrix& y) = nullptr;
};

template <class Net>
Curve learn(NetworkModel<Net>& model, const PairSettings& p, std::int64_t offset,
            const std::function<void(std::int64_t)>& on_step) {
  Engine batches = p.batches;
  return train_curve(
      model, p.optimizer, p.lr, [&](XYBatch& b) { p.draw(b, batches); }, batches, p.steps,
      p.every,
      [&] {
        Matrix out;
        model.predict(p.eval->x, out);
        return std::vector<double>{p.score(out, p.eval->y)};
      },
      [&](std::int64_t t) {
        if (on_step) on_step(offset + t);
      });
}

// The ReLU network's curve, then the GaLU network's.
template <class GaluNet>
std::vector<Curve> train_pair(MlpModel& relu, NetworkModel<GaluNet>& galu, const PairSettings& p,
                              const std::function<void(std::int64_t)>& on_step) {
  std::vector<Curve> curves;
  curves.push_back(learn(relu, p, 0, on_step));
  curves.push_back(learn(galu, p, p.steps, on_step));
  return curves;
}

// Batches of B rows of `set` drawn uniformly with replacement.
std::function<void(XYBatch&, Engine&)> draw_rows(const XYBatch& set, std::size_t B) {
  return [&set, B](XYBatch& b, Engine& batches) {
    const std::size_t m = set.x.shape(0), d = set.x.shape(1), out = set.y.shape(1);
    if (b.x.shape(0) != B || b.x.shape(1) != d || b.y.shape(1) != out) {
      b.x = Matrix::from_shape({B, d});
      b.y = Matrix::from_shape({B, out});
    }
    for (std::size_t i = 0; i < B; ++i) {
      const std::size_t r = uniform_index(batches, m);
      for (std::size_t l = 0; l < d; ++l) b.x(i, l) = set.x(r, l);
      for (std::size_t o = 0; o < out; ++o) b.y(i, o) = set.y(r, o);
    }
  };
}

// The fraction of rows whose arg-max score is not the one-hot label's class.
double classification_error(const Matrix& score, const Matrix& y) {
  std::size_t wrong = 0;
  for (std::size_t i = 0; i < y.shape(0); ++i) {
    std::size_t best = 0, label = 0;
    for (std::size_t k = 1; k < y.shape(1); ++k) {
      if (score(i, k) > score(i, best)) best = k;
      if (y(i, k) > y(i, label)) label = k;
    }
    wrong += best != label;
  }
  return static_cast<double>(wrong) / static_cast<double>(y.shape(0));
}
}  // namespace

Table memorize(const MemorizeSettings& s, std::uint64_t seed, RunStatus& status,
               const std::function<void(std::int64_t)>& on_step) {
  if (s.d < 1 || s.k < 1 || s.m < 1 || s.steps < 1 || s.batch < 1 || s.eval_every < 1)
    throw std::invalid_argument("memorize: sizes must be >= 1");
  const auto d = static_cast<std::size_t>(s.d), k = static_cast<std::size_t>(s.k),
             m = static_cast<std::size_t>(s.m), B = static_cast<std::size_t>(s.batch);
  XYBatch train_set{Matrix::from_shape({m, d}), Matrix::from_shape({m, 1})};
  {
    Engine data = derive_engine(seed, kData);
    for (float& v : train_set.x) v = static_cast<float>(normal(data));
    for (float& v : train_set.y) v = static_cast<float>(normal(data));
  }
  Engine relu_init = derive_engine(seed, kReluInit), galu_init = derive_engine(seed, kGaluInit);
  MlpModel relu(Mlp({d, k, 1}, relu_init), &squared_loss<float>);
  Galu galu_net(GaluShape{d, k, false, s.alpha, 0.0}, galu_init);
  Galu exact_net = galu_net;  // the same gates
  const double exact = 2 * galu_least_squares(exact_net, train_set.x, train_set.y);
  GaluModel galu(std::move(galu_net), &squared_loss<float>);

  PairSettings p{s.optimizer, s.lr, s.steps, s.eval_every, derive_engine(seed, kBatches)};
  p.draw = draw_rows(train_set, B);
  p.eval = &train_set;
  p.score = mean_squared_error;
  const std::vector<Curve> curves = train_pair(relu, galu, p, on_step);
  return merge_curves({"step", "relu_train_mse", "galu_train_mse", "exact_train_mse", "kd_over_m"},
               curves, {exact, static_cast<double>(s.k * s.d) / static_cast<double>(s.m)},
               status);
}

namespace {

// The two learners of a fresh-sample problem, trained on the same batches
// from `sample(B, rng, x, y)` and scored by `score(prediction, y)` on one
// held-out set.
Table fresh_pair(const FreshSettings& s, std::uint64_t seed, const GaluShape& shape,
                 MlpModel::LossFn loss,
                 const std::function<void(std::size_t, Engine&, Matrix&, Matrix&)>& sample,
                 double (*score)(const Matrix&, const Matrix&),
                 const std::vector<std::string>& columns, bool add_variance, RunStatus& status,
                 const std::function<void(std::int64_t)>& on_step) {
  check(s);
  const auto d = static_cast<std::size_t>(s.d), width = static_cast<std::size_t>(s.width);
  XYBatch test;
  {
    Engine held_out = derive_engine(seed, kHeldOut);
    sample(static_cast<std::size_t>(s.eval_samples), held_out, test.x, test.y);
  }
  std::vector<std::size_t> widths{d};
  widths.insert(widths.end(), static_cast<std::size_t>(s.hidden_layers), width);
  widths.push_back(static_cast<std::size_t>(s.outputs));
  Engine relu_init = derive_engine(seed, kReluInit), galu_init = derive_engine(seed, kGaluInit);
  MlpModel relu(Mlp(widths, relu_init), loss);
  PairSettings p{s.optimizer, s.lr, s.steps, s.eval_every, derive_engine(seed, kBatches)};
  p.draw = [&](XYBatch& b, Engine& batches) { sample(static_cast<std::size_t>(s.batch), batches, b.x, b.y); };
  p.eval = &test;
  p.score = score;
  std::vector<Curve> curves;
  if (s.hidden_layers == 1 && s.outputs == 1) {
    GaluModel galu(Galu(shape, galu_init), loss);
    curves = train_pair(relu, galu, p, on_step);
  } else {
    NetworkModel<Galu0> galu(Galu0(widths, shape.alpha, shape.gate_bias_std, galu_init), loss);
    curves = train_pair(relu, galu, p, on_step);
  }
  std::vector<double> constants;
  if (add_variance) constants.push_back(target_variance(test.y));
  return merge_curves(columns, curves, constants, status);
}

}  // namespace

Table parity_gating(const FreshSettings& s, std::uint64_t seed, RunStatus& status,
                    const std::function<void(std::int64_t)>& on_step) {
  if (s.d < 1 || s.d > 64) throw std::invalid_argument("parity_gating: d in 1..64");
  Engine target = derive_engine(seed, kTarget);
  const Parity parity = draw_parity(static_cast<int>(s.d), target);
  const GaluShape shape{static_cast<std::size_t>(s.d), static_cast<std::size_t>(s.width), true,
                        s.alpha, 1.0};
  return fresh_pair(
      s, seed, shape, &hinge_loss<float>,
      [&](std::size_t B, Engine& rng, Matrix& x, Matrix& y) {
        sample_parity_batch(parity, B, rng, x, y);
      },
      sign_accuracy, {"step", "relu_accuracy", "galu_accuracy"}, false, status, on_step);
}

Table step_gating(const FreshSettings& s, std::uint64_t seed, RunStatus& status,
                  const std::function<void(std::int64_t)>& on_step) {
  Engine target_rng = derive_engine(seed, kTarget);
  const StepTarget target =
      draw_step_target(static_cast<std::size_t>(s.d), StepThresholds::kScript, target_rng);
  const GaluShape shape{static_cast<std::size_t>(s.d), static_cast<std::size_t>(s.width), true,
                        s.alpha, 0.01};
  std::vector<double> r;
  return fresh_pair(
      s, seed, shape, &squared_loss<float>,
      [&](std::size_t B, Engine& rng, Matrix& x, Matrix& y) {
        sample_step_batch(target, B, rng, x, r, y);
      },
      mean_squared_error, {"step", "relu_test_mse", "galu_test_mse", "target_variance"}, true,
      status, on_step);
}

Table tuples_gating(const FreshSettings& s, int k, std::uint64_t seed, RunStatus& status,
                    const std::function<void(std::int64_t)>& on_step) {
  if (k < 1 || k > 8) throw std::invalid_argument("tuples_gating: k in 1..8");
  FreshSettings t = s;
  t.d = 28 * 28 * k;
  const GaluShape shape{static_cast<std::size_t>(t.d), static_cast<std::size_t>(t.width), true,
                        t.alpha, s.gate_bias_std};
  const LineTupleSpec spec{k, LineRasterizer::kPaper, TupleLabelRule::kProduct};
  LineTupleBatch<float> batch;
  return fresh_pair(
      t, seed, shape, &hinge_loss<float>,
      [&](std::size_t B, Engine& rng, Matrix& x, Matrix& y) {
        sample_line_tuples(B, spec, rng, batch);
        // Image j of tuple b is row b k + j: [B k, 28, 28, 1] in row-major
        // order is the tuples' images side by side, [B, 784 k].
        if (x.shape(0) != B || x.shape(1) != static_cast<std::size_t>(t.d))
          x = Matrix::from_shape({B, static_cast<std::size_t>(t.d)});
        std::copy(batch.images.begin(), batch.images.end(), x.begin());
        y = batch.tuple_labels;
      },
      sign_accuracy, {"step", "relu_accuracy", "galu_accuracy"}, false, status, on_step);
}

Table curves_gating(const FreshSettings& s, int n, std::uint64_t seed, RunStatus& status,
                    const std::function<void(std::int64_t)>& on_step) {
  if (n < 3 || n > 1000) throw std::invalid_argument("curves_gating: n in 3..1000");
  FreshSettings t = s;
  t.d = t.outputs = n;
  const GaluShape shape{static_cast<std::size_t>(n), static_cast<std::size_t>(t.width), true,
                        t.alpha, s.gate_bias_std};
  xt::xtensor<double, 2> f, p;
  return fresh_pair(
      t, seed, shape, &squared_loss<float>,
      [&](std::size_t B, Engine& rng, Matrix& x, Matrix& y) {
        sample_curves(CurveDistribution::kPaper, n, 3, B, rng, &f, &p);
        x = xt::cast<float>(f);
        y = xt::cast<float>(p);
      },
      mean_squared_error, {"step", "relu_test_mse", "galu_test_mse", "target_variance"}, true,
      status, on_step);
}

float softmax_cross_entropy(const Matrix& score, const Matrix& y, Matrix& dscore) {
  if (score.shape() != y.shape() || score.shape(0) == 0)
    throw std::invalid_argument("softmax_cross_entropy: score and y must be [B, K], B >= 1");
  const std::size_t B = score.shape(0), K = score.shape(1);
  if (dscore.shape() != score.shape()) dscore = Matrix::from_shape(score.shape());
  double total = 0;
  for (std::size_t i = 0; i < B; ++i) {
    double top = score(i, 0);
    for (std::size_t k = 1; k < K; ++k) top = std::max(top, double(score(i, k)));
    double sum = 0;
    for (std::size_t k = 0; k < K; ++k) sum += std::exp(double(score(i, k)) - top);
    const double log_sum = top + std::log(sum);
    for (std::size_t k = 0; k < K; ++k) {
      const double logp = double(score(i, k)) - log_sum;
      total -= y(i, k) * logp;
      dscore(i, k) = static_cast<float>((std::exp(logp) - y(i, k)) / double(B));
    }
  }
  return static_cast<float>(total / double(B));
}

Table fashion_gating(const FashionSettings& s, const ClassificationData& data, std::uint64_t seed,
                     RunStatus& status, const std::function<void(std::int64_t)>& on_step) {
  if (s.width < 1 || s.hidden_layers < 1 || s.steps < 1 || s.batch < 1 || s.eval_every < 1)
    throw std::invalid_argument("fashion_gating: sizes must be >= 1");
  std::vector<std::size_t> widths{data.x_train.shape(1)};
  widths.insert(widths.end(), static_cast<std::size_t>(s.hidden_layers),
                static_cast<std::size_t>(s.width));
  widths.push_back(data.y_train.shape(1));
  Engine relu_init = derive_engine(seed, kReluInit), galu_init = derive_engine(seed, kGaluInit);
  MlpModel relu(Mlp(widths, relu_init), &softmax_cross_entropy);
  NetworkModel<Galu0> galu(Galu0(widths, s.alpha, s.gate_bias_std, galu_init),
                           &softmax_cross_entropy);
  const XYBatch train_set{data.x_train, data.y_train}, test{data.x_test, data.y_test};
  PairSettings p{s.optimizer, s.lr, s.steps, s.eval_every, derive_engine(seed, kBatches)};
  p.draw = draw_rows(train_set, static_cast<std::size_t>(s.batch));
  p.eval = &test;
  p.score = classification_error;
  return merge_curves({"step", "relu_test_error", "galu_test_error"}, train_pair(relu, galu, p, on_step),
               {}, status);
}

}  // namespace fgbdl
