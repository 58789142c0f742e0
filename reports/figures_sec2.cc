// The figures of Section 2 (paper/sec2_parity.md):
//   e2_1_parity        accuracy vs step, d in {5, 10, 30}   (paper Figure 1)
//   e2_1_parity_sweep  final accuracy vs d, every d present
//   t1_variance        gradient variance vs d and the bound G(w)^2 / 2^d
//   t2_linear_periodic gradient variance vs r, one line per d
//   t2_training        training loss vs step, trivial loss dashed
#include <algorithm>
#include <cmath>
#include <map>
#include <set>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "reports/figure_kit.h"

namespace fgbdl::report {
namespace {

constexpr char kParityBinary[] = "//experiments/sec2_parity:e2_1_parity";
constexpr char kT1Binary[] = "//experiments/sec2_parity:t1_variance";
constexpr char kT2Binary[] = "//experiments/sec2_parity:t2_linear_periodic";

// Figure 1 of the paper: accuracy vs step for d = 5, 10, 30.
Plot e2_1_parity(const std::vector<Run>& all) {
  Plot p;
  p.name = "e2_1_parity";
  p.title = "Learning random parities: test accuracy during training (paper Figure 1)";
  const Groups groups = configs_of(all, "e2_1_parity");
  Groups shown;
  std::vector<std::string> ds;
  int nonfinite = 0;
  for (const int d : {5, 10, 30}) {
    const auto it = groups.find(absl::StrCat("d", d));
    if (it == groups.end()) continue;
    shown.insert(*it);
    const int b = p.add_block(block_of(
        nonempty(aggregate(it->second, "step", "accuracy", &nonfinite), it->second, "accuracy")));
    band_curve(p.curves, b, color(static_cast<int>(ds.size())), absl::StrCat("d = ", d));
    ds.push_back(absl::StrCat(d));
    add_runs(p, it->second);
  }
  if (ds.empty()) missing("claim e2_1_parity with config d5, d10 or d30", kParityBinary);
  p.curves.push_back(kChance);
  p.settings =
      "set xlabel 'SGD step'\nset ylabel 'test accuracy'\nset yrange [0.4:1.02]\n"
      "set key right center\n";
  p.caption = absl::StrCat(
      "Test accuracy (on fresh samples) of the E2.1 network, one hidden ReLU layer of width $10d$, "
      "trained with SGD on the hinge loss to learn a random parity of $d$ "
      "bits, for $d \\in \\{",
      absl::StrJoin(ds, ", "), "\\}$. ",
      seed_phrase(max_seeds(shown), seeds_of(p.runs), "shaded band"), " Dashed: chance level 0.5.",
      notes(nonfinite, 0, 0));
  return p;
}

// Final accuracy vs d over every e2_1_parity config.
Plot e2_1_parity_sweep(const std::vector<Run>& all) {
  Plot p;
  p.name = "e2_1_parity_sweep";
  p.title = "Learning random parities: final accuracy against the number of bits";
  const Groups groups = configs_of(all, "e2_1_parity");
  if (groups.empty()) missing("claim e2_1_parity", kParityBinary);
  std::vector<Stat> stats;
  std::set<double> last_steps;
  int nonfinite = 0;
  for (const auto& [config, runs] : groups) {
    Stat s;
    s.x = config_d(runs, config);
    std::vector<double> finals;
    for (const Run* r : runs) {
      const double acc = r->column("accuracy").back();
      last_steps.insert(r->column("step").back());
      if (std::isfinite(acc))
        finals.push_back(acc);
      else
        ++nonfinite;
    }
    if (finals.empty()) continue;
    s.n = static_cast<int>(finals.size());
    s.lo = *std::min_element(finals.begin(), finals.end());
    s.hi = *std::max_element(finals.begin(), finals.end());
    for (double v : finals) s.mean += v / s.n;
    stats.push_back(s);
    add_runs(p, runs);
  }
  std::sort(stats.begin(), stats.end(), [](const Stat& a, const Stat& b) { return a.x < b.x; });
  if (stats.empty()) missing("claim e2_1_parity with a finite final accuracy", kParityBinary);
  bar_curve(p.curves, p.add_block(block_of(stats)), color(0), "final accuracy");
  p.curves.push_back(kChance);
  p.settings = absl::StrFormat(
      "set xlabel 'd (number of bits)'\nset ylabel 'final test accuracy'\nset yrange [0.4:1.02]\n"
      "set xrange [%g:%g]\nset key right top\n",
      stats.front().x - 1, stats.back().x + 1);
  std::map<int, std::vector<std::string>> by_count;
  for (const Stat& s : stats) by_count[s.n].push_back(num(s.x));
  std::vector<std::string> counts;
  for (const auto& [n, xs] : by_count)
    counts.push_back(
        absl::StrCat(n, n == 1 ? " seed" : " seeds", " at $d = ", absl::StrJoin(xs, ", "), "$"));
  const std::string when = last_steps.size() == 1
                               ? absl::StrCat("after ", num(*last_steps.begin()), " SGD steps")
                               : "at each run's last evaluation";
  p.caption = absl::StrCat(
      "Final test accuracy of the E2.1 network (the last evaluation of each run, ", when,
      ") against the number of bits $d$, for every $d$ among the runs. Points: mean over the "
      "seeds; bars: "
      "min–max over the seeds (",
      absl::StrJoin(counts, "; "), "). Dashed: chance level 0.5.", notes(nonfinite, 0, 0));
  return p;
}

// Theorem 1: gradient variance over parities vs the bound G(w)^2 / 2^d.
Plot t1_variance(const std::vector<Run>& all) {
  Plot p;
  p.name = "t1_variance";
  p.title = "Theorem 1: variance of the gradient over the parities of d bits";
  const Groups groups = configs_of(all, "t1_variance");
  const auto it = groups.find("fixed_net");
  if (it == groups.end()) missing("claim t1_variance with config fixed_net", kT1Binary);
  const std::vector<const Run*>& runs = it->second;
  for (const Run* r : runs) r->column("G2");  // the format: d,var_square,var_hinge,G2,bound
  int nonfinite = 0, nonpositive = 0, clipped = 0;
  const std::vector<std::pair<std::string, std::string>> series = {
      {"var_square", "Var, square loss"},
      {"var_hinge", "Var, hinge loss"},
      {"bound", "bound G(w)^2 / 2^d"}};
  for (std::size_t k = 0; k < series.size(); ++k) {
    const auto stats = for_log_axis(
        nonempty(aggregate(runs, "d", series[k].first, &nonfinite), runs, series[k].first),
        &nonpositive, &clipped);
    if (stats.empty())
      refuse(runs.front()->metrics_path(),
             absl::StrCat("no positive values in column '", series[k].first, "'"),
             runs.front()->target);
    bar_curve(p.curves, p.add_block(block_of(stats)), color(static_cast<int>(k)), series[k].second,
              k == 2 ? "dt 2" : "");
  }
  add_runs(p, runs);
  p.settings =
      "set xlabel 'd (number of bits)'\nset ylabel 'variance of the gradient'\nset logscale y\n"
      "set format y '10^{%L}'\nset key right top\n";
  p.caption = absl::StrCat(
      "Variance of the loss gradient over the $2^d$ parity targets, $\\operatorname{Var}(\\mathcal "
      "H, F, w)$, computed exactly (every input, every parity, float64) at one fixed random "
      "network $w$ of the E2.1 architecture for each $d$, for the square loss and the hinge loss, "
      "against the bound $G(w)^2 / 2^d$ of "
      "Theorem 1 with $|\\mathcal H| = 2^d$ (dashed). Log scale. ",
      runs.size() > 1 ? absl::StrCat("Points: mean over the runs (", seeds_of(runs),
                                     "); bars: min–max over the seeds.")
                      : absl::StrCat("One run (", seeds_of(runs), ")."),
      notes(nonfinite, nonpositive, clipped));
  return p;
}

// Theorem 2: gradient variance vs r for each d: Monte Carlo estimates
// (configs d<D>: r,variance,variance_se) with +-SE bars, and where present the
// exact curve of the same network (configs exact_d<D>: r,variance), dashed.
Plot t2_linear_periodic(const std::vector<Run>& all) {
  Plot p;
  p.name = "t2_linear_periodic";
  p.title = "Theorem 2: variance of the gradient for linear-periodic targets";
  const Groups groups = configs_of(all, "t2_linear_periodic");
  std::map<int, std::vector<const Run*>> mc, exact;
  for (const auto& [config, runs] : groups) {
    if (config == "train") continue;
    const bool is_exact = config.rfind("exact_", 0) == 0;
    const int d = parse_d(is_exact ? config.substr(6) : config);
    if (d < 0) {
      refuse(runs.front()->dir, "the config name is not d<D>, exact_d<D> or train",
             runs.front()->target);
    }
    (is_exact ? exact : mc)[d] = runs;
  }
  std::set<int> ds;
  for (const auto& [d, runs] : mc) ds.insert(d);
  for (const auto& [d, runs] : exact) ds.insert(d);
  int nonfinite = 0, nonpositive = 0, clipped = 0, k = 0, curves = 0;
  for (const int d : ds) {
    const std::string c = color(k++);
    if (const auto it = mc.find(d); it != mc.end()) {
      // Several seeds: the mean of the estimates, with SE sqrt(sum se^2) / n.
      std::map<double, std::vector<std::pair<double, double>>> at;
      for (const Run* r : it->second) {
        const auto rs = r->column("r"), v = r->column("variance"), se = r->column("variance_se");
        for (std::size_t i = 0; i < rs.size(); ++i) {
          if (std::isfinite(rs[i]) && std::isfinite(v[i]) && std::isfinite(se[i])) {
            at[rs[i]].push_back({v[i], se[i]});
          } else {
            ++nonfinite;
          }
        }
      }
      std::vector<Stat> stats;
      for (const auto& [r, vals] : at) {
        Stat s;
        s.x = r;
        s.n = static_cast<int>(vals.size());
        double se2 = 0;
        for (const auto& [v, se] : vals) {
          s.mean += v / s.n;
          se2 += se * se;
        }
        s.lo = s.mean - std::sqrt(se2) / s.n;
        s.hi = s.mean + std::sqrt(se2) / s.n;
        stats.push_back(s);
      }
      stats = for_log_axis(stats, &nonpositive, &clipped);
      if (!stats.empty()) {
        bar_curve(p.curves, p.add_block(block_of(stats)), c,
                  absl::StrCat("d = ", d, ", Monte Carlo"));
        add_runs(p, it->second);
        ++curves;
      }
    }
    if (const auto it = exact.find(d); it != exact.end()) {
      const auto stats =
          for_log_axis(aggregate(it->second, "r", "variance", &nonfinite), &nonpositive, &clipped);
      if (!stats.empty()) {
        p.curves.push_back(absl::StrFormat(
            "dat index %d using 1:2 with linespoints dt 2 lw 1.5 pt 6 ps 0.5 lc rgb '%s' "
            "title 'd = %d, exact'",
            p.add_block(block_of(stats)), c, d));
        add_runs(p, it->second);
        ++curves;
      }
    }
  }
  if (curves == 0) {
    missing("claim t2_linear_periodic with configs d<D> and positive variances", kT2Binary);
  }
  p.settings =
      "set xlabel 'r = ||v*||'\nset ylabel 'variance of the gradient'\nset logscale xy\n"
      "set format y '10^{%L}'\nset key outside right top\n";
  p.caption = absl::StrCat(
      "Variance of the square-loss gradient over targets $x \\mapsto \\cos(\\langle v^*, "
      "x\\rangle)$, $v^*$ uniform on the sphere of radius $r$, $x \\sim \\mathcal N(0, I_d)$, at a "
      "random initialization of a small two-layer ReLU network, against $r$, one colour per input "
      "dimension $d$. Points: Monte Carlo estimates, bars $\\pm 1$ standard error (several seeds: "
      "their mean, with standard error $\\sqrt{\\sum_i \\mathrm{se}_i^2}/n$; here ",
      seeds_of(p.runs), "). ",
      exact.empty() ? ""
                    : "Dashed: the exact variance of the same network, by quadrature of a "
                      "closed form, which reaches far below Monte Carlo resolution. ",
      "Log–log scale.", notes(nonfinite, nonpositive, clipped));
  return p;
}

// Theorem 2, the package's training run: loss vs step, trivial loss dashed.
Plot t2_training(const std::vector<Run>& all) {
  Plot p;
  p.name = "t2_training";
  p.title = "Theorem 2: training on a linear-periodic target";
  const Groups groups = configs_of(all, "t2_linear_periodic");
  const auto it = groups.find("train");
  if (it == groups.end()) missing("claim t2_linear_periodic with config train", kT2Binary);
  const std::vector<const Run*>& runs = it->second;
  int nonfinite = 0;
  band_curve(
      p.curves,
      p.add_block(block_of(nonempty(aggregate(runs, "step", "loss", &nonfinite), runs, "loss"))),
      color(0), "training loss");
  band_curve(p.curves,
             p.add_block(block_of(nonempty(aggregate(runs, "step", "trivial_loss", &nonfinite),
                                           runs, "trivial_loss"))),
             "#444444", "trivial loss", true);
  add_runs(p, runs);
  p.settings = "set xlabel 'SGD step'\nset ylabel 'square loss'\nset key right top\n";
  p.caption = absl::StrCat(
      "Held-out square loss of SGD on the target $\\cos(\\langle v^*, x\\rangle)$, $x \\sim "
      "\\mathcal N(0, I_d)$ (the package's Theorem 2 experiment), against the trivial loss, the "
      "loss of the best constant predictor "
      "(dashed). ",
      seed_phrase(runs.size(), seeds_of(runs), "shaded band"), notes(nonfinite, 0, 0));
  return p;
}

}  // namespace

FigureList sec2_figures() {
  return {{"e2_1_parity", e2_1_parity},
          {"e2_1_parity_sweep", e2_1_parity_sweep},
          {"t1_variance", t1_variance},
          {"t2_linear_periodic", t2_linear_periodic},
          {"t2_training", t2_training}};
}

[[maybe_unused]] const bool kRegistered = register_figures(2, sec2_figures);

}  // namespace fgbdl::report
