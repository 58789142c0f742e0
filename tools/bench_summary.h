// A hook of the package's benchmark main (tools/bench_main.cc): a binary that
// registers a summary gets, after all its benchmarks ran with the console
// output (the default), the median of every benchmark (over its repetitions,
// or its one run) and its counters, to print a table against reference
// values (//bench:paper: against the PyTorch twin timed in the same run).
#ifndef TOOLS_BENCH_SUMMARY_H_
#define TOOLS_BENCH_SUMMARY_H_

#include <functional>
#include <map>
#include <string>
#include <vector>

namespace fgbdl {

struct BenchMedian {
  std::string name;     // the benchmark's name without the aggregate suffix, e.g. "BM_X/k:4"
  std::string label;    // its label (SetLabel), may be empty
  double real_ms = 0;   // median real time per iteration, milliseconds
  double cpu_ms = 0;    // median CPU time of the process per iteration, milliseconds
  std::map<std::string, double> counters;  // median counter values
};

using BenchSummary = std::function<void(const std::vector<BenchMedian>&)>;

// Sets the summary of this binary (at most one; call from a static
// initializer). Returns true.
bool set_bench_summary(BenchSummary summary);

}  // namespace fgbdl

#endif  // TOOLS_BENCH_SUMMARY_H_
