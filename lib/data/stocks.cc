#include "lib/data/stocks.h"

#include <stdexcept>
#include <string>

namespace fgbdl {

StocksProblem draw_stocks_problem(std::size_t d, std::size_t k, Engine& rng) {
  constexpr std::size_t kMax = std::size_t{1} << 30;
  if (d < 1 || d > kMax)
    throw std::invalid_argument("draw_stocks_problem: d must be in [1, 2^30], got " +
                                std::to_string(d));
  if (k < 1 || k > kMax)
    throw std::invalid_argument("draw_stocks_problem: k must be in [1, 2^30], got " +
                                std::to_string(k));
  StocksProblem p;
  p.d = d;
  p.k = k;
  p.label.resize(d);
  for (std::int32_t& y : p.label) y = static_cast<std::int32_t>(uniform_index(rng, k));
  return p;
}

void sample_stocks_inputs(const StocksProblem& p, std::size_t batch, Engine& rng,
                          std::vector<std::int32_t>& j) {
  j.resize(batch);
  for (std::int32_t& v : j) v = static_cast<std::int32_t>(uniform_index(rng, p.d));
}

void sample_stocks_signals(const StocksProblem& p, const std::vector<std::int32_t>& j,
                           Engine& rng, Matrix& z) {
  const std::size_t B = j.size(), k = p.k;
  for (const std::int32_t v : j) {
    if (v < 0 || static_cast<std::size_t>(v) >= p.d)
      throw std::invalid_argument("sample_stocks_signals: input index " + std::to_string(v) +
                                  " outside [0, " + std::to_string(p.d) + ")");
  }
  if (z.shape(0) != B || z.shape(1) != k) z.resize({B, k});
  for (std::size_t r = 0; r < B; ++r) {
    float* row = z.data() + r * k;
    for (std::size_t l = 0; l < k; l += 64) {
      const std::uint64_t bits = rng();
      const std::size_t n = k - l < 64 ? k - l : 64;
      for (std::size_t i = 0; i < n; ++i) row[l + i] = ((bits >> i) & 1u) ? -1.0f : 1.0f;
    }
    row[p.label[static_cast<std::size_t>(j[r])]] = 1.0f;
  }
}

Matrix stocks_one_hot(const StocksProblem& p, const std::vector<std::int32_t>& j) {
  Matrix x = xt::zeros<float>({j.size(), p.d});
  for (std::size_t r = 0; r < j.size(); ++r) x(r, static_cast<std::size_t>(j[r])) = 1.0f;
  return x;
}

}  // namespace fgbdl
