// Conditioning of the Section 4 problems as functions of n (see
// patch_conditioning.h).
#include "experiments/sec4_conditioning/patch_conditioning.h"

#include <algorithm>
#include <stdexcept>
#include <xtensor-blas/xlinalg.hpp>

#include "lib/analysis/conditioning.h"

namespace fgbdl {

double cond_W(int n) {
  const auto s = singular_values(curve_matrix_W(n));
  const double ratio = s(0) / s(s.size() - 1);
  return ratio * ratio;
}

xt::xtensor<double, 2> patch_second_moment(CurveDistribution dist, int n, std::size_t count,
                                           Engine& rng) {
  if (n < 3) throw std::invalid_argument("patch_second_moment: n must be >= 3");
  if (count == 0) throw std::invalid_argument("patch_second_moment: count must be >= 1");
  constexpr std::size_t kChunk = 256;
  const auto nn = static_cast<std::size_t>(n);
  double total[3][3] = {};
  xt::xtensor<double, 2> f;
  for (std::size_t done = 0; done < count; done += kChunk) {
    const std::size_t m = std::min(kChunk, count - done);
    sample_curves(dist, n, 3, m, rng, &f, nullptr);
    for (std::size_t c = 0; c < m; ++c) {
      // Per-curve partial sums first: shorter summation chains.
      double part[3][3] = {};
      const double* row = f.data() + c * nn;  // curve c (row-major, contiguous)
      for (std::size_t t = 1; t + 1 < nn; ++t) {
        const double r[3] = {row[t - 1], row[t], row[t + 1]};
        for (int i = 0; i < 3; ++i)
          for (int j = 0; j <= i; ++j) part[i][j] += r[i] * r[j];
      }
      for (int i = 0; i < 3; ++i)
        for (int j = 0; j <= i; ++j) total[i][j] += part[i][j];
    }
  }
  const double m = static_cast<double>(count) * static_cast<double>(nn - 2);
  xt::xtensor<double, 2> C = xt::empty<double>({std::size_t{3}, std::size_t{3}});
  for (std::size_t i = 0; i < 3; ++i)
    for (std::size_t j = 0; j <= i; ++j) C(i, j) = C(j, i) = total[i][j] / m;
  return C;
}

double whitened_condition_number(const xt::xtensor<double, 2>& S, const xt::xtensor<double, 2>& C) {
  xt::xtensor<double, 2> SCS = xt::linalg::dot(xt::linalg::dot(S, C), S);
  for (std::size_t i = 0; i < SCS.shape(0); ++i)
    for (std::size_t j = 0; j < i; ++j) SCS(i, j) = SCS(j, i) = 0.5 * (SCS(i, j) + SCS(j, i));
  return condition_number(SCS);
}

ConditioningRow conditioning_row(int n, std::size_t count, std::uint64_t seed) {
  ConditioningRow row;
  row.n = n;
  row.cond_W = cond_W(n);
  const auto nn = static_cast<std::uint64_t>(n);
  const auto stream = [&](int d, int i) {
    const auto j = static_cast<std::uint64_t>(i);
    return d < 2 ? derive_engine(seed, 4 * nn + 2 * static_cast<std::uint64_t>(d) + j)
                 : derive_engine(seed, (std::uint64_t{1} << 32) + 2 * nn + j);
  };
  const CurveDistribution dists[3] = {CurveDistribution::kPaper, CurveDistribution::kScript,
                                      CurveDistribution::kAppendix};
  double* const cond_out[3] = {&row.cond_patch_paper, &row.cond_patch_script,
                               &row.cond_patch_appendix};
  double* const whitened_out[3] = {&row.cond_whitened_fresh_paper,
                                   &row.cond_whitened_fresh_script,
                                   &row.cond_whitened_fresh_appendix};
  for (int d = 0; d < 3; ++d) {
    Engine train = stream(d, 0), fresh = stream(d, 1);
    const auto C_train = patch_second_moment(dists[d], n, count, train);
    const auto C_fresh = patch_second_moment(dists[d], n, count, fresh);
    *cond_out[d] = condition_number(C_train);
    *whitened_out[d] = whitened_condition_number(inverse_sqrt(C_train), C_fresh);
  }
  return row;
}

}  // namespace fgbdl
