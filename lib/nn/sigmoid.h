// Logistic sigmoid, s = 1 / (1 + exp(-z)), applied elementwise.
//
// Used by the later sections of the paper: the sigmoid over the k image
// scores at the input of N2 in the Section 3 tuple experiment (paper/sec3_decomposition.md
// E3.1), and the smooth steps of the Section 5 non-flat approximation (E5.2).
//
// Shapes (any [B, n]): z, s, ds, dz all have the shape of z.
//   forward:  s  = 1 / (1 + exp(-z))              (s may be z: in place)
//   backward: dz = ds * s * (1 - s)               (dz may be ds: in place)
// The backward pass takes the forward *output* s, not z. The forward pass is
// stable for large |z|: exp is only evaluated at -|z|, so it never
// overflows, and s saturates to exactly 0 or 1 without NaN.
// Outputs are resized only when their shape differs; shape mismatches throw
// std::invalid_argument. Instantiated for float and double.
#ifndef LIB_NN_SIGMOID_H_
#define LIB_NN_SIGMOID_H_

#include <xtensor/xtensor.hpp>

namespace fgbdl {

template <class T>
void sigmoid_forward(const xt::xtensor<T, 2>& z, xt::xtensor<T, 2>& s);

template <class T>
void sigmoid_backward(const xt::xtensor<T, 2>& s, const xt::xtensor<T, 2>& ds,
                      xt::xtensor<T, 2>& dz);

}  // namespace fgbdl

#endif  // LIB_NN_SIGMOID_H_
