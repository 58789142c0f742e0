// Theorem 2 of the paper (Section 2, after Shamir 2016; T2 in paper/sec2_parity.md):
// linear-periodic targets cos(<v*, x>), ||v*|| = r, x ~ N(0, I_d), square loss.
//   * For every d in --d: the variance over v* of the loss gradient of a
//     seeded random two-layer ReLU network, Monte Carlo without finite-sample
//     bias (lib/analysis/gradient_variance.h), at every radius in --r.
//     Results: <out>/t2_linear_periodic/d<D>/seed-<S>/metrics.csv with
//     columns r,variance,variance_se.
//   * For every d in --d, the exact variance of the same (zero-bias) network
//     at every radius in --exact_r, by quadrature of a closed form
//     (lib/analysis linear_periodic_variance_exact), which reaches far below
//     Monte Carlo resolution and shows the r^-(d+1) tail:
//     <out>/t2_linear_periodic/exact_d<D>/seed-<S>/ with columns r,variance.
//   * One SGD training run on y = cos(<v*, x>) (d = --train_d, r = --train_r)
//     with the same network: <out>/t2_linear_periodic/train/seed-<S>/ with
//     columns step,loss,trivial_loss (trivial = loss of the best constant).
//
//   bazel run //experiments/sec2_parity:t2_linear_periodic -- --out=/tmp/r
//   bazel run //experiments/sec2_parity:t2_linear_periodic -- --out=/tmp/r --profile=paper
//   bazel run //experiments/sec2_parity:t2_linear_periodic -- --out=/tmp/r --d=8 --r=0.5,1,2,4
//
// --r and --exact_r are each either a comma-separated list of radii
// ("0.5,1,2") or an inclusive range start:stop:step ("0.25:4:0.25"); every
// radius must lie in [0, 100].
#include <chrono>
#include <cmath>
#include <cstdio>
#include <map>
#include <string>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "experiments/sec2_parity/t2_linear_periodic_lib.h"
#include "lib/analysis/fit.h"
#include "lib/analysis/gradient_variance.h"
#include "lib/core/error.h"
#include "lib/core/flags.h"
#include "lib/io/progress.h"
#include "lib/io/results.h"

