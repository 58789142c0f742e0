// Claim X5 (paper/ext_noise.md), after Abbe and Sandon (arXiv 1812.06369,
// 2001.02992): gradient descent with large batches and Gaussian noise of
// scale tau on every gradient entry, on a sparse parity of k of d bits and
// on a single bit, over a grid of tau; held-out accuracy against steps
// (experiments/ext_noise/noisy_training.h). One run per (target, tau, seed)
// in <out>/x5_noisy_gd/<target>_tau<tau>/seed-<S>/.
//
//   bazel run //experiments/ext_noise:x5_noisy_gd -- --out=$PWD/results
//   bazel run //experiments/ext_noise:x5_noisy_gd -- --out=/tmp/r --profile=paper
#include <cstdio>
#include <map>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "experiments/ext_noise/noisy_training.h"
#include "lib/core/error.h"
#include "lib/core/flags.h"
#include "lib/io/progress.h"
#include "lib/io/results.h"

namespace fgbdl {
namespace {

// The grid tau may take: 0 and half-decades from 1e-4 to 10.
const std::vector<std::string>& tau_grid() {
  static const std::vector<std::string> g{"0",    "1e-4", "3e-4", "1e-3", "3e-3", "1e-2", "3e-2",
                                          "1e-1", "3e-1", "1",    "3",    "10"};
  return g;
}

int run(int argc, char** argv) {
  Flags flags(argc, argv,
              "X5 (Abbe and Sandon): noisy gradient descent, the exact gradient plus N(0, tau^2) "
              "on every entry, batches of fresh samples, on a parity of k of d bits and on a "
              "single bit; held-out accuracy against steps for each tau. Writes "
              "<out>/x5_noisy_gd/<target>_tau<tau>/seed-<S>/{metrics.csv,manifest.json}.");
  const std::string out = flags.get_string("out", "", "output directory (required)");
  const std::string profile = flags.get_choice(
      "profile", "quick", {"quick", "paper"},
      "quick: 4000 steps; paper: 8000 steps (both: seeds 1,2,3, both targets, the tau "
      "grid 0,1e-2,3e-2,...,10)");
  const bool paper = profile == "paper";
  const auto targets = flags.get_choice_list("targets", "parity,bit", {"parity", "bit"},
                                             "parity: chi_S with |S| = k; bit: one coordinate");
  const auto taus = flags.get_choice_list("taus", "0,1e-2,3e-2,1e-1,3e-1,1,3,10",
                                          tau_grid(), "noise levels tau (one run each)");
  const auto seeds = flags.get_int_list("seeds", "1,2,3", 0, 1LL << 40,
                                        1000, "seeds, one run per (target, tau, seed)");
  NoisySettings s;
  s.d = static_cast<int>(flags.get_int("d", 20, 2, 64, "input bits"));
  const int k = static_cast<int>(flags.get_int("k", 6, 2, 64, "degree of the parity (k <= d)"));
  s.width_factor = static_cast<int>(
      flags.get_int("width_factor", 10, 1, 1000, "hidden width = width_factor * d"));
  s.steps = flags.get_int("steps", paper ? 8000 : 4000, 1, 100000000, "SGD steps");
  s.batch = flags.get_int("batch", 1024, 1, 1 << 20, "batch size (fresh samples every step)");
  s.lr = flags.get_double("lr", 0.1, 1e-12, 1e6, "SGD learning rate");
  s.eval_every = flags.get_int("eval_every", 100, 1, 100000000, "steps between evaluations");
  s.eval_samples = flags.get_int("eval_samples", 4096, 1, 1 << 22, "held-out samples");
  if (!flags.finish()) return 0;
  if (out.empty()) throw UsageError("--out: got ''; allowed: a writable directory (required)");
  if (k > s.d)
    throw UsageError(absl::StrCat("--k: got ", k, "; allowed: 2 .. d = ", s.d));
  check_output_dir("out", out);
  set_blas_threads(1);
  for (const std::string& target : targets) {
    s.degree = target == "parity" ? k : 1;
    for (const std::string& tau : taus) {
      s.tau = std::stod(tau);
      for (const std::int64_t seed : seeds) {
        const RunId id{"x5_noisy_gd", absl::StrCat(target, "_tau", tau),
                       static_cast<std::uint64_t>(seed), profile};
        const std::string label = absl::StrCat("x5_noisy_gd ", id.config, " seed=", seed);
        Progress progress(label, s.steps);
        const std::map<std::string, std::string> settings = {
            {"target", json_quote(target)},
            {"degree", absl::StrCat(s.degree)},
            {"tau", absl::StrCat(s.tau)},
            {"d", absl::StrCat(s.d)},
            {"width", absl::StrCat(s.width_factor * s.d)},
            {"steps", absl::StrCat(s.steps)},
            {"batch", absl::StrCat(s.batch)},
            {"lr", absl::StrCat(s.lr)},
            {"eval_every", absl::StrCat(s.eval_every)},
            {"eval_samples", absl::StrCat(s.eval_samples)},
            {"loss", json_quote("hinge")},
            {"optimizer", json_quote("sgd")}};
        const RunCheckpoint checkpoint = run_checkpoint(out, id, settings);
        RunStatus status;
        const Table t = noisy_run(
            s, id.seed, status, [&](std::int64_t done) { progress.update(done); }, checkpoint);
        write_run(out, id, t, settings, status, progress.elapsed_s());
        remove_checkpoint(checkpoint);
        std::fprintf(stderr, "%s: held-out accuracy %.4f%s (%.1f s)\n", label.c_str(),
                     t.rows().back()[1], status.diverged ? " DIVERGED" : "",
                     progress.elapsed_s());
      }
    }
  }
  return 0;
}

}  // namespace
}  // namespace fgbdl

int main(int argc, char** argv) {
  return fgbdl::run_main("x5_noisy_gd", [&] { return fgbdl::run(argc, argv); });
}
