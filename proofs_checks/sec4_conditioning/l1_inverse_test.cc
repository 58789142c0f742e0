// L1 (paper Lemma 1; paper/sec4_conditioning.md L1): W is invertible and W^{-1} = U with
// U_ii = U_{i+2,i} = 1, U_{i+1,i} = -2, all else 0; U f is the convolution
// of f with [1, -2, 1].
//
// All entries of U, W and of their products are small integers (|.| <= n^2
// < 2^53), so U W = W U = I is checked exactly, for every n in [3, 300].
#include <algorithm>
#include <cmath>
#include <xtensor-blas/xlinalg.hpp>

#include "absl/strings/str_format.h"
#include "gtest/gtest.h"
#include "lib/core/rng.h"
#include "lib/data/curves.h"
#include "rapidcheck.h"
#include "rapidcheck/gtest.h"

namespace fgbdl {
namespace {

TEST(L1, UTimesWIsTheIdentityExactlyForEveryNFrom3To300) {
  int checked = 0;
  for (int n = 3; n <= 300; ++n) {
    const auto W = curve_matrix_W(n);
    const auto U = curve_matrix_U(n);
    const xt::xtensor<double, 2> I = xt::eye<double>(static_cast<std::size_t>(n));
    const xt::xtensor<double, 2> UW = xt::linalg::dot(U, W);
    const xt::xtensor<double, 2> WU = xt::linalg::dot(W, U);
    ASSERT_EQ(UW, I) << "n = " << n;
    ASSERT_EQ(WU, I) << "n = " << n;
    ++checked;
  }
  RecordProperty("measured",
                 absl::StrFormat("U W = W U = I exactly for all %d n in [3, 300]", checked));
}

// U f = f * [1, -2, 1]: (U f)_i = f_i - 2 f_{i-1} + f_{i-2} (0-based, with
// f_{-1} = f_{-2} = 0), for any f.
RC_GTEST_PROP(L1, UAppliesTheSecondDifferenceFilter, (std::uint64_t seed)) {
  const int n = *rc::gen::inRange(1, 200);
  Engine rng(seed);
  xt::xtensor<double, 1> f = xt::empty<double>({static_cast<std::size_t>(n)});
  for (auto& v : f) v = normal(rng);
  const xt::xtensor<double, 1> Uf = xt::linalg::dot(curve_matrix_U(n), f);
  for (int i = 0; i < n; ++i) {
    const auto at = [&](int j) { return j < 0 ? 0.0 : f(static_cast<std::size_t>(j)); };
    RC_ASSERT(std::fabs(Uf(static_cast<std::size_t>(i)) - (at(i) - 2 * at(i - 1) + at(i - 2))) <=
              1e-14);
  }
}

// Hence a curve's encoding is recovered by the filter: U f = p for random
// curves (the decoding the learners of E4.1.x must find).
RC_GTEST_PROP(L1, TheFilterRecoversTheEncodingOfACurve, (std::uint64_t seed)) {
  const int n = *rc::gen::inRange(3, 301);
  Engine rng(seed);
  xt::xtensor<double, 2> f, p;
  sample_curves(CurveDistribution::kPaper, n, 3, 3, rng, &f, &p);
  const xt::xtensor<double, 2> Uf =
      xt::transpose(xt::linalg::dot(curve_matrix_U(n), xt::transpose(f)));
  double worst = 0.0;
  for (std::size_t i = 0; i < Uf.size(); ++i)
    worst = std::max(worst, std::fabs(Uf.data()[i] - p.data()[i]));
  // f entries are <= 3 n in size; the filter's rounding is ~4 eps * 3 n.
  RC_ASSERT(worst <= 1e-14 * 12 * n);
}

}  // namespace
}  // namespace fgbdl
