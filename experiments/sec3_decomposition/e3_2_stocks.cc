// Experiment E3.2 of the paper (Section 3.2, Figure 4): the "stocks"
// problem trained with the end-to-end and the decomposition gradient
// estimators (stocks_training.h). One run per (k, estimator, seed); results
// in <out>/e3_2_stocks/k<K>_<estimator>/seed-<S>/ with metrics.csv columns
// step,loss (loss = the exact objective L(w)).
//
//   bazel run //experiments/sec3_decomposition:e3_2_stocks -- --out=$PWD/results
//   bazel run //experiments/sec3_decomposition:e3_2_stocks -- --out=/tmp/r --profile=paper
//   bazel run //experiments/sec3_decomposition:e3_2_stocks -- --out=/tmp/r --k=100 --estimator=e2e
#include <cstdio>
#include <map>
#include <string>

#include "absl/strings/str_cat.h"
#include "experiments/sec3_decomposition/stocks_training.h"
#include "lib/core/error.h"
#include "lib/core/flags.h"
#include "lib/io/progress.h"
#include "lib/io/results.h"

namespace fgbdl {
namespace {

// Largest d * k (parameters of A) and batch * k (per-step buffers) accepted:
// 2^25 floats = 128 MiB per array; a run holds W, its gradient and Adam's two
// moments, so at most ~512 MiB.
constexpr std::int64_t kMaxEntries = std::int64_t{1} << 25;

int run(int argc, char** argv) {
  Flags flags(argc, argv,
              "E3.2 (paper Figure 4): the 'stocks' problem, inputs e_j (j uniform in [d]) with "
              "fixed random labels in [k], model softmax(A x + b), objective E[-z^T N(x)], "
              "trained by Adam with the end-to-end or the decomposition gradient estimator. "
              "Writes <out>/e3_2_stocks/k<K>_<estimator>/seed-<S>/{metrics.csv,manifest.json}.");
  const std::string out = flags.get_string("out", "", "output directory (required)");
  const std::string profile = flags.get_choice(
      "profile", "quick", {"quick", "paper"},
      "quick: 1500 steps, seed 1; paper: the paper's 2500 steps, seeds 1,2,3");
  const bool paper = profile == "paper";
  const std::string claim = flags.get_choice(
      "claim", "e3_2_stocks", {"e3_2_stocks", "b3_2_stocks"},
      "the result folder's claim: e3_2_stocks, or b3_2_stocks for the runs of the boundaries' grid "
      "(paper/boundaries.md; same training)");
  const auto ks = flags.get_int_list("k", "10,1000,2000", 2, 100000, 64,
                                     "numbers of outputs k (distinct)");
  const auto estimators = flags.get_choice_list("estimator", "e2e,dec", {"e2e", "dec"},
                                                "gradient estimators: e2e, dec");
  const auto seeds = flags.get_int_list("seeds", paper ? "1,2,3" : "1", 0, 1LL << 40, 1000,
                                        "seeds, one run per (k, estimator, seed)");
  StocksSettings s;
  s.d = flags.get_int("d", 1000, 1, 1000000, "number of inputs d");
  s.steps = flags.get_int("steps", paper ? 2500 : 1500, 1, 100000000, "Adam steps");
  s.batch = flags.get_int("batch", 100, 1, 1000000, "batch size");
  s.lr = flags.get_double("lr", 0.1, 1e-12, 1e3, "Adam learning rate");
  s.eval_every = flags.get_int("eval_every", 100, 1, 100000000,
                               "steps between evaluations of the exact objective");
  if (!flags.finish()) return 0;
  if (out.empty()) throw UsageError("--out: got ''; allowed: a writable directory (required)");
  for (const std::int64_t k : ks) {
    if (s.d * k > kMaxEntries)
      throw UsageError(absl::StrCat("--k: got ", k, " with --d=", s.d,
                                    "; allowed: d * k <= ", kMaxEntries));
    if (s.batch * k > kMaxEntries)
      throw UsageError(absl::StrCat("--batch: got ", s.batch, " with --k=", k,
                                    "; allowed: batch * k <= ", kMaxEntries));
  }
  check_output_dir("out", out);
  set_blas_threads(1);

  for (const std::int64_t k : ks) {
    for (const std::string& name : estimators) {
      for (const std::int64_t seed : seeds) {
        s.k = k;
        s.estimator = stocks_estimator_from_name(name);
        const RunId id{claim, absl::StrCat("k", k, "_", name),
                       static_cast<std::uint64_t>(seed), profile};
        Progress progress(absl::StrCat("e3_2_stocks k=", k, " ", name, " seed=", seed), s.steps);
        const std::map<std::string, std::string> settings = {{"d", absl::StrCat(s.d)},
                   {"k", absl::StrCat(k)},
                   {"estimator", json_quote(name)},
                   {"steps", absl::StrCat(s.steps)},
                   {"batch", absl::StrCat(s.batch)},
                   {"lr", absl::StrCat(s.lr)},
                   {"beta1", absl::StrCat(s.beta1)},
                   {"beta2", absl::StrCat(s.beta2)},
                   {"eps", absl::StrCat(s.eps)},
                   {"eval_every", absl::StrCat(s.eval_every)},
                   {"objective", json_quote("exact L(w) = -(1/d) sum_j N_w(e_j)_y(j)")},
                   {"init", json_quote("A^T truncated normal std 1/sqrt(d), b = 0 (script)")},
                   {"optimizer", json_quote("adam (TensorFlow 1)")}};
        const RunCheckpoint checkpoint = run_checkpoint(out, id, settings);
        RunStatus status;
        const Table metrics = train_stocks(
            s, id.seed, status, [&](std::int64_t t) { progress.update(t); }, checkpoint);
        write_run(out, id, metrics, settings, status, progress.elapsed_s());
        remove_checkpoint(checkpoint);
        std::fprintf(stderr, "e3_2_stocks k=%lld %s seed=%lld: final loss %.4f%s (%.1f s)\n",
                     static_cast<long long>(k), name.c_str(), static_cast<long long>(seed),
                     metrics.rows().back()[1], status.diverged ? " DIVERGED" : "",
                     progress.elapsed_s());
      }
    }
  }
  return 0;
}

}  // namespace
}  // namespace fgbdl

int main(int argc, char** argv) {
  return fgbdl::run_main("e3_2_stocks", [&] { return fgbdl::run(argc, argv); });
}
