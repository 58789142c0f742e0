// Runs a helper program (gnuplot, git) and captures what it prints.
#ifndef REPORTS_PROCESS_H_
#define REPORTS_PROCESS_H_

#include <string>
#include <vector>

namespace fgbdl::report {

struct ProcessResult {
  int exit_code = -1;  // the exit status; 128 + N if killed by signal N; 127 if not found
  std::string output;  // stdout, and stderr if `with_stderr`
};

// Runs argv[0] (searched in PATH) with the given arguments in directory
// `cwd` (empty: the current one), stdin from /dev/null, and waits for it.
// Throws std::runtime_error only if no process could be created.
ProcessResult run_process(const std::vector<std::string>& argv, const std::string& cwd,
                          bool with_stderr);

}  // namespace fgbdl::report

#endif  // REPORTS_PROCESS_H_
