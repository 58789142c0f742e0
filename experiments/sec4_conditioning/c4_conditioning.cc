// The figure c4_conditioning (paper Section 4, Theorem 3 (c) and Appendix
// A.6; paper/sec4_conditioning.md T3, A6, E4.1.3): condition numbers against the curve
// length n. For each n: S_11^2 / S_nn^2 of W (fully connected encoder), the
// condition number of the 3x3 patch second moment C under the paper's, the
// script's and Appendix A.6's curves (unit slope changes; lib/data/curves.h)
// (convolutional encoder), and the condition number of the fresh-sample C
// after whitening with C^{-1/2} of a training sample (explicit
// conditioning). See patch_conditioning.h.
//
// One run per seed: <out>/c4_conditioning/sweep/seed-<S>/metrics.csv with
// one row per n and columns
//   n, cond_W, cond_patch_paper, cond_patch_script, cond_patch_appendix,
//   cond_whitened_fresh_paper, cond_whitened_fresh_script,
//   cond_whitened_fresh_appendix;
// manifest.json also records the log-log fits (exponent of n, 95% CI) of
// the first four condition numbers.
//
//   bazel run //experiments/sec4_conditioning:c4_conditioning -- --out=$PWD/results
//   bazel run //experiments/sec4_conditioning:c4_conditioning -- --out=/tmp/r --profile=paper
#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "experiments/sec4_conditioning/patch_conditioning.h"
#include "lib/analysis/fit.h"
#include "lib/core/error.h"
#include "lib/core/flags.h"
#include "lib/io/progress.h"
#include "lib/io/results.h"

namespace fgbdl {
namespace {

// {"exponent": e, "ci_low": l, "ci_high": h} of log2(y) against log2(n).
std::string exponent_json(const std::vector<double>& n, const std::vector<double>& y) {
  if (n.size() < 3) return "null";
  std::vector<double> log_n;
  for (const double v : n) log_n.push_back(std::log2(v));
  const LineFit fit = fit_log2_line(log_n, y);
  return absl::StrFormat("{\"exponent\": %.6g, \"ci_low\": %.6g, \"ci_high\": %.6g}", fit.rate,
                         fit.ci_low, fit.ci_high);
}

int run(int argc, char** argv) {
  Flags flags(argc, argv,
              "c4_conditioning (paper Section 4, Theorem 3 (c), Appendix A.6): condition numbers "
              "of W and of the 3-tap patch second moment (paper, script and appendix curves, "
              "before and after whitening) against the curve length n. Writes "
              "<out>/c4_conditioning/sweep/seed-<S>/{metrics.csv,manifest.json}.");
  const std::string out = flags.get_string("out", "", "output directory (required)");
  const std::string profile = flags.get_choice(
      "profile", "quick", {"quick", "paper"},
      "quick: 1000 curves per sample, seed 1; paper: the script's 10000 curves, seeds 1,2,3");
  const bool paper = profile == "paper";
  const auto ns =
      flags.get_int_list("n", "25,50,100,200,400,800", 9, 4000, 64, "curve lengths n (distinct)");
  const auto seeds = flags.get_int_list("seeds", paper ? "1,2,3" : "1", 0, 1LL << 40, 1000,
                                        "seeds, one run per seed");
  const std::int64_t count = flags.get_int("curves", paper ? 10000 : 1000, 10, 10000000,
                                           "curves per sample (training and fresh, each)");
  if (!flags.finish()) return 0;
  if (out.empty()) throw UsageError("--out: got ''; allowed: a writable directory (required)");
  std::int64_t largest = 0;
  for (const std::int64_t n : ns) largest = std::max(largest, n);
  if (count * largest > (std::int64_t{1} << 34))
    throw UsageError(absl::StrCat("--curves: got ", count, " with n up to ", largest,
                                  "; allowed: curves * n <= 2^34"));
  check_output_dir("out", out);
  set_blas_threads(1);

  for (const std::int64_t seed : seeds) {
    const RunId id{"c4_conditioning", "sweep", static_cast<std::uint64_t>(seed), profile};
    Progress progress(absl::StrCat("c4_conditioning seed=", seed),
                      static_cast<std::int64_t>(ns.size()));
    Table metrics({"n", "cond_W", "cond_patch_paper", "cond_patch_script", "cond_patch_appendix",
                   "cond_whitened_fresh_paper", "cond_whitened_fresh_script",
                   "cond_whitened_fresh_appendix"});
    std::vector<double> n_col, w_col, paper_col, script_col, appendix_col;
    for (std::size_t i = 0; i < ns.size(); ++i) {
      const ConditioningRow r =
          conditioning_row(static_cast<int>(ns[i]), static_cast<std::size_t>(count), id.seed);
      metrics.add_row({static_cast<double>(r.n), r.cond_W, r.cond_patch_paper, r.cond_patch_script,
                       r.cond_patch_appendix, r.cond_whitened_fresh_paper,
                       r.cond_whitened_fresh_script, r.cond_whitened_fresh_appendix});
      n_col.push_back(r.n);
      w_col.push_back(r.cond_W);
      paper_col.push_back(r.cond_patch_paper);
      script_col.push_back(r.cond_patch_script);
      appendix_col.push_back(r.cond_patch_appendix);
      std::fprintf(stderr,
                   "c4_conditioning n=%d: cond_W %.4g, patch paper %.4g script %.4g appendix "
                   "%.4g, whitened fresh paper %.6f script %.6f appendix %.6f\n",
                   r.n, r.cond_W, r.cond_patch_paper, r.cond_patch_script, r.cond_patch_appendix,
                   r.cond_whitened_fresh_paper, r.cond_whitened_fresh_script,
                   r.cond_whitened_fresh_appendix);
      progress.update(static_cast<std::int64_t>(i + 1));
    }
    std::string n_list;
    for (const std::int64_t n : ns) absl::StrAppend(&n_list, n_list.empty() ? "" : ", ", n);
    write_run(out, id, metrics,
              {{"n", absl::StrCat("[", n_list, "]")},
               {"curves", absl::StrCat(count)},
               {"kinks", "3"},
               {"fit_cond_W", exponent_json(n_col, w_col)},
               {"fit_cond_patch_paper", exponent_json(n_col, paper_col)},
               {"fit_cond_patch_script", exponent_json(n_col, script_col)},
               {"fit_cond_patch_appendix", exponent_json(n_col, appendix_col)},
               {"fit", json_quote("least squares of log2(cond) on log2(n), 95% t interval")}},
              RunStatus{}, progress.elapsed_s());
  }
  return 0;
}

}  // namespace
}  // namespace fgbdl

int main(int argc, char** argv) {
  return fgbdl::run_main("c4_conditioning", [&] { return fgbdl::run(argc, argv); });
}
