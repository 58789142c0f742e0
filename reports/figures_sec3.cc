// The figures of Section 3 (paper/sec3_decomposition.md):
//   e3_1_architectures the two ways of training, drawn by Graphviz
//   e3_1_examples      the example line images of both labels  (paper Figure 2)
//   e3_1_tuples        tuple accuracy vs step, one panel per k  (paper Figure 3)
//   e3_1_snr           SNR of the gradient vs k, log scale      (paper Figure 5)
//   e3_2_stocks        objective L vs step, one panel per k     (paper Figure 4)
#include <algorithm>
#include <cmath>
#include <map>
#include <set>
#include <tuple>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "reports/figure_kit.h"

namespace fgbdl::report {
namespace {

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
    bar_curve(p.curves, p.add_block(block_of(stats)), color(s.color), s.title,
              s.script ? "dt 2" : "");
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

// The two ways of training E3.1 (tuple_network.h), drawn by Graphviz: the
// shared N1 on each image, N2 on the k scores, and where each loss enters.
// It does not depend on any run.
Plot e3_1_architectures(const std::vector<Run>&) {
  Plot p;
  p.name = "e3_1_architectures";
  p.title = "The E3.1 network trained end to end and with decomposition";
  p.caption =
      "The same network in both: $N_1$ (shared weights) reads each of the $k$ images and outputs "
      "a score, $N_2$ reads the $k$ scores through a sigmoid and outputs the tuple score. End to "
      "end (left), the only loss is the hinge loss of the tuple score against the tuple label "
      "$\\prod_j y_j$. With decomposition (right), the hinge losses of the image scores against "
      "the image labels $y_j$, averaged over the images, are added (red). Drawn with Graphviz "
      "from the description in `experiments/sec3_decomposition/tuple_network.h`.";
  std::string g =
      "digraph e3_1_architectures {\n  rankdir=TB; nodesep=0.25; ranksep=0.32; newrank=true;\n"
      "  node [fontname=\"Helvetica\", fontsize=11, shape=box, style=\"rounded,filled\", "
      "fillcolor=white];\n  edge [arrowsize=0.6, fontname=\"Helvetica\"];\n";
  for (const auto& [tag, label, dec] :
       {std::tuple<const char*, const char*, bool>{"e", "end to end", false},
        std::tuple<const char*, const char*, bool>{"d", "decomposition", true}}) {
    absl::StrAppend(&g, "  subgraph cluster_", tag, " {\n    label=\"", label,
                    "\"; fontname=\"Helvetica-Bold\"; fontsize=13; color=\"#bbbbbb\";\n");
    for (const char* j : {"1", "k"}) {
      absl::StrAppend(&g, "    ", tag, "x", j, " [label=\"image x", j == std::string("1") ? "₁" : "ₖ",
                      "\\n28×28\", fillcolor=\"#f6f6f6\"];\n    ", tag, "n", j,
                      " [label=\"N₁ (shared)\\nconv 5×5×16, max-pool 2×2\\nconv 5×5×16, max-pool "
                      "2×2\\ndense 50 ReLU, dense 100 ReLU\\ndense 1\", fillcolor=\"#eef3fb\"];\n    ",
                      tag, "x", j, " -> ", tag, "n", j, ";\n");
      if (dec) {
        absl::StrAppend(&g, "    ", tag, "l", j, " [label=\"hinge(score", j == std::string("1") ? "₁" : "ₖ",
                        ", y", j == std::string("1") ? "₁" : "ₖ",
                        ")\", color=\"#d62728\", fontcolor=\"#d62728\", shape=ellipse];\n    ", tag,
                        "n", j, " -> ", tag, "l", j, " [color=\"#d62728\"];\n    ", tag, "l", j,
                        " -> ", tag, "avg [color=\"#d62728\"];\n");
      }
    }
    absl::StrAppend(&g, "    ", tag, "dots [label=\"…\", shape=plaintext, style=\"\"];\n    ", tag,
                    "x1 -> ", tag, "dots -> ", tag, "xk [style=invis];\n    { rank=same; ", tag,
                    "x1; ", tag, "dots; ", tag, "xk; }\n", "    ", tag,
                    "n2 [label=\"N₂\\nsigmoid of the k scores\\ndense 100 ReLU, dense 1\", "
                    "fillcolor=\"#eef3fb\"];\n    ",
                    tag, "n1 -> ", tag, "n2 [label=\" score₁\", fontsize=9];\n    ", tag, "nk -> ",
                    tag, "n2 [label=\" scoreₖ\", fontsize=9];\n    ", tag,
                    "lt [label=\"hinge(tuple score, ∏ⱼ yⱼ)\", shape=ellipse, color=\"#1f77b4\", "
                    "fontcolor=\"#1f77b4\"];\n    ",
                    tag, "n2 -> ", tag, "lt [color=\"#1f77b4\"];\n");
    if (dec) {
      absl::StrAppend(&g, "    ", tag,
                      "avg [label=\"mean over the k images\", shape=ellipse, color=\"#d62728\", "
                      "fontcolor=\"#d62728\"];\n    ",
                      tag, "obj [label=\"objective = tuple hinge + mean image hinge\", "
                      "shape=ellipse, style=\"filled\", fillcolor=\"#fff6f6\"];\n    ",
                      tag, "lt -> ", tag, "obj [color=\"#1f77b4\"];\n    ", tag, "avg -> ", tag,
                      "obj [color=\"#d62728\"];\n");
    } else {
      absl::StrAppend(&g, "    ", tag,
                      "obj [label=\"objective = tuple hinge\", shape=ellipse, style=\"filled\", "
                      "fillcolor=\"#f6f9ff\"];\n    ",
                      tag, "lt -> ", tag, "obj [color=\"#1f77b4\"];\n");
    }
    g += "  }\n";
  }
  p.dot = g + "}\n";
  return p;
}

}  // namespace

FigureList sec3_figures() {
  return {{"e3_1_architectures", e3_1_architectures},
          {"e3_1_examples", e3_1_examples},
          {"e3_1_tuples", e3_1_tuples},
          {"e3_1_snr", e3_1_snr},
          {"e3_2_stocks", e3_2_stocks}};
}

[[maybe_unused]] const bool kRegistered = register_figures(3, sec3_figures);

}  // namespace fgbdl::report
