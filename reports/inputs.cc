#include "reports/inputs.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <tuple>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "lib/io/results.h"
#include "nlohmann/json.hpp"

namespace fgbdl::report {
namespace fs = std::filesystem;
using Json = nlohmann::json;

namespace {

// A cell: a finite number as written by strtod, or nan / inf / -inf.
bool parse_cell(absl::string_view cell, double* out) {
  cell = absl::StripAsciiWhitespace(cell);
  if (cell == "nan" || cell == "NaN") {
    *out = std::nan("");
    return true;
  }
  if (cell == "inf" || cell == "+inf") {
    *out = HUGE_VAL;
    return true;
  }
  if (cell == "-inf") {
    *out = -HUGE_VAL;
    return true;
  }
  if (cell.empty()) return false;
  const std::string s(cell);
  char* end = nullptr;
  *out = std::strtod(s.c_str(), &end);
  return end == s.c_str() + s.size() && std::isfinite(*out);
}

// The member `key` of `obj` (an object), which must pass the type test `is`
// (&Json::is_string, &Json::is_array, ...).
const Json& member(const Json& obj, const std::string& key, bool (Json::*is)() const noexcept,
                   const std::string& path, const std::string& target) {
  const auto it = obj.find(key);
  if (it == obj.end()) refuse(path, absl::StrCat("required field \"", key, "\" is missing"), target);
  if (!((*it).*is)()) refuse(path, absl::StrCat("field \"", key, "\" has the wrong type"), target);
  return *it;
}

std::string string_member(const Json& obj, const std::string& key, const std::string& path,
                          const std::string& target) {
  return member(obj, key, &Json::is_string, path, target).get<std::string>();
}

double number_member(const Json& obj, const std::string& key, const std::string& path,
                     const std::string& target) {
  return member(obj, key, &Json::is_number, path, target).get<double>();
}

std::int64_t int_member(const Json& obj, const std::string& key, const std::string& path,
                        const std::string& target) {
  const double x = number_member(obj, key, path, target);
  if (x != std::floor(x) || std::abs(x) > 9e15) {
    refuse(path, absl::StrCat("field \"", key, "\" is not an integer"), target);
  }
  return static_cast<std::int64_t>(x);
}

// The JSON document `text` read from `path`; refused (naming the file and
// `target`) if empty or not JSON.
Json parse_json(const std::string& path, const std::string& text, const std::string& target) {
  if (absl::StripAsciiWhitespace(text).empty()) refuse(path, "empty file", target);
  try {
    return Json::parse(text);
  } catch (const Json::exception& e) {
    refuse(path, e.what(), target);
  }
}

std::string tail(const std::string& text, std::size_t max_chars) {
  if (text.size() <= max_chars) return text;
  std::size_t from = text.size() - max_chars;
  while (from < text.size() && (static_cast<unsigned char>(text[from]) & 0xC0) == 0x80) ++from;
  return "..." + text.substr(from);
}

// Every run directory under one results root: the entry's "dir", or
// <results>/<dir> when the runs were made outside Bazel.
void load_root(const Json& entry, const std::string& inputs_path, const std::string& results,
               std::vector<Run>& runs) {
  const std::string label = string_member(entry, "target", inputs_path, "the report target");
  const std::string binary = string_member(entry, "binary", inputs_path, "the report target");
  const std::string dir = string_member(entry, "dir", inputs_path, "the report target");
  if (!results.empty() && (dir.empty() || dir.find('/') != std::string::npos || dir[0] == '.')) {
    refuse(inputs_path, absl::StrCat("run dir '", dir, "' is not a run target's name"),
           "the report target");
  }
  const std::string root = results.empty() ? dir : results + "/" + dir;
  // Who made a broken file: the experiment_run target, or for a results
  // directory the same command run outside Bazel (tools/cluster/).
  const std::string target =
      results.empty() ? label
                      : absl::StrCat("the run of ", label, " into --results=", results,
                                     ", e.g. tools/cluster/slurm_submit.sh");
  std::vector<std::string> args;
  for (const Json& a : member(entry, "args", &Json::is_array, inputs_path, "the report target")) {
    if (!a.is_string()) refuse(inputs_path, "run args must be strings", "the report target");
    args.push_back(a.get<std::string>());
  }
  std::error_code ec;
  if (!fs::is_directory(root, ec)) refuse(root, "missing results directory", target);
  const std::size_t before = runs.size();
  for (const auto& claim_dir : fs::directory_iterator(root)) {
    if (!claim_dir.is_directory()) continue;
    for (const auto& config_dir : fs::directory_iterator(claim_dir.path())) {
      if (!config_dir.is_directory()) continue;
      for (const auto& seed_dir : fs::directory_iterator(config_dir.path())) {
        const std::string seed_name = seed_dir.path().filename().string();
        Run run;
        if (!seed_dir.is_directory() || seed_name.rfind("seed-", 0) != 0) continue;
        if (!absl::SimpleAtoi(seed_name.substr(5), &run.seed)) {
          refuse(seed_dir.path().string(), "not a seed directory (seed-<integer>)", target);
        }
        run.claim = claim_dir.path().filename().string();
        run.config = config_dir.path().filename().string();
        run.dir = seed_dir.path().string();
        run.target = label;
        run.binary = binary;
        run.args = args;
        const std::string manifest_path = run.dir + "/manifest.json";
        const std::string metrics_path = run.metrics_path();
        const std::string metrics_text = read_input(metrics_path, target);
        run.metrics = parse_metrics(metrics_path, metrics_text, target);
        run.manifest = parse_manifest(manifest_path, read_input(manifest_path, target), target);
        const Manifest& m = run.manifest;
        if (m.claim != run.claim || m.config != run.config || m.seed != run.seed) {
          refuse(manifest_path,
                 absl::StrCat("describes ", m.claim, "/", m.config, "/seed-", m.seed,
                              " but sits in ", run.claim, "/", run.config, "/seed-", run.seed),
                 target);
        }
        // A table cut at a row end, or replaced, still parses: the run
        // recorded what it wrote.
        const std::size_t rows = run.metrics.rows.size();
        if (static_cast<std::int64_t>(rows) != m.metrics_rows) {
          refuse(metrics_path,
                 absl::StrCat(rows, rows == 1 ? " data row" : " data rows", ", but ",
                              manifest_path, " records ", m.metrics_rows,
                              " (cut short or changed after the run)"),
                 target);
        }
        const std::string hash = fnv1a64_hex(metrics_text);
        if (hash != m.metrics_fnv1a64) {
          refuse(metrics_path,
                 absl::StrCat("FNV-1a/64 of the file is ", hash, ", but ", manifest_path,
                              " records ", m.metrics_fnv1a64, " (changed after the run)"),
                 target);
        }
        runs.push_back(std::move(run));
      }
    }
  }
  if (runs.size() == before) {
    refuse(root, "no run directories (<claim>/<config>/seed-<S>/) in this results root", target);
  }
}

Verdict load_verdict(const Json& entry, const std::string& inputs_path) {
  Verdict v;
  v.target = string_member(entry, "target", inputs_path, "the report target");
  v.test = string_member(entry, "test", inputs_path, "the report target");
  v.xml_path = string_member(entry, "xml", inputs_path, "the report target");
  const std::string code_path = string_member(entry, "exit_code", inputs_path, "the report target");
  const std::string log_path = string_member(entry, "log", inputs_path, "the report target");
  const std::string code_text(absl::StripAsciiWhitespace(read_input(code_path, v.target)));
  if (code_text.empty()) refuse(code_path, "empty file", v.target);
  if (!absl::SimpleAtoi(code_text, &v.exit_code)) {
    refuse(code_path, absl::StrCat("not an exit code: '", code_text, "'"), v.target);
  }
  v.log_tail = tail(read_input(log_path, v.target), 3000);
  const std::string xml = read_input(v.xml_path, v.target);
  if (!absl::StripAsciiWhitespace(xml).empty()) {
    try {
      v.xml = parse_gtest_xml(xml);
      v.has_xml = true;
    } catch (const std::runtime_error& e) {
      // A test that dies while writing its report: failed, with its exit code.
      if (v.exit_code == 0) refuse(v.xml_path, e.what(), v.target);
    }
  } else if (v.exit_code == 0) {
    refuse(v.xml_path, "the test exited 0 but wrote no gtest XML", v.target);
  }
  return v;
}

// Same columns and the same values (NaN equal to NaN).
bool same_metrics(const Metrics& a, const Metrics& b) {
  if (a.columns != b.columns || a.rows.size() != b.rows.size()) return false;
  for (std::size_t i = 0; i < a.rows.size(); ++i) {
    for (std::size_t j = 0; j < a.rows[i].size(); ++j) {
      const double x = a.rows[i][j], y = b.rows[i][j];
      if (x != y && !(std::isnan(x) && std::isnan(y))) return false;
    }
  }
  return true;
}

}  // namespace

void refuse(const std::string& file, const std::string& problem, const std::string& target) {
  if (target.rfind("//", 0) == 0 || target.rfind("@", 0) == 0) {
    throw BadInput(
        absl::StrCat(file, ": ", problem, " (made by ", target, ": bazel build ", target, ")"));
  }
  throw BadInput(absl::StrCat(file, ": ", problem, " (made by ", target, ")"));
}

std::string read_input(const std::string& path, const std::string& target) {
  std::error_code ec;
  if (!fs::exists(path, ec)) refuse(path, "missing file", target);
  if (fs::is_directory(path, ec)) refuse(path, "is a directory, not a file", target);
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  if (!in && !in.eof()) refuse(path, "cannot be read", target);
  return text.str();
}

Metrics parse_metrics(const std::string& path, const std::string& text, const std::string& target) {
  if (text.empty()) refuse(path, "empty file", target);
  std::vector<std::string> lines = absl::StrSplit(text, '\n');
  if (!lines.empty() && lines.back().empty()) lines.pop_back();  // final newline
  for (std::string& line : lines) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
  }
  Metrics m;
  std::set<std::string> seen;
  for (absl::string_view name : absl::StrSplit(lines[0], ',')) {
    const std::string col(absl::StripAsciiWhitespace(name));
    if (col.empty()) refuse(path, "line 1: empty column name in the header", target);
    if (!seen.insert(col).second)
      refuse(path, absl::StrCat("line 1: column '", col, "' twice"), target);
    m.columns.push_back(col);
  }
  double probe;
  if (parse_cell(m.columns[0], &probe))
    refuse(path, "line 1 is numbers, not a header of column names", target);
  for (std::size_t i = 1; i < lines.size(); ++i) {
    const std::vector<absl::string_view> cells = absl::StrSplit(lines[i], ',');
    if (cells.size() != m.columns.size()) {
      refuse(path,
             absl::StrCat("line ", i + 1, ": ", cells.size(), " cells for ", m.columns.size(),
                          " columns (truncated or malformed)"),
             target);
    }
    std::vector<double> row(cells.size());
    for (std::size_t j = 0; j < cells.size(); ++j) {
      if (!parse_cell(cells[j], &row[j])) {
        refuse(path,
               absl::StrCat("line ", i + 1, ", column '", m.columns[j], "': not a number: '",
                            std::string(cells[j]).substr(0, 40), "'"),
               target);
      }
    }
    m.rows.push_back(std::move(row));
  }
  if (m.rows.empty()) refuse(path, "a header but no rows", target);
  // write_run ends every row with a newline: a file without one was cut.
  if (text.back() != '\n') refuse(path, "no newline after the last row (truncated)", target);
  return m;
}

