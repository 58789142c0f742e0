// Claim X3 (paper/ext_feedback.md), after Lillicrap, Cownden, Tweed and
// Akerman, "Random synaptic feedback weights support error backpropagation
// for deep learning" (Nature Communications 7:13276, 2016): one multi-layer
// perceptron trained by back-propagation and by feedback alignment from the
// same initial weights, by the same optimizer on the same batches
// (experiments/ext_feedback/feedback_training.h), on the paper's four
// failure families:
//   parity  Section 2 (E2.1's network d-10d-1, hinge, SGD 0.01, batch 128):
//           <out>/x3_feedback/parity_d<D>/seed-<S>/;
//   tuples  Section 3's line-image tuples, an MLP on the 784 k pixels:
//           <out>/x3_feedback/tuples_k<K>/seed-<S>/;
//   curves  Section 4's piecewise-linear curves, f to its encoding p:
//           <out>/x3_feedback/curves_n<N>/seed-<S>/;
//   step    Section 5's step target, E5.3's network d-100-100-1:
//           <out>/x3_feedback/step_d<D>/seed-<S>/.
//
//   bazel run //experiments/ext_feedback:x3_feedback -- --out=$PWD/results
//   bazel run //experiments/ext_feedback:x3_feedback -- --out=/tmp/r --profile=paper
#include <cstdio>
#include <functional>
#include <map>
#include <string>

#include "absl/strings/str_cat.h"
#include "experiments/ext_feedback/feedback_training.h"
#include "lib/core/error.h"
#include "lib/core/flags.h"
#include "lib/io/progress.h"
#include "lib/io/results.h"

