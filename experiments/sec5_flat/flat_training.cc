#include "experiments/sec5_flat/flat_training.h"

#include <pmmintrin.h>
#include <xmmintrin.h>

#include <algorithm>
#include <chrono>
#include <numeric>
#include <stdexcept>

#include "absl/strings/str_cat.h"

#include "lib/nn/loss.h"
#include "lib/nn/relu.h"
#include "lib/nn/softmax.h"

namespace fgbdl {
namespace {

// Streams of derive_engine(seed, stream) for one seed.
constexpr std::uint64_t kTargetStream = 0, kTestStream = 1, kTrainStream = 2, kInitStream = 3,
                        kZoomStream = 4, kFreshStream = 5;

// Flushes subnormal floats to zero (FTZ and DAZ in MXCSR) while alive, and
// restores the previous mode: as TensorFlow, which runs its CPU kernels with
// denormals flushed (the script's setting). Without it, the multi-class
// network slows down ~5x once its softmax has learned: probabilities of
// ~1e-40 reach the backward GEMMs as subnormals.
class FlushDenormals {
 public:
  FlushDenormals() : saved_(_mm_getcsr()) { _mm_setcsr(saved_ | 0x8040u); }
  ~FlushDenormals() { _mm_setcsr(saved_); }
  FlushDenormals(const FlushDenormals&) = delete;
  FlushDenormals& operator=(const FlushDenormals&) = delete;

 private:
  unsigned saved_;
};

// The index of the first largest of row[0..K), K >= 1: std::max_element's
// result (also with NaN: a NaN first entry wins, a later one never does).
// That is the first entry equal to row_max (lib/nn/softmax.h: row[0] if NaN,
// else the largest entry that is not NaN; == does not tell the zeros
// apart, as the running comparison does not), found four entries at a time.
std::size_t first_max_index(const float* row, std::size_t K) {
  const float top = row_max(row, K);
  if (std::isnan(top)) return 0;
  const __m128 t = _mm_set1_ps(top);
  std::size_t k = 0;
  for (; k + 4 <= K; k += 4) {
    const int hit = _mm_movemask_ps(_mm_cmpeq_ps(_mm_loadu_ps(row + k), t));
    if (hit != 0) return k + static_cast<std::size_t>(__builtin_ctz(static_cast<unsigned>(hit)));
  }
  for (; row[k] != top; ++k) {
  }
  return k;
}

double mse(const std::vector<float>& pred, const Matrix& y) {
  double sum = 0;
  for (std::size_t i = 0; i < pred.size(); ++i) {
    const double e = static_cast<double>(pred[i]) - y(i, 0);
    sum += e * e;
  }
  return sum / static_cast<double>(pred.size());
}

}  // namespace

std::string to_string(FlatApproach a) {
  switch (a) {
    case FlatApproach::kApprox: return "approx";
    case FlatApproach::kEndToEnd: return "e2e";
    case FlatApproach::kMulticlass: return "multiclass";
    case FlatApproach::kForwardOnly: return "forward_only";
    case FlatApproach::kPlain: return "plain";
  }
  return "?";
}

FlatApproach flat_approach_from_name(const std::string& name) {
  for (const FlatApproach a : {FlatApproach::kApprox, FlatApproach::kEndToEnd,
                               FlatApproach::kMulticlass, FlatApproach::kForwardOnly,
                               FlatApproach::kPlain})
    if (to_string(a) == name) return a;
  throw std::invalid_argument("flat_approach_from_name: unknown approach '" + name + "'");
}

std::size_t multiclass_outputs(StepThresholds t) {
  return t == StepThresholds::kScript ? 100 : step_threshold_offsets(t).size();
}

std::size_t multiclass_outputs(const FlatSettings& s) {
  return s.threshold_offsets.empty() ? multiclass_outputs(s.thresholds) : s.threshold_offsets.size();
}

double script_learning_rate(FlatApproach a) { return a == FlatApproach::kApprox ? 0.01 : 1e-3; }

namespace {

// approx (E5.2): u~(p) = sum of one sigmoid per step (sharpness c), squared
// loss of u~; predicts with u.
class SigmoidApproximation final : public FlatModel {
 public:
  SigmoidApproximation(const StepTarget& t, Mlp mlp, double c) : FlatModel(t, std::move(mlp)), c_(c) {}
  double c() const { return c_; }
  const StepTarget& target() const { return target_; }
  double train_transcendentals() const override {
    return 2.0 * static_cast<double>(target_.z.size() - 1);
  }

