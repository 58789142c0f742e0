#include "reports/figures.h"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <set>
#include <stdexcept>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "lib/io/results.h"
#include "reports/process.h"

namespace fgbdl::report {
namespace {

constexpr const char* kColors[] = {"#1f77b4", "#d62728", "#2ca02c", "#9467bd",
                                   "#ff7f0e", "#8c564b", "#e377c2", "#17becf"};
std::string color(int i) { return kColors[i % 8]; }

constexpr char kParityBinary[] = "//experiments/sec2_parity:e2_1_parity";
constexpr char kT1Binary[] = "//experiments/sec2_parity:t1_variance";
constexpr char kT2Binary[] = "//experiments/sec2_parity:t2_linear_periodic";

[[noreturn]] void missing(const std::string& what, const std::string& binary) {
  throw BadInput(absl::StrCat("no results for ", what,
                              " among the report's inputs (they are made by experiment_run "
                              "targets of ",
                              binary, " listed in reports/BUILD)"));
}

struct NaturalLess {
  bool operator()(const std::string& a, const std::string& b) const { return natural_less(a, b); }
};
using Groups = std::map<std::string, std::vector<const Run*>, NaturalLess>;

Groups configs_of(const std::vector<Run>& runs, const std::string& claim) {
  Groups groups;
  for (const Run& r : runs) {
    if (r.claim == claim) groups[r.config].push_back(&r);
  }
  return groups;
}

// d of a config named d<D>, else -1.
int parse_d(const std::string& config) {
  int d = -1;
  if (config.size() < 2 || config[0] != 'd' || !absl::SimpleAtoi(config.substr(1), &d) || d < 1)
    return -1;
  return d;
}

int config_d(const std::vector<const Run*>& runs, const std::string& config) {
  const int d = parse_d(config);
  if (d < 0) refuse(runs.front()->dir, "the config name is not d<D>", runs.front()->target);
  return d;
}

std::string num(double v) { return absl::StrFormat("%.9g", v); }

std::string block_of(const std::vector<Stat>& stats) {
  std::string out = "# x mean min max n\n";
  for (const Stat& s : stats)
    absl::StrAppend(&out, num(s.x), " ", num(s.mean), " ", num(s.lo), " ", num(s.hi), " ", s.n,
                    "\n");
  return out;
}

std::vector<Stat> nonempty(std::vector<Stat> stats, const std::vector<const Run*>& runs,
                           const std::string& y) {
  if (stats.empty())
    refuse(runs.front()->metrics_path(), absl::StrCat("no finite values in column '", y, "'"),
           runs.front()->target);
  return stats;
}

// Keeps points whose mean is positive (log axes); a lower bar end at or
// below 0 is dropped (drawn at the point). Counts both.
std::vector<Stat> for_log_axis(std::vector<Stat> stats, int* nonpositive, int* clipped) {
  std::vector<Stat> out;
  for (Stat s : stats) {
    if (s.mean <= 0) {
      ++*nonpositive;
      continue;
    }
    if (s.lo <= 0) {
      s.lo = s.mean;
      ++*clipped;
    }
    out.push_back(s);
  }
  return out;
}

std::string seeds_of(const std::vector<const Run*>& runs) {
  std::set<std::int64_t> seeds;
  for (const Run* r : runs) seeds.insert(r->seed);
  return absl::StrCat(seeds.size() == 1 ? "seed " : "seeds ", absl::StrJoin(seeds, ", "));
}

std::size_t max_seeds(const Groups& groups) {
  std::size_t n = 0;
  for (const auto& [config, runs] : groups) n = std::max(n, runs.size());
  return n;
}

std::string seed_phrase(std::size_t most, const std::string& seeds, const std::string& band) {
  if (most <= 1) return absl::StrCat("One run per line (", seeds, ").");
  return absl::StrCat("Lines: mean over the runs (", seeds, "); ", band,
                      ": min–max over the seeds.");
}

std::string notes(int nonfinite, int nonpositive, int clipped) {
  std::string out;
  if (nonfinite > 0)
    absl::StrAppend(&out, " ", nonfinite, " non-finite values (diverged runs) are left out.");
  if (nonpositive > 0)
    absl::StrAppend(&out, " ", nonpositive, " non-positive points are not drawn on the log axis.");
  if (clipped > 0) {
    absl::StrAppend(&out, " ", clipped,
                    " points whose bar reaches zero or below are drawn without the lower half.");
  }
  return out;
}

void add_runs(Plot& p, const std::vector<const Run*>& runs) {
  p.runs.insert(p.runs.end(), runs.begin(), runs.end());
}

// Mean line with a min-max band.
void band_curve(std::vector<std::string>& curves, int block, const std::string& c,
                const std::string& title, bool dashed = false) {
  curves.push_back(
      absl::StrFormat("dat index %d using 1:3:4 with filledcurves fs transparent solid 0.18 "
                      "noborder lc rgb '%s' notitle",
                      block, c));
  curves.push_back(
      absl::StrFormat("dat index %d using 1:2 with lines lw 2 %s lc rgb '%s' title '%s'", block,
                      dashed ? "dt 2" : "", c, title));
}

// Points joined by lines, with bars from column 3 to column 4.
void bar_curve(std::vector<std::string>& curves, int block, const std::string& c,
               const std::string& title, bool dashed = false) {
  curves.push_back(absl::StrFormat(
      "dat index %d using 1:2:3:4 with yerrorbars pt 7 ps 0.6 lc rgb '%s' notitle", block, c));
  curves.push_back(
      absl::StrFormat("dat index %d using 1:2 with lines lw 2 %s lc rgb '%s' title '%s'", block,
                      dashed ? "dt 2" : "", c, title));
}

const char kChance[] = "0.5 with lines dt 2 lw 1.5 lc rgb '#666666' title 'chance (0.5)'";

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
              k == 2);
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

// ---------------------------------------------------------------- Section 3

constexpr char kTuplesBinary[] = "//experiments/sec3_decomposition:e3_1_tuples";
constexpr char kSnrBinary[] = "//experiments/sec3_decomposition:e3_1_snr";
constexpr char kStocksBinary[] = "//experiments/sec3_decomposition:e3_2_stocks";

// The two ways of training in Section 3, in drawing order.
struct Approach {
  const char* name;   // config suffix: k<K>_<name>
  const char* title;  // key entry
  int color;
};
constexpr Approach kApproaches[] = {{"e2e", "end-to-end", 0}, {"dec", "decomposition", 1}};

// Runs of `claim` by k and approach, from configs named k<K>_e2e / k<K>_dec;
// any other config name is refused.
using ByK = std::map<int, std::map<std::string, std::vector<const Run*>>>;
ByK runs_by_k(const std::vector<Run>& all, const std::string& claim) {
  ByK out;
  for (const auto& [config, runs] : configs_of(all, claim)) {
    const std::size_t us = config.find('_');
    int k = -1;
    const bool ok = us != std::string::npos && us > 1 && config[0] == 'k' &&
                    absl::SimpleAtoi(config.substr(1, us - 1), &k) && k >= 1 &&
                    (config.substr(us + 1) == "e2e" || config.substr(us + 1) == "dec");
    if (!ok)
      refuse(runs.front()->dir, "the config name is not k<K>_e2e or k<K>_dec",
             runs.front()->target);
    out[k][config.substr(us + 1)] = runs;
  }
  return out;
}

std::string ks_of(const ByK& by_k) {
  std::vector<int> ks;
  for (const auto& [k, approaches] : by_k) ks.push_back(k);
  return absl::StrCat("$k \\in \\{", absl::StrJoin(ks, ", "), "\\}$");
}

// Panels side by side up to three, else two columns; at most 900 px wide.
// Margins in pixels leave room for the legend row on top, the tic labels
// and axis labels of every panel and the titles of the lower row.
void layout_panels(Plot& p) {
  const int n = static_cast<int>(p.panels.size());
  p.cols = n <= 3 ? n : 2;
  p.rows = (n + p.cols - 1) / p.cols;
  p.width = p.cols == 1 ? 760 : 900;
  p.height = 80 + 290 * p.rows;
  const double w = p.width, h = p.height;
  p.layout = absl::StrFormat("margins %.3f,%.3f,%.3f,%.3f spacing %.3f,%.3f", 72 / w, 1 - 16 / w,
                             56 / h, 1 - 72 / h, 84 / w, 100 / h);
}

// One entry of a legend drawn by hand.
struct LegendEntry {
  std::string title, color;
  bool dashed = false;
};

// gnuplot commands drawing `entries` in one centred row at the top of a
// `width`-pixel canvas (a multiplot's key can only be as wide as a panel).
// Widths are estimated for the 13 pt font of Plot::script.
std::string legend_row(const std::vector<LegendEntry>& entries, int width) {
  constexpr double kSample = 32, kGap = 6, kChar = 7.4, kSpace = 28;
  double total = 0;
  for (const LegendEntry& e : entries) total += kSample + kGap + kChar * e.title.size() + kSpace;
  total -= kSpace;
  double x = (width - total) / 2;
  std::string out;
  int tag = 1;
  for (const LegendEntry& e : entries) {
    absl::StrAppendFormat(&out,
                          "set arrow %d from screen %.4f, screen 0.985 to screen %.4f, screen "
                          "0.985 nohead lw 2 %s lc rgb '%s' front\n",
                          tag, x / width, (x + kSample) / width, e.dashed ? "dt 2" : "", e.color);
    absl::StrAppendFormat(&out, "set label %d '%s' at screen %.4f, screen 0.985 left front\n", tag,
                          e.title, (x + kSample + kGap) / width);
    x += kSample + kGap + kChar * e.title.size() + kSpace;
    ++tag;
  }
  return out;
}

// One panel per k with a band curve per approach of column `y` against
// `step`, and the reference line `extra` (a constant, dashed grey, named in
// the legend as `extra_title`); returns the largest number of seeds behind
// one curve. `last` collects each approach's last steps.
std::size_t approach_panels(Plot& p, const ByK& by_k, const std::string& y, double extra,
                            const std::string& extra_title, int* nonfinite,
                            std::map<std::string, std::set<double>>* last) {
  std::size_t most = 0;
  std::set<std::string> drawn;
  for (const auto& [k, approaches] : by_k) {
    Panel panel;
    panel.settings = absl::StrFormat("set title 'k = %d'\n", k);
    for (const Approach& a : kApproaches) {
      const auto it = approaches.find(a.name);
      if (it == approaches.end()) continue;
      const std::vector<const Run*>& runs = it->second;
      band_curve(panel.curves,
                 p.add_block(block_of(nonempty(aggregate(runs, "step", y, nonfinite), runs, y))),
                 color(a.color), a.title);
      for (const Run* r : runs) (*last)[a.name].insert(r->column("step").back());
      most = std::max(most, runs.size());
      drawn.insert(a.name);
      add_runs(p, runs);
    }
    panel.curves.push_back(
        absl::StrFormat("%g with lines dt 2 lw 1.5 lc rgb '#666666' notitle", extra));
    p.panels.push_back(panel);
  }
  layout_panels(p);
  std::vector<LegendEntry> legend;
  for (const Approach& a : kApproaches) {
    if (drawn.count(a.name)) legend.push_back({a.title, color(a.color), false});
  }
  legend.push_back({extra_title, "#666666", true});
  // The legend once, above the first panel; later panels draw no labels.
  p.panels.front().settings += legend_row(legend, p.width);
  if (p.panels.size() > 1)
    p.panels[1].settings = "unset arrow\nunset label\n" + p.panels[1].settings;
  return most;
}

std::string last_steps(const std::map<std::string, std::set<double>>& last) {
  std::set<double> all;
  for (const auto& [name, steps] : last) all.insert(steps.begin(), steps.end());
  if (all.size() == 1) return absl::StrCat("The runs end at step ", num(*all.begin()), ".");
  std::vector<std::string> parts;
  for (const Approach& a : kApproaches) {
    const auto it = last.find(a.name);
    if (it == last.end()) continue;
    std::vector<std::string> steps;
    for (double s : it->second) steps.push_back(num(s));
    parts.push_back(absl::StrCat(a.title, " at step ", absl::StrJoin(steps, ", ")));
  }
  return absl::StrCat("The runs end (", absl::StrJoin(parts, "; "), ").");
}

// Paper Figure 2: the example images, one row per label.
Plot e3_1_examples(const std::vector<Run>& all) {
  constexpr int kSide = 28, kPitch = 32;  // image side; side plus the gap between images
  Plot p;
  p.name = "e3_1_examples";
  p.title = "Tuples of line images: example images of both labels (paper Figure 2)";
  const Groups groups = configs_of(all, "e3_1_examples");
  const auto it = groups.find("grid");
  if (it == groups.end()) missing("claim e3_1_examples with config grid", kTuplesBinary);
  const Run& run = *it->second.front();  // the lowest seed
  const std::vector<double> image = run.column("image"), label = run.column("label"),
                            row = run.column("row"), col = run.column("col");
  std::map<int, int> label_of;                             // image -> label
  std::map<int, std::vector<std::pair<int, int>>> pixels;  // image -> (row, col)
  auto integer = [](double v, double lo, double hi) {
    return std::isfinite(v) && v == std::floor(v) && v >= lo && v < hi;
  };
  for (std::size_t i = 0; i < image.size(); ++i) {
    const std::string line = absl::StrCat("line ", i + 2, ": ");
    if (!integer(image[i], 0, 1e6))
      refuse(run.metrics_path(), line + "image is not an index 0, 1, ...", run.target);
    if (label[i] != 1 && label[i] != -1)
      refuse(run.metrics_path(), line + "label is not +1 or -1", run.target);
    if (!integer(row[i], 0, kSide) || !integer(col[i], 0, kSide))
      refuse(run.metrics_path(), line + "row and col must be pixel indices 0..27", run.target);
    const int n = static_cast<int>(image[i]);
    if (!label_of.emplace(n, static_cast<int>(label[i])).second && label_of[n] != label[i]) {
      refuse(run.metrics_path(), absl::StrCat(line, "image ", n, " has both labels"), run.target);
    }
    pixels[n].push_back({static_cast<int>(row[i]), static_cast<int>(col[i])});
  }
  std::string frames, lit;
  std::size_t slots = 0;
  std::map<int, int> count;
  for (const int y : {1, -1}) {
    const int band = y == 1 ? 0 : 1;
    int slot = 0;
    for (const auto& [n, l] : label_of) {
      if (l != y) continue;
      absl::StrAppend(&frames, slot * kPitch + kSide / 2, " ", -(band * kPitch + kSide / 2), " ",
                      kSide / 2, " ", kSide / 2, "\n");
      for (const auto& [r, c] : pixels[n]) {
        absl::StrAppend(&lit, slot * kPitch + c + 0.5, " ", -(band * kPitch + r + 0.5),
                        " 0.5 0.5\n");
      }
      ++slot;
    }
    if (slot == 0) {
      refuse(run.metrics_path(), absl::StrCat("no image with label ", y > 0 ? "+1" : "-1"),
             run.target);
    }
    count[y] = slot;
    slots = std::max<std::size_t>(slots, slot);
  }
  const int frames_block =
      p.add_block("# x y half-width half-height: one black square per image\n" + frames);
  const int lit_block = p.add_block("# x y 0.5 0.5: one white square per lit pixel\n" + lit);
  p.curves = {absl::StrFormat("dat index %d using 1:2:3:4 with boxxyerror fs solid 1.0 noborder "
                              "lc rgb 'black' notitle",
                              frames_block),
              absl::StrFormat("dat index %d using 1:2:3:4 with boxxyerror fs solid 1.0 noborder "
                              "lc rgb 'white' notitle",
                              lit_block)};
  p.runs.push_back(&run);
  p.width = 900;
  p.height = 240;
  p.settings = absl::StrFormat(
      "unset border\nunset tics\nunset grid\nunset key\nunset mxtics\nset size ratio -1\n"
      "set lmargin 20\nset xrange [-1:%d]\nset yrange [%d:1]\n"
      "set label 1 'label +1  (θ < π/2)' at graph 0, first %d right offset -1,0\n"
      "set label 2 'label −1  (θ ≥ π/2)' at graph 0, first %d right offset -1,0\n",
      static_cast<int>(slots) * kPitch - (kPitch - kSide) + 1, -(2 * kPitch - (kPitch - kSide)) - 1,
      -kSide / 2, -(kPitch + kSide / 2));
  p.caption = absl::StrCat(
      "Example inputs of E3.1: $28 \\times 28$ images, 0 (black) everywhere except the pixels of "
      "one rasterized straight segment (white) of random angle $\\theta \\in [0, \\pi)$, length "
      "and centre. An image's label is $+1$ if $\\theta < \\pi/2$ and $-1$ otherwise; top row: ",
      count[1], " images of label $+1$, bottom row: ", count[-1],
      " of label $-1$, as the data generator draws them (", seeds_of(p.runs),
      "), row index downwards and column index to the right. A sample of E3.1 is a tuple of $k$ "
      "such images labelled by the parity of their labels.");
  return p;
}

// Paper Figure 3: tuple accuracy vs step, one panel per k.
Plot e3_1_tuples(const std::vector<Run>& all) {
  Plot p;
  p.name = "e3_1_tuples";
  p.title = "Tuples of line images: test accuracy, end-to-end vs decomposition (paper Figure 3)";
  const ByK by_k = runs_by_k(all, "e3_1_tuples");
  if (by_k.empty()) missing("claim e3_1_tuples (configs k<K>_e2e, k<K>_dec)", kTuplesBinary);
  int nonfinite = 0;
  std::map<std::string, std::set<double>> last;
  const std::size_t most =
      approach_panels(p, by_k, "accuracy", 0.5, "chance (0.5)", &nonfinite, &last);
  p.settings =
      "set xlabel 'Adam step'\nset ylabel 'tuple accuracy (held out)'\nset yrange [0.3:1.02]\n"
      "unset key\n";
  p.caption = absl::StrCat(
      "Accuracy on held-out tuples of $k$ line images, labelled by the parity of the image "
      "labels, for ",
      ks_of(by_k),
      ", one panel per $k$. Blue: end-to-end training (the hinge loss of the tuple label only); "
      "red: decomposition (also the hinge loss of each image score against its own label, "
      "averaged over the images). ",
      seed_phrase(most, seeds_of(p.runs), "shaded bands"), " Dashed: chance level 0.5. ",
      last_steps(last), notes(nonfinite, 0, 0));
  return p;
}

// Paper Figure 5: SNR of the gradient at initialization vs k, log scale.
Plot e3_1_snr(const std::vector<Run>& all) {
  Plot p;
  p.name = "e3_1_snr";
  p.title = "Signal-to-noise ratio of the gradient at initialization against k (paper Figure 5)";
  const Groups groups = configs_of(all, "e3_1_snr");
  const auto it = groups.find("init");
  if (it == groups.end()) missing("claim e3_1_snr with config init", kSnrBinary);
  const std::vector<const Run*>& runs = it->second;
  struct Series {
    const char* column;
    const char* title;
    int color;
    bool script;
  };
  const Series series[] = {{"snr_e2e", "end-to-end", 0, false},
                           {"snr_dec", "decomposition", 1, false},
                           {"snr_e2e_script", "end-to-end, as the script", 0, true},
                           {"snr_dec_script", "decomposition, as the script", 1, true}};
  int nonfinite = 0, nonpositive = 0, clipped = 0;
  double kmin = 1e300, kmax = -1e300;
  std::vector<std::string> undrawn;
  for (const Series& s : series) {
    const auto stats =
        for_log_axis(nonempty(aggregate(runs, "k", s.column, &nonfinite), runs, s.column),
                     &nonpositive, &clipped);
    if (stats.empty()) {
      if (!s.script)
        refuse(runs.front()->metrics_path(),
               absl::StrCat("no positive values in column '", s.column, "'"), runs.front()->target);
      undrawn.push_back(absl::StrCat("`", s.column, "`"));
      continue;
    }
    kmin = std::min(kmin, stats.front().x);
    kmax = std::max(kmax, stats.back().x);
    bar_curve(p.curves, p.add_block(block_of(stats)), color(s.color), s.title, s.script);
  }
  p.curves.push_back(
      "2**-23 with lines dt 3 lw 2 lc rgb '#444444' title 'float32 machine epsilon 2^{-23}'");
  add_runs(p, runs);
  p.height = 480;
  p.settings = absl::StrFormat(
      "set xlabel 'k (images per tuple)'\nset ylabel 'SNR = signal / noise'\nset logscale y\n"
      "set format y '10^{%%L}'\nset xtics 1\nunset mxtics\nset xrange [%g:%g]\n"
      "set key left bottom samplen 3\n"
      "set label 1 'float32 ε' at graph 0.99, first 2**-23 right offset 0,0.6 tc rgb '#444444' "
      "front\n",
      kmin - 0.3, kmax + 0.3);
  p.caption = absl::StrCat(
      "Signal-to-noise ratio of the gradient with respect to the weights of the last layer of "
      "the image network $N_1$, at random initialization, against the number $k$ of images per "
      "tuple, for the end-to-end loss (blue) and the decomposition loss (red), computed in "
      "float64. Solid: the paper's definition, "
      "$\\|\\mathbb E g\\|^2 / \\mathbb E \\|g - \\mathbb E g\\|^2$ with single-sample gradients "
      "$g$; dashed: as the authors' script computes it (its noise formula from batch "
      "gradients, and for decomposition the loss of the first image only; see the "
      "discrepancies table). Dotted: float32 machine epsilon "
      "$2^{-23} \\approx 1.19 \\times 10^{-7}$. Each value is a mean over the run's random "
      "initializations. Log scale. ",
      runs.size() > 1 ? absl::StrCat("Points: mean over the runs (", seeds_of(runs),
                                     "); bars: min–max over the seeds.")
                      : absl::StrCat("One run (", seeds_of(runs), ")."),
      undrawn.empty()
          ? ""
          : absl::StrCat(" No positive value in ", absl::StrJoin(undrawn, ", "), ": not drawn."),
      notes(nonfinite, nonpositive, clipped));
  return p;
}

// Paper Figure 4: the objective L vs step, one panel per k.
Plot e3_2_stocks(const std::vector<Run>& all) {
  Plot p;
  p.name = "e3_2_stocks";
  p.title =
      "\"Stocks\": the objective during training, end-to-end vs decomposition estimator "
      "(paper Figure 4)";
  const ByK by_k = runs_by_k(all, "e3_2_stocks");
  if (by_k.empty()) missing("claim e3_2_stocks (configs k<K>_e2e, k<K>_dec)", kStocksBinary);
  int nonfinite = 0;
  std::map<std::string, std::set<double>> last;
  const std::size_t most = approach_panels(p, by_k, "loss", -1, "optimum −1", &nonfinite, &last);
  p.settings =
      "set xlabel 'Adam step'\nset ylabel 'objective L(w)'\nset yrange [-1.05:0.05]\nunset key\n";
  p.caption = absl::StrCat(
      "The objective $L(w) = \\mathbb E[-z^\\top N_w(x)]$ of the softmax model "
      "$N_w(x) = \\mathrm{softmax}(Ax + b)$ during training with Adam, for ",
      ks_of(by_k),
      " outputs, one panel per $k$. Blue: steps along the end-to-end estimator, the gradient of "
      "$-z^\\top N_w(x)$; red: along the decomposition estimator, the gradient of "
      "$-e_{y(x)}^\\top N_w(x)$. ",
      seed_phrase(most, seeds_of(p.runs), "shaded bands"),
      " Dashed: the optimum $-1$, reached when all the mass is on $y(x)$. ", last_steps(last),
      notes(nonfinite, 0, 0));
  return p;
}

using Planner = std::function<Plot(const std::vector<Run>&)>;
const std::vector<std::pair<std::string, Planner>>& planners() {
  static const auto* list = new std::vector<std::pair<std::string, Planner>>{
      {"e2_1_parity", e2_1_parity}, {"e2_1_parity_sweep", e2_1_parity_sweep},
      {"t1_variance", t1_variance}, {"t2_linear_periodic", t2_linear_periodic},
      {"t2_training", t2_training}, {"e3_1_examples", e3_1_examples},
      {"e3_1_tuples", e3_1_tuples}, {"e3_1_snr", e3_1_snr},
      {"e3_2_stocks", e3_2_stocks},
  };
  return *list;
}

}  // namespace

