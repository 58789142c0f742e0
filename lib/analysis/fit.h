// Straight-line fits for decay rates: least squares of log2(y) against x.
//
// Used for the exponential decays of the gradient variance in Section 2 of
// the paper (Theorem 1: Var <= G^2 2^-d, a log2-rate of -1 per bit; Theorem
// 2: Var decays exponentially in the radius r; paper/sec2_parity.md T1, T2).
//
// Model: log2(y_i) = intercept + rate * x_i + e_i, fitted by (optionally
// weighted) least squares, minimising sum_i w_i (log2 y_i - intercept -
// rate x_i)^2. The standard error is the textbook one with the residual
// scale estimated from the data (weights are relative, as in weighted
// least squares with unknown scale):
//   s^2 = sum_i w_i e_i^2 / (n - 2),  se(rate) = s / sqrt(sum_i w_i (x_i - xbar_w)^2),
// and the 95% confidence interval is rate ± t_{0.975, n-2} se(rate), with the
// Student t quantile computed here (student_t_quantile).
//
// The t distribution function for integer degrees of freedom nu is computed
// exactly by the finite series of Abramowitz and Stegun, Handbook of
// Mathematical Functions (1964), 26.7.3 (nu odd) and 26.7.4 (nu even), for
// A(t | nu) = P(|T| <= t); the quantile inverts it by bisection to full
// double precision.
#ifndef LIB_ANALYSIS_FIT_H_
#define LIB_ANALYSIS_FIT_H_

#include <cstddef>
#include <string>
#include <vector>

namespace fgbdl {

struct LineFit {
  double rate = 0.0;        // slope of log2(y) per unit x
  double intercept = 0.0;   // log2(y) at x = 0
  double rate_se = 0.0;     // standard error of the slope
  double ci_low = 0.0;      // 95% confidence interval of the slope
  double ci_high = 0.0;
  double t_quantile = 0.0;  // t_{0.975, n-2} used for the interval
  std::size_t n = 0;        // number of points
  double residual_sd = 0.0; // s (in log2 units, for unit weights)

  // "rate ± half-width [low, high] (n points)" for logs and test properties.
  std::string to_string() const;
};

// Least-squares fit of z = intercept + rate * x (z given directly). `weights`
// empty means all 1; otherwise one positive finite weight per point. Needs
// n >= 3 points and at least two distinct x. Throws std::invalid_argument.
LineFit fit_line(const std::vector<double>& x, const std::vector<double>& z,
                 const std::vector<double>& weights = {});

// The same fit for log2(y): every y must be positive and finite.
LineFit fit_log2_line(const std::vector<double>& x, const std::vector<double>& y,
                      const std::vector<double>& weights = {});

// P(T <= t) for Student's t with `dof` >= 1 degrees of freedom.
double student_t_cdf(double t, int dof);

// The p-quantile of Student's t with `dof` >= 1 degrees of freedom,
// 0 < p < 1.
double student_t_quantile(double p, int dof);

}  // namespace fgbdl

#endif  // LIB_ANALYSIS_FIT_H_
