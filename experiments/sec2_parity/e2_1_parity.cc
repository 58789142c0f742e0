// Experiment E2.1 of the paper (Section 2.1, Figure 1): learning random
// parities with a one-hidden-layer ReLU network and SGD. One run per
// (d, seed); results in <out>/e2_1_parity/d<D>/seed-<S>/.
//
//   bazel run //experiments/sec2_parity:e2_1_parity -- --out=$PWD/results
//   bazel run //experiments/sec2_parity:e2_1_parity -- --out=/tmp/r --profile=paper
//   bazel run //experiments/sec2_parity:e2_1_parity -- --out=/tmp/r --d=5,6,7,8 --steps=20000
#include <chrono>
#include <cstdio>
#include <map>
#include <string>

#include "absl/strings/str_cat.h"
#include "experiments/sec2_parity/parity_training.h"
#include "lib/core/error.h"
#include "lib/core/flags.h"
#include "lib/io/progress.h"
#include "lib/io/results.h"

namespace fgbdl {
namespace {

int run(int argc, char** argv) {
  Flags flags(argc, argv,
              "E2.1 (paper Figure 1): SGD on random parities over {±1}^d with a dense "
              "d-10d-1 ReLU network and the hinge loss. Writes "
              "<out>/e2_1_parity/d<D>/seed-<S>/{metrics.csv,manifest.json}.");
  const std::string out = flags.get_string("out", "", "output directory (required)");
  const std::string profile = flags.get_choice(
      "profile", "quick", {"quick", "paper"},
      "quick: 20000 steps, seed 1; paper: the paper's 50000 steps, seeds 1,2,3");
  const bool paper = profile == "paper";
  const std::string claim = flags.get_choice(
      "claim", "e2_1_parity", {"e2_1_parity", "b2_1_parity"},
      "the result folder's claim: e2_1_parity, or b2_1_parity for the runs of the boundaries' grid "
      "(paper/boundaries.md; same training)");
  const auto ds = flags.get_int_list("d", "5,10,30", 1, 64, 64, "input dimensions d");
  const auto seeds = flags.get_int_list("seeds", paper ? "1,2,3" : "1", 0, 1LL << 40, 1000,
                                        "seeds, one run per (d, seed)");
  ParitySettings s;
  s.steps = flags.get_int("steps", paper ? 50000 : 20000, 1, 100000000, "SGD steps");
  s.batch = flags.get_int("batch", 128, 1, 1 << 20, "batch size");
  s.lr = flags.get_double("lr", 0.01, 1e-12, 1e6, "SGD learning rate");
  s.eval_every = flags.get_int("eval_every", 100, 1, 100000000, "steps between evaluations");
  s.eval_samples = flags.get_int("eval_samples", 500, 1, 1 << 24, "fresh samples per evaluation");
  s.width_factor = static_cast<int>(
      flags.get_int("width_factor", 10, 1, 1000, "hidden width = width_factor * d"));
  if (!flags.finish()) return 0;
  if (out.empty()) throw UsageError("--out: got ''; allowed: a writable directory (required)");
  check_output_dir("out", out);
  set_blas_threads(1);

  for (const std::int64_t d : ds) {
    for (const std::int64_t seed : seeds) {
      s.d = static_cast<int>(d);
      const RunId id{claim, absl::StrCat("d", d), static_cast<std::uint64_t>(seed), profile};
      Progress progress(absl::StrCat("e2_1_parity d=", d, " seed=", seed), s.steps);
      const std::map<std::string, std::string> settings = {
          {"d", absl::StrCat(d)},
          {"width", absl::StrCat(s.width_factor * d)},
          {"steps", absl::StrCat(s.steps)},
          {"batch", absl::StrCat(s.batch)},
          {"lr", absl::StrCat(s.lr)},
          {"eval_every", absl::StrCat(s.eval_every)},
          {"eval_samples", absl::StrCat(s.eval_samples)},
          {"loss", "\"hinge\""},
          {"optimizer", "\"sgd\""}};
      const RunCheckpoint checkpoint = run_checkpoint(out, id, settings);
      RunStatus status;
      const Table metrics = train_parity(
          s, id.seed, status, [&](std::int64_t t) { progress.update(t); }, checkpoint);
      write_run(out, id, metrics, settings, status, progress.elapsed_s());
      remove_checkpoint(checkpoint);
      std::fprintf(stderr, "e2_1_parity d=%lld seed=%lld: final accuracy %.3f%s (%.1f s)\n",
                   static_cast<long long>(d), static_cast<long long>(seed),
                   metrics.rows().back()[1], status.diverged ? " DIVERGED" : "",
                   progress.elapsed_s());
    }
  }
  return 0;
}

}  // namespace
}  // namespace fgbdl

int main(int argc, char** argv) {
  return fgbdl::run_main("e2_1_parity", [&] { return fgbdl::run(argc, argv); });
}
