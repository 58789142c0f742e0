#include "experiments/boundaries_sec45/boundaries.h"

#include <cmath>
#include <stdexcept>
#include <string>

#include "lib/analysis/fit.h"

namespace fgbdl {

LevelStep steps_to_level(const std::vector<double>& step, const std::vector<double>& relative,
                         double level) {
  if (step.empty() || step.size() != relative.size())
    throw std::invalid_argument("steps_to_level: steps and errors must be non-empty and match");
  if (!(level > 0) || !std::isfinite(level))
    throw std::invalid_argument("steps_to_level: the level must be positive and finite");
  double last = step.front();
  for (std::size_t i = 0; i < step.size(); ++i) {
    if (!std::isfinite(relative[i])) break;
    last = step[i];
    if (relative[i] > level) continue;
    if (i == 0 || step[i - 1] <= 0 || relative[i] <= 0) return {step[i], true};
    const double x0 = std::log(step[i - 1]), x1 = std::log(step[i]);
    const double y0 = std::log(relative[i - 1]), y1 = std::log(relative[i]);
    const double f = (y0 - std::log(level)) / (y0 - y1);
    return {std::exp(x0 + f * (x1 - x0)), true};
  }
  return {last, false};
}

MeanInterval mean_t_interval(const std::vector<double>& v, double confidence) {
  if (v.empty()) throw std::invalid_argument("mean_t_interval: no values");
  if (!(confidence > 0 && confidence < 1))
    throw std::invalid_argument("mean_t_interval: confidence must be in (0, 1)");
  MeanInterval r;
  r.m = static_cast<int>(v.size());
  for (const double x : v) {
    if (!std::isfinite(x)) throw std::invalid_argument("mean_t_interval: a non-finite value");
    r.mean += x / r.m;
  }
  r.low = r.high = r.mean;
  if (r.m < 2) return r;
  double ss = 0;
  for (const double x : v) ss += (x - r.mean) * (x - r.mean);
  r.sd = std::sqrt(ss / (r.m - 1));
  const double half =
      student_t_quantile(0.5 + confidence / 2, r.m - 1) * r.sd / std::sqrt(double(r.m));
  r.low = r.mean - half;
  r.high = r.mean + half;
  return r;
}

double up_crossing(const std::vector<double>& x, const std::vector<double>& y, double level) {
  if (x.empty() || x.size() != y.size())
    throw std::invalid_argument("up_crossing: x and y must be non-empty and match");
  for (std::size_t i = 0; i < x.size(); ++i) {
    if (!(x[i] > 0) || (i > 0 && !(x[i] > x[i - 1])))
      throw std::invalid_argument("up_crossing: x must be positive and increasing");
    if (!(y[i] > level)) continue;
    if (i == 0) return -INFINITY;
    const double f = (level - y[i - 1]) / (y[i] - y[i - 1]);
    return std::exp(std::log(x[i - 1]) + f * (std::log(x[i]) - std::log(x[i - 1])));
  }
  return INFINITY;
}

PairedT paired_t(const std::vector<double>& a, const std::vector<double>& b) {
  if (a.size() != b.size() || a.size() < 2)
    throw std::invalid_argument("paired_t: needs at least 2 pairs");
  std::vector<double> d;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (!std::isfinite(a[i]) || !std::isfinite(b[i]))
      throw std::invalid_argument("paired_t: a non-finite value");
    d.push_back(a[i] - b[i]);
  }
  const MeanInterval s = mean_t_interval(d);
  PairedT r;
  r.mean_difference = s.mean;
  r.dof = s.m - 1;
  if (s.sd == 0) {
    r.t = s.mean == 0 ? 0 : std::copysign(INFINITY, s.mean);
    r.p_two_sided = s.mean == 0 ? 1 : 0;
    return r;
  }
  r.t = s.mean / (s.sd / std::sqrt(double(s.m)));
  r.p_two_sided = 2 * (1 - student_t_cdf(std::fabs(r.t), r.dof));
  return r;
}

}  // namespace fgbdl
