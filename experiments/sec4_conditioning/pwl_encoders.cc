#include "experiments/sec4_conditioning/pwl_encoders.h"

#include <cblas.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <set>
#include <stdexcept>
#include <utility>

#include "lib/analysis/conditioning.h"
#include "lib/train/mlp.h"

namespace fgbdl {

PwlEncoder parse_pwl_encoder(const std::string& name) {
  if (name == "fc") return PwlEncoder::kFullyConnected;
  if (name == "conv") return PwlEncoder::kConv;
  if (name == "conv_whitened") return PwlEncoder::kConvWhitened;
  if (name == "autoencoder") return PwlEncoder::kAutoEncoder;
  throw std::invalid_argument("encoder '" + name +
                              "' is not one of fc, conv, conv_whitened, autoencoder");
}

std::string to_string(PwlEncoder e) {
  switch (e) {
    case PwlEncoder::kFullyConnected:
      return "fc";
    case PwlEncoder::kConv:
      return "conv";
    case PwlEncoder::kConvWhitened:
      return "conv_whitened";
    case PwlEncoder::kAutoEncoder:
      return "autoencoder";
  }
  return "?";
}

PwlOptimizer parse_pwl_optimizer(const std::string& name) {
  if (name == "sgd") return PwlOptimizer::kSgd;
  if (name == "adam") return PwlOptimizer::kAdam;
  throw std::invalid_argument("optimizer '" + name + "' is not one of sgd, adam");
}

std::string to_string(PwlOptimizer o) { return o == PwlOptimizer::kSgd ? "sgd" : "adam"; }

std::int64_t pwl_script_steps(PwlEncoder e) {
  switch (e) {
    case PwlEncoder::kConvWhitened:
      return 500;
    case PwlEncoder::kAutoEncoder:
      return 10000;
    default:
      return 50000;
  }
}

std::int64_t pwl_script_batch(PwlEncoder e) { return e == PwlEncoder::kConvWhitened ? 10 : 100; }

double pwl_script_adam_lr(PwlEncoder e) {
  switch (e) {
    case PwlEncoder::kFullyConnected:
      return 1e-4;
    case PwlEncoder::kConv:
      return 0.05;
    case PwlEncoder::kConvWhitened:
      return 0.99;
    case PwlEncoder::kAutoEncoder:
      return 1e-3;
  }
  return 0;
}

CurveDistribution pwl_curve_distribution(PwlEncoder e, bool script_data) {
  if (!script_data) return CurveDistribution::kPaper;
  return e == PwlEncoder::kAutoEncoder ? CurveDistribution::kScriptContinuous
                                       : CurveDistribution::kScript;
}

MatrixD curve_from_encoding(const MatrixD& p) {
  const std::size_t m = p.shape(0), n = p.shape(1);
  MatrixD out = MatrixD::from_shape({m, n});
  for (std::size_t r = 0; r < m; ++r) {
    const double* pr = p.data() + r * n;
    double* o = out.data() + r * n;
    double s = 0, x = 0;  // s = sum_{j <= i} p_j; x = sum_{l <= i} s_l
    for (std::size_t i = 0; i < n; ++i) {
      s += pr[i];
      x += s;
      o[i] = x;
    }
  }
  return out;
}

double reconstruction_error(const MatrixD& decoded, const Matrix& f) {
  if (decoded.shape() != f.shape())
    throw std::invalid_argument("reconstruction_error: decoded and f differ in shape");
  const std::size_t m = f.shape(0), n = f.shape(1);
  double total = 0;
  for (std::size_t i = 0; i < m * n; ++i) {
    const double e = decoded.data()[i] - static_cast<double>(f.data()[i]);
    total += e * e;
  }
  return total / static_cast<double>(m * n);
}

KinkErrors kink_errors(const MatrixD& decoded, const Matrix& f) {
  if (decoded.shape() != f.shape())
    throw std::invalid_argument("kink_errors: decoded and f differ in shape");
  const std::size_t m = f.shape(0), n = f.shape(1);
  double near = 0, away = 0;
  std::size_t near_count = 0, away_count = 0;
  std::vector<std::size_t> distance(n);
  for (std::size_t r = 0; r < m; ++r) {
    const float* x = f.data() + r * n;
    std::fill(distance.begin(), distance.end(), n);
    for (std::size_t t = 1; t + 1 < n; ++t) {
      const double d2 = static_cast<double>(x[t - 1]) - 2.0 * x[t] + static_cast<double>(x[t + 1]);
      if (std::fabs(d2) <= 1e-3) continue;
      for (std::size_t i = 0; i < n; ++i)
        distance[i] = std::min(distance[i], i > t ? i - t : t - i);
    }
    for (std::size_t i = 0; i < n; ++i) {
      const double e = decoded(r, i) - static_cast<double>(x[i]);
      if (distance[i] <= 1) {
        near += e * e;
        ++near_count;
      } else if (distance[i] >= 3) {
        away += e * e;
        ++away_count;
      }
    }
  }
  return {near_count > 0 ? near / static_cast<double>(near_count) : 0.0,
          away_count > 0 ? away / static_cast<double>(away_count) : 0.0};
}

namespace {

MatrixD to_double(const Matrix& a) {
  MatrixD out = MatrixD::from_shape({a.shape(0), a.shape(1)});
  std::copy(a.begin(), a.end(), out.begin());
  return out;
}

// For i < count, with e_i = a_i - b_i (float): out_i = scale e_i (out may be
// a itself); returns
// sum_i e_i^2 in double. The sum runs in four interleaved partial sums (i mod
// 4), added at the end: a single running sum is a chain of 10^4 dependent
// additions per step, the longest part of a small model's step. It is the
// batch loss, which only the divergence check uses (its last bits depend on
// the order; the gradient does not).
double residual_and_sum_of_squares(const float* a, const float* b, std::size_t count, float scale,
                                   float* out) {
  double sum[4] = {0, 0, 0, 0};
  std::size_t i = 0;
  for (; i + 4 <= count; i += 4) {
    for (std::size_t l = 0; l < 4; ++l) {
      const float e = a[i + l] - b[i + l];
      sum[l] += static_cast<double>(e) * e;
      out[i + l] = scale * e;
    }
  }
  for (; i < count; ++i) {
    const float e = a[i] - b[i];
    sum[0] += static_cast<double>(e) * e;
    out[i] = scale * e;
  }
  return (sum[0] + sum[1]) + (sum[2] + sum[3]);
}

double largest_eigenvalue(const MatrixD& symmetric) {
  const auto lambda = symmetric_eigenvalues(symmetric);
  return lambda(lambda.size() - 1);
}

// E4.1.1: p_hat = U f, U [n, n] from zero; loss mean_batch sum_j (p_hat - p)_j^2.
class FullyConnected : public PwlModel {
 public:
  explicit FullyConnected(int n)
      : n_(static_cast<std::size_t>(n)),
        U_(xt::zeros<float>({n_, n_})),
        dU_(xt::zeros<float>({n_, n_})) {}

