// Reliability checks of the experiment binaries (paper/design.md, "Bad input and
// failures"): the list of binaries under test, a child-process runner
// (fork/exec, timeout, SIGKILL at a chosen moment), and the checkers of a
// results tree (metrics.csv and manifest.json as lib/io/results.h writes
// them) and of a refusal (exit 2, one stderr line naming the flag, nothing
// written).
//
// The binaries and their settings come from the test's command line, one
// argument per binary, made by tools/reliability/experiments.bzl:
//   name=<n>|bin=<path>|quick=<flags>|diverge=<flags>|bad=<elements>|checkpoint=<file>
// with the flags of a field joined by '+'; the report generator and the
// benchmark binaries (bad command lines only) add
//   kind=<experiment|report|bench>|out=<flag>[/<file>]|out_optional=<yes|no>|
//   always=<elements>|no_generic=<flag names>
// (defaults: experiment, --out, no, none, none). In `bad` and `always`,
// @OUT stands for the output directory of the test and @FILE for a regular
// file next to it.
#ifndef TOOLS_RELIABILITY_RELIABILITY_H_
#define TOOLS_RELIABILITY_RELIABILITY_H_

#include <functional>
#include <map>
#include <string>
#include <vector>

namespace fgbdl::reliability {

// One binary under test: an experiment binary, or (bad command lines only)
// the report generator or a benchmark binary.
struct Experiment {
  std::string name;                     // e.g. "e2_1_parity"
  std::string bin;                      // absolute path of the binary
  std::vector<std::string> quick;       // flags of a short run (0.1-1 s opt), without --out/--seeds
  std::vector<std::string> diverge;     // extra flags that make the run diverge; empty: none known
  std::vector<std::string> bad;         // extra known-bad elements "--flag=value"
  std::string checkpoint;               // checkpoint file name in a run dir; "": none
  std::string kind = "experiment";      // "experiment", "report" or "bench"
  std::string out_flag = "--out";       // the flag naming where results go
  std::string out_file;                 // "": out_flag takes a directory; else a file in it
  bool out_optional = false;            // the binary runs without out_flag
  std::vector<std::string> always;      // elements every command line needs (e.g. --inputs)
  std::vector<std::string> no_generic;  // flags (no "--") that accept some generic bad value

