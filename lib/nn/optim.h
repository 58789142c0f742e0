// Optimizers: plain SGD (Section 2 of the paper, paper/sec2_parity.md E2.1: learning
// rate 0.01) and Adam exactly as TensorFlow 1's tf.train.AdamOptimizer, which
// the paper's scripts use in Sections 3 to 5 (E3.1, E3.2, E4.1.x, E5.x).
// Adam: Kingma and Ba, "Adam: A method for stochastic optimization", ICLR
// 2015, in the form of their Section 2 last paragraph ("epsilon hat"), as
// implemented by TensorFlow's ApplyAdam kernel.
//
// Parameters are passed as a list of ParamRef: a weight buffer w and its
// gradient dw, both n contiguous scalars. Build one with param(W, dW).
// Optimizers are instantiated for float and double.
#ifndef LIB_NN_OPTIM_H_
#define LIB_NN_OPTIM_H_

#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <variant>
#include <vector>

namespace fgbdl {

template <class T>
struct ParamRef {
  T* w;         // [n] weights, updated in place
  const T* dw;  // [n] gradient of the loss with respect to w
  std::size_t n;
};

// A ParamRef over two same-size contiguous xtensor containers (xtensor,
// xarray, ...), e.g. param(layer.W, layer.dW). T defaults to the value type
// of w and may be given explicitly (param<float>(W, dW)). Throws
// std::invalid_argument when the sizes differ.
template <class T = void, class E1, class E2>
auto param(E1& w, const E2& dw) {
  using V = std::conditional_t<std::is_void_v<T>, typename E1::value_type, T>;
  static_assert(
      std::is_same_v<V, typename E1::value_type> && std::is_same_v<V, typename E2::value_type>,
      "param: w and dw must both hold scalars of type T");
  if (w.size() != dw.size()) {
    throw std::invalid_argument("param: dw has " + std::to_string(dw.size()) +
                                " elements, expected " + std::to_string(w.size()) +
                                " (the size of w)");
  }
  return ParamRef<V>{w.data(), dw.data(), w.size()};
}

// Stochastic gradient descent: w -= lr * dw, in T arithmetic.
struct Sgd {
  double lr;
  template <class T>
  void step(const std::vector<ParamRef<T>>& params) const;
};

// Adam as TensorFlow 1's AdamOptimizer (training_ops.cc, ApplyAdam), all in
// T arithmetic: at step t = 1, 2, ...
//   beta1^t, beta2^t kept as running products (as TF's beta*_power)
//   lr_t = lr * sqrt(1 - beta2^t) / (1 - beta1^t)
//   m = beta1 m + (1 - beta1) g        (computed as m += (g - m)(1 - beta1))
//   v = beta2 v + (1 - beta2) g^2      (computed as v += (g^2 - v)(1 - beta2))
//   w -= lr_t m / (sqrt(v) + eps)
// m, v start at 0 and are sized on the first step. A later step whose
// parameter list differs in count or sizes throws std::logic_error (the
// state would belong to other parameters).
//
// The state is open so that a checkpoint can save and restore it
// (experiments/sec3_decomposition/tuple_training.cc): a run continued from
// a copy of its state is bit-identical to an uninterrupted one.
template <class T>
struct AdamState {
  std::vector<std::vector<T>> m, v;  // one [n] moment pair per parameter
  T beta1_power = 1, beta2_power = 1;
  std::int64_t t = 0;  // steps taken (TensorFlow's t)
};
template <class T>
void adam_step(AdamState<T>& state, double lr, double beta1, double beta2, double eps,
               const std::vector<ParamRef<T>>& params);

// adam_step with its hyper-parameters and state held: the first step fixes
// the scalar type; a later step with another one throws std::logic_error.
class Adam {
 public:
  explicit Adam(double lr, double beta1 = 0.9, double beta2 = 0.999, double eps = 1e-8);

  template <class T>
  void step(const std::vector<ParamRef<T>>& params);

  // Number of steps taken so far (TensorFlow's t).
  long steps() const { return t_; }

 private:
  double lr_, beta1_, beta2_, eps_;
  long t_ = 0;
  std::variant<std::monostate, AdamState<float>, AdamState<double>> state_;
};

namespace nn_detail {
// adam_step's float update of n entries with c1 = 1 - beta1, c2 = 1 - beta2:
// four entries at a time (SSE4.1), or eight (AVX2, which adam_step uses
// when the processor has it). Open for the tests, which check both against
// the formula.
void adam_update_float(bool avx2, float c1, float c2, float lr_t, float eps, const float* g,
                       float* m, float* v, float* w, std::size_t n);
}  // namespace nn_detail

}  // namespace fgbdl

#endif  // LIB_NN_OPTIM_H_
