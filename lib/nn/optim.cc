#include "lib/nn/optim.h"

#include <cmath>
#include <string>
#include <utility>

namespace fgbdl {

template <class T>
void Sgd::step(const std::vector<ParamRef<T>>& params) const {
  const T rate = static_cast<T>(lr);
  for (const ParamRef<T>& p : params) {
    for (std::size_t i = 0; i < p.n; ++i) p.w[i] -= rate * p.dw[i];
  }
}

Adam::Adam(double lr, double beta1, double beta2, double eps)
    : lr_(lr), beta1_(beta1), beta2_(beta2), eps_(eps) {}

template <class T>
void Adam::step(const std::vector<ParamRef<T>>& params) {
  if (std::holds_alternative<std::monostate>(state_)) {
    State<T> fresh;
    for (const ParamRef<T>& p : params) {
      fresh.m.emplace_back(p.n, T(0));
      fresh.v.emplace_back(p.n, T(0));
    }
    state_ = std::move(fresh);
  }
  State<T>* s = std::get_if<State<T>>(&state_);
  if (s == nullptr)
    throw std::logic_error("Adam::step: called with another scalar type than the first step");
  if (s->m.size() != params.size()) {
    throw std::logic_error("Adam::step: " + std::to_string(params.size()) +
                           " parameters, but the state has " + std::to_string(s->m.size()) +
                           " from the first step");
  }
  for (std::size_t k = 0; k < params.size(); ++k) {
    if (params[k].n != s->m[k].size()) {
      throw std::logic_error("Adam::step: parameter " + std::to_string(k) + " has " +
                             std::to_string(params[k].n) + " elements, but its state has " +
                             std::to_string(s->m[k].size()));
    }
  }

  ++t_;
  const T beta1 = static_cast<T>(beta1_), beta2 = static_cast<T>(beta2_),
          eps = static_cast<T>(eps_);
  s->beta1_power *= beta1;
  s->beta2_power *= beta2;
  const T lr_t = static_cast<T>(lr_) * std::sqrt(T(1) - s->beta2_power) / (T(1) - s->beta1_power);
  for (std::size_t k = 0; k < params.size(); ++k) {
    const ParamRef<T>& p = params[k];
    T* m = s->m[k].data();
    T* v = s->v[k].data();
    for (std::size_t i = 0; i < p.n; ++i) {
      const T g = p.dw[i];
      m[i] += (g - m[i]) * (T(1) - beta1);
      v[i] += (g * g - v[i]) * (T(1) - beta2);
      p.w[i] -= (m[i] * lr_t) / (std::sqrt(v[i]) + eps);
    }
  }
}

template void Sgd::step<float>(const std::vector<ParamRef<float>>&) const;
template void Sgd::step<double>(const std::vector<ParamRef<double>>&) const;
template void Adam::step<float>(const std::vector<ParamRef<float>>&);
template void Adam::step<double>(const std::vector<ParamRef<double>>&);

}  // namespace fgbdl
