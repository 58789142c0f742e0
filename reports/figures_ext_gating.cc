// The figures of the extension "Beyond the paper I", X2 (paper/ext_gating.md):
//   x2_memorize     final training error of the ReLU network, of the GaLU
//                   network trained by the same optimizer and of the GaLU
//                   network's exact least-squares fit against k d / m, one
//                   row of panels per optimizer (linear and log scale)
//   x2_parity_step  held-out error vs step of the ReLU and the GaLU network
//                   on parities (one panel per d) and on the Section 5 step
//                   target
//   x2_images_curves  held-out error vs step of the ReLU and the GaLU network
//                   on line-image tuples (one panel per k) and on
//                   piecewise-linear curves to their encoding (per n)
//   x2_fashion      Fashion-MNIST test error vs step of the ReLU network and
//                   GaLU0
#include <algorithm>
#include <cmath>
#include <map>
#include <set>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "reports/figure_kit.h"

namespace fgbdl::report {
namespace {

constexpr char kGatingBinary[] = "//experiments/ext_gating:x2_gating";
constexpr char kClaim[] = "x2_gating";

// Configs memorize_d<D>_k<K>_m<M> (SGD) and memorize_d<D>_k<K>_m<M>_adam.
struct MemorizeConfig {
  int d = 0, k = 0, m = 0;
  std::string optimizer;
};
bool parse_memorize(const std::string& config, MemorizeConfig* c) {
  const std::vector<std::string> parts = absl::StrSplit(config, '_');
  if (parts.size() != 4 && parts.size() != 5) return false;
  if (parts[0] != "memorize") return false;
  if (parts.size() == 5 && parts[4] != "adam") return false;
  c->optimizer = parts.size() == 5 ? "adam" : "sgd";
  const std::pair<char, int*> fields[] = {{'d', &c->d}, {'k', &c->k}, {'m', &c->m}};
  for (int i = 0; i < 3; ++i) {
    const std::string& p = parts[static_cast<std::size_t>(i) + 1];
    if (p.size() < 2 || p[0] != fields[i].first || !absl::SimpleAtoi(p.substr(1), fields[i].second) ||
        *fields[i].second < 1)
      return false;
  }
  return true;
}

// Mean, min and max of the values at each x.
std::vector<Stat> stats_of(const std::map<double, std::vector<double>>& at) {
  std::vector<Stat> out;
  for (const auto& [x, values] : at) {
    if (values.empty()) continue;
    Stat s;
    s.x = x;
    s.n = static_cast<int>(values.size());
    s.lo = *std::min_element(values.begin(), values.end());
    s.hi = *std::max_element(values.begin(), values.end());
    for (double v : values) s.mean += v / s.n;
    out.push_back(s);
  }
  return out;
}

// "8, 16, 24" from a set of sizes.
std::string list_of(const std::set<int>& values) { return absl::StrJoin(values, ", "); }

// The steps after which the runs ended: "after 20000 steps" or "at each
// run's last step (...)".
std::string when(const std::set<double>& last_steps, const std::string& what) {
  if (last_steps.size() == 1) return absl::StrCat("after ", num(*last_steps.begin()), " ", what);
  std::vector<std::string> steps;
  for (double s : last_steps) steps.push_back(num(s));
  return absl::StrCat("at each run's last step (", absl::StrJoin(steps, ", "), " ", what, ")");
}

Plot x2_memorize(const std::vector<Run>& all) {
  Plot p;
  p.name = "x2_memorize";
  p.title = "Memorizing random labels: ReLU against GaLU, by optimizer, against k·d/m";
  // Final values by optimizer, series and k d / m.
  struct Series {
    const char* column;
    const char* title;
    int color;
    bool dashed;
  };
  const Series series[] = {{"relu_train_mse", "ReLU network", 0, false},
                           {"galu_train_mse", "GaLU network, same optimizer", 1, false},
                           {"exact_train_mse", "GaLU, exact least-squares fit", 2, true}};
  std::map<std::string, std::map<std::string, std::map<double, std::vector<double>>>> finals;
  std::map<std::string, std::vector<const Run*>> runs_of;
  std::set<int> ds, ks, ms;
  std::set<double> last_steps;
  int nonfinite = 0;
  for (const auto& [config, runs] : configs_of(all, kClaim)) {
    if (!absl::StartsWith(config, "memorize_")) continue;
    MemorizeConfig c;
    if (!parse_memorize(config, &c)) {
      refuse(runs.front()->dir, "the config name is not memorize_d<D>_k<K>_m<M>[_adam]",
             runs.front()->target);
    }
    ds.insert(c.d);
    ks.insert(c.k);
    ms.insert(c.m);
    for (const Run* r : runs) {
      const double x = r->column("kd_over_m").back();
      last_steps.insert(r->column("step").back());
      for (const Series& s : series) {
        const double v = r->column(s.column).back();
        if (std::isfinite(v) && std::isfinite(x))
          finals[c.optimizer][s.column][x].push_back(v);
        else
          ++nonfinite;
      }
      runs_of[c.optimizer].push_back(r);
    }
  }
  if (finals.empty()) {
    missing("claim x2_gating with configs memorize_d<D>_k<K>_m<M>[_adam]", kGatingBinary);
  }
  int nonpositive = 0, clipped = 0;
  std::size_t most = 0;
  std::vector<std::string> optimizers;
  for (const char* optimizer : {"sgd", "adam"}) {
    const auto it = finals.find(optimizer);
    if (it == finals.end()) continue;
    const std::string name = optimizer == std::string("sgd") ? "SGD (as the source)" : "Adam";
    optimizers.push_back(optimizer == std::string("sgd") ? "SGD" : "Adam");
    for (const bool log_scale : {false, true}) {
      Panel panel;
      panel.settings = absl::StrFormat(
          "set title '%s, %s'\n%s", name, log_scale ? "log scale" : "linear scale",
          log_scale ? "set logscale y\nset format y '10^{%L}'\nset yrange [*:*]\n"
                      "set key bottom left\n"
                    : "unset logscale y\nset format y '%g'\nset yrange [0:*]\nset key top right\n");
      for (const Series& s : series) {
        std::vector<Stat> stats = stats_of(it->second[s.column]);
        for (const Stat& st : stats) most = std::max(most, static_cast<std::size_t>(st.n));
        if (log_scale) {
          // Counted once, on the log panels only.
          stats = for_log_axis(stats, &nonpositive, &clipped);
        }
        if (stats.empty()) continue;
        bar_curve(panel.curves, p.add_block(block_of(stats)), color(s.color), s.title,
                  s.dashed ? "dt 2" : "");
      }
      if (!panel.curves.empty()) p.panels.push_back(panel);
    }
    add_runs(p, runs_of[optimizer]);
  }
  if (p.panels.empty())
    missing("claim x2_gating with a finite final training error", kGatingBinary);
  p.cols = 2;
  p.rows = static_cast<int>(p.panels.size() + 1) / 2;
  p.width = 980;
  p.height = 60 + 360 * p.rows;
  p.layout = "margins 0.08,0.98,0.08,0.95 spacing 0.08,0.16";
  p.settings =
      "set logscale x\nset xlabel 'k·d / m'\nset ylabel 'training error'\n"
      "set key font ',9' spacing 0.85\n"
      "set arrow 1 from 1, graph 0 to 1, graph 1 nohead dt 3 lw 1.5 lc rgb '#666666'\n";
  p.caption = absl::StrCat(
      "Training error $\\frac1m \\sum_i (f(x_i) - y_i)^2$ on $m$ random points "
      "$x \\sim N(0, I_d)$ with random labels $y \\sim N(0, 1)$, ",
      when(last_steps, "steps of batch 128"),
      ", against $k d / m$ (log scale): the ReLU network $d$–$k$–1 trained end to end, the GaLU "
      "network of width $k$ (random gates fixed, linear part trained) trained by the same "
      "optimizer on the same batches, and the GaLU network's exact least-squares optimum "
      "(dashed), for $d \\in \\{",
      list_of(ds), "\\}$, $k \\in \\{", list_of(ks), "\\}$, $m \\in \\{", list_of(ms),
      "\\}$; one row of panels per optimizer (",
      absl::StrJoin(optimizers, ", "),
      "; learning rate $10^{-3}$), the same values on a linear scale (left) and a log scale "
      "(right). Dotted: $k d = m$, where the exact GaLU fit can interpolate. Points: mean over "
      "the runs with that $k d / m$ (several $(d, k, m)$ can share it, ",
      seeds_of(p.runs), "); bars: min–max over them",
      most > 1 ? "." : " (one run per point).", notes(nonfinite, nonpositive, clipped));
  return p;
}

// The ReLU and GaLU networks' accuracies, and their squared errors with the
// GaLU network's title.
const std::vector<LearnerColumn> kLearners{{"relu_accuracy", "ReLU network"},
                                           {"galu_accuracy", "GaLU network"}};
std::vector<LearnerColumn> mse_learners(const std::string& galu_title) {
  return {{"relu_test_mse", "ReLU network"}, {"galu_test_mse", galu_title}};
}

// Panels in rows of at most three.
void lay_out(Plot& p) {
  const int n = static_cast<int>(p.panels.size());
  p.cols = std::min(n, 3);
  p.rows = (n + p.cols - 1) / p.cols;
  p.width = p.cols == 1 ? 760 : 1100;
  p.height = 80 + 380 * p.rows;
  p.layout = "margins 0.07,0.98,0.15,0.92 spacing 0.07,0.16";
  p.settings = "set key top right font ',9' spacing 0.85\n";
}

Plot x2_parity_step(const std::vector<Run>& all) {
  Plot p;
  p.name = "x2_parity_step";
  p.title = "Parities and the step target: held-out error of ReLU and GaLU during training";
  const Groups groups = configs_of(all, kClaim);
  int nonfinite = 0, nonpositive = 0, clipped = 0;
  std::size_t most = 0;
  std::vector<std::string> parity_ds;
  // Parities: the held-out error 1 - accuracy, chance at 0.5.
  for (const auto& [config, runs] : groups) {
    if (!absl::StartsWith(config, "parity_")) continue;
    const int d = parse_d(config.substr(7));
    if (d < 0) refuse(runs.front()->dir, "the config name is not parity_d<D>", runs.front()->target);
    p.panels.push_back(error_rate_panel(
        p, runs, absl::StrFormat("parity of d = %d bits (width %d)", d, 10 * d), "SGD step", 0.56,
        kLearners, &nonfinite));
    parity_ds.push_back(absl::StrCat(d));
    most = std::max(most, runs.size());
    add_runs(p, runs);
  }
  // The step target: held-out squared error, the best constant dashed.
  bool two_layers = false;
  for (const auto& [config, runs] : groups) {
    if (!absl::StartsWith(config, "step_")) continue;
    const bool l2 = absl::EndsWith(config, "_l2");
    const std::string base = l2 ? config.substr(0, config.size() - 3) : config;
    const int d = parse_d(base.substr(5));
    if (d < 0)
      refuse(runs.front()->dir, "the config name is not step_d<D>[_l2]", runs.front()->target);
    two_layers = two_layers || l2;
    p.panels.push_back(squared_error_panel(
        p, runs,
        absl::StrFormat("step target, d = %d, %s", d,
                        l2 ? "two hidden layers (GaLU0)" : "one hidden layer"),
        "Adam step", mse_learners(l2 ? "GaLU0" : "GaLU network"), &nonfinite, &nonpositive,
        &clipped));
    most = std::max(most, runs.size());
    add_runs(p, runs);
  }
  if (p.panels.empty())
    missing("claim x2_gating with configs parity_d<D> or step_d<D>", kGatingBinary);
  lay_out(p);
  p.caption = absl::StrCat(
      parity_ds.empty()
          ? ""
          : absl::StrCat(
                "Parities of $d \\in \\{", absl::StrJoin(parity_ds, ", "),
                "\\}$ bits (the paper's Section 2): error $1 -$ accuracy on 2 000 held-out "
                "samples of E2.1's network $d$–$10d$–1 and of the GaLU network of width $10d$ "
                "(random gates with random biases, linear part trained), both trained by SGD "
                "(learning rate 0.01) on the hinge loss, on the same fresh batches of 128; "
                "dashed: chance level 0.5. "),
      "The step target $y = u(v^{*\\top} x + b^*)$ of the paper's Section 5 ($d = 100$): held-out "
      "squared error (log scale) of the ReLU network 100–100–1 and of the GaLU network of width "
      "100, ",
      two_layers ? "and with two hidden layers of the ReLU network 100–100–100–1 and GaLU0, " : "",
      "both trained by Adam (learning rate $10^{-3}$) on the squared loss, on the same fresh "
      "batches of 256; dashed: the error of the best constant (the held-out variance of $y$). ",
      seed_phrase(most, seeds_of(p.runs), "shaded bands"),
      notes(nonfinite, nonpositive, clipped));
  return p;
}

Plot x2_images_curves(const std::vector<Run>& all) {
  Plot p;
  p.name = "x2_images_curves";
  p.title = "Line images and piecewise-linear curves: held-out error of ReLU and GaLU";
  const Groups groups = configs_of(all, kClaim);
  int nonfinite = 0, nonpositive = 0, clipped = 0;
  std::size_t most = 0;
  std::vector<std::string> ks, ns;
  for (const auto& [config, runs] : groups) {
    if (!absl::StartsWith(config, "tuples_")) continue;
    const int k = size_in(config, "tuples_k");
    if (k < 0) refuse(runs.front()->dir, "the config name is not tuples_k<K>", runs.front()->target);
    p.panels.push_back(error_rate_panel(
        p, runs, absl::StrFormat("line images, tuples of k = %d (784k inputs)", k), "Adam step",
        0.56, kLearners, &nonfinite));
    ks.push_back(absl::StrCat(k));
    most = std::max(most, runs.size());
    add_runs(p, runs);
  }
  for (const auto& [config, runs] : groups) {
    if (!absl::StartsWith(config, "curves_")) continue;
    const int n = size_in(config, "curves_n");
    if (n < 0) refuse(runs.front()->dir, "the config name is not curves_n<N>", runs.front()->target);
    p.panels.push_back(squared_error_panel(
        p, runs, absl::StrFormat("curves to their encoding, n = %d", n), "Adam step",
        mse_learners("GaLU0"), &nonfinite, &nonpositive, &clipped));
    ns.push_back(absl::StrCat(n));
    most = std::max(most, runs.size());
    add_runs(p, runs);
  }
  if (p.panels.empty())
    missing("claim x2_gating with configs tuples_k<K> or curves_n<N>", kGatingBinary);
  lay_out(p);
  p.caption = absl::StrCat(
      ks.empty() ? ""
                 : absl::StrCat(
                       "Tuples of $k \\in \\{", absl::StrJoin(ks, ", "),
                       "\\}$ line images (the paper's Section 3; label the product of the "
                       "images' orientation labels): error $1 -$ accuracy on 2 000 held-out "
                       "tuples of the ReLU network $784k$–100–1 and of the GaLU network of width "
                       "100 on the $784k$ pixels, both trained by Adam (learning rate $10^{-3}$) "
                       "on the hinge loss, on the same fresh batches of 64; dashed: chance. "),
      ns.empty() ? ""
                 : absl::StrCat(
                       "Piecewise-linear curves with 3 kinks sampled at $n \\in \\{",
                       absl::StrJoin(ns, ", "),
                       "\\}$ points (the paper's Section 4), mapped to their encoding $p = U f$: "
                       "held-out squared error per coordinate (log scale) of the ReLU network "
                       "$n$–100–$n$ and of GaLU0 $n$–100–$n$, both trained by Adam (learning "
                       "rate $10^{-3}$) on the squared loss, on the same fresh batches of 100; "
                       "dashed: the error of predicting each coordinate's mean. "),
      seed_phrase(most, seeds_of(p.runs), "shaded bands"), notes(nonfinite, nonpositive, clipped));
  return p;
}

Plot x2_fashion(const std::vector<Run>& all) {
  Plot p;
  p.name = "x2_fashion";
  p.title = "Fashion-MNIST: test error of the ReLU network and of GaLU0 during training";
  const Groups groups = configs_of(all, kClaim);
  const auto it = groups.find("fashion");
  if (it == groups.end()) missing("claim x2_gating with config fashion", kGatingBinary);
  const std::vector<const Run*>& runs = it->second;
  add_runs(p, runs);
  int nonfinite = 0;
  const std::pair<const char*, const char*> learners[] = {
      {"relu_test_error", "ReLU network 64–64–64–10"}, {"galu_test_error", "GaLU0, same widths"}};
  // Step 0 (the untrained networks, near chance) is left out of the axis,
  // which would otherwise hide the gap between the two; the caption gives it.
  std::vector<std::string> at_start;
  for (int i = 0; i < 2; ++i) {
    std::vector<Stat> stats;
    for (const Stat& s : nonempty(aggregate(runs, "step", learners[i].first, &nonfinite), runs,
                                  learners[i].first)) {
      if (s.x > 0)
        stats.push_back(s);
      else
        at_start.push_back(absl::StrFormat("%.3f", s.mean));
    }
    if (stats.empty())
      refuse(runs.front()->metrics_path(),
             absl::StrCat("no finite values in column '", learners[i].first, "' after step 0"),
             runs.front()->target);
    band_curve(p.curves, p.add_block(block_of(stats)), color(i), learners[i].second);
  }
  p.settings =
      "set xlabel 'Adam step'\nset ylabel 'test error (fraction misclassified)'\n"
      "set key top right font ',11'\n";
  p.caption = absl::StrCat(
      "Fraction of the 10 000 Fashion-MNIST test images misclassified, against the training "
      "step, by the ReLU network with two hidden layers of width 64 and by GaLU0 of the same "
      "widths (every layer's gates computed from the input by a fixed random matrix, the linear "
      "parts and the output layer trained), on the training set's 64 leading principal "
      "components, standardized; softmax cross-entropy, Adam (learning rate $10^{-3}$), batches "
      "of 128 of the 60 000 training images, the same for both networks. ",
      at_start.size() == 2
          ? absl::StrCat("Step 0 is not drawn: there the untrained networks' test error is ",
                         at_start[0], " (ReLU) and ", at_start[1], " (GaLU0)",
                         runs.size() > 1 ? ", means over the seeds. " : ". ")
          : "",
      seed_phrase(runs.size(), seeds_of(runs), "shaded bands"), notes(nonfinite, 0, 0));
  return p;
}

}  // namespace

FigureList ext_gating_figures() {
  return {{"x2_memorize", x2_memorize},
          {"x2_parity_step", x2_parity_step},
          {"x2_images_curves", x2_images_curves},
          {"x2_fashion", x2_fashion}};
}

// Order 7: after Section 5 (order 5); order 6 is left free for a section
// between them.
[[maybe_unused]] const bool kRegistered = register_figures(7, ext_gating_figures);

}  // namespace fgbdl::report