  double loss_and_gradient(const PwlBatch& batch) override {
    const Matrix &f = batch.f, &p = batch.p;
    const std::size_t B = f.shape(0);
    if (r_.shape(0) != B) r_ = Matrix::from_shape({B, n_});
    predict(f, r_);
    const float scale = 2.0f / static_cast<float>(B);
    const double loss = residual_and_sum_of_squares(r_.data(), p.data(), B * n_, scale, r_.data());
    // dU = (2/B) R^T f.
    cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, static_cast<int>(n_),
                static_cast<int>(n_), static_cast<int>(B), 1.0f, r_.data(), static_cast<int>(n_),
                f.data(), static_cast<int>(n_), 0.0f, dU_.data(), static_cast<int>(n_));
    return loss / static_cast<double>(B);
  }

  MatrixD decode(const Matrix& f) const override {
    Matrix p_hat = Matrix::from_shape({f.shape(0), n_});
    predict(f, p_hat);
    return curve_from_encoding(to_double(p_hat));
  }

  std::vector<Parameter> parameters() override { return {{"U", U_.data(), dU_.data(), U_.size()}}; }

  // Each row u of U has the loss E (u . f - p_i)^2: Hessian 2 E[f f^T].
  double hessian_max_eigenvalue(const Matrix& pool_f) const override {
    return 2 * largest_eigenvalue(second_moment(to_double(pool_f)));
  }

