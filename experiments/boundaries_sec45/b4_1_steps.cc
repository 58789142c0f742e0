// Claim B4.1 (paper/boundaries_sec45.md): the steps that the linear encoders
// of the paper's Section 4.1 (Figure 6; experiments E4.1.1 to E4.1.3 of
// paper/sec4_conditioning.md) need to reach a stated relative error, against
// the curve length n. Each run trains one encoder (fc, conv or
// conv_whitened; experiments/sec4_conditioning/pwl_encoders.h) by SGD at the
// package's step size 1/(2 lambda_max) on the paper's curves, and writes
//   <out>/b4_1_steps/<encoder>_n<N>/seed-<S>/metrics.csv
//       step,test_error,relative_error,steps_to_level,reached
// with relative_error = test_error(t) / test_error(0) (every encoder starts
// at zero: test_error(0) is the error of the zero curve) on the run's
// logarithmic grid of steps, and the constants of the run: steps_to_level
// (boundaries.h, steps_to_level: interpolated, or the cap when censored)
// and reached (1, or 0 when censored).
//
//   bazel run //experiments/boundaries_sec45:b4_1_steps -- --out=$PWD/results
//   bazel run //experiments/boundaries_sec45:b4_1_steps -- --out=/tmp/r --profile=paper
//   bazel run //experiments/boundaries_sec45:b4_1_steps -- --out=/tmp/r --encoder=conv
//       --n=25,50 --seeds=1,2 --steps=100000   (one command line)
#include <cstdio>
#include <map>
#include <string>

#include "absl/strings/str_cat.h"
#include "experiments/boundaries_sec45/boundaries.h"
#include "experiments/sec4_conditioning/pwl_encoders.h"
#include "lib/core/error.h"
#include "lib/core/flags.h"
#include "lib/io/progress.h"
#include "lib/io/results.h"

namespace fgbdl {
namespace {

int run(int argc, char** argv) {
  Flags flags(argc, argv,
              "B4.1: steps to a relative held-out reconstruction error against the curve length "
              "n, for the fully connected (fc), convolutional (conv) and whitened convolutional "
              "(conv_whitened) encoders of E4.1, trained by SGD at 1/(2 lambda_max) on the "
              "paper's curves. Writes <out>/b4_1_steps/<encoder>_n<N>/seed-<S>/ "
              "(step,test_error,relative_error,steps_to_level,reached).");
  const std::string out = flags.get_string("out", "", "output directory (required)");
  const std::string profile = flags.get_choice(
      "profile", "quick", {"quick", "paper"},
      "quick: n 25,50,100, cap 2000 steps, seed 1; paper: n 25,50,100,200,400, cap 20000 "
      "steps, seeds 1..10");
  const bool paper = profile == "paper";
  const auto encoders = flags.get_choice_list("encoder", "fc,conv,conv_whitened",
                                              {"fc", "conv", "conv_whitened"}, "encoders");
  const auto ns = flags.get_int_list("n", paper ? "25,50,100,200,400" : "25,50,100", 9, 1000,
                                     100, "curve lengths n");
  const auto seeds = flags.get_int_list("seeds", paper ? "1,2,3,4,5,6,7,8,9,10" : "1", 0,
                                        1LL << 40, 1000, "seeds, one run per (encoder, n, seed)");
  const std::int64_t cap = flags.get_int("steps", paper ? 20000 : 2000, 1, 100000000,
                                         "SGD steps of every run: the cap");
  const double level = flags.get_double(
      "level", 1e-2, 1e-12, 0.999999,
      "the relative error test_error(t) / test_error(0) that counts as reached");
  const std::int64_t pool = flags.get_int("pool", 10000, 1, 10000000,
                                          "training curves (a fixed pool, as the scripts)");
  const std::int64_t held_out =
      flags.get_int("held_out", 1000, 2, 100000, "held-out curves of the error");
  if (!flags.finish()) return 0;
  if (out.empty()) throw UsageError("--out: got ''; allowed: a writable directory (required)");
  for (const std::int64_t n : ns) {
    if (pool * n > (std::int64_t{1} << 25))
      throw UsageError(absl::StrCat("--pool: got ", pool, " with --n=", n,
                                    "; allowed: pool * n <= 2^25"));
    if (held_out * n > (std::int64_t{1} << 25))
      throw UsageError(absl::StrCat("--held_out: got ", held_out, " with --n=", n,
                                    "; allowed: held_out * n <= 2^25"));
  }
  check_output_dir("out", out);
  set_blas_threads(1);

  for (const std::string& encoder : encoders) {
    for (const std::int64_t n : ns) {
      for (const std::int64_t seed : seeds) {
        PwlSettings s;
        s.encoder = parse_pwl_encoder(encoder);
        s.optimizer = PwlOptimizer::kSgd;
        s.data = pwl_curve_distribution(s.encoder, false);
        s.n = static_cast<int>(n);
        s.pool = pool;
        s.held_out = held_out;
        s.batch = pwl_script_batch(s.encoder);
        s.steps = cap;
        s.curve_steps = {};
        s.curves_recorded = 0;
        const RunId id{"b4_1_steps", absl::StrCat(encoder, "_n", n),
                       static_cast<std::uint64_t>(seed), profile};
        const std::string label = absl::StrCat("b4_1_steps ", id.config, " seed=", seed);
        Progress progress(label, s.steps);
        std::map<std::string, std::string> settings = {
            {"encoder", json_quote(encoder)},
            {"optimizer", json_quote("sgd")},
            {"data", json_quote(to_string(s.data))},
            {"n", absl::StrCat(s.n)},
            {"k", absl::StrCat(s.k)},
            {"pool", absl::StrCat(s.pool)},
            {"held_out", absl::StrCat(s.held_out)},
            {"batch", absl::StrCat(s.batch)},
            {"steps", absl::StrCat(s.steps)},
            {"level", absl::StrCat(level)},
            {"error", json_quote("mean over held-out curves of ||W p_hat - f||^2 / n")},
        };
        const RunCheckpoint checkpoint = run_checkpoint(out, id, settings);
        const PwlRun r =
            train_pwl(s, id.seed, [&](std::int64_t t) { progress.update(t); }, checkpoint);
        std::vector<double> step, test, relative;
        for (const auto& row : r.metrics.rows()) {
          step.push_back(row[0]);
          test.push_back(row[2]);
        }
        for (const double e : test) relative.push_back(e / test.front());
        const LevelStep reached = steps_to_level(step, relative, level);
        Table metrics({"step", "test_error", "relative_error", "steps_to_level", "reached"});
        for (std::size_t i = 0; i < step.size(); ++i)
          metrics.add_row(
              {step[i], test[i], relative[i], reached.steps, reached.reached ? 1.0 : 0.0});
        settings["lr"] = absl::StrCat(r.lr);
        settings["lr_rule"] = json_quote(
            "SGD: 1 / (2 lambda_max), lambda_max the largest Hessian eigenvalue of the pool's "
            "loss");
        settings["hessian_max_eigenvalue"] = absl::StrCat(r.hessian_max_eigenvalue);
        write_run(out, id, metrics, settings, r.status, progress.elapsed_s());
        remove_checkpoint(checkpoint);
        std::fprintf(stderr, "%s: %s %.0f steps (%.1f s)\n", label.c_str(),
                     reached.reached ? "reached the level at" : "censored at", reached.steps,
                     progress.elapsed_s());
      }
    }
  }
  return 0;
}

}  // namespace
}  // namespace fgbdl

int main(int argc, char** argv) {
  return fgbdl::run_main("b4_1_steps", [&] { return fgbdl::run(argc, argv); });
}