  // The value of out_flag for the directory `dir`.
  std::string out_value(const std::string& dir) const {
    return out_file.empty() ? dir : dir + "/" + out_file;
  }
};

// Parses the arguments described above (throws std::invalid_argument).
Experiment parse_experiment(const std::string& arg);

// The experiment binaries given on the command line (set by
// reliability_main.cc), and every binary given (experiments, report,
// benchmarks).
std::vector<Experiment>& experiments();
std::vector<Experiment>& all_binaries();

// `element` with @OUT replaced by `out` and @FILE by `file`.
std::string substitute(const std::string& element, const std::string& out,
                       const std::string& file);

// How a child process ended.
struct ChildResult {
  bool exited = false;     // exited normally (exit_code valid)
  int exit_code = -1;
  int signal = 0;          // the signal that ended it, if any
  bool killed = false;     // we sent SIGKILL because should_kill said so
  bool timed_out = false;  // we sent SIGKILL because it ran past the timeout
  double wall_s = 0;
  std::string out, err;    // its stdout and stderr
};

// Runs argv[0] with argv (execv, no shell) in directory `cwd`, stdout and
// stderr into files `log_prefix`.out/.err (read back into the result).
// Every millisecond or so asks should_kill(elapsed seconds); on true, sends
// SIGKILL. Past timeout_s, sends SIGKILL and sets timed_out.
// With `without_dac_override`, a child running as root first drops
// CAP_DAC_OVERRIDE and CAP_DAC_READ_SEARCH from its capability bounding set,
// so that after exec file permission bits bind it as they bind any user (a
// read-only directory is not writable); if it cannot, it exits with
// kCannotDropCapabilities before exec. Not root: nothing to drop.
inline constexpr int kCannotDropCapabilities = 125;
ChildResult run_child(const std::vector<std::string>& argv, const std::string& cwd,
                      const std::string& log_prefix, double timeout_s,
                      const std::function<bool(double)>& should_kill = nullptr,
                      bool without_dac_override = false);

// `flags` plus --out=<out> and --seeds=<seed>, for e.
std::vector<std::string> command(const Experiment& e, const std::string& out, int seed,
                                 const std::vector<std::string>& extra = {});

// A fresh empty directory under $TEST_TMPDIR (or /tmp).
std::string fresh_dir(const std::string& name);

// --- Results -------------------------------------------------------------

// Parses metrics.csv text: a header of distinct non-empty column names, then
// rows with as many numeric fields ("nan", "inf", "-inf" allowed), every
// line ending in '\n'. Returns "" or what is wrong.
std::string check_csv(const std::string& text, std::vector<std::string>* header = nullptr,
                      std::size_t* rows = nullptr);

// Parses manifest.json text as JSON (nlohmann::json), one top-level object
// without repeated keys, and returns "" or what is wrong; `fields` receives
// the top-level keys and their values: strings decoded, other values as
// compact JSON text.
std::string check_json_object(const std::string& text,
                              std::map<std::string, std::string>* fields = nullptr);

// FNV-1a/64 of `bytes` as 16 lowercase hex digits: what manifest.json
// records of metrics.csv (metrics_fnv1a64; written out again here so that
// the checkers do not trust lib/io's own code).
std::string fnv1a64_hex(const std::string& bytes);

// The keys every manifest has (lib/io/results.h).
const std::vector<std::string>& manifest_keys();

// What a results tree holds. Paths are relative to the root.
struct TreeCheck {
  std::vector<std::string> errors;           // every violated rule, one line each
  std::map<std::string, std::string> complete;  // run dir -> metrics.csv bytes (has manifest)
  std::map<std::string, std::string> status;    // run dir -> manifest "status"
  int incomplete_dirs = 0;   // run dirs with files but no manifest (interrupted)
  int temporary_files = 0;   // leftover *.tmp.<pid> files
  int falsely_complete = 0;  // run dirs with a manifest.json that break a rule (not in `complete`)
};

// Checks every run dir under `root`:
//  * a manifest.json parses, has manifest_keys(), its claim/config/seed
//    match the path, its status is "complete" or "diverged", its
//    metrics_rows and metrics_fnv1a64 match the metrics.csv next to it;
//  * a dir with manifest.json has a metrics.csv that parses;
//  * every metrics.csv (with or without a manifest) parses;
//  * if `reference` is given (run dir -> metrics.csv bytes of an
//    uninterrupted run), every metrics.csv has the reference's header, row
//    count and bytes, and no run dir exists that the reference lacks.
TreeCheck check_tree(const std::string& root,
                     const std::map<std::string, std::string>* reference = nullptr);

// Results lost: run dirs in `reported` (run dir -> metrics.csv bytes, seen
// complete before) that `now` does not hold complete with the same bytes.
int lost_results(const std::map<std::string, std::string>& reported, const TreeCheck& now);

// --- Refusals ------------------------------------------------------------

// Checks a refusal of bad input: exit code 2, nothing on stdout, exactly one
// line on stderr, naming one of `names` (a flag "--x" must be followed by a
// character that cannot continue a flag name), and no file or directory
// under `dir` except those listed in `allowed`. Returns "" or what is wrong.
std::string check_refusal(const ChildResult& r, const std::vector<std::string>& names,
                          const std::string& dir, const std::vector<std::string>& allowed);

// The flags a binary declares (its --help: lines "  --name: ... (default: D)"),
// name -> default text.
std::map<std::string, std::string> declared_flags(const Experiment& e);

// Files of a tree, relative to root, sorted.
std::vector<std::string> list_files(const std::string& root);
std::string read_file(const std::string& path);

}  // namespace fgbdl::reliability

#endif  // TOOLS_RELIABILITY_RELIABILITY_H_