Manifest parse_manifest(const std::string& path, const std::string& text,
                        const std::string& target) {
  const Json j = parse_json(path, text, target);
  if (!j.is_object()) refuse(path, "not a JSON object", target);
  Manifest m;
  m.claim = string_member(j, "claim", path, target);
  m.config = string_member(j, "config", path, target);
  m.seed = int_member(j, "seed", path, target);
  m.profile = string_member(j, "profile", path, target);
  m.status = string_member(j, "status", path, target);
  m.diverged_step = int_member(j, "diverged_step", path, target);
  m.git_commit = string_member(j, "git_commit", path, target);
  m.compiler = string_member(j, "compiler", path, target);
  m.blas = string_member(j, "blas", path, target);
  m.threads = int_member(j, "threads", path, target);
  m.wall_time_s = number_member(j, "wall_time_s", path, target);
  m.peak_rss_mib = number_member(j, "peak_rss_mib", path, target);
  m.package_version = string_member(j, "package_version", path, target);
  m.metrics_rows = int_member(j, "metrics_rows", path, target);
  m.metrics_fnv1a64 = string_member(j, "metrics_fnv1a64", path, target);
  const Json& settings = member(j, "settings", &Json::is_object, path, target);
  if (m.status != "complete" && m.status != "diverged") {
    refuse(path, absl::StrCat("status is '", m.status, "'; allowed: complete, diverged"), target);
  }
  if (m.metrics_rows < 1) {
    refuse(path, absl::StrCat("metrics_rows is ", m.metrics_rows, "; allowed: at least 1"), target);
  }
  if (m.metrics_fnv1a64.size() != 16 ||
      m.metrics_fnv1a64.find_first_not_of("0123456789abcdef") != std::string::npos) {
    refuse(path,
           absl::StrCat("metrics_fnv1a64 is '", m.metrics_fnv1a64.substr(0, 40),
                        "'; allowed: 16 lowercase hex digits"),
           target);
  }
  if (const auto steps = settings.find("steps"); steps != settings.end()) {
    const double x = steps->is_number() ? steps->get<double>() : -1;
    if (x != std::floor(x) || x < 0 || x > 9e15) {
      refuse(path, "settings field \"steps\" is not a non-negative integer", target);
    }
    m.steps = static_cast<std::int64_t>(x);
  }
  return m;
}

