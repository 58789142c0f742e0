// Step-function targets: the data of the paper's Section 5, "Flat
// activations" (experiments E5.2 to E5.5, Figure 7; paper/sec5_flat.md).
//
// The target is y(x) = u(v*^T x + b*), where u is a non-decreasing step
// function that rounds down to the nearest of known thresholds
// z_0 < z_1 < ... < z_m:
//   u(r) = z_i for z_i <= r < z_{i+1},   u(r) = z_m for r >= z_m,
//   u(r) = z_0 for r < z_0 (below the first threshold; never reached by the
//   data: z_0 = b* - 100 while r - b* has standard deviation 0.1).
// As the authors' script (step_learn.py): x ~ N(0, I_d) / 100 with d = 100,
// v* ~ N(0, I_d), b* ~ N(0, 1), and the thresholds are b* plus
//   script: {-100, -95, ..., 95} united with {-5, -4, -3, -2, -1, -0.2, 0, 0.1,
//           0.15, 0.175, 1, 2, 3, 4, 5}: 40 + 15 = 55 values, of which -5, 0
//           and 5 appear twice, so 52 distinct thresholds;
//   paper:  the paper's "55 steps". The paper does not list them; we take the
//           script's list without its three collisions by moving the coarse
//           grid half a step, {-97.5, -92.5, ..., 97.5} united with the same
//           15 fine values: 55 distinct thresholds. Near b* (where the data
//           lie, |r - b*| < 0.5 with probability 1 - 6e-7) both sets agree.
// The smooth approximation of E5.2 is the script's: with the widths
// D_i = z_{i+1} - z_i (i = 0..m-1) and L = 10,
//   u~(r) = z_0 + sum_i D_i sigmoid(c L (r - z_{i+1} + D_i / (2L)) / D_i),
// one sigmoid per step, centred just below z_{i+1}, with slope c L / D_i
// (c = 5 in the script, "just_const").
#ifndef LIB_DATA_STEP_TARGETS_H_
#define LIB_DATA_STEP_TARGETS_H_

#include <cstddef>
#include <string>
#include <vector>

#include "lib/core/rng.h"
#include "lib/core/tensor.h"

namespace fgbdl {

enum class StepThresholds { kScript, kPaper };

// "script" or "paper"; the inverse throws std::invalid_argument.
std::string to_string(StepThresholds t);
StepThresholds step_thresholds_from_name(const std::string& name);

// The thresholds relative to b*, sorted and distinct: 52 (script) or 55 (paper).
std::vector<double> step_threshold_offsets(StepThresholds t);

// Not in the paper: `count` thresholds evenly spaced over [-0.5, 0.5]
// relative to b*, -0.5 + i / (count - 1) for i = 0 .. count - 1 (the data's
// r - b* has standard deviation about 0.1, so every one is within reach);
// the family over which paper/boundaries_sec45.md (B5) varies the number of
// thresholds. Throws std::invalid_argument unless 2 <= count <= 10000.
std::vector<double> even_threshold_offsets(int count);

// A drawn target: v* [d], b*, and the thresholds z = b* + offsets, sorted.
struct StepTarget {
  std::vector<double> v_star;  // [d]
  double b_star = 0;
  std::vector<double> z;       // [m + 1], z_0 < ... < z_m
};

// v* ~ N(0, I_d) (drawn first, in order), then b* ~ N(0, 1).
// Throws std::invalid_argument unless 1 <= d <= 2^20.
StepTarget draw_step_target(std::size_t d, StepThresholds t, Engine& rng);
// The same draw with the thresholds b* + `offsets` (sorted, distinct).
StepTarget draw_step_target(std::size_t d, const std::vector<double>& offsets, Engine& rng);

// The index i of the step containing r: the largest i with z_i <= r, or 0
// when r < z_0. u(r) = z[step_index(z, r)].
std::size_t step_index(const std::vector<double>& z, double r);
double step_u(const std::vector<double>& z, double r);

// u~(r) and its derivative du~/dr, as defined at the top (c > 0).
constexpr double kStepSigmoidL = 10.0;
double step_u_tilde(const std::vector<double>& z, double c, double r);
double step_u_tilde_derivative(const std::vector<double>& z, double c, double r);

// One batch: x [B, d] with i.i.d. N(0, 1/100^2) entries (row-major order, by
// the Box-Muller transform in float on pairs of 24-bit uniforms from one
// 64-bit draw: one draw per two entries, |x| <= 5.8 / 100; ln, sin and cos
// from box_muller.h, within 2.1e-7 of the exact transform), the
// pre-activations r [B] = v*^T x + b* (accumulated in double from the float
// x) and the labels y [B, 1] = u(r). Outputs are resized when needed.
void sample_step_batch(const StepTarget& target, std::size_t batch, Engine& rng, Matrix& x,
                       std::vector<double>& r, Matrix& y);

}  // namespace fgbdl

#endif  // LIB_DATA_STEP_TARGETS_H_
