#include "lib/nn/dense.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <stdexcept>
#include <string>

#include "lib/nn/gemm.h"
#include "lib/nn/shape_check.h"

namespace fgbdl {
namespace {

using nn_detail::shape_str;
using nn_detail::throw_shape;

// Throws unless W is [in, out], b is [out], and x is [*, in].
template <class T>
void check_layer(const char* fn, const Dense<T>& layer, const xt::xtensor<T, 2>& x) {
  const std::size_t in = layer.W.shape(0), out = layer.W.shape(1);
  if (layer.b.size() != out)
    throw_shape(fn, "b", "[" + std::to_string(out) + "]", shape_str(layer.b.shape()));
  if (x.shape(1) != in)
    throw_shape(fn, "x", "[*, " + std::to_string(in) + "]", shape_str(x.shape()));
}

}  // namespace

template <class T>
Dense<T> dense_init(std::size_t in, std::size_t out, Engine& rng) {
  Dense<T> layer;
  layer.W = xt::xtensor<T, 2>::from_shape({in, out});
  const double stddev = 1.0 / std::sqrt(static_cast<double>(in));
  for (T& w : layer.W.storage()) w = static_cast<T>(truncated_normal(rng, stddev));
  layer.b = xt::zeros<T>({out});
  layer.dW = xt::zeros<T>({in, out});
  layer.db = xt::zeros<T>({out});
  return layer;
}

template <class T>
void dense_forward(const Dense<T>& layer, const xt::xtensor<T, 2>& x, xt::xtensor<T, 2>& y) {
  check_layer("dense_forward", layer, x);
  if (&y == &x) throw std::invalid_argument("dense_forward: y must not alias x");
  const std::size_t B = x.shape(0), in = layer.W.shape(0), out = layer.W.shape(1);
  nn_detail::resize_if_needed(y, std::array<std::size_t, 2>{B, out});
  // y = b in every row, then y += x W.
  for (std::size_t r = 0; r < B; ++r) std::copy_n(layer.b.data(), out, y.data() + r * out);
  gemm<T>(false, false, B, out, in, x.data(), layer.W.data(), T(1), y.data());
}

template <class T>
void dense_backward(Dense<T>& layer, const xt::xtensor<T, 2>& x, const xt::xtensor<T, 2>& dy) {
  check_layer("dense_backward", layer, x);
  const std::size_t B = x.shape(0), in = layer.W.shape(0), out = layer.W.shape(1);
  if (dy.shape(0) != B || dy.shape(1) != out) {
    throw_shape("dense_backward", "dy", shape_str(std::array<std::size_t, 2>{B, out}),
                shape_str(dy.shape()));
  }
  nn_detail::resize_if_needed(layer.dW, layer.W.shape());
  nn_detail::resize_if_needed(layer.db, layer.b.shape());
  // dW = x^T dy.
  gemm<T>(true, false, in, out, B, x.data(), dy.data(), T(0), layer.dW.data());
  // db = sum over rows of dy.
  T* db = layer.db.data();
  std::fill_n(db, out, T(0));
  for (std::size_t r = 0; r < B; ++r) {
    const T* row = dy.data() + r * out;
    for (std::size_t j = 0; j < out; ++j) db[j] += row[j];
  }
}

template <class T>
void dense_backward_input(const xt::xtensor<T, 2>& M, const xt::xtensor<T, 2>& dy,
                          xt::xtensor<T, 2>& dx) {
  const std::size_t B = dy.shape(0), in = M.shape(0), out = M.shape(1);
  if (dy.shape(1) != out) {
    throw_shape("dense_backward_input", "dy", "[*, " + std::to_string(out) + "]",
                shape_str(dy.shape()));
  }
  if (&dx == &dy) throw std::invalid_argument("dense_backward_input: dx must not alias dy");
  nn_detail::resize_if_needed(dx, std::array<std::size_t, 2>{B, in});
  // dx = dy M^T.
  gemm<T>(false, true, B, in, out, dy.data(), M.data(), T(0), dx.data());
}

#define FGBDL_INSTANTIATE_DENSE(T)                                                               \
  template Dense<T> dense_init<T>(std::size_t, std::size_t, Engine&);                            \
  template void dense_forward<T>(const Dense<T>&, const xt::xtensor<T, 2>&, xt::xtensor<T, 2>&); \
  template void dense_backward<T>(Dense<T>&, const xt::xtensor<T, 2>&,                           \
                                  const xt::xtensor<T, 2>&);                                     \
  template void dense_backward_input<T>(const xt::xtensor<T, 2>&, const xt::xtensor<T, 2>&,      \
                                        xt::xtensor<T, 2>&);
FGBDL_INSTANTIATE_DENSE(float)
FGBDL_INSTANTIATE_DENSE(double)
#undef FGBDL_INSTANTIATE_DENSE

}  // namespace fgbdl
