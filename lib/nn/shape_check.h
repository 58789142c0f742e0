// Shape checks shared by the layers, losses and optimizers of lib/nn
// (internal to lib/nn). A mismatch throws std::invalid_argument whose message
// names the function, the argument, the expected and the actual shape, e.g.
// "dense_forward: x has shape [4, 5], expected [*, 3]" ('*' = any size).
#ifndef LIB_NN_SHAPE_CHECK_H_
#define LIB_NN_SHAPE_CHECK_H_

#include <cstddef>
#include <stdexcept>
#include <string>

namespace fgbdl::nn_detail {

// "[2, 3]" for any shape container.
template <class S>
std::string shape_str(const S& shape) {
  std::string out = "[";
  for (std::size_t i = 0; i < shape.size(); ++i) {
    if (i > 0) out += ", ";
    out += std::to_string(shape[i]);
  }
  return out + "]";
}

[[noreturn]] inline void throw_shape(const char* fn, const char* arg, const std::string& expected,
                                     const std::string& actual) {
  throw std::invalid_argument(std::string(fn) + ": " + arg + " has shape " + actual +
                              ", expected " + expected);
}

// Throws unless `t` has exactly the shape of `ref`.
template <class A, class R>
void require_same_shape(const char* fn, const char* arg, const A& t, const R& ref) {
  if (t.shape() != ref.shape()) throw_shape(fn, arg, shape_str(ref.shape()), shape_str(t.shape()));
}

// Resizes `t` to `shape` only when its shape differs (no allocation otherwise).
template <class A, class S>
void resize_if_needed(A& t, const S& shape) {
  if (!(t.shape() == shape)) t.resize(shape);
}

}  // namespace fgbdl::nn_detail

#endif  // LIB_NN_SHAPE_CHECK_H_
