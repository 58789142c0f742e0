// The figures of "Where the failures of Sections 4 and 5 begin"
// (paper/boundaries_sec45.md, claims B4.1 and B5):
//   b4_1_steps       B4.1's panel (b4_1_panel): SGD steps to the relative
//                    error 10^-2 against n, the fitted exponent per encoder
//   b4_1_error       the relative held-out error e(t)/e(0) against the SGD
//                    step, one panel per encoder, one curve per n (mean and
//                    min-max band over the seeds), the level and the cap
//   b5_sharpness     B5's panel (b5_panel): the approximation's fraction of
//                    unexplained variance against the sharpness c, the
//                    boundary c* with its interval
//   b5_thresholds    each learner's fraction of unexplained variance against
//                    the number K of even thresholds (mean and 95% t
//                    interval over the seeds), with the fitted slope of
//                    log2 FVU against log2 K and its 95% interval
#include "reports/figures_boundaries_sec45.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <stdexcept>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/numbers.h"
#include "experiments/boundaries_sec45/boundaries.h"
#include "experiments/ext_sparse_parity/steps_fit.h"
#include "lib/analysis/fit.h"
#include "reports/figure_kit.h"

namespace fgbdl::report {
namespace {

constexpr char kStepsBinary[] = "//experiments/boundaries_sec45:b4_1_steps";
constexpr char kSweepBinary[] = "//experiments/boundaries_sec45:b5_sweep";

// The level of B4.1 and of B5's sharpness (paper/boundaries_sec45.md).
constexpr double kStepsLevel = 1e-2;
constexpr double kFvuLevel = 0.1;

// Every panel starts from the same axes: settings persist across the panels
// of a multiplot.
constexpr char kPanelReset[] =
    "unset logscale\nunset arrow\nunset label\nunset object\nunset title\nset autoscale\n"
    "set format x '%g'\nset format y '%g'\n";

struct Encoder {
  const char* name;
  const char* title;
  int color;
};
constexpr Encoder kEncoders[] = {{"fc", "fully connected", 0},
                                 {"conv", "convolution", 1},
                                 {"conv_whitened", "whitened convolution", 2}};

struct Learner {
  const char* name;
  const char* title;
  int color;
};
constexpr Learner kLearners[] = {{"approx", "approximation (c = 5)", 0},
                                 {"e2e", "end-to-end network", 1},
                                 {"multiclass", "multi-class network", 2},
                                 {"forward_only", "forward-only update", 3}};

// The last value of `column` of a run (its constants, or its final value).
double last_of(const Run& r, const std::string& column) {
  const std::vector<double> v = r.column(column);
  if (v.empty()) refuse(r.metrics_path(), "no rows", r.target);
  return v.back();
}

// <prefix>_<letter><number>: the prefix and the number, or refuse.
std::pair<std::string, double> split_config(const std::vector<const Run*>& runs,
                                            const std::string& config, char letter) {
  const std::size_t at = config.rfind(std::string("_") + letter);
  double value = 0;
  if (at == std::string::npos || at == 0 ||
      !absl::SimpleAtod(config.substr(at + 2), &value) || !(value > 0) || !std::isfinite(value))
    refuse(runs.front()->dir,
           absl::StrCat("the config name is not <name>_", std::string(1, letter), "<positive number>"),
           runs.front()->target);
  return {config.substr(0, at), value};
}

// A finite positive number, or refuse naming the run's metrics.
double positive(const Run& r, const std::string& column) {
  const double v = last_of(r, column);
  if (!std::isfinite(v) || !(v > 0))
    refuse(r.metrics_path(), absl::StrCat("the last '", column, "' is not a positive number"),
           r.target);
  return v;
}

// "%.3g", or the side of the grid a crossing lies beyond.
std::string crossing_text(double c, double lo_grid, double hi_grid) {
  if (c == -INFINITY) return absl::StrFormat("< %g", lo_grid);
  if (c == INFINITY) return absl::StrFormat("> %g", hi_grid);
  return absl::StrFormat("%.3g", c);
}

}  // namespace

Panel b4_1_panel(Plot& p, const std::vector<Run>& all) {
  const Groups groups = configs_of(all, "b4_1_steps");
  if (groups.empty()) missing("claim b4_1_steps", kStepsBinary);
  std::map<std::string, std::vector<StepsPoint>> by_encoder;
  std::map<std::string, std::vector<const Run*>> runs_of;
  double cap = 0;
  for (const auto& [config, runs] : groups) {
    const auto [encoder, n] = split_config(runs, config, 'n');
    for (const Run* r : runs) {
      const double steps = positive(*r, "steps_to_level"), reached = last_of(*r, "reached");
      if (reached != 0 && reached != 1)
        refuse(r->metrics_path(), "reached must be 0 or 1", r->target);
      by_encoder[encoder].push_back({n, steps, reached == 1});
      runs_of[encoder].push_back(r);
      cap = std::max(cap, last_of(*r, "step"));
    }
  }
  Panel panel;
  panel.settings = absl::StrCat(
      kPanelReset,
      "set logscale xy\nset format y '10^{%L}'\nset xlabel 'n (samples per curve)'\n"
      "set ylabel 'SGD steps to e(t)/e(0) ≤ 10^{-2}'\n"
      "set key at graph 0.98, graph 0.72 right top font ',9'\n"
      "set title 'B4.1: steps to the level against n'\nset xrange [18:560]\n"
      "set arrow from 100, graph 0 to 100, graph 1 nohead dt 3 lc rgb '#444444'\n"
      "set label 'paper: n = 100' at 100, graph 0.04 offset 0.5,0 font ',9'\n");
  absl::StrAppendFormat(&panel.settings, "set yrange [0.5:%g]\n", cap * 4);
  for (const Encoder& e : kEncoders) {
    const auto it = by_encoder.find(e.name);
    if (it == by_encoder.end()) continue;
    const std::vector<StepsPoint>& points = it->second;
    const std::string c = color(e.color);
    std::string reached = "# n steps\n", censored = "# n cap\n";
    int n_censored = 0;
    for (const StepsPoint& s : points) {
      absl::StrAppend(s.solved ? &reached : &censored, num(s.n), " ", num(s.steps), "\n");
      n_censored += s.solved ? 0 : 1;
    }
    std::string title = absl::StrCat(e.title, ": no n without censored runs, no fit");
    try {
      const StepsFit f = fit_steps_exponent(points);
      double mx = 0, my = 0, lo = INFINITY, hi = 0;
      for (const StepsPoint& s : points) {
        if (std::find(f.left_out.begin(), f.left_out.end(), s.n) != f.left_out.end()) continue;
        mx += std::log2(s.n) / double(f.runs);
        my += std::log2(s.steps) / double(f.runs);
        lo = std::min(lo, s.n);
        hi = std::max(hi, s.n);
      }
      std::string line = "# n fit band_lo band_hi\n";
      for (int i = 0; i <= 20; ++i) {
        const double x = std::log2(lo) + (std::log2(hi) - std::log2(lo)) * i / 20;
        const double a = my + f.fit.ci_low * (x - mx), b = my + f.fit.ci_high * (x - mx);
        absl::StrAppend(&line, num(std::exp2(x)), " ", num(std::exp2(my + f.fit.rate * (x - mx))),
                        " ", num(std::exp2(std::min(a, b))), " ", num(std::exp2(std::max(a, b))),
                        "\n");
      }
      const int block = p.add_block(line);
      panel.curves.push_back(absl::StrFormat(
          "dat index %d using 1:3:4 with filledcurves fs transparent solid 0.18 noborder lc rgb "
          "'%s' notitle",
          block, c));
      title = absl::StrFormat("%s: n^{%.2f}, 95%% [%.2f, %.2f]", e.title, f.fit.rate,
                              f.fit.ci_low, f.fit.ci_high);
      panel.curves.push_back(absl::StrFormat(
          "dat index %d using 1:2 with lines lw 2 lc rgb '%s' title '%s'", block, c, title));
      title.clear();
    } catch (const std::invalid_argument&) {
    }
    if (n_censored < static_cast<int>(points.size()))
      panel.curves.push_back(absl::StrFormat(
          "dat index %d using 1:2 with points pt 7 ps 0.6 lc rgb '%s' %s", p.add_block(reached), c,
          title.empty() ? "notitle" : absl::StrCat("title '", title, "'")));
    else
      panel.curves.push_back(absl::StrFormat("NaN with points pt 7 lc rgb '%s' title '%s'", c,
                                             title));
    if (n_censored > 0)
      panel.curves.push_back(absl::StrFormat(
          "dat index %d using 1:2 with points pt 8 ps 1.1 lc rgb '%s' title '%s: %d censored'",
          p.add_block(censored), c, e.title, n_censored));
    add_runs(p, runs_of[e.name]);
  }
  if (panel.curves.empty()) missing("claim b4_1_steps with configs fc_n<N>, conv_n<N> or conv_whitened_n<N>", kStepsBinary);
  return panel;
}

Panel b5_panel(Plot& p, const std::vector<Run>& all) {
  const Groups groups = configs_of(all, "b5_sharpness");
  std::vector<Stat> stats;
  std::vector<double> cs, means, lows, highs;
  std::vector<const Run*> shown;
  const std::vector<const Run*>* forward = nullptr;
  for (const auto& [config, runs] : groups) {
    if (config == "forward_only") {
      forward = &runs;
      continue;
    }
    const auto [name, c] = split_config(runs, config, 'c');
    if (name != "approx") refuse(runs.front()->dir, "the config is neither approx_c<c> nor forward_only", runs.front()->target);
    std::vector<double> fvu;
    for (const Run* r : runs) fvu.push_back(positive(*r, "fvu"));
    const MeanInterval m = mean_t_interval(fvu);
    stats.push_back({c, m.mean, m.low, m.high, m.m});
    shown.insert(shown.end(), runs.begin(), runs.end());
  }
  if (stats.empty()) missing("claim b5_sharpness with configs approx_c<c>", kSweepBinary);
  std::sort(stats.begin(), stats.end(), [](const Stat& a, const Stat& b) { return a.x < b.x; });
  for (const Stat& s : stats) {
    cs.push_back(s.x);
    means.push_back(s.mean);
    lows.push_back(s.lo);
    highs.push_back(s.hi);
  }
  const double c_star = up_crossing(cs, means, kFvuLevel);
  const double c_lo = up_crossing(cs, highs, kFvuLevel), c_hi = up_crossing(cs, lows, kFvuLevel);
  const double first = cs.front(), last = cs.back();
  Panel panel;
  panel.settings = absl::StrCat(
      kPanelReset,
      "set logscale xy\nset format y '10^{%L}'\nset xlabel 'sharpness c of the approximation'\n"
      "set ylabel 'fraction of unexplained variance'\n"
      "set key at graph 0.98, graph 0.78 right top font ',9'\n",
      absl::StrFormat("set title 'B5: the approximation against c; c* %s, 95%% [%s, %s]'\n",
                      std::isfinite(c_star) ? absl::StrCat("= ", crossing_text(c_star, first, last))
                                            : crossing_text(c_star, first, last),
                      crossing_text(c_lo, first, last), crossing_text(c_hi, first, last)),
      "set arrow from 5, graph 0 to 5, graph 1 nohead dt 3 lc rgb '#444444'\n"
      "set label 'paper: c = 5' at 5, graph 0.04 offset 0.5,0 font ',9'\n");
  absl::StrAppendFormat(&panel.settings, "set xrange [%g:%g]\n", first / 1.5, last * 1.5);
  // The boundary's interval, clipped to the drawn range.
  const double shade_lo = std::isfinite(c_lo) ? c_lo : c_lo < 0 ? first / 1.5 : last * 1.5;
  const double shade_hi = std::isfinite(c_hi) ? c_hi : c_hi < 0 ? first / 1.5 : last * 1.5;
  if (shade_hi > shade_lo)
    absl::StrAppendFormat(&panel.settings,
                          "set object 1 rect from %g, graph 0 to %g, graph 1 fc rgb '%s' fs "
                          "transparent solid 0.12 noborder\n",
                          shade_lo, shade_hi, color(0));
  if (c_star == -INFINITY)
    absl::StrAppendFormat(&panel.settings,
                          "set label 'c* < %g: above the level at every c' at graph 0.02, "
                          "graph 0.44 font ',9' tc rgb '%s'\n",
                          first, color(0));
  if (std::isfinite(c_star))
    absl::StrAppendFormat(&panel.settings,
                          "set arrow from %g, graph 0 to %g, graph 1 nohead lw 1.5 lc rgb '%s'\n",
                          c_star, c_star, color(0));
  int nonpositive = 0, clipped = 0;
  const std::vector<Stat> drawn = for_log_axis(stats, &nonpositive, &clipped);
  bar_curve(panel.curves, p.add_block(block_of(drawn)), color(0),
            "approximation: mean, 95% t interval");
  if (forward != nullptr) {
    std::vector<double> fvu;
    for (const Run* r : *forward) fvu.push_back(positive(*r, "fvu"));
    const MeanInterval m = mean_t_interval(fvu);
    const double lo = m.low > 0 ? m.low : m.mean;
    band_curve(panel.curves, p.add_block(absl::StrCat(
                                 "# c mean low high n\n", num(first / 1.5), " ", num(m.mean), " ",
                                 num(lo), " ", num(m.high), " ", m.m, "\n", num(last * 1.5), " ",
                                 num(m.mean), " ", num(lo), " ", num(m.high), " ", m.m, "\n")),
               color(3), "forward-only update (no c)", true);
    shown.insert(shown.end(), forward->begin(), forward->end());
  }
  panel.curves.push_back(absl::StrFormat(
      "%g with lines dt 2 lw 1.5 lc rgb '#666666' title 'level %g'", kFvuLevel, kFvuLevel));
  add_runs(p, shown);
  return panel;
}

namespace {

Plot b4_1_steps(const std::vector<Run>& all) {
  Plot p;
  p.name = "b4_1_steps";
  p.title = "Steps to a relative error of 10^-2 against the curve length n";
  p.panels.push_back(b4_1_panel(p, all));
  p.width = 760;
  p.height = 460;
  p.layout = "margins 0.11,0.97,0.11,0.92";
  std::string fits;
  int censored = 0, total = 0;
  std::vector<const Run*> shown;
  const Groups groups = configs_of(all, "b4_1_steps");
  std::map<std::string, std::vector<StepsPoint>> by_encoder;
  for (const auto& [config, runs] : groups) {
    const auto [encoder, n] = split_config(runs, config, 'n');
    for (const Run* r : runs) {
      const bool reached = last_of(*r, "reached") == 1;
      by_encoder[encoder].push_back({n, last_of(*r, "steps_to_level"), reached});
      censored += reached ? 0 : 1;
      ++total;
      shown.push_back(r);
    }
  }
  for (const Encoder& e : kEncoders) {
    const auto it = by_encoder.find(e.name);
    if (it == by_encoder.end()) continue;
    try {
      const StepsFit f = fit_steps_exponent(it->second);
      absl::StrAppendFormat(&fits, "%s%s: $\\alpha = %.3f$, 95%% interval $[%.3f, %.3f]$ (%d runs%s)",
                            fits.empty() ? "" : "; ", e.title, f.fit.rate, f.fit.ci_low,
                            f.fit.ci_high, static_cast<int>(f.runs),
                            f.left_out.empty() ? ""
                                               : absl::StrCat(", ", f.left_out.size(),
                                                              " n left out for censoring"));
    } catch (const std::invalid_argument&) {
      absl::StrAppendFormat(&fits, "%s%s: no fit (fewer than two n without a censored run)",
                            fits.empty() ? "" : "; ", e.title);
    }
  }
  p.caption = absl::StrCat(
      "Each point is one run: the SGD step at which the held-out reconstruction error "
      "$e(t)$ first falls to $10^{-2} e(0)$, interpolated between the logged steps. Open "
      "triangles: runs censored at the cap (", censored, " of ", total,
      "). Lines: the least-squares fit of $\\log_2 \\text{steps} = a + \\alpha \\log_2 n$ over "
      "the runs at the $n$ where no run is censored; bands: the lines through the fit's centre "
      "with the slopes at the ends of the 95% $t$ interval. Fits: ", fits, ". Dotted: the "
      "paper's $n = 100$. Seeds: ", seeds_of(shown), ".");
  return p;
}

Plot b4_1_error(const std::vector<Run>& all) {
  Plot p;
  p.name = "b4_1_error";
  p.title = "Relative held-out error against the SGD step, per encoder and n";
  const Groups groups = configs_of(all, "b4_1_steps");
  int nonfinite = 0, nonpositive = 0, clipped = 0;
  std::size_t most = 0;
  std::vector<const Run*> shown;
  for (const Encoder& e : kEncoders) {
    Panel panel;
    panel.settings = absl::StrFormat(
        "set title '%s'\nset logscale xy\nset format y '10^{%%L}'\nset format x '10^{%%L}'\n"
        "set yrange [1e-9:3]\nset key bottom left font ',8'\n",
        e.title);
    int colour = 0;
    for (const auto& [config, runs] : groups) {
      const auto [encoder, n] = split_config(runs, config, 'n');
      if (encoder != e.name) continue;
      std::vector<Stat> stats;
      for (const Stat& s : nonempty(aggregate(runs, "step", "relative_error", &nonfinite), runs,
                                    "relative_error"))
        if (s.x > 0) stats.push_back(s);
      stats = for_log_axis(stats, &nonpositive, &clipped);
      if (stats.empty()) continue;
      band_curve(panel.curves, p.add_block(block_of(stats)), color(colour++),
                 absl::StrFormat("n = %g", n));
      most = std::max(most, runs.size());
      shown.insert(shown.end(), runs.begin(), runs.end());
    }
    if (panel.curves.empty()) continue;
    panel.curves.push_back(absl::StrFormat(
        "%g with lines dt 2 lw 1.5 lc rgb '#666666' title 'level 10^{-2}'", kStepsLevel));
    p.panels.push_back(panel);
  }
  if (p.panels.empty()) missing("claim b4_1_steps", kStepsBinary);
  add_runs(p, shown);
  p.cols = static_cast<int>(p.panels.size());
  p.width = 380 * p.cols + 60;
  p.height = 400;
  p.layout = "margins 0.07,0.98,0.13,0.9 spacing 0.09,0.1";
  p.settings = "set xlabel 'SGD step'\nset ylabel 'e(t) / e(0)'\n";
  p.caption = absl::StrCat(
      "The held-out reconstruction error relative to the zero curve's, $e(t)/e(0)$, at the "
      "logged steps (about ten per decade) up to the cap, for each encoder and curve length "
      "$n$. ",
      seed_phrase(most, seeds_of(shown), "shaded bands"), " Dashed: the level $10^{-2}$. ",
      notes(nonfinite, nonpositive, clipped));
  return p;
}

Plot b5_sharpness(const std::vector<Run>& all) {
  Plot p;
  p.name = "b5_sharpness";
  p.title = "The sigmoid approximation against its sharpness c";
  p.panels.push_back(b5_panel(p, all));
  p.width = 760;
  p.height = 460;
  p.layout = "margins 0.11,0.97,0.11,0.92";
  std::string stalled;
  std::vector<std::pair<double, std::string>> counts;
  for (const auto& [config, runs] : configs_of(all, "b5_sharpness")) {
    if (config == "forward_only") continue;
    const double c = split_config(runs, config, 'c').second;
    int never = 0;
    for (const Run* r : runs) {
      const std::vector<double> fvu = r->column("fvu");
      never += !fvu.empty() && fvu.front() == fvu.back() ? 1 : 0;
    }
    counts.push_back({c, absl::StrFormat("%d of %d at $c = %g$", never,
                                         static_cast<int>(runs.size()), c)});
  }
  std::sort(counts.begin(), counts.end());
  for (const auto& [c, text] : counts) absl::StrAppend(&stalled, stalled.empty() ? "" : ", ", text);
  p.caption = absl::StrCat(
      "The fraction of the target's variance the approximation leaves unexplained (held-out "
      "mean squared error of its predicted value over the held-out variance of $y$) after its "
      "training, against the sharpness $c$ of $\\tilde u$: the mean over seeds with its 95% $t$ "
      "interval (a lower end at or below 0 is drawn at the mean). Dashed grey: the level 0.1. "
      "The vertical line and the shaded stretch: the boundary $c^*$, where the mean crosses "
      "the level going up in $c$, and where the ends of the interval do (the title gives them; "
      "'<' or '>' the edge of the grid when a crossing lies outside it). Dashed: the "
      "forward-only update, which has no $c$, with its interval. Dotted: the paper's $c = 5$. "
      "Runs that never moved (their final FVU equal to their initial one, the sigmoids "
      "saturated where the data lie): ", stalled, ". Seeds: ", seeds_of(p.runs), ".");
  return p;
}

Plot b5_thresholds(const std::vector<Run>& all) {
  Plot p;
  p.name = "b5_thresholds";
  p.title = "The four learners against the number of thresholds";
  const Groups groups = configs_of(all, "b5_thresholds");
  std::map<std::string, std::map<double, std::vector<const Run*>>> by_learner;
  for (const auto& [config, runs] : groups) {
    const auto [learner, k] = split_config(runs, config, 'k');
    by_learner[learner][k] = runs;
  }
  std::string fits;
  int nonpositive = 0, clipped = 0;
  std::vector<const Run*> shown;
  for (const Learner& l : kLearners) {
    const auto it = by_learner.find(l.name);
    if (it == by_learner.end()) continue;
    std::vector<Stat> stats;
    std::vector<double> x, y;
    for (const auto& [k, runs] : it->second) {
      std::vector<double> fvu;
      for (const Run* r : runs) {
        fvu.push_back(positive(*r, "fvu"));
        x.push_back(std::log2(k));
        y.push_back(fvu.back());
      }
      const MeanInterval m = mean_t_interval(fvu);
      stats.push_back({k, m.mean, m.low, m.high, m.m});
      shown.insert(shown.end(), runs.begin(), runs.end());
    }
    std::string title = l.title;
    try {
      const LineFit f = fit_log2_line(x, y);
      absl::StrAppendFormat(&title, ": K^{%.2f} [%.2f, %.2f]", f.rate, f.ci_low, f.ci_high);
      absl::StrAppendFormat(&fits, "%s%s: slope $%.2f$, 95%% interval $[%.2f, %.2f]$",
                            fits.empty() ? "" : "; ", l.title, f.rate, f.ci_low, f.ci_high);
    } catch (const std::invalid_argument&) {
      absl::StrAppendFormat(&fits, "%s%s: too few runs to fit", fits.empty() ? "" : "; ",
                            l.title);
    }
    bar_curve(p.curves, p.add_block(block_of(for_log_axis(stats, &nonpositive, &clipped))),
              color(l.color), title);
  }
  if (p.curves.empty()) missing("claim b5_thresholds", kSweepBinary);
  add_runs(p, shown);
  p.settings =
      "set logscale xy\nset format y '10^{%L}'\nset xlabel 'K (thresholds evenly spaced over "
      "b* + [-0.5, 0.5])'\nset ylabel 'fraction of unexplained variance'\n"
      "set key outside right top vertical font ',9'\nset xrange [5:160]\n"
      "set arrow from 55, graph 0 to 55, graph 1 nohead dt 3 lc rgb '#444444'\n"
      "set label 'paper: 55 thresholds' at 55, graph 0.04 offset 0.5,0 font ',9'\n";
  p.width = 1000;
  p.height = 480;
  p.caption = absl::StrCat(
      "The fraction of the target's variance each learner leaves unexplained after its Adam "
      "steps, against the number $K$ of thresholds (the package's even family; the paper's "
      "target has 55 thresholds, six of them within the data's reach): the mean over seeds "
      "with its 95% $t$ interval (a lower end at or below 0 is drawn at the mean). Fitted "
      "slopes of $\\log_2$ FVU against $\\log_2 K$ over all runs: ", fits,
      ". Dotted: the paper's 55. Seeds: ", seeds_of(shown), ".", notes(0, nonpositive, clipped));
  return p;
}

}  // namespace

FigureList boundaries_sec45_figures() {
  return {{"b4_1_steps", b4_1_steps},
          {"b4_1_error", b4_1_error},
          {"b5_sharpness", b5_sharpness},
          {"b5_thresholds", b5_thresholds}};
}

[[maybe_unused]] const bool kRegistered = register_figures(13, boundaries_sec45_figures);

}  // namespace fgbdl::report
