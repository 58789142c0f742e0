// The figures of the extension on feedback alignment (paper/ext_feedback.md,
// claims X3, X3-LEARN, X3-SLOWER, X3-ANGLE):
//   x3_error  held-out error against steps of back-propagation and of
//             feedback alignment, one panel per family configuration
//             (parity_d<D>, tuples_k<K>, curves_n<N>, step_d<D>)
//   x3_angle  the angle between feedback alignment's update and the exact
//             gradient against steps, every configuration
#include <algorithm>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "reports/figure_kit.h"

namespace fgbdl::report {
namespace {

constexpr char kFeedbackBinary[] = "//experiments/ext_feedback:x3_feedback";
constexpr char kClaim[] = "x3_feedback";

// The families in panel order: config prefix, the panel's title with %d the
// size, the score kind, and the x label.
struct Family {
  const char* prefix;
  const char* title;
  bool accuracy;
  const char* xlabel;
};
constexpr Family kFamilies[] = {
    {"parity_d", "parity of d = %d bits (network d-10d-1)", true, "SGD step"},
    {"tuples_k", "line-image tuples, k = %d (784k-100-1)", true, "Adam step"},
    {"curves_n", "curves to their encoding, n = %d (n-100-n)", false, "Adam step"},
    {"step_d", "step target, d = %d (d-100-100-1)", false, "Adam step"},
};

// The family of a config; refuses a config of no family.
const Family& family_of(const std::string& config, const std::vector<const Run*>& runs, int* n) {
  for (const Family& f : kFamilies) {
    *n = size_in(config, f.prefix);
    if (*n > 0) return f;
  }
  refuse(runs.front()->dir,
         "the config name is not parity_d<D>, tuples_k<K>, curves_n<N> or step_d<D>",
         runs.front()->target);
}

const std::pair<const char*, const char*> kLearners[] = {{"bp_", "back-propagation"},
                                                         {"fa_", "feedback alignment"}};

Panel error_panel(Plot& p, const std::vector<const Run*>& runs, const Family& f, int n,
                  int* nonfinite, int* nonpositive, int* clipped) {
  const std::string title = absl::StrFormat(f.title, n);
  const std::string metric = f.accuracy ? "accuracy" : "test_mse";
  std::vector<LearnerColumn> learners;
  for (const auto& [prefix, name] : kLearners) learners.push_back({prefix + metric, name});
  if (f.accuracy) return error_rate_panel(p, runs, title, f.xlabel, 0.56, learners, nonfinite);
  return squared_error_panel(p, runs, title, f.xlabel, learners, nonfinite, nonpositive, clipped);
}

// The configurations in family order, each with its family and size.
struct Shown {
  std::string config;
  const Family* family;
  int n;
  const std::vector<const Run*>* runs;
};
std::vector<Shown> shown_configs(const Groups& groups) {
  std::vector<Shown> shown;
  for (const auto& [config, runs] : groups) {
    int n = 0;
    const Family& f = family_of(config, runs, &n);
    shown.push_back({config, &f, n, &runs});
  }
  std::stable_sort(shown.begin(), shown.end(), [](const Shown& a, const Shown& b) {
    return a.family - kFamilies < b.family - kFamilies;
  });
  return shown;
}

Plot x3_error(const std::vector<Run>& all) {
  Plot p;
  p.name = "x3_error";
  p.title = "Back-propagation and feedback alignment on the paper's four families";
  const Groups groups = configs_of(all, kClaim);
  int nonfinite = 0, nonpositive = 0, clipped = 0;
  std::size_t most = 0;
  for (const Shown& s : shown_configs(groups)) {
    p.panels.push_back(error_panel(p, *s.runs, *s.family, s.n, &nonfinite, &nonpositive, &clipped));
    most = std::max(most, s.runs->size());
    add_runs(p, *s.runs);
  }
  if (p.panels.empty())
    missing("claim x3_feedback with configs parity_d<D>, tuples_k<K>, curves_n<N> or step_d<D>",
            kFeedbackBinary);
  const int n = static_cast<int>(p.panels.size());
  p.cols = std::min(n, 3);
  p.rows = (n + p.cols - 1) / p.cols;
  p.width = p.cols == 1 ? 760 : 1100;
  p.height = 80 + 340 * p.rows;
  p.layout = "margins 0.07,0.98,0.12,0.94 spacing 0.07,0.14";
  p.settings = "set key top right font ',9' spacing 0.85\n";
  p.caption = absl::StrCat(
      "One network per panel from one initialization, trained by back-propagation and by "
      "feedback alignment (the error sent down through fixed random matrices) by the same "
      "optimizer on the same fresh batches. Parities (Section 2): error $1 -$ accuracy of "
      "E2.1's network $d$–$10d$–1, hinge loss, SGD 0.01, batches of 128. Line-image tuples "
      "(Section 3): error $1 -$ accuracy of $784k$–100–1 on the pixels, hinge loss, Adam "
      "$10^{-3}$, batches of 64. Accuracies on 2 000 held-out samples; dashed: chance. Curves "
      "(Section 4, $f$ to $p = U f$) and the step target (Section 5): held-out squared error "
      "(log scale), squared loss, Adam $10^{-3}$, batches of 100 and 256; dashed: the error of "
      "the best constant. ",
      seed_phrase(most, seeds_of(p.runs), "shaded bands"), notes(nonfinite, nonpositive, clipped));
  return p;
}

Plot x3_angle(const std::vector<Run>& all) {
  Plot p;
  p.name = "x3_angle";
  p.title = "The angle between feedback alignment's update and the gradient";
  const Groups groups = configs_of(all, kClaim);
  int nonfinite = 0;
  std::size_t most = 0;
  int i = 0;
  for (const Shown& s : shown_configs(groups)) {
    const std::vector<Stat> stats =
        nonempty(aggregate(*s.runs, "step", "fa_angle_deg", &nonfinite), *s.runs, "fa_angle_deg");
    band_curve(p.curves, p.add_block(block_of(stats)), color(i++), s.config, s.family->accuracy);
    most = std::max(most, s.runs->size());
    add_runs(p, *s.runs);
  }
  if (p.curves.empty())
    missing("claim x3_feedback with configs parity_d<D>, tuples_k<K>, curves_n<N> or step_d<D>",
            kFeedbackBinary);
  p.curves.push_back("90 with lines dt 3 lw 1.5 lc rgb '#666666' title '90° (no alignment)'");
  p.settings =
      "set xlabel 'step'\nset ylabel 'angle (degrees)'\nset yrange [0:120]\n"
      "set key outside right font ',9'\n";
  p.width = 980;
  p.caption = absl::StrCat(
      "The angle between feedback alignment's update and the exact gradient at its current "
      "weights, over the layers below the top one (whose update is exact), on a fixed probe "
      "of 256 held-out samples; below 90° the update is a descent direction. Dashed: the "
      "classification families (hinge loss); where the hinge loss is 0 on the whole probe the "
      "angle is undefined and left out. ",
      seed_phrase(most, seeds_of(p.runs), "shaded bands"), notes(nonfinite, 0, 0));
  return p;
}

}  // namespace

FigureList ext_feedback_figures() { return {{"x3_error", x3_error}, {"x3_angle", x3_angle}}; }

[[maybe_unused]] const bool kRegistered = register_figures(8, ext_feedback_figures);

}  // namespace fgbdl::report
