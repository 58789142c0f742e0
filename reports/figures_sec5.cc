// The figures of Section 5 (paper/sec5_flat.md):
//   e5_fit         learned output against r = v*^T x + b*, one panel per
//                  approach, the multi-class and forward-only ones also
//                  zoomed at b*                         (paper Figure 7)
//   e5_error       held-out squared error vs step, one line per approach
//   e5_bias_sweep  final error of the sigmoid approximation vs its initial
//                  bias
#include <algorithm>
#include <cmath>
#include <map>
#include <set>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "reports/figure_kit.h"

namespace fgbdl::report {
namespace {

constexpr char kFlatBinary[] = "//experiments/sec5_flat:e5_flat";

struct Approach {
  const char* name;
  const char* title;
  int color;
};
constexpr Approach kFlatApproaches[] = {
    {"approx", "sigmoid approximation (E5.2)", 3},
    {"e2e", "end-to-end network (E5.3)", 1},
    {"multiclass", "multi-class (E5.4)", 4},
    {"forward_only", "forward-only (E5.5)", 2},
};

// The config of `approach` in `groups`: the script's thresholds, or the
// paper's (suffix _paper) when only those ran.
const std::vector<const Run*>* find_config(const Groups& groups, const std::string& config) {
  for (const std::string& c : {config, config + "_paper"}) {
    const auto it = groups.find(c);
    if (it != groups.end()) return &it->second;
  }
  return nullptr;
}

Plot e5_fit(const std::vector<Run>& all) {
  Plot p;
  p.name = "e5_fit";
  p.title = "Learned output against r = v*ᵀx + b* (paper Figure 7)";
  const Groups groups = configs_of(all, "e5_fit");
  if (groups.empty()) missing("claim e5_fit", kFlatBinary);
  struct Shown {
    const char* config;
    const char* title;
    int color;
  };
  const Shown shown[] = {
      {"approx", "(a) sigmoid approximation", 3},
      {"e2e", "(b) end-to-end network", 1},
      {"multiclass", "(c) multi-class", 4},
      {"multiclass_zoom", "(d) multi-class, zoom at b*", 4},
      {"forward_only", "(e) forward-only", 2},
      {"forward_only_zoom", "(f) forward-only, zoom at b*", 2},
  };
  for (const Shown& s : shown) {
    const std::vector<const Run*>* runs = find_config(groups, s.config);
    if (runs == nullptr) continue;
    const Run* run = runs->front();  // the first seed
    add_runs(p, {run});
    const std::vector<double> r = run->column("r"), y = run->column("y"),
                              pred = run->column("prediction");
    std::string target, predicted, tilde;
    const bool has_tilde = std::find(run->metrics.columns.begin(), run->metrics.columns.end(),
                                     "u_tilde") != run->metrics.columns.end();
    const std::vector<double> ut = has_tilde ? run->column("u_tilde") : std::vector<double>();
    for (std::size_t i = 0; i < r.size(); ++i) {
      absl::StrAppend(&target, num(r[i]), " ", num(y[i]), "\n");
      absl::StrAppend(&predicted, num(r[i]), " ", num(pred[i]), "\n");
      if (has_tilde) absl::StrAppend(&tilde, num(r[i]), " ", num(ut[i]), "\n");
    }
    // The learned output solid and coloured, ũ thin, grey and solid, the
    // target u dashed and dark, drawn last so that its dashes stay visible
    // where the learned output matches it.
    Panel panel;
    panel.settings = absl::StrFormat("set title '%s'\n", s.title);
    panel.curves.push_back(absl::StrFormat(
        "dat index %d using 1:2 with lines lw 3 lc rgb '%s' title 'learned'",
        p.add_block(predicted), color(s.color)));
    if (has_tilde) {
      panel.curves.push_back(absl::StrFormat(
          "dat index %d using 1:2 with lines lw 1.5 lc rgb '#9a9a9a' title 'ũ(r)'",
          p.add_block(tilde)));
    }
    panel.curves.push_back(absl::StrFormat(
        "dat index %d using 1:2 with lines lw 1.8 dt 2 lc rgb '#222222' title 'target u(r)'",
        p.add_block(target)));
    p.panels.push_back(panel);
  }
  if (p.panels.empty()) missing("claim e5_fit with configs approx, e2e, multiclass, forward_only",
                                kFlatBinary);
  p.cols = 2;
  p.rows = (static_cast<int>(p.panels.size()) + 1) / 2;
  p.width = 980;
  p.height = 40 + 280 * p.rows;
  p.layout = "margins 0.07,0.98,0.05,0.96 spacing 0.08,0.08";
  p.settings = "set xlabel 'r'\nset ylabel 'output'\nset key top left font ',9' spacing 0.85\n";
  p.caption = absl::StrCat(
      "Each learner's prediction (coloured, solid) on held-out points against "
      "$r = v^{*\\top} x + b^*$, with the step function $u(r)$ it should reproduce (dashed), "
      "zoomed around the mean of $r$ as the paper's figure; for the sigmoid approximation, also "
      "$\\tilde u(r)$ (thin grey) at the target's parameters. Panels (d) and (f) zoom further, at $|r - b^*| \\le 0.03$, where "
      "the multi-class boundary blurs. ",
      seed_phrase(1, seeds_of(p.runs), ""));
  return p;
}

Plot e5_error(const std::vector<Run>& all) {
  Plot p;
  p.name = "e5_error";
  p.title = "Held-out squared error of the four learners during training";
  const Groups groups = configs_of(all, "e5_flat");
  if (groups.empty()) missing("claim e5_flat", kFlatBinary);
  int nonfinite = 0, nonpositive = 0, clipped = 0;
  std::size_t most = 0;
  std::vector<const Run*> runs_shown;
  for (const Approach& a : kFlatApproaches) {
    const std::vector<const Run*>* runs = find_config(groups, a.name);
    if (runs == nullptr) continue;
    const std::vector<Stat> stats =
        for_log_axis(nonempty(aggregate(*runs, "step", "test_error", &nonfinite), *runs,
                              "test_error"),
                     &nonpositive, &clipped);
    band_curve(p.curves, p.add_block(block_of(stats)), color(a.color), a.title);
    most = std::max(most, runs->size());
    add_runs(p, *runs);
    runs_shown.insert(runs_shown.end(), runs->begin(), runs->end());
  }
  if (p.curves.empty())
    missing("claim e5_flat with configs approx, e2e, multiclass, forward_only", kFlatBinary);
  p.settings =
      "set logscale y\nset format y '10^{%L}'\nset xlabel 'Adam step'\n"
      "set ylabel 'held-out squared error'\nset key top right font ',11'\n";
  p.caption = absl::StrCat(
      "Mean squared error between each learner's prediction and $y = u(v^{*\\top} x + b^*)$ on "
      "held-out samples, every 100 Adam steps (batch 256). ",
      seed_phrase(most, seeds_of(runs_shown), "shaded bands"),
      notes(nonfinite, nonpositive, clipped));
  return p;
}

Plot e5_bias_sweep(const std::vector<Run>& all) {
  Plot p;
  p.name = "e5_bias_sweep";
  p.title = "The sigmoid approximation's final error against its initial bias";
  const Groups groups = configs_of(all, "e5_bias_sweep");
  const auto it = groups.find("sweep");
  if (it == groups.end()) missing("claim e5_bias_sweep with config sweep", kFlatBinary);
  const std::vector<const Run*>& runs = it->second;
  add_runs(p, runs);
  int nonfinite = 0, nonpositive = 0, clipped = 0;
  const std::vector<Stat> stats = for_log_axis(
      nonempty(aggregate(runs, "b_init", "final_error", &nonfinite), runs, "final_error"),
      &nonpositive, &clipped);
  bar_curve(p.curves, p.add_block(block_of(stats)), color(3), "final held-out error");
  p.settings =
      "set logscale y\nset format y '10^{%L}'\nset xlabel 'initial bias b_0 - b*'\n"
      "set ylabel 'held-out squared error'\nset key top left\n";
  p.caption = absl::StrCat(
      "Held-out error of the sigmoid approximation $\\tilde u(v^\\top x + b)$ at the end of "
      "training, against where its bias starts, relative to the target's $b^*$ (the weights "
      "start as in the other runs). The paper says in words that a start inside a wide flat "
      "region of $\\tilde u$ stalls. ",
      seed_phrase(runs.size(), seeds_of(runs), "bars"), notes(nonfinite, nonpositive, clipped));
  return p;
}

}  // namespace

FigureList sec5_figures() {
  return {{"e5_fit", e5_fit}, {"e5_error", e5_error}, {"e5_bias_sweep", e5_bias_sweep}};
}

[[maybe_unused]] const bool kRegistered = register_figures(5, sec5_figures);

}  // namespace fgbdl::report
