#include "reports/figures.h"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <map>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "lib/io/results.h"
#include "reports/figure_kit.h"
#include "reports/process.h"

namespace fgbdl::report {
namespace {

// Every section's figures, in report order.
const FigureList& planners() {
  static const auto* list = [] {
    auto* all = new FigureList;
    for (FigureList (*section)() : {sec2_figures, sec3_figures}) {
      for (auto& figure : section()) all->push_back(std::move(figure));
    }
    return all;
  }();
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
