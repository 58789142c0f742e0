// The four learners of the paper's Section 4.1 experiments (Figure 6;
// paper/sec4_conditioning.md E4.1.1-E4.1.4), which learn the encoding of a piecewise-linear
// curve f in R^n (lib/data/curves.h: f = W p, p = U f with U = W^{-1} the
// convolution with [1, -2, 1], Lemma 1), and their training in float32.
//
//   fc             E4.1.1: p_hat = U f with U [n, n] learned from U = 0;
//                  loss mean_batch sum_j (p_hat - p)_j^2 (PWL_fail1.py
//                  `FtoKTrainer`).
//   conv           E4.1.2: p_hat_t = w_0 f_{t-2} + w_1 f_{t-1} + w_2 f_t, a
//                  3-tap filter w from w = 0; loss mean over batch and the n
//                  outputs of (p_hat - p)^2 (`FtoKConvTrainer`). f_{-1} =
//                  f_{-2} = 0 (the input padded at the front), so w = (1, -2,
//                  1) gives U f exactly, as Lemma 1; the script pads the
//                  output (p_hat_0 = p_hat_1 = 0) instead, which is the same
//                  whenever f_0 = f_1 = 0, as for every curve of the script's
//                  distribution (kinks at theta >= 3).
//   conv_whitened  E4.1.3: the same filter applied to the patches
//                  q_t = [f_{t-2}, f_{t-1}, f_t] whitened by M = C^{-1/2},
//                  p_hat_t = (q_t M) w, with C the second moment of the
//                  patches of the training pool (lib/analysis/conditioning.h,
//                  the script's C = F^T F / m over the n - 2 interior
//                  patches); computed as q_t (M w), the same map.
//   autoencoder    E4.1.4: encoder N: n -> 500 -> 100 -> 2k, decoder M:
//                  2k -> 100 -> 100 -> n, ReLU after every layer but the last
//                  of M; the code layer (the 2k units) is linear as the paper
//                  describes, or ReLU as the script (`FAutoEncoderTrainer`);
//                  loss mean over batch and n of (M(N(f)) - f)^2. Dense
//                  layers initialized as the script (lib/nn/dense.h).
//
// Training: a fixed pool of training curves (10 000, as the scripts) and a
// held-out set (1 000, the scripts' validation set); each step draws a batch
// of pool indices uniformly with replacement (the scripts'
// np.random.randint). Optimizer: Adam with TensorFlow's defaults (beta1 0.9,
// beta2 0.999, eps 1e-8) as the scripts, or plain SGD as the paper's
// analysis (lib/nn/optim.h).
//
// Reconstruction error (the figures' quantity): for the three linear
// encoders the decoded curve is W p_hat (computed in float64 as a double
// cumulative sum, W being the second summation), for the autoencoder it is
// M(N(f)); the error of a set of curves is the mean over curves of
// ||decoded - f||^2 / n.
//
// Randomness: one seed gives independent engines for the training pool, the
// held-out set, the initial weights and the batch indices
// (derive_engine(seed, stream)), whatever the encoder: runs of the four
// encoders with one seed and one data distribution see the same curves and
// the same batch indices (when their batch sizes agree).
#ifndef EXPERIMENTS_SEC4_CONDITIONING_PWL_ENCODERS_H_
#define EXPERIMENTS_SEC4_CONDITIONING_PWL_ENCODERS_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "lib/core/rng.h"
#include "lib/core/tensor.h"
#include "lib/data/curves.h"
#include "lib/io/results.h"
#include "lib/train/loop.h"

