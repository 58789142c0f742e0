// Piecewise-linear curves of Section 4 (see curves.h).
#include "lib/data/curves.h"

#include <algorithm>
#include <array>
#include <stdexcept>
#include <vector>
#include <xtensor/xbuilder.hpp>

namespace fgbdl {

CurveDistribution parse_curve_distribution(const std::string& name) {
  if (name == "paper") return CurveDistribution::kPaper;
  if (name == "script") return CurveDistribution::kScript;
  if (name == "script_continuous") return CurveDistribution::kScriptContinuous;
  if (name == "appendix") return CurveDistribution::kAppendix;
  throw std::invalid_argument("curve distribution '" + name +
                              "' is not one of paper, script, script_continuous, appendix");
}

std::string to_string(CurveDistribution d) {
  switch (d) {
    case CurveDistribution::kPaper:
      return "paper";
    case CurveDistribution::kScript:
      return "script";
    case CurveDistribution::kScriptContinuous:
      return "script_continuous";
    case CurveDistribution::kAppendix:
      return "appendix";
  }
  return "?";
}

namespace {

// m distinct values of {0, .., N-1}, uniformly (a partial Fisher-Yates
// shuffle), in draw order.
std::vector<int> sample_without_replacement(int N, int m, Engine& rng) {
  std::vector<int> pool(static_cast<std::size_t>(N));
  for (int i = 0; i < N; ++i) pool[static_cast<std::size_t>(i)] = i;
  for (int i = 0; i < m; ++i) {
    const auto j = static_cast<std::size_t>(i) +
                   static_cast<std::size_t>(uniform_index(rng, static_cast<std::uint64_t>(N - i)));
    std::swap(pool[static_cast<std::size_t>(i)], pool[j]);
  }
  pool.resize(static_cast<std::size_t>(m));
  return pool;
}

// The slopes after each kink of the script's 4 patterns.
constexpr std::array<std::array<int, 3>, 4> kScriptSlopes = {
    {{{1, -1, 1}}, {{1, -2, 1}}, {{-2, 1, -1}}, {{1, -1, 2}}}};

}  // namespace

void sample_curves(CurveDistribution dist, int n, int k, std::size_t count, Engine& rng,
                   xt::xtensor<double, 2>* f, xt::xtensor<double, 2>* p) {
  if (n < 1) throw std::invalid_argument("sample_curves: n must be >= 1");
  if ((dist == CurveDistribution::kPaper || dist == CurveDistribution::kAppendix) &&
      (k < 1 || k > n))
    throw std::invalid_argument("sample_curves: paper and appendix curves need 1 <= k <= n");
  if (dist == CurveDistribution::kScript && (k != 3 || n < 9))
    throw std::invalid_argument("sample_curves: script curves need k = 3 and n >= 9");
  if (dist == CurveDistribution::kScriptContinuous && k < 1)
    throw std::invalid_argument("sample_curves: k must be >= 1");
  if (f == nullptr) throw std::invalid_argument("sample_curves: f must not be null");
  const auto nn = static_cast<std::size_t>(n);
  *f = xt::zeros<double>({count, nn});
  if (p != nullptr) *p = xt::zeros<double>({count, nn});

  std::vector<double> theta(static_cast<std::size_t>(k)), a(static_cast<std::size_t>(k));
  for (std::size_t c = 0; c < count; ++c) {
    switch (dist) {
      case CurveDistribution::kPaper:
      case CurveDistribution::kAppendix: {
        // The same kinks; the slope change is U[-1, 1] (paper) or +1 / -1
        // with probability 1/2 each (appendix; one 64-bit draw per kink).
        const std::vector<int> t = sample_without_replacement(n, k, rng);
        for (int i = 0; i < k; ++i) {
          theta[static_cast<std::size_t>(i)] = t[static_cast<std::size_t>(i)];
          a[static_cast<std::size_t>(i)] = dist == CurveDistribution::kPaper
                                               ? uniform(rng, -1.0, 1.0)
                                               : (uniform_index(rng, 2) == 0 ? -1.0 : 1.0);
        }
        break;
      }
      case CurveDistribution::kScript: {
        std::vector<int> t = sample_without_replacement(n - 6, 3, rng);
        std::sort(t.begin(), t.end());
        const auto& s = kScriptSlopes[static_cast<std::size_t>(uniform_index(rng, 4))];
        int previous = 0;
        for (std::size_t i = 0; i < 3; ++i) {
          theta[i] = 3 + t[i];
          a[i] = s[i] - previous;
          previous = s[i];
        }
        break;
      }
      case CurveDistribution::kScriptContinuous: {
        for (int i = 0; i < k; ++i) {
          theta[static_cast<std::size_t>(i)] = uniform(rng, 0.0, static_cast<double>(n));
          a[static_cast<std::size_t>(i)] = uniform(rng, -1.0, 1.0);
        }
        break;
      }
    }
    // Grid: x = r + 1 for the encoded distributions (f = W p), x = r for the
    // continuous one (as its script).
    const double shift = dist == CurveDistribution::kScriptContinuous ? 0.0 : 1.0;
    double* row = f->data() + c * nn;  // curve c (row-major, contiguous)
    for (std::size_t i = 0; i < static_cast<std::size_t>(k); ++i) {
      for (std::size_t r = 0; r < nn; ++r)
        row[r] += a[i] * std::max(static_cast<double>(r) + shift - theta[i], 0.0);
      if (p != nullptr && dist != CurveDistribution::kScriptContinuous)
        (*p)(c, static_cast<std::size_t>(theta[i])) += a[i];
    }
  }
}

xt::xtensor<double, 2> curve_matrix_W(int n) {
  if (n < 1) throw std::invalid_argument("curve_matrix_W: n must be >= 1");
  const auto nn = static_cast<std::size_t>(n);
  xt::xtensor<double, 2> W = xt::zeros<double>({nn, nn});
  for (std::size_t i = 0; i < nn; ++i)
    for (std::size_t j = 0; j <= i; ++j) W(i, j) = static_cast<double>(i - j + 1);
  return W;
}

xt::xtensor<double, 2> curve_matrix_U(int n) {
  if (n < 1) throw std::invalid_argument("curve_matrix_U: n must be >= 1");
  const auto nn = static_cast<std::size_t>(n);
  xt::xtensor<double, 2> U = xt::zeros<double>({nn, nn});
  for (std::size_t i = 0; i < nn; ++i) {
    U(i, i) = 1.0;
    if (i + 1 < nn) U(i + 1, i) = -2.0;
    if (i + 2 < nn) U(i + 2, i) = 1.0;
  }
  return U;
}

}  // namespace fgbdl
