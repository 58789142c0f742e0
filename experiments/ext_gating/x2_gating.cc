// Claim X2 (paper/ext_gating.md), after Fiat, Malach and Shalev-Shwartz,
// "Decoupling gating from linearity" (2019): a one-hidden-layer ReLU network
// trained end to end against the GaLU network whose gates are fixed by a
// random U and whose linear part alone is trained, on
//   memorize  random Gaussian data with random labels: training error
//             against k d / m, ReLU and GaLU by one optimizer, GaLU exact;
//             one run per (d, k, m, seed) in
//             <out>/x2_gating/memorize_d<D>_k<K>_m<M>/seed-<S>/ (with
//             --optimizer=adam, memorize_d<D>_k<K>_m<M>_adam: the two
//             optimizers' runs can share one results root);
//   parity    the paper's Section 2 parities: held-out accuracy, one run per
//             (d, seed) in <out>/x2_gating/parity_d<D>/seed-<S>/;
//   fashion   the source's data set experiment on Fashion-MNIST (PCA to 64,
//             standardized): test error of the ReLU network 64-w-w-10
//             against GaLU0, one run per seed in <out>/x2_gating/fashion/seed-<S>/
//             (only with --parts=fashion and --fashion_dir);
//   tuples    the paper's Section 3 line-image tuples at small k: held-out
//             accuracy, one run per (k, seed) in <out>/x2_gating/tuples_k<K>/seed-<S>/;
//   curves    the paper's Section 4 piecewise-linear curves, f to its
//             encoding p: held-out error, one run per (n, seed) in
//             <out>/x2_gating/curves_n<N>/seed-<S>/;
//   step      the paper's Section 5 step target: held-out error, one run per
//             seed in <out>/x2_gating/step_d<D>/seed-<S>/ (step_d<D>_l2 with
//             two hidden layers, the ReLU network against GaLU0).
//
//   bazel run //experiments/ext_gating:x2_gating -- --out=$PWD/results
//   bazel run //experiments/ext_gating:x2_gating -- --out=/tmp/r --profile=paper --parts=memorize
#include <cstdio>
#include <functional>
#include <map>
#include <string>

#include "absl/strings/str_cat.h"
#include "experiments/ext_gating/gating_training.h"
#include "lib/core/error.h"
#include "lib/core/flags.h"
#include "lib/io/progress.h"
#include "lib/io/results.h"

