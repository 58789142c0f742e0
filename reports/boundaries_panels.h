// The panels of the figure `boundaries` (figures_boundaries.cc; section
// "Where each failure begins", paper/boundaries.md): one function per
// family, each drawing the measured rate or quantity against the family's
// setting, its intervals, the fitted boundary with its interval and the
// paper's own settings, from the runs of its grid (reports/boundaries.bzl).
// Each refuses missing or malformed runs (BadInput naming the binary). The
// families of Sections 4 and 5 join the figure with their panels declared in
// figures_boundaries_sec45.h, one line each in `boundaries`.
#ifndef REPORTS_BOUNDARIES_PANELS_H_
#define REPORTS_BOUNDARIES_PANELS_H_

#include <vector>

#include "reports/figure_kit.h"

namespace fgbdl::report {

// B2.1: the success rate of parities against d at each run's budget, with
// Clopper-Pearson intervals, the logistic fit and its crossing d50.
Panel parity_panel(Plot& p, const std::vector<Run>& runs);
// B2.1: the success rate against the step budget at three d (the paper's
// d = 10 and the two grid d's nearest the crossing), from the same curves.
Panel parity_budget_panel(Plot& p, const std::vector<Run>& runs);
// B3.1: the success rate of tuples against k, end to end and with
// decomposition, with the end-to-end fit and its crossing k50.
Panel tuples_panel(Plot& p, const std::vector<Run>& runs);
// B3.2: the paired gap L_e2e - L_dec at the last step against k (log
// scale), with Student t intervals, the material gap and the boundary k*.
Panel stocks_panel(Plot& p, const std::vector<Run>& runs);

}  // namespace fgbdl::report

#endif  // REPORTS_BOUNDARIES_PANELS_H_
