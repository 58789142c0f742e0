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
  std::string results;    // runs made outside Bazel: <results>/<run name>/ (load_inputs)
};

// One verdict a test case recorded on a claim (record_verdict,
// proofs_checks/verdict.h: the property "verdict:<id>" with the value
// "<state>: <statistic>").
struct VerdictRecord {
  std::string test_case;  // Suite.Name
  std::string state;      // "verified", "refuted" or "not confirmed"
  std::string statistic;  // the numbers behind it, as the test states them
};

// A claim's status, from the test cases of its test that decide it: those its
// `cases` filter selects, or every case of the test if it has none.
struct ClaimStatus {
  // "verified": every selected case passed and none recorded otherwise;
  // "refuted": they passed and one recorded a counterexample (exact, or a
  //   difference significant at the level its statistic states; the test
  //   then checks the corrected statement);
  // "not confirmed": they passed, none refuted the claim, and one recorded
  //   that the data do not decide it (a tie within noise);
  // "failed": a selected case failed, the test crashed, no selected case
  //   ran, or a record is malformed or outside the selected cases;
  // "not run": the claim names no test, or the report has no verdict for it.
  std::string status;
  std::string detail;  // one sentence: why
  std::vector<std::string> measured;  // "measured" properties of the selected cases
  std::vector<VerdictRecord> records;  // the selected cases' verdicts on this claim
  int cases_selected = 0;              // cases of the test the claim's filter selects
  int cases_run = 0;                   // selected cases that ran (not skipped)
  const Verdict* verdict = nullptr;
};
inline constexpr const char* kStatuses[] = {"verified", "refuted", "not confirmed", "failed",
                                            "not run"};

// Whether the test case `full_name` (Suite.Name) is selected by `filter`:
// patterns separated by ':' or white space, '*' matching any string and '?'
// any one character; an empty filter selects every case.
bool case_selected(const std::string& filter, const std::string& full_name);

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
// std::runtime_error on other failures (gnuplot, disk). Returns the summary
// line of the claims ("18 claims: 12 verified, 3 refuted, 1 not confirmed,
// 1 failed, 1 not run").
std::string generate(const Options& options);

}  // namespace fgbdl::report

#endif  // REPORTS_REPORT_H_