namespace fgbdl {
namespace {

std::string quoted(const std::string& s) { return json_quote(s); }

int run(int argc, char** argv) {
  Flags flags(argc, argv,
              "X2 (Fiat, Malach, Shalev-Shwartz 2019): a ReLU network trained end to end "
              "against a GaLU network (gates fixed by a random U, linear part trained), on "
              "random-label memorization, parities and the Section 5 step target. Writes "
              "<out>/x2_gating/<part>_.../seed-<S>/{metrics.csv,manifest.json}.");
  const std::string out = flags.get_string("out", "", "output directory (required)");
  const std::string profile = flags.get_choice(
      "profile", "quick", {"quick", "paper"},
      "quick: d, k in {8, 16}, m in {64, 128, 256, 512}, 20000 steps, seeds 1,2,3; paper: "
      "d, k in {8, 16, 24, 32}, m in {250, 500, 1000, 2000}, 100000 steps, seeds 1,2,3");
  const bool paper = profile == "paper";
  const auto parts = flags.get_choice_list("parts", "memorize,parity,tuples,curves,step",
                                           {"memorize", "parity", "tuples", "curves", "step", "fashion"},
                                           "which problems (fashion needs --fashion_dir)");
  const auto seeds = flags.get_int_list("seeds", "1,2,3", 0, 1LL << 40, 1000,
                                        "seeds, one run per (configuration, seed)");
  // Memorization.
  const auto ds = flags.get_int_list("d", paper ? "8,16,24,32" : "8,16", 1, 256, 64,
                                     "memorize: input dimensions d");
  const auto ks = flags.get_int_list("k", paper ? "8,16,24,32" : "8,16", 1, 256, 64,
                                     "memorize: hidden widths k");
  const auto ms = flags.get_int_list("m", paper ? "250,500,1000,2000" : "64,128,256,512", 1,
                                     8192, 64, "memorize: training set sizes m");
  MemorizeSettings mem;
  mem.steps = flags.get_int("steps", paper ? 100000 : 20000, 1, 100000000, "memorize: steps");
  mem.batch = flags.get_int("batch", 128, 1, 1 << 16, "memorize: batch size");
  mem.optimizer = flags.get_choice("optimizer", "sgd", {"sgd", "adam"},
                                   "memorize: the optimizer of both networks");
  mem.lr = flags.get_double("lr", 1e-3, 1e-12, 1e3, "memorize: learning rate");
  mem.alpha = flags.get_double("alpha", 1.0, 1e-6, 1e6, "GaLU gate scale: U ~ N(0,1)/(alpha sqrt(d))");
  mem.eval_every = flags.get_int("eval_every", paper ? 5000 : 1000, 1, 100000000,
                                 "memorize: steps between training-error evaluations");
  // Parity.
  const auto parity_ds = flags.get_int_list("parity_d", "5,10", 1, 64, 64, "parity: dimensions d");
  FreshSettings par;
  par.steps = flags.get_int("parity_steps", paper ? 50000 : 20000, 1, 100000000, "parity: SGD steps");
  par.lr = flags.get_double("parity_lr", 0.01, 1e-12, 1e3, "parity: SGD learning rate (E2.1's)");
  par.eval_every = flags.get_int("parity_eval_every", 500, 1, 100000000,
                                 "parity: steps between held-out evaluations");
  const std::int64_t width_factor =
      flags.get_int("width_factor", 10, 1, 100, "parity: hidden width = width_factor * d");
  // Line-image tuples.
  const auto tuples_ks = flags.get_int_list("tuples_k", "1,2", 1, 8, 8, "tuples: images per tuple k");
  FreshSettings tup;
  tup.width = flags.get_int("tuples_width", 100, 1, 4096, "tuples: hidden width");
  tup.steps = flags.get_int("tuples_steps", paper ? 20000 : 5000, 1, 100000000, "tuples: Adam steps");
  tup.batch = 64;
  tup.optimizer = "adam";
  tup.lr = flags.get_double("tuples_lr", 1e-3, 1e-12, 1e3, "tuples: Adam learning rate");
  tup.eval_every = 250;
  tup.gate_bias_std = 0.13;  // the scale of x U on 784k pixels with about 14 k lit
  // Piecewise-linear curves.
  const auto curves_ns = flags.get_int_list("curves_n", paper ? "25,50" : "25", 3, 1000, 8,
                                            "curves: samples per curve n");
  FreshSettings cur;
  cur.width = flags.get_int("curves_width", 100, 1, 4096, "curves: hidden width");
  cur.steps = flags.get_int("curves_steps", paper ? 50000 : 20000, 1, 100000000, "curves: Adam steps");
  cur.batch = 100;
  cur.optimizer = "adam";
  cur.lr = flags.get_double("curves_lr", 1e-3, 1e-12, 1e3, "curves: Adam learning rate");
  cur.eval_every = 250;
  cur.gate_bias_std = 0;  // as the source's memorization: no gate biases
  // Step target.
  FreshSettings step;
  step.d = 100;
  step.width = flags.get_int("step_width", 100, 1, 4096, "step: hidden width");
  step.hidden_layers = flags.get_int(
      "step_layers", 1, 1, 2, "step: hidden layers (2: E5.3's depth, ReLU against GaLU0)");
  step.steps = flags.get_int("step_steps", paper ? 20000 : 5000, 1, 100000000, "step: Adam steps");
  step.batch = 256;
  step.optimizer = "adam";
  step.lr = flags.get_double("step_lr", 1e-3, 1e-12, 1e3, "step: Adam learning rate (E5.3's)");
  step.eval_every = flags.get_int("step_eval_every", 250, 1, 100000000,
                                  "step: steps between held-out evaluations");
  // Fashion-MNIST.
  const std::string fashion_dir = flags.get_string(
      "fashion_dir", "", "fashion: the directory of the four gzip IDX files of Fashion-MNIST");
  FashionSettings fash;
  fash.width = flags.get_int("fashion_width", 64, 1, 4096, "fashion: width of both hidden layers");
  fash.steps = flags.get_int("fashion_steps", paper ? 100000 : 10000, 1, 100000000,
                             "fashion: Adam steps (batch 128)");
  fash.lr = flags.get_double("fashion_lr", 1e-3, 1e-12, 1e3, "fashion: Adam learning rate");
  fash.eval_every = flags.get_int("fashion_eval_every", paper ? 5000 : 1000, 1, 100000000,
                                  "fashion: steps between test-error evaluations");
  const std::int64_t fashion_train = flags.get_int(
      "fashion_train", 0, 0, 60000, "fashion: training images used (0: all 60000)");
  const std::int64_t eval_samples =
      flags.get_int("eval_samples", 2000, 1, 1 << 20, "parity, step: held-out samples");
  if (!flags.finish()) return 0;
  if (out.empty()) throw UsageError("--out: got ''; allowed: a writable directory (required)");
  check_output_dir("out", out);
  auto has = [&](const std::string& p) {
    for (const std::string& q : parts)
      if (q == p) return true;
    return false;
  };
  ClassificationData fashion;
  if (!has("fashion") && flags.given("fashion_dir"))
    throw UsageError(absl::StrCat("--fashion_dir: got '", fashion_dir,
                                  "'; allowed: only with --parts including fashion"));
  if (has("fashion")) {
    if (fashion_dir.empty())
      throw UsageError("--fashion_dir: got ''; allowed: the Fashion-MNIST directory (needed by --parts=fashion)");
    fash.alpha = mem.alpha;
    try {
      fashion = load_fashion(fashion_dir, static_cast<std::size_t>(fashion_train), 64);
    } catch (const UsageError& e) {
      throw UsageError(absl::StrCat("--fashion_dir: ", e.what()));
    }
  }
  set_blas_threads(1);
  par.eval_samples = step.eval_samples = tup.eval_samples = cur.eval_samples = eval_samples;
  par.alpha = step.alpha = tup.alpha = cur.alpha = mem.alpha;

  // One run: train, write it, and print its last row.
  using Body = std::function<Table(std::uint64_t, RunStatus&, const std::function<void(std::int64_t)>&)>;
  auto one_run = [&](const std::string& config, std::int64_t seed, std::int64_t steps,
                     std::map<std::string, std::string> settings, const Body& body) {
    const RunId id{"x2_gating", config, static_cast<std::uint64_t>(seed), profile};
    const std::string label = absl::StrCat("x2_gating ", config, " seed=", seed);
    Progress progress(label, 2 * steps);  // the ReLU network's steps, then the GaLU network's
    RunStatus status;
    const Table t = body(id.seed, status, [&](std::int64_t done) { progress.update(done); });
    settings["alpha"] = absl::StrCat(mem.alpha);
    write_run(out, id, t, settings, status, progress.elapsed_s());
    std::string last;
    for (std::size_t c = 1; c < t.columns().size(); ++c)
      last += absl::StrCat(" ", t.columns()[c], "=", t.rows().back()[c]);
    std::fprintf(stderr, "%s:%s%s (%.1f s)\n", label.c_str(), last.c_str(),
                 status.diverged ? " DIVERGED" : "", progress.elapsed_s());
  };
  if (has("memorize")) {
    for (const std::int64_t d : ds)
      for (const std::int64_t k : ks)
        for (const std::int64_t m : ms)
          for (const std::int64_t seed : seeds) {
            mem.d = d;
            mem.k = k;
            mem.m = m;
            one_run(absl::StrCat("memorize_d", d, "_k", k, "_m", m,
                                 mem.optimizer == "adam" ? "_adam" : ""),
                    seed, mem.steps,
                    {{"part", quoted("memorize")},
                     {"d", absl::StrCat(d)},
                     {"k", absl::StrCat(k)},
                     {"m", absl::StrCat(m)},
                     {"steps", absl::StrCat(mem.steps)},
                     {"batch", absl::StrCat(mem.batch)},
                     {"optimizer", quoted(mem.optimizer)},
                     {"lr", absl::StrCat(mem.lr)},
                     {"eval_every", absl::StrCat(mem.eval_every)},
                     {"loss", quoted("squared")},
                     {"exact", quoted("dgelsd minimum-norm least squares, float64")}},
                    [&](std::uint64_t sd, RunStatus& st, const std::function<void(std::int64_t)>& p) {
                      return memorize(mem, sd, st, p);
                    });
          }
  }
  // The settings of a fresh-sample run.
  auto fresh = [&](const FreshSettings& f, const std::string& part, const std::string& loss,
                   const std::string& gate_bias_std) {
    return std::map<std::string, std::string>{{"part", quoted(part)},
                                              {"d", absl::StrCat(f.d)},
                                              {"width", absl::StrCat(f.width)},
                                              {"steps", absl::StrCat(f.steps)},
                                              {"batch", absl::StrCat(f.batch)},
                                              {"optimizer", quoted(f.optimizer)},
                                              {"lr", absl::StrCat(f.lr)},
                                              {"gate_bias_std", gate_bias_std},
                                              {"eval_every", absl::StrCat(f.eval_every)},
                                              {"eval_samples", absl::StrCat(f.eval_samples)},
                                              {"loss", quoted(loss)}};
  };
  if (has("parity")) {
    for (const std::int64_t d : parity_ds)
      for (const std::int64_t seed : seeds) {
        par.d = d;
        par.width = width_factor * d;
        one_run(absl::StrCat("parity_d", d), seed, par.steps, fresh(par, "parity", "hinge", "1"),
                [&](std::uint64_t sd, RunStatus& st, const std::function<void(std::int64_t)>& p) {
                  return parity_gating(par, sd, st, p);
                });
      }
  }
  if (has("tuples")) {
    for (const std::int64_t k : tuples_ks)
      for (const std::int64_t seed : seeds) {
        auto settings = fresh(tup, "tuples", "hinge", absl::StrCat(tup.gate_bias_std));
        settings["k"] = absl::StrCat(k);
        settings["d"] = absl::StrCat(28 * 28 * k);
        settings["rasterizer"] = quoted("paper");
        one_run(absl::StrCat("tuples_k", k), seed, tup.steps, settings,
                [&](std::uint64_t sd, RunStatus& st, const std::function<void(std::int64_t)>& p) {
                  return tuples_gating(tup, static_cast<int>(k), sd, st, p);
                });
      }
  }
  if (has("curves")) {
    for (const std::int64_t n : curves_ns)
      for (const std::int64_t seed : seeds) {
        auto settings = fresh(cur, "curves", "squared", absl::StrCat(cur.gate_bias_std));
        settings["n"] = absl::StrCat(n);
        settings["d"] = absl::StrCat(n);
        settings["kinks"] = "3";
        settings["curves"] = quoted("paper");
        one_run(absl::StrCat("curves_n", n), seed, cur.steps, settings,
                [&](std::uint64_t sd, RunStatus& st, const std::function<void(std::int64_t)>& p) {
                  return curves_gating(cur, static_cast<int>(n), sd, st, p);
                });
      }
  }
  if (has("step")) {
    for (const std::int64_t seed : seeds) {
      auto settings = fresh(step, "step", "squared", "0.01");
      settings["thresholds"] = quoted("script");
      settings["hidden_layers"] = absl::StrCat(step.hidden_layers);
      one_run(absl::StrCat("step_d", step.d, step.hidden_layers > 1 ? "_l2" : ""), seed,
              step.steps, settings,
              [&](std::uint64_t sd, RunStatus& st, const std::function<void(std::int64_t)>& p) {
                return step_gating(step, sd, st, p);
              });
    }
  }
  if (has("fashion")) {
    for (const std::int64_t seed : seeds) {
      one_run("fashion", seed, fash.steps,
              {{"part", quoted("fashion")},
               {"train_images", absl::StrCat(fashion.x_train.shape(0))},
               {"pca_dims", "64"},
               {"width", absl::StrCat(fash.width)},
               {"hidden_layers", absl::StrCat(fash.hidden_layers)},
               {"steps", absl::StrCat(fash.steps)},
               {"batch", absl::StrCat(fash.batch)},
               {"optimizer", quoted(fash.optimizer)},
               {"lr", absl::StrCat(fash.lr)},
               {"gate_bias_std", absl::StrCat(fash.gate_bias_std)},
               {"eval_every", absl::StrCat(fash.eval_every)},
               {"loss", quoted("softmax cross-entropy")}},
              [&](std::uint64_t sd, RunStatus& st, const std::function<void(std::int64_t)>& p) {
                return fashion_gating(fash, fashion, sd, st, p);
              });
    }
  }
  return 0;
}

}  // namespace
}  // namespace fgbdl

int main(int argc, char** argv) {
  return fgbdl::run_main("x2_gating", [&] { return fgbdl::run(argc, argv); });
}
