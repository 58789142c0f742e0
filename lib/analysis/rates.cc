#include "lib/analysis/rates.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <stdexcept>

#include "lib/analysis/fit.h"

namespace fgbdl {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();

void check_level(double level) {
  if (!(level > 0 && level < 1)) throw std::invalid_argument("level must be in (0, 1)");
}

void check_counts(std::int64_t s, std::int64_t n) {
  if (n < 1 || s < 0 || s > n) throw std::invalid_argument("need 0 <= s <= n and n >= 1");
}

// The p in [0, 1] where the monotone f crosses `target`; `increasing` says
// which way f goes. Bisection to 1e-12 (60 halvings of [0, 1]).
template <typename F>
double bisect01(F f, double target, bool increasing) {
  double lo = 0, hi = 1;
  for (int i = 0; i < 60; ++i) {
    const double mid = 0.5 * (lo + hi);
    if ((f(mid) < target) == increasing) {
      lo = mid;
    } else {
      hi = mid;
    }
  }
  return 0.5 * (lo + hi);
}

// log sigma(t), stable for large |t|.
double log_sigmoid(double t) { return t > 0 ? -std::log1p(std::exp(-t)) : t - std::log1p(std::exp(t)); }
double sigmoid(double t) {
  return t > 0 ? 1 / (1 + std::exp(-t)) : std::exp(t) / (1 + std::exp(t));
}

double log_likelihood(const std::vector<double>& x, const std::vector<int>& y, double a, double b) {
  double l = 0;
  for (std::size_t i = 0; i < x.size(); ++i) {
    const double t = a + b * x[i];
    l += y[i] ? log_sigmoid(t) : log_sigmoid(-t);
  }
  return l;
}

// 10^3 over the smallest positive spacing of the x's: the slope cap of the
// profile likelihood (rates.h).
double slope_cap(const std::vector<double>& x) {
  std::vector<double> s = x;
  std::sort(s.begin(), s.end());
  double gap = kInf;
  for (std::size_t i = 1; i < s.size(); ++i)
    if (s[i] > s[i - 1]) gap = std::min(gap, s[i] - s[i - 1]);
  return 1e3 / gap;
}

double profile_at(const std::vector<double>& x, const std::vector<int>& y, double x0, double cap) {
  // d/db sum_i log P(y_i | sigma(b u_i)) = sum_i u_i (y_i - sigma(b u_i)),
  // decreasing in b (the log-likelihood is concave in b).
  auto slope = [&](double b) {
    double g = 0;
    for (std::size_t i = 0; i < x.size(); ++i) {
      const double u = x[i] - x0;
      g += u * (y[i] - sigmoid(b * u));
    }
    return g;
  };
  double b;
  if (slope(cap) >= 0) {
    b = cap;
  } else if (slope(-cap) <= 0) {
    b = -cap;
  } else {
    double lo = -cap, hi = cap;
    for (int i = 0; i < 100 && hi - lo > 1e-12 * (1 + std::abs(lo)); ++i) {
      const double mid = 0.5 * (lo + hi);
      (slope(mid) > 0 ? lo : hi) = mid;
    }
    b = 0.5 * (lo + hi);
  }
  return log_likelihood(x, y, -b * x0, b);
}

}  // namespace

double binomial_cdf(std::int64_t s, std::int64_t n, double p) {
  if (s < 0) return 0;
  if (s >= n) return 1;
  if (p <= 0) return 1;
  if (p >= 1) return 0;
  const double lp = std::log(p), lq = std::log1p(-p);
  double sum = 0;
  for (std::int64_t i = 0; i <= s; ++i) {
    const double nn = static_cast<double>(n), ii = static_cast<double>(i);
    sum += std::exp(std::lgamma(nn + 1) - std::lgamma(ii + 1) - std::lgamma(nn - ii + 1) + ii * lp +
                    (nn - ii) * lq);
  }
  return std::min(sum, 1.0);
}

double normal_quantile(double p) {
  if (!(p > 0 && p < 1)) throw std::invalid_argument("normal_quantile: p must be in (0, 1)");
  double lo = -40, hi = 40;
  for (int i = 0; i < 200 && hi - lo > 1e-15; ++i) {
    const double mid = 0.5 * (lo + hi);
    (0.5 * std::erfc(-mid / std::sqrt(2.0)) < p ? lo : hi) = mid;
  }
  return 0.5 * (lo + hi);
}