 private:
  // p_hat = f U^T for the rows of f.
  void predict(const Matrix& f, Matrix& p_hat) const {
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, static_cast<int>(f.shape(0)),
                static_cast<int>(n_), static_cast<int>(n_), 1.0f, f.data(),
                static_cast<int>(n_), U_.data(), static_cast<int>(n_), 0.0f, p_hat.data(),
                static_cast<int>(n_));
  }

  std::size_t n_;
  Matrix U_, dU_;
  Matrix r_;  // [B, n] p_hat, then the residual's gradient
};

// E4.1.2 and E4.1.3: p_hat_t = q_t M w with q_t = [f_{t-2}, f_{t-1}, f_t]
// (f_{-1} = f_{-2} = 0); M = I (conv) or C^{-1/2} (conv_whitened); loss mean
// over batch and outputs of (p_hat - p)^2.
class Conv : public PwlModel {
 public:
  Conv(int n, const MatrixD& M)
      : n_(static_cast<std::size_t>(n)),
        M_(M),
        w_(xt::zeros<float>({3})),
        dw_(xt::zeros<float>({3})) {
    for (std::size_t a = 0; a < 3; ++a)
      for (std::size_t b = 0; b < 3; ++b) Mf_[a][b] = static_cast<float>(M(a, b));
  }

  double loss_and_gradient(const PwlBatch& batch) override {
    const Matrix &f = batch.f, &p = batch.p;
    const std::size_t B = f.shape(0);
    const std::array<float, 3> v = effective_filter();
    double loss = 0;
    float g0 = 0, g1 = 0, g2 = 0;  // d loss / d v, before the scale
    for (std::size_t b = 0; b < B; ++b) {
      const float* x = f.data() + b * n_;
      const float* y = p.data() + b * n_;
      float xm2 = 0, xm1 = 0;  // f_{t-2}, f_{t-1}
      for (std::size_t t = 0; t < n_; ++t) {
        const float r = v[0] * xm2 + v[1] * xm1 + v[2] * x[t] - y[t];
        loss += static_cast<double>(r) * r;
        g0 += r * xm2;
        g1 += r * xm1;
        g2 += r * x[t];
        xm2 = xm1;
        xm1 = x[t];
      }
    }
    const float scale = 2.0f / static_cast<float>(B * n_);
    const float gv[3] = {scale * g0, scale * g1, scale * g2};
    // dw = M^T dv.
    for (std::size_t a = 0; a < 3; ++a)
      dw_(a) = Mf_[0][a] * gv[0] + Mf_[1][a] * gv[1] + Mf_[2][a] * gv[2];
    return loss / static_cast<double>(B * n_);
  }

  MatrixD decode(const Matrix& f) const override {
    const std::size_t m = f.shape(0);
    const std::array<float, 3> v = effective_filter();
    MatrixD p_hat = MatrixD::from_shape({m, n_});
    for (std::size_t b = 0; b < m; ++b) {
      const float* x = f.data() + b * n_;
      float xm2 = 0, xm1 = 0;
      for (std::size_t t = 0; t < n_; ++t) {
        p_hat(b, t) = v[0] * xm2 + v[1] * xm1 + v[2] * x[t];
        xm2 = xm1;
        xm1 = x[t];
      }
    }
    return curve_from_encoding(p_hat);
  }

  std::vector<Parameter> parameters() override { return {{"w", w_.data(), dw_.data(), 3}}; }

