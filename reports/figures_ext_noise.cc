// The figures of the extension's noisy-gradient part (paper/ext_noise.md,
// claim X5):
//   x5_curves     held-out accuracy against steps, one curve per noise level
//                 tau, the parity and the single bit side by side
//   x5_threshold  final held-out accuracy against tau (log axis), parity and
//                 single bit, with tau = 0 as a horizontal line per target
#include <algorithm>
#include <cmath>
#include <map>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "reports/figure_kit.h"

namespace fgbdl::report {
namespace {

constexpr char kNoisyBinary[] = "//experiments/ext_noise:x5_noisy_gd";

struct Target {
  const char* prefix;  // config <prefix>_tau<tau>
  const char* title;
};
constexpr Target kTargets[] = {{"parity", "parity of k bits"}, {"bit", "single bit"}};

// The runs of one target by tau (the runs' tau column), in increasing tau.
std::map<double, std::vector<const Run*>> by_tau(const Groups& groups, const char* prefix) {
  std::map<double, std::vector<const Run*>> out;
  for (const auto& [config, runs] : groups) {
    if (!absl::StartsWith(config, absl::StrCat(prefix, "_tau"))) continue;
    for (const Run* r : runs) {
      const std::vector<double> tau = r->column("tau");
      if (tau.empty() || !std::isfinite(tau.front()))
        missing(absl::StrCat("claim x5_noisy_gd with a finite tau in ", r->metrics_path()),
                kNoisyBinary);
      out[tau.front()].push_back(r);
    }
  }
  return out;
}

std::string tau_title(double tau) { return absl::StrCat("τ = ", num(tau)); }

Plot x5_curves(const std::vector<Run>& all) {
  Plot p;
  p.name = "x5_curves";
  p.title = "Noisy gradient descent: held-out accuracy during training, per noise level";
  const Groups groups = configs_of(all, "x5_noisy_gd");
  int nonfinite = 0;
  std::size_t most = 0;
  std::vector<const Run*> shown;
  for (const Target& t : kTargets) {
    const auto taus = by_tau(groups, t.prefix);
    if (taus.empty()) continue;
    Panel panel;
    panel.settings = absl::StrFormat("set title '%s'\n", t.title);
    int c = 0;
    for (const auto& [tau, runs] : taus) {
      const std::vector<Stat> stats =
          nonempty(aggregate(runs, "step", "accuracy", &nonfinite), runs, "accuracy");
      band_curve(panel.curves, p.add_block(block_of(stats)), color(c++), tau_title(tau));
      most = std::max(most, runs.size());
      add_runs(p, runs);
      shown.insert(shown.end(), runs.begin(), runs.end());
    }
    panel.curves.push_back(kChance);
    p.panels.push_back(panel);
  }
  if (p.panels.empty())
    missing("claim x5_noisy_gd with configs parity_tau<tau> or bit_tau<tau>", kNoisyBinary);
  p.cols = static_cast<int>(p.panels.size());
  p.rows = 1;
  p.width = 980;
  p.height = 420;
  p.layout = "margins 0.07,0.98,0.12,0.92 spacing 0.08,0.1";
  p.settings =
      "set xlabel 'SGD step'\nset ylabel 'held-out accuracy'\nset yrange [0.4:1.02]\n"
      "set key bottom right font ',9'\n";
  p.caption = absl::StrCat(
      "Held-out accuracy of the E2.1 network (one hidden ReLU layer of width $10d$, hinge "
      "loss, plain SGD on batches of fresh samples) whose every gradient entry gets "
      "$N(0, \\tau^2)$ noise, one curve per $\\tau$; left: a parity of $k$ of the $d$ bits, "
      "right: a single bit. For one seed every $\\tau$ starts from the same network and sees "
      "the same inputs. ",
      seed_phrase(most, seeds_of(shown), "shaded bands"), " Dashed: chance level 0.5.",
      notes(nonfinite, 0, 0));
  return p;
}

Plot x5_threshold(const std::vector<Run>& all) {
  Plot p;
  p.name = "x5_threshold";
  p.title = "Noisy gradient descent: final held-out accuracy against the noise level";
  const Groups groups = configs_of(all, "x5_noisy_gd");
  int nonfinite = 0;
  std::size_t most = 0;
  std::vector<const Run*> shown;
  int c = 0;
  for (const Target& t : kTargets) {
    const auto taus = by_tau(groups, t.prefix);
    std::vector<Stat> stats;
    for (const auto& [tau, runs] : taus) {
      std::vector<double> finals;
      for (const Run* r : runs) {
        const double acc = r->column("accuracy").back();
        if (std::isfinite(acc))
          finals.push_back(acc);
        else
          ++nonfinite;
      }
      most = std::max(most, runs.size());
      add_runs(p, runs);
      shown.insert(shown.end(), runs.begin(), runs.end());
      if (finals.empty()) continue;
      Stat s;
      s.x = tau;
      s.n = static_cast<int>(finals.size());
      s.lo = *std::min_element(finals.begin(), finals.end());
      s.hi = *std::max_element(finals.begin(), finals.end());
      for (const double v : finals) s.mean += v / s.n;
      if (tau > 0) {
        stats.push_back(s);
      } else {
        p.curves.push_back(absl::StrFormat(
            "%s with lines dt 3 lw 1.5 lc rgb '%s' title '%s, τ = 0'", num(s.mean), color(c),
            t.title));
      }
    }
    if (!stats.empty())
      bar_curve(p.curves, p.add_block(block_of(stats)), color(c), absl::StrCat(t.title, ", τ > 0"));
    ++c;
  }
  if (p.blocks == 0)
    missing("claim x5_noisy_gd with a finite final accuracy at some tau > 0", kNoisyBinary);
  p.curves.push_back(kChance);
  p.settings =
      "set logscale x\nset format x '10^{%L}'\nset xlabel 'noise level τ'\n"
      "set ylabel 'final held-out accuracy'\nset yrange [0.4:1.02]\nset key bottom left\n";
  p.caption = absl::StrCat(
      "Final held-out accuracy (the last evaluation of each run) against the standard deviation "
      "$\\tau$ of the Gaussian noise added to every gradient entry, for the parity of $k$ bits "
      "and the single bit. Points: mean over the seeds; bars: min–max. Dotted: the same target "
      "without noise ($\\tau = 0$, which a log axis cannot show). ",
      most <= 1 ? "One run per point" : "Over the seeds", " (", seeds_of(shown),
      "). Dashed: chance level 0.5.",
      notes(nonfinite, 0, 0));
  return p;
}

}  // namespace

FigureList ext_noise_figures() {
  return {{"x5_curves", x5_curves}, {"x5_threshold", x5_threshold}};
}

[[maybe_unused]] const bool kRegistered = register_figures(10, ext_noise_figures);

}  // namespace fgbdl::report
