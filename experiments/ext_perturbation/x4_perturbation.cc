// Claim X4 (paper/ext_perturbation.md): zeroth-order perturbation learners
// (lib/train/perturbation.h; Gaussian sizes and Cauchy sizes) against
// back-propagation, at equal steps, on the paper's four failure families
// (experiments/ext_perturbation/perturbation_training.h): parities,
// line-image tuples, piecewise-linear curves, and the Section 5 step target
// with the flat model u(w^T x + b) and its smooth counterpart. One run per
// (config, seed) in <out>/x4_perturbation/<config>/seed-<S>/, config one of
// parity_d<D>, tuples_k<K>, curves_n<N>, flat, smooth.
//
//   bazel run //experiments/ext_perturbation:x4_perturbation -- --out=$PWD/results
//   bazel run //experiments/ext_perturbation:x4_perturbation -- --out=/tmp/r --profile=paper
#include <cstdio>
#include <functional>
#include <map>
#include <string>

#include "absl/strings/str_cat.h"
#include "experiments/ext_perturbation/perturbation_training.h"
#include "lib/core/error.h"
#include "lib/core/flags.h"
#include "lib/io/progress.h"
#include "lib/io/results.h"

namespace fgbdl {
namespace {

int run(int argc, char** argv) {
  Flags flags(argc, argv,
              "X4: back-propagation against antithetic Gaussian and Cauchy-sized weight "
              "perturbations (equal steps; 2N + 1 forward passes a perturbation step) on "
              "parities, line-image tuples, curves, and the Section 5 flat and smooth step "
              "models. Writes <out>/x4_perturbation/<config>/seed-<S>/{metrics.csv,manifest.json}.");
  const std::string out = flags.get_string("out", "", "output directory (required)");
  const std::string profile = flags.get_choice(
      "profile", "quick", {"quick", "paper"},
      "quick: 2000 steps, seed 1; paper: 3000 steps, seeds 1,2,3");
  const bool paper = profile == "paper";
  const auto families = flags.get_choice_list(
      "families", "parity,tuples,curves,flat,smooth", {"parity", "tuples", "curves", "flat", "smooth"},
      "families to run");
  const auto parity_ds = flags.get_int_list("parity_d", "5,20", 1, 64, 64, "parity: dimensions d");
  const auto tuples_ks = flags.get_int_list("tuples_k", "1,2", 1, 8, 8, "tuples: images per tuple k");
  const auto curves_ns = flags.get_int_list("curves_n", "16", 3, 1000, 16, "curves: samples n");
  const auto seeds = flags.get_int_list("seeds", paper ? "1,2,3" : "1", 0, 1LL << 40,
                                        1000, "seeds, one run per (config, seed)");
  X4Settings s;
  s.steps = flags.get_int("steps", paper ? 3000 : 2000, 1, 100000000, "steps of every learner");
  s.batch = flags.get_int("batch", 128, 1, 1 << 16, "batch size (fresh samples every step)");
  s.optimizer = flags.get_choice("optimizer", "adam", {"adam", "sgd"}, "every learner's optimizer");
  s.lr = flags.get_double("lr", 1e-3, 1e-12, 1e3, "learning rate of every learner");
  const double flat_lr = flags.get_double("flat_lr", 0.01, 1e-12, 1e3,
                                          "flat and smooth: learning rate of every learner");
  s.sigma = flags.get_double("sigma", 0.01, 1e-12, 1e3,
                             "the Gaussian perturbations' size, the Cauchy sizes' median");
  s.pairs = flags.get_int("pairs", 16, 1, 1 << 16, "N: antithetic pairs a perturbation step");
  s.beta = flags.get_double("beta", 0, 0, 0.999999, "the perturbation learners' own running "
                            "average of their estimates (0: none; Adam keeps its own)");
  s.width = flags.get_int("width", 16, 1, 65536, "tuples, curves: hidden width");
  s.width_factor = flags.get_int("width_factor", 10, 1, 100, "parity: hidden width = width_factor d");
  s.eval_every = flags.get_int("eval_every", 100, 1, 100000000, "steps between evaluations");
  s.eval_samples = flags.get_int("eval_samples", 2000, 1, 1 << 20, "held-out samples");
  if (!flags.finish()) return 0;
  if (out.empty()) throw UsageError("--out: got ''; allowed: a writable directory (required)");
  check_output_dir("out", out);
  set_blas_threads(1);

  using RunFn = std::function<Table(const X4Settings&, std::uint64_t, RunStatus&,
                                    const std::function<void(std::int64_t)>&)>;
  const auto one_run = [&](const std::string& config, const std::string& family,
                           const X4Settings& rs, const RunFn& fn,
                           std::map<std::string, std::string> extra) {
    for (const std::int64_t seed : seeds) {
      const RunId id{"x4_perturbation", config, static_cast<std::uint64_t>(seed), profile};
      const std::string label = absl::StrCat("x4_perturbation ", config, " seed=", seed);
      Progress progress(label, 3 * rs.steps);  // backprop's steps, then gaussian's, then cauchy's
      RunStatus status;
      const Table t = fn(rs, id.seed, status, [&](std::int64_t done) { progress.update(done); });
      std::map<std::string, std::string> settings{
          {"family", json_quote(family)},
          {"steps", absl::StrCat(rs.steps)},
          {"batch", absl::StrCat(rs.batch)},
          {"optimizer", json_quote(rs.optimizer)},
          {"lr", absl::StrCat(rs.lr)},
          {"sigma", absl::StrCat(rs.sigma)},
          {"pairs", absl::StrCat(rs.pairs)},
          {"beta", absl::StrCat(rs.beta)},
          {"forward_passes_per_perturbation_step", absl::StrCat(2 * rs.pairs + 1)},
          {"eval_every", absl::StrCat(rs.eval_every)},
          {"eval_samples", absl::StrCat(rs.eval_samples)}};
      settings.insert(extra.begin(), extra.end());
      write_run(out, id, t, settings, status, progress.elapsed_s());
      const auto& last = t.rows().back();
      std::fprintf(stderr, "%s: backprop %.4f gaussian %.4f cauchy %.4f%s (%.1f s)\n",
                   label.c_str(), last[1], last[2], last[3], status.diverged ? " DIVERGED" : "",
                   progress.elapsed_s());
    }
  };
  const auto has = [&](const std::string& f) {
    for (const std::string& g : families)
      if (g == f) return true;
    return false;
  };
  if (has("parity"))
    for (const std::int64_t d : parity_ds)
      one_run(absl::StrCat("parity_d", d), "parity", s,
              [d](const X4Settings& rs, std::uint64_t sd, RunStatus& st,
                  const std::function<void(std::int64_t)>& p) {
                return parity_perturbation(rs, static_cast<int>(d), sd, st, p);
              },
              {{"d", absl::StrCat(d)}, {"width", absl::StrCat(s.width_factor * d)},
               {"loss", json_quote("hinge")}});
  if (has("tuples"))
    for (const std::int64_t k : tuples_ks)
      one_run(absl::StrCat("tuples_k", k), "tuples", s,
              [k](const X4Settings& rs, std::uint64_t sd, RunStatus& st,
                  const std::function<void(std::int64_t)>& p) {
                return tuples_perturbation(rs, static_cast<int>(k), sd, st, p);
              },
              {{"k", absl::StrCat(k)}, {"width", absl::StrCat(s.width)},
               {"loss", json_quote("hinge")}});
  if (has("curves"))
    for (const std::int64_t n : curves_ns)
      one_run(absl::StrCat("curves_n", n), "curves", s,
              [n](const X4Settings& rs, std::uint64_t sd, RunStatus& st,
                  const std::function<void(std::int64_t)>& p) {
                return curves_perturbation(rs, static_cast<int>(n), sd, st, p);
              },
              {{"n", absl::StrCat(n)}, {"width", absl::StrCat(s.width)},
               {"loss", json_quote("squared")}});
  X4Settings fs = s;
  fs.lr = flat_lr;
  for (const bool smooth : {false, true}) {
    const std::string name = smooth ? "smooth" : "flat";
    if (!has(name)) continue;
    one_run(name, name, fs,
            [smooth](const X4Settings& rs, std::uint64_t sd, RunStatus& st,
                     const std::function<void(std::int64_t)>& p) {
              return flat_perturbation(rs, smooth, sd, st, p);
            },
            {{"d", "100"}, {"thresholds", json_quote("script")},
             {"loss", json_quote(smooth ? "squared, smooth u~" : "squared, flat u")}});
  }
  return 0;
}

}  // namespace
}  // namespace fgbdl

int main(int argc, char** argv) {
  return fgbdl::run_main("x4_perturbation", [&] { return fgbdl::run(argc, argv); });
}
