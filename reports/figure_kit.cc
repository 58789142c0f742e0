#include "reports/figure_kit.h"

#include <algorithm>
#include <set>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"

namespace fgbdl::report {
namespace {

constexpr const char* kColors[] = {"#1f77b4", "#d62728", "#2ca02c", "#9467bd",
                                   "#ff7f0e", "#8c564b", "#e377c2", "#17becf"};

}  // namespace

std::string color(int i) { return kColors[i % 8]; }

[[noreturn]] void missing(const std::string& what, const std::string& binary) {
  throw BadInput(absl::StrCat("no results for ", what,
                              " among the report's inputs (they are made by experiment_run "
                              "targets of ",
                              binary, " listed in reports/BUILD)"));
}


Groups configs_of(const std::vector<Run>& runs, const std::string& claim) {
  Groups groups;
  for (const Run& r : runs) {
    if (r.claim == claim) groups[r.config].push_back(&r);
  }
  return groups;
}

int size_in(const std::string& config, const std::string& prefix) {
  int n = -1;
  if (!absl::StartsWith(config, prefix) || !absl::SimpleAtoi(config.substr(prefix.size()), &n) ||
      n < 1)
    return -1;
  return n;
}

int parse_d(const std::string& config) { return size_in(config, "d"); }

int config_d(const std::vector<const Run*>& runs, const std::string& config) {
  const int d = parse_d(config);
  if (d < 0) refuse(runs.front()->dir, "the config name is not d<D>", runs.front()->target);
  return d;
}

std::string num(double v) { return absl::StrFormat("%.9g", v); }

std::string block_of(const std::vector<Stat>& stats) {
  std::string out = "# x mean min max n\n";
  for (const Stat& s : stats)
    absl::StrAppend(&out, num(s.x), " ", num(s.mean), " ", num(s.lo), " ", num(s.hi), " ", s.n,
                    "\n");
  return out;
}

std::vector<Stat> nonempty(std::vector<Stat> stats, const std::vector<const Run*>& runs,
                           const std::string& y) {
  if (stats.empty())
    refuse(runs.front()->metrics_path(), absl::StrCat("no finite values in column '", y, "'"),
           runs.front()->target);
  return stats;
}

// Keeps points whose mean is positive (log axes); a lower bar end at or
// below 0 is dropped (drawn at the point). Counts both.
std::vector<Stat> for_log_axis(std::vector<Stat> stats, int* nonpositive, int* clipped) {
  std::vector<Stat> out;
  for (Stat s : stats) {
    if (s.mean <= 0) {
      ++*nonpositive;
      continue;
    }
    if (s.lo <= 0) {
      s.lo = s.mean;
      ++*clipped;
    }
    out.push_back(s);
  }
  return out;
}

std::string seeds_of(const std::vector<const Run*>& runs) {
  std::set<std::int64_t> seeds;
  for (const Run* r : runs) seeds.insert(r->seed);
  return absl::StrCat(seeds.size() == 1 ? "seed " : "seeds ", absl::StrJoin(seeds, ", "));
}

std::size_t max_seeds(const Groups& groups) {
  std::size_t n = 0;
  for (const auto& [config, runs] : groups) n = std::max(n, runs.size());
  return n;
}

std::string seed_phrase(std::size_t most, const std::string& seeds, const std::string& band) {
  if (most <= 1) return absl::StrCat("One run per line (", seeds, ").");
  return absl::StrCat("Lines: mean over the runs (", seeds, "); ", band,
                      ": min–max over the seeds.");
}

std::string notes(int nonfinite, int nonpositive, int clipped) {
  std::string out;
  if (nonfinite > 0)
    absl::StrAppend(&out, " ", nonfinite, " non-finite values (diverged runs) are left out.");
  if (nonpositive > 0)
    absl::StrAppend(&out, " ", nonpositive, " non-positive points are not drawn on the log axis.");
  if (clipped > 0) {
    absl::StrAppend(&out, " ", clipped,
                    " points whose bar reaches zero or below are drawn without the lower half.");
  }
  return out;
}

void add_runs(Plot& p, const std::vector<const Run*>& runs) {
  p.runs.insert(p.runs.end(), runs.begin(), runs.end());
}

// Mean line with a min-max band.
void band_curve(std::vector<std::string>& curves, int block, const std::string& c,
                const std::string& title, bool dashed) {
  curves.push_back(
      absl::StrFormat("dat index %d using 1:3:4 with filledcurves fs transparent solid 0.18 "
                      "noborder lc rgb '%s' notitle",
                      block, c));
  curves.push_back(
      absl::StrFormat("dat index %d using 1:2 with lines lw 2 %s lc rgb '%s' title '%s'", block,
                      dashed ? "dt 2" : "", c, title));
}

// Points joined by lines, with bars from column 3 to column 4.
void bar_curve(std::vector<std::string>& curves, int block, const std::string& c,
               const std::string& title, const std::string& dash) {
  curves.push_back(absl::StrFormat(
      "dat index %d using 1:2:3:4 with yerrorbars pt 7 ps 0.6 lc rgb '%s' notitle", block, c));
  curves.push_back(absl::StrFormat(
      "dat index %d using 1:2 with lines lw 2 %s lc rgb '%s' title '%s'", block, dash, c, title));
}

Panel error_rate_panel(Plot& p, const std::vector<const Run*>& runs, const std::string& title,
                       const std::string& xlabel, double ymax,
                       const std::vector<LearnerColumn>& learners, int* nonfinite) {
  Panel panel;
  panel.settings = absl::StrFormat(
      "set title '%s'\nunset logscale y\nset format y '%%g'\n"
      "set yrange [-0.02:%g]\nset xlabel '%s'\nset ylabel 'held-out error'\n",
      title, ymax, xlabel);
  for (std::size_t i = 0; i < learners.size(); ++i) {
    const std::string& column = learners[i].column;
    std::vector<Stat> stats = nonempty(aggregate(runs, "step", column, nonfinite), runs, column);
    for (Stat& s : stats) {
      const double lo = s.lo;
      s.mean = 1 - s.mean;
      s.lo = 1 - s.hi;
      s.hi = 1 - lo;
    }
    band_curve(panel.curves, p.add_block(block_of(stats)), color(static_cast<int>(i)),
               learners[i].title);
  }
  panel.curves.push_back(kChance);
  return panel;
}

Panel squared_error_panel(Plot& p, const std::vector<const Run*>& runs, const std::string& title,
                          const std::string& xlabel, const std::vector<LearnerColumn>& learners,
                          int* nonfinite, int* nonpositive, int* clipped) {
  Panel panel;
  panel.settings = absl::StrFormat(
      "set title '%s'\nset logscale y\nset format y '10^{%%L}'\n"
      "set yrange [*:*]\nset xlabel '%s'\nset ylabel 'held-out squared error'\n",
      title, xlabel);
  for (std::size_t i = 0; i < learners.size(); ++i) {
    const std::string& column = learners[i].column;
    const std::vector<Stat> stats = for_log_axis(
        nonempty(aggregate(runs, "step", column, nonfinite), runs, column), nonpositive, clipped);
    if (stats.empty()) continue;
    band_curve(panel.curves, p.add_block(block_of(stats)), color(static_cast<int>(i)),
               learners[i].title);
  }
  const std::vector<Stat> constant = for_log_axis(
      nonempty(aggregate(runs, "step", "target_variance", nonfinite), runs, "target_variance"),
      nonpositive, clipped);
  if (!constant.empty())
    band_curve(panel.curves, p.add_block(block_of(constant)), "#444444", "best constant", true);
  return panel;
}

}  // namespace fgbdl::report