int Plot::add_block(const std::string& block) {
  if (blocks > 0) data += "\n\n";
  data += block;
  return blocks++;
}

std::string Plot::script() const {
  std::string out = absl::StrCat(
      "# Draws ", name, ".svg from data/", name, ".dat (written by //reports:report).\n",
      "set terminal svg size ", width, ",", height,
      " dynamic enhanced font 'Helvetica,13' background rgb 'white'\n", "set output '", name,
      ".svg'\n", "dat = 'data/", name, ".dat'\n",
      "set grid lc rgb '#e0e0e0'\nset key opaque box lc rgb '#bbbbbb'\nset mxtics\n", settings);
  if (panels.empty()) {
    absl::StrAppend(&out, "plot ", absl::StrJoin(curves, ", \\\n     "), "\n");
    return out;
  }
  absl::StrAppend(&out, "set multiplot layout ", rows, ",", cols, " ", layout, "\n");
  for (const Panel& panel : panels) {
    absl::StrAppend(&out, panel.settings, "plot ", absl::StrJoin(panel.curves, ", \\\n     "),
                    "\n");
  }
  return out + "unset multiplot\n";
}

const std::vector<std::string>& figure_names() {
  static const auto* names = [] {
    auto* v = new std::vector<std::string>;
    for (const auto& [name, planner] : planners()) v->push_back(name);
    return v;
  }();
  return *names;
}

