#include "experiments/sec5_flat/flat_training.h"

#include <pmmintrin.h>
#include <xmmintrin.h>

#include <algorithm>
#include <chrono>
#include <numeric>
#include <stdexcept>

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

StepTarget make_target(const FlatSettings& s, std::uint64_t seed) {
  Engine rng = derive_engine(seed, kTargetStream);
  return draw_step_target(static_cast<std::size_t>(s.d), s.thresholds, rng);
}

std::vector<Dense<float>> make_layers(const FlatSettings& s, const StepTarget& t,
                                      std::uint64_t seed) {
  Engine rng = derive_engine(seed, kInitStream);
  const auto d = static_cast<std::size_t>(s.d), h = static_cast<std::size_t>(s.hidden);
  std::vector<Dense<float>> layers;
  switch (s.approach) {
    case FlatApproach::kApprox:
    case FlatApproach::kForwardOnly:
    case FlatApproach::kPlain:
      layers.push_back(dense_init<float>(d, 1, rng));
      if (!std::isnan(s.b_init_offset))
        layers[0].b(0) = static_cast<float>(t.b_star + s.b_init_offset);
      break;
    case FlatApproach::kEndToEnd:
      layers.push_back(dense_init<float>(d, h, rng));
      layers.push_back(dense_init<float>(h, h, rng));
      layers.push_back(dense_init<float>(h, h, rng));
      layers.push_back(dense_init<float>(h, 1, rng));
      break;
    case FlatApproach::kMulticlass:
      layers.push_back(dense_init<float>(d, h, rng));
      layers.push_back(dense_init<float>(h, h, rng));
      layers.push_back(dense_init<float>(h, multiclass_outputs(s.thresholds), rng));
      break;
  }
  return layers;
}