namespace fgbdl {

enum class PwlEncoder { kFullyConnected, kConv, kConvWhitened, kAutoEncoder };
enum class PwlOptimizer { kSgd, kAdam };

// "fc", "conv", "conv_whitened", "autoencoder" / "sgd", "adam"; parse throws
// std::invalid_argument on any other name.
PwlEncoder parse_pwl_encoder(const std::string& name);
std::string to_string(PwlEncoder e);
PwlOptimizer parse_pwl_optimizer(const std::string& name);
std::string to_string(PwlOptimizer o);

struct PwlSettings {
  PwlEncoder encoder = PwlEncoder::kFullyConnected;
  PwlOptimizer optimizer = PwlOptimizer::kAdam;
  CurveDistribution data = CurveDistribution::kScript;
  bool relu_code = false;  // autoencoder: ReLU on the 2k code units (script)
  int n = 100;
  int k = 3;
  std::int64_t pool = 10000;     // training curves
  std::int64_t held_out = 1000;  // held-out curves
  std::int64_t batch = 100;
  std::int64_t steps = 50000;
  double lr = 0;  // 0: pwl_default_lr
  double beta1 = 0.9, beta2 = 0.999, eps = 1e-8;
  // Steps at which the first `curves_recorded` held-out curves and their
  // decoding are recorded (those <= steps; the last step always is).
  std::vector<std::int64_t> curve_steps = {500, 10000, 50000};
  std::int64_t curves_recorded = 2;
};

// The scripts' settings (PWL_fail1.py and paper/sec4_conditioning.md): steps 50 000 (fc,
// conv), 500 (conv_whitened), 10 000 (autoencoder); batch 100, 10 for
// conv_whitened; Adam learning rates 1e-4, 0.05, 0.99, 1e-3.
std::int64_t pwl_script_steps(PwlEncoder e);
std::int64_t pwl_script_batch(PwlEncoder e);
double pwl_script_adam_lr(PwlEncoder e);
// The curves an encoder is trained on: "paper" -> kPaper for all; "script"
// -> kScript, and kScriptContinuous for the autoencoder (the script's
// continuous kinks, paper/sec4_conditioning.md, row "Section 4 data").
CurveDistribution pwl_curve_distribution(PwlEncoder e, bool script_data);

// SGD learning rate of the autoencoder when none is given: 1e-4, a tenth of
// the smallest power of ten that diverged. Measured with this code at n = 100,
// 1000 steps, seeds 1..3, both distributions: 1e-3 diverged in 5 of 6 runs
// (NaN within 10 .. 366 steps); 1e-4 and 3e-4 did not (test error 5.3 .. 9.0
// and 4.0 .. 9.1); 3e-5 learns slower (19.5 .. 22.8).
inline constexpr double kAutoEncoderSgdLr = 1e-4;

// A batch: the rows of f and of their encodings p, both [B, n] (the
// autoencoder ignores p).
struct PwlBatch {
  Matrix f, p;
};

// One of the four learners as a lib/train model.
class PwlModel : public Model<PwlBatch> {
 public:
  // The objective alone: computed with its gradient, and the gradient
  // buffers put back as they were.
  double loss(const PwlBatch& b) override;
  // The decoded curves of the rows of f [m, n], in float64 [m, n].
  virtual MatrixD decode(const Matrix& f) const = 0;
  // The largest eigenvalue of the Hessian of the expected loss over the
  // rows of `pool_f` (float64) for the three linear encoders (their loss is
  // quadratic); 0 for the autoencoder.
  virtual double hessian_max_eigenvalue(const Matrix& pool_f) const = 0;
};

// The learner of s.encoder (s.n, s.k, s.relu_code); `pool_f` [m, n] is the
// training pool (conv_whitened estimates C on it); `init` draws the
// autoencoder's initial weights (the linear encoders start at zero).
std::unique_ptr<PwlModel> make_pwl_model(const PwlSettings& s, const Matrix& pool_f,
                                         Engine& init);

// W p for the rows of p [m, n]: x_i = sum_{j <= i} (i - j + 1) p_j, as two
// cumulative sums, in float64.
MatrixD curve_from_encoding(const MatrixD& p);

// mean over rows of ||decoded - f||^2 / n (f promoted to float64).
double reconstruction_error(const MatrixD& decoded, const Matrix& f);

// Where the reconstruction error sits. A kink point of a curve is a t in
// 1..n-2 whose second difference |f_{t-1} - 2 f_t + f_{t+1}| exceeds 1e-3
// (the curve bends between t-1 and t+1); `near` is the mean of
// (decoded - f)^2 over the samples within distance 1 of a kink point, `away`
// over the samples at distance >= 3 from every kink point (0 when a set is
// empty).
struct KinkErrors {
  double near = 0, away = 0;
};
KinkErrors kink_errors(const MatrixD& decoded, const Matrix& f);

// Data, model and optimizer of one run.
class PwlTrainer {
 public:
  PwlTrainer(const PwlSettings& s, std::uint64_t seed);

