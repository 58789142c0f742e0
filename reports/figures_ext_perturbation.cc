// The figures of the extension on perturbation learners (paper/ext_perturbation.md,
// claim X4):
//   x4_flat      held-out squared error against steps of back-propagation,
//                Gaussian and Cauchy-sized perturbations on the Section 5
//                step target: the flat model u(w^T x + b) and the smooth one
//                u~(w^T x + b), one panel each
//   x4_families  the same three learners on parities (one panel per d),
//                line-image tuples (per k) and piecewise-linear curves to
//                their encoding (per n)
#include <algorithm>
#include <functional>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "reports/figure_kit.h"
#include "reports/inputs.h"

namespace fgbdl::report {
namespace {

constexpr char kBinary[] = "//experiments/ext_perturbation:x4_perturbation";
constexpr char kClaim[] = "x4_perturbation";

// The three learners' columns of `metric` ("accuracy", "test_mse").
std::vector<LearnerColumn> learners(const std::string& metric) {
  return {{"backprop_" + metric, "back-propagation"},
          {"gaussian_" + metric, "Gaussian perturbations"},
          {"cauchy_" + metric, "Cauchy-sized perturbations"}};
}

void lay_out(Plot& p) {
  const int n = static_cast<int>(p.panels.size());
  p.cols = std::min(n, 3);
  p.rows = (n + p.cols - 1) / p.cols;
  p.width = p.cols == 1 ? 760 : (p.cols == 2 ? 980 : 1100);
  p.height = 80 + 380 * p.rows;
  p.layout = "margins 0.07,0.98,0.15,0.92 spacing 0.07,0.16";
  p.settings = "set key top right font ',9' spacing 0.85\n";
}

Plot x4_flat(const std::vector<Run>& all) {
  Plot p;
  p.name = "x4_flat";
  p.title = "The Section 5 step target: gradient against perturbations, flat and smooth model";
  const Groups groups = configs_of(all, kClaim);
  int nonfinite = 0, nonpositive = 0, clipped = 0;
  std::size_t most = 0;
  for (const char* config : {"flat", "smooth"}) {
    const auto it = groups.find(config);
    if (it == groups.end()) continue;
    const std::string title = std::string(config) == "flat"
                                  ? "flat model u(w^T x + b): exact gradient 0"
                                  : "smooth model: the sigmoid-sum loss of E5.2";
    p.panels.push_back(squared_error_panel(p, it->second, title, "Adam step", learners("test_mse"),
                                           &nonfinite, &nonpositive, &clipped));
    most = std::max(most, it->second.size());
    add_runs(p, it->second);
  }
  if (p.panels.empty()) missing("claim x4_perturbation with configs flat or smooth", kBinary);
  lay_out(p);
  p.caption = absl::StrCat(
      "The step target $y = u(v^{*\\top} x + b^*)$ of the paper's Section 5 ($d = 100$, the "
      "script's 52 thresholds): held-out squared error of the prediction $u(w^\\top x + b)$ "
      "(log scale) when $w, b$ are trained on the flat loss (left: the model with the step "
      "function itself, whose exact gradient is zero) or on the smooth loss of E5.2's sigmoid "
      "sum $\\tilde u$ (right), by back-propagation, by $N = 16$ antithetic Gaussian "
      "perturbations of size $\\sigma = 0.01$, and by 16 pairs of Cauchy-distributed sizes "
      "$\\sigma |c|$ (median $\\sigma$); every learner by Adam (learning rate 0.01), the same "
      "batches of 128 and the same initial weights; dashed: the held-out variance of $y$, the "
      "error of the best constant. ",
      seed_phrase(most, seeds_of(p.runs), "shaded bands"), notes(nonfinite, nonpositive, clipped));
  return p;
}

Plot x4_families(const std::vector<Run>& all) {
  Plot p;
  p.name = "x4_families";
  p.title = "Parities, line-image tuples and curves: gradient against perturbations";
  const Groups groups = configs_of(all, kClaim);
  int nonfinite = 0, nonpositive = 0, clipped = 0;
  std::size_t most = 0;
  std::vector<std::string> ds, ks, ns;
  const auto take = [&](const std::string& prefix, std::vector<std::string>& sizes,
                        const std::function<Panel(const std::vector<const Run*>&, int)>& panel) {
    for (const auto& [config, runs] : groups) {
      if (!absl::StartsWith(config, prefix)) continue;
      const int n = size_in(config, prefix);
      if (n < 0)
        refuse(runs.front()->dir, absl::StrCat("the config name is not ", prefix, "<N>"),
               runs.front()->target);
      p.panels.push_back(panel(runs, n));
      sizes.push_back(absl::StrCat(n));
      most = std::max(most, runs.size());
      add_runs(p, runs);
    }
  };
  take("parity_d", ds, [&](const std::vector<const Run*>& runs, int d) {
    return error_rate_panel(p, runs, absl::StrFormat("parities of d = %d bits", d), "Adam step",
                            0.6, learners("accuracy"), &nonfinite);
  });
  take("tuples_k", ks, [&](const std::vector<const Run*>& runs, int k) {
    return error_rate_panel(p, runs, absl::StrFormat("line images, tuples of k = %d", k),
                            "Adam step", 0.6, learners("accuracy"), &nonfinite);
  });
  take("curves_n", ns, [&](const std::vector<const Run*>& runs, int n) {
    return squared_error_panel(p, runs, absl::StrFormat("curves to their encoding, n = %d", n),
                               "Adam step", learners("test_mse"), &nonfinite, &nonpositive,
                               &clipped);
  });
  if (p.panels.empty())
    missing("claim x4_perturbation with configs parity_d<D>, tuples_k<K> or curves_n<N>", kBinary);
  lay_out(p);
  p.caption = absl::StrCat(
      "Back-propagation, 16 antithetic Gaussian perturbations of size $\\sigma = 0.01$ and 16 "
      "pairs of Cauchy-distributed sizes (median $\\sigma$) a step, every learner by Adam "
      "(learning rate $10^{-3}$) on the same fresh batches of 128 from the same initial "
      "weights. ",
      ds.empty() ? ""
                 : absl::StrCat("Parities of $d \\in \\{", absl::StrJoin(ds, ", "),
                                "\\}$ bits (E2.1's network $d$–$10d$–1, hinge loss) and "),
      ks.empty() ? ""
                 : absl::StrCat("tuples of $k \\in \\{", absl::StrJoin(ks, ", "),
                                "\\}$ line images (the MLP $784k$–16–1 on the pixels, hinge "
                                "loss): error $1 -$ accuracy on 2 000 held-out samples, chance "
                                "dashed. "),
      ns.empty() ? ""
                 : absl::StrCat("Curves with 3 kinks at $n \\in \\{", absl::StrJoin(ns, ", "),
                                "\\}$ points to their encoding $p = U f$ (the MLP $n$–16–$n$, "
                                "squared loss): held-out squared error per coordinate (log "
                                "scale); dashed: the error of predicting each coordinate's "
                                "mean. "),
      seed_phrase(most, seeds_of(p.runs), "shaded bands"), notes(nonfinite, nonpositive, clipped));
  return p;
}

}  // namespace

FigureList ext_perturbation_figures() {
  return {{"x4_flat", x4_flat}, {"x4_families", x4_families}};
}

[[maybe_unused]] const bool kRegistered = register_figures(9, ext_perturbation_figures);

}  // namespace fgbdl::report
