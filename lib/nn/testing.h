// Test helpers for lib/nn (testonly): random matrices drawn inside a
// rapidcheck property (shrinkable: entries come from integers), central
// finite differences, and error norms.
#ifndef LIB_NN_TESTING_H_
#define LIB_NN_TESTING_H_

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <stdexcept>
#include <string>
#include <vector>
#include <xtensor/xtensor.hpp>

#include "rapidcheck.h"

namespace fgbdl::nn_testing {

// A [rows, cols] matrix of values uniform on the grid {k scale / 10^6 :
// |k| <= 10^6} (so in [-scale, scale]). Call only inside a rapidcheck property.
inline xt::xtensor<double, 2> gen_matrix(std::size_t rows, std::size_t cols, double scale = 1.0) {
  constexpr int kSteps = 1000000;
  const auto ints =
      *rc::gen::container<std::vector<int>>(rows * cols, rc::gen::inRange(-kSteps, kSteps + 1));
  xt::xtensor<double, 2> m = xt::xtensor<double, 2>::from_shape({rows, cols});
  for (std::size_t i = 0; i < ints.size(); ++i) m.data()[i] = scale * ints[i] / kSteps;
  return m;
}

// d f / d t by central differences (f(t + h e_i) - f(t - h e_i)) / 2h for
// every entry i of t; f reads t, which is restored after each entry.
template <class Tensor, class F>
Tensor central_difference(Tensor& t, F f, double h) {
  Tensor g = Tensor::from_shape(t.shape());
  for (std::size_t i = 0; i < t.size(); ++i) {
    const double saved = t.data()[i];
    t.data()[i] = saved + h;
    const double up = f();
    t.data()[i] = saved - h;
    const double down = f();
    t.data()[i] = saved;
    g.data()[i] = (up - down) / (2 * h);
  }
  return g;
}

// max_i |a_i - b_i|; infinity when the shapes differ.
template <class A, class B>
double max_abs_diff(const A& a, const B& b) {
  if (a.size() != b.size()) return INFINITY;
  double worst = 0;
  for (std::size_t i = 0; i < a.size(); ++i) {
    worst = std::max(
        worst, std::fabs(static_cast<double>(a.data()[i]) - static_cast<double>(b.data()[i])));
  }
  return worst;
}

// sum_i a_i b_i.
template <class A, class B>
double dot(const A& a, const B& b) {
  double s = 0;
  for (std::size_t i = 0; i < a.size(); ++i) s += static_cast<double>(a.data()[i]) * b.data()[i];
  return s;
}

// The message of the std::invalid_argument thrown by f, or "" if none.
template <class F>
std::string invalid_argument_message(F f) {
  try {
    f();
  } catch (const std::invalid_argument& e) {
    return e.what();
  }
  return "";
}

}  // namespace fgbdl::nn_testing

#endif  // LIB_NN_TESTING_H_
