// Claim X1 of the extension "Beyond the paper I" (paper/ext_sharing.md):
// weight sharing is crucial to optimization (Shalev-Shwartz, Shamir,
// Shammah 2017, arXiv 1706.00687). The source's experiments are not public;
// this is the package's own setting of its stated claim.
//
// Targets whose frequency content is a parameter. The input is k patches
// x_1, ..., x_k in R^d, each N(0, I_d); a hidden filter u* (a unit vector
// drawn per seed) turns patch i into a bit z_i = sign(u*^T x_i), uniform on
// {±1} and independent across patches. The target is a sum of Walsh
// characters chi_S(z) = prod_{i in S} z_i of three degrees:
//
//   y = low chi_{1}(z) + mid chi_{1..j}(z) + high chi_{1..k}(z),
//
// degree 1 (low), j (mid, 2 <= j < k) and k (high). The ConvNet of
// lib/train/patch_net.h learns it with shared filters and with unshared
// (locally connected) ones, from the same initial function, on the same
// batches, with the squared loss (1/B) sum (f - y)^2 / 2.
//
// Error per frequency band: on a held-out set of n samples, the Walsh
// coefficients of the residual r = f - y over the bits z,
// c_S = (1/n) sum_i r(x_i) chi_S(z_i) for every S of [k] (a fast
// Walsh-Hadamard transform of the residual summed per bit pattern), and the
// band errors sum_{S in band} c_S^2 for the bands low (|S| <= 1), mid
// (2 <= |S| <= k - 1) and high (|S| = k). With f = 0 the band errors are the
// target's own energy per band: the error of a learner that learned nothing
// there.
//
// Randomness: derive_engine(seed, stream), one stream per purpose (the
// filter u*, the held-out set, the networks' initialization, the batches).
#ifndef EXPERIMENTS_EXT_SHARING_SHARING_TRAINING_H_
#define EXPERIMENTS_EXT_SHARING_SHARING_TRAINING_H_

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "lib/core/rng.h"
#include "lib/core/tensor.h"
#include "lib/io/results.h"

namespace fgbdl {

struct FrequencyTarget {
  std::size_t positions = 6;   // k
  std::size_t patch = 8;       // d
  std::size_t mid_degree = 3;  // j
  double low = 0, mid = 0, high = 0;
  std::vector<float> u;        // u*, unit norm, [d]
};

// u* uniform on the unit sphere (a normalized Gaussian vector) from `rng`.
// Throws std::invalid_argument unless 1 <= k <= 16, d >= 1 and, with
// mid != 0, 2 <= j <= k - 1.
FrequencyTarget draw_frequency_target(std::size_t positions, std::size_t patch,
                                      std::size_t mid_degree, double low, double mid,
                                      double high, Engine& rng);

// B samples: x [B, k d], y [B, 1], and the bits' patterns (bit i of masks[r]
// set when z_i = -1 for sample r).
void sample_frequency_batch(const FrequencyTarget& t, std::size_t B, Engine& rng, Matrix& x,
                            Matrix& y, std::vector<std::uint32_t>& masks);

struct BandErrors {
  double mse = 0;  // (1/n) sum (f - y)^2
  double low = 0, mid = 0, high = 0;
};

// The band errors of predictions f [n, 1] against y [n, 1] over k bits.
BandErrors band_errors(const Matrix& f, const Matrix& y, const std::vector<std::uint32_t>& masks,
                       std::size_t positions);

struct SharingSettings {
  std::int64_t positions = 6, patch = 8, filters = 4, hidden = 64;
  std::int64_t mid_degree = 3;
  double low = 1, mid = 1, high = 1;  // scaled together to unit energy
  std::int64_t steps = 20000;
  std::int64_t batch = 64;
  std::string optimizer = "adam";
  double lr = 1e-3;
  std::int64_t eval_every = 1000;
  std::int64_t eval_samples = 16384;
};

// One run: columns step, then mse, low, mid, high of the shared network,
// then of the unshared one, then target_low, target_mid, target_high (the
// band errors of f = 0). The coefficients are scaled so that
// low^2 + mid^2 + high^2 = 1 (a target of unit variance). A run in which a
// network diverges ends at the first divergence (lib/train/curves.h).
Table sharing_run(const SharingSettings& s, std::uint64_t seed, RunStatus& status,
                  const std::function<void(std::int64_t)>& on_step = {});

}  // namespace fgbdl

#endif  // EXPERIMENTS_EXT_SHARING_SHARING_TRAINING_H_
