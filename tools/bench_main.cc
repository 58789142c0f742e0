// main() of the package's Google Benchmark binaries (the *_bench targets):
// BENCHMARK_MAIN with the package's contract for bad input (paper/design.md).
// Google Benchmark 1.7.1 (Debian libbenchmark-dev) alone exits 1 on an
// unknown flag or a number it cannot parse (two stderr lines), and exits 0
// after a --benchmark_format it does not know (usage on stdout), a filter
// that is not a regular expression or matches nothing, takes
// --benchmark_list_tests=maybe as true and runs --benchmark_min_time=-1 and
// --benchmark_repetitions=0 (measured on e2_1_parity_bench). So every
// argument is checked here first: a flag this package does not know, a value
// out of range, a flag given twice or an unwritable --benchmark_out exits 2
// with one line naming the flag, before anything runs or is written.
// A --benchmark_filter that matches no benchmark exits 2 as well (after the
// library's own line, and removing the --benchmark_out file it opened).
// --help (or -h) prints every flag with what it allows and its default, in
// the experiment binaries' format (lib/core/flags.h), and exits 0.
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <regex>
#include <set>
#include <string>
#include <vector>

#include "benchmark/benchmark.h"
#include "lib/core/error.h"
#include "tools/bench_summary.h"

namespace fgbdl {
namespace {

enum class Kind { kBool, kRegex, kSeconds, kCount, kVerbosity, kWords, kPath, kContext };

struct Spec {
  Kind kind;
  std::string allowed;  // what the error message says is allowed
  std::vector<std::string> words;  // kWords: the allowed values
  std::string help;     // what the flag does (--help)
  std::string def;      // Google Benchmark 1.7.1's default ("none": not set)
};

const std::map<std::string, Spec>& specs() {
  static const std::map<std::string, Spec> s = {
      {"benchmark_filter",
       {Kind::kRegex, "an extended regular expression matching benchmarks", {},
        "benchmarks to run", "."}},
      {"benchmark_list_tests", {Kind::kBool, "true, false", {}, "list the benchmarks only", "false"}},
      {"benchmark_min_time",
       {Kind::kSeconds, "seconds, a number in (0, 3600]", {}, "minimum time per benchmark", "0.5"}},
      {"benchmark_min_warmup_time",
       {Kind::kSeconds, "seconds, a number in [0, 3600]", {}, "warm-up time per benchmark", "0"}},
      {"benchmark_repetitions",
       {Kind::kCount, "an integer in [1, 10000]", {}, "repetitions of each benchmark", "1"}},
      {"benchmark_enable_random_interleaving",
       {Kind::kBool, "true, false", {}, "interleave the repetitions randomly", "false"}},
      {"benchmark_report_aggregates_only",
       {Kind::kBool, "true, false", {}, "report only the aggregates of repetitions", "false"}},
      {"benchmark_display_aggregates_only",
       {Kind::kBool, "true, false", {}, "display only the aggregates of repetitions", "false"}},
      {"benchmark_format",
       {Kind::kWords, "console, json, csv", {"console", "json", "csv"}, "format on stdout",
        "console"}},
      {"benchmark_out_format",
       {Kind::kWords, "console, json, csv", {"console", "json", "csv"}, "format of --benchmark_out",
        "json"}},
      {"benchmark_out",
       {Kind::kPath, "a file path in an existing writable directory", {},
        "also write the results to this file", "none"}},
      {"benchmark_color",
       {Kind::kWords, "auto, true, false", {"auto", "true", "false"}, "colour on the console",
        "auto"}},
      {"benchmark_counters_tabular",
       {Kind::kBool, "true, false", {}, "counters as table columns", "false"}},
      {"benchmark_time_unit",
       {Kind::kWords, "ns, us, ms, s", {"ns", "us", "ms", "s"},
        "time unit of every benchmark (none: each benchmark's own)", "none"}},
      {"benchmark_context",
       {Kind::kContext, "key=value pairs separated by commas", {},
        "extra key=value pairs in the report's context", "none"}},
      {"v", {Kind::kVerbosity, "an integer in [0, 10]", {}, "log verbosity", "0"}},
  };
  return s;
}

bool is_help(const std::string& arg) { return arg == "--help" || arg == "-h"; }

// The usage --help prints: one line per flag, "  --name: what; allowed:
// ... (default: D)", as lib/core/flags.h prints the experiments' flags.
void print_usage(const std::string& program) {
  std::printf(
      "%s\n\nGoogle Benchmark benchmarks of the package (main(): tools/bench_main.cc). Every "
      "argument is checked before anything runs: a bad one exits 2 with one line naming "
      "it.\n\nFlags:\n",
      program.c_str());
  for (const auto& [name, spec] : specs()) {
    std::printf("  --%s: %s; allowed: %s (default: %s)\n", name.c_str(), spec.help.c_str(),
                spec.allowed.c_str(), spec.def.c_str());
  }
}

std::string allowed_flags() {
  std::string out;
  for (const auto& [name, spec] : specs()) out += (out.empty() ? "--" : ", --") + name;
  return out;
}

bool parse_number(const std::string& v, double* x) {
  if (v.empty() || std::isspace(static_cast<unsigned char>(v[0]))) return false;
  char* end = nullptr;
  errno = 0;
  *x = std::strtod(v.c_str(), &end);
  return end == v.c_str() + v.size() && errno == 0 && std::isfinite(*x);
}

bool parse_integer(const std::string& v, long lo, long hi) {
  if (v.empty() || v.find_first_not_of("0123456789") != std::string::npos || v.size() > 9)
    return false;
  const long x = std::strtol(v.c_str(), nullptr, 10);
  return x >= lo && x <= hi;
}

// "" if `value` is allowed for `name`, else the problem.
std::string problem(const std::string& name, const Spec& spec, const std::string& value) {
  double x = 0;
  switch (spec.kind) {
    case Kind::kBool:
      return value == "true" || value == "false" ? "" : "not true or false";
    case Kind::kWords:
      for (const std::string& w : spec.words)
        if (value == w) return "";
      return "not one of the allowed words";
    case Kind::kSeconds:
      if (!parse_number(value, &x) || x > 3600) return "not a number of seconds up to 3600";
      if (x < 0 || (x == 0 && name == "benchmark_min_time")) return "out of range";
      return "";
    case Kind::kCount:
      return parse_integer(value, 1, 10000) ? "" : "not an integer in range";
    case Kind::kVerbosity:
      return parse_integer(value, 0, 10) ? "" : "not an integer in range";
    case Kind::kRegex: {
      if (value.empty()) return "empty";
      try {  // as Google Benchmark compiles it (src/re.h)
        std::regex re(value, std::regex::extended | std::regex::nosubs);
      } catch (const std::regex_error&) {
        return "not a valid regular expression";
      }
      return "";
    }
    case Kind::kContext: {
      if (value.empty()) return "empty";
      std::set<std::string> keys;
      std::size_t from = 0;
      while (true) {
        const std::size_t comma = value.find(',', from);
        const std::string pair = value.substr(from, comma - from);
        const std::size_t eq = pair.find('=');
        if (eq == 0 || eq == std::string::npos || !keys.insert(pair.substr(0, eq)).second)
          return "not distinct key=value pairs";
        if (comma == std::string::npos) return "";
        from = comma + 1;
      }
    }
    case Kind::kPath: {
      namespace fs = std::filesystem;
      if (value.empty()) return "empty";
      std::error_code ec;
      if (fs::is_directory(value, ec)) return "is a directory";
      const fs::path parent = fs::path(value).parent_path();
      const std::string dir = parent.empty() ? "." : parent.string();
      if (!fs::is_directory(dir, ec) || ::access(dir.c_str(), W_OK) != 0)
        return "its directory does not exist or is not writable";
      return "";
    }
  }
  return "";
}

// Throws UsageError naming the first bad argument.
void check_args(int argc, char** argv) {
  std::set<std::string> seen;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (is_help(arg)) continue;
    if (arg.rfind("--", 0) != 0 || arg == "--") {
      throw UsageError("unexpected argument '" + arg.substr(0, 80) +
                       "'; allowed flags: " + allowed_flags());
    }
    const std::size_t eq = arg.find('=');
    const std::string name = arg.substr(2, eq == std::string::npos ? std::string::npos : eq - 2);
    const auto it = specs().find(name);
    if (it == specs().end()) {
      throw UsageError("--" + name + ": unknown flag; allowed: " + allowed_flags());
    }
    if (eq == std::string::npos) {
      throw UsageError("--" + name + ": no value (write --" + name + "=VALUE); allowed: " +
                       it->second.allowed);
    }
    if (!seen.insert(name).second) throw UsageError("--" + name + ": given twice");
    const std::string value = arg.substr(eq + 1);
    const std::string p = problem(name, it->second, value);
    if (!p.empty()) {
      throw UsageError("--" + name + ": " + p + ": '" + value.substr(0, 80) +
                       "'; allowed: " + it->second.allowed);
    }
  }
}

BenchSummary& summary_slot() {
  static BenchSummary s;
  return s;
}

// The console reporter, keeping the median of every benchmark for the
// summary.
class MedianReporter : public benchmark::ConsoleReporter {
 public:
  explicit MedianReporter(OutputOptions options) : ConsoleReporter(options) {}
  void ReportRuns(const std::vector<Run>& runs) override {
    for (const Run& r : runs) {
      const bool median = r.run_type == Run::RT_Aggregate && r.aggregate_name == "median";
      const bool single = r.run_type == Run::RT_Iteration && r.repetitions <= 1;
      if (!median && !single) continue;
      BenchMedian m;
      m.name = r.run_name.str();
      const std::size_t rep = m.name.find("/repeats:");
      if (rep != std::string::npos) m.name.erase(rep);
      m.label = r.report_label;
      m.real_ms = r.GetAdjustedRealTime() *
                  benchmark::GetTimeUnitMultiplier(benchmark::kMillisecond) /
                  benchmark::GetTimeUnitMultiplier(r.time_unit);
      m.cpu_ms = r.GetAdjustedCPUTime() *
                 benchmark::GetTimeUnitMultiplier(benchmark::kMillisecond) /
                 benchmark::GetTimeUnitMultiplier(r.time_unit);
      for (const auto& [key, counter] : r.counters) m.counters[key] = counter.value;
      medians.push_back(m);
    }
    ConsoleReporter::ReportRuns(runs);
  }
  std::vector<BenchMedian> medians;
};

}  // namespace