namespace fgbdl {
namespace {

int run(int argc, char** argv) {
  Flags flags(argc, argv,
              "X3 (Lillicrap et al. 2016): an MLP trained by back-propagation and by feedback "
              "alignment (the error sent down through fixed random matrices) from the same "
              "initial weights on the same batches, on parities, line-image tuples, "
              "piecewise-linear curves and the step target. Writes "
              "<out>/x3_feedback/<part>_.../seed-<S>/{metrics.csv,manifest.json}.");
  const std::string out = flags.get_string("out", "", "output directory (required)");
  const std::string profile = flags.get_choice(
      "profile", "quick", {"quick", "paper"},
      "quick: parity d 5,10 (20000 steps), tuples k 1,2 (5000), curves n 25 (20000), step "
      "(5000); paper: parity d 5,10,15,20 (50000), tuples k 1,2,3 (20000), curves n 25,50 "
      "(50000), step (20000); seeds 1,2,3");
  const bool paper = profile == "paper";
  const auto parts = flags.get_choice_list("parts", "parity,tuples,curves,step",
                                           {"parity", "tuples", "curves", "step"},
                                           "which families");
  const auto seeds = flags.get_int_list("seeds", "1,2,3", 0, 1LL << 40, 1000,
                                        "seeds, one run per (configuration, seed)");
  const std::int64_t eval_samples =
      flags.get_int("eval_samples", 2000, 1, 1 << 20, "held-out samples of every run");
  // Parity (E2.1).
  const auto parity_ds = flags.get_int_list("parity_d", paper ? "5,10,15,20" : "5,10", 1, 64, 64,
                                            "parity: dimensions d");
  FeedbackSettings par;
  par.steps = flags.get_int("parity_steps", paper ? 50000 : 20000, 1, 100000000, "parity: SGD steps");
  par.lr = flags.get_double("parity_lr", 0.01, 1e-12, 1e3, "parity: SGD learning rate (E2.1's)");
  par.batch = 128;
  par.optimizer = "sgd";
  par.eval_every = flags.get_int("parity_eval_every", 500, 1, 100000000,
                                 "parity: steps between held-out evaluations");
  // Line-image tuples.
  const auto tuples_ks = flags.get_int_list("tuples_k", paper ? "1,2,3" : "1,2", 1, 8, 8,
                                            "tuples: images per tuple k");
  FeedbackSettings tup;
  tup.width = flags.get_int("tuples_width", 100, 1, 4096, "tuples: hidden width");
  tup.steps = flags.get_int("tuples_steps", paper ? 20000 : 5000, 1, 100000000, "tuples: Adam steps");
  tup.lr = flags.get_double("tuples_lr", 1e-3, 1e-12, 1e3, "tuples: Adam learning rate");
  tup.batch = 64;
  tup.optimizer = "adam";
  tup.eval_every = 250;
  // Piecewise-linear curves.
  const auto curves_ns = flags.get_int_list("curves_n", paper ? "25,50" : "25", 3, 1000, 8,
                                            "curves: samples per curve n");
  FeedbackSettings cur;
  cur.width = flags.get_int("curves_width", 100, 1, 4096, "curves: hidden width");
  cur.steps = flags.get_int("curves_steps", paper ? 50000 : 20000, 1, 100000000, "curves: Adam steps");
  cur.lr = flags.get_double("curves_lr", 1e-3, 1e-12, 1e3, "curves: Adam learning rate");
  cur.batch = 100;
  cur.optimizer = "adam";
  cur.eval_every = 250;
  // Step target (E5.3).
  FeedbackSettings step;
  step.d = 100;
  step.width = 100;
  step.hidden_layers = 2;
  step.steps = flags.get_int("step_steps", paper ? 20000 : 5000, 1, 100000000, "step: Adam steps");
  step.lr = flags.get_double("step_lr", 1e-3, 1e-12, 1e3, "step: Adam learning rate (E5.3's)");
  step.batch = 256;
  step.optimizer = "adam";
  step.eval_every = 250;
  if (!flags.finish()) return 0;
  if (out.empty()) throw UsageError("--out: got ''; allowed: a writable directory (required)");
  check_output_dir("out", out);
  set_blas_threads(1);
  par.eval_samples = tup.eval_samples = cur.eval_samples = step.eval_samples = eval_samples;
  auto has = [&](const std::string& p) {
    for (const std::string& q : parts)
      if (q == p) return true;
    return false;
  };

  // One run: train, write it, and print its last row.
  using Body = std::function<Table(std::uint64_t, RunStatus&, const std::function<void(std::int64_t)>&)>;
  auto one_run = [&](const std::string& config, std::int64_t seed, const FeedbackSettings& f,
                     std::map<std::string, std::string> settings, const Body& body) {
    const RunId id{"x3_feedback", config, static_cast<std::uint64_t>(seed), profile};
    const std::string label = absl::StrCat("x3_feedback ", config, " seed=", seed);
    Progress progress(label, 2 * f.steps);  // back-propagation's steps, then feedback alignment's
    RunStatus status;
    const Table t = body(id.seed, status, [&](std::int64_t done) { progress.update(done); });
    settings["width"] = absl::StrCat(f.width);
    settings["hidden_layers"] = absl::StrCat(f.hidden_layers);
    settings["steps"] = absl::StrCat(f.steps);
    settings["batch"] = absl::StrCat(f.batch);
    settings["optimizer"] = json_quote(f.optimizer);
    settings["lr"] = absl::StrCat(f.lr);
    settings["eval_every"] = absl::StrCat(f.eval_every);
    settings["eval_samples"] = absl::StrCat(f.eval_samples);
    settings["feedback"] = json_quote("B_l ~ W_l's initialization, fixed");
    write_run(out, id, t, settings, status, progress.elapsed_s());
    std::string last;
    for (std::size_t c = 1; c < t.columns().size(); ++c)
      last += absl::StrCat(" ", t.columns()[c], "=", t.rows().back()[c]);
    std::fprintf(stderr, "%s:%s%s (%.1f s)\n", label.c_str(), last.c_str(),
                 status.diverged ? " DIVERGED" : "", progress.elapsed_s());
  };
  if (has("parity")) {
    for (const std::int64_t d : parity_ds)
      for (const std::int64_t seed : seeds) {
        par.d = d;
        par.width = 10 * d;
        one_run(absl::StrCat("parity_d", d), seed, par,
                {{"part", json_quote("parity")}, {"d", absl::StrCat(d)}, {"loss", json_quote("hinge")}},
                [&](std::uint64_t sd, RunStatus& st, const std::function<void(std::int64_t)>& p) {
                  return parity_feedback(par, sd, st, p);
                });
      }
  }
  if (has("tuples")) {
    for (const std::int64_t k : tuples_ks)
      for (const std::int64_t seed : seeds)
        one_run(absl::StrCat("tuples_k", k), seed, tup,
                {{"part", json_quote("tuples")},
                 {"k", absl::StrCat(k)},
                 {"d", absl::StrCat(28 * 28 * k)},
                 {"rasterizer", json_quote("paper")},
                 {"loss", json_quote("hinge")}},
                [&](std::uint64_t sd, RunStatus& st, const std::function<void(std::int64_t)>& p) {
                  return tuples_feedback(tup, static_cast<int>(k), sd, st, p);
                });
  }
  if (has("curves")) {
    for (const std::int64_t n : curves_ns)
      for (const std::int64_t seed : seeds)
        one_run(absl::StrCat("curves_n", n), seed, cur,
                {{"part", json_quote("curves")},
                 {"n", absl::StrCat(n)},
                 {"d", absl::StrCat(n)},
                 {"kinks", "3"},
                 {"curves", json_quote("paper")},
                 {"loss", json_quote("squared")}},
                [&](std::uint64_t sd, RunStatus& st, const std::function<void(std::int64_t)>& p) {
                  return curves_feedback(cur, static_cast<int>(n), sd, st, p);
                });
  }
  if (has("step")) {
    for (const std::int64_t seed : seeds)
      one_run(absl::StrCat("step_d", step.d), seed, step,
              {{"part", json_quote("step")},
               {"d", absl::StrCat(step.d)},
               {"thresholds", json_quote("script")},
               {"loss", json_quote("squared")}},
              [&](std::uint64_t sd, RunStatus& st, const std::function<void(std::int64_t)>& p) {
                return step_feedback(step, sd, st, p);
              });
  }
  return 0;
}

}  // namespace
}  // namespace fgbdl

int main(int argc, char** argv) {
  return fgbdl::run_main("x3_feedback", [&] { return fgbdl::run(argc, argv); });
}
