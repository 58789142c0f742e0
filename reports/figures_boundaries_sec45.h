// The summary panels of "Where the failures of Sections 4 and 5 begin"
// (paper/boundaries_sec45.md, claims B4.1 and B5), one per family, for the
// part's summary figure (a panel per family) and for this section's own
// figures (figures_boundaries_sec45.cc). Each panel is self-contained (it
// resets the axes it uses), adds its data blocks and runs to `p`, shows the
// measured quantity against the setting with its intervals, the fitted
// boundary with its interval, and marks the paper's own setting.
#ifndef REPORTS_FIGURES_BOUNDARIES_SEC45_H_
#define REPORTS_FIGURES_BOUNDARIES_SEC45_H_

#include <vector>

#include "reports/figures.h"
#include "reports/inputs.h"

namespace fgbdl::report {

// B4.1: SGD steps to the relative error 10^-2 against n (log-log), for the
// fully connected, convolutional and whitened convolutional encoders: every
// run as a point (censored runs as open triangles at the cap), the fit of
// log2 steps = a + alpha log2 n over the n where no run is censored with the
// band of alpha's 95% interval, the paper's n = 100 dotted. Refuses missing
// runs of b4_1_steps, naming //experiments/boundaries_sec45:b4_1_steps.
Panel b4_1_panel(Plot& p, const std::vector<Run>& runs);

// B5: the approximation's fraction of unexplained variance at the end of
// training against the sharpness c (log-log): the mean over seeds with its
// 95% t interval, the level 0.1, the boundary c* where the mean crosses it
// with the interval from the interval's ends (a shaded stretch; an arrow at
// the grid's edge when a crossing lies outside the grid), the forward-only
// update's mean (which has no c) dashed, the paper's c = 5 dotted. Refuses
// missing runs of b5_sharpness, naming //experiments/boundaries_sec45:b5_sweep.
Panel b5_panel(Plot& p, const std::vector<Run>& runs);

}  // namespace fgbdl::report

#endif  // REPORTS_FIGURES_BOUNDARIES_SEC45_H_