 protected:
  void predicted_values(const Matrix& out, std::vector<float>& pred) const override {
    for (std::size_t i = 0; i < pred.size(); ++i)
      pred[i] = static_cast<float>(step_u(target_.z, static_cast<double>(out(i, 0))));
  }
  double objective(const Matrix& out, const std::vector<float>&, const StepBatch& b,
                   Matrix* dout) const override {
    const std::size_t B = out.shape(0);
    const float inv_b = 1.0f / static_cast<float>(B);
    double loss = 0;
    for (std::size_t i = 0; i < B; ++i) {
      const double p = out(i, 0);
      const double e = step_u_tilde(target_.z, c_, p) - b.y(i, 0);
      loss += e * e;
      if (dout != nullptr)
        (*dout)(i, 0) =
            static_cast<float>(2 * e * step_u_tilde_derivative(target_.z, c_, p)) * inv_b;
    }
    return loss / static_cast<double>(B);
  }

 private:
  double c_;
};

// forward_only (E5.5) and plain: the squared loss of u(p); the backward
// message through u is 1 (forward_only) or u's derivative, 0 (plain).
class StepUnit final : public FlatModel {
 public:
  StepUnit(const StepTarget& t, Mlp mlp, bool forward_only)
      : FlatModel(t, std::move(mlp)), du_(forward_only ? 1.0f : 0.0f) {}

 protected:
  void predicted_values(const Matrix& out, std::vector<float>& pred) const override {
    for (std::size_t i = 0; i < pred.size(); ++i)
      pred[i] = static_cast<float>(step_u(target_.z, static_cast<double>(out(i, 0))));
  }
  double objective(const Matrix& out, const std::vector<float>& pred, const StepBatch& b,
                   Matrix* dout) const override {
    const std::size_t B = out.shape(0);
    const float inv_b = 1.0f / static_cast<float>(B);
    double loss = 0;
    for (std::size_t i = 0; i < B; ++i) {
      const float e = pred[i] - b.y(i, 0);
      loss += static_cast<double>(e) * e;
      if (dout != nullptr) (*dout)(i, 0) = 2 * e * inv_b * du_;
    }
    return loss / static_cast<double>(B);
  }

 private:
  float du_;
};

// e2e (E5.3): the network's raw output, the script's squared loss
// mean (out - y)^2 (no 1/2).
class EndToEndNetwork final : public FlatModel {
 public:
  using FlatModel::FlatModel;

 protected:
  void predicted_values(const Matrix& out, std::vector<float>& pred) const override {
    for (std::size_t i = 0; i < pred.size(); ++i) pred[i] = out(i, 0);
  }
  double objective(const Matrix& out, const std::vector<float>&, const StepBatch& b,
                   Matrix* dout) const override {
    // squared_loss is (1/B) sum (out - y)^2 / 2.
    Matrix scratch;
    Matrix& d = dout != nullptr ? *dout : scratch;
    const double loss = 2.0 * static_cast<double>(squared_loss(out, b.y, d));
    if (dout != nullptr) *dout *= 2.0f;
    return loss;
  }
};

// multiclass (E5.4): softmax cross-entropy on the index of r's step;
// predicts the step value of the arg-max logit (the last one for the
// script's surplus logits).
class MulticlassNetwork final : public FlatModel {
 public:
  using FlatModel::FlatModel;
  double train_transcendentals() const override {
    return static_cast<double>(mlp().layers().back().W.shape(1)) + 1.0;
  }

