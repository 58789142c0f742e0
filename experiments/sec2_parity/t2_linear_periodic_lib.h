// Theorem 2 of the paper (Section 2, after Shamir 2016; T2 in paper/sec2_parity.md):
// for targets h_v(x) = cos(<v, x>) with ||v|| = r, x ~ N(0, I_d) and the
// square loss, the gradient carries exponentially little information about
// v: Var(H, F, w) <= O(exp(-Omega(d)) + exp(-Omega(r))). The paper has no
// experiment for it; this package adds two:
//   * the variance over v (uniform on the sphere of radius r) at a seeded
//     random initialization of the small two-layer ReLU network
//     p(x) = a · relu(W^T x + b) + c, estimated without finite-sample bias by
//     lib/analysis's linear_periodic_variance_mc, as r grows, for several d;
//   * plain SGD on y = cos(<v*, x>) with the same network (float32, lib/nn),
//     whose loss stays at the trivial loss, the loss of the best constant:
//       E[cos Z] = e^{-r^2/2}, E[cos^2 Z] = (1 + E[cos 2Z]) / 2 = (1 + e^{-2r^2}) / 2
//     for Z = <v*, x> ~ N(0, r^2), so with loss (p - y)^2 / 2 the best constant
//     p = e^{-r^2/2} has loss Var(cos Z) / 2 = (1/2)(1/2 + e^{-2r^2}/2 - e^{-r^2}).
#ifndef EXPERIMENTS_SEC2_PARITY_T2_LINEAR_PERIODIC_LIB_H_
#define EXPERIMENTS_SEC2_PARITY_T2_LINEAR_PERIODIC_LIB_H_

#include <cstddef>
#include <cstdint>
#include <functional>
#include <vector>

#include "lib/analysis/fit.h"
#include "lib/analysis/gradient_variance.h"
#include "lib/analysis/per_sample_gradients.h"
#include "lib/io/results.h"
#include "lib/train/loop.h"
#include "lib/train/mlp.h"
#include "lib/train/optimizer.h"

namespace fgbdl {

// (1/2)(1/2 + e^{-2r^2}/2 - e^{-r^2}): the loss of the best constant predictor.
double t2_trivial_loss(double r);

// The network at initialization for input dimension d (lib/nn's dense_init
// draws: truncated normal std 1/sqrt(fan_in), biases 0), from
// derive_engine(seed, d). The training run starts from the same weights.
TwoLayerNet t2_net(int d, std::size_t width, std::uint64_t seed);

struct T2VarianceSettings {
  std::size_t width = 16;              // hidden units
  std::size_t batches = 20;            // independent replicates (se from their spread)
  std::size_t directions = 50;         // directions v per replicate
  std::size_t samples_per_half = 4000; // inputs x in each of the two halves A, B
};

struct T2VariancePoint {
  double r = 0.0;
  MonteCarloVariance mc;
};

// The Monte Carlo variance at every radius in `rs`, for the network
// t2_net(d, width, seed). The draws for radius r come from an engine derived
// from (seed, d, r), so a point does not depend on the other radii listed.
std::vector<T2VariancePoint> t2_variance_curve(
    int d, const std::vector<double>& rs, const T2VarianceSettings& s, std::uint64_t seed,
    const std::function<void(std::size_t)>& on_point = {});

// Points whose estimate is resolved: variance > 3 se.
std::vector<T2VariancePoint> t2_resolved(const std::vector<T2VariancePoint>& curve);

// The decaying part of a curve: the resolved points at radii >= the radius
// of the largest estimated variance (the variance first grows with r, like
// r^4 for small r, peaks near r = 1.5 and then decays).
std::vector<T2VariancePoint> t2_decay_window(const std::vector<T2VariancePoint>& curve);

// Least-squares fit of log2(variance) against r over the given points (call
// it on t2_decay_window(...)), weighted by the inverse delta-method variance of
// log2(variance), 1 / (se / (variance ln 2))^2.
LineFit t2_fit_rate(const std::vector<T2VariancePoint>& points);

struct T2TrainSettings {
  int d = 10;
  double r = 5.0;                  // ||v*||
  std::size_t width = 16;
  std::int64_t steps = 20000;
  std::int64_t batch = 128;
  double lr = 0.01;
  std::int64_t eval_every = 500;
  std::int64_t eval_samples = 10000;  // a fixed held-out set, drawn once
};

// The training run of T2: SGD on y = cos(<v*, x>), v* uniform on the sphere
// of radius r (drawn from the seed), fresh N(0, I_d) batches every step,
// squared loss (p - y)^2 / 2, the float32 network MlpModel(Mlp({d, width,
// 1}), squared_loss) initialized as t2_net(d, width, seed), and a held-out
// set drawn once. t2_train drives it; the PyTorch twin's check (twin/) takes
// its model, batches and optimizer from it.
class T2Trainer {
 public:
  // Throws std::invalid_argument on invalid settings.
  T2Trainer(const T2TrainSettings& s, std::uint64_t seed);
  T2Trainer(const T2Trainer&) = delete;
  T2Trainer& operator=(const T2Trainer&) = delete;

  // model, gradient (back-propagation), optimizer (SGD at s.lr), draw and
  // engines set; evaluate and tables unset.
  TrainingRun<XYBatch>& run() { return run_; }
  MlpModel& net() { return net_; }
  const XYBatch& held_out() const { return held_out_; }

 private:
  // Fills b.x [n, d] with N(0, I) rows and b.y [n, 1] with cos(<v*, x>).
  void draw(Engine& rng, XYBatch& b, std::size_t n) const;

  T2TrainSettings s_;
  Engine init_rng_;
  MlpModel net_;
  VectorD v_;
  Engine data_rng_, eval_rng_;
  XYBatch held_out_;
  Backprop<XYBatch> backprop_;
  SgdOptimizer sgd_;
  TrainingRun<XYBatch> run_;
};

// Trains T2Trainer(s, seed) for s.steps. Evaluates at step 0
// and every eval_every steps on the held-out set. Returns a table with
// columns step, loss, trivial_loss (the closed form above). Stops at the first
// non-finite loss and sets status.diverged.
Table t2_train(const T2TrainSettings& s, std::uint64_t seed, RunStatus& status,
               const std::function<void(std::int64_t)>& on_step = {},
               const RunCheckpoint& checkpoint = {});

}  // namespace fgbdl

#endif  // EXPERIMENTS_SEC2_PARITY_T2_LINEAR_PERIODIC_LIB_H_
