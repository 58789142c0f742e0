// //reports:report: the report generator (reports/report.h). `bazel run
// //reports:paper` runs it on the package's runs, verdicts and text;
// exit 0 on success, 2 on a bad flag or a missing/malformed input (one line
// naming the file and the target that makes it), 1 on other failures.
#include <cstdio>

#include "lib/core/error.h"
#include "lib/core/flags.h"
#include "reports/report.h"

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
    if (!flags.finish()) return 0;
    if (o.inputs.empty())
      throw fgbdl::UsageError("--inputs: missing; allowed: the path of an inputs file");
    if (o.out.empty())
      throw fgbdl::UsageError("--out: missing; allowed: a directory to write the report to");
    fgbdl::report::generate(o);
    std::printf("report: wrote %s/index.html\n", o.out.c_str());
    return 0;
  });
}