// The index of the first largest of row[0..K), K >= 1: std::max_element's
// result (also with NaN: a NaN first entry wins, a later one never does),
// with the running maximum kept in a register instead of reloaded through
// the iterator at every entry.
std::size_t first_max_index(const float* row, std::size_t K) {
  std::size_t best = 0;
  float top = row[0];
  for (std::size_t k = 1; k < K; ++k) {
    if (top < row[k]) {
      top = row[k];
      best = k;
    }
  }
  return best;
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

double script_learning_rate(FlatApproach a) { return a == FlatApproach::kApprox ? 0.01 : 1e-3; }

FlatTrainer::FlatTrainer(const FlatSettings& s, std::uint64_t seed)
    : s_(s),
      target_(make_target(s, seed)),
      data_rng_(derive_engine(seed, kTrainStream)),
      layers_(make_layers(s, target_, seed)),
      adam_(s.lr, s.beta1, s.beta2, s.eps) {
  if (s.batch < 1 || s.test_samples < 1)
    throw std::invalid_argument("FlatTrainer: batch and test_samples must be >= 1");
  Engine test_rng = derive_engine(seed, kTestStream);
  sample_step_batch(target_, static_cast<std::size_t>(s.test_samples), test_rng, x_test_, r_test_,
                    y_test_);
  const std::size_t L = layers_.size();
  z_.resize(L);
  a_.resize(L);
  dz_.resize(L);
  da_.resize(L);
}

void FlatTrainer::forward(const Matrix& x) {
  const std::size_t L = layers_.size();
  for (std::size_t l = 0; l < L; ++l) {
    dense_forward(layers_[l], l == 0 ? x : a_[l - 1], z_[l]);
    if (l + 1 < L) relu_forward(z_[l], a_[l]);
  }
}

void FlatTrainer::predicted_values(std::vector<float>& pred) const {
  const Matrix& out = z_.back();
  const std::size_t B = out.shape(0);
  pred.resize(B);
  if (s_.approach == FlatApproach::kEndToEnd) {
    for (std::size_t i = 0; i < B; ++i) pred[i] = out(i, 0);
  } else if (s_.approach == FlatApproach::kMulticlass) {
    const std::size_t K = out.shape(1), n = target_.z.size();
    for (std::size_t i = 0; i < B; ++i) {
      const float* row = out.data() + i * K;
      pred[i] = static_cast<float>(target_.z[std::min(first_max_index(row, K), n - 1)]);
    }
  } else {
    for (std::size_t i = 0; i < B; ++i)
      pred[i] = static_cast<float>(step_u(target_.z, static_cast<double>(out(i, 0))));
  }
}

double FlatTrainer::step() {
  sample_step_batch(target_, static_cast<std::size_t>(s_.batch), data_rng_, x_, r_, y_);
  return step_on_batch();
}

double FlatTrainer::step_on(const Matrix& x, const std::vector<double>& r, const Matrix& y) {
  if (x.shape(0) != r.size() || y.shape(0) != r.size() || y.shape(1) != 1 ||
      x.shape(1) != target_.v_star.size())
    throw std::invalid_argument("FlatTrainer::step_on: x [B, d], r [B], y [B, 1] expected");
  x_ = x;
  r_ = r;
  y_ = y;
  return step_on_batch();
}

double FlatTrainer::step_on_batch() {
  FlushDenormals ftz;
  const std::size_t B = x_.shape(0);
  forward(x_);
  predicted_values(pred_);
  train_error_ = mse(pred_, y_);
  const std::size_t L = layers_.size();
  Matrix& dout = dz_[L - 1];
  const Matrix& out = z_[L - 1];
  double loss = 0;
  const float inv_b = 1.0f / static_cast<float>(B);
  // d loss / d out has out's shape ([B, 1], or [B, K] logits); kept from the
  // previous step when the batch size is the same.
  if (dout.shape() != out.shape()) dout = Matrix::from_shape(out.shape());
  switch (s_.approach) {
    case FlatApproach::kApprox: {
      for (std::size_t i = 0; i < B; ++i) {
        const double p = out(i, 0);
        const double e = step_u_tilde(target_.z, s_.c, p) - y_(i, 0);
        loss += e * e;
        dout(i, 0) = static_cast<float>(2 * e * step_u_tilde_derivative(target_.z, s_.c, p)) *
                     inv_b;
      }
      loss /= static_cast<double>(B);
      break;
    }
    case FlatApproach::kForwardOnly:
    case FlatApproach::kPlain: {
      // u'(p) is 0 wherever it exists; forward_only replaces it by 1.
      const float du = s_.approach == FlatApproach::kForwardOnly ? 1.0f : 0.0f;
      for (std::size_t i = 0; i < B; ++i) {
        const float e = pred_[i] - y_(i, 0);
        loss += static_cast<double>(e) * e;
        dout(i, 0) = 2 * e * inv_b * du;
      }
      loss /= static_cast<double>(B);
      break;
    }
    case FlatApproach::kEndToEnd:
      // squared_loss is (1/B) sum (out - y)^2 / 2; the script's loss has no 1/2.
      loss = 2.0 * static_cast<double>(squared_loss(out, y_, dout));
      dout *= 2.0f;
      break;
    case FlatApproach::kMulticlass: {
      // Cross-entropy of softmax(out) with the index of the step of r.
      Matrix& s = a_[L - 1];
      softmax_forward(out, s);
      const std::size_t K = out.shape(1);
      // dout = (s - onehot(label)) / B, row by row: s_k inv_b, and at the
      // label (s_label - 1) inv_b.
      for (std::size_t i = 0; i < B; ++i) {
        const std::size_t label = step_index(target_.z, r_[i]);
        const float* si = s.data() + i * K;
        float* di = dout.data() + i * K;
        loss -= std::log(std::max(static_cast<double>(si[label]), 1e-300));
        for (std::size_t k = 0; k < K; ++k) di[k] = si[k] * inv_b;
        di[label] = (si[label] - 1.0f) * inv_b;
      }
      loss /= static_cast<double>(B);
      break;
    }
  }
  for (std::size_t l = L; l-- > 0;) {
    dense_backward(layers_[l], l == 0 ? x_ : a_[l - 1], dz_[l]);
    if (l > 0) {
      dense_backward_input(layers_[l].W, dz_[l], da_[l - 1]);
      relu_backward(z_[l - 1], da_[l - 1], dz_[l - 1]);
    }
  }
  std::vector<ParamRef<float>> params;
  for (Dense<float>& layer : layers_) {
    params.push_back(param<float>(layer.W, layer.dW));
    params.push_back(param<float>(layer.b, layer.db));
  }
  adam_.step<float>(params);
  return loss;
}

void FlatTrainer::predict(const Matrix& x, std::vector<float>& pred) {
  FlushDenormals ftz;
  forward(x);
  predicted_values(pred);
}

void FlatTrainer::predict_u_tilde(const Matrix& x, std::vector<float>& out) {
  if (s_.approach != FlatApproach::kApprox)
    throw std::logic_error("predict_u_tilde: only for the approx model");
  FlushDenormals ftz;
  forward(x);
  const Matrix& p = z_.back();
  out.resize(p.shape(0));
  for (std::size_t i = 0; i < out.size(); ++i)
    out[i] = static_cast<float>(step_u_tilde(target_.z, s_.c, p(i, 0)));
}

double FlatTrainer::test_error() {
  std::vector<float> pred;
  predict(x_test_, pred);
  return mse(pred, y_test_);
}

std::vector<float> FlatTrainer::last_gradient() const {
  std::vector<float> g;
  for (const Dense<float>& layer : layers_) {
    g.insert(g.end(), layer.dW.begin(), layer.dW.end());
    g.insert(g.end(), layer.db.begin(), layer.db.end());
  }
  return g;
}

Table train_flat(FlatTrainer& trainer, RunStatus& status, double& train_seconds,
                 const std::function<void(std::int64_t)>& on_eval) {
  using Clock = std::chrono::steady_clock;
  const FlatSettings& s = trainer.settings();
  Table table({"step", "train_error", "test_error", "train_loss"});
  table.add_row({0.0, NAN, trainer.test_error(), NAN});
  train_seconds = 0;
  for (std::int64_t t = 1; t <= s.steps; ++t) {
    const auto start = Clock::now();
    const double loss = trainer.step();
    train_seconds += std::chrono::duration<double>(Clock::now() - start).count();
    const bool bad = !std::isfinite(loss);
    if (bad || t % s.eval_every == 0 || t == s.steps) {
      table.add_row({static_cast<double>(t), trainer.train_error(), trainer.test_error(), loss});
      if (bad) {
        status.diverged = true;
        status.diverged_step = t;
        return table;
      }
      if (on_eval) on_eval(t);
    }
  }
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
  switch (trainer.settings().approach) {
    case FlatApproach::kApprox:
      c.train_transcendentals = 2.0 * static_cast<double>(trainer.target().z.size() - 1);
      break;
    case FlatApproach::kMulticlass:
      c.train_transcendentals = static_cast<double>(layers.back().W.shape(1)) + 1.0;
      break;
    case FlatApproach::kEndToEnd:
    case FlatApproach::kForwardOnly:
    case FlatApproach::kPlain:
      break;
  }
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

}  // namespace fgbdl
