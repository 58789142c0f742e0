// Results of one experiment run: metrics.csv plus manifest.json.
//
// Layout (paper/design.md, Data flow): <root>/<claim>/<config>/seed-<S>/ holds
//   metrics.csv    a header line of column names, then rows of numbers;
//   manifest.json  one flat JSON object: claim, config, seed, profile,
//                  status ("complete" or "diverged"), diverged_step,
//                  git_commit, compiler, blas, threads, wall_time_s,
//                  peak_rss_mib, package_version, metrics_rows (the number
//                  of data rows of metrics.csv), metrics_fnv1a64 (FNV-1a/64
//                  of metrics.csv's bytes, 16 lowercase hex digits), plus
//                  the run's settings.
// Both files are written to a temporary name and renamed, metrics first and
// the manifest last: a run directory with a manifest is complete, and an
// interrupted run never leaves a file that reads as complete. The row count
// and hash let a reader tell a metrics.csv cut at a row end (or replaced)
// from the one the run wrote.
#ifndef LIB_IO_RESULTS_H_
#define LIB_IO_RESULTS_H_

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace fgbdl {

inline constexpr char kPackageVersion[] = "0.1.0";

// Identifies one run: experiment (claim stem, e.g. "e2_1"), configuration
// (e.g. "d5"), seed and profile.
struct RunId {
  std::string claim;
  std::string config;
  std::uint64_t seed = 0;
  std::string profile;
};

// A table of numbers with named columns.
class Table {
 public:
  explicit Table(std::vector<std::string> columns);
  void add_row(const std::vector<double>& row);  // one value per column
  const std::vector<std::string>& columns() const { return columns_; }
  const std::vector<std::vector<double>>& rows() const { return rows_; }
  std::string to_csv() const;  // %.9g, "nan"/"inf" spelled out

 private:
  std::vector<std::string> columns_;
  std::vector<std::vector<double>> rows_;
};

// <root>/<claim>/<config>/seed-<seed>
std::string run_dir(const std::string& root, const RunId& id);

// Writes `content` to `path` through `path.tmp.<pid>` and rename(2), after
// creating missing parent directories. Throws std::runtime_error naming the
// path on failure and leaves no temporary file behind.
void write_file_atomically(const std::string& path, const std::string& content);

// The temporaries write_file_atomically leaves behind when its process is
// killed: files "<name>.tmp.<pid>" in `dir` (not below it) whose <pid> is all
// digits, is not this process and names no live process. Removes them and
// returns how many; a missing `dir` has none. write_run calls it on the run
// directory, so a rerun of a killed run leaves no stale temporary.
int remove_stale_temporaries(const std::string& dir);

// FNV-1a, 64 bits (Fowler, Noll, Vo; offset basis 14695981039346656037,
// prime 1099511628211) of `bytes`, as 16 lowercase hex digits.
std::string fnv1a64_hex(const std::string& bytes);

// Throws UsageError naming --<flag> unless `dir` exists (or can be created)
// and is writable; creates nothing else. Call before doing any work.
void check_output_dir(const std::string& flag, const std::string& dir);

// JSON string literal for `s` (quotes included).
std::string json_quote(const std::string& s);

// How a run ended.
struct RunStatus {
  bool diverged = false;
  std::int64_t diverged_step = -1;  // first step with a non-finite loss
};

// Writes metrics.csv, then manifest.json, into run_dir(root, id), after
// removing the stale temporaries of earlier, killed runs of that directory.
// `settings` are the run's own parameters (steps, learning rate, ...),
// already JSON-encoded values keyed by name.
void write_run(const std::string& root, const RunId& id, const Table& metrics,
               const std::map<std::string, std::string>& settings, const RunStatus& status,
               double wall_time_s);

// Provenance of this process: the git commit (`git rev-parse HEAD` in
// $BUILD_WORKSPACE_DIRECTORY under `bazel run`; "unknown" inside a Bazel
// action, see tools/defs.bzl), compiler, BLAS configuration, BLAS threads,
// peak resident memory.
std::string git_commit();
std::string compiler_version();
std::string blas_config();
int blas_threads();
// Sets the number of OpenBLAS threads of this process. Experiment binaries
// use one (paper/design.md, Numerics: parallelism comes from running runs side by side).
void set_blas_threads(int threads);
double peak_rss_mib();

}  // namespace fgbdl

#endif  // LIB_IO_RESULTS_H_