bool set_bench_summary(BenchSummary summary) {
  summary_slot() = std::move(summary);
  return true;
}

}  // namespace fgbdl

int main(int argc, char** argv) {
  const std::string program = std::filesystem::path(argv[0]).filename().string();
  return fgbdl::run_main(program, [&] {
    fgbdl::check_args(argc, argv);
    for (int i = 1; i < argc; ++i) {
      if (fgbdl::is_help(argv[i])) {
        fgbdl::print_usage(program);
        return 0;
      }
    }
    std::string out;  // --benchmark_out, if given and new
    for (int i = 1; i < argc; ++i) {
      const std::string arg = argv[i];
      if (arg.rfind("--benchmark_out=", 0) == 0) out = arg.substr(16);
    }
    std::error_code ec;
    if (!out.empty() && std::filesystem::exists(out, ec)) out.clear();
    benchmark::Initialize(&argc, argv);
    if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 2;  // checked above
    // With a summary and console output, our reporter keeps the medians.
    // Colour and tables as the library's own console reporter sets them.
    bool console = true, tabular = false;
    std::string color = "auto";
    for (int i = 1; i < argc; ++i) {
      const std::string arg = argv[i];
      if (arg.rfind("--benchmark_format=", 0) == 0) console = arg == "--benchmark_format=console";
      if (arg.rfind("--benchmark_color=", 0) == 0) color = arg.substr(18);
      if (arg == "--benchmark_counters_tabular=true") tabular = true;
    }
    const bool colored = color == "true" || (color == "auto" && ::isatty(STDOUT_FILENO));
    fgbdl::MedianReporter reporter(static_cast<benchmark::ConsoleReporter::OutputOptions>(
        (colored ? benchmark::ConsoleReporter::OO_Color : 0) |
        (tabular ? benchmark::ConsoleReporter::OO_Tabular : 0)));
    const bool summarize = fgbdl::summary_slot() && console;
    const std::size_t ran = summarize ? benchmark::RunSpecifiedBenchmarks(&reporter)
                                      : benchmark::RunSpecifiedBenchmarks();
    benchmark::Shutdown();
    if (summarize && ran > 0) fgbdl::summary_slot()(reporter.medians);
    if (ran == 0) {
      if (!out.empty()) std::filesystem::remove(out, ec);
      throw fgbdl::UsageError("--benchmark_filter: matches no benchmark");
    }
    return 0;
  });
}
