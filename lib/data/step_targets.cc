#include "lib/data/step_targets.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <stdexcept>

#include "lib/data/box_muller.h"

namespace fgbdl {
namespace {

constexpr std::array<double, 15> kFine = {-5, -4, -3, -2, -1, -0.2, 0, 0.1,
                                          0.15, 0.175, 1, 2, 3, 4, 5};

// m draws: the 24-bit integers m1 = bits >> 40 and m2 = the low 24 bits of
// each. Flattened: GCC otherwise calls the engine's operator() per draw.
__attribute__((flatten)) void draw_uniform_pairs(Engine& rng, std::size_t m, std::uint32_t* m1,
                                                 std::uint32_t* m2) {
  for (std::size_t k = 0; k < m; ++k) {
    const std::uint64_t bits = rng();
    m1[k] = static_cast<std::uint32_t>(bits >> 40);
    m2[k] = static_cast<std::uint32_t>(bits & 0xffffffu);
  }
}

double logistic(double t) {
  // Stable for large |t|: exp only of -|t|.
  const double e = std::exp(-std::fabs(t));
  return t >= 0 ? 1.0 / (1.0 + e) : e / (1.0 + e);
}

}  // namespace

std::string to_string(StepThresholds t) {
  return t == StepThresholds::kScript ? "script" : "paper";
}

StepThresholds step_thresholds_from_name(const std::string& name) {
  if (name == "script") return StepThresholds::kScript;
  if (name == "paper") return StepThresholds::kPaper;
  throw std::invalid_argument("step_thresholds_from_name: '" + name +
                              "' is neither 'script' nor 'paper'");
}

std::vector<double> step_threshold_offsets(StepThresholds t) {
  std::vector<double> z;
  const double shift = t == StepThresholds::kScript ? 0.0 : 2.5;
  for (int k = -100; k < 100; k += 5) z.push_back(k + shift);
  z.insert(z.end(), kFine.begin(), kFine.end());
  std::sort(z.begin(), z.end());
  z.erase(std::unique(z.begin(), z.end()), z.end());
  return z;
}

std::vector<double> even_threshold_offsets(int count) {
  if (count < 2 || count > 10000)
    throw std::invalid_argument("even_threshold_offsets: count = " + std::to_string(count) +
                                ", allowed 2 .. 10000");
  std::vector<double> z;
  for (int i = 0; i < count; ++i) z.push_back(-0.5 + static_cast<double>(i) / (count - 1));
  return z;
}

StepTarget draw_step_target(std::size_t d, StepThresholds t, Engine& rng) {
  return draw_step_target(d, step_threshold_offsets(t), rng);
}

StepTarget draw_step_target(std::size_t d, const std::vector<double>& offsets, Engine& rng) {
  if (d < 1 || d > (std::size_t{1} << 20))
    throw std::invalid_argument("draw_step_target: d = " + std::to_string(d) +
                                ", allowed 1 .. 2^20");
  StepTarget target;
  target.v_star.resize(d);
  for (double& v : target.v_star) v = normal(rng);
  target.b_star = normal(rng);
  for (const double o : offsets) target.z.push_back(target.b_star + o);
  // b* + o keeps the order of the offsets, but rounding could merge two
  // neighbours for a huge |b*|; the thresholds must stay strictly increasing.
  for (std::size_t i = 1; i < target.z.size(); ++i)
    if (!(target.z[i - 1] < target.z[i]))
      throw std::logic_error("draw_step_target: thresholds not strictly increasing");
  return target;
}

std::size_t step_index(const std::vector<double>& z, double r) {
  // First threshold > r, minus one.
  const auto it = std::upper_bound(z.begin(), z.end(), r);
  return it == z.begin() ? 0 : static_cast<std::size_t>(it - z.begin()) - 1;
}

double step_u(const std::vector<double>& z, double r) { return z[step_index(z, r)]; }

double step_u_tilde(const std::vector<double>& z, double c, double r) {
  double u = z[0];
  for (std::size_t i = 0; i + 1 < z.size(); ++i) {
    const double D = z[i + 1] - z[i];
    u += D * logistic(c * kStepSigmoidL * (r - z[i + 1] + D / (2 * kStepSigmoidL)) / D);
  }
  return u;
}

double step_u_tilde_derivative(const std::vector<double>& z, double c, double r) {
  // d/dr D sigmoid(c L (r - mu) / D) = c L sigmoid (1 - sigmoid).
  double du = 0;
  for (std::size_t i = 0; i + 1 < z.size(); ++i) {
    const double D = z[i + 1] - z[i];
    const double s = logistic(c * kStepSigmoidL * (r - z[i + 1] + D / (2 * kStepSigmoidL)) / D);
    du += c * kStepSigmoidL * s * (1 - s);
  }
  return du;
}

void sample_step_batch(const StepTarget& target, std::size_t batch, Engine& rng, Matrix& x,
                       std::vector<double>& r, Matrix& y) {
  const std::size_t d = target.v_star.size();
  if (x.shape(0) != batch || x.shape(1) != d) x = Matrix::from_shape({batch, d});
  if (y.shape(0) != batch || y.shape(1) != 1) y = Matrix::from_shape({batch, 1});
  r.resize(batch);
  // Box-Muller on pairs: one 64-bit draw gives two 24-bit uniforms u1 in
  // (0, 1], u2 in [0, 1) (the integers m1 = bits >> 40 and m2 = the low 24
  // bits), hence two independent normals sqrt(-2 ln u1) (cos, sin)(2 pi u2),
  // in float (the data are float), with ln, sin and cos from box_muller.h.
  // The pairs go in chunks through one pass per operation (draws, the
  // radius, the angle, the products), so that the passes other than the
  // draws vectorize.
  float* xs = x.data();
  const std::size_t n = batch * d, pairs = (n + 1) / 2;
  constexpr std::size_t kChunk = 512;  // pairs per chunk: 10 KB of buffers on the stack
  std::uint32_t m1[kChunk], m2[kChunk];
  float rad[kChunk], cosine[kChunk], sine[kChunk];
  for (std::size_t first = 0; first < pairs; first += kChunk) {
    const std::size_t m = std::min(kChunk, pairs - first);
    draw_uniform_pairs(rng, m, m1, m2);
    // -2 ln u1 >= 0: the square root vectorizes (no errno; -fno-math-errno).
    for (std::size_t k = 0; k < m; ++k) rad[k] = std::sqrt(-2.0f * log_u24(m1[k])) * 0.01f;
    for (std::size_t k = 0; k < m; ++k) sincos_2pi_u24(m2[k], sine[k], cosine[k]);
    float* out = xs + 2 * first;
    const std::size_t full = 2 * m <= n - 2 * first ? m : m - 1;  // pairs with both entries in x
    for (std::size_t k = 0; k < full; ++k) {
      out[2 * k] = rad[k] * cosine[k];
      out[2 * k + 1] = rad[k] * sine[k];
    }
    if (full < m) out[2 * full] = rad[full] * cosine[full];  // odd n: the last sine is unused
  }
  // r_i = b* + sum_j v*_j x_ij, each sum in the order j = 0, 1, ..., d - 1;
  // four rows at a time so that their additions overlap.
  const double* v = target.v_star.data();
  std::size_t i = 0;
  for (; i + 4 <= batch; i += 4) {
    const float* x0 = xs + i * d;
    const float* x1 = x0 + d;
    const float* x2 = x1 + d;
    const float* x3 = x2 + d;
    double r0 = target.b_star, r1 = target.b_star, r2 = target.b_star, r3 = target.b_star;
    for (std::size_t j = 0; j < d; ++j) {
      r0 += v[j] * static_cast<double>(x0[j]);
      r1 += v[j] * static_cast<double>(x1[j]);
      r2 += v[j] * static_cast<double>(x2[j]);
      r3 += v[j] * static_cast<double>(x3[j]);
    }
    r[i] = r0;
    r[i + 1] = r1;
    r[i + 2] = r2;
    r[i + 3] = r3;
  }
  for (; i < batch; ++i) {
    const float* xi = xs + i * d;
    double ri = target.b_star;
    for (std::size_t j = 0; j < d; ++j) ri += v[j] * static_cast<double>(xi[j]);
    r[i] = ri;
  }
  for (i = 0; i < batch; ++i) y(i, 0) = static_cast<float>(step_u(target.z, r[i]));
}

}  // namespace fgbdl
