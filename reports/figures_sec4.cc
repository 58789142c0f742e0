// The figures of Section 4 (paper/sec4_conditioning.md):
//   c4_conditioning  condition numbers vs n, log-log, with fitted slopes
//   e4_1_curves      decoded curves against the true ones, one panel per
//                    encoder and curve                    (paper Figure 6)
//   e4_1_error       held-out reconstruction error vs step, log-log, one
//                    panel per (optimizer, curves)
#include <algorithm>
#include <cmath>
#include <map>
#include <set>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "reports/figure_kit.h"

namespace fgbdl::report {
namespace {

constexpr char kConditioningBinary[] = "//experiments/sec4_conditioning:c4_conditioning";
constexpr char kEncodersBinary[] = "//experiments/sec4_conditioning:e4_1_encoders";

// Least-squares slope of log y against log x over the points with y > 0.
double log_log_slope(const std::vector<Stat>& stats) {
  double n = 0, sx = 0, sy = 0, sxx = 0, sxy = 0;
  for (const Stat& s : stats) {
    if (s.x <= 0 || s.mean <= 0) continue;
    const double x = std::log(s.x), y = std::log(s.mean);
    n += 1;
    sx += x;
    sy += y;
    sxx += x * x;
    sxy += x * y;
  }
  const double d = n * sxx - sx * sx;
  return n >= 2 && d > 0 ? (n * sxy - sx * sy) / d : std::nan("");
}

Plot c4_conditioning(const std::vector<Run>& all) {
  Plot p;
  p.name = "c4_conditioning";
  p.title = "Condition numbers of the encoding problem against the curve length n";
  const Groups groups = configs_of(all, "c4_conditioning");
  const auto it = groups.find("sweep");
  if (it == groups.end()) missing("claim c4_conditioning with config sweep", kConditioningBinary);
  const std::vector<const Run*>& runs = it->second;
  add_runs(p, runs);
  struct Series {
    const char* column;
    const char* title;
    int color;
    const char* dash;  // gnuplot dash clause: "" solid
  };
  const Series series[] = {
      {"cond_W", "W (fully connected): S_{11}^2/S_{nn}^2", 0, ""},
      {"cond_patch_paper", "3-tap patches, paper curves", 1, ""},
      {"cond_patch_script", "3-tap patches, script curves", 1, "dt 2"},
      {"cond_patch_appendix", "3-tap patches, appendix curves (slope changes ±1)", 1, "dt 3"},
      {"cond_whitened_fresh_paper", "whitened patches, fresh paper curves", 2, ""},
      {"cond_whitened_fresh_script", "whitened patches, fresh script curves", 2, "dt 2"},
      {"cond_whitened_fresh_appendix", "whitened patches, fresh appendix curves", 2, "dt 3"},
  };
  int nonfinite = 0, nonpositive = 0, clipped = 0;
  std::vector<std::string> slopes;
  for (const Series& s : series) {
    const std::vector<Stat> stats = for_log_axis(
        nonempty(aggregate(runs, "n", s.column, &nonfinite), runs, s.column), &nonpositive,
        &clipped);
    const double slope = log_log_slope(stats);
    bar_curve(p.curves, p.add_block(block_of(stats)), color(s.color),
              absl::StrFormat("%s (slope %.2f)", s.title, slope), s.dash);
    slopes.push_back(absl::StrFormat("%s %.2f", s.column, slope));
  }
  p.settings =
      "set logscale xy\nset format y '10^{%L}'\nset xlabel 'curve length n'\n"
      "set ylabel 'condition number'\nset key top left font ',11'\n";
  p.height = 480;
  p.caption = absl::StrCat(
      "The condition number that governs gradient descent on each formulation of the encoding "
      "task, against $n$ (log–log; the slope of each line, fitted by least squares on the logs, "
      "is the exponent of $n$). Blue: $S_{11}^2 / S_{nn}^2$ of $W$, the fully connected problem "
      "of Theorem 3 (c), which claims $\\Omega(n^{3.5})$. Red: the $3 \\times 3$ second moment "
      "of the 3-tap patches $[f_{t-1}, f_t, f_{t+1}]$, the convolutional problem of Appendix "
      "A.6 ($\\Theta(n^3)$), on the paper's curves (solid), the script's (dashed) and the "
      "appendix's own setting, the paper's kinks with slope changes $\\pm 1$ (dotted). Green: "
      "the same after whitening with $C^{-1/2}$ estimated on an independent sample, measured on "
      "fresh curves (1 on the sample it was estimated on). ",
      seed_phrase(runs.size(), seeds_of(runs), "bars"), " Fitted slopes: ",
      absl::StrJoin(slopes, ", "), ".", notes(nonfinite, nonpositive, clipped));
  return p;
}

// Configs <encoder>[_relucode]_<optimizer>_<data> of e4_1_encoders.
struct EncoderConfig {
  std::string encoder, optimizer, data;
};
bool parse_encoder_config(const std::string& config, EncoderConfig* c) {
  const std::size_t last = config.rfind('_');
  if (last == std::string::npos || last == 0) return false;
  const std::size_t mid = config.rfind('_', last - 1);
  if (mid == std::string::npos || mid == 0) return false;
  c->encoder = config.substr(0, mid);
  c->optimizer = config.substr(mid + 1, last - mid - 1);
  c->data = config.substr(last + 1);
  return true;
}

struct Encoder {
  const char* name;
  const char* title;
  int color;
};
constexpr Encoder kEncoders[] = {{"fc", "fully connected (E4.1.1)", 0},
                                 {"conv", "convolution (E4.1.2)", 1},
                                 {"conv_whitened", "whitened convolution (E4.1.3)", 2},
                                 {"autoencoder", "autoencoder (E4.1.4)", 3}};

// Runs of `claim` by (optimizer, data) then encoder.
using ByOptimizer = std::map<std::pair<std::string, std::string>,
                             std::map<std::string, std::vector<const Run*>>>;
ByOptimizer encoder_runs(const std::vector<Run>& all, const std::string& claim) {
  ByOptimizer out;
  for (const auto& [config, runs] : configs_of(all, claim)) {
    EncoderConfig c;
    if (!parse_encoder_config(config, &c)) {
      refuse(runs.front()->dir, "the config name is not <encoder>_<optimizer>_<data>",
             runs.front()->target);
    }
    out[{c.optimizer, c.data}][c.encoder] = runs;
  }
  return out;
}

Plot e4_1_error(const std::vector<Run>& all) {
  Plot p;
  p.name = "e4_1_error";
  p.title = "Reconstruction error of the four encoders during training";
  const ByOptimizer by = encoder_runs(all, "e4_1_encoders");
  if (by.empty()) missing("claim e4_1_encoders", kEncodersBinary);
  int nonfinite = 0, nonpositive = 0, clipped = 0;
  std::size_t most = 0;
  std::vector<const Run*> shown;
  for (const auto& [key, encoders] : by) {
    const auto& [optimizer, data] = key;
    Panel panel;
    panel.settings = absl::StrFormat("set title '%s, %s curves'\n",
                                     optimizer == "sgd" ? "SGD" : optimizer == "adam" ? "Adam"
                                                                                      : optimizer,
                                     data);
    for (const Encoder& e : kEncoders) {
      for (const auto& [name, runs] : encoders) {
        // The autoencoder with the script's ReLU code is drawn dashed.
        const bool relu = name == std::string(e.name) + "_relucode";
        if (name != e.name && !relu) continue;
        std::vector<Stat> stats;
        for (const Stat& s : aggregate(runs, "step", "test_error", &nonfinite))
          if (s.x > 0) stats.push_back(s);  // log axis: step 0 is left out
        stats = for_log_axis(stats, &nonpositive, &clipped);
        if (stats.empty()) continue;
        band_curve(panel.curves, p.add_block(block_of(stats)), color(e.color),
                   relu ? std::string(e.title) + ", ReLU code" : e.title, relu);
        most = std::max(most, runs.size());
        add_runs(p, runs);
        shown.insert(shown.end(), runs.begin(), runs.end());
      }
    }
    if (panel.curves.empty()) continue;
    p.panels.push_back(panel);
  }
  if (p.panels.empty()) missing("claim e4_1_encoders with a positive test_error", kEncodersBinary);
  const int n = static_cast<int>(p.panels.size());
  p.cols = n == 1 ? 1 : 2;
  p.rows = (n + p.cols - 1) / p.cols;
  p.width = p.cols == 1 ? 760 : 980;
  p.height = 60 + 330 * p.rows;
  p.layout = "margins 0.08,0.98,0.07,0.95 spacing 0.08,0.12";
  p.settings =
      "set logscale xy\nset format y '10^{%L}'\nset format x '10^{%L}'\nset xlabel 'step'\n"
      "set ylabel 'held-out error'\nset key top right font ',10' spacing 0.9\n";
  p.caption = absl::StrCat(
      "Held-out reconstruction error (mean over 1 000 held-out curves of "
      "$\\|W \\hat p - f\\|^2 / n$; autoencoder $\\|M(N(f)) - f\\|^2 / n$) against the training "
      "step, log–log, one panel per optimizer and curve distribution: SGD as the paper's "
      "analysis, Adam as the authors' scripts; the paper's curves and the script's. ",
      seed_phrase(most, seeds_of(shown), "shaded bands"), notes(nonfinite, nonpositive, clipped));
  return p;
}

Plot e4_1_curves(const std::vector<Run>& all) {
  Plot p;
  p.name = "e4_1_curves";
  p.title = "Decoded curves against the true curves (paper Figure 6)";
  const ByOptimizer by = encoder_runs(all, "e4_1_curves");
  // The paper's figure comes from the scripts: Adam on the script's curves.
  const auto it = by.find({"adam", "script"});
  if (it == by.end()) missing("claim e4_1_curves with configs <encoder>_adam_script", kEncodersBinary);
  const std::string dashes[] = {"dt 3", "dt 2", "dt 1"};
  std::set<double> all_steps;
  for (const Encoder& e : kEncoders) {
    const auto er = it->second.find(e.name);
    if (er == it->second.end()) continue;
    const Run* run = er->second.front();  // the first seed
    add_runs(p, {run});
    const std::vector<double> step = run->column("step"), curve = run->column("curve"),
                              x = run->column("x"), f = run->column("f"),
                              decoded = run->column("decoded");
    std::set<double> steps(step.begin(), step.end()), curves(curve.begin(), curve.end());
    all_steps.insert(steps.begin(), steps.end());
    for (double c : curves) {
      Panel panel;
      panel.settings = absl::StrFormat("set title '%s, held-out curve %g'\n", e.title, c + 1);
      std::string truth;
      bool have_truth = false;
      int shade = 0;
      for (double s : steps) {
        std::string block;
        for (std::size_t i = 0; i < step.size(); ++i) {
          if (step[i] != s || curve[i] != c) continue;
          absl::StrAppend(&block, num(x[i]), " ", num(decoded[i]), "\n");
          if (!have_truth) absl::StrAppend(&truth, num(x[i]), " ", num(f[i]), "\n");
        }
        if (!have_truth) {
          panel.curves.push_back(
              absl::StrFormat("dat index %d using 1:2 with lines lw 6 lc rgb '#b0b0b0' title "
                              "'true curve'",
                              p.add_block(truth)));
          have_truth = true;
        }
        const int steps_left = static_cast<int>(steps.size()) - shade;
        panel.curves.push_back(absl::StrFormat(
            "dat index %d using 1:2 with lines lw 1.8 %s lc rgb '%s' title 'after %g steps'",
            p.add_block(block), dashes[std::min(2, std::max(0, 3 - steps_left))],
            color(e.color), s));
        ++shade;
      }
      p.panels.push_back(panel);
    }
  }
  if (p.panels.empty()) missing("claim e4_1_curves with configs <encoder>_adam_script", kEncodersBinary);
  p.cols = 2;
  p.rows = (static_cast<int>(p.panels.size()) + 1) / 2;
  p.width = 980;
  p.height = 40 + 270 * p.rows;
  p.layout = "margins 0.07,0.98,0.04,0.97 spacing 0.07,0.07";
  p.settings = "set ylabel 'f(x)'\nset key top left font ',9' spacing 0.85\n";
  std::vector<std::string> step_list;
  for (double s : all_steps) step_list.push_back(absl::StrFormat("%g", s));
  p.caption = absl::StrCat(
      "For each encoder trained with Adam on the script's curves (the setting of the paper's "
      "figure), two held-out curves $f$ (thick grey), sampled at $x = 1, \\dots, n$ (the "
      "autoencoder's continuous curves, as its script, at $x = 0, \\dots, n - 1$), and the "
      "curves decoded from the encoder's output, $W \\hat p$ (autoencoder: $M(N(f))$), after ",
      absl::StrJoin(step_list, ", "),
      " steps (dotted to solid: later steps; each run stops at its own step count). ",
      seed_phrase(1, seeds_of(p.runs), ""));
  return p;
}

}  // namespace

FigureList sec4_figures() {
  return {{"c4_conditioning", c4_conditioning},
          {"e4_1_curves", e4_1_curves},
          {"e4_1_error", e4_1_error}};
}

[[maybe_unused]] const bool kRegistered = register_figures(4, sec4_figures);

}  // namespace fgbdl::report