namespace fgbdl {
namespace {

constexpr double kMaxRadius = 100.0;
constexpr std::size_t kMaxRadii = 400;
constexpr double kMaxBytes = 4.0 * (1 << 30);  // 4 GiB

// Parses a list of radii (--r, --exact_r; see the file comment). Throws
// UsageError with one line naming the flag.
std::vector<double> parse_radii(const std::string& flag, const std::string& text) {
  const std::string allowed = absl::StrCat(
      "allowed: a comma-separated list of distinct radii, or an inclusive range "
      "start:stop:step with step > 0; radii in [0, ", kMaxRadius, "], at most ", kMaxRadii);
  const auto bad = [&]() {
    std::string shown;  // one line: control characters escaped, long values cut
    for (std::size_t i = 0; i < text.size() && i < 80; ++i) {
      const unsigned char c = static_cast<unsigned char>(text[i]);
      shown += (c < 0x20 || c == 0x7f) ? absl::StrFormat("\\x%02x", c) : std::string(1, text[i]);
    }
    if (text.size() > 80) shown += "...";
    return UsageError(absl::StrCat("--", flag, ": got '", shown, "'; ", allowed));
  };
  std::vector<double> rs;
  if (text.find(':') != std::string::npos) {
    std::vector<std::string> parts = absl::StrSplit(text, ':');
    double a, b, step;
    if (parts.size() != 3 || !absl::SimpleAtod(parts[0], &a) || !absl::SimpleAtod(parts[1], &b) ||
        !absl::SimpleAtod(parts[2], &step) || !std::isfinite(a) || !std::isfinite(b) ||
        !std::isfinite(step) || !(step > 0.0) || b < a) {
      throw bad();
    }
    const double count = std::floor((b - a) / step + 1e-9) + 1.0;
    if (count > static_cast<double>(kMaxRadii)) throw bad();
    for (int i = 0; i < static_cast<int>(count); ++i) rs.push_back(a + i * step);
  } else {
    for (const absl::string_view part : absl::StrSplit(text, ',')) {
      double r;
      if (!absl::SimpleAtod(part, &r) || !std::isfinite(r)) throw bad();
      for (const double q : rs) {
        if (q == r) throw bad();
      }
      rs.push_back(r);
    }
  }
  if (rs.empty() || rs.size() > kMaxRadii) throw bad();
  for (const double r : rs) {
    if (!(r >= 0.0 && r <= kMaxRadius)) throw bad();
  }
  return rs;
}

std::string json_list(const std::vector<double>& v) {
  std::vector<std::string> s;
  for (const double x : v) s.push_back(absl::StrCat(x));
  return absl::StrCat("[", absl::StrJoin(s, ", "), "]");
}

int run(int argc, char** argv) {
  Flags flags(argc, argv,
              "T2 (paper Theorem 2, Shamir 2016): targets cos(<v*, x>), ||v*|| = r, "
              "x ~ N(0, I_d), square loss. Monte Carlo variance over v* of the loss gradient "
              "of a random d-width-1 ReLU network versus r, and an SGD run on one such target. "
              "Also the exact variance curve (zero-bias init, closed form). Writes "
              "<out>/t2_linear_periodic/{d<D>,exact_d<D>,train}/seed-<S>/{metrics.csv,manifest.json}.");
  const std::string out = flags.get_string("out", "", "output directory (required)");
  const std::string profile = flags.get_choice(
      "profile", "quick", {"quick", "paper"},
      "quick: d = 5,10, r = 0.5:4:0.25, 20x50 directions, 4000 inputs per half, 20000 SGD "
      "steps, seed 1; paper: d = 5,10,20, r = 0.25:5:0.25, 40x100 directions, 10000 inputs "
      "per half, 200000 SGD steps, seeds 1,2,3");
  const bool paper = profile == "paper";
  const auto seeds = flags.get_int_list("seeds", paper ? "1,2,3" : "1", 0, 1LL << 40, 1000,
                                        "seeds, one network and one run per (config, seed)");
  const auto ds = flags.get_int_list("d", paper ? "5,10,20" : "5,10", 1, 1000, 64,
                                     "input dimensions d of the variance curves");
  const std::string r_text = flags.get_string(
      "r", paper ? "0.25:5:0.25" : "0.5:4:0.25",
      "radii ||v*|| of the Monte Carlo curves: a list 'r1,r2,...' or an inclusive range "
      "'start:stop:step', each in [0, 100]");
  const std::string exact_r_text = flags.get_string(
      "exact_r", "0.5,1,1.5,2,2.5,3,4,6,8,11.3,16,22.6,32,45.3,64",
      "radii of the exact curves (same syntax as --r)");
  T2VarianceSettings vs;
  vs.width = static_cast<std::size_t>(
      flags.get_int("width", 16, 1, 4096, "hidden width of the d-width-1 ReLU network"));
  vs.batches = static_cast<std::size_t>(flags.get_int(
      "batches", paper ? 40 : 20, 2, 100000, "independent Monte Carlo replicates per radius"));
  vs.directions = static_cast<std::size_t>(flags.get_int(
      "directions", paper ? 100 : 50, 2, 1000000, "directions v* per replicate"));
  vs.samples_per_half = static_cast<std::size_t>(
      flags.get_int("samples_per_half", paper ? 10000 : 4000, 1, 100000000,
                    "inputs x in each of the two independent halves per replicate"));
  T2TrainSettings ts;
  ts.d = static_cast<int>(flags.get_int("train_d", 10, 1, 1000, "d of the training run"));
  ts.r = flags.get_double("train_r", 5.0, 0.0, kMaxRadius, "||v*|| of the training run");
  ts.width = vs.width;
  ts.steps = flags.get_int("steps", paper ? 200000 : 20000, 1, 1000000000, "SGD steps");
  ts.batch = flags.get_int("batch", 128, 1, 1 << 20, "SGD batch size");
  ts.lr = flags.get_double("lr", 0.01, 1e-12, 1e3, "SGD learning rate");
  ts.eval_every = flags.get_int("eval_every", paper ? 2000 : 500, 1, 1000000000,
                                "steps between held-out evaluations");
  ts.eval_samples = flags.get_int("eval_samples", 10000, 1, 1 << 24,
                                  "held-out samples (drawn once) for the training loss");
  if (!flags.finish()) return 0;
  // Memory per replicate: inputs [n, d] and per-sample gradients [n, P] for
  // one half, cos(<v, x>) [K, n], P = (d + 2) width + 1 (float64).
  for (const auto d : ds) {
    const double n = static_cast<double>(vs.samples_per_half);
    const double P = static_cast<double>((d + 2) * static_cast<std::int64_t>(vs.width) + 1);
    const double bytes = 8.0 * n * (static_cast<double>(d) + P + static_cast<double>(vs.directions));
    if (bytes > kMaxBytes) {
      throw UsageError(absl::StrCat(
          "--samples_per_half/--directions/--width/--d: d = ", d, " needs ",
          static_cast<long long>(bytes / (1 << 20)), " MiB per replicate; allowed: at most ",
          static_cast<long long>(kMaxBytes / (1 << 20)), " MiB"));
    }
  }
  const std::vector<double> rs = parse_radii("r", r_text);
  const std::vector<double> exact_rs = parse_radii("exact_r", exact_r_text);
  if (out.empty()) throw UsageError("--out: got ''; allowed: a writable directory (required)");
  check_output_dir("out", out);
  set_blas_threads(1);

  for (const std::int64_t seed : seeds) {
    for (const std::int64_t d : ds) {
      const RunId id{"t2_linear_periodic", absl::StrCat("d", d), static_cast<std::uint64_t>(seed),
                     profile};
      Progress progress(absl::StrCat("t2_linear_periodic d=", d, " seed=", seed),
                        static_cast<std::int64_t>(rs.size()));
      const auto curve = t2_variance_curve(static_cast<int>(d), rs, vs, id.seed, [&](std::size_t i) {
        progress.update(static_cast<std::int64_t>(i));
      });
      Table metrics({"r", "variance", "variance_se"});
      for (const auto& pt : curve) metrics.add_row({pt.r, pt.mc.variance, pt.mc.se});
      write_run(out, id, metrics,
                {{"d", absl::StrCat(d)},
                 {"r", json_list(rs)},
                 {"width", absl::StrCat(vs.width)},
                 {"batches", absl::StrCat(vs.batches)},
                 {"directions", absl::StrCat(vs.directions)},
                 {"samples_per_half", absl::StrCat(vs.samples_per_half)},
                 {"psi", "\"cos\""},
                 {"x", "\"N(0, I_d)\""},
                 {"loss", "\"square\""},
                 {"init", "\"truncated normal std 1/sqrt(fan_in), biases 0\""},
                 {"method", "\"split-sample Monte Carlo, unbiased; se from i.i.d. replicates\""}},
                RunStatus{}, progress.elapsed_s());
      const auto window = t2_decay_window(curve);
      std::string fit_text = "fewer than 3 resolved radii past the peak, no fit";
      if (window.size() >= 3) {
        fit_text = absl::StrCat("log2 Var rate per unit r over ", window.size(),
                                " resolved radii in [", window.front().r, ", ", window.back().r,
                                "]: ", t2_fit_rate(window).to_string());
      }
      std::fprintf(stderr, "t2_linear_periodic d=%lld seed=%lld: %s (%.1f s)\n",
                   static_cast<long long>(d), static_cast<long long>(seed), fit_text.c_str(),
                   progress.elapsed_s());

      const RunId exact_id{"t2_linear_periodic", absl::StrCat("exact_d", d),
                           static_cast<std::uint64_t>(seed), profile};
      const auto start = std::chrono::steady_clock::now();
      const TwoLayerNet net = t2_net(static_cast<int>(d), vs.width, exact_id.seed);
      Table exact({"r", "variance"});
      for (const double r : exact_rs) exact.add_row({r, linear_periodic_variance_exact(net, r)});
      write_run(out, exact_id, exact,
                {{"d", absl::StrCat(d)},
                 {"r", json_list(exact_rs)},
                 {"width", absl::StrCat(vs.width)},
                 {"psi", "\"cos\""},
                 {"x", "\"N(0, I_d)\""},
                 {"loss", "\"square\""},
                 {"init", "\"truncated normal std 1/sqrt(fan_in), biases 0\""},
                 {"method", "\"closed form for c_v, quadrature over <v, u_j> (float64)\""}},
                RunStatus{},
                std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
    }
    const RunId id{"t2_linear_periodic", "train", static_cast<std::uint64_t>(seed), profile};
    Progress progress(absl::StrCat("t2_linear_periodic train seed=", seed), ts.steps);
    const std::map<std::string, std::string> settings = {{"d", absl::StrCat(ts.d)},
               {"r", absl::StrCat(ts.r)},
               {"width", absl::StrCat(ts.width)},
               {"steps", absl::StrCat(ts.steps)},
               {"batch", absl::StrCat(ts.batch)},
               {"lr", absl::StrCat(ts.lr)},
               {"eval_every", absl::StrCat(ts.eval_every)},
               {"eval_samples", absl::StrCat(ts.eval_samples)},
               {"loss", "\"square (p - y)^2 / 2\""},
               {"optimizer", "\"sgd\""}};
    const RunCheckpoint checkpoint = run_checkpoint(out, id, settings);
    RunStatus status;
    const Table metrics = t2_train(
        ts, id.seed, status, [&](std::int64_t t) { progress.update(t); }, checkpoint);
    write_run(out, id, metrics, settings, status, progress.elapsed_s());
    remove_checkpoint(checkpoint);
    std::fprintf(stderr,
                 "t2_linear_periodic train seed=%lld: final loss %.5f, trivial %.5f%s (%.1f s)\n",
                 static_cast<long long>(seed), metrics.rows().back()[1], t2_trivial_loss(ts.r),
                 status.diverged ? " DIVERGED" : "", progress.elapsed_s());
  }
  return 0;
}

}  // namespace
}  // namespace fgbdl

int main(int argc, char** argv) {
  return fgbdl::run_main("t2_linear_periodic", [&] { return fgbdl::run(argc, argv); });
}
