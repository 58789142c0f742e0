// Experiment E3.1 of the paper (Section 3.1, Figures 2 and 3): tuples of k
// line images labelled by the parity of their orientations, learned
// end-to-end (hinge loss on the tuple label only) or with decomposition
// (plus the hinge loss of every image's score on its own label). One run per
// (k, approach, seed): <out>/e3_1_tuples/k<K>_<approach>/seed-<S>/ with
// metrics.csv (step,accuracy,loss) and manifest.json; and, per seed, the
// example images of Figure 2 in <out>/e3_1_examples/grid/seed-<S>/
// (image,label,row,col: the lit pixels of 8 images of each label).
//
// A run writes a checkpoint (weights, Adam state, data engine, metrics so
// far) into its directory every --checkpoint_every steps; rerun with the
// same flags, it resumes from there and ends with the same bytes as an
// uninterrupted run. The checkpoint is deleted when the run completes.
//
//   bazel run //experiments/sec3_decomposition:e3_1_tuples -- --out=$PWD/results
//   bazel run //experiments/sec3_decomposition:e3_1_tuples -- --out=/tmp/r --profile=paper
//   bazel run //experiments/sec3_decomposition:e3_1_tuples -- --out=/tmp/r --k=3 --approach=dec
#include <cstdio>
#include <string>

#include "absl/strings/str_cat.h"
#include "experiments/sec3_decomposition/tuple_training.h"
#include "experiments/sec3_decomposition/tuple_flags.h"
#include "lib/core/error.h"
#include "lib/core/flags.h"
#include "lib/io/progress.h"
#include "lib/io/results.h"

namespace fgbdl {
namespace {

// Steps by profile and approach: the paper's 20 000 (end-to-end) and 2 500
// (decomposition); quick: 600 and 400 (under a minute per run at k = 4 on
// one core; decomposition reaches ~0.8 at k = 4, end-to-end learns k = 1).
std::int64_t default_steps(bool paper, TupleApproach a) {
  if (paper) return a == TupleApproach::kEndToEnd ? 20000 : 2500;
  return a == TupleApproach::kEndToEnd ? 600 : 400;
}

int run(int argc, char** argv) {
  Flags flags(argc, argv,
              "E3.1 (paper Figures 2, 3): k-tuples of 28x28 line images, label = parity of "
              "the orientations; a shared conv net N1 per image and N2 on the k scores, "
              "trained end-to-end (e2e) or with decomposition (dec), Adam. Writes "
              "<out>/e3_1_tuples/k<K>_<approach>/seed-<S>/{metrics.csv,manifest.json} and "
              "<out>/e3_1_examples/grid/seed-<S>/.");
  const std::string out = flags.get_string("out", "", "output directory (required)");
  const std::string profile = flags.get_choice(
      "profile", "quick", {"quick", "paper"},
      "quick: e2e 600 and dec 400 steps, seed 1; paper: e2e 20000 and dec 2500 steps, "
      "seeds 1,2,3");
  const bool paper = profile == "paper";
  const std::string claim = flags.get_choice(
      "claim", "e3_1_tuples", {"e3_1_tuples", "b3_1_tuples"},
      "the result folder's claim: e3_1_tuples, or b3_1_tuples for the runs of the boundaries' grid "
      "(paper/boundaries.md; same training)");
  const auto ks = flags.get_int_list("k", "1,2,3,4", 1, 16, 16, "tuple sizes k");
  const auto approach_names = flags.get_choice_list(
      "approach", "e2e,dec", {"e2e", "dec"},
      "e2e: tuple hinge loss only; dec: plus the mean image hinge loss");
  const auto seeds = flags.get_int_list("seeds", paper ? "1,2,3" : "1", 0, 1LL << 40, 1000,
                                        "seeds, one run per (k, approach, seed)");
  const std::int64_t steps_flag = flags.get_int(
      "steps", 0, 0, 100000000,
      "Adam steps for every run; 0 = by approach and profile (e2e 20000 / dec 2500 paper, "
      "600 / 400 quick)");
  TupleSettings s;
  s.batch = flags.get_int("batch", 200, 1, 10000, "tuples per step");
  s.lr = flags.get_double("lr", 1e-3, 1e-12, 10.0, "Adam learning rate");
  s.eval_every = flags.get_int("eval_every", 100, 1, 100000000, "steps between evaluations");
  s.eval_tuples = flags.get_int("eval_tuples", 2000, 1, 100000,
                                "held-out tuples (drawn once per run)");
  const std::int64_t checkpoint_every = flags.get_int(
      "checkpoint_every", 500, 0, 100000000, "steps between checkpoints; 0 = none");
  const TupleVersionFlags versions = get_tuple_version_flags(flags);
  s.rasterizer = versions.rasterizer;
  s.label_rule = versions.label_rule;
  s.conv_init = versions.conv_init;
  if (!flags.finish()) return 0;
  if (out.empty()) throw UsageError("--out: got ''; allowed: a writable directory (required)");
  // Memory grows with batch * k (about 0.3 MB per image, training and
  // evaluation buffers) and eval_tuples * k (3 KB per held-out image): keep
  // a run under ~7 GB.
  for (const std::int64_t k : ks) {
    if (s.batch * k > 20000) {
      throw UsageError(absl::StrCat("--batch: got ", s.batch, " with k = ", k,
                                    "; allowed: batch * k <= 20000 (memory)"));
    }
    if (s.eval_tuples * k > 200000) {
      throw UsageError(absl::StrCat("--eval_tuples: got ", s.eval_tuples, " with k = ", k,
                                    "; allowed: eval_tuples * k <= 200000 (memory)"));
    }
  }
  check_output_dir("out", out);
  set_blas_threads(1);

  for (const std::int64_t seed : seeds) {
    const RunId examples{"e3_1_examples", "grid", static_cast<std::uint64_t>(seed), profile};
    write_run(out, examples, line_examples(examples.seed, s.rasterizer),
              {{"rasterizer", json_quote(to_string(s.rasterizer))}, {"per_label", "8"}}, {}, 0.0);
  }
  for (const std::int64_t k : ks) {
    for (const std::string& name : approach_names) {
      for (const std::int64_t seed : seeds) {
        s.k = static_cast<int>(k);
        s.approach = name == "e2e" ? TupleApproach::kEndToEnd : TupleApproach::kDecomposition;
        s.steps = steps_flag > 0 ? steps_flag : default_steps(paper, s.approach);
        const RunId id{claim, absl::StrCat("k", k, "_", name),
                       static_cast<std::uint64_t>(seed), profile};
        const std::string label = absl::StrCat("e3_1_tuples k=", k, " ", name, " seed=", seed);
        Progress progress(label, s.steps);
        TupleRunControl control;
        control.checkpoint_every = checkpoint_every;
        control.on_progress = [&](std::int64_t t) { progress.update(t); };
        control.on_resume = [&](std::int64_t t) {
          std::fprintf(stderr, "%s: resuming from its checkpoint at step %lld\n", label.c_str(),
                       static_cast<long long>(t));
        };
        const TupleTrainingResult r = run_tuple_experiment(out, id, s, control);
        std::fprintf(stderr, "%s: final accuracy %.3f%s (%.1f s)\n", label.c_str(),
                     r.metrics.rows().back()[1], r.status.diverged ? " DIVERGED" : "",
                     progress.elapsed_s());
      }
    }
  }
  return 0;
}

}  // namespace
}  // namespace fgbdl

int main(int argc, char** argv) {
  return fgbdl::run_main("e3_1_tuples", [&] { return fgbdl::run(argc, argv); });
}
