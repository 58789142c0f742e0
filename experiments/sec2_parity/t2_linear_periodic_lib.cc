#include "experiments/sec2_parity/t2_linear_periodic_lib.h"

#include <cmath>
#include <cstring>
#include <stdexcept>

#include "lib/core/rng.h"
#include "lib/core/tensor.h"
#include "lib/nn/dense.h"
#include "lib/nn/loss.h"
#include "lib/nn/optim.h"
#include "lib/nn/relu.h"

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

Table t2_train(const T2TrainSettings& s, std::uint64_t seed, RunStatus& status,
               const std::function<void(std::int64_t)>& on_step) {
  if (s.d < 1 || s.width < 1 || s.steps < 0 || s.batch < 1 || s.eval_every < 1 ||
      s.eval_samples < 1 || !(s.r >= 0.0)) {
    throw std::invalid_argument("t2_train: invalid settings");
  }
  const std::size_t d = static_cast<std::size_t>(s.d);
  const std::size_t B = static_cast<std::size_t>(s.batch);
  Engine init_rng = derive_engine(seed, d);  // the same weights as t2_net(d, width, seed)
  Dense<float> hidden = dense_init<float>(d, s.width, init_rng);
  Dense<float> out = dense_init<float>(s.width, 1, init_rng);
  Engine target_rng = derive_engine(seed, kStreamTarget ^ d);
  const VectorD v = uniform_on_sphere(d, s.r, target_rng);
  Engine data_rng = derive_engine(seed, kStreamData ^ d);
  Engine eval_rng = derive_engine(seed, kStreamEval ^ d);

  // Fills x [n, d] with N(0, I) rows and y [n, 1] with cos(<v, x>) (the
  // inner product in double).
  const auto draw = [&](Engine& rng, Matrix& x, Matrix& y, std::size_t n) {
    x = Matrix::from_shape({n, d});
    y = Matrix::from_shape({n, 1});
    for (std::size_t i = 0; i < n; ++i) {
      double dot = 0.0;
      for (std::size_t k = 0; k < d; ++k) {
        const double xi = normal(rng);
        x(i, k) = static_cast<float>(xi);
        dot += v(k) * xi;
      }
      y(i, 0) = static_cast<float>(std::cos(dot));
    }
  };
  Matrix x_eval, y_eval;
  draw(eval_rng, x_eval, y_eval, static_cast<std::size_t>(s.eval_samples));
  const double trivial = t2_trivial_loss(s.r);

  Matrix x, y, z1, a1, score, dscore, da1, dz1;
  const auto evaluate = [&]() {
    Matrix ez, ea, es, eds;
    dense_forward(hidden, x_eval, ez);
    relu_forward(ez, ea);
    dense_forward(out, ea, es);
    return static_cast<double>(squared_loss(es, y_eval, eds));
  };

  Table table({"step", "loss", "trivial_loss"});
  table.add_row({0.0, evaluate(), trivial});
  const Sgd sgd{s.lr};
  for (std::int64_t t = 1; t <= s.steps; ++t) {
    draw(data_rng, x, y, B);
    dense_forward(hidden, x, z1);
    relu_forward(z1, a1);
    dense_forward(out, a1, score);
    const float loss = squared_loss(score, y, dscore);
    if (!std::isfinite(loss)) {
      status.diverged = true;
      status.diverged_step = t;
      table.add_row({static_cast<double>(t), static_cast<double>(loss), trivial});
      break;
    }
    dense_backward(out, a1, dscore);
    dense_backward_input(out.W, dscore, da1);
    relu_backward(z1, da1, dz1);
    dense_backward(hidden, x, dz1);
    sgd.step<float>({param<float>(hidden.W, hidden.dW), param<float>(hidden.b, hidden.db),
                     param<float>(out.W, out.dW), param<float>(out.b, out.db)});
    if (t % s.eval_every == 0 || t == s.steps) {
      const double eval_loss = evaluate();
      table.add_row({static_cast<double>(t), eval_loss, trivial});
      if (!std::isfinite(eval_loss)) {
        status.diverged = true;
        status.diverged_step = t;
        break;
      }
      if (on_step) on_step(t);
    }
  }
  return table;
}

}  // namespace fgbdl
