// Conditioning of the Section 4 problems as functions of n (paper/sec4_conditioning.md T3(c),
// A6 and the whitening of E4.1.3; the figure c4_conditioning):
// - cond_W: S_11^2 / S_nn^2 of W, the condition number that governs SGD on
//   the fully connected encoder (Theorem 3);
// - the 3x3 second moment C of the 3-tap patches [f_{t-1}, f_t, f_{t+1}]
//   of random curves (Appendix A.6; the paper's, the script's and the
//   appendix's curve distributions), whose condition number governs the
//   convolutional encoder, and how well C^{-1/2} estimated on one sample of
//   curves conditions the patches of a fresh sample (the explicit
//   conditioning of Section 4.1, PWL_fail1.py `FtoKConvCondTrainer`).
#ifndef EXPERIMENTS_SEC4_CONDITIONING_PATCH_CONDITIONING_H_
#define EXPERIMENTS_SEC4_CONDITIONING_PATCH_CONDITIONING_H_

#include <cstddef>
#include <cstdint>
#include <xtensor/xtensor.hpp>

#include "lib/core/rng.h"
#include "lib/data/curves.h"

namespace fgbdl {

// S_11^2 / S_nn^2 for the singular values of W (n x n, lib/data/curves.h).
double cond_W(int n);

// The second moment (1/m) sum r r^T of the m = count (n - 2) patches of
// `count` fresh curves of `dist` with 3 kinks, accumulated curve by curve in
// chunks (the patch matrix is never formed). n >= 3 (>= 9 for the script).
xt::xtensor<double, 2> patch_second_moment(CurveDistribution dist, int n, std::size_t count,
                                           Engine& rng);

// cond(S C S): the condition number of the second moment C of patches after
// the linear map S (S = C_train^{-1/2} whitens them).
double whitened_condition_number(const xt::xtensor<double, 2>& S, const xt::xtensor<double, 2>& C);

// One row of the c4_conditioning figure: for curves of length n, the
// condition number of W, of the patch second moment under the paper's, the
// script's and Appendix A.6's curves (`count` curves each; lib/data/curves.h),
// and of the fresh-sample patch second moment after whitening with C^{-1/2}
// of an independent training sample of `count` curves. Engines:
// derive_engine(seed, 4 n + i), i = 0 paper train, 1 paper fresh, 2 script
// train, 3 script fresh; derive_engine(seed, 2^32 + 2 n + j), j = 0 appendix
// train, 1 appendix fresh (streams of their own, so the paper and script
// columns are those of the runs made before the appendix column existed).
struct ConditioningRow {
  int n = 0;
  double cond_W = 0;
  double cond_patch_paper = 0;
  double cond_patch_script = 0;
  double cond_patch_appendix = 0;
  double cond_whitened_fresh_paper = 0;
  double cond_whitened_fresh_script = 0;
  double cond_whitened_fresh_appendix = 0;
};
ConditioningRow conditioning_row(int n, std::size_t count, std::uint64_t seed);

}  // namespace fgbdl

#endif  // EXPERIMENTS_SEC4_CONDITIONING_PATCH_CONDITIONING_H_
