// The report generator behind `bazel run //reports:paper`: reads the runs,
// the claim verdicts and the literate text listed in an inputs file
// (reports/inputs.h), draws the figures (reports/figures.h) and writes one
// static HTML page:
//
//   <out>/index.html       title, provenance, claims table, the woven text
//                          with figures, compute table
//   <out>/claims.json      the claims table and the discrepancies table
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
  std::string dot = "dot";  // Graphviz, for the diagrams
  std::string workspace;  // the source tree, for `git rev-parse HEAD`; may be empty
};

// A claim's status, from the verdict of its test.
struct ClaimStatus {
  // "verified", "refuted" (the test passed and recorded a counterexample to
  // the paper's statement with RecordProperty("refuted", ...): it checks
  // the counterexample and the corrected statement), "failed" or "not run".
  std::string status;
  std::string detail;  // one sentence: why
  std::vector<std::string> measured;
  std::vector<std::string> refuted;  // the counterexamples
  const Verdict* verdict = nullptr;
};
ClaimStatus status_of(const Claim& claim, const std::vector<Verdict>& verdicts);

// One row of a text's table of differences between the paper and the
// authors' scripts: the markdown table (columns `where | paper | scripts |
// this package`) that follows the heading "Where the paper and the original
// scripts differ" in a paper/*.md file. The report shows the rows of every
// text in one table and lists them in claims.json.
struct Discrepancy {
  std::string section;                         // the text's first top-level heading
  std::string anchor;                          // HTML id of the heading above the table
  std::string where, paper, scripts, package;  // inline markdown
  std::string source;                          // file:line of the row
};
inline constexpr char kDiscrepancyHeading[] = "Where the paper and the original scripts differ";

// The discrepancy rows of one text (none if it has no such heading). Throws
// BadInput naming file:line if the heading has no table under it, the table
// has other columns, a row has another number of cells, or the heading
// appears twice.
std::vector<Discrepancy> discrepancies_of(const Document& doc);

// Generates the report; throws BadInput on missing or malformed inputs and
// std::runtime_error on other failures (gnuplot, disk).
void generate(const Options& options);

}  // namespace fgbdl::report

#endif  // REPORTS_REPORT_H_
