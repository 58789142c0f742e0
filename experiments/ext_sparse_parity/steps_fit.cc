#include "experiments/ext_sparse_parity/steps_fit.h"

#include <algorithm>
#include <cmath>
#include <set>

namespace fgbdl {

StepsFit fit_steps_exponent(const std::vector<StepsPoint>& runs) {
  StepsFit f;
  std::set<double> censored_n;
  for (const StepsPoint& p : runs)
    if (!p.solved) {
      censored_n.insert(p.n);
      ++f.censored;
    }
  f.left_out.assign(censored_n.begin(), censored_n.end());
  std::vector<double> x, steps;
  for (const StepsPoint& p : runs) {
    if (censored_n.count(p.n)) continue;
    x.push_back(std::log2(p.n));
    steps.push_back(p.steps);
  }
  f.runs = x.size();
  f.fit = fit_log2_line(x, steps);
  return f;
}

}  // namespace fgbdl
