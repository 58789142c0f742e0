// Finite-difference checks of a model's gradient, one parameter group at a
// time: along the unit direction u = dw / |dw| of the group's reported
// gradient, the directional derivative the model reports, |dw|, against the
// central difference (L(w + h u) - L(w - h u)) / (2 h) of Model::loss on the
// same batch. Along its own direction the reported derivative is as large as
// it can be, so no cancellation hides an error: a gradient off by a constant
// factor c in one group shows there as a relative error |c - 1| / c, and a
// gradient pointing elsewhere than the true one (d) as 1 - cos(dw, d) or
// more. A group whose reported gradient is zero is checked along a random
// direction (drawn from `rng`), where the difference must vanish too.
#ifndef LIB_TRAIN_GRADIENT_CHECK_H_
#define LIB_TRAIN_GRADIENT_CHECK_H_

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "lib/core/rng.h"
#include "lib/train/model.h"

namespace fgbdl {

struct GroupGradientCheck {
  std::string name;       // the parameter group
  double analytic = 0;    // sum_i dw_i u_i
  double numeric = 0;     // the central difference closest to it
  double step = 0;        // the h of that difference
  // |analytic - numeric| / max(|analytic|, |numeric|, floor).
  double relative_error(double floor = 1e-12) const {
    return std::fabs(analytic - numeric) /
           std::max({std::fabs(analytic), std::fabs(numeric), floor});
  }
};

// One check per parameter group of `model` (in parameters() order), at the
// model's current weights, which it leaves unchanged. The difference is
// taken with each step size h in `steps` and the one closest to the reported
// derivative is kept: a float32 model's difference has rounding error
// growing as h shrinks and, for ReLU or hinge models, kinks crossed as h
// grows; a correct gradient matches at some h, a wrong one at none.
template <class Batch>
std::vector<GroupGradientCheck> check_gradient(Model<Batch>& model, const Batch& batch,
                                               const std::vector<double>& steps, Engine& rng) {
  std::vector<GroupGradientCheck> checks;
  model.loss_and_gradient(batch);
  std::vector<Parameter> params = model.parameters();
  // The gradient at the unperturbed weights, copied before loss() runs again.
  std::vector<std::vector<float>> grads;
  for (const Parameter& p : params) grads.emplace_back(p.dw, p.dw + p.n);
  for (std::size_t g = 0; g < params.size(); ++g) {
    const Parameter& p = params[g];
    std::vector<double> u(p.n);
    double norm = 0;
    for (std::size_t i = 0; i < p.n; ++i) {
      u[i] = grads[g][i];
      norm += u[i] * u[i];
    }
    if (norm == 0) {
      for (double& v : u) {
        v = normal(rng);
        norm += v * v;
      }
    }
    norm = std::sqrt(norm);
    GroupGradientCheck c;
    c.name = p.name;
    for (std::size_t i = 0; i < p.n; ++i) {
      u[i] /= norm;
      c.analytic += static_cast<double>(grads[g][i]) * u[i];
    }
    const std::vector<float> saved(p.w, p.w + p.n);
    bool first = true;
    for (const double h : steps) {
      for (std::size_t i = 0; i < p.n; ++i) p.w[i] = static_cast<float>(saved[i] + h * u[i]);
      const double plus = model.loss(batch);
      for (std::size_t i = 0; i < p.n; ++i) p.w[i] = static_cast<float>(saved[i] - h * u[i]);
      const double minus = model.loss(batch);
      // The step actually taken in float32 along u.
      double taken = 0;
      for (std::size_t i = 0; i < p.n; ++i) {
        const double up = static_cast<float>(saved[i] + h * u[i]);
        const double down = static_cast<float>(saved[i] - h * u[i]);
        taken += (up - down) * u[i];
      }
      const double numeric = (plus - minus) / taken;
      if (first || std::fabs(numeric - c.analytic) < std::fabs(c.numeric - c.analytic)) {
        c.numeric = numeric;
        c.step = h;
      }
      first = false;
    }
    std::copy(saved.begin(), saved.end(), p.w);
    checks.push_back(c);
  }
  return checks;
}

}  // namespace fgbdl

#endif  // LIB_TRAIN_GRADIENT_CHECK_H_
