// Experiments E5.2 to E5.5 of the paper (Section 5, Figure 7): learning a
// step-function target y = u(v*^T x + b*) with the non-flat approximation
// (approx), an end-to-end network (e2e), a multi-class network (multiclass)
// and the forward-only update (forward_only); see flat_training.h. One run
// per (approach, seed) writes
//   <out>/e5_flat/<config>/seed-<S>/       step,train_error,test_error,train_loss
//   <out>/e5_fit/<config>/seed-<S>/        r,y,prediction[,u_tilde] (Figure 7 a-e:
//                                          held-out points sorted by r)
//   <out>/e5_fit/<config>_zoom/seed-<S>/   the same on 1000 points with
//                                          |r - b*| <= 0.03, around the step
//                                          boundary at b* (Figure 7d)
//   <out>/e5_cost/<config>/seed-<S>/       steps,final_test_error,final_error_200k
//                                          (on 200 000 fresh points); the costs
//                                          in time are in every manifest's
//                                          settings: timing_train_s,
//                                          timing_train_ms_per_step,
//                                          timing_test_ns_per_sample; the
//                                          arithmetic per sample (flat_cost,
//                                          from the architecture) as
//                                          cost_train_macs_per_sample,
//                                          cost_train_transcendentals_per_sample,
//                                          cost_predict_macs_per_sample,
//                                          cost_predict_transcendentals_per_sample
// and, per seed, the bias-initialization sweep of approx:
//   <out>/e5_bias_sweep/sweep/seed-<S>/    b_init,b_init_abs,final_error
// (b_init = the initial bias minus b*). <config> is the approach name, with
// "_paper" appended under --thresholds=paper.
//
//   bazel run //experiments/sec5_flat:e5_flat -- --out=$PWD/results
//   bazel run //experiments/sec5_flat:e5_flat -- --out=/tmp/r --profile=paper
//   bazel run //experiments/sec5_flat:e5_flat -- --out=/tmp/r --approach=forward_only --seeds=4
#include <cstdio>
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

// Steps by profile and approach: the script's 10 000 (5 000 for
// forward_only); quick: a fifth of that (seconds per run).
std::int64_t default_steps(bool paper, FlatApproach a) {
  const std::int64_t s = a == FlatApproach::kForwardOnly ? 5000 : 10000;
  return paper ? s : s / 5;
}

