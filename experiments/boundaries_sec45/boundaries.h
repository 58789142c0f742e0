// What the boundaries of paper/boundaries_sec45.md (claims B4.1 and B5) are
// computed with, from the runs of b4_1_steps and b5_sweep:
//
//   steps_to_level   B4.1: the first step at which a run's relative error
//                    e(t)/e(0) reaches a stated level, interpolated linearly
//                    in (log t, log e) between the two logged steps around
//                    the crossing; a run that never reaches it is censored
//                    (at its last logged step, the cap).
//   mean_t_interval  B5: the mean over seeds with its two-sided Student t
//                    interval, mean ± t_{(1+conf)/2, m-1} sd / sqrt(m).
//   up_crossing      B5: the first x, going up a grid, at which y rises
//                    above a level, by linear interpolation of y in log x
//                    (the boundary c* of the approximation's sharpness, and
//                    the ends of its interval from the ends of the means' t
//                    intervals).
//   paired_t         B5: Student's paired t test over seeds (two-sided).
//
// The t distribution is lib/analysis/fit.h's (Abramowitz and Stegun 26.7).
#ifndef EXPERIMENTS_BOUNDARIES_SEC45_BOUNDARIES_H_
#define EXPERIMENTS_BOUNDARIES_SEC45_BOUNDARIES_H_

#include <vector>

namespace fgbdl {

struct LevelStep {
  double steps = 0;      // interpolated step of the crossing, or the cap if censored
  bool reached = false;  // false: censored
};

// `step` ascending (step[0] may be 0), `relative` the relative errors there
// (same length, >= 1 entry), 0 < level. A non-finite error ends the search
// (a diverged run is censored at its last finite step). A crossing at the
// first positive step after step 0 is that step. Throws
// std::invalid_argument on mismatched lengths, an empty run or a bad level.
LevelStep steps_to_level(const std::vector<double>& step, const std::vector<double>& relative,
                         double level);

struct MeanInterval {
  double mean = 0, low = 0, high = 0;  // low = high = mean when m < 2
  double sd = 0;                       // sample standard deviation (m - 1)
  int m = 0;                           // values
};

// Throws std::invalid_argument when `v` is empty or has a non-finite value,
// or unless 0 < confidence < 1.
MeanInterval mean_t_interval(const std::vector<double>& v, double confidence = 0.95);

// x ascending and positive, y the same length (>= 1). The first i with
// y[i] > level: -infinity if i = 0 (above the level at the whole grid's
// start), else the x between x[i-1] and x[i] where the line through
// (log x[i-1], y[i-1]) and (log x[i], y[i]) meets the level; +infinity if
// y never rises above it.
double up_crossing(const std::vector<double>& x, const std::vector<double>& y, double level);

struct PairedT {
  double mean_difference = 0;  // mean of a - b
  double t = 0;                // mean / (sd / sqrt(m)); 0 if every difference is 0
  double p_two_sided = 1;      // P(|T| >= |t|), T ~ t_{m-1}
  int dof = 0;
};

// Pairs a[i], b[i]; needs at least 2 pairs of finite values (throws
// std::invalid_argument otherwise). Identical non-zero differences give
// t = +-infinity and p = 0.
PairedT paired_t(const std::vector<double>& a, const std::vector<double>& b);

}  // namespace fgbdl

#endif  // EXPERIMENTS_BOUNDARIES_SEC45_BOUNDARIES_H_