Interval clopper_pearson(std::int64_t s, std::int64_t n, double level) {
  check_counts(s, n);
  check_level(level);
  const double half = (1 - level) / 2;
  Interval r{0, 1};
  // P(X >= s | p) = 1 - P(X <= s - 1 | p) grows with p.
  if (s > 0)
    r.low = bisect01([&](double p) { return 1 - binomial_cdf(s - 1, n, p); }, half, true);
  // P(X <= s | p) falls with p.
  if (s < n) r.high = bisect01([&](double p) { return binomial_cdf(s, n, p); }, half, false);
  return r;
}

Interval wilson(std::int64_t s, std::int64_t n, double level) {
  check_counts(s, n);
  check_level(level);
  const double z = normal_quantile(1 - (1 - level) / 2), nn = static_cast<double>(n);
  const double p = static_cast<double>(s) / nn, z2 = z * z;
  const double centre = (p + z2 / (2 * nn)) / (1 + z2 / nn);
  const double half = z / (1 + z2 / nn) * std::sqrt(p * (1 - p) / nn + z2 / (4 * nn * nn));
  return {std::max(0.0, centre - half), std::min(1.0, centre + half)};
}

MeanInterval mean_interval(const std::vector<double>& v, double level) {
  check_level(level);
  if (v.size() < 2) throw std::invalid_argument("mean_interval: need at least 2 values");
  MeanInterval r;
  r.n = v.size();
  for (double x : v) {
    if (!std::isfinite(x)) throw std::invalid_argument("mean_interval: a value is not finite");
    r.mean += x;
  }
  r.mean /= static_cast<double>(r.n);
  double ss = 0;
  for (double x : v) ss += (x - r.mean) * (x - r.mean);
  r.sd = std::sqrt(ss / static_cast<double>(r.n - 1));
  const double t = student_t_quantile(1 - (1 - level) / 2, static_cast<int>(r.n - 1));
  const double half = t * r.sd / std::sqrt(static_cast<double>(r.n));
  r.ci = {r.mean - half, r.mean + half};
  return r;
}

double first_reaching(const std::vector<double>& x, const std::vector<double>& y,
                      double threshold) {
  if (x.size() != y.size()) throw std::invalid_argument("first_reaching: x and y differ in size");
  for (std::size_t i = 0; i < x.size(); ++i)
    if (y[i] >= threshold) return x[i];
  return -1;
}

double profile_log_likelihood(const std::vector<double>& x, const std::vector<int>& y, double x0) {
  return profile_at(x, y, x0, slope_cap(x));
}

