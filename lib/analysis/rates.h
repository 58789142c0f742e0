// Success rates over seeds and where they cross 1/2: the statistics of the
// section "Where each failure begins" (paper/boundaries.md, claims B2.1,
// B3.1, B3.2), which maps where the failures of the paper's Sections 2 and 3
// begin.
//
// - clopper_pearson: the exact interval of a binomial proportion, C. J.
//   Clopper and E. S. Pearson, "The use of confidence or fiducial limits
//   illustrated in the case of the binomial", Biometrika 26 (1934): for s
//   successes in n trials at level 1 - alpha, the lower end is the p with
//   P(X >= s | p) = alpha/2 (0 when s = 0), the upper end the p with
//   P(X <= s | p) = alpha/2 (1 when s = n). Each end is found by bisection
//   on the binomial distribution function (binomial_cdf, summed in log
//   space with lgamma), to 1e-12.
// - wilson: the score interval, E. B. Wilson, "Probable inference, the law
//   of succession, and statistical inference", JASA 22 (1927):
//   (p + z^2/2n +- z sqrt(p(1-p)/n + z^2/4n^2)) / (1 + z^2/n), z the normal
//   quantile of 1 - alpha/2.
// - mean_interval: the Student t interval of a mean (of paired differences
//   over seeds), mean +- t_{1-alpha/2, n-1} sd / sqrt(n), with the t
//   quantile of lib/analysis/fit.h.
// - fit_logistic: maximum-likelihood logistic regression of 0/1 outcomes on
//   one setting x, P(1 | x) = sigma(a + b x), by Newton's method (iteratively
//   reweighted least squares; e.g. A. Agresti, Categorical Data Analysis,
//   2nd ed., 2002, Section 5.5), and the crossing x50 = -a/b where the
//   fitted rate is 1/2. Its interval is the profile-likelihood interval
//   (Agresti, Section 1.4.2, applied to the model rewritten as
//   sigma(b (x - x0))): the x0 whose profile log-likelihood
//   max_b l(b, x0) is within chi^2_1(level)/2 of the maximum. When the
//   outcomes are separated (every success at one side of every failure, ties
//   at one x allowed) the maximum likelihood does not exist (A. Albert and
//   J. A. Anderson, Biometrika 71, 1984): the slope grows without bound.
//   The fit then says so (`separated`), gives as x50 the middle of the gap
//   between the two groups, and the same profile interval, whose supremum
//   is taken with the slope capped at 10^3 over the smallest spacing of the
//   x's (where the fitted rates are within e^-1000 of 0 and 1).
#ifndef LIB_ANALYSIS_RATES_H_
#define LIB_ANALYSIS_RATES_H_

#include <cstdint>
#include <string>
#include <vector>

namespace fgbdl {

struct Interval {
  double low = 0, high = 0;
};

// P(X <= s) for X ~ Binomial(n, p); s < 0 gives 0, s >= n gives 1.
double binomial_cdf(std::int64_t s, std::int64_t n, double p);

// The standard normal quantile of p, 0 < p < 1 (bisection on erfc).
double normal_quantile(double p);

// Exact (Clopper-Pearson) and Wilson intervals of s successes in n >= 1
// trials, 0 <= s <= n, at `level` in (0, 1). Throw std::invalid_argument.
Interval clopper_pearson(std::int64_t s, std::int64_t n, double level = 0.95);
Interval wilson(std::int64_t s, std::int64_t n, double level = 0.95);

// Mean of `v` (n >= 2 finite values) with its Student t interval.
struct MeanInterval {
  double mean = 0, sd = 0;
  Interval ci;
  std::size_t n = 0;
};
MeanInterval mean_interval(const std::vector<double>& v, double level = 0.95);

// The first x[i] with y[i] >= threshold (x in the order given), or -1 if
// none: e.g. a run's steps to success from its (step, accuracy) curve.
double first_reaching(const std::vector<double>& x, const std::vector<double>& y,
                      double threshold);

struct LogisticFit {
  // P(1 | x) = sigma(a + b x); NaN when separated or when every outcome is
  // the same.
  double a = 0, b = 0;
  double x50 = 0;           // where the fitted rate is 1/2 (NaN: no crossing)
  Interval x50_ci;          // profile likelihood; an end may be +-infinity
  bool separated = false;   // no maximum-likelihood estimate: the slope is unbounded
  bool crossing = true;     // false when every outcome is the same
  double log_likelihood = 0;  // at the fit (its supremum when separated)
  int iterations = 0;       // Newton steps
  std::size_t n = 0;
  // "x50 = 17.3 [15.9, 18.6] (logistic, profile likelihood 95%, n = 260)"
  // or "... separated: ...".
  std::string to_string() const;
};

// Fits y[i] in {0, 1} against x[i] (finite; at least two distinct x). Throws
// std::invalid_argument on bad input.
LogisticFit fit_logistic(const std::vector<double>& x, const std::vector<int>& y,
                         double level = 0.95);

// The profile log-likelihood max_b sum_i log P(y_i | sigma(b (x_i - x0)))
// at x0, the slope capped as above (fit_logistic's interval uses it).
double profile_log_likelihood(const std::vector<double>& x, const std::vector<int>& y, double x0);

}  // namespace fgbdl

#endif  // LIB_ANALYSIS_RATES_H_
