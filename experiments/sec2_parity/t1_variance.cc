// Theorem 1 of the paper (Section 2; T1 in paper/sec2_parity.md) at a fixed random
// network: the exact variance of the gradient over all 2^d parities, for the
// square and the hinge loss, against the bound G(w)^2 / 2^d, for d = 2..14.
// One run per seed; results in <out>/t1_variance/fixed_net/seed-<S>/ with
// metrics.csv columns d,var_square,var_hinge,G2,bound.
//
//   bazel run //experiments/sec2_parity:t1_variance -- --out=/tmp/r
//   bazel run //experiments/sec2_parity:t1_variance -- --out=/tmp/r --profile=paper
//   bazel run //experiments/sec2_parity:t1_variance -- --out=/tmp/r --d=2,4,8,16 --width=32
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "experiments/sec2_parity/t1_variance_lib.h"
#include "lib/core/error.h"
#include "lib/core/flags.h"
#include "lib/io/progress.h"
#include "lib/io/results.h"

namespace fgbdl {
namespace {

constexpr double kMaxBytes = 4.0 * (1 << 30);  // 4 GiB

int run(int argc, char** argv) {
  Flags flags(argc, argv,
              "T1 (paper Theorem 1): exact gradient variance over all 2^d parities of "
              "{±1}^d at a fixed random d-width-1 ReLU network, square and hinge loss, and "
              "the bound G^2/2^d. Writes "
              "<out>/t1_variance/fixed_net/seed-<S>/{metrics.csv,manifest.json}.");
  const std::string out = flags.get_string("out", "", "output directory (required)");
  const std::string profile = flags.get_choice(
      "profile", "quick", {"quick", "paper"},
      "quick: d = 2..12, seed 1; paper: d = 2..14, seeds 1,2,3");
  const bool paper = profile == "paper";
  const auto ds = flags.get_int_list("d", paper ? "2,3,4,5,6,7,8,9,10,11,12,13,14"
                                                : "2,3,4,5,6,7,8,9,10,11,12",
                                     1, 18, 18,
                                     "input dimensions d (memory grows as 2^d * (d+2) * width)");
  const auto seeds = flags.get_int_list("seeds", paper ? "1,2,3" : "1", 0, 1LL << 40, 1000,
                                        "seeds, one network (and one run) per seed");
  const std::int64_t width =
      flags.get_int("width", 16, 1, 4096, "hidden width of the d-width-1 ReLU network");
  if (!flags.finish()) return 0;
  // Memory: the per-sample gradients on all 2^d inputs and their transform,
  // two [2^d, P] float64 arrays, P = (d + 2) width + 1.
  for (const auto d : ds) {
    const double bytes = 2.0 * std::ldexp(1.0, static_cast<int>(d)) *
                         static_cast<double>((d + 2) * width + 1) * 8.0;
    if (bytes > kMaxBytes) {
      throw UsageError(absl::StrCat("--d/--width: d = ", d, " with width ", width, " needs ",
                                    static_cast<long long>(bytes / (1 << 20)),
                                    " MiB; allowed: at most ", kMaxBytes / (1 << 20), " MiB"));
    }
  }
  if (out.empty()) throw UsageError("--out: got ''; allowed: a writable directory (required)");
  check_output_dir("out", out);
  set_blas_threads(1);

  std::vector<std::string> d_text;
  for (const auto d : ds) d_text.push_back(absl::StrCat(d));
  for (const std::int64_t seed : seeds) {
    const RunId id{"t1_variance", "fixed_net", static_cast<std::uint64_t>(seed), profile};
    Progress progress(absl::StrCat("t1_variance seed=", seed), static_cast<std::int64_t>(ds.size()));
    Table metrics({"d", "var_square", "var_hinge", "G2", "bound"});
    double max_ratio = 0.0;
    for (std::size_t i = 0; i < ds.size(); ++i) {
      const FixedNetVariance v = t1_fixed_net_variance(static_cast<int>(ds[i]),
                                                       static_cast<std::size_t>(width), id.seed);
      metrics.add_row({static_cast<double>(v.d), v.var_square, v.var_hinge, v.G2, v.bound});
      max_ratio = std::max({max_ratio, v.var_square / v.bound, v.var_hinge / v.bound});
      progress.update(static_cast<std::int64_t>(i + 1));
    }
    write_run(out, id, metrics,
              {{"d", absl::StrCat("[", absl::StrJoin(d_text, ", "), "]")},
               {"width", absl::StrCat(width)},
               {"init", "\"truncated normal std 1/sqrt(fan_in), biases 0\""},
               {"inputs", "\"all of {-1,1}^d\""},
               {"family", "\"all 2^d parities\""},
               {"method", "\"exact (Walsh-Hadamard transform, float64)\""}},
              RunStatus{}, progress.elapsed_s());
    std::fprintf(stderr, "t1_variance seed=%lld: max Var/(G^2/2^d) = %.6f (%.2f s)\n",
                 static_cast<long long>(seed), max_ratio, progress.elapsed_s());
  }
  return 0;
}

}  // namespace
}  // namespace fgbdl

int main(int argc, char** argv) {
  return fgbdl::run_main("t1_variance", [&] { return fgbdl::run(argc, argv); });
}
