// Theorem 1 of the paper (Section 2; T1 in paper/sec2_parity.md) at a fixed random
// network: the exact gradient variance over all 2^d parities of {±1}^d, for
// the square and the hinge loss, next to G(w)^2 = E_x ||d p / dw||^2 and the
// theorem's bound G(w)^2 / 2^d.
//
// Network: the E2.1 architecture p(x) = a · relu(W^T x + b) + c (dense
// d -> width with ReLU, dense width -> 1) at lib/nn's initialization
// (truncated normal, std 1/sqrt(fan_in), biases 0), drawn from
// derive_engine(seed, d): one network per d, the same for both losses.
// Exact arithmetic path: per-sample gradients on all 2^d inputs, then the
// Walsh-Hadamard transform (lib/analysis/gradient_variance.h), float64.
#ifndef EXPERIMENTS_SEC2_PARITY_T1_VARIANCE_LIB_H_
#define EXPERIMENTS_SEC2_PARITY_T1_VARIANCE_LIB_H_

#include <cstddef>
#include <cstdint>

#include "lib/analysis/per_sample_gradients.h"

namespace fgbdl {

struct FixedNetVariance {
  int d = 0;
  double var_square = 0.0;  // Var(H, F, w), square loss, H = all parities
  double var_hinge = 0.0;   // the same for the hinge loss
  double G2 = 0.0;          // E_x ||g(x)||^2
  double bound = 0.0;       // G2 / 2^d
};

// The network used for dimension d (see above).
TwoLayerNet t1_fixed_net(int d, std::size_t width, std::uint64_t seed);

// Exact values for that network; d in [1, 20] (memory 2^d * P doubles).
FixedNetVariance t1_fixed_net_variance(int d, std::size_t width, std::uint64_t seed);

}  // namespace fgbdl

#endif  // EXPERIMENTS_SEC2_PARITY_T1_VARIANCE_LIB_H_
