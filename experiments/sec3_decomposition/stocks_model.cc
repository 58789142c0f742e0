#include "experiments/sec3_decomposition/stocks_model.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

#include "lib/nn/dense.h"
#include "lib/nn/softmax.h"

namespace fgbdl {
namespace {

std::string shape2(std::size_t a, std::size_t b) {
  return "[" + std::to_string(a) + ", " + std::to_string(b) + "]";
}

template <class T>
void check_model(const char* fn, const StocksModel<T>& m, const StocksProblem& p) {
  if (m.W.shape(0) != p.d || m.W.shape(1) != p.k)
    throw std::invalid_argument(std::string(fn) + ": W has shape " +
                                shape2(m.W.shape(0), m.W.shape(1)) + ", expected " +
                                shape2(p.d, p.k));
  if (m.b.size() != p.k)
    throw std::invalid_argument(std::string(fn) + ": b has shape [" + std::to_string(m.b.size()) +
                                "], expected [" + std::to_string(p.k) + "]");
}

}  // namespace

std::string stocks_estimator_name(StocksEstimator e) {
  return e == StocksEstimator::kEndToEnd ? "e2e" : "dec";
}

StocksEstimator stocks_estimator_from_name(const std::string& name) {
  if (name == "e2e") return StocksEstimator::kEndToEnd;
  if (name == "dec") return StocksEstimator::kDecomposition;
  throw std::invalid_argument("stocks_estimator_from_name: '" + name + "' is not e2e or dec");
}

template <class T>
StocksModel<T> stocks_model_init(std::size_t d, std::size_t k, Engine& rng) {
  Dense<T> layer = dense_init<T>(d, k, rng);  // truncated normal, std 1/sqrt(d); b = 0
  return StocksModel<T>{std::move(layer.W), std::move(layer.b)};
}

template <class T>
std::vector<double> stocks_output(const StocksModel<T>& m, std::size_t j) {
  const std::size_t k = m.W.shape(1);
  if (j >= m.W.shape(0))
    throw std::invalid_argument("stocks_output: input index " + std::to_string(j) +
                                " outside [0, " + std::to_string(m.W.shape(0)) + ")");
  std::vector<double> s(k);
  const T* w = m.W.data() + j * k;
  for (std::size_t l = 0; l < k; ++l)
    s[l] = static_cast<double>(w[l]) + static_cast<double>(m.b.data()[l]);
  softmax_row(s.data(), k, s.data());
  return s;
}

template <class T>
double stocks_objective_term(const StocksModel<T>& m, const StocksProblem& p, std::size_t j) {
  check_model("stocks_objective_term", m, p);
  if (j >= p.d)
    throw std::invalid_argument("stocks_objective_term: input index " + std::to_string(j) +
                                " outside [0, " + std::to_string(p.d) + ")");
  const std::size_t k = p.k;
  const T* w = m.W.data() + j * k;
  const T* b = m.b.data();
  // -softmax(v)_y = -exp(v_y - max) / sum_l exp(v_l - max), v = W_j + b in double.
  double top = -INFINITY;
  for (std::size_t l = 0; l < k; ++l) top = std::max(top, double(w[l]) + double(b[l]));
  double sum = 0;
  for (std::size_t l = 0; l < k; ++l) sum += std::exp(double(w[l]) + double(b[l]) - top);
  const auto y = static_cast<std::size_t>(p.label[j]);
  return -std::exp(double(w[y]) + double(b[y]) - top) / sum;
}

template <class T>
double stocks_objective(const StocksModel<T>& m, const StocksProblem& p) {
  check_model("stocks_objective", m, p);
  double total = 0;
  for (std::size_t j = 0; j < p.d; ++j) total += stocks_objective_term(m, p, j);
  return total / static_cast<double>(p.d);
}

template <class T>
double stocks_estimate(const StocksModel<T>& m, const StocksProblem& p,
                       const std::vector<std::int32_t>& j, const xt::xtensor<T, 2>* z,
                       StocksEstimator e, StocksGradient<T>& g) {
  check_model("stocks_estimate", m, p);
  const std::size_t B = j.size(), d = p.d, k = p.k;
  if (B == 0) throw std::invalid_argument("stocks_estimate: empty batch");
  for (const std::int32_t v : j) {
    if (v < 0 || static_cast<std::size_t>(v) >= d)
      throw std::invalid_argument("stocks_estimate: input index " + std::to_string(v) +
                                  " outside [0, " + std::to_string(d) + ")");
  }
  const bool e2e = e == StocksEstimator::kEndToEnd;
  if (e2e) {
    if (z == nullptr) throw std::invalid_argument("stocks_estimate: end-to-end needs z");
    if (z->shape(0) != B || z->shape(1) != k)
      throw std::invalid_argument("stocks_estimate: z has shape " +
                                  shape2(z->shape(0), z->shape(1)) + ", expected " +
                                  shape2(B, k));
  }

  // dW: allocate zeroed once; afterwards clear only the rows of the last call.
  if (g.dW.shape(0) != d || g.dW.shape(1) != k) {
    g.dW = xt::zeros<T>({d, k});
  } else {
    for (const std::int32_t r : g.rows) std::fill_n(g.dW.data() + std::size_t(r) * k, k, T(0));
  }
  g.rows.assign(j.begin(), j.end());
  if (g.db.size() != k) g.db.resize({k});
  std::fill_n(g.db.data(), k, T(0));
  if (g.s.shape(0) != B || g.s.shape(1) != k) g.s.resize({B, k});
  if (g.dlogits.shape(0) != B || g.dlogits.shape(1) != k) g.dlogits.resize({B, k});

  const T inv_b = T(1) / static_cast<T>(B);
  const T* bias = m.b.data();
  double loss = 0;
  for (std::size_t r = 0; r < B; ++r) {
    const std::size_t row = static_cast<std::size_t>(j[r]);
    const T* w = m.W.data() + row * k;
    T* s = g.s.data() + r * k;
    T* dl = g.dlogits.data() + r * k;
    for (std::size_t l = 0; l < k; ++l) s[l] = w[l] + bias[l];
    softmax_row(s, k, s);
    // d(batch loss)/d(s_r) = -c_r / B, then back through the softmax.
    if (e2e) {
      const T* zr = z->data() + r * k;
      double cs = 0;
      for (std::size_t l = 0; l < k; ++l) {
        cs += static_cast<double>(zr[l]) * s[l];
        dl[l] = -zr[l] * inv_b;
      }
      loss -= cs;
    } else {
      const auto y = static_cast<std::size_t>(p.label[row]);
      std::fill_n(dl, k, T(0));
      dl[y] = -inv_b;
      loss -= s[y];
    }
    softmax_backward_row(s, dl, k, dl);
    T* dw = g.dW.data() + row * k;
    T* db = g.db.data();
    for (std::size_t l = 0; l < k; ++l) {
      dw[l] += dl[l];
      db[l] += dl[l];
    }
  }
  return loss / static_cast<double>(B);
}

#define FGBDL_INSTANTIATE_STOCKS(T)                                                        \
  template StocksModel<T> stocks_model_init<T>(std::size_t, std::size_t, Engine&);        \
  template std::vector<double> stocks_output<T>(const StocksModel<T>&, std::size_t);      \
  template double stocks_objective_term<T>(const StocksModel<T>&, const StocksProblem&,   \
                                           std::size_t);                                  \
  template double stocks_objective<T>(const StocksModel<T>&, const StocksProblem&);       \
  template double stocks_estimate<T>(const StocksModel<T>&, const StocksProblem&,         \
                                     const std::vector<std::int32_t>&,                    \
                                     const xt::xtensor<T, 2>*, StocksEstimator,           \
                                     StocksGradient<T>&);
FGBDL_INSTANTIATE_STOCKS(float)
FGBDL_INSTANTIATE_STOCKS(double)
#undef FGBDL_INSTANTIATE_STOCKS

}  // namespace fgbdl
