// Random parities: the data of the paper's Section 2 (experiment E2.1,
// Theorem 1 with Corollary 2.2, Lemma 3).
//
// x is uniform on {±1}^d; a hidden subset S of the d coordinates defines
// the label y = chi_S(x) = prod_{i in S} x_i. The paper writes x in {0,1}^d
// and y = (-1)^<x, v*>: the same problem under x -> (-1)^x with S = supp v*.
// As the authors' scripts, S holds each coordinate with probability 1/2;
// unlike them, an empty S (a constant label, probability 2^-d) is redrawn.
#ifndef LIB_DATA_PARITY_H_
#define LIB_DATA_PARITY_H_

#include <cstdint>
#include <vector>

#include "lib/core/rng.h"
#include "lib/core/tensor.h"

namespace fgbdl {

struct Parity {
  int d = 0;                      // input dimension, 1..64
  std::vector<bool> in_subset;    // [d]: i in S
};

// A parity over d coordinates with a random non-empty subset S.
Parity draw_parity(int d, Engine& rng);

// chi_S(x) for one x in {±1}^d.
float parity_label(const Parity& parity, const float* x);

// Fills x [B, d] with fresh uniform ±1 entries and y [B, 1] with chi_S(x);
// x and y are resized only when their shapes differ.
void sample_parity_batch(const Parity& parity, std::size_t batch, Engine& rng, Matrix& x,
                         Matrix& y);

}  // namespace fgbdl

#endif  // LIB_DATA_PARITY_H_