 protected:
  void predicted_values(const Matrix& out, std::vector<float>& pred) const override {
    const std::size_t K = out.shape(1), n = target_.z.size();
    for (std::size_t i = 0; i < pred.size(); ++i) {
      const float* row = out.data() + i * K;
      pred[i] = static_cast<float>(target_.z[std::min(first_max_index(row, K), n - 1)]);
    }
  }
  double objective(const Matrix& out, const std::vector<float>&, const StepBatch& b,
                   Matrix* dout) const override {
    const std::size_t B = out.shape(0), K = out.shape(1);
    const float inv_b = 1.0f / static_cast<float>(B);
    softmax_forward(out, s_);
    double loss = 0;
    // dout = (s - onehot(label)) / B, row by row: s_k inv_b, and at the
    // label (s_label - 1) inv_b.
    for (std::size_t i = 0; i < B; ++i) {
      const std::size_t label = step_index(target_.z, b.r[i]);
      const float* si = s_.data() + i * K;
      loss -= std::log(std::max(static_cast<double>(si[label]), 1e-300));
      if (dout == nullptr) continue;
      float* di = dout->data() + i * K;
      for (std::size_t k = 0; k < K; ++k) di[k] = si[k] * inv_b;
      di[label] = (si[label] - 1.0f) * inv_b;
    }
    return loss / static_cast<double>(B);
  }

