// Tensor aliases used throughout the package.
//
// float32 (`Matrix`, `Vector`) for training, as the paper's experiments;
// float64 (`MatrixD`, `VectorD`) where a claim is about exact identities or
// about values below float32 resolution (paper/design.md, Numerics). All tensors
// are row-major and contiguous, so their storage can be handed to BLAS.
#ifndef LIB_CORE_TENSOR_H_
#define LIB_CORE_TENSOR_H_

#include <xtensor/xtensor.hpp>

namespace fgbdl {

using Matrix = xt::xtensor<float, 2>;   // [rows, cols]
using Vector = xt::xtensor<float, 1>;   // [n]
using MatrixD = xt::xtensor<double, 2>;
using VectorD = xt::xtensor<double, 1>;

}  // namespace fgbdl

#endif  // LIB_CORE_TENSOR_H_