  // Loss (1/n) E sum_t (q_t M w - p_t)^2: Hessian 2 M^T E[(1/n) sum_t q_t q_t^T] M.
  double hessian_max_eigenvalue(const Matrix& pool_f) const override {
    MatrixD Q = xt::zeros<double>({3, 3});
    const std::size_t m = pool_f.shape(0);
    for (std::size_t b = 0; b < m; ++b) {
      const float* x = pool_f.data() + b * n_;
      double q[3] = {0, 0, 0};
      for (std::size_t t = 0; t < n_; ++t) {
        q[0] = q[1];
        q[1] = q[2];
        q[2] = x[t];
        for (std::size_t a = 0; a < 3; ++a)
          for (std::size_t c = 0; c < 3; ++c) Q(a, c) += q[a] * q[c];
      }
    }
    Q /= static_cast<double>(m * n_);
    MatrixD H = xt::zeros<double>({3, 3});
    for (std::size_t a = 0; a < 3; ++a)
      for (std::size_t c = 0; c < 3; ++c)
        for (std::size_t i = 0; i < 3; ++i)
          for (std::size_t j = 0; j < 3; ++j) H(a, c) += 2 * M_(i, a) * Q(i, j) * M_(j, c);
    return largest_eigenvalue(H);
  }

 private:
  // v = M w, the filter applied to the raw patches.
  std::array<float, 3> effective_filter() const {
    std::array<float, 3> v{};
    for (std::size_t a = 0; a < 3; ++a)
      v[a] = Mf_[a][0] * w_(0) + Mf_[a][1] * w_(1) + Mf_[a][2] * w_(2);
    return v;
  }

  std::size_t n_;
  MatrixD M_;
  float Mf_[3][3];
  Vector w_, dw_;
};

// E4.1.4: the autoencoder M(N(f)); loss mean over batch and n of (M(N(f)) - f)^2.
// Layers n -> 500 -> 100 -> 2k -> 100 -> 100 -> n, a ReLU after every layer
// but the code layer (unless relu_code) and the last.
class AutoEncoder : public PwlModel {
 public:
  AutoEncoder(int n, int k, bool relu_code, Engine& init)
      : mlp_({static_cast<std::size_t>(n), 500, 100, static_cast<std::size_t>(2 * k), 100, 100,
              static_cast<std::size_t>(n)},
             {true, true, relu_code, true, true, false}, init) {}

  double loss_and_gradient(const PwlBatch& batch) override {
    const Matrix& f = batch.f;
    const Matrix& out = mlp_.forward(f);
    const std::size_t count = out.size();
    const double loss = residual_and_sum_of_squares(out.data(), f.data(), count,
                                                    2.0f / static_cast<float>(count),
                                                    mlp_.doutput().data());
    mlp_.backward(f);
    return loss / static_cast<double>(count);
  }

  MatrixD decode(const Matrix& f) const override {
    Matrix out;
    mlp_.predict(f, out);
    return to_double(out);
  }

  std::vector<Parameter> parameters() override { return mlp_.parameters(); }

  double hessian_max_eigenvalue(const Matrix&) const override { return 0; }

 private:
  Mlp mlp_;
};

// Rows of a double matrix as float32.
Matrix to_float(const MatrixD& a) {
  Matrix out = Matrix::from_shape({a.shape(0), a.shape(1)});
  std::copy(a.begin(), a.end(), out.begin());
  return out;
}

constexpr std::uint64_t kPoolStream = 0, kHeldOutStream = 1, kInitStream = 2, kBatchStream = 3;

}  // namespace

double PwlModel::loss(const PwlBatch& b) {
  std::vector<std::vector<float>> saved;
  const std::vector<Parameter> params = parameters();
  for (const Parameter& p : params) saved.emplace_back(p.dw, p.dw + p.n);
  const double value = loss_and_gradient(b);
  for (std::size_t i = 0; i < params.size(); ++i)
    std::copy(saved[i].begin(), saved[i].end(), params[i].dw);
  return value;
}

