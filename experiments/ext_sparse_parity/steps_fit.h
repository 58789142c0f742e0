// Steps-to-learn against the input dimension, for claim X6
// (paper/ext_sparse_parity.md): the source (Barak et al. 2022, Section 4)
// states that SGD learns an (n, k)-sparse parity in n^O(k) steps; per k the
// package fits
//
//   log2 T = a + beta_k log2 n + e
//
// by least squares over the runs (one point per seed, lib/analysis/fit.h),
// with the regression's 95% t interval for beta_k (t_{0.975, m-2}, m runs).
//
// Censored runs (not solved within the step budget) are never dropped
// silently: an n at which any run is censored is left out of the fit as a
// whole (fitting only the solved runs there would bias T downwards), and the
// fit reports how many runs and which n it left out.
#ifndef EXPERIMENTS_EXT_SPARSE_PARITY_STEPS_FIT_H_
#define EXPERIMENTS_EXT_SPARSE_PARITY_STEPS_FIT_H_

#include <cstddef>
#include <vector>

#include "lib/analysis/fit.h"

namespace fgbdl {

// One run: its n, the step at which it was solved (or its budget), and
// whether it was solved.
struct StepsPoint {
  double n = 0;
  double steps = 0;
  bool solved = false;
};

struct StepsFit {
  LineFit fit;                   // rate = beta_k, the interval its 95% t interval
  std::size_t runs = 0;          // runs in the fit
  std::size_t censored = 0;      // censored runs (all left out)
  std::vector<double> left_out;  // the n with a censored run, increasing
};

// Throws std::invalid_argument (from fit_line) when fewer than 3 runs at 2
// distinct n remain, or when a steps value is not positive.
StepsFit fit_steps_exponent(const std::vector<StepsPoint>& runs);

}  // namespace fgbdl

#endif  // EXPERIMENTS_EXT_SPARSE_PARITY_STEPS_FIT_H_
