// Zeroth-order learners for claim X4 (paper/ext_perturbation.md): a
// GradientSource that never calls the model's backward pass. It estimates a
// descent direction from random perturbations of the weights and the change
// of the loss, in the manner of evolution strategies (Salimans, Ho, Chen,
// Sidor, Sutskever, "Evolution strategies as a scalable alternative to
// reinforcement learning", arXiv 1703.03864, 2017: antithetic Gaussian
// perturbations), and keeps a running average of the estimates. It needs of
// a model only loss() and parameters().
//
// One step at weights w (all P scalars of parameters() as one vector), on
// the step's batch:
//   for i = 1..N:  u_i ~ N(0, I_P), a size s_i (below),
//                  g += [L(w + s_i u_i) - L(w - s_i u_i)] u_i / (2 s_i N)
//   m = beta m + (1 - beta) g   (m = 0 before the first step; beta = 0: m = g)
//   dw = m                       (the optimizer then steps along -dw)
// and the weights are restored exactly (copied back) after each pair. The
// loss returned for the step is L(w) on the batch (one more forward pass):
// a step costs 2N + 1 evaluations of the loss and no backward pass.
//
// The two laws of the sizes s_i:
//   kGaussian   s_i = sigma for every i (a fixed scale);
//   kCauchy     s_i = sigma |c_i| with c_i standard Cauchy, c = tan(pi (v -
//               1/2)), v ~ U(0, 1): scale-free, P(s_i > t sigma) ~ 2 / (pi t)
//               for large t, median sigma, quartiles sigma tan(pi/8) and
//               sigma tan(3 pi / 8). Some perturbations are very large.
// For a smooth loss the antithetic difference has no even-order terms:
// [L(w + s u) - L(w - s u)] / (2 s) = grad L . u + O(s^2), so on a quadratic
// it is exactly grad L . u and E[g] = grad L (E[u u^T] = I), whatever the
// sizes.
//
// Randomness: the engine given at construction (derive_engine(seed,
// stream) in the experiments); the perturbations of a step are drawn in
// order i = 1..N, u_i (P normals, parameter groups in order) then c_i.
#ifndef LIB_TRAIN_PERTURBATION_H_
#define LIB_TRAIN_PERTURBATION_H_

#include <cmath>
#include <cstddef>
#include <stdexcept>
#include <string>
#include <vector>

#include "lib/core/rng.h"
#include "lib/train/model.h"

namespace fgbdl {

enum class PerturbationLaw { kGaussian, kCauchy };

// "gaussian" / "cauchy"; the inverse throws std::invalid_argument.
inline std::string to_string(PerturbationLaw law) {
  return law == PerturbationLaw::kGaussian ? "gaussian" : "cauchy";
}
inline PerturbationLaw perturbation_law_from_name(const std::string& name) {
  if (name == "gaussian") return PerturbationLaw::kGaussian;
  if (name == "cauchy") return PerturbationLaw::kCauchy;
  throw std::invalid_argument("unknown perturbation law " + name);
}

// One size s of `law` at scale sigma (consumes one draw for kCauchy, none
// for kGaussian).
inline double perturbation_size(PerturbationLaw law, double sigma, Engine& rng) {
  if (law == PerturbationLaw::kGaussian) return sigma;
  const double pi = 3.14159265358979323846;
  double v = uniform01(rng);
  while (v == 0.0) v = uniform01(rng);  // tan(-pi/2) is not a size
  return sigma * std::fabs(std::tan(pi * (v - 0.5)));
}

struct PerturbationSettings {
  PerturbationLaw law = PerturbationLaw::kGaussian;
  double sigma = 0.01;       // the scale of the sizes
  std::size_t pairs = 16;    // N antithetic pairs per step
  double beta = 0.9;         // the running average of the estimates
};

template <class Batch>
class PerturbationGradient final : public GradientSource<Batch> {
 public:
  // Throws std::invalid_argument unless sigma > 0, pairs >= 1 and
  // 0 <= beta < 1.
  PerturbationGradient(const PerturbationSettings& s, Engine rng) : s_(s), rng_(rng) {
    if (!(s.sigma > 0) || s.pairs < 1 || !(s.beta >= 0 && s.beta < 1))
      throw std::invalid_argument("perturbation: sigma > 0, pairs >= 1, 0 <= beta < 1");
  }

  double gradient(Model<Batch>& model, const Batch& batch) override {
    const std::vector<Parameter> params = model.parameters();
    const std::size_t P = parameter_count(params);
    w0_.resize(P);
    u_.resize(P);
    g_.assign(P, 0.0);
    if (m_.size() != P) m_.assign(P, 0.0);
    gather(params, w0_);
    for (std::size_t i = 0; i < s_.pairs; ++i) {
      for (double& v : u_) v = normal(rng_);
      const double size = perturbation_size(s_.law, s_.sigma, rng_);
      place(params, size);
      const double plus = model.loss(batch);
      place(params, -size);
      const double minus = model.loss(batch);
      restore(params);
      evaluations_ += 2;
      const double c = (plus - minus) / (2.0 * size * static_cast<double>(s_.pairs));
      if (!std::isfinite(c)) {  // a perturbation so large that the loss overflowed: no information
        ++skipped_;
        continue;
      }
      for (std::size_t j = 0; j < P; ++j) g_[j] += c * u_[j];
    }
    std::size_t j = 0;
    for (const Parameter& p : params)
      for (std::size_t k = 0; k < p.n; ++k, ++j) {
        m_[j] = s_.beta * m_[j] + (1.0 - s_.beta) * g_[j];
        p.dw[k] = static_cast<float>(m_[j]);
      }
    ++evaluations_;
    return model.loss(batch);
  }

  // The last step's estimate g (before the running average), in the order of
  // parameters().
  const std::vector<double>& estimate() const { return g_; }
  // Loss evaluations so far (2N + 1 per step).
  std::size_t evaluations() const { return evaluations_; }
  // Pairs whose loss difference was not finite (left out of g).
  std::size_t skipped() const { return skipped_; }

 private:
  static void gather(const std::vector<Parameter>& params, std::vector<float>& w) {
    std::size_t j = 0;
    for (const Parameter& p : params)
      for (std::size_t k = 0; k < p.n; ++k) w[j++] = p.w[k];
  }
  // w = w0 + size u, in float as the model holds its weights.
  void place(const std::vector<Parameter>& params, double size) const {
    std::size_t j = 0;
    for (const Parameter& p : params)
      for (std::size_t k = 0; k < p.n; ++k, ++j)
        p.w[k] = static_cast<float>(static_cast<double>(w0_[j]) + size * u_[j]);
  }
  void restore(const std::vector<Parameter>& params) const {
    std::size_t j = 0;
    for (const Parameter& p : params)
      for (std::size_t k = 0; k < p.n; ++k) p.w[k] = w0_[j++];
  }

  PerturbationSettings s_;
  Engine rng_;
  std::vector<float> w0_;
  std::vector<double> u_, g_, m_;
  std::size_t evaluations_ = 0, skipped_ = 0;
};

}  // namespace fgbdl

#endif  // LIB_TRAIN_PERTURBATION_H_
