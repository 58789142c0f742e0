// The figures of the extension's sparse-parity part (paper/ext_sparse_parity.md,
// claims X6, X6-K4, X6-ORDER, X6-JUMP, X6-HIDDEN):
//   x6_steps  steps-to-learn against n on log axes, one colour per k: every
//             run as a point (censored runs as open triangles at their
//             budget), the fit log2 T = a + beta_k log2 n over the n where
//             every run was solved, and its band (the lines of slope at the
//             ends of beta_k's 95% t interval through the fit's centre)
//   x6_jump   the plateau and the jump: validation accuracy against step for
//             each seed of the 3-bit parity of the largest n that ran, and
//             beside it the progress measures relevant_mean (solid) and
//             irrelevant_mean (dashed) on the same steps
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "experiments/ext_sparse_parity/steps_fit.h"
#include "reports/figure_kit.h"

namespace fgbdl::report {
namespace {

constexpr char kParityBinary[] = "//experiments/ext_sparse_parity:x6_sparse_parity";

// n and k of a config named n<N>_k<K>; refuses any other name.
std::pair<int, int> config_nk(const std::vector<const Run*>& runs, const std::string& config) {
  int n = 0, k = 0, used = 0;
  if (std::sscanf(config.c_str(), "n%d_k%d%n", &n, &k, &used) != 2 ||
      used != static_cast<int>(config.size()) || n < 1 || k < 1 || k > n)
    refuse(runs.front()->dir, "the config name is not n<N>_k<K> with 1 <= k <= n",
           runs.front()->target);
  return {n, k};
}

// The last value of `column` of a run (its solved flag and step are
// constants of the run).
double last_of(const Run& r, const std::string& column) {
  const std::vector<double> v = r.column(column);
  if (v.empty()) refuse(r.metrics_path(), "no rows", r.target);
  return v.back();
}

Plot x6_steps(const std::vector<Run>& all) {
  Plot p;
  p.name = "x6_steps";
  p.title = "Steps to learn a k-sparse parity of n bits";
  const Groups groups = configs_of(all, "x6_sparse_parity");
  if (groups.empty()) missing("claim x6_sparse_parity", kParityBinary);
  std::map<int, std::vector<StepsPoint>> by_k;
  std::map<int, std::vector<const Run*>> runs_of_k;
  std::size_t most = 0;
  for (const auto& [config, runs] : groups) {
    const auto [n, k] = config_nk(runs, config);
    for (const Run* r : runs) {
      const double steps = last_of(*r, "solved_step"), solved = last_of(*r, "solved");
      if (!(steps > 0) || (solved != 0 && solved != 1))
        refuse(r->metrics_path(), "solved_step must be positive and solved 0 or 1", r->target);
      by_k[k].push_back({double(n), steps, solved == 1});
      runs_of_k[k].push_back(r);
    }
    most = std::max(most, runs.size());
  }
  std::vector<const Run*> shown;
  std::string fits;
  int colour = 1, censored_total = 0;
  for (const auto& [k, points] : by_k) {
    const std::string c = color(colour++);
    std::string solved = "# n steps\n", censored = "# n budget\n";
    double lo_n = INFINITY, hi_n = 0;
    for (const StepsPoint& s : points) {
      absl::StrAppend(s.solved ? &solved : &censored, num(s.n), " ", num(s.steps), "\n");
      lo_n = std::min(lo_n, s.n);
      hi_n = std::max(hi_n, s.n);
    }
    try {
      const StepsFit f = fit_steps_exponent(points);
      // The line and the band at the fitted n, through the centre (mean log2 n,
      // mean log2 T) of the runs in the fit.
      double mx = 0, my = 0, fit_lo = INFINITY, fit_hi = 0;
      for (const StepsPoint& s : points) {
        if (std::find(f.left_out.begin(), f.left_out.end(), s.n) != f.left_out.end()) continue;
        mx += std::log2(s.n) / double(f.runs);
        my += std::log2(s.steps) / double(f.runs);
        fit_lo = std::min(fit_lo, s.n);
        fit_hi = std::max(fit_hi, s.n);
      }
      std::string line = "# n fit band_lo band_hi\n";
      for (int i = 0; i <= 20; ++i) {
        const double x = std::log2(fit_lo) + (std::log2(fit_hi) - std::log2(fit_lo)) * i / 20;
        const double a = my + f.fit.ci_low * (x - mx), b = my + f.fit.ci_high * (x - mx);
        absl::StrAppend(&line, num(std::exp2(x)), " ", num(std::exp2(my + f.fit.rate * (x - mx))),
                        " ", num(std::exp2(std::min(a, b))), " ", num(std::exp2(std::max(a, b))),
                        "\n");
      }
      const int block = p.add_block(line);
      p.curves.push_back(absl::StrFormat(
          "dat index %d using 1:3:4 with filledcurves fs transparent solid 0.18 noborder lc rgb "
          "'%s' notitle",
          block, c));
      p.curves.push_back(absl::StrFormat(
          "dat index %d using 1:2 with lines lw 2 lc rgb '%s' title 'k = %d: n^{%.2f}, 95%% "
          "interval [%.2f, %.2f]'",
          block, c, k, f.fit.rate, f.fit.ci_low, f.fit.ci_high));
      absl::StrAppendFormat(&fits, "%s$k = %d$: $\\beta = %.2f$, 95%% interval $[%.2f, %.2f]$ (%d runs%s)",
                            fits.empty() ? "" : "; ", k, f.fit.rate, f.fit.ci_low, f.fit.ci_high,
                            f.runs,
                            f.left_out.empty()
                                ? ""
                                : absl::StrCat(", ", f.left_out.size(), " n left out for censoring"));
    } catch (const std::invalid_argument&) {
      absl::StrAppendFormat(&fits, "%s$k = %d$: too few solved n to fit", fits.empty() ? "" : "; ",
                            k);
    }
    // Only blocks with points: gnuplot does not count an empty block as one.
    const int n_censored = static_cast<int>(
        std::count_if(points.begin(), points.end(), [](const StepsPoint& s) { return !s.solved; }));
    censored_total += n_censored;
    if (n_censored < static_cast<int>(points.size()))
      p.curves.push_back(absl::StrFormat(
          "dat index %d using 1:2 with points pt 7 ps 0.7 lc rgb '%s' notitle",
          p.add_block(solved), c));
    if (n_censored > 0)
      p.curves.push_back(absl::StrFormat(
          "dat index %d using 1:2 with points pt 8 ps 1.1 lc rgb '%s' title 'k = %d, censored'",
          p.add_block(censored), c, k));
    add_runs(p, runs_of_k[k]);
    shown.insert(shown.end(), runs_of_k[k].begin(), runs_of_k[k].end());
  }
  p.settings =
      "set logscale xy\nset format y '10^{%L}'\nset xlabel 'n (input bits)'\n"
      "set ylabel 'SGD steps to 100% validation accuracy'\nset key top left font ',10'\n";
  p.caption = absl::StrCat(
      "Each point is one run: the first evaluation (every 10 steps) at which the network is "
      "right on all 8192 validation samples. Lines: the least-squares fit of "
      "$\\log_2 T = a + \\beta_k \\log_2 n$ over the runs; bands: the lines through the fit's "
      "centre with the slopes at the ends of the 95% t interval of $\\beta_k$. Fits: ", fits,
      ". ", censored_total > 0
                ? absl::StrCat(censored_total,
                               " runs not solved within their budget are drawn as open "
                               "triangles at the budget; an n with one is left out of its fit. ")
                : "Every run was solved within its budget. ",
      "Seeds: ", seeds_of(shown), ".");
  return p;
}

Plot x6_jump(const std::vector<Run>& all) {
  Plot p;
  p.name = "x6_jump";
  p.title = "The plateau, the jump and the hidden progress";
  const Groups groups = configs_of(all, "x6_sparse_parity");
  const std::vector<const Run*>* shown = nullptr;
  int shown_n = 0;
  for (const auto& [config, runs] : groups) {
    const auto [n, k] = config_nk(runs, config);
    if (k == 3 && n > shown_n) {
      shown_n = n;
      shown = &runs;
    }
  }
  if (shown == nullptr) missing("claim x6_sparse_parity with a config n<N>_k3", kParityBinary);
  Panel accuracy, progress;
  accuracy.settings = absl::StrFormat(
      "set title 'validation accuracy, n = %d, k = 3'\nset ylabel 'accuracy'\n"
      "set yrange [0.4:1.02]\nset key bottom right font ',9'\n",
      shown_n);
  progress.settings = absl::StrFormat(
      "set title 'progress ||W1_t - W1_0||_{∞} per input row, n = %d, k = 3'\n"
      "set ylabel 'mean over the rows'\nset yrange [0:*]\nset key top left font ',9'\n",
      shown_n);
  int colour = 0;
  int nonfinite = 0;
  for (const Run* r : *shown) {
    const std::string c = color(colour++);
    const std::vector<double> step = r->column("step"), acc = r->column("accuracy"),
                              rel = r->column("relevant_mean"), irr = r->column("irrelevant_mean");
    std::string block = "# step accuracy relevant_mean irrelevant_mean\n";
    for (std::size_t i = 0; i < step.size(); ++i) {
      if (!std::isfinite(acc[i]) || !std::isfinite(rel[i]) || !std::isfinite(irr[i])) {
        ++nonfinite;
        continue;
      }
      absl::StrAppend(&block, num(step[i]), " ", num(acc[i]), " ", num(rel[i]), " ", num(irr[i]),
                      "\n");
    }
    const int b = p.add_block(block);
    accuracy.curves.push_back(absl::StrFormat(
        "dat index %d using 1:2 with lines lw 1.5 lc rgb '%s' title 'seed %d'", b, c, r->seed));
    progress.curves.push_back(absl::StrFormat(
        "dat index %d using 1:3 with lines lw 1.5 lc rgb '%s' title 'seed %d, relevant'", b, c,
        r->seed));
    progress.curves.push_back(absl::StrFormat(
        "dat index %d using 1:4 with lines lw 1.5 dt 2 lc rgb '%s' title 'seed %d, irrelevant'", b,
        c, r->seed));
  }
  accuracy.curves.push_back(kChance);
  p.panels = {accuracy, progress};
  p.cols = 2;
  p.width = 980;
  p.height = 400;
  p.layout = "margins 0.07,0.98,0.12,0.9 spacing 0.08,0.1";
  p.settings = "set xlabel 'SGD step'\n";
  add_runs(p, *shown);
  p.caption = absl::StrCat(
      "Left: accuracy on the 8192 validation samples at every evaluation, each run ending at "
      "the step it is solved. Right: the progress measures on the same steps, the change of "
      "each input's first-layer weights since initialization, "
      "$\\max_j |W_1^{(t)}(i, j) - W_1^{(0)}(i, j)|$, averaged over the $k$ relevant inputs "
      "(solid) and over the other $n - k$ (dashed). Seeds: ",
      seeds_of(*shown), ".",
      nonfinite > 0 ? absl::StrCat(" ", nonfinite, " non-finite evaluations left out.") : "");
  return p;
}

}  // namespace

FigureList ext_sparse_parity_figures() { return {{"x6_steps", x6_steps}, {"x6_jump", x6_jump}}; }

[[maybe_unused]] const bool kRegistered = register_figures(11, ext_sparse_parity_figures);

}  // namespace fgbdl::report