LogisticFit fit_logistic(const std::vector<double>& x, const std::vector<int>& y, double level) {
  check_level(level);
  if (x.size() != y.size() || x.empty())
    throw std::invalid_argument("fit_logistic: x and y must have the same nonzero size");
  double xmin = kInf, xmax = -kInf, smin = kInf, smax = -kInf, fmin = kInf, fmax = -kInf;
  for (std::size_t i = 0; i < x.size(); ++i) {
    if (!std::isfinite(x[i])) throw std::invalid_argument("fit_logistic: an x is not finite");
    if (y[i] != 0 && y[i] != 1) throw std::invalid_argument("fit_logistic: a y is not 0 or 1");
    xmin = std::min(xmin, x[i]);
    xmax = std::max(xmax, x[i]);
    if (y[i]) {
      smin = std::min(smin, x[i]);
      smax = std::max(smax, x[i]);
    } else {
      fmin = std::min(fmin, x[i]);
      fmax = std::max(fmax, x[i]);
    }
  }
  if (!(xmax > xmin)) throw std::invalid_argument("fit_logistic: need two distinct x");
  LogisticFit f;
  f.n = x.size();
  if (!std::isfinite(smin) || !std::isfinite(fmin)) {  // every outcome the same
    f.crossing = false;
    f.a = f.b = f.x50 = kNaN;
    f.x50_ci = {kNaN, kNaN};
    f.log_likelihood = 0;
    return f;
  }
  const double cap = slope_cap(x);
  if (smax <= fmin || smin >= fmax) {
    f.separated = true;
    f.a = f.b = kNaN;
    f.x50 = smax <= fmin ? 0.5 * (smax + fmin) : 0.5 * (fmax + smin);
  } else {
    // Newton's method on the centred model sigma(c + b (x - m)), with step
    // halving whenever the log-likelihood would fall.
    double m = 0;
    for (double v : x) m += v;
    m /= static_cast<double>(x.size());
    double c = 0, b = 0;
    double l = log_likelihood(x, y, c - b * m, b);
    for (f.iterations = 0; f.iterations < 200; ++f.iterations) {
      double g0 = 0, g1 = 0, h00 = 0, h01 = 0, h11 = 0;
      for (std::size_t i = 0; i < x.size(); ++i) {
        const double u = x[i] - m, p = sigmoid(c + b * u), w = p * (1 - p);
        g0 += y[i] - p;
        g1 += u * (y[i] - p);
        h00 += w;
        h01 += w * u;
        h11 += w * u * u;
      }
      const double det = h00 * h11 - h01 * h01;
      if (!(det > 0)) break;
      double dc = (h11 * g0 - h01 * g1) / det, db = (h00 * g1 - h01 * g0) / det;
      double step = 1;
      double l_new = log_likelihood(x, y, (c + dc) - (b + db) * m, b + db);
      while (l_new < l - 1e-12 && step > 1e-10) {
        step /= 2;
        l_new = log_likelihood(x, y, (c + step * dc) - (b + step * db) * m, b + step * db);
      }
      c += step * dc;
      b += step * db;
      l = l_new;
      if (std::abs(step * dc) + std::abs(step * db) * (xmax - xmin) < 1e-12) break;
    }
    f.a = c - b * m;
    f.b = b;
    f.x50 = -f.a / f.b;
    f.log_likelihood = l;
  }
  // The profile likelihood on a grid over the x's range and as much again
  // on each side; its maximum (the fit's, or the supremum when separated).
  constexpr int kGrid = 801;
  const double span = xmax - xmin, g_lo = xmin - span, g_step = 3 * span / (kGrid - 1);
  std::vector<double> grid(kGrid), prof(kGrid);
  double best = f.separated ? profile_at(x, y, f.x50, cap) : f.log_likelihood;
  for (int i = 0; i < kGrid; ++i) {
    grid[i] = g_lo + i * g_step;
    prof[i] = profile_at(x, y, grid[i], cap);
    best = std::max(best, prof[i]);
  }
  if (f.separated) f.log_likelihood = best;
  const double z = normal_quantile(1 - (1 - level) / 2), cut = best - z * z / 2;
  // From x50 outwards: the first grid point below the cut, then bisection
  // between it and its inner neighbour.
  auto end = [&](int dir) {
    int i = static_cast<int>(std::floor((f.x50 - g_lo) / g_step));
    if (dir > 0) ++i;
    double inner = f.x50;
    for (; i >= 0 && i < kGrid; i += dir) {
      if ((grid[i] - f.x50) * dir <= 0) continue;
      if (prof[i] < cut) {
        double in = inner, out = grid[i];
        for (int k = 0; k < 60; ++k) {
          const double mid = 0.5 * (in + out);
          (profile_at(x, y, mid, cap) >= cut ? in : out) = mid;
        }
        return 0.5 * (in + out);
      }
      inner = grid[i];
    }
    return dir * kInf;
  };
  f.x50_ci = {end(-1), end(+1)};
  return f;
}

std::string LogisticFit::to_string() const {
  char buf[320];
  if (!crossing) {
    std::snprintf(buf, sizeof buf, "no crossing: every outcome the same (n = %zu)", n);
  } else if (separated) {
    std::snprintf(buf, sizeof buf,
                  "x50 = %.4g [%.4g, %.4g] (outcomes separated: no maximum-likelihood fit; "
                  "x50 the middle of the gap, profile likelihood 95%%, n = %zu)",
                  x50, x50_ci.low, x50_ci.high, n);
  } else {
    std::snprintf(buf, sizeof buf,
                  "x50 = %.4g [%.4g, %.4g] (logistic a = %.4g, b = %.4g, profile likelihood 95%%, "
                  "n = %zu)",
                  x50, x50_ci.low, x50_ci.high, a, b, n);
  }
  return buf;
}

}  // namespace fgbdl