std::unique_ptr<PwlModel> make_pwl_model(const PwlSettings& s, const Matrix& pool_f,
                                         Engine& init) {
  switch (s.encoder) {
    case PwlEncoder::kFullyConnected:
      return std::make_unique<FullyConnected>(s.n);
    case PwlEncoder::kConv:
      return std::make_unique<Conv>(s.n, xt::eye<double>(3));
    case PwlEncoder::kConvWhitened:
      return std::make_unique<Conv>(s.n, inverse_sqrt(second_moment(patch_matrix(to_double(pool_f)))));
    case PwlEncoder::kAutoEncoder:
      return std::make_unique<AutoEncoder>(s.n, s.k, s.relu_code, init);
  }
  throw std::invalid_argument("make_pwl_model: unknown encoder");
}

PwlTrainer::PwlTrainer(const PwlSettings& s, std::uint64_t seed)
    : s_(s), batch_rng_(derive_engine(seed, kBatchStream)) {
  if (s.pool < 1 || s.held_out < 1 || s.batch < 1 || s.n < 3)
    throw std::invalid_argument("PwlTrainer: pool, held_out and batch must be >= 1, n >= 3");
  MatrixD f, p;
  Engine pool_rng = derive_engine(seed, kPoolStream);
  sample_curves(s.data, s.n, s.k, static_cast<std::size_t>(s.pool), pool_rng, &f, &p);
  pool_f_ = to_float(f);
  pool_p_ = to_float(p);
  Engine held_out_rng = derive_engine(seed, kHeldOutStream);
  sample_curves(s.data, s.n, s.k, static_cast<std::size_t>(s.held_out), held_out_rng, &f, nullptr);
  test_f_ = to_float(f);
  Engine init = derive_engine(seed, kInitStream);
  model_ = make_pwl_model(s, pool_f_, init);
  lambda_max_ = model_->hessian_max_eigenvalue(pool_f_);
  if (s.lr > 0) {
    lr_ = s.lr;
  } else if (s.optimizer == PwlOptimizer::kAdam) {
    lr_ = pwl_script_adam_lr(s.encoder);
  } else {
    lr_ = s.encoder == PwlEncoder::kAutoEncoder ? kAutoEncoderSgdLr : 1 / (2 * lambda_max_);
  }
  if (s.optimizer == PwlOptimizer::kAdam) {
    optimizer_ = std::make_unique<AdamOptimizer>(lr_, s.beta1, s.beta2, s.eps);
  } else {
    optimizer_ = std::make_unique<SgdOptimizer>(lr_);
  }
  run_.model = model_.get();
  run_.gradient = &backprop_;
  run_.optimizer = optimizer_.get();
  run_.draw = [this](PwlBatch& b) { draw(b); };
  run_.engines = {&batch_rng_};
  refs_ = param_refs(model_->parameters());
}

void PwlTrainer::draw(PwlBatch& batch) {
  const auto n = static_cast<std::size_t>(s_.n);
  const auto B = static_cast<std::size_t>(s_.batch);
  if (batch.f.shape(0) != B || batch.f.shape(1) != n) {
    batch.f = Matrix::from_shape({B, n});
    batch.p = Matrix::from_shape({B, n});
  }
  // The batch's pool indices first (the same draws in the same order), then
  // the rows: the pool (8 MB at the scripts' settings) is beyond L2, and
  // copying without draws in between lets the row loads overlap. The
  // autoencoder ignores the encodings p, so their rows are not copied.
  batch_index_.resize(B);
  for (std::size_t b = 0; b < B; ++b)
    batch_index_[b] = static_cast<std::size_t>(
        uniform_index(batch_rng_, static_cast<std::uint64_t>(s_.pool)));
  const bool copy_p = s_.encoder != PwlEncoder::kAutoEncoder;
  for (std::size_t b = 0; b < B; ++b) {
    std::copy_n(pool_f_.data() + batch_index_[b] * n, n, batch.f.data() + b * n);
    if (copy_p) std::copy_n(pool_p_.data() + batch_index_[b] * n, n, batch.p.data() + b * n);
  }
}