 private:
  mutable Matrix s_;  // softmax(out)
};

}  // namespace

double FlatModel::loss(const StepBatch& b) {
  FlushDenormals ftz;
  Matrix out;
  mlp_.predict(b.x, out);
  std::vector<float> pred(out.shape(0));
  predicted_values(out, pred);
  return objective(out, pred, b, nullptr);
}

double FlatModel::loss_and_gradient(const StepBatch& b) {
  FlushDenormals ftz;
  const Matrix& out = mlp_.forward(b.x);
  pred_.resize(out.shape(0));
  predicted_values(out, pred_);
  train_error_ = mse(pred_, b.y);
  const double loss = objective(out, pred_, b, &mlp_.doutput());
  mlp_.backward(b.x);
  return loss;
}

void FlatModel::predict(const Matrix& x, std::vector<float>& pred) const {
  FlushDenormals ftz;
  Matrix out;
  mlp_.predict(x, out);
  pred.resize(out.shape(0));
  predicted_values(out, pred);
}

std::unique_ptr<FlatModel> make_flat_model(const FlatSettings& s, const StepTarget& t,
                                           Engine& init) {
  const auto d = static_cast<std::size_t>(s.d), h = static_cast<std::size_t>(s.hidden);
  const bool unit = s.approach == FlatApproach::kApprox ||
                    s.approach == FlatApproach::kForwardOnly || s.approach == FlatApproach::kPlain;
  if (unit) {
    Mlp mlp({d, 1}, init);
    if (!std::isnan(s.b_init_offset))
      mlp.layers()[0].b(0) = static_cast<float>(t.b_star + s.b_init_offset);
    if (s.approach == FlatApproach::kApprox)
      return std::make_unique<SigmoidApproximation>(t, std::move(mlp), s.c);
    return std::make_unique<StepUnit>(t, std::move(mlp), s.approach == FlatApproach::kForwardOnly);
  }
  if (s.approach == FlatApproach::kEndToEnd)
    return std::make_unique<EndToEndNetwork>(t, Mlp({d, h, h, h, 1}, init));
  return std::make_unique<MulticlassNetwork>(t, Mlp({d, h, h, multiclass_outputs(s)}, init));
}

void flat_u_tilde(const FlatModel& model, const Matrix& x, std::vector<float>& out) {
  const auto* approx = dynamic_cast<const SigmoidApproximation*>(&model);
  if (approx == nullptr) throw std::logic_error("predict_u_tilde: only for the approx model");
  FlushDenormals ftz;
  Matrix p;
  model.mlp().predict(x, p);
  out.resize(p.shape(0));
  for (std::size_t i = 0; i < out.size(); ++i)
    out[i] = static_cast<float>(step_u_tilde(approx->target().z, approx->c(), p(i, 0)));
}

namespace {

StepTarget make_target(const FlatSettings& s, std::uint64_t seed) {
  Engine rng = derive_engine(seed, kTargetStream);
  if (!s.threshold_offsets.empty())
    return draw_step_target(static_cast<std::size_t>(s.d), s.threshold_offsets, rng);
  return draw_step_target(static_cast<std::size_t>(s.d), s.thresholds, rng);
}

std::unique_ptr<FlatModel> initial_model(const FlatSettings& s, const StepTarget& t,
                                         std::uint64_t seed) {
  Engine rng = derive_engine(seed, kInitStream);
  return make_flat_model(s, t, rng);
}

}  // namespace

FlatTrainer::FlatTrainer(const FlatSettings& s, std::uint64_t seed)
    : s_(s),
      target_(std::make_unique<StepTarget>(make_target(s, seed))),
      data_rng_(derive_engine(seed, kTrainStream)),
      model_(initial_model(s, *target_, seed)),
      adam_(s.lr, s.beta1, s.beta2, s.eps),
      refs_(param_refs(model_->parameters())) {
  if (s.batch < 1 || s.test_samples < 1)
    throw std::invalid_argument("FlatTrainer: batch and test_samples must be >= 1");
  Engine test_rng = derive_engine(seed, kTestStream);
  sample_step_batch(*target_, static_cast<std::size_t>(s.test_samples), test_rng, x_test_,
                    r_test_, y_test_);
}

TrainingRun<StepBatch> FlatTrainer::run() {
  TrainingRun<StepBatch> r;
  r.model = model_.get();
  r.gradient = &backprop_;
  r.optimizer = &adam_;
  r.draw = [this](StepBatch& b) { draw(b); };
  r.engines = {&data_rng_};
  return r;
}

void FlatTrainer::draw(StepBatch& b) {
  sample_step_batch(*target_, static_cast<std::size_t>(s_.batch), data_rng_, b.x, b.r, b.y);
}

// The loop's step (train_step) without building a TrainingRun per step.
double FlatTrainer::step() {
  draw(batch_);
  return step_on_batch();
}

double FlatTrainer::step_on_batch() {
  const double loss = backprop_.gradient(*model_, batch_);
  adam_.step(refs_);
  return loss;
}

double FlatTrainer::step_on(const Matrix& x, const std::vector<double>& r, const Matrix& y) {
  if (x.shape(0) != r.size() || y.shape(0) != r.size() || y.shape(1) != 1 ||
      x.shape(1) != target_->v_star.size())
    throw std::invalid_argument("FlatTrainer::step_on: x [B, d], r [B], y [B, 1] expected");
  batch_.x = x;
  batch_.r = r;
  batch_.y = y;
  return step_on_batch();
}

double FlatTrainer::test_error() {
  std::vector<float> pred;
  predict(x_test_, pred);
  return mse(pred, y_test_);
}

Table train_flat(FlatTrainer& trainer, RunStatus& status, double& train_seconds,
                 const std::function<void(std::int64_t)>& on_eval,
                 const RunCheckpoint& checkpoint) {
  const FlatSettings& s = trainer.settings();
  Table table({"step", "train_error", "test_error", "train_loss"});
  TrainingRun<StepBatch> run = trainer.run();
  run.evaluate = [&](const StepLoss& l) {
    if (l.step == 0) {
      table.add_row({0.0, NAN, trainer.test_error(), NAN});
    } else {
      table.add_row({static_cast<double>(l.step), trainer.train_error(), trainer.test_error(),
                     l.loss});
    }
    return true;
  };
  run.tables = {&table};
  const LoopResult result = train(run, periodic_loop(s.steps, s.eval_every, on_eval, checkpoint));
  status = result.status;
  train_seconds = result.step_seconds;
  return table;
}

namespace {

Table fit_rows(FlatTrainer& trainer, const Matrix& x, const std::vector<double>& r,
               const Matrix& y) {
  const bool approx = trainer.settings().approach == FlatApproach::kApprox;
  std::vector<float> pred, smooth;
  trainer.predict(x, pred);
  if (approx) trainer.predict_u_tilde(x, smooth);
  std::vector<std::size_t> order(r.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(),
                   [&](std::size_t a, std::size_t b) { return r[a] < r[b]; });
  Table table(approx ? std::vector<std::string>{"r", "y", "prediction", "u_tilde"}
                     : std::vector<std::string>{"r", "y", "prediction"});
  for (const std::size_t i : order) {
    if (approx)
      table.add_row({r[i], y(i, 0), pred[i], smooth[i]});
    else
      table.add_row({r[i], y(i, 0), pred[i]});
  }
  return table;
}

}  // namespace

Table flat_fit_table(FlatTrainer& trainer, std::size_t max_points) {
  const std::size_t n = std::min(max_points, trainer.r_test().size());
  const std::size_t d = trainer.x_test().shape(1);
  Matrix x = Matrix::from_shape({n, d}), y = Matrix::from_shape({n, 1});
  std::copy_n(trainer.x_test().data(), n * d, x.data());
  std::copy_n(trainer.y_test().data(), n, y.data());
  const std::vector<double> r(trainer.r_test().begin(), trainer.r_test().begin() + n);
  return fit_rows(trainer, x, r, y);
}

Table flat_zoom_table(FlatTrainer& trainer, std::uint64_t seed, double offset, double half_width,
                      std::size_t n) {
  Engine rng = derive_engine(seed, kZoomStream);
  const StepTarget& t = trainer.target();
  const std::size_t d = t.v_star.size();
  const double centre = t.b_star + offset;
  Matrix x = Matrix::from_shape({n, d}), y = Matrix::from_shape({n, 1});
  std::vector<double> r;
  Matrix xb, yb;
  std::vector<double> rb;
  for (int round = 0; r.size() < n; ++round) {
    if (round > 100000) throw std::runtime_error("flat_zoom_table: window too narrow");
    sample_step_batch(t, 1024, rng, xb, rb, yb);
    for (std::size_t i = 0; i < rb.size() && r.size() < n; ++i) {
      if (std::fabs(rb[i] - centre) > half_width) continue;
      std::copy_n(xb.data() + i * d, d, x.data() + r.size() * d);
      y(r.size(), 0) = yb(i, 0);
      r.push_back(rb[i]);
    }
  }
  return fit_rows(trainer, x, r, y);
}

double flat_fresh_error(FlatTrainer& trainer, std::uint64_t seed, std::size_t n) {
  Engine rng = derive_engine(seed, kFreshStream);
  Matrix x, y;
  std::vector<double> r;
  std::vector<float> pred;
  double sum = 0;
  for (std::size_t done = 0; done < n;) {
    const std::size_t chunk = std::min<std::size_t>(10000, n - done);
    sample_step_batch(trainer.target(), chunk, rng, x, r, y);
    trainer.predict(x, pred);
    sum += mse(pred, y) * static_cast<double>(chunk);
    done += chunk;
  }
  return sum / static_cast<double>(n);
}

FlatCost flat_cost(const FlatTrainer& trainer) {
  FlatCost c;
  const std::vector<Dense<float>>& layers = trainer.layers();
  for (std::size_t l = 0; l < layers.size(); ++l) {
    const double in_out =
        static_cast<double>(layers[l].W.shape(0)) * static_cast<double>(layers[l].W.shape(1));
    c.predict_macs += in_out;
    c.train_macs += (l == 0 ? 2.0 : 3.0) * in_out;
  }
  c.train_transcendentals = trainer.model().train_transcendentals();
  return c;
}

double flat_test_ns_per_sample(FlatTrainer& trainer, int repeats) {
  using Clock = std::chrono::steady_clock;
  std::vector<float> pred;
  double best = INFINITY;
  for (int k = 0; k < repeats; ++k) {
    const auto start = Clock::now();
    trainer.predict(trainer.x_test(), pred);
    best = std::min(best, std::chrono::duration<double>(Clock::now() - start).count());
  }
  return best * 1e9 / static_cast<double>(trainer.x_test().shape(0));
}

std::map<std::string, std::string> flat_run_settings(const FlatSettings& s) {
  return {{"approach", json_quote(to_string(s.approach))},
          {"d", absl::StrCat(s.d)},
          {"thresholds", json_quote(to_string(s.thresholds))},
          {"steps", absl::StrCat(s.steps)},
          {"batch", absl::StrCat(s.batch)},
          {"lr", absl::StrCat(s.lr)},
          {"beta1", absl::StrCat(s.beta1)},
          {"beta2", absl::StrCat(s.beta2)},
          {"eps", absl::StrCat(s.eps)},
          {"c", absl::StrCat(s.c)},
          {"eval_every", absl::StrCat(s.eval_every)},
          {"test_samples", absl::StrCat(s.test_samples)},
          {"optimizer", json_quote("adam (TensorFlow 1)")}};
}

}  // namespace fgbdl
