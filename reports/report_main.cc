// //reports:report: the report generator (reports/report.h). `bazel run
// //reports:paper` runs it on the package's runs, verdicts and text;
// exit 0 on success, 2 on a bad flag or a missing/malformed input (one line
// naming the file and the target that makes it), 1 on other failures.
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>

#include "lib/core/error.h"
#include "lib/core/flags.h"
#include "reports/report.h"

namespace {
namespace fs = std::filesystem;

// Throws UsageError naming --<flag> unless `program` is an executable file
// (a path) or found on $PATH (a bare name).
void check_program(const std::string& flag, const std::string& program) {
  std::error_code ec;
  if (program.find('/') != std::string::npos) {
    if (fs::is_regular_file(program, ec) && ::access(program.c_str(), X_OK) == 0) return;
  } else if (const char* path = std::getenv("PATH")) {
    std::string dirs = path;
    for (std::size_t from = 0; from <= dirs.size();) {
      std::size_t colon = dirs.find(':', from);
      if (colon == std::string::npos) colon = dirs.size();
      const std::string candidate = dirs.substr(from, colon - from) + "/" + program;
      if (fs::is_regular_file(candidate, ec) && ::access(candidate.c_str(), X_OK) == 0) return;
      from = colon + 1;
    }
  }
  throw fgbdl::UsageError("--" + flag + ": '" + program +
                          "' is not an executable program; allowed: a path or a name on $PATH");
}

// Bad flag values are refused before any input is read (exit 2, one line
// naming the flag); problems inside the inputs are refused by generate().
void check_flags(const fgbdl::report::Options& o) {
  std::error_code ec;
  if (!fs::is_regular_file(o.inputs, ec))
    throw fgbdl::UsageError("--inputs: '" + o.inputs + "' is not a file; allowed: the path of an inputs file");
  if (fs::exists(o.out, ec) && !fs::is_directory(o.out, ec))
    throw fgbdl::UsageError("--out: '" + o.out + "' exists and is not a directory");
  fs::path existing = fs::absolute(o.out, ec).lexically_normal();
  while (!fs::exists(existing, ec) && existing.has_parent_path() && existing != existing.parent_path())
    existing = existing.parent_path();
  if (!fs::is_directory(existing, ec) || ::access(existing.c_str(), W_OK) != 0)
    throw fgbdl::UsageError("--out: '" + o.out + "' cannot be made: '" + existing.string() +
                            "' is not a writable directory");
  if (!fs::is_regular_file(fs::path(o.katex) / "katex.min.js", ec))
    throw fgbdl::UsageError("--katex: '" + o.katex +
                            "' holds no katex.min.js; allowed: a KaTeX directory (libjs-katex)");
  check_program("gnuplot", o.gnuplot);
  check_program("dot", o.dot);
  if (!o.workspace.empty() && !fs::is_directory(o.workspace, ec))
    throw fgbdl::UsageError("--workspace: '" + o.workspace + "' is not a directory");
  if (!o.results.empty() && !fs::is_directory(o.results, ec))
    throw fgbdl::UsageError("--results: '" + o.results +
                            "' is not a directory; allowed: a results directory of run_list runs");
}

}  // namespace

int main(int argc, char** argv) {
  return fgbdl::run_main("report", [&] {
    fgbdl::Flags flags(
        argc, argv,
        "Writes the HTML report (index.html, claims.json, figures/, katex/) from the runs, "
        "claim verdicts and paper/*.md listed in --inputs. Usually run as "
        "`bazel run //reports:paper`.");
    fgbdl::report::Options o;
    o.inputs =
        flags.get_string("inputs", "", "the inputs file written by paper_report (tools/defs.bzl)");
    o.out = flags.get_string("out", "", "the report directory to write (replaced as a whole)");
    o.katex = flags.get_string("katex", o.katex, "directory of KaTeX (Debian package libjs-katex)");
    o.gnuplot = flags.get_string("gnuplot", o.gnuplot, "the gnuplot program");
    o.dot = flags.get_string("dot", o.dot, "the Graphviz dot program (Debian package graphviz)");
    o.workspace = flags.get_string("workspace", "", "the source tree, for its git commit");
    o.results = flags.get_string(
        "results", "",
        "runs made outside Bazel (tools/cluster/slurm_submit.sh): run <name> is read from "
        "<results>/<name>/; only for a report whose runs are external (//reports:paper_from_results)");
    if (!flags.finish()) return 0;
    if (o.inputs.empty())
      throw fgbdl::UsageError("--inputs: missing; allowed: the path of an inputs file");
    if (o.out.empty())
      throw fgbdl::UsageError("--out: missing; allowed: a directory to write the report to");
    if (flags.given("results") && o.results.empty())
      throw fgbdl::UsageError("--results: empty; allowed: a results directory of run_list runs");
    check_flags(o);
    const std::string summary = fgbdl::report::generate(o);
    std::printf("report: wrote %s/index.html; %s\n", o.out.c_str(), summary.c_str());
    return 0;
  });
}