std::vector<double> Run::column(const std::string& name) const {
  const auto it = std::find(metrics.columns.begin(), metrics.columns.end(), name);
  if (it == metrics.columns.end()) {
    refuse(
        metrics_path(),
        absl::StrCat("no column '", name, "' (columns: ", absl::StrJoin(metrics.columns, ","), ")"),
        target);
  }
  const std::size_t j = it - metrics.columns.begin();
  std::vector<double> out;
  out.reserve(metrics.rows.size());
  for (const auto& row : metrics.rows) out.push_back(row[j]);
  return out;
}

bool natural_less(const std::string& a, const std::string& b) {
  std::size_t i = 0, j = 0;
  while (i < a.size() && j < b.size()) {
    const bool da = absl::ascii_isdigit(a[i]), db = absl::ascii_isdigit(b[j]);
    if (da && db) {
      std::size_t ei = i, ej = j;
      while (ei < a.size() && absl::ascii_isdigit(a[ei])) ++ei;
      while (ej < b.size() && absl::ascii_isdigit(b[ej])) ++ej;
      const std::string na = a.substr(i, ei - i), nb = b.substr(j, ej - j);
      const std::string ta(na.begin() + std::min(na.find_first_not_of('0'), na.size()), na.end());
      const std::string tb(nb.begin() + std::min(nb.find_first_not_of('0'), nb.size()), nb.end());
      if (ta.size() != tb.size()) return ta.size() < tb.size();
      if (ta != tb) return ta < tb;
      i = ei;
      j = ej;
    } else {
      if (a[i] != b[j]) return a[i] < b[j];
      ++i;
      ++j;
    }
  }
  return a.size() - i < b.size() - j;
}