std::vector<Plot> plan_figures(const std::vector<Run>& runs) {
  std::vector<Plot> plots;
  for (const auto& [name, planner] : planners()) plots.push_back(planner(runs));
  return plots;
}

std::vector<Stat> aggregate(const std::vector<const Run*>& runs, const std::string& x,
                            const std::string& y, int* dropped) {
  std::map<double, std::vector<double>> at;
  for (const Run* r : runs) {
    const std::vector<double> xs = r->column(x), ys = r->column(y);
    for (std::size_t i = 0; i < xs.size(); ++i) {
      if (std::isfinite(xs[i]) && std::isfinite(ys[i]))
        at[xs[i]].push_back(ys[i]);
      else
        ++*dropped;
    }
  }
  std::vector<Stat> out;
  for (const auto& [xv, ys] : at) {
    Stat s;
    s.x = xv;
    s.n = static_cast<int>(ys.size());
    s.lo = *std::min_element(ys.begin(), ys.end());
    s.hi = *std::max_element(ys.begin(), ys.end());
    for (double v : ys) s.mean += v / s.n;
    out.push_back(s);
  }
  return out;
}

void draw(const Plot& plot, const std::string& dir, const std::string& gnuplot) {
  const std::string gp = absl::StrCat("data/", plot.name, ".gp");
  write_file_atomically(absl::StrCat(dir, "/data/", plot.name, ".dat"), plot.data);
  write_file_atomically(absl::StrCat(dir, "/", gp), plot.script());
  const ProcessResult r = run_process({gnuplot, gp}, dir, /*with_stderr=*/true);
  if (r.exit_code == 127) {
    throw std::runtime_error(absl::StrCat("cannot run gnuplot (--gnuplot=", gnuplot,
                                          "): install the Debian package gnuplot-nox; ", r.output));
  }
  if (r.exit_code != 0 || !r.output.empty()) {
    throw std::runtime_error(absl::StrCat("gnuplot ", r.exit_code == 0 ? "warned" : "failed",
                                          " on ", dir, "/", gp, " (exit ", r.exit_code,
                                          "): ", r.output));
  }
  const std::string svg = absl::StrCat(dir, "/", plot.name, ".svg");
  std::error_code ec;
  if (!std::filesystem::exists(svg, ec) || std::filesystem::file_size(svg, ec) == 0) {
    throw std::runtime_error(absl::StrCat("gnuplot made no ", svg));
  }
}

}  // namespace fgbdl::report
