#include "lib/analysis/fit.h"

#include <cmath>
#include <cstdio>
#include <stdexcept>

namespace fgbdl {
namespace {

// A(t | nu) = P(|T| <= t) for t >= 0 (Abramowitz and Stegun 26.7.3, 26.7.4),
// with theta = atan(t / sqrt(nu)):
//   nu = 1:    2 theta / pi
//   nu odd:    (2/pi) [theta + sin(theta) cos(theta) (1 + (2/3) cos^2 + (2*4)/(3*5) cos^4
//                      + ... + (2*4*...*(nu-3))/(3*5*...*(nu-2)) cos^(nu-3))]
//   nu even:   sin(theta) [1 + (1/2) cos^2 + (1*3)/(2*4) cos^4 + ...
//                      + (1*3*...*(nu-3))/(2*4*...*(nu-2)) cos^(nu-2)]
double two_sided(double t, int nu) {
  const double theta = std::atan(t / std::sqrt(static_cast<double>(nu)));
  const double c2 = std::cos(theta) * std::cos(theta);
  const double s = std::sin(theta);
  if (nu % 2 == 1) {
    if (nu == 1) return 2.0 * theta / M_PI;
    double term = 1.0, sum = 1.0;
    for (int k = 2; k <= nu - 3; k += 2) {
      term *= c2 * static_cast<double>(k) / static_cast<double>(k + 1);
      sum += term;
    }
    return 2.0 / M_PI * (theta + s * std::cos(theta) * sum);
  }
  double term = 1.0, sum = 1.0;
  for (int k = 1; k <= nu - 3; k += 2) {
    term *= c2 * static_cast<double>(k) / static_cast<double>(k + 1);
    sum += term;
  }
  return s * sum;
}

}  // namespace

double student_t_cdf(double t, int dof) {
  if (dof < 1) throw std::invalid_argument("student_t_cdf: dof must be >= 1");
  if (std::isnan(t)) return t;
  const double a = two_sided(std::fabs(t), dof);
  return t >= 0 ? 0.5 + 0.5 * a : 0.5 - 0.5 * a;
}

double student_t_quantile(double p, int dof) {
  if (dof < 1) throw std::invalid_argument("student_t_quantile: dof must be >= 1");
  if (!(p > 0.0 && p < 1.0)) throw std::invalid_argument("student_t_quantile: p must be in (0, 1)");
  if (p == 0.5) return 0.0;
  if (p < 0.5) return -student_t_quantile(1.0 - p, dof);
  // Bracket, then bisect on the monotone cdf to a relative width of 1e-15.
  double lo = 0.0, hi = 1.0;
  while (student_t_cdf(hi, dof) < p) {
    lo = hi;
    hi *= 2.0;
    if (hi > 1e300) return INFINITY;
  }
  for (int it = 0; it < 200 && hi - lo > 1e-15 * hi; ++it) {
    const double mid = 0.5 * (lo + hi);
    (student_t_cdf(mid, dof) < p ? lo : hi) = mid;
  }
  return 0.5 * (lo + hi);
}

std::string LineFit::to_string() const {
  char buf[160];
  std::snprintf(buf, sizeof buf, "%.4f ± %.4f [%.4f, %.4f] (n=%zu)", rate,
                t_quantile * rate_se, ci_low, ci_high, n);
  return buf;
}

LineFit fit_line(const std::vector<double>& x, const std::vector<double>& z,
                 const std::vector<double>& weights) {
  const std::size_t n = x.size();
  if (z.size() != n || (!weights.empty() && weights.size() != n)) {
    throw std::invalid_argument("fit_line: x, z (and weights) must have the same length");
  }
  if (n < 3) throw std::invalid_argument("fit_line: need at least 3 points");
  double sw = 0.0, sx = 0.0, sz = 0.0;
  for (std::size_t i = 0; i < n; ++i) {
    const double w = weights.empty() ? 1.0 : weights[i];
    if (!(w > 0.0) || !std::isfinite(w) || !std::isfinite(x[i]) || !std::isfinite(z[i])) {
      throw std::invalid_argument("fit_line: non-finite value or non-positive weight");
    }
    sw += w;
    sx += w * x[i];
    sz += w * z[i];
  }
  const double xbar = sx / sw, zbar = sz / sw;
  double sxx = 0.0, sxz = 0.0;
  for (std::size_t i = 0; i < n; ++i) {
    const double w = weights.empty() ? 1.0 : weights[i];
    sxx += w * (x[i] - xbar) * (x[i] - xbar);
    sxz += w * (x[i] - xbar) * (z[i] - zbar);
  }
  if (!(sxx > 0.0)) throw std::invalid_argument("fit_line: need at least two distinct x");
  LineFit f;
  f.n = n;
  f.rate = sxz / sxx;
  f.intercept = zbar - f.rate * xbar;
  double ssr = 0.0;
  for (std::size_t i = 0; i < n; ++i) {
    const double w = weights.empty() ? 1.0 : weights[i];
    const double e = z[i] - f.intercept - f.rate * x[i];
    ssr += w * e * e;
  }
  const int dof = static_cast<int>(n) - 2;
  f.residual_sd = std::sqrt(ssr / dof);
  f.rate_se = f.residual_sd / std::sqrt(sxx);
  f.t_quantile = student_t_quantile(0.975, dof);
  f.ci_low = f.rate - f.t_quantile * f.rate_se;
  f.ci_high = f.rate + f.t_quantile * f.rate_se;
  return f;
}

LineFit fit_log2_line(const std::vector<double>& x, const std::vector<double>& y,
                      const std::vector<double>& weights) {
  std::vector<double> z(y.size());
  for (std::size_t i = 0; i < y.size(); ++i) {
    if (!(y[i] > 0.0) || !std::isfinite(y[i])) {
      throw std::invalid_argument("fit_log2_line: every y must be positive and finite");
    }
    z[i] = std::log2(y[i]);
  }
  return fit_line(x, z, weights);
}

}  // namespace fgbdl
