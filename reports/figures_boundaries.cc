// The figure of the section "Where each failure begins" (paper/boundaries.md,
// claims B2.1, B3.1, B3.2), the summary of the whole part:
//   boundaries  one panel per family (boundaries_panels.h): the success rate
//               of parities against d and against the step budget, of
//               tuples against k, and the stocks' paired gap against k; and
//               the two families of the next section ("Where the failures
//               of Sections 4 and 5 begin", figures_boundaries_sec45.h): the
//               encoders' steps against n (B4.1) and the approximation's
//               error against its sharpness c (B5); each with its
//               intervals, its fitted boundary and the paper's own settings
//               marked.
#include <algorithm>
#include <cmath>
#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "experiments/boundaries/success.h"
#include "lib/analysis/rates.h"
#include "reports/boundaries_panels.h"
#include "reports/figures_boundaries_sec45.h"

namespace fgbdl::report {
namespace {

constexpr char kParityBinary[] = "//experiments/sec2_parity:e2_1_parity";
constexpr char kTuplesBinary[] = "//experiments/sec3_decomposition:e3_1_tuples";
constexpr char kStocksBinary[] = "//experiments/sec3_decomposition:e3_2_stocks";

// Every setting of the axes a panel sets, so that no panel inherits another's.
// `key` places the legend (gnuplot's words, e.g. "top right").
std::string axes(const std::string& title, const std::string& xlabel, const std::string& ylabel,
                 double x0, double x1, double y0, double y1, bool logx, const std::string& key) {
  return absl::StrFormat(
      "set title '%s'\n%s\nset format x '%%g'\nset format y '%%g'\nunset logscale y\n"
      "set xrange [%g:%g]\nset yrange [%g:%g]\nset ytics (0, 0.2, 0.4, 0.6, 0.8, 1)\n"
      "set xlabel '%s'\nset ylabel '%s'\nset key %s font ',9'\n",
      title, logx ? "set logscale x" : "unset logscale x", x0, x1, y0, y1, xlabel, ylabel, key);
}

// The run's step budget: its settings' "steps".
double budget(const Run& r, const char* binary) {
  if (r.manifest.steps < 0)
    refuse(r.dir + "/manifest.json", absl::StrCat("settings record no \"steps\" (made by ", binary, ")"),
           r.target);
  return static_cast<double>(r.manifest.steps);
}

double steps_of(const Run& r, double threshold) {
  return steps_to_success(r.column("step"), r.column("accuracy"), threshold);
}

// Successes of runs at one setting.
struct RatePoint {
  double x = 0;
  std::int64_t s = 0, n = 0;
};

std::string rate_block(const std::vector<RatePoint>& points) {
  std::string out = "# x rate cp_low cp_high n\n";
  for (const RatePoint& r : points) {
    const Interval ci = clopper_pearson(r.s, r.n);
    absl::StrAppend(&out, num(r.x), " ", num(double(r.s) / double(r.n)), " ", num(ci.low), " ",
                    num(ci.high), " ", r.n, "\n");
  }
  return out;
}

// The fitted rate sigma(a + b x) at 200 points of [x0, x1] (log-spaced for a
// log axis).
std::string fit_block(const LogisticFit& f, double x0, double x1) {
  std::string out = "# x fitted_rate\n";
  for (int i = 0; i <= 200; ++i) {
    const double x = x0 + (x1 - x0) * i / 200.0;
    absl::StrAppend(&out, num(x), " ", num(1 / (1 + std::exp(-(f.a + f.b * x)))), "\n");
  }
  return out;
}

// Logistic fit of every run's outcome at its setting.
LogisticFit fit_points(const std::vector<RatePoint>& points) {
  std::vector<double> x;
  std::vector<int> y;
  for (const RatePoint& r : points)
    for (std::int64_t i = 0; i < r.n; ++i) {
      x.push_back(r.x);
      y.push_back(i < r.s ? 1 : 0);
    }
  return fit_logistic(x, y);
}

// The rate points with their bars, the fit (when it exists), its crossing
// with the interval as a horizontal bar at 1/2 (ends clipped to [x0, x1]),
// and the paper's settings as triangles above the rates. Returns the
// caption's sentence on the fit.
std::string rate_curves(Plot& p, Panel& panel, const std::vector<RatePoint>& points,
                        const std::vector<double>& paper, double x0, double x1, int c,
                        const std::string& what, const std::string& x50_name) {
  panel.curves.push_back(absl::StrFormat(
      "dat index %d using 1:2:3:4 with yerrorbars pt 7 ps 0.7 lc rgb '%s' title '%s'",
      p.add_block(rate_block(points)), color(c), what));
  if (fit_points(points).crossing == false || points.size() < 2)
    return absl::StrCat("every run of ", what, " had the same outcome: no crossing. ");
  const LogisticFit f = fit_points(points);
  if (!f.separated)
    panel.curves.push_back(
        absl::StrFormat("dat index %d using 1:2 with lines lw 2 lc rgb '%s' title 'logistic fit'",
                        p.add_block(fit_block(f, x0, x1)), color(c)));
  const double lo = std::max(f.x50_ci.low, x0), hi = std::min(f.x50_ci.high, x1);
  panel.curves.push_back(absl::StrFormat(
      "dat index %d using 1:2:3:4 with xerrorbars pt 5 ps 0.9 lc rgb '%s' title '%s = %.3g "
      "[%.3g, %.3g]'",
      p.add_block(absl::StrCat("# x50 rate low high\n", num(f.x50), " 0.5 ", num(lo), " ", num(hi),
                               "\n")),
      color(c), x50_name, f.x50, f.x50_ci.low, f.x50_ci.high));
  std::string marks = "# x paper\n";
  for (double x : paper) absl::StrAppend(&marks, num(x), " 1.07\n");
  panel.curves.push_back(absl::StrFormat(
      "dat index %d using 1:2 with points pt 11 ps 1.1 lc rgb '#444444' title 'paper''s settings'",
      p.add_block(marks)));
  return absl::StrCat(what, ": $", x50_name, "$ ", f.to_string(), ". ");
}

// Runs of b3_1_tuples by (approach, k); configs k<K>_<approach>.
std::map<std::string, std::map<int, std::vector<const Run*>>> tuples_by_approach(
    const std::vector<Run>& all) {
  std::map<std::string, std::map<int, std::vector<const Run*>>> out;
  for (const auto& [config, runs] : configs_of(all, "b3_1_tuples")) {
    const std::vector<std::string> parts = absl::StrSplit(config, '_');
    const int k = parts.size() == 2 ? size_in(parts[0], "k") : -1;
    if (k < 1 || (parts[1] != "e2e" && parts[1] != "dec"))
      refuse(runs.front()->dir, "the config name is not k<K>_e2e or k<K>_dec", runs.front()->target);
    out[parts[1]][k] = runs;
  }
  return out;
}

}  // namespace

Panel parity_panel(Plot& p, const std::vector<Run>& all) {
  const Groups groups = configs_of(all, "b2_1_parity");
  if (groups.empty()) missing("claim b2_1_parity", kParityBinary);
  std::vector<RatePoint> points;
  std::set<double> budgets;
  std::vector<const Run*> shown;
  for (const auto& [config, runs] : groups) {
    RatePoint r{double(config_d(runs, config)), 0, 0};
    for (const Run* run : runs) {
      const double t = budget(*run, kParityBinary);
      budgets.insert(t);
      r.s += succeeded_within(steps_of(*run, kSuccessAccuracy), t);
      ++r.n;
    }
    points.push_back(r);
    add_runs(p, runs);
    shown.insert(shown.end(), runs.begin(), runs.end());
  }
  const double x0 = std::min(4.0, points.front().x - 1), x1 = points.back().x + 1;
  Panel panel;
  panel.settings = axes("B2.1 parities: success against d", "d (bits)", "success rate", x0, x1,
                        -0.05, 1.75, false, "top right");
  const std::string fit =
      rate_curves(p, panel, points, {5, 10, 30}, x0, x1, 0, "parities", "d_{50}");
  absl::StrAppend(&p.caption, "*B2.1* (top left): the fraction of runs of E2.1 whose held-out "
                  "accuracy reached ", kSuccessAccuracy, " within the budget of ",
                  absl::StrJoin(budgets, " and "), " steps, at each $d$ (", seeds_of(shown),
                  "; bars: Clopper–Pearson 95%); ", fit);
  return panel;
}

Panel parity_budget_panel(Plot& p, const std::vector<Run>& all) {
  const Groups groups = configs_of(all, "b2_1_parity");
  if (groups.empty()) missing("claim b2_1_parity", kParityBinary);
  std::vector<RatePoint> points;
  double tmax = 0;
  for (const auto& [config, runs] : groups) {
    RatePoint r{double(config_d(runs, config)), 0, 0};
    for (const Run* run : runs) {
      const double t = budget(*run, kParityBinary);
      tmax = std::max(tmax, t);
      r.s += succeeded_within(steps_of(*run, kSuccessAccuracy), t);
      ++r.n;
    }
    points.push_back(r);
  }
  // The paper's d = 10 and the two grid d's nearest the crossing.
  std::vector<std::pair<double, double>> nearest;  // (distance, d)
  const LogisticFit f = fit_points(points);
  for (const RatePoint& r : points)
    if (r.x != 10 && f.crossing) nearest.push_back({std::abs(r.x - f.x50), r.x});
  std::sort(nearest.begin(), nearest.end());
  std::set<double> ds;
  if (groups.count("d10")) ds.insert(10);
  for (std::size_t i = 0; i < nearest.size() && i < 2; ++i) ds.insert(nearest[i].second);
  Panel panel;
  panel.settings = axes("B2.1 parities: success against the step budget", "budget (SGD steps)",
                        "success rate", 0, tmax * 1.04, -0.05, 1.45, false, "top right");
  int c = 0;
  for (const double d : ds) {
    const std::vector<const Run*>& runs = groups.at(absl::StrCat("d", d));
    std::vector<double> steps;
    for (const Run* run : runs) steps.push_back(steps_of(*run, kSuccessAccuracy));
    std::string block = "# budget rate\n";
    const double stride = std::max(100.0, tmax / 200);
    for (double t = 0; t <= tmax; t += stride) {
      int s = 0;
      for (const double x : steps) s += succeeded_within(x, t);
      absl::StrAppend(&block, num(t), " ", num(double(s) / double(steps.size())), "\n");
    }
    panel.curves.push_back(
        absl::StrFormat("dat index %d using 1:2 with steps lw 2 lc rgb '%s' title 'd = %g (%zu runs)'",
                        p.add_block(block), color(c++), d, runs.size()));
  }
  absl::StrAppend(&p.caption, "*B2.1 against the budget* (top right): at $d$ = ",
                  absl::StrJoin(ds, ", "),
                  ", the fraction of the same runs whose steps to success are at most the budget "
                  "(read from their curves, evaluated every 100 steps). ");
  return panel;
}

Panel tuples_panel(Plot& p, const std::vector<Run>& all) {
  const auto by = tuples_by_approach(all);
  if (!by.count("e2e")) missing("claim b3_1_tuples with configs k<K>_e2e", kTuplesBinary);
  Panel panel;
  panel.settings = axes("B3.1 tuples: success against k", "k (images per tuple)", "success rate",
                        0.5, 4.5, -0.05, 1.75, false, "top right");
  std::string fit, when;
  std::set<double> budgets;
  for (const auto& [approach, ks] : by) {
    std::vector<RatePoint> points;
    for (const auto& [k, runs] : ks) {
      RatePoint r{double(k), 0, 0};
      std::map<double, int> first;  // steps to success -> runs
      for (const Run* run : runs) {
        const double t = budget(*run, kTuplesBinary);
        budgets.insert(t);
        const double steps = steps_of(*run, kTupleSuccessAccuracy);
        const bool success = succeeded_within(steps, t);
        if (success) ++first[steps];
        r.s += success;
        ++r.n;
      }
      points.push_back(r);
      add_runs(p, runs);
      std::vector<std::string> each;
      for (const auto& [steps, n] : first)
        each.push_back(n == 1 ? num(steps) : absl::StrCat(num(steps), " (", n, " runs)"));
      absl::StrAppend(&when, when.empty() ? "" : "; ",
                      approach == "e2e" ? "end to end" : "decomposition", " $k = ", k, "$: ",
                      r.s, " of ", r.n, each.empty() ? "" : ", at ", absl::StrJoin(each, ", "));
    }
    if (approach == "e2e") {
      fit = rate_curves(p, panel, points, {1, 2, 3, 4}, 0.5, 4.5, 0, "end to end", "k_{50}");
    } else {
      panel.curves.push_back(absl::StrFormat(
          "dat index %d using 1:2:3:4 with yerrorbars pt 9 ps 0.8 lc rgb '%s' title 'decomposition'",
          p.add_block(rate_block(points)), color(1)));
    }
  }
  absl::StrAppend(&p.caption, "*B3.1* (bottom left): the fraction of runs of E3.1 whose held-out "
                  "tuple accuracy reached ", kTupleSuccessAccuracy, " within their budgets (",
                  absl::StrJoin(budgets, ", "), " steps), end to end and with decomposition; ", fit,
                  "The runs that succeed, and the step at which each first did (the rate within a "
                  "smaller budget $T$ counts those at most $T$): ", when, ". ");
  return panel;
}

Panel stocks_panel(Plot& p, const std::vector<Run>& all) {
  // k -> seed -> (final e2e objective, final dec objective).
  std::map<int, std::map<std::int64_t, std::pair<double, double>>> finals;
  std::map<int, std::map<std::int64_t, int>> have;
  for (const auto& [config, runs] : configs_of(all, "b3_2_stocks")) {
    const std::vector<std::string> parts = absl::StrSplit(config, '_');
    const int k = parts.size() == 2 ? size_in(parts[0], "k") : -1;
    if (k < 1 || (parts[1] != "e2e" && parts[1] != "dec"))
      refuse(runs.front()->dir, "the config name is not k<K>_e2e or k<K>_dec", runs.front()->target);
    for (const Run* run : runs) {
      const double last = run->column("loss").back();
      auto& pair = finals[k][run->seed];
      (parts[1] == "e2e" ? pair.first : pair.second) = last;
      have[k][run->seed] |= parts[1] == "e2e" ? 1 : 2;
    }
    add_runs(p, runs);
  }
  if (finals.empty()) missing("claim b3_2_stocks", kStocksBinary);
  std::string block = "# k gap_mean t_low t_high n\n";
  std::vector<std::pair<int, MeanInterval>> gaps;
  for (const auto& [k, seeds] : finals) {
    std::vector<double> g;
    for (const auto& [seed, pair] : seeds)
      if (have[k][seed] == 3) g.push_back(pair.first - pair.second);
    if (g.empty()) continue;
    // One seed: the point alone, no interval, never material.
    MeanInterval m;
    if (g.size() >= 2) {
      m = mean_interval(g);
    } else {
      m.mean = g[0];
      m.ci = {-1, g[0]};
      m.n = 1;
    }
    gaps.push_back({k, m});
    absl::StrAppend(&block, k, " ", num(m.mean), " ", num(m.n >= 2 ? m.ci.low : m.mean), " ",
                    num(m.ci.high), " ", m.n, "\n");
  }
  if (gaps.empty())
    missing("claim b3_2_stocks with both estimators on one seed of one k", kStocksBinary);
  // k*: the smallest k from which on the gap is material at every larger k.
  int k_star = -1;
  for (auto it = gaps.rbegin(); it != gaps.rend() && it->second.ci.low > kMaterialGap; ++it)
    k_star = it->first;
  Panel panel;
  panel.settings = axes("B3.2 stocks: the end-to-end gap against k", "k (outputs)",
                        "L_{e2e} - L_{dec} at the last step", 5, 4000, -0.1, 1.05, true,
                        "left center");
  panel.curves.push_back(absl::StrFormat(
      "dat index %d using 1:2:3:4 with yerrorbars pt 7 ps 0.7 lc rgb '%s' title 'gap (t 95%%)'",
      p.add_block(block), color(2)));
  panel.curves.push_back(absl::StrFormat(
      "%g with lines dt 2 lw 1.5 lc rgb '#666666' title 'material (%g)'", kMaterialGap, kMaterialGap));
  if (k_star > 0)
    panel.curves.push_back(absl::StrFormat(
        "dat index %d using 1:2 with points pt 5 ps 1.2 lc rgb '%s' title 'k* = %d'",
        p.add_block(absl::StrCat("# k_star\n", k_star, " ", num(kMaterialGap), "\n")), color(3),
        k_star));
  panel.curves.push_back(absl::StrFormat(
      "dat index %d using 1:2 with points pt 11 ps 1.1 lc rgb '#444444' title 'paper''s settings'",
      p.add_block("# k paper\n10 1\n1000 1\n2000 1\n")));
  absl::StrAppend(&p.caption,
                  "*B3.2* (bottom right): the end-to-end objective minus the decomposition's at "
                  "the last step, paired by seed, mean with its Student $t$ 95% interval (none for a "
                  "single seed); ",
                  k_star > 0 ? absl::StrCat("the gap is material (interval above ", kMaterialGap,
                                            ") from $k^* = ", k_star, "$ on.")
                             : absl::StrCat("the gap is not material (interval above ",
                                            kMaterialGap, ") at the largest $k$."));
  return panel;
}

namespace {

Plot boundaries(const std::vector<Run>& all) {
  Plot p;
  p.name = "boundaries";
  p.title = "Where each failure begins: success rates and fitted boundaries";
  p.caption =
      "One panel per family; the paper's own settings as triangles (B2.1 to B3.2) or dotted "
      "lines (B4.1, B5). ";
  p.panels.push_back(parity_panel(p, all));
  p.panels.push_back(parity_budget_panel(p, all));
  p.panels.push_back(tuples_panel(p, all));
  p.panels.push_back(stocks_panel(p, all));
  p.panels.push_back(b4_1_panel(p, all));
  p.panels.push_back(b5_panel(p, all));
  p.cols = 2;
  p.rows = static_cast<int>(p.panels.size() + 1) / 2;
  p.width = 980;
  p.height = 60 + 380 * p.rows;
  p.layout = "margins 0.08,0.98,0.07,0.95 spacing 0.08,0.16";
  return p;
}

}  // namespace

FigureList boundaries_figures() { return {{"boundaries", boundaries}}; }

[[maybe_unused]] const bool kRegistered = register_figures(12, boundaries_figures);

}  // namespace fgbdl::report
