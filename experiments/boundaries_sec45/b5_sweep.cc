// Claim B5 (paper/boundaries_sec45.md): the learners of the paper's Section 5
// (Figure 7; experiments E5.2 to E5.5 of paper/sec5_flat.md,
// experiments/sec5_flat/flat_training.h) against the sharpness c of the
// sigmoid approximation and against the number K of thresholds of the step
// target. Two families (--family):
//   sharpness   the approximation (approx) at each c of --c, and the
//               forward-only update (forward_only, which has no c), on the
//               script's thresholds:
//                 <out>/b5_sharpness/approx_c<c>/seed-<S>/
//                 <out>/b5_sharpness/forward_only/seed-<S>/
//   thresholds  each learner of --approach on K thresholds evenly spaced over
//               b* + [-0.5, 0.5] (lib/data/step_targets.h,
//               even_threshold_offsets) for each K of --thresholds:
//                 <out>/b5_thresholds/<approach>_k<K>/seed-<S>/
// Every metrics.csv has the columns step,test_error,fvu,target_variance:
// the held-out mean squared error of the predicted value (every
// --eval_every steps and at the last), fvu = test_error / target_variance,
// and the variance of y on the held-out set (a constant of the run).
//
//   bazel run //experiments/boundaries_sec45:b5_sweep -- --out=$PWD/results
//   bazel run //experiments/boundaries_sec45:b5_sweep -- --out=/tmp/r --profile=paper
//   bazel run //experiments/boundaries_sec45:b5_sweep -- --out=/tmp/r --family=thresholds
//       --thresholds=7,55 --seeds=1,2   (one command line)
#include <cmath>
#include <cstdio>
#include <map>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "experiments/sec5_flat/flat_training.h"
#include "lib/core/error.h"
#include "lib/core/flags.h"
#include "lib/io/progress.h"
#include "lib/io/results.h"

