// The "stocks" problem of the paper's Section 3.2 (Figure 4, equations 2
// and 3; paper/sec3_decomposition.md E3.2 and C3.3): a toy model of learning to pick a good
// stock from noisy returns, where the end-to-end signal is the observed
// return vector z and the decomposition signal is the label of the best one.
//
// Inputs x = e_j with j uniform on [d] (d = 1000 in the paper). Each input has
// a label y(j) in [k], drawn once per problem, uniformly and independently.
// Given x = e_j, the signal z in {±1}^k has z_{y(j)} = 1 and every other
// coordinate an independent uniform ±1; hence E[z | x] = e_{y(x)}.
//
// An input x = e_j is represented by its index j (never as a dense one-hot
// vector: the model reads one column of A, see
// experiments/sec3_decomposition/stocks_model.h). Indices and labels are
// 0-based. Indices and signs come from separate engines, so the end-to-end
// and the decomposition runs of one seed see the same inputs (the
// decomposition draws no z).
#ifndef LIB_DATA_STOCKS_H_
#define LIB_DATA_STOCKS_H_

#include <cstddef>
#include <cstdint>
#include <vector>

#include "lib/core/rng.h"
#include "lib/core/tensor.h"

namespace fgbdl {

struct StocksProblem {
  std::size_t d = 0;                // number of inputs e_1 .. e_d
  std::size_t k = 0;                // number of outputs ("stocks")
  std::vector<std::int32_t> label;  // [d]: y(j) in [0, k)
};

// A problem with labels y(j) i.i.d. uniform on [0, k), drawn in order
// j = 0 .. d-1. Throws std::invalid_argument unless 1 <= d, k <= 2^30.
StocksProblem draw_stocks_problem(std::size_t d, std::size_t k, Engine& rng);

// Fills j [batch] with i.i.d. uniform indices in [0, d) (resized to batch).
void sample_stocks_inputs(const StocksProblem& p, std::size_t batch, Engine& rng,
                          std::vector<std::int32_t>& j);

// Fills z [B, k] (resized only when its shape differs; B = j.size()) with the
// signals of the inputs j: z(r, y(j_r)) = 1, every other entry a fair ±1.
// Signs come 64 per draw of `rng` (bit set <=> -1), row by row. Throws
// std::invalid_argument when an index is outside [0, d).
void sample_stocks_signals(const StocksProblem& p, const std::vector<std::int32_t>& j,
                           Engine& rng, Matrix& z);

// The dense inputs x [B, d] with x(r, j_r) = 1 (for tests and references).
Matrix stocks_one_hot(const StocksProblem& p, const std::vector<std::int32_t>& j);

}  // namespace fgbdl

#endif  // LIB_DATA_STOCKS_H_