Inputs load_inputs(const std::string& inputs_path, const std::string& results) {
  const std::string self = "the report target (paper_report in tools/defs.bzl)";
  const Json doc = parse_json(inputs_path, read_input(inputs_path, self), self);
  if (!doc.is_object()) refuse(inputs_path, "not a JSON object", self);
  Inputs in;
  if (const auto r = doc.find("report"); r != doc.end() && r->is_string())
    in.report_target = r->get<std::string>();
  if (const auto c = doc.find("config"); c != doc.end()) {
    if (!c->is_string() || c->get<std::string>().empty())
      refuse(inputs_path, "field \"config\" is not a non-empty string", self);
    in.config = c->get<std::string>();
  }
  const auto mode = doc.find("results");
  const bool external = mode != doc.end();
  if (external && (!mode->is_string() || mode->get<std::string>() != "external")) {
    refuse(inputs_path, "field \"results\" is not \"external\"", self);
  }
  const std::string report = in.report_target.empty() ? inputs_path : in.report_target;
  if (external && results.empty()) {
    throw UsageError(absl::StrCat("--results: missing; ", report,
                                  " reads its runs from a results directory: give it"));
  }
  if (!external && !results.empty()) {
    throw UsageError(absl::StrCat("--results: '", results, "' given, but ", report,
                                  " builds its own runs; allowed: only with a report whose runs "
                                  "are external (e.g. //reports:paper_from_results)"));
  }
  in.results = results;
  for (const Json& entry : member(doc, "runs", &Json::is_array, inputs_path, self)) {
    load_root(entry, inputs_path, results, in.runs);
  }
  for (const Json& entry : member(doc, "verdicts", &Json::is_array, inputs_path, self)) {
    in.verdicts.push_back(load_verdict(entry, inputs_path));
  }
  for (const Json& p : member(doc, "papers", &Json::is_array, inputs_path, self)) {
    if (!p.is_string()) refuse(inputs_path, "papers must be paths", self);
    in.papers.push_back(p.get<std::string>());
  }
  // Stable: of two copies of one run, the one listed first is kept.
  std::stable_sort(in.runs.begin(), in.runs.end(), [](const Run& a, const Run& b) {
    if (a.claim != b.claim) return a.claim < b.claim;
    if (a.config != b.config) return natural_less(a.config, b.config);
    return a.seed < b.seed;
  });
  // One run (claim, config, seed) written by several targets, as the example
  // images every e3_1_tuples run writes, is read once if the copies agree.
  std::vector<Run> unique;
  for (Run& b : in.runs) {
    if (!unique.empty()) {
      const Run& a = unique.back();
      if (a.claim == b.claim && a.config == b.config && a.seed == b.seed) {
        if (!same_metrics(a.metrics, b.metrics)) {
          refuse(b.metrics_path(),
                 absl::StrCat("the same run also comes from ", a.target, " (", a.metrics_path(),
                              ") with different metrics"),
                 b.target);
        }
        continue;
      }
    }
    unique.push_back(std::move(b));
  }
  in.runs = std::move(unique);
  return in;
}

}  // namespace fgbdl::report