  // One optimizer step on a fresh batch; returns the batch loss.
  double step();
  // Reconstruction error of the current model on the training pool and on
  // the held-out curves.
  double train_error() const;
  double test_error() const;
  KinkErrors test_kink_errors() const;

  // The learning rate in use: s.lr if positive, else for Adam
  // pwl_script_adam_lr, for SGD 1 / (2 lambda_max) with lambda_max the
  // largest Hessian eigenvalue of the pool's loss (a quarter of gradient
  // descent's stability limit 2 / lambda_max) for the linear encoders, and
  // kAutoEncoderSgdLr for the autoencoder.
  double lr() const { return lr_; }
  double hessian_max_eigenvalue() const { return lambda_max_; }
  const Matrix& pool_f() const { return pool_f_; }
  const Matrix& held_out_f() const { return test_f_; }
  const PwlModel& model() const { return *model_; }
  // The training run as lib/train's loop drives it (evaluate and tables unset).
  TrainingRun<PwlBatch>& run() { return run_; }

 private:
  void draw(PwlBatch& b);  // the next batch of pool rows

  PwlSettings s_;
  Matrix pool_f_, pool_p_, test_f_;
  std::unique_ptr<PwlModel> model_;
  Engine batch_rng_;
  double lambda_max_ = 0, lr_ = 0;
  std::unique_ptr<Optimizer> optimizer_;
  Backprop<PwlBatch> backprop_;
  TrainingRun<PwlBatch> run_;
  std::vector<ParamRef<float>> refs_;
  PwlBatch batch_;
  std::vector<std::size_t> batch_index_;  // the pool rows of the current batch
};

struct PwlRun {
  // step, train_error, test_error at step 0 and on a log-spaced grid (about
  // 10 steps per decade), the curve steps and the last step; and the
  // held-out error near and away from the kinks (kink_errors).
  Table metrics{{"step", "train_error", "test_error", "test_error_near_kinks",
                 "test_error_away_from_kinks"}};
  // step, curve, x, f, decoded: the first s.curves_recorded held-out curves
  // (curve = 0, 1, ...) at each curve step; x is the abscissa of the sample
  // (1..n for the paper's and the script's grid, 0..n-1 for the script's
  // continuous curves, lib/data/curves.h).
  Table curves{{"step", "curve", "x", "f", "decoded"}};
  RunStatus status;
  double lr = 0;
  double hessian_max_eigenvalue = 0;
};

// Trains for s.steps. A non-finite batch loss or error stops the run with
// status.diverged (the row of that step holds the errors). `on_step(done)`
// is called after every evaluation (progress reporting).
PwlRun train_pwl(const PwlSettings& s, std::uint64_t seed,
                 const std::function<void(std::int64_t)>& on_step = {},
                 const RunCheckpoint& checkpoint = {});

// The evaluation steps of a run of `steps` steps: 0, round(10^(j/10)) for
// j = 0, 1, ..., the curve steps <= steps and `steps`, ascending, distinct.
std::vector<std::int64_t> pwl_eval_steps(std::int64_t steps,
                                         const std::vector<std::int64_t>& curve_steps);

}  // namespace fgbdl

#endif  // EXPERIMENTS_SEC4_CONDITIONING_PWL_ENCODERS_H_
