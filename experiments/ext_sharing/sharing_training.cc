#include "experiments/ext_sharing/sharing_training.h"

#include <bitset>
#include <cmath>
#include <stdexcept>
#include <utility>

#include "lib/nn/loss.h"
#include "lib/train/curves.h"
#include "lib/train/patch_net.h"

namespace fgbdl {
namespace {

// Streams of derive_engine(seed, stream).
constexpr std::uint64_t kTarget = 0, kHeldOut = 1, kInit = 2, kBatches = 3;

// (-1)^popcount(S & m): chi_S of the bits whose pattern is m.
double character(std::uint32_t S, std::uint32_t m) {
  return std::bitset<32>(S & m).count() % 2 ? -1.0 : 1.0;
}

}  // namespace

FrequencyTarget draw_frequency_target(std::size_t positions, std::size_t patch,
                                      std::size_t mid_degree, double low, double mid,
                                      double high, Engine& rng) {
  if (positions < 1 || positions > 16 || patch < 1)
    throw std::invalid_argument("frequency target: need 1 <= k <= 16 and d >= 1");
  if (mid != 0 && (mid_degree < 2 || mid_degree + 1 > positions))
    throw std::invalid_argument("frequency target: the mid degree j needs 2 <= j <= k - 1");
  FrequencyTarget t{positions, patch, mid_degree, low, mid, high, std::vector<float>(patch)};
  double norm = 0;
  std::vector<double> u(patch);
  for (double& v : u) {
    v = normal(rng);
    norm += v * v;
  }
  for (std::size_t l = 0; l < patch; ++l) t.u[l] = static_cast<float>(u[l] / std::sqrt(norm));
  return t;
}

void sample_frequency_batch(const FrequencyTarget& t, std::size_t B, Engine& rng, Matrix& x,
                            Matrix& y, std::vector<std::uint32_t>& masks) {
  const std::size_t k = t.positions, d = t.patch;
  if (x.shape(0) != B || x.shape(1) != k * d) x = Matrix::from_shape({B, k * d});
  if (y.shape(0) != B || y.shape(1) != 1) y = Matrix::from_shape({B, 1});
  masks.assign(B, 0);
  const std::uint32_t low_set = 1u, mid_set = (1u << t.mid_degree) - 1, high_set = (1u << k) - 1;
  for (std::size_t r = 0; r < B; ++r) {
    std::uint32_t m = 0;
    for (std::size_t i = 0; i < k; ++i) {
      double dot = 0;
      for (std::size_t l = 0; l < d; ++l) {
        const float v = static_cast<float>(normal(rng));
        x(r, i * d + l) = v;
        dot += double(v) * t.u[l];
      }
      if (dot < 0) m |= 1u << i;
    }
    masks[r] = m;
    y(r, 0) = static_cast<float>(t.low * character(low_set, m) + t.mid * character(mid_set, m) +
                                 t.high * character(high_set, m));
  }
}

BandErrors band_errors(const Matrix& f, const Matrix& y, const std::vector<std::uint32_t>& masks,
                       std::size_t positions) {
  const std::size_t n = y.shape(0), patterns = std::size_t{1} << positions;
  if (f.shape(0) != n || masks.size() != n || n == 0)
    throw std::invalid_argument("band_errors: f, y and the bit patterns must have n >= 1 rows");
  BandErrors e;
  std::vector<double> c(patterns, 0.0);  // the residual summed per bit pattern
  for (std::size_t r = 0; r < n; ++r) {
    const double res = double(f(r, 0)) - y(r, 0);
    e.mse += res * res;
    c[masks[r]] += res;
  }
  e.mse /= static_cast<double>(n);
  // Fast Walsh-Hadamard transform: c[S] = sum_m c[m] (-1)^popcount(S & m).
  for (std::size_t h = 1; h < patterns; h <<= 1)
    for (std::size_t i = 0; i < patterns; i += 2 * h)
      for (std::size_t j = i; j < i + h; ++j) {
        const double a = c[j], b = c[j + h];
        c[j] = a + b;
        c[j + h] = a - b;
      }
  for (std::size_t S = 0; S < patterns; ++S) {
    const double coef = c[S] / static_cast<double>(n);
    const std::size_t degree = std::bitset<32>(S).count();
    (degree <= 1 ? e.low : degree == positions ? e.high : e.mid) += coef * coef;
  }
  return e;
}

Table sharing_run(const SharingSettings& s, std::uint64_t seed, RunStatus& status,
                  const std::function<void(std::int64_t)>& on_step) {
  if (s.filters < 1 || s.hidden < 1 || s.steps < 1 || s.batch < 1 || s.eval_every < 1 ||
      s.eval_samples < 1)
    throw std::invalid_argument("sharing_run: sizes must be >= 1");
  const double energy = s.low * s.low + s.mid * s.mid + s.high * s.high;
  if (!(energy > 0)) throw std::invalid_argument("sharing_run: the target is 0");
  const double scale = 1 / std::sqrt(energy);
  Engine target_rng = derive_engine(seed, kTarget);
  const FrequencyTarget target = draw_frequency_target(
      static_cast<std::size_t>(s.positions), static_cast<std::size_t>(s.patch),
      static_cast<std::size_t>(s.mid_degree), s.low * scale, s.mid * scale, s.high * scale,
      target_rng);
  XYBatch test;
  std::vector<std::uint32_t> test_masks;
  {
    Engine held_out = derive_engine(seed, kHeldOut);
    sample_frequency_batch(target, static_cast<std::size_t>(s.eval_samples), held_out, test.x,
                           test.y, test_masks);
  }
  Matrix zero = Matrix::from_shape(test.y.shape());
  zero.fill(0);
  const BandErrors nothing = band_errors(zero, test.y, test_masks, target.positions);

  std::vector<Curve> curves;
  for (const bool shared : {true, false}) {
    Engine init = derive_engine(seed, kInit);  // the same initial function for both
    PatchModel model(PatchNet(PatchShape{target.positions, target.patch,
                                         static_cast<std::size_t>(s.filters),
                                         static_cast<std::size_t>(s.hidden), shared},
                              init),
                     &squared_loss<float>);
    Engine batches = derive_engine(seed, kBatches);  // the same batches for both
    std::vector<std::uint32_t> masks;
    const std::int64_t offset = shared ? 0 : s.steps;
    curves.push_back(train_curve(
        model, s.optimizer, s.lr,
        [&](XYBatch& b) {
          sample_frequency_batch(target, static_cast<std::size_t>(s.batch), batches, b.x, b.y,
                                 masks);
        },
        batches, s.steps, s.eval_every,
        [&] {
          Matrix f;
          model.predict(test.x, f);
          const BandErrors e = band_errors(f, test.y, test_masks, target.positions);
          return std::vector<double>{e.mse, e.low, e.mid, e.high};
        },
        [&](std::int64_t t) {
          if (on_step) on_step(offset + t);
        }));
  }
  return merge_curves({"step", "shared_mse", "shared_low", "shared_mid", "shared_high",
                       "unshared_mse", "unshared_low", "unshared_mid", "unshared_high",
                       "target_low", "target_mid", "target_high"},
                      curves, {nothing.low, nothing.mid, nothing.high}, status);
}

}  // namespace fgbdl
