// The figures of the extension's weight-sharing part (paper/ext_sharing.md,
// claim X1):
//   x1_bands  held-out error per frequency band (low, mid, high) against
//             steps, the shared and the unshared network side by side, one
//             row per target (mixed, and no_low when it ran)
//   x1_mse    held-out squared error against steps, every target, shared
//             and unshared
#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "reports/figure_kit.h"

namespace fgbdl::report {
namespace {

constexpr char kSharingBinary[] = "//experiments/ext_sharing:x1_sharing";

struct Target {
  const char* config;
  const char* name;   // for panel titles (gnuplot's enhanced text reads "_" as a subscript)
  const char* title;
  int color;
};
constexpr Target kTargets[] = {
    {"mixed", "mixed", "mixed (z_1 + z_1z_2z_3 + z_1…z_6)", 1},
    {"no_low", "no low", "no low (z_1z_2z_3 + z_1…z_6)", 3},
    {"high_only", "high only", "high only (z_1…z_6)", 4},
};

Plot x1_bands(const std::vector<Run>& all) {
  Plot p;
  p.name = "x1_bands";
  p.title = "Error per frequency band with and without weight sharing";
  const Groups groups = configs_of(all, "x1_sharing");
  int nonfinite = 0, nonpositive = 0, clipped = 0;
  std::size_t most = 0;
  std::vector<const Run*> shown;
  struct Band {
    const char* column;
    const char* title;
    int color;
  };
  const Band bands[] = {{"low", "low (degree ≤ 1)", 2}, {"mid", "mid (degree 2-5)", 1},
                        {"high", "high (degree 6)", 0}};
  for (const Target& t : {kTargets[0], kTargets[1]}) {
    const auto it = groups.find(t.config);
    if (it == groups.end()) continue;
    const std::vector<const Run*>& runs = it->second;
    for (const char* net : {"shared", "unshared"}) {
      Panel panel;
      panel.settings = absl::StrFormat("set title '%s target, %s filters'\n", t.name, net);
      for (const Band& b : bands) {
        const std::string column = absl::StrCat(net, "_", b.column);
        const std::vector<Stat> stats = for_log_axis(
            nonempty(aggregate(runs, "step", column, &nonfinite), runs, column), &nonpositive,
            &clipped);
        band_curve(panel.curves, p.add_block(block_of(stats)), color(b.color), b.title);
      }
      p.panels.push_back(panel);
    }
    most = std::max(most, runs.size());
    add_runs(p, runs);
    shown.insert(shown.end(), runs.begin(), runs.end());
  }
  if (p.panels.empty()) missing("claim x1_sharing with config mixed", kSharingBinary);
  p.cols = 2;
  p.rows = static_cast<int>(p.panels.size()) / 2;
  p.width = 980;
  p.height = 60 + 330 * p.rows;
  p.layout = "margins 0.08,0.98,0.08,0.94 spacing 0.08,0.16";
  p.settings =
      "set logscale y\nset format y '10^{%L}'\nset yrange [1e-4:2]\nset xlabel 'Adam step'\n"
      "set ylabel 'band error'\nset key bottom left font ',9'\n";
  p.caption = absl::StrCat(
      "The held-out residual's Walsh energy per band of degrees over the hidden bits "
      "$z_i = \\mathrm{sign}(u^{*\\top} x_i)$ of the 6 patches: low (degree 0 and 1), mid "
      "(2 to 5), high (6). A band the network has not learned keeps the target's energy there "
      "(1/3 per band on the mixed target, 1/2 on the mid and high bands of the no-low target); a learned "
      "band falls toward 0. Left: shared filters (a convolution); right: unshared filters "
      "(locally connected), from the same initial function and on the same batches. ",
      seed_phrase(most, seeds_of(shown), "shaded bands"), notes(nonfinite, nonpositive, clipped));
  return p;
}

Plot x1_mse(const std::vector<Run>& all) {
  Plot p;
  p.name = "x1_mse";
  p.title = "Held-out squared error with and without weight sharing";
  const Groups groups = configs_of(all, "x1_sharing");
  int nonfinite = 0, nonpositive = 0, clipped = 0;
  std::size_t most = 0;
  std::vector<const Run*> shown;
  for (const Target& t : kTargets) {
    const auto it = groups.find(t.config);
    if (it == groups.end()) continue;
    const std::vector<const Run*>& runs = it->second;
    for (const bool shared : {true, false}) {
      const std::string column = shared ? "shared_mse" : "unshared_mse";
      const std::vector<Stat> stats =
          for_log_axis(nonempty(aggregate(runs, "step", column, &nonfinite), runs, column),
                       &nonpositive, &clipped);
      band_curve(p.curves, p.add_block(block_of(stats)), color(t.color),
                 absl::StrCat(t.title, shared ? ", shared" : ", unshared"), !shared);
    }
    most = std::max(most, runs.size());
    add_runs(p, runs);
    shown.insert(shown.end(), runs.begin(), runs.end());
  }
  if (p.curves.empty()) missing("claim x1_sharing with configs mixed, no_low, high_only", kSharingBinary);
  p.settings =
      "set logscale y\nset format y '10^{%L}'\nset xlabel 'Adam step'\n"
      "set ylabel 'held-out squared error'\nset key bottom left font ',10'\n";
  p.caption = absl::StrCat(
      "Mean squared error on held-out samples of each target (unit variance: 1 is the error "
      "of predicting 0), with shared filters (solid) and unshared ones (dashed). ",
      seed_phrase(most, seeds_of(shown), "shaded bands"), notes(nonfinite, nonpositive, clipped));
  return p;
}

}  // namespace

FigureList ext_sharing_figures() { return {{"x1_bands", x1_bands}, {"x1_mse", x1_mse}}; }

[[maybe_unused]] const bool kRegistered = register_figures(6, ext_sharing_figures);

}  // namespace fgbdl::report
