// Claim X1 (paper/ext_sharing.md), after Shalev-Shwartz, Shamir and
// Shammah, "Weight sharing is crucial to successful optimization" (2017):
// the ConvNet of lib/train/patch_net.h with shared and with unshared
// filters, from the same initial function and on the same batches, learning
// targets of chosen frequency content (experiments/ext_sharing/
// sharing_training.h); the held-out error per frequency band against steps.
// One run per (target, seed) in <out>/x1_sharing/<target>/seed-<S>/.
//
//   bazel run //experiments/ext_sharing:x1_sharing -- --out=$PWD/results
//   bazel run //experiments/ext_sharing:x1_sharing -- --out=/tmp/r --profile=paper
#include <cstdio>
#include <map>
#include <string>

#include "absl/strings/str_cat.h"
#include "experiments/ext_sharing/sharing_training.h"
#include "lib/core/error.h"
#include "lib/core/flags.h"
#include "lib/io/progress.h"
#include "lib/io/results.h"

namespace fgbdl {
namespace {

// The targets by name: the coefficients of the low, mid and high characters
// (scaled to unit energy by sharing_run).
struct Coefficients {
  double low, mid, high;
};
const std::map<std::string, Coefficients>& targets() {
  static const std::map<std::string, Coefficients> t{
      {"mixed", {1, 1, 1}}, {"no_low", {0, 1, 1}}, {"high_only", {0, 0, 1}}};
  return t;
}

int run(int argc, char** argv) {
  Flags flags(argc, argv,
              "X1 (Shalev-Shwartz, Shamir, Shammah 2017): a ConvNet over k patches with "
              "shared and with unshared filters, learning y = low z_1 + mid z_1...z_j + high "
              "z_1...z_k with z_i = sign(u*^T x_i); held-out error per frequency band against "
              "steps. Writes <out>/x1_sharing/<target>/seed-<S>/{metrics.csv,manifest.json}.");
  const std::string out = flags.get_string("out", "", "output directory (required)");
  const std::string profile = flags.get_choice(
      "profile", "quick", {"quick", "paper"},
      "quick: 20000 steps; paper: 60000 steps (both: targets mixed, no_low, high_only, seeds 1,2,3)");
  const bool paper = profile == "paper";
  const auto names = flags.get_choice_list(
      "targets", "mixed,no_low,high_only", {"mixed", "no_low", "high_only"},
      "targets (low, mid, high): mixed (1, 1, 1), no_low (0, 1, 1), high_only (0, 0, 1)");
  const auto seeds = flags.get_int_list("seeds", "1,2,3", 0, 1LL << 40, 1000,
                                        "seeds, one run per (target, seed)");
  SharingSettings s;
  s.positions = flags.get_int("positions", 6, 3, 16, "k: patches (the high band is degree k)");
  s.patch = flags.get_int("patch", 8, 1, 1024, "d: dimension of a patch");
  s.mid_degree = flags.get_int("mid_degree", 3, 2, 15, "j: degree of the mid character (2 <= j < k)");
  s.filters = flags.get_int("filters", 4, 1, 1024, "C: filters per position");
  s.hidden = flags.get_int("hidden", 64, 1, 65536, "H: width of the dense hidden layer");
  s.steps = flags.get_int("steps", paper ? 60000 : 20000, 1, 100000000, "training steps");
  s.batch = flags.get_int("batch", 64, 1, 1 << 16, "batch size (fresh samples every step)");
  s.optimizer = flags.get_choice("optimizer", "adam", {"adam", "sgd"}, "the optimizer of both networks");
  s.lr = flags.get_double("lr", 1e-3, 1e-12, 1e3, "learning rate");
  s.eval_every = flags.get_int("eval_every", 1000, 1, 100000000,
                               "steps between held-out evaluations");
  s.eval_samples = flags.get_int("eval_samples", 16384, 1, 1 << 22, "held-out samples");
  if (!flags.finish()) return 0;
  if (out.empty()) throw UsageError("--out: got ''; allowed: a writable directory (required)");
  if (s.mid_degree >= s.positions)
    throw UsageError(absl::StrCat("--mid_degree: got ", s.mid_degree,
                                  "; allowed: 2 .. positions - 1 = ", s.positions - 1));
  check_output_dir("out", out);
  set_blas_threads(1);
  for (const std::string& name : names) {
    const Coefficients c = targets().at(name);
    s.low = c.low;
    s.mid = c.mid;
    s.high = c.high;
    for (const std::int64_t seed : seeds) {
      const RunId id{"x1_sharing", name, static_cast<std::uint64_t>(seed), profile};
      const std::string label = absl::StrCat("x1_sharing ", name, " seed=", seed);
      Progress progress(label, 2 * s.steps);  // the shared network's steps, then the unshared one's
      RunStatus status;
      const Table t = sharing_run(s, id.seed, status, [&](std::int64_t done) { progress.update(done); });
      write_run(out, id, t,
                {{"target", json_quote(name)},
                 {"low", absl::StrCat(c.low)},
                 {"mid", absl::StrCat(c.mid)},
                 {"high", absl::StrCat(c.high)},
                 {"positions", absl::StrCat(s.positions)},
                 {"patch", absl::StrCat(s.patch)},
                 {"mid_degree", absl::StrCat(s.mid_degree)},
                 {"filters", absl::StrCat(s.filters)},
                 {"hidden", absl::StrCat(s.hidden)},
                 {"steps", absl::StrCat(s.steps)},
                 {"batch", absl::StrCat(s.batch)},
                 {"optimizer", json_quote(s.optimizer)},
                 {"lr", absl::StrCat(s.lr)},
                 {"eval_every", absl::StrCat(s.eval_every)},
                 {"eval_samples", absl::StrCat(s.eval_samples)},
                 {"loss", json_quote("squared")}},
                status, progress.elapsed_s());
      const auto& last = t.rows().back();
      std::fprintf(stderr,
                   "%s: shared mse %.4f (low %.4f mid %.4f high %.4f), unshared mse %.4f (low "
                   "%.4f mid %.4f high %.4f)%s (%.1f s)\n",
                   label.c_str(), last[1], last[2], last[3], last[4], last[5], last[6], last[7],
                   last[8], status.diverged ? " DIVERGED" : "", progress.elapsed_s());
    }
  }
  return 0;
}

}  // namespace
}  // namespace fgbdl

int main(int argc, char** argv) {
  return fgbdl::run_main("x1_sharing", [&] { return fgbdl::run(argc, argv); });
}
