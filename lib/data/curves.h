// Piecewise-linear curves of the paper's Section 4.1 ("Vector-valued
// encoding of piecewise-linear curves"; paper/sec4_conditioning.md, C4.0, L1):
//   f(x) = sum_{i=1..k} a_i [x - theta_i]_+,
// sampled at n points, and their encoding p in R^n, which is linear in f:
// f = W p with W_ij = [i - j + 1]_+ (1-based), and p = U f with U = W^{-1}
// the convolution with [1, -2, 1] (Lemma 1).
//
// Grid convention. With p_j = sum_i a_i 1[theta_i = j] (0-based j) and
// f = W p, row r (0-based) of f is f(x) at x = r + 1, i.e. the curve is
// sampled at the paper's x in [n] = {1, .., n} with kinks theta in
// {0, .., n-1}: f_r = sum_i a_i [r + 1 - theta_i]_+. (Sampled at
// x = 0 .. n-1 instead, f = W p would be off by one sample.) The
// authors' script PWL_fail1.py builds f = p W^T on the same grid (its
// `create_data`), so its curves are on this grid too.
//
// Four distributions of (theta, a) (paper/sec4_conditioning.md, row "Section 4 data",
// and A6):
// - kPaper: theta_1..k uniform without replacement in {0, .., n-1},
//   a_i i.i.d. U[-1, 1].
// - kAppendix (Appendix A.6, the setting of its Theta(n^3) argument for the
//   3-tap patches, A6 in paper/sec4_conditioning.md): the paper's kinks (theta_1..k uniform
//   without replacement in {0, .., n-1}) with unit slope changes, a_i i.i.d.
//   uniform on {-1, +1}. Of the readings of the appendix's "+-1 slopes",
//   this is the one in which every kink changes the slope by +-1
//   (so every slope of the curve is an integer in [-k, k], and the second
//   difference [1, -2, 1] . patch is +-1 at a kink and 0 elsewhere, the
//   quantity the appendix's bound lambda_3 <= O(k/n) counts).
// - kScript (E4.1.1-3, PWL_fail1.py `FtoKTrainer.create_data`): k = 3 kinks
//   theta = 3 + a sorted sample of 3 distinct values of {0, .., n-7}
//   (numpy's choice(n - 6, 3, replace=False)), and the slopes after the
//   kinks one of the 4 patterns {(1,-1,1), (1,-2,1), (-2,1,-1), (1,-1,2)},
//   each with probability 1/4; a_i is the change of slope at theta_i
//   (a_1 = s_1, a_i = s_i - s_{i-1}), so every slope of the curve is in
//   {-2, -1, 0, 1, 2} and |a_i| <= 3.
// - kScriptContinuous (E4.1.4, PWL_fail1.py `FAutoEncoderTrainer`):
//   theta_i i.i.d. U[0, n), a_i i.i.d. U[-1, 1], sampled as the script does
//   at x = r (0-based): f_r = sum_i a_i [r - theta_i]_+. theta is off the
//   grid, so p is left zero.
#ifndef LIB_DATA_CURVES_H_
#define LIB_DATA_CURVES_H_

#include <cstddef>
#include <string>
#include <xtensor/xtensor.hpp>

#include "lib/core/rng.h"

namespace fgbdl {

enum class CurveDistribution { kPaper, kScript, kScriptContinuous, kAppendix };

// "paper", "script", "script_continuous", "appendix". parse throws std::invalid_argument
// on any other name.
CurveDistribution parse_curve_distribution(const std::string& name);
std::string to_string(CurveDistribution d);

// Draws `count` curves with k kinks, one after the other from `rng`, into the
// rows of f [count, n] and p [count, n] (both resized; p may be nullptr).
// p is all zero for kScriptContinuous. Throws std::invalid_argument unless
// n >= 1 and 1 <= k <= n (kPaper, kAppendix), k = 3 and n >= 9 (kScript),
// k >= 1 (kScriptContinuous).
void sample_curves(CurveDistribution dist, int n, int k, std::size_t count, Engine& rng,
                   xt::xtensor<double, 2>* f, xt::xtensor<double, 2>* p);

// W [n, n] with W_ij = [i - j + 1]_+ (1-based): lower triangular,
// W_ij = i - j + 1 on and below the diagonal. n >= 1.
xt::xtensor<double, 2> curve_matrix_W(int n);

// Lemma 1's U = W^{-1} [n, n]: U_ii = U_{i+2,i} = 1, U_{i+1,i} = -2, else 0.
xt::xtensor<double, 2> curve_matrix_U(int n);

}  // namespace fgbdl

#endif  // LIB_DATA_CURVES_H_
