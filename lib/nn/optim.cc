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
void adam_step(AdamState<T>& s, double lr, double beta1_d, double beta2_d, double eps_d,
               const std::vector<ParamRef<T>>& params) {
  if (s.t == 0 && s.m.empty()) {
    for (const ParamRef<T>& p : params) {
      s.m.emplace_back(p.n, T(0));
      s.v.emplace_back(p.n, T(0));
    }
  }
  if (s.m.size() != params.size() || s.v.size() != params.size()) {
    throw std::logic_error("adam_step: " + std::to_string(params.size()) +
                           " parameters, but the state has " + std::to_string(s.m.size()) +
                           " from the first step");
  }
  for (std::size_t k = 0; k < params.size(); ++k) {
    if (params[k].n != s.m[k].size() || params[k].n != s.v[k].size()) {
      throw std::logic_error("adam_step: parameter " + std::to_string(k) + " has " +
                             std::to_string(params[k].n) + " elements, but its state has " +
                             std::to_string(s.m[k].size()));
    }
  }

  ++s.t;
  const T beta1 = static_cast<T>(beta1_d), beta2 = static_cast<T>(beta2_d),
          eps = static_cast<T>(eps_d);
  s.beta1_power *= beta1;
  s.beta2_power *= beta2;
  const T lr_t = static_cast<T>(lr) * std::sqrt(T(1) - s.beta2_power) / (T(1) - s.beta1_power);
  for (std::size_t k = 0; k < params.size(); ++k) {
    const ParamRef<T>& p = params[k];
    T* m = s.m[k].data();
    T* v = s.v[k].data();
    for (std::size_t i = 0; i < p.n; ++i) {
      const T g = p.dw[i];
      m[i] += (g - m[i]) * (T(1) - beta1);
      v[i] += (g * g - v[i]) * (T(1) - beta2);
      p.w[i] -= (m[i] * lr_t) / (std::sqrt(v[i]) + eps);
    }
  }
}

template <class T>
void Adam::step(const std::vector<ParamRef<T>>& params) {
  if (std::holds_alternative<std::monostate>(state_)) state_ = AdamState<T>{};
  AdamState<T>* s = std::get_if<AdamState<T>>(&state_);
  if (s == nullptr)
    throw std::logic_error("Adam::step: called with another scalar type than the first step");
  adam_step(*s, lr_, beta1_, beta2_, eps_, params);
  t_ = static_cast<long>(s->t);
}

template void adam_step<float>(AdamState<float>&, double, double, double, double,
                               const std::vector<ParamRef<float>>&);
template void adam_step<double>(AdamState<double>&, double, double, double, double,
                                const std::vector<ParamRef<double>>&);
template void Sgd::step<float>(const std::vector<ParamRef<float>>&) const;
template void Sgd::step<double>(const std::vector<ParamRef<double>>&) const;
template void Adam::step<float>(const std::vector<ParamRef<float>>&);
template void Adam::step<double>(const std::vector<ParamRef<double>>&);

}  // namespace fgbdl
