// Whitening (paper Section 4.1, "explicit conditioning"; paper/sec4_conditioning.md E4.1.3-W;
// PWL_fail1.py `FtoKConvCondTrainer`): multiplying the 3-tap patches by
// C^{-1/2}, with C their second moment on the training curves, makes the
// problem's condition number 1.
//
// Checks (float64, fixed seeds, n = 25 .. 800; the paper's, the script's and
// Appendix A.6's curves, lib/data/curves.h):
//   * on the curves C was estimated on, cond(C^{-1/2} C C^{-1/2}) = 1 up to
//     rounding: |cond - 1| <= 1e-14 cond(C) (cond(C) reaches ~1e9 at
//     n = 800, and eps * cond(C) is the rounding of the whitening map
//     itself; the measured worst case is in the test's "measured" property,
//     and the check is exact arithmetic up to rounding, not statistical);
//   * on fresh curves of the same distribution it is close to 1: with 4000
//     training curves, cond <= 1.15 at every n, and the excess cond - 1,
//     averaged over n, shrinks when the training sample grows from 1000 to
//     16000 curves: it is sampling error, not bias.
//
// The fresh-curve checks are statistical. Null hypothesis: the whitened
// fresh-sample second moment is I + (sampling error of the two estimates of
// C), so its condition number exceeds 1 by an amount that shrinks like
// 1/sqrt(curves). Fixed streams (702, 703, 704): the test is deterministic;
// its flake budget is the chance that other streams fail, measured by
// DISABLED_MeasureSpread over 20 stream triples per distribution:
//   max over n of cond, 4000 training curves (threshold <= 1.15): mean over
//     the triples 1.059 paper, 1.057 script, 1.056 appendix; worst 1.096,
//     1.084, 1.089;
//   mean excess, 1000 curves / 16000 curves (threshold > 1): mean 4.7, 4.1,
//     4.5; least 2.67, 1.82, 2.50.
// No triple of the 60 fails; the worst is 0.054 below the cond threshold
// (the mean is 0.09 below it) and the least ratio is 1.8x above 1. Budget:
// 0 failures allowed on the fixed streams.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

#include "absl/strings/str_format.h"
#include "experiments/sec4_conditioning/patch_conditioning.h"
#include "gtest/gtest.h"
#include "lib/analysis/conditioning.h"
#include "lib/core/rng.h"
#include "lib/data/curves.h"

namespace fgbdl {
namespace {

const std::vector<int> kNs = {25, 50, 100, 200, 400, 800};

TEST(Whitening, ConditionNumberIsOneUpToRoundingOnTheTrainingCurves) {
  double worst = 0.0, worst_cond = 0.0;
  for (const auto dist :
       {CurveDistribution::kPaper, CurveDistribution::kScript, CurveDistribution::kAppendix})
    for (const int n : kNs) {
      Engine rng = derive_engine(701, static_cast<std::uint64_t>(n));
      const auto C = patch_second_moment(dist, n, 2000, rng);
      const double cond_C = condition_number(C);
      const double cond = whitened_condition_number(inverse_sqrt(C), C);
      EXPECT_LE(std::fabs(cond - 1.0), 1e-14 * cond_C) << to_string(dist) << " n = " << n;
      worst = std::max(worst, std::fabs(cond - 1.0) / cond_C);
      worst_cond = std::max(worst_cond, std::fabs(cond - 1.0));
    }
  RecordProperty("measured", absl::StrFormat("training curves, n=25..800: max |cond - 1| = %.2g "
                                             "(max |cond - 1| / cond(C) = %.2g)",
                                             worst_cond, worst));
}

// Mean over n of cond(S C_fresh S) - 1, S = C_train^{-1/2}, `count` curves
// each; also the largest cond.
std::pair<double, double> fresh_excess(CurveDistribution dist, std::size_t count,
                                       std::uint64_t stream) {
  double sum = 0.0, worst = 0.0;
  for (const int n : kNs) {
    Engine train = derive_engine(stream, 2 * static_cast<std::uint64_t>(n));
    Engine fresh = derive_engine(stream, 2 * static_cast<std::uint64_t>(n) + 1);
    const auto S = inverse_sqrt(patch_second_moment(dist, n, count, train));
    const double cond = whitened_condition_number(S, patch_second_moment(dist, n, count, fresh));
    sum += cond - 1.0;
    worst = std::max(worst, cond);
  }
  return {sum / kNs.size(), worst};
}

// The three samples of one check: `stream` (1000 curves), stream + 1 (4000)
// and stream + 2 (16000).
struct FreshCheck {
  std::pair<double, double> small, mid, large;
};
FreshCheck fresh_check(CurveDistribution dist, std::uint64_t stream) {
  return {fresh_excess(dist, 1000, stream), fresh_excess(dist, 4000, stream + 1),
          fresh_excess(dist, 16000, stream + 2)};
}

TEST(Whitening, ConditionNumberIsCloseToOneOnFreshCurves) {
  std::string measured;
  for (const auto dist :
       {CurveDistribution::kPaper, CurveDistribution::kScript, CurveDistribution::kAppendix}) {
    const FreshCheck c = fresh_check(dist, 702);
    EXPECT_LE(c.mid.second, 1.15) << to_string(dist);
    EXPECT_LT(c.large.first, c.small.first) << to_string(dist);
    measured += absl::StrFormat(
        "%s%s: fresh-curve cond after whitening, max over n=25..800: %.3f (1000 curves), %.3f "
        "(4000), %.3f (16000); mean excess over 1: %.3f, %.3f, %.3f",
        measured.empty() ? "" : "; ", to_string(dist), c.small.second, c.mid.second,
        c.large.second, c.small.first, c.mid.first, c.large.first);
  }
  RecordProperty("measured", measured);
}

// Prints, over 20 stream triples (10 i, 10 i + 1, 10 i + 2; i = 1..20) per
// distribution, the range of the checked statistics (the flake budget):
//   bazel run //proofs_checks/sec4_conditioning:whitening_test --
//     --gtest_also_run_disabled_tests --gtest_filter='*MeasureSpread*'
TEST(Whitening, DISABLED_MeasureSpread) {
  for (const auto dist :
       {CurveDistribution::kPaper, CurveDistribution::kScript, CurveDistribution::kAppendix}) {
    double worst_mid = 0, least_ratio = INFINITY, mean_mid = 0, mean_ratio = 0;
    int fails = 0;
    for (std::uint64_t i = 1; i <= 20; ++i) {
      const FreshCheck c = fresh_check(dist, 10 * i);
      worst_mid = std::max(worst_mid, c.mid.second);
      least_ratio = std::min(least_ratio, c.small.first / c.large.first);
      mean_mid += c.mid.second / 20;
      mean_ratio += c.small.first / c.large.first / 20;
      fails += c.mid.second > 1.15 || c.large.first >= c.small.first;
    }
    std::printf("%s, 20 triples: max cond (4000 curves) mean %.4f, worst %.4f; excess ratio "
                "1000/16000 mean %.2f, least %.2f; failing triples %d\n",
                to_string(dist).c_str(), mean_mid, worst_mid, mean_ratio, least_ratio, fails);
    std::fflush(stdout);
  }
}

}  // namespace
}  // namespace fgbdl
