// The model, the objective and the two gradient estimators of the paper's
// "stocks" experiment (Section 3.2, Figure 4, equations 2 and 3; paper/sec3_decomposition.md
// E3.2 and C3.3).
//
// Model: N_w(x) = softmax(A x + b), w = (A, b), A [k, d], b [k]: a
// distribution over the k outputs. Since x = e_j, A x = A e_j is column j of
// A. A is stored transposed, as W = A^T [d, k] (the Dense layer's
// convention y = x W + b, and the layout of the authors' script,
// dec_vs_e2e_stocks.py), so that column j of A is the contiguous row j of W.
//
// Initialization: the script's (its `Affine`): W entries truncated normal
// with std 1/sqrt(d) (|z| <= 2 std), drawn in row-major order of W; b = 0.
// The paper does not say; we follow the script, which produced Figure 4. At
// d = 1000 the logits have std ~0.028, so N_w(x) starts near uniform and
// L(w_0) ~ -1/k.
//
// Objective: L(w) = E_{x,z}[-z^T N_w(x)]. Because E[z | x] = e_{y(x)} and
// N_w(x) does not depend on z, L(w) = -(1/d) sum_j N_w(e_j)_{y(j)}: computed
// exactly (all d inputs, no sampling), in double from the stored weights.
//
// Estimators of grad L on a batch j_1 .. j_B (with signals z_1 .. z_B):
//   end-to-end (equation 2):    grad of (1/B) sum_r -z_r^T N_w(e_{j_r})
//   decomposition (equation 3): grad of (1/B) sum_r -e_{y(j_r)}^T N_w(e_{j_r})
// Both are the gradient of (1/B) sum_r -c_r^T softmax(W_{j_r} + b) with
// c_r = z_r or e_{y(j_r)}: per row, dlogits_r = softmax backward of -c_r / B
// (lib/nn/softmax.h); dW_{j_r} += dlogits_r and db += dlogits_r. Only the
// batch's rows of dW are touched: O(B k) work per batch instead of O(B d k)
// for the dense product x A^T.
//
// Templated on the scalar T: float for training (as the paper), double for
// the exact identities of C3.3.
#ifndef EXPERIMENTS_SEC3_DECOMPOSITION_STOCKS_MODEL_H_
#define EXPERIMENTS_SEC3_DECOMPOSITION_STOCKS_MODEL_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>
#include <xtensor/xtensor.hpp>

#include "lib/core/rng.h"
#include "lib/data/stocks.h"

namespace fgbdl {

enum class StocksEstimator { kEndToEnd, kDecomposition };

// "e2e" or "dec" (the names used by flags and result folders).
std::string stocks_estimator_name(StocksEstimator e);
// The inverse; throws std::invalid_argument on any other name.
StocksEstimator stocks_estimator_from_name(const std::string& name);

template <class T>
struct StocksModel {
  xt::xtensor<T, 2> W;  // [d, k] = A^T: row j is A e_j
  xt::xtensor<T, 1> b;  // [k]
};

// The script's initialization (see above), from `rng`.
template <class T>
StocksModel<T> stocks_model_init(std::size_t d, std::size_t k, Engine& rng);

// N_w(e_j) [k] in double.
template <class T>
std::vector<double> stocks_output(const StocksModel<T>& m, std::size_t j);

// The x-term of L: l_j(w) = -N_w(e_j)_{y(j)} (double).
template <class T>
double stocks_objective_term(const StocksModel<T>& m, const StocksProblem& p, std::size_t j);

// L(w) = -(1/d) sum_j N_w(e_j)_{y(j)}, exactly (double). Throws
// std::invalid_argument when the model's shape is not [p.d, p.k].
template <class T>
double stocks_objective(const StocksModel<T>& m, const StocksProblem& p);

// A gradient estimate and the buffers that make it (reused across calls).
template <class T>
struct StocksGradient {
  xt::xtensor<T, 2> dW;             // [d, k]; zero except in the rows listed in `rows`
  xt::xtensor<T, 1> db;             // [k]
  std::vector<std::int32_t> rows;   // rows of dW written by the last call (may repeat)
  xt::xtensor<T, 2> s, dlogits;     // [B, k] scratch: N_w(x_r), d(batch loss)/d(logits)
};

// Fills g with the estimator's gradient on the batch of inputs j [B] (B >= 1)
// and returns the batch loss (1/B) sum_r -c_r^T N_w(e_{j_r}) (double).
// kEndToEnd reads z [B, k]; kDecomposition reads the labels and ignores z
// (which may be null). dW is sized and zeroed on the first call; later calls
// zero only the rows of the previous call. Throws std::invalid_argument on
// shape mismatches, an index outside [0, d) or a missing z.
template <class T>
double stocks_estimate(const StocksModel<T>& m, const StocksProblem& p,
                       const std::vector<std::int32_t>& j, const xt::xtensor<T, 2>* z,
                       StocksEstimator e, StocksGradient<T>& g);

}  // namespace fgbdl

#endif  // EXPERIMENTS_SEC3_DECOMPOSITION_STOCKS_MODEL_H_
