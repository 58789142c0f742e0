// The report's figures: one shared loader/aggregator over runs, one short
// function per figure, gnuplot (SVG terminal) to draw them.
//
// Each section's figures are in figures_sec<N>.cc (listed at the top of
// each file), built from the shared pieces of figure_kit.h.
// Several seeds are drawn as their mean with a min-max band (or bars);
// captions say so. Every figure is planned (data checked, script written in
// memory) before anything is drawn, so bad results are refused before the
// report touches the disk.
#ifndef REPORTS_FIGURES_H_
#define REPORTS_FIGURES_H_

#include <string>
#include <vector>

#include "reports/inputs.h"

namespace fgbdl::report {

// One panel of a multi-panel figure: its own settings and `plot` clauses.
struct Panel {
  std::string settings;
  std::vector<std::string> curves;
};

struct Plot {
  std::string name;                 // figures/<name>.svg
  std::string title;                // one line, plain text
  std::string caption;              // inline markdown ($math$ allowed), no user data
  std::string settings;             // gnuplot `set` commands (all panels)
  std::vector<std::string> curves;  // `plot` clauses; data blocks by `index`
  // Several panels (gnuplot multiplot, `rows` x `cols`, `layout` options
  // such as margins and spacing) instead of `curves`.
  std::vector<Panel> panels;
  int rows = 1, cols = 1;
  std::string layout;
  int width = 760, height = 440;  // SVG size in pixels
  std::string data;               // blocks separated by two blank lines
  // A diagram instead of a plot: Graphviz source, drawn by `dot -Tsvg`
  // (settings, curves, panels and data are then unused).
  std::string dot;
  int blocks = 0;
  std::vector<const Run*> runs;  // the runs it shows

  // Appends a data block ("x y ..." lines); returns its index.
  int add_block(const std::string& block);
  // The gnuplot script that draws figures/<name>.svg from data/<name>.dat.
  std::string script() const;
};

// Names of every figure, in report order (the last is kClaimMap).
const std::vector<std::string>& figure_names();
inline constexpr char kClaimMap[] = "claim_map";

// Plans every figure from the runs; refuses (BadInput) missing claims,
// configs or columns.
std::vector<Plot> plan_figures(const std::vector<Run>& runs);

// The map claim -> test target -> figure <- experiment runs, for the whole
// report: one node per claim (its status as colour), per test, per figure,
// per run target.
struct ClaimNode {
  std::string id, test, status;
  std::vector<std::string> figures;
};
Plot claim_map(const std::vector<ClaimNode>& claims, const std::vector<Plot>& plots);

// Writes <dir>/data/<name>.{dat,gp} and runs gnuplot in <dir> to make
// <dir>/<name>.svg (a diagram: <dir>/data/<name>.dot and dot). Throws
// std::runtime_error if the program is missing, fails, warns, or leaves no
// SVG.
void draw(const Plot& plot, const std::string& dir, const std::string& gnuplot,
          const std::string& dot = "dot");

// Mean, min and max over runs of column `y` at each distinct value of
// column `x` (sorted); non-finite values are left out and counted.
struct Stat {
  double x = 0, mean = 0, lo = 0, hi = 0;
  int n = 0;
};
std::vector<Stat> aggregate(const std::vector<const Run*>& runs, const std::string& x,
                            const std::string& y, int* dropped);

}  // namespace fgbdl::report

#endif  // REPORTS_FIGURES_H_
