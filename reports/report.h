// The report generator behind `bazel run //reports:paper`: reads the runs,
// the claim verdicts and the literate text listed in an inputs file
// (reports/inputs.h), draws the figures (reports/figures.h) and writes one
// static HTML page:
//
//   <out>/index.html       title, provenance, claims table, the woven text
//                          with figures, compute table
//   <out>/claims.json      the claims table
//   <out>/figures/*.svg    (and figures/data/*.{dat,gp}, what drew them)
//   <out>/katex/           KaTeX copied from the system (offline math)
//
// Everything is checked before anything is written; the page is built in a
// sibling directory and swapped into place, so an interrupted or refused
// run leaves the previous report as it was.
#ifndef REPORTS_REPORT_H_
#define REPORTS_REPORT_H_

#include <string>
#include <vector>

#include "reports/inputs.h"
#include "reports/markdown.h"

namespace fgbdl::report {

struct Options {
  std::string inputs;  // the inputs file (paper_report in tools/defs.bzl)
  std::string out;     // the report directory, replaced as a whole
  std::string katex = "/usr/share/javascript/katex";
  std::string gnuplot = "gnuplot";
  std::string workspace;  // the source tree, for `git rev-parse HEAD`; may be empty
};

// A claim's status, from the verdict of its test.
struct ClaimStatus {
  std::string status;  // "verified", "failed" or "not run"
  std::string detail;  // one sentence: why
  std::vector<std::string> measured;
  const Verdict* verdict = nullptr;
};
ClaimStatus status_of(const Claim& claim, const std::vector<Verdict>& verdicts);

// Generates the report; throws BadInput on missing or malformed inputs and
// std::runtime_error on other failures (gnuplot, disk).
void generate(const Options& options);

}  // namespace fgbdl::report

#endif  // REPORTS_REPORT_H_
