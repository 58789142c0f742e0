#include "reports/figures.h"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <map>
#include <set>
#include <stdexcept>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "lib/io/results.h"
#include "reports/figure_kit.h"
#include "reports/process.h"

namespace fgbdl::report {
namespace {

// The sections' figure lists by their order (register_figures).
std::map<int, FigureList (*)()>& sections() {
  static auto* registry = new std::map<int, FigureList (*)()>;
  return *registry;
}

// Every section's figures, in report order.
const FigureList& planners() {
  static const auto* list = [] {
    auto* all = new FigureList;
    for (const auto& [order, section] : sections()) {
      for (auto& figure : section()) all->push_back(std::move(figure));
    }
    return all;
  }();
  return *list;
}

}  // namespace

bool register_figures(int order, FigureList (*figures)()) {
  if (!sections().emplace(order, figures).second)
    throw std::logic_error(absl::StrCat("register_figures: order ", order, " is taken"));
  return true;
}

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
    v->push_back(kClaimMap);
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

namespace {

// gnuplot's half of draw().
void draw_plot(const Plot& plot, const std::string& dir, const std::string& gnuplot) {
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
}

}  // namespace

Plot claim_map(const std::vector<ClaimNode>& claims, const std::vector<Plot>& plots) {
  Plot p;
  p.name = kClaimMap;
  p.title = "Claims, the tests that decide them and the figures that show them";
  p.caption =
      "From left to right: the experiment binaries, whose runs (one Bazel action each; the "
      "count is on the edge) draw the figures; the figures, pointing to the claims they show; "
      "the claims, coloured by status (green verified, orange refuted, blue not confirmed, red "
      "failed, grey not run), pointing to the Bazel test that decides each.";
  auto q = [](const std::string& s) {
    std::string out = "\"";
    for (char c : s) out += c == '"' || c == '\\' ? std::string("\\") + c : std::string(1, c);
    return out + "\"";
  };
  std::string g =
      "digraph claim_map {\n  rankdir=LR; ranksep=0.9; nodesep=0.12;\n"
      "  node [fontname=\"Helvetica\", fontsize=11, style=filled, fillcolor=white];\n"
      "  edge [color=\"#888888\", arrowsize=0.6, fontname=\"Helvetica\"];\n";
  std::map<std::string, std::string> fill = {{"verified", "#dff3e0"},
                                             {"refuted", "#fff0d6"},
                                             {"not confirmed", "#e3ecf7"},
                                             {"failed", "#fbe0e0"},
                                             {"not run", "#eeeeee"}};
  std::set<std::string> figures;
  for (const Plot& plot : plots) figures.insert(plot.name);
  for (const ClaimNode& c : claims) {
    const auto it = fill.find(c.status);
    absl::StrAppend(&g, "  ", q("claim:" + c.id), " [shape=box, label=", q(c.id), ", fillcolor=",
                    q(it == fill.end() ? "#ffffff" : it->second), ", tooltip=", q(c.status), "];\n");
    if (!c.test.empty()) {
      absl::StrAppend(&g, "  ", q("test:" + c.test), " [shape=ellipse, fontname=\"Courier\", label=",
                      q(c.test), "];\n  ", q("claim:" + c.id), " -> ", q("test:" + c.test), ";\n");
    }
    for (const std::string& f : c.figures) {
      if (figures.count(f)) absl::StrAppend(&g, "  ", q("fig:" + f), " -> ", q("claim:" + c.id), ";\n");
    }
  }
  for (const Plot& plot : plots) {
    absl::StrAppend(&g, "  ", q("fig:" + plot.name), " [shape=note, fillcolor=\"#eef3fb\", label=",
                    q(plot.name + ".svg"), "];\n");
    std::map<std::string, int> per_binary;
    for (const Run* r : plot.runs) ++per_binary[r->binary];
    for (const auto& [binary, n] : per_binary) {
      absl::StrAppend(&g, "  ", q("bin:" + binary),
                      " [shape=component, fontname=\"Courier\", fillcolor=\"#f6f6f6\", label=",
                      q(binary), "];\n  ", q("bin:" + binary), " -> ", q("fig:" + plot.name),
                      " [label=", q(absl::StrCat(n, n == 1 ? " run" : " runs")),
                      ", fontsize=9, dir=forward];\n");
    }
  }
  // Claims in one column, tests in the next.
  std::string claim_rank, test_rank;
  for (const ClaimNode& c : claims) {
    absl::StrAppend(&claim_rank, " ", q("claim:" + c.id), ";");
    if (!c.test.empty()) absl::StrAppend(&test_rank, " ", q("test:" + c.test), ";");
  }
  if (!claim_rank.empty()) absl::StrAppend(&g, "  { rank=same;", claim_rank, " }\n");
  if (!test_rank.empty()) absl::StrAppend(&g, "  { rank=same;", test_rank, " }\n");
  p.dot = g + "}\n";
  return p;
}

void draw(const Plot& plot, const std::string& dir, const std::string& gnuplot,
          const std::string& dot) {
  if (!plot.dot.empty()) {
    const std::string src = absl::StrCat("data/", plot.name, ".dot");
    write_file_atomically(absl::StrCat(dir, "/", src), plot.dot);
    const ProcessResult r =
        run_process({dot, "-Tsvg", "-o", plot.name + ".svg", src}, dir, /*with_stderr=*/true);
    if (r.exit_code == 127) {
      throw std::runtime_error(absl::StrCat("cannot run dot (--dot=", dot,
                                            "): install the Debian package graphviz; ", r.output));
    }
    if (r.exit_code != 0 || !r.output.empty()) {
      throw std::runtime_error(absl::StrCat("dot ", r.exit_code == 0 ? "warned" : "failed", " on ",
                                            dir, "/", src, " (exit ", r.exit_code, "): ", r.output));
    }
  } else {
    draw_plot(plot, dir, gnuplot);
  }
  const std::string svg = absl::StrCat(dir, "/", plot.name, ".svg");
  std::error_code ec;
  if (!std::filesystem::exists(svg, ec) || std::filesystem::file_size(svg, ec) == 0) {
    throw std::runtime_error(absl::StrCat(plot.dot.empty() ? "gnuplot" : "dot", " made no ", svg));
  }
}

}  // namespace fgbdl::report
