// What the figure planners of every section share (figures_sec2.cc,
// figures_sec3.cc, ...): grouping runs by config, data blocks, log-axis
// filtering, captions' seed phrases, and the gnuplot clauses of a mean line
// with a band or bars. Every planner refuses missing or malformed results
// with BadInput naming the binary that makes them.
#ifndef REPORTS_FIGURE_KIT_H_
#define REPORTS_FIGURE_KIT_H_

#include <cstddef>
#include <functional>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "reports/figures.h"
#include "reports/inputs.h"

namespace fgbdl::report {

// One section's figures, in report order: name (figures/<name>.svg) and
// planner.
using Planner = std::function<Plot(const std::vector<Run>&)>;
using FigureList = std::vector<std::pair<std::string, Planner>>;

// A section's figures join the report by one line in its figures_<sec>.cc,
//   [[maybe_unused]] const bool kRegistered = register_figures(N, secN_figures);
// sections appear in the order of N. Returns true (for that constant);
// throws std::logic_error if N is taken.
bool register_figures(int order, FigureList (*figures)());

// The i-th colour of the report's palette (8, cycled).
std::string color(int i);

// Throws BadInput: no results for `what`, made by `binary` (a Bazel label).
[[noreturn]] void missing(const std::string& what, const std::string& binary);

struct NaturalLess {
  bool operator()(const std::string& a, const std::string& b) const { return natural_less(a, b); }
};
// Runs of one claim by config name, in natural order (d5 < d10).
using Groups = std::map<std::string, std::vector<const Run*>, NaturalLess>;
Groups configs_of(const std::vector<Run>& runs, const std::string& claim);

// d of a config named d<D>, else -1; config_d refuses a config not so named.
int parse_d(const std::string& config);
// N of a config named <prefix><N> (N >= 1), else -1: parse_d is size_in(config, "d").
int size_in(const std::string& config, const std::string& prefix);
int config_d(const std::vector<const Run*>& runs, const std::string& config);

// A number for a data block (%.9g).
std::string num(double v);
// "x mean min max n" lines.
std::string block_of(const std::vector<Stat>& stats);
// `stats`, refusing (naming the first run's metrics) when empty.
std::vector<Stat> nonempty(std::vector<Stat> stats, const std::vector<const Run*>& runs,
                           const std::string& y);
// Keeps points whose mean is positive (log axes); a lower bar end at or
// below 0 is dropped (drawn at the point). Counts both.
std::vector<Stat> for_log_axis(std::vector<Stat> stats, int* nonpositive, int* clipped);

// "seed 1" / "seeds 1, 2, 3".
std::string seeds_of(const std::vector<const Run*>& runs);
std::size_t max_seeds(const Groups& groups);
// The caption's sentence on what lines and bands are.
std::string seed_phrase(std::size_t most, const std::string& seeds, const std::string& band);
// The caption's notes on left-out points (empty when none).
std::string notes(int nonfinite, int nonpositive, int clipped);
void add_runs(Plot& p, const std::vector<const Run*>& runs);

// Mean line (column 2) with a min-max band (columns 3, 4).
void band_curve(std::vector<std::string>& curves, int block, const std::string& c,
                const std::string& title, bool dashed = false);
// Points joined by lines, with bars from column 3 to column 4; `dash` is the
// line's gnuplot dash clause ("" solid, "dt 2" dashed, "dt 3" dotted).
void bar_curve(std::vector<std::string>& curves, int block, const std::string& c,
               const std::string& title, const std::string& dash = "");

// One learner's curve in a panel of a comparison: its metrics column and
// the key's title.
struct LearnerColumn {
  std::string column, title;
};
// A panel of the held-out error 1 - accuracy of each learner (columns of
// accuracies, colours 0, 1, ... in order) against steps, y from -0.02 to
// ymax, chance dashed.
Panel error_rate_panel(Plot& p, const std::vector<const Run*>& runs, const std::string& title,
                       const std::string& xlabel, double ymax,
                       const std::vector<LearnerColumn>& learners, int* nonfinite);
// A panel of the held-out squared error of each learner against steps on a
// log scale, the best constant (column target_variance) dashed.
Panel squared_error_panel(Plot& p, const std::vector<const Run*>& runs, const std::string& title,
                          const std::string& xlabel, const std::vector<LearnerColumn>& learners,
                          int* nonfinite, int* nonpositive, int* clipped);

inline constexpr char kChance[] =
    "0.5 with lines dt 2 lw 1.5 lc rgb '#666666' title 'chance (0.5)'";

}  // namespace fgbdl::report

#endif  // REPORTS_FIGURE_KIT_H_
