// Claim X6 (paper/ext_sparse_parity.md), after Barak, Edelman, Goel, Kakade,
// Malach and Zhang, "Hidden progress in deep learning: SGD learns parities
// near the computational limit" (NeurIPS 2022): a 2-layer ReLU MLP trained
// online by SGD on the (n, k)-sparse parity until it is right on every
// sample of a validation batch of 2^13 (experiments/ext_sparse_parity/
// sparse_parity.h), with the progress measures at every evaluation. One run
// per (n, k, seed) in <out>/x6_sparse_parity/n<N>_k<K>/seed-<S>/; a run not
// solved within --max_steps is recorded as censored.
//
//   bazel run //experiments/ext_sparse_parity:x6_sparse_parity -- --out=$PWD/results
//   bazel run //experiments/ext_sparse_parity:x6_sparse_parity -- --out=/tmp/r --profile=paper
#include <cstdio>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "experiments/ext_sparse_parity/sparse_parity.h"
#include "experiments/ext_sparse_parity/steps_fit.h"
#include "lib/core/error.h"
#include "lib/core/flags.h"
#include "lib/io/progress.h"
#include "lib/io/results.h"

namespace fgbdl {
namespace {

int run(int argc, char** argv) {
  Flags flags(argc, argv,
              "X6 (Barak et al. 2022): a 2-layer ReLU MLP learning the (n, k)-sparse parity "
              "online by SGD; the step at which it is right on all of a validation batch, and "
              "the progress measures ||W1_t - W1_0||_inf on the relevant and the irrelevant "
              "inputs. Writes <out>/x6_sparse_parity/n<N>_k<K>/seed-<S>/{metrics.csv,"
              "manifest.json}, one run per (n, k, seed) with k <= n.");
  const std::string out = flags.get_string("out", "", "output directory (required)");
  const std::string profile = flags.get_choice(
      "profile", "quick", {"quick", "paper"},
      "quick: n 10,14,20,28 and at most 20000 steps; paper: n 10,14,20,28,40,56,80 and at "
      "most 200000 steps (both: k 2,3,4, seeds 1..5 unless given)");
  const bool paper = profile == "paper";
  const auto ns = flags.get_int_list("n", paper ? "10,14,20,28,40,56,80" : "10,14,20,28", 1,
                                     1000, 100, "n: input dimensions");
  const auto ks = flags.get_int_list("k", "2,3,4", 1, 16, 16, "k: parity degrees (k <= n)");
  const auto seeds = flags.get_int_list("seeds", "1,2,3,4,5", 0, 1LL << 40, 1000,
                                        "seeds, one run per (n, k, seed)");
  ParitySettings s;
  s.width = flags.get_int("width", 100, 1, 65536, "width of the hidden ReLU layer");
  s.batch = flags.get_int("batch", 32, 1, 1 << 16, "batch size (fresh samples every step)");
  s.lr = flags.get_double("lr", 0.1, 1e-12, 1e3, "SGD learning rate");
  s.loss = flags.get_choice("loss", "hinge", {"hinge", "square"}, "training loss");
  s.max_steps = flags.get_int("max_steps", paper ? 200000 : 20000, 1, 1000000000,
                              "step budget: a run not solved by then is censored");
  s.eval_every = flags.get_int("eval_every", 10, 1, 100000000,
                               "steps between evaluations on the validation batch");
  s.eval_samples = flags.get_int("eval_samples", 8192, 1, 1 << 22, "validation samples");
  if (!flags.finish()) return 0;
  if (out.empty()) throw UsageError("--out: got ''; allowed: a writable directory (required)");
  for (const std::int64_t n : ns)
    for (const std::int64_t k : ks)
      if (k > n)
        throw UsageError(absl::StrCat("--k: got ", k, " with n ", n, "; allowed: k <= n"));
  check_output_dir("out", out);
  set_blas_threads(1);
  std::map<std::int64_t, std::vector<StepsPoint>> by_k;  // every run's steps-to-learn
  for (const std::int64_t n : ns)
    for (const std::int64_t k : ks)
      for (const std::int64_t seed : seeds) {
        s.n = n;
        s.k = k;
        const std::string config = absl::StrCat("n", n, "_k", k);
        const RunId id{"x6_sparse_parity", config, static_cast<std::uint64_t>(seed), profile};
        const std::string label = absl::StrCat("x6_sparse_parity ", config, " seed=", seed);
        Progress progress(label, s.max_steps);
        const ParityRun r = parity_run(s, id.seed, [&](std::int64_t t) { progress.update(t); });
        std::string support;
        for (const std::size_t i : r.support) absl::StrAppend(&support, support.empty() ? "" : ",", i);
        write_run(out, id, r.metrics,
                  {{"n", absl::StrCat(n)},
                   {"k", absl::StrCat(k)},
                   {"support", absl::StrCat("[", support, "]")},
                   {"width", absl::StrCat(s.width)},
                   {"batch", absl::StrCat(s.batch)},
                   {"optimizer", json_quote("sgd")},
                   {"lr", absl::StrCat(s.lr)},
                   {"loss", json_quote(s.loss)},
                   {"max_steps", absl::StrCat(s.max_steps)},
                   {"eval_every", absl::StrCat(s.eval_every)},
                   {"eval_samples", absl::StrCat(s.eval_samples)},
                   {"solved", r.solved ? "true" : "false"},
                   {"solved_step", absl::StrCat(r.solved_step)}},
                  r.status, progress.elapsed_s());
        std::fprintf(stderr, "%s: %s at step %lld%s (%.1f s)\n", label.c_str(),
                     r.solved ? "solved" : "censored", static_cast<long long>(r.solved_step),
                     r.status.diverged ? " DIVERGED" : "", progress.elapsed_s());
        by_k[k].push_back({double(n), double(r.solved_step), r.solved});
      }
  // The fit of log2 T on log2 n per k over this invocation's runs
  // (steps_fit.h), where there are enough of them.
  for (const auto& [k, runs] : by_k) {
    try {
      const StepsFit f = fit_steps_exponent(runs);
      std::fprintf(stderr,
                   "x6_sparse_parity k=%lld: beta %.3f, 95%% t interval [%.3f, %.3f] over %zu "
                   "runs; %zu censored, %zu n left out\n",
                   static_cast<long long>(k), f.fit.rate, f.fit.ci_low, f.fit.ci_high, f.runs,
                   f.censored, f.left_out.size());
    } catch (const std::invalid_argument&) {
      std::fprintf(stderr, "x6_sparse_parity k=%lld: too few solved runs to fit\n",
                   static_cast<long long>(k));
    }
  }
  return 0;
}

}  // namespace
}  // namespace fgbdl

int main(int argc, char** argv) {
  return fgbdl::run_main("x6_sparse_parity", [&] { return fgbdl::run(argc, argv); });
}