int run(int argc, char** argv) {
  Flags flags(argc, argv,
              "E5.2-E5.5 (paper Figure 7): a step-function target u(v*^T x + b*), x ~ N(0, I)/100 "
              "in R^100, learned by the sigmoid approximation (approx), a ReLU network (e2e), a "
              "multi-class network (multiclass) and the forward-only update (forward_only); "
              "plain = the true gradient through u (zero). Writes <out>/e5_flat, e5_fit, "
              "e5_cost and e5_bias_sweep runs.");
  const std::string out = flags.get_string("out", "", "output directory (required)");
  const std::string profile = flags.get_choice(
      "profile", "quick", {"quick", "paper"},
      "quick: approx, e2e, multiclass 2000 steps, forward_only 1000, seed 1; paper: 10000 and "
      "5000 steps (the script), seeds 1,2,3");
  const bool paper = profile == "paper";
  const auto approach_names = flags.get_choice_list(
      "approach", "approx,e2e,multiclass,forward_only",
      {"approx", "e2e", "multiclass", "forward_only", "plain"}, "approaches to run");
  const auto seeds = flags.get_int_list("seeds", paper ? "1,2,3" : "1", 0, 1LL << 40, 1000,
                                        "seeds, one run per (approach, seed)");
  const std::int64_t steps_flag = flags.get_int(
      "steps", 0, 0, 100000000,
      "Adam steps of every run; 0 = by approach and profile (paper: 10000, forward_only 5000; "
      "quick: a fifth)");
  FlatSettings base;
  base.batch = flags.get_int("batch", 256, 1, 100000, "samples per step");
  const double lr_approx = flags.get_double("lr_approx", 0.01, 1e-12, 10.0, "Adam lr of approx");
  const double lr_e2e = flags.get_double("lr_e2e", 1e-3, 1e-12, 10.0, "Adam lr of e2e");
  const double lr_multiclass =
      flags.get_double("lr_multiclass", 1e-3, 1e-12, 10.0, "Adam lr of multiclass");
  const double lr_forward = flags.get_double("lr_forward", 1e-3, 1e-12, 10.0,
                                             "Adam lr of forward_only (and plain)");
  base.c = flags.get_double("c", 5.0, 1e-3, 1e4, "sharpness c of the sigmoid approximation u~");
  base.thresholds = step_thresholds_from_name(flags.get_choice(
      "thresholds", "script", {"script", "paper"},
      "script: the script's 52 distinct thresholds, multiclass head of 100; paper: 55 "
      "thresholds (coarse grid moved half a step), head of 55"));
  base.eval_every = flags.get_int("eval_every", 100, 1, 100000000, "steps between evaluations");
  base.test_samples = flags.get_int("test_samples", 10000, 1, 1000000,
                                    "held-out samples (drawn once per seed)");
  const std::int64_t fit_points = flags.get_int("fit_points", 2560, 1, 1000000,
                                                "held-out points in e5_fit (the script's 2560)");
  const bool sweep = flags.get_choice("bias_sweep", "yes", {"yes", "no"},
                                      "run the bias-initialization sweep of approx") == "yes";
  const std::string b_init_text = flags.get_string(
      "b_init", "-1,-0.6,-0.4,-0.3,-0.2,-0.1,0,0.1,0.2,0.4,1",
      "sweep: initial biases of approx, relative to b* (b_0 = b* + value), in [-50, 50]");
  if (!flags.finish()) return 0;
  const std::vector<double> b_inits = parse_real_list("b_init", b_init_text, -50, 50);
  if (out.empty()) throw UsageError("--out: got ''; allowed: a writable directory (required)");
  if (fit_points > base.test_samples)
    throw UsageError(absl::StrCat("--fit_points: got ", fit_points, " with --test_samples=",
                                  base.test_samples, "; allowed: at most test_samples"));
  check_output_dir("out", out);
  set_blas_threads(1);
  const std::string suffix = base.thresholds == StepThresholds::kPaper ? "_paper" : "";

  for (const std::string& name : approach_names) {
    for (const std::int64_t seed : seeds) {
      FlatSettings s = base;
      s.approach = flat_approach_from_name(name);
      s.steps = steps_flag > 0 ? steps_flag : default_steps(paper, s.approach);
      s.lr = s.approach == FlatApproach::kApprox       ? lr_approx
             : s.approach == FlatApproach::kEndToEnd   ? lr_e2e
             : s.approach == FlatApproach::kMulticlass ? lr_multiclass
                                                       : lr_forward;
      const auto useed = static_cast<std::uint64_t>(seed);
      const std::string config = name + suffix;
      const std::string label = absl::StrCat("e5_flat ", config, " seed=", seed);
      Progress progress(label, s.steps);
      FlatTrainer trainer(s, useed);
      const RunCheckpoint checkpoint =
          run_checkpoint(out, {"e5_flat", config, useed, profile}, flat_run_settings(s));
      RunStatus status;
      double train_seconds = 0;
      const Table metrics = train_flat(
          trainer, status, train_seconds, [&](std::int64_t t) { progress.update(t); }, checkpoint);
      const double ns = flat_test_ns_per_sample(trainer, 5);
      const double fresh_error = flat_fresh_error(trainer, useed, 200000);
      const double final_error = metrics.rows().back()[2];
      const std::int64_t done = static_cast<std::int64_t>(metrics.rows().back()[0]);
      auto settings = flat_run_settings(s);
      settings["b_star"] = absl::StrCat(trainer.target().b_star);
      // Measurements of the machine, not results: "timing_" keys, which
      // differ between identical runs (tools/reliability's determinism test
      // leaves them out).
      settings["timing_train_s"] = absl::StrCat(train_seconds);
      settings["timing_train_ms_per_step"] =
          absl::StrCat(done > 0 ? 1e3 * train_seconds / static_cast<double>(done) : 0.0);
      settings["timing_test_ns_per_sample"] = absl::StrCat(ns);
      // The arithmetic per sample, from the architecture (flat_cost).
      const FlatCost arithmetic = flat_cost(trainer);
      settings["cost_train_macs_per_sample"] = absl::StrCat(arithmetic.train_macs);
      settings["cost_train_transcendentals_per_sample"] =
          absl::StrCat(arithmetic.train_transcendentals);
      settings["cost_predict_macs_per_sample"] = absl::StrCat(arithmetic.predict_macs);
      settings["cost_predict_transcendentals_per_sample"] =
          absl::StrCat(arithmetic.predict_transcendentals);
      write_run(out, {"e5_flat", config, useed, profile}, metrics, settings, status,
                progress.elapsed_s());
      write_run(out, {"e5_fit", config, useed, profile},
                flat_fit_table(trainer, static_cast<std::size_t>(fit_points)), settings, status,
                0.0);
      settings["zoom_centre"] = json_quote("b*");
      settings["zoom_half_width"] = "0.03";
      write_run(out, {"e5_fit", config + "_zoom", useed, profile},
                flat_zoom_table(trainer, useed, 0.0, 0.03, 1000), settings, status, 0.0);
      Table cost({"steps", "final_test_error", "final_error_200k"});
      cost.add_row({static_cast<double>(done), final_error, fresh_error});
      write_run(out, {"e5_cost", config, useed, profile}, cost, settings, status, train_seconds);
      remove_checkpoint(checkpoint);
      std::fprintf(stderr,
                   "%s: final test error %.5f (200k fresh: %.5f)%s, training %.2f s (%.4f ms/step), test %.0f "
                   "ns/sample\n",
                   label.c_str(), final_error, fresh_error, status.diverged ? " DIVERGED" : "", train_seconds,
                   done > 0 ? 1e3 * train_seconds / static_cast<double>(done) : 0.0, ns);
    }
  }

  if (!sweep) return 0;
  for (const std::int64_t seed : seeds) {
    const auto useed = static_cast<std::uint64_t>(seed);
    FlatSettings s = base;
    s.approach = FlatApproach::kApprox;
    s.steps = steps_flag > 0 ? steps_flag : default_steps(paper, s.approach);
    s.lr = lr_approx;
    s.eval_every = s.steps;  // only the final error is kept
    Table table({"b_init", "b_init_abs", "final_error"});
    Progress progress(absl::StrCat("e5_bias_sweep seed=", seed),
                      static_cast<std::int64_t>(b_inits.size()));
    RunStatus any;
    double b_star = 0;
    for (std::size_t k = 0; k < b_inits.size(); ++k) {
      s.b_init_offset = b_inits[k];
      FlatTrainer trainer(s, useed);
      b_star = trainer.target().b_star;
      RunStatus status;
      double train_seconds = 0;
      const Table m = train_flat(trainer, status, train_seconds);
      if (status.diverged && !any.diverged) any = status;
      table.add_row({b_inits[k], b_star + b_inits[k], m.rows().back()[2]});
      progress.update(static_cast<std::int64_t>(k + 1));
    }
    auto settings = flat_run_settings(s);
    settings["b_star"] = absl::StrCat(b_star);
    settings["b_init"] = json_quote(b_init_text);
    write_run(out, {"e5_bias_sweep", "sweep" + suffix, useed, profile}, table, settings, any,
              progress.elapsed_s());
    std::fprintf(stderr, "e5_bias_sweep seed=%lld: %zu initial biases (%.1f s)\n",
                 static_cast<long long>(seed), b_inits.size(), progress.elapsed_s());
  }
  return 0;
}

}  // namespace
}  // namespace fgbdl

int main(int argc, char** argv) {
  return fgbdl::run_main("e5_flat", [&] { return fgbdl::run(argc, argv); });
}