double PwlTrainer::step() { return train_step(run_, batch_, refs_); }

double PwlTrainer::train_error() const {
  return reconstruction_error(model_->decode(pool_f_), pool_f_);
}

double PwlTrainer::test_error() const {
  return reconstruction_error(model_->decode(test_f_), test_f_);
}

KinkErrors PwlTrainer::test_kink_errors() const {
  return kink_errors(model_->decode(test_f_), test_f_);
}

std::vector<std::int64_t> pwl_eval_steps(std::int64_t steps,
                                         const std::vector<std::int64_t>& curve_steps) {
  std::set<std::int64_t> out = {0, steps};
  for (int j = 0;; ++j) {
    const auto t = static_cast<std::int64_t>(std::llround(std::pow(10.0, j / 10.0)));
    if (t > steps) break;
    out.insert(t);
  }
  for (const std::int64_t t : curve_steps)
    if (t >= 0 && t <= steps) out.insert(t);
  return {out.begin(), out.end()};
}

PwlRun train_pwl(const PwlSettings& s, std::uint64_t seed,
                 const std::function<void(std::int64_t)>& on_step,
                 const RunCheckpoint& checkpoint) {
  PwlTrainer trainer(s, seed);
  PwlRun run;
  run.lr = trainer.lr();
  run.hessian_max_eigenvalue = trainer.hessian_max_eigenvalue();
  std::set<std::int64_t> curve_steps = {s.steps};
  for (const std::int64_t t : s.curve_steps)
    if (t > 0 && t <= s.steps) curve_steps.insert(t);
  const std::vector<std::int64_t> evals = pwl_eval_steps(s.steps, s.curve_steps);
  const auto n = static_cast<std::size_t>(s.n);
  const double x0 = s.data == CurveDistribution::kScriptContinuous ? 0.0 : 1.0;
  const auto recorded = std::min<std::size_t>(static_cast<std::size_t>(s.curves_recorded),
                                              trainer.held_out_f().shape(0));

  auto add_row = [&](std::int64_t t) {
    const MatrixD decoded = trainer.model().decode(trainer.held_out_f());
    const double train = trainer.train_error();
    const double test = reconstruction_error(decoded, trainer.held_out_f());
    const KinkErrors kinks = kink_errors(decoded, trainer.held_out_f());
    run.metrics.add_row({static_cast<double>(t), train, test, kinks.near, kinks.away});
    return std::pair<MatrixD, bool>(decoded, std::isfinite(train) && std::isfinite(test));
  };
  auto record_curves = [&](std::int64_t t, const MatrixD& decoded) {
    for (std::size_t c = 0; c < recorded; ++c) {
      for (std::size_t i = 0; i < n; ++i) {
        run.curves.add_row({static_cast<double>(t), static_cast<double>(c),
                            x0 + static_cast<double>(i),
                            static_cast<double>(trainer.held_out_f()(c, i)), decoded(c, i)});
      }
    }
  };
  auto evaluate = [&](std::int64_t t) {
    const auto [decoded, finite] = add_row(t);
    if (curve_steps.count(t) > 0 || !finite) record_curves(t, decoded);
    return finite;
  };

  TrainingRun<PwlBatch>& training = trainer.run();
  // A diverged step still records its curves, at this step.
  training.evaluate = [&](const StepLoss& l) {
    if (l.diverged) {
      record_curves(l.step, add_row(l.step).first);
      return false;
    }
    return evaluate(l.step);
  };
  training.tables = {&run.metrics, &run.curves};
  LoopSettings loop = periodic_loop(s.steps, 0, on_step, checkpoint);
  loop.schedule.at = evals;
  run.status = train(training, loop).status;
  return run;
}

}  // namespace fgbdl
