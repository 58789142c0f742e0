// Rectified linear unit, a = [z]_+ = max(z, 0), applied elementwise.
//
// The hidden activation of the Section 2 parity network (paper/sec2_parity.md E2.1,
// dense d -> 10d ReLU) and of the later sections' networks.
//
// Shapes (any [B, n]): z, a, da, dz all have the shape of z.
//   forward:  a  = max(z, 0)                      (a may be z: in place)
//   backward: dz = da * 1[z > 0]                  (dz may be da: in place)
// At z = 0 the derivative is taken as 0, as TensorFlow's ReluGrad does.
// Outputs are resized only when their shape differs; shape mismatches throw
// std::invalid_argument. Instantiated for float and double.
#ifndef LIB_NN_RELU_H_
#define LIB_NN_RELU_H_

#include <xtensor/xtensor.hpp>

namespace fgbdl {

template <class T>
void relu_forward(const xt::xtensor<T, 2>& z, xt::xtensor<T, 2>& a);

template <class T>
void relu_backward(const xt::xtensor<T, 2>& z, const xt::xtensor<T, 2>& da, xt::xtensor<T, 2>& dz);

}  // namespace fgbdl

#endif  // LIB_NN_RELU_H_
