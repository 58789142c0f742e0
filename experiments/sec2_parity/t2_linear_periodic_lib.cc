#include "experiments/sec2_parity/t2_linear_periodic_lib.h"

#include <cmath>
#include <cstring>
#include <stdexcept>

#include "lib/core/rng.h"
#include "lib/core/tensor.h"
#include "lib/nn/dense.h"
#include "lib/nn/loss.h"
#include "lib/train/loop.h"
#include "lib/train/mlp.h"

namespace fgbdl {
namespace {

// Streams of derive_engine(seed, .) used here (distinct from each other).
constexpr std::uint64_t kStreamTarget = 0x7432000000000001ULL;  // v* of the training run
constexpr std::uint64_t kStreamData = 0x7432000000000002ULL;    // training batches
constexpr std::uint64_t kStreamEval = 0x7432000000000003ULL;    // held-out set

std::uint64_t radius_stream(int d, double r) {
  std::uint64_t bits;
  std::memcpy(&bits, &r, sizeof bits);
  return splitmix64(splitmix64(static_cast<std::uint64_t>(d)) ^ bits);
}

const T2TrainSettings& validated(const T2TrainSettings& s) {
  if (s.d < 1 || s.width < 1 || s.steps < 0 || s.batch < 1 || s.eval_every < 1 ||
      s.eval_samples < 1 || !(s.r >= 0.0)) {
    throw std::invalid_argument("t2_train: invalid settings");
  }
  return s;
}

// v* of the training run: uniform on the sphere of radius r.
VectorD target_direction(const T2TrainSettings& s, std::uint64_t seed) {
  const auto d = static_cast<std::uint64_t>(s.d);
  Engine rng = derive_engine(seed, kStreamTarget ^ d);
  return uniform_on_sphere(static_cast<std::size_t>(d), s.r, rng);
}

}  // namespace

double t2_trivial_loss(double r) {
  return 0.5 * (0.5 + 0.5 * std::exp(-2.0 * r * r) - std::exp(-r * r));
}

TwoLayerNet t2_net(int d, std::size_t width, std::uint64_t seed) {
  if (d < 1 || width < 1) throw std::invalid_argument("t2_net: need d >= 1 and width >= 1");
  Engine rng = derive_engine(seed, static_cast<std::uint64_t>(d));
  const Dense<double> hidden = dense_init<double>(static_cast<std::size_t>(d), width, rng);
  const Dense<double> out = dense_init<double>(width, 1, rng);
  return two_layer_net_from(hidden, out);
}

std::vector<T2VariancePoint> t2_variance_curve(int d, const std::vector<double>& rs,
                                               const T2VarianceSettings& s, std::uint64_t seed,
                                               const std::function<void(std::size_t)>& on_point) {
  const TwoLayerNet net = t2_net(d, s.width, seed);
  const GradientFn grad = [&net](const MatrixD& X) { return per_sample_gradients(net, X); };
  std::vector<T2VariancePoint> curve;
  for (std::size_t i = 0; i < rs.size(); ++i) {
    Engine rng = derive_engine(seed, radius_stream(d, rs[i]));
    T2VariancePoint pt;
    pt.r = rs[i];
    pt.mc = linear_periodic_variance_mc(static_cast<std::size_t>(d), rs[i], grad, s.batches,
                                        s.directions, s.samples_per_half, rng);
    curve.push_back(pt);
    if (on_point) on_point(i + 1);
  }
  return curve;
}

std::vector<T2VariancePoint> t2_resolved(const std::vector<T2VariancePoint>& curve) {
  std::vector<T2VariancePoint> out;
  for (const auto& pt : curve) {
    if (pt.mc.variance > 3.0 * pt.mc.se) out.push_back(pt);
  }
  return out;
}

std::vector<T2VariancePoint> t2_decay_window(const std::vector<T2VariancePoint>& curve) {
  double peak_r = 0.0, peak = -INFINITY;
  for (const auto& pt : curve) {
    if (pt.mc.variance > peak) {
      peak = pt.mc.variance;
      peak_r = pt.r;
    }
  }
  std::vector<T2VariancePoint> out;
  for (const auto& pt : t2_resolved(curve)) {
    if (pt.r >= peak_r) out.push_back(pt);
  }
  return out;
}

LineFit t2_fit_rate(const std::vector<T2VariancePoint>& points) {
  std::vector<double> r, v, w;
  for (const auto& pt : points) {
    r.push_back(pt.r);
    v.push_back(pt.mc.variance);
    // Delta method: sd(log2 V) ~ se / (V ln 2).
    const double sd_log2 = pt.mc.se / (pt.mc.variance * std::log(2.0));
    w.push_back(1.0 / (sd_log2 * sd_log2));
  }
  return fit_log2_line(r, v, w);
}

T2Trainer::T2Trainer(const T2TrainSettings& s, std::uint64_t seed)
    : s_(validated(s)),
      init_rng_(derive_engine(seed, static_cast<std::uint64_t>(s.d))),  // as t2_net
      net_(Mlp({static_cast<std::size_t>(s.d), s.width, 1}, init_rng_), &squared_loss<float>),
      v_(target_direction(s, seed)),
      data_rng_(derive_engine(seed, kStreamData ^ static_cast<std::uint64_t>(s.d))),
      eval_rng_(derive_engine(seed, kStreamEval ^ static_cast<std::uint64_t>(s.d))),
      sgd_(s.lr) {
  draw(eval_rng_, held_out_, static_cast<std::size_t>(s.eval_samples));
  run_.model = &net_;
  run_.gradient = &backprop_;
  run_.optimizer = &sgd_;
  run_.draw = [this](XYBatch& b) { draw(data_rng_, b, static_cast<std::size_t>(s_.batch)); };
  run_.engines = {&data_rng_};
}

void T2Trainer::draw(Engine& rng, XYBatch& b, std::size_t n) const {
  const std::size_t d = static_cast<std::size_t>(s_.d);
  b.x = Matrix::from_shape({n, d});
  b.y = Matrix::from_shape({n, 1});
  for (std::size_t i = 0; i < n; ++i) {
    double dot = 0.0;  // the inner product in double
    for (std::size_t k = 0; k < d; ++k) {
      const double xi = normal(rng);
      b.x(i, k) = static_cast<float>(xi);
      dot += v_(k) * xi;
    }
    b.y(i, 0) = static_cast<float>(std::cos(dot));
  }
}

Table t2_train(const T2TrainSettings& s, std::uint64_t seed, RunStatus& status,
               const std::function<void(std::int64_t)>& on_step, const RunCheckpoint& checkpoint) {
  T2Trainer trainer(s, seed);
  TrainingRun<XYBatch>& run = trainer.run();
  const double trivial = t2_trivial_loss(s.r);
  Table table({"step", "loss", "trivial_loss"});
  // The loss on the held-out set; at a divergence, the step's training loss.
  run.evaluate = [&](const StepLoss& l) {
    const double loss = l.diverged ? l.loss : trainer.net().loss(trainer.held_out());
    table.add_row({static_cast<double>(l.step), loss, trivial});
    return std::isfinite(loss);
  };
  run.tables = {&table};
  status = train(run, periodic_loop(s.steps, s.eval_every, on_step, checkpoint)).status;
  return table;
}

}  // namespace fgbdl