namespace fgbdl {
namespace {

// The script's step budgets: 10 000, 5 000 for forward_only.
std::int64_t script_steps(FlatApproach a) { return a == FlatApproach::kForwardOnly ? 5000 : 10000; }

int run(int argc, char** argv) {
  Flags flags(argc, argv,
              "B5: the learners of E5.2-E5.5 (paper Figure 7) against the sharpness c of the "
              "sigmoid approximation (--family=sharpness: approx at each c, and forward_only) and "
              "against the number K of evenly spaced thresholds (--family=thresholds). Writes "
              "<out>/b5_sharpness/{approx_c<c>,forward_only}/seed-<S>/ or "
              "<out>/b5_thresholds/<approach>_k<K>/seed-<S>/ (step,test_error,fvu,"
              "target_variance).");
  const std::string out = flags.get_string("out", "", "output directory (required)");
  const std::string profile = flags.get_choice(
      "profile", "quick", {"quick", "paper"},
      "quick: 1000 steps, seed 1; paper: the script's 10000 steps (forward_only 5000), seeds "
      "1..10");
  const bool paper = profile == "paper";
  const std::string family = flags.get_choice("family", "sharpness", {"sharpness", "thresholds"},
                                              "which setting the runs vary");
  const std::string c_text = flags.get_string(
      "c", "1,2,5,10,20,50,100", "sharpness: the values of c of approx, in [0.001, 10000]");
  const auto ks = flags.get_int_list("thresholds", "7,14,28,55,110", 2, 10000, 100,
                                     "thresholds: the numbers K of even thresholds");
  const bool sharpness = family == "sharpness";
  const auto approaches = flags.get_choice_list(
      "approach", sharpness ? "approx,forward_only" : "approx,e2e,multiclass,forward_only",
      {"approx", "e2e", "multiclass", "forward_only"},
      "the learners (sharpness: approx at each c and forward_only only; default all of them)");
  const auto seeds = flags.get_int_list("seeds", paper ? "1,2,3,4,5,6,7,8,9,10" : "1", 0,
                                        1LL << 40, 1000, "seeds, one run per setting and seed");
  const std::int64_t steps_flag = flags.get_int(
      "steps", 0, 0, 100000000,
      "Adam steps of every run; 0 = by profile (paper: the script's 10000, forward_only 5000; "
      "quick: 1000)");
  const std::int64_t eval_every =
      flags.get_int("eval_every", 100, 1, 100000000, "steps between evaluations");
  const std::int64_t test_samples = flags.get_int("test_samples", 10000, 2, 1000000,
                                                  "held-out samples (drawn once per seed)");
  if (!flags.finish()) return 0;
  const std::vector<double> cs = parse_real_list("c", c_text, 1e-3, 1e4);

  struct Setting {
    FlatApproach approach;
    double c;
    std::int64_t k;  // 0: the script's thresholds
    std::string claim, config;
  };
  std::vector<Setting> settings_list;
  if (sharpness) {
    for (const std::string& a : approaches) {
      if (a == "approx") {
        for (const double c : cs)
          settings_list.push_back(
              {FlatApproach::kApprox, c, 0, "b5_sharpness", absl::StrCat("approx_c", c)});
      } else if (a == "forward_only") {
        settings_list.push_back(
            {FlatApproach::kForwardOnly, 5.0, 0, "b5_sharpness", "forward_only"});
      } else {
        throw UsageError(absl::StrCat("--approach: got ", a, " with --family=sharpness; "
                                      "allowed: approx, forward_only"));
      }
    }
  } else {
    for (const std::string& a : approaches)
      for (const std::int64_t k : ks)
        settings_list.push_back(
            {flat_approach_from_name(a), 5.0, k, "b5_thresholds", absl::StrCat(a, "_k", k)});
  }

  if (out.empty()) throw UsageError("--out: got ''; allowed: a writable directory (required)");
  check_output_dir("out", out);
  set_blas_threads(1);

  for (const Setting& g : settings_list) {
    for (const std::int64_t seed : seeds) {
      FlatSettings s;
      s.approach = g.approach;
      s.c = g.c;
      if (g.k > 0) s.threshold_offsets = even_threshold_offsets(static_cast<int>(g.k));
      s.steps = steps_flag > 0 ? steps_flag : paper ? script_steps(s.approach) : 1000;
      s.lr = script_learning_rate(s.approach);
      s.eval_every = eval_every;
      s.test_samples = test_samples;
      const auto useed = static_cast<std::uint64_t>(seed);
      const RunId id{g.claim, g.config, useed, profile};
      const std::string label = absl::StrCat(g.claim, " ", g.config, " seed=", seed);
      Progress progress(label, s.steps);
      std::map<std::string, std::string> settings = flat_run_settings(s);
      if (g.k > 0)
        settings["thresholds"] = json_quote(absl::StrCat("even over b* + [-0.5, 0.5]: ", g.k));
      FlatTrainer trainer(s, useed);
      const RunCheckpoint checkpoint = run_checkpoint(out, id, settings);
      RunStatus status;
      double train_seconds = 0;
      const Table m = train_flat(
          trainer, status, train_seconds, [&](std::int64_t t) { progress.update(t); }, checkpoint);
      double mean = 0, var = 0;
      const Matrix& y = trainer.y_test();
      const double count = static_cast<double>(y.shape(0));
      for (std::size_t i = 0; i < y.shape(0); ++i) mean += y(i, 0) / count;
      for (std::size_t i = 0; i < y.shape(0); ++i) var += (y(i, 0) - mean) * (y(i, 0) - mean);
      var /= count;
      Table metrics({"step", "test_error", "fvu", "target_variance"});
      for (const auto& row : m.rows()) metrics.add_row({row[0], row[2], row[2] / var, var});
      settings["b_star"] = absl::StrCat(trainer.target().b_star);
      write_run(out, id, metrics, settings, status, progress.elapsed_s());
      remove_checkpoint(checkpoint);
      std::fprintf(stderr, "%s: done%s (%.1f s)\n", label.c_str(),
                   status.diverged ? ", DIVERGED" : "", progress.elapsed_s());
    }
  }
  return 0;
}

}  // namespace
}  // namespace fgbdl

int main(int argc, char** argv) {
  return fgbdl::run_main("b5_sweep", [&] { return fgbdl::run(argc, argv); });
}
