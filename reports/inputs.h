// The report's inputs, loaded and validated before anything is written:
// experiment runs (lib/io/results.h layout), claim verdicts (claim_verdict in
// tools/defs.bzl) and the literate text (paper/*.md), as listed by the
// inputs file that paper_report writes:
//
//   {"report": "//reports:paper",
//    "runs": [{"target": "//reports:e2_1_parity_d5_seed1",
//              "binary": "//experiments/sec2_parity:e2_1_parity",
//              "dir": "reports/e2_1_parity_d5_seed1",       (a results root)
//              "args": ["--profile=quick", "--seeds=1", "--d=5"],
//              "profile": "quick"}, ...],
//    "verdicts": [{"target": "//reports:e2_1_parity_verdict",
//                  "test": "//proofs_checks/sec2_parity:e2_1_parity_test",
//                  "xml": "...", "exit_code": "...", "log": "..."}, ...],
//    "papers": ["paper/sec2_parity.md"]}
//
// With paper_report's external_runs, the file also holds "results":
// "external" and each run's "dir" is its target's name, looked up under the
// generator's --results directory.
//
// Relative paths are relative to the working directory (under `bazel run`,
// the runfiles root). Anything missing or malformed throws BadInput with one
// message naming the file and the Bazel target that makes it.
#ifndef REPORTS_INPUTS_H_
#define REPORTS_INPUTS_H_

#include <cstdint>
#include <string>
#include <vector>

#include "lib/core/error.h"
#include "reports/gtest_xml.h"

namespace fgbdl::report {

// A missing or malformed input. Exit code 2 (lib/core/error.h).
struct BadInput : UsageError {
  using UsageError::UsageError;
};

// Throws BadInput: "<file>: <problem> (made by <target>: bazel build <target>)".
[[noreturn]] void refuse(const std::string& file, const std::string& problem,
                         const std::string& target);

// Reads a whole file; a missing or unreadable file is refused.
std::string read_input(const std::string& path, const std::string& target);

// metrics.csv: a header of distinct column names, then at least one row of
// numbers ("nan", "inf" and "-inf" allowed: a diverged run is a result),
// every line ending with a newline (a file cut short is refused).
struct Metrics {
  std::vector<std::string> columns;
  std::vector<std::vector<double>> rows;
};
Metrics parse_metrics(const std::string& path, const std::string& text, const std::string& target);

// manifest.json: the fields lib/io/results.h writes; all are required.
// metrics_rows and metrics_fnv1a64 describe the metrics.csv the run wrote
// (load_inputs refuses a metrics.csv that does not match them); `steps` is
// the "steps" entry of the run's settings, -1 if it records none (runs that
// do not train).
struct Manifest {
  std::string claim, config, profile, status, git_commit, compiler, blas, package_version;
  std::int64_t seed = 0, diverged_step = -1, threads = 0;
  double wall_time_s = 0, peak_rss_mib = 0;
  std::int64_t metrics_rows = 0;
  std::string metrics_fnv1a64;  // 16 lowercase hex digits
  std::int64_t steps = -1;
};
Manifest parse_manifest(const std::string& path, const std::string& text,
                        const std::string& target);

// One run directory <root>/<claim>/<config>/seed-<S>.
struct Run {
  std::string claim, config;
  std::int64_t seed = 0;
  std::string dir;
  std::string target;  // the experiment_run target that made it
  std::string binary;  // the experiment binary
  std::vector<std::string> args;
  Manifest manifest;
  Metrics metrics;

  std::string metrics_path() const { return dir + "/metrics.csv"; }
  // The values of column `name`; a missing column is refused.
  std::vector<double> column(const std::string& name) const;
};

// The outcome of one claim test run by claim_verdict.
struct Verdict {
  std::string target;  // the claim_verdict target
  std::string test;    // the cc_test label
  std::string xml_path;
  int exit_code = 0;
  bool has_xml = false;  // false: the test wrote no (readable) XML, e.g. it crashed
  GtestReport xml;
  std::string log_tail;  // the end of the test's output
};

struct Inputs {
  std::string report_target;
  std::string config;   // the --config the report is built with; empty for none
  std::string results;  // the --results directory of external runs; empty for Bazel's
  // Sorted by claim, config (natural order), seed. A run that several targets
  // write (same claim, config and seed) appears once, from the first target
  // listed; its copies must have the same metrics, or the inputs are refused.
  std::vector<Run> runs;
  std::vector<Verdict> verdicts;
  std::vector<std::string> papers;
};

// `results`: empty for an inputs file whose runs Bazel built; for one that
// paper_report wrote with external_runs ("results": "external"), the
// directory the runs were written to, run <name> in <results>/<name>/ (the
// layout tools/cluster/slurm_submit.sh writes). Either mismatch is a
// UsageError naming --results.
Inputs load_inputs(const std::string& inputs_path, const std::string& results = "");

// "d5" < "d10": digit runs compare as numbers.
bool natural_less(const std::string& a, const std::string& b);

}  // namespace fgbdl::report

#endif  // REPORTS_INPUTS_H_
