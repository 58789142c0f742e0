#include "reports/report.h"

#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <map>
#include <set>
#include <stdexcept>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "lib/io/results.h"
#include "nlohmann/json.hpp"
#include "reports/figures.h"
#include "reports/process.h"

namespace fgbdl::report {
namespace fs = std::filesystem;

namespace {

constexpr char kTitle[] = "Failures of Gradient-Based Deep Learning: a reproducibility report";

constexpr char kRenderMath[] =
    R"(// Renders $...$ and $$...$$ with KaTeX (written by //reports:report).
document.addEventListener("DOMContentLoaded", function () {
  renderMathInElement(document.body, {
    delimiters: [
      {left: "$$", right: "$$", display: true},
      {left: "$", right: "$", display: false}
    ],
    ignoredClasses: ["nomath"],
    throwOnError: false
  });
});
)";

constexpr char kStyle[] = R"(
body { font: 16px/1.55 -apple-system, "Segoe UI", Helvetica, Arial, sans-serif; color: #1d1d1f; margin: 0; background: #fafafa; }
main { max-width: 980px; margin: 0 auto; padding: 24px 32px 64px; background: #fff; }
h1 { font-size: 1.8em; margin-bottom: 0.2em; } h2 { margin-top: 1.8em; border-bottom: 1px solid #ddd; }
code, pre { font-family: "DejaVu Sans Mono", Menlo, Consolas, monospace; font-size: 0.88em; }
code { background: #f3f3f3; padding: 0 3px; border-radius: 3px; }
pre { background: #f6f6f6; padding: 10px 12px; overflow-x: auto; }
pre code { background: none; padding: 0; }
table { border-collapse: collapse; margin: 1em 0; font-size: 0.92em; }
th, td { border: 1px solid #ddd; padding: 4px 8px; text-align: left; vertical-align: top; }
th { background: #f2f2f2; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
table.claims td:nth-child(4) code { word-break: break-all; font-size: 0.8em; }
table.claims td:nth-child(5) { font-size: 0.85em; min-width: 240px; max-width: 380px; }
table.claims td:nth-child(6) { min-width: 160px; max-width: 300px; }
table.claims td:nth-child(2) { min-width: 260px; }
table.discrepancies { font-size: 0.85em; } table.discrepancies td:first-child { min-width: 120px; }
.status { font-weight: 600; padding: 1px 7px; border-radius: 10px; white-space: nowrap; }
.status-verified { background: #dff3e0; color: #17632a; }
.status-refuted { background: #fff0d6; color: #8a4b00; }
.status-failed { background: #fbe0e0; color: #9b1c1c; }
.status-not-confirmed { background: #e3ecf7; color: #1f4f82; }
.status-not-run { background: #eee; color: #555; }
.statistic { font-size: 0.85em; color: #333; margin-top: 4px; }
.summary { font-weight: 600; }
.claim { border-left: 4px solid #7a9cc6; background: #f5f8fc; padding: 8px 14px; margin: 1.2em 0; }
.claim-head { font-weight: 600; } .claim-kind { color: #555; font-weight: normal; margin: 0 6px; }
.claim-meta { font-size: 0.9em; color: #333; }
figure.fig { margin: 1.5em 0; } figure.fig img { width: 100%; max-width: 760px; border: 1px solid #eee; }
figcaption { font-size: 0.92em; } .regen { margin-top: 6px; color: #333; }
.diverged { margin-top: 6px; color: #8a4b00; }
.lead { font-size: 1.05em; color: #333; } nav ul { columns: 2; }
.math-display { overflow-x: auto; }
details pre { max-height: 320px; }
)";

std::string e(absl::string_view s) { return escape_html(s); }

std::string read_paper(const std::string& path, const std::string& report_target) {
  std::error_code ec;
  if (!fs::is_regular_file(path, ec)) {
    throw BadInput(absl::StrCat(path, ": missing file (a source of ", report_target, ")"));
  }
  return read_input(path, report_target);
}

std::string now_utc() {
  const std::time_t t = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[64];
  std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S UTC", &tm);
  return buf;
}

std::string first_line(const std::string& s) {
  return std::string(absl::StripAsciiWhitespace(s.substr(0, s.find('\n'))));
}

std::string git_commit_of(const std::string& workspace) {
  if (workspace.empty()) return "unknown (no --workspace: not run by bazel run)";
  const ProcessResult head = run_process({"git", "-C", workspace, "rev-parse", "HEAD"}, "", false);
  if (head.exit_code != 0) return "unknown (not a git checkout)";
  const ProcessResult status = run_process(
      {"git", "-C", workspace, "status", "--porcelain", "--untracked-files=no"}, "", false);
  return first_line(head.output) +
         (status.exit_code == 0 && !status.output.empty() ? "-dirty" : "");
}

std::string bazel_version(const std::string& workspace) {
  if (workspace.empty()) return "unknown";
  const ProcessResult r = run_process({"bazel", "--version"}, "", false);
  const std::string v = first_line(r.output);
  if (r.exit_code == 0 && !v.empty() && !absl::StrContains(v, "no_version")) return v;
  const ProcessResult deb =
      run_process({"dpkg-query", "-W", "-f=${Version}", "bazel-bootstrap"}, "", false);
  if (deb.exit_code == 0 && !deb.output.empty())
    return absl::StrCat("bazel-bootstrap ", first_line(deb.output), " (Debian)");
  return "unknown";
}

// Distinct values, in first-seen order.
template <typename F>
std::vector<std::string> distinct(const std::vector<Run>& runs, F field) {
  std::vector<std::string> out;
  for (const Run& r : runs) {
    const std::string v = field(r);
    if (std::find(out.begin(), out.end(), v) == out.end()) out.push_back(v);
  }
  return out;
}

// "--config=<c> " when the report is built with one (--config=paper,
// --config=boundaries, ...), so that its commands redo what it shows.
std::string config_flag(const Inputs& in) {
  return in.config.empty() ? std::string() : absl::StrCat("--config=", in.config, " ");
}

std::string shell_word(const std::string& s) {
  bool plain = !s.empty();
  for (char c : s) plain = plain && (absl::ascii_isalnum(c) || std::strchr("-_=.,/:+@", c));
  if (plain) return s;
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

// The claim stem's anchor and the figure anchor.
std::string claim_anchor(const Claim& c) { return "claim-" + stem(c.id); }
std::string figure_anchor(const std::string& name) { return "fig-" + name; }

// " -- --results=<dir>" for a report of runs made outside Bazel.
std::string results_args(const Inputs& in) {
  return in.results.empty() ? std::string() : absl::StrCat(" -- --results=", in.results);
}

struct Page {
  Inputs in;
  std::vector<Document> docs;
  std::vector<Claim> claims;
  std::map<std::string, ClaimStatus> statuses;  // by claim id
  std::vector<Plot> plots;
  std::map<std::string, int> figure_number;  // by figure name
  std::vector<std::string> unplaced;         // figures no directive places
  std::vector<Discrepancy> discrepancies;
  std::string commit, bazel, date;
};

std::string figure_links(const Page& p, const std::vector<std::string>& names) {
  std::vector<std::string> links;
  for (const std::string& n : names) {
    links.push_back(
        absl::StrCat("<a href=\"#", figure_anchor(n), "\">Figure ", p.figure_number.at(n), "</a>"));
  }
  return absl::StrJoin(links, ", ");
}

std::string status_badge(const ClaimStatus& s) {
  std::string cls = s.status;
  std::replace(cls.begin(), cls.end(), ' ', '-');
  return absl::StrCat("<span class=\"status status-", cls, "\">", e(s.status), "</span>");
}

// At most `max_chars` of `text` (0: all), cut at a character boundary.
std::string cut_text(std::string text, std::size_t max_chars) {
  if (max_chars > 0 && text.size() > max_chars) {
    std::size_t cut = max_chars;
    while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;
    text = text.substr(0, cut) + "…";
  }
  return text;
}

// The measured values, joined; at most `max_chars` (0: all).
std::string measured_text(const ClaimStatus& s, std::size_t max_chars) {
  std::vector<std::string> parts;
  for (const std::string& m : s.measured) {
    parts.push_back(std::string(absl::StripTrailingAsciiWhitespace(m)));
    while (!parts.back().empty() && (parts.back().back() == ';' || parts.back().back() == ',')) {
      parts.back().pop_back();
    }
  }
  return cut_text(absl::StrJoin(parts, "; "), max_chars);
}

// The statistics behind a refuted or not confirmed claim ("refuted: ...;
// not confirmed: ..."), cut like measured_text; empty for the other states.
std::string statistic_text(const ClaimStatus& s, std::size_t max_chars) {
  if (s.status != "refuted" && s.status != "not confirmed") return "";
  std::vector<std::string> parts;
  for (const VerdictRecord& r : s.records)
    if (r.state != "verified") parts.push_back(absl::StrCat(r.state, ": ", r.statistic));
  return cut_text(absl::StrJoin(parts, "; "), max_chars);
}

// "18 claims: 12 verified, 3 refuted, 1 not confirmed, 1 failed, 1 not run".
std::string summary_line(const std::vector<Claim>& claims,
                         const std::map<std::string, ClaimStatus>& statuses) {
  std::vector<std::string> counts;
  for (const char* status : kStatuses) {
    int n = 0;
    for (const Claim& c : claims) n += statuses.at(c.id).status == status ? 1 : 0;
    counts.push_back(absl::StrCat(n, " ", status));
  }
  return absl::StrCat(claims.size(), claims.size() == 1 ? " claim: " : " claims: ",
                      absl::StrJoin(counts, ", "));
}

std::string measured_html(const ClaimStatus& s, std::size_t max_chars = 0) {
  if (s.measured.empty()) return "—";
  return absl::StrCat("<span class=\"nomath\">", e(measured_text(s, max_chars)), "</span>");
}

std::string claim_html(const Page& p, const Claim& c) {
  const ClaimStatus& s = p.statuses.at(c.id);
  std::string out =
      absl::StrCat("<div class=\"claim\" id=\"", claim_anchor(c), "\">\n<div class=\"claim-head\">",
                   e(c.id), "<span class=\"claim-kind\">", e(c.kind),
                   c.precision.empty() ? "" : ", " + e(c.precision), "</span>", status_badge(s),
                   "</div>\n<p>", inline_html(c.statement), "</p>\n<p class=\"claim-meta\">");
  if (!c.test.empty()) {
    absl::StrAppend(&out, "Checked by <code>", e(c.test), "</code>",
                    c.cases.empty() ? "" : absl::StrCat(" (cases <code>", e(c.cases), "</code>)"),
                    ": ");
  }
  absl::StrAppend(&out, e(s.detail));
  if (!s.measured.empty()) absl::StrAppend(&out, " Measured: ", measured_html(s), ".");
  for (const VerdictRecord& r : s.records) {
    std::string state = r.state;
    state[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(state[0])));
    absl::StrAppend(&out, " <strong>", e(state), "</strong> (<code>", e(r.test_case),
                    "</code>): <span class=\"nomath\">", e(r.statistic), "</span>");
  }
  if (!c.figures.empty()) absl::StrAppend(&out, " See ", figure_links(p, c.figures), ".");
  out += "</p>\n";
  if (s.status == "failed" && s.verdict != nullptr && !s.verdict->log_tail.empty()) {
    absl::StrAppend(&out,
                    "<details><summary>End of the test's output</summary><pre class=\"nomath\">",
                    e(s.verdict->log_tail), "</pre></details>\n");
  }
  return out + "</div>\n";
}

std::string figure_html(const Page& p, const Plot& plot) {
  std::string runs;
  std::vector<std::string> diverged;
  std::set<const Run*> noted;
  for (const Run* r : plot.runs) {
    if (r->manifest.status == "diverged" && noted.insert(r).second) {
      diverged.push_back(absl::StrCat("<code>", e(r->claim), "/", e(r->config), "/seed-", r->seed,
                                      "</code> diverged at step ", r->manifest.diverged_step));
    }
    std::vector<std::string> words = {"bazel", "run", r->binary, "--", "--out=\"$PWD/results\""};
    for (const std::string& a : r->args) words.push_back(shell_word(a));
    absl::StrAppend(&runs, "<li><code>", e(r->claim), "/", e(r->config), "/seed-", r->seed,
                    "</code> made by <code>", e(r->target), "</code>; by hand: <code>",
                    e(absl::StrJoin(words, " ")), "</code></li>\n");
  }
  return absl::StrCat(
      "<figure class=\"fig\" id=\"", figure_anchor(plot.name), "\">\n<img src=\"figures/",
      plot.name, ".svg\" style=\"max-width: ", plot.width, "px\" alt=\"", e(plot.title),
      "\">\n<figcaption><strong>Figure ", p.figure_number.at(plot.name), ". ", e(plot.title),
      ".</strong> ", inline_html(plot.caption),
      diverged.empty()
          ? std::string()
          : absl::StrCat("\n<div class=\"diverged nomath\"><strong>Diverged:</strong> ",
                         absl::StrJoin(diverged, "; "),
                         " (its loss became non-finite there; non-finite values are left out of "
                         "the figure).</div>"),
      "\n<div class=\"regen\">Regenerate: <code>bazel run ", config_flag(p.in),
      e(p.in.report_target), e(results_args(p.in)), "</code> (drawn by <code>",
      plot.dot.empty() ? absl::StrCat("figures/data/", plot.name,
                                      ".gp</code> from <code>figures/data/", plot.name, ".dat")
                       : absl::StrCat("dot</code> from <code>figures/data/", plot.name, ".dot"),
      "</code>).",
      plot.runs.empty()
          ? std::string()
          : absl::StrCat("\n<details><summary>", plot.runs.size(),
                         plot.runs.size() == 1 ? " run" : " runs",
                         "</summary>\n<ul class=\"nomath\">\n", runs, "</ul></details>"),
      "</div>\n</figcaption>\n</figure>\n");
}

std::string provenance_html(const Page& p) {
  const auto& runs = p.in.runs;
  auto row = [](const std::string& k, const std::string& v_html) {
    return absl::StrCat("<tr><th>", e(k), "</th><td>", v_html, "</td></tr>\n");
  };
  auto codes = [](const std::vector<std::string>& vs) {
    std::vector<std::string> out;
    for (const auto& v : vs) out.push_back(absl::StrCat("<code>", e(v), "</code>"));
    return out.empty() ? std::string("—") : absl::StrJoin(out, "<br>");
  };
  const std::string command =
      absl::StrCat("bazel run ", config_flag(p.in), p.in.report_target, results_args(p.in));
  return absl::StrCat(
      "<h2 id=\"provenance\">Provenance</h2>\n<table class=\"kv nomath\">\n",
      row("Generated", e(p.date)), row("Command", absl::StrCat("<code>", e(command), "</code>")),
      row("Git commit of the source tree", absl::StrCat("<code>", e(p.commit), "</code>")),
      row("Git commits recorded by the runs",
          codes(distinct(runs, [](const Run& r) { return r.manifest.git_commit; }))),
      row("Profiles", codes(distinct(runs, [](const Run& r) { return r.manifest.profile; }))),
      row("Compiler", codes(distinct(runs, [](const Run& r) { return r.manifest.compiler; }))),
      row("BLAS", codes(distinct(runs, [](const Run& r) { return r.manifest.blas; }))),
      row("BLAS threads per run",
          codes(distinct(runs, [](const Run& r) { return absl::StrCat(r.manifest.threads); }))),
      row("Package version",
          codes(distinct(runs, [](const Run& r) { return r.manifest.package_version; }))),
      row("Bazel", e(p.bazel)),
      row("Inputs", e(absl::StrCat(runs.size(), " runs, ", p.in.verdicts.size(),
                                   " claim verdicts, ", p.docs.size(), " text files"))),
      "</table>\n<p>Runs made by Bazel record the git commit as <code>unknown</code> (see "
      "<code>tools/defs.bzl</code>): Bazel reuses a run only while its binary and arguments are "
      "unchanged, so "
      "every run on this page was made by the binaries built from the source tree above.</p>\n");
}

std::string claims_table_html(const Page& p) {
  std::string out = absl::StrCat(
      "<h2 id=\"claims\">Claims</h2>\n<p class=\"summary\">", e(summary_line(p.claims, p.statuses)),
      ".</p>\n<p>Each claim's status comes from the test cases of its test that decide it (its "
      "<code>cases</code> filter, or every case of the test), run by <code>claim_verdict</code> "
      "(<code>tools/defs.bzl</code>); a case states its verdict on a claim, with the statistic "
      "behind it, as a recorded property (<code>proofs_checks/verdict.h</code>). "
      "<em>Verified</em>: every case of the claim passed and none recorded otherwise. "
      "<em>Refuted</em>: they passed and one established a counterexample to the statement as "
      "the paper gives it, exact or a difference significant at the level its statistic states "
      "(the test then checks the corrected statement). <em>Not confirmed</em>: they passed, "
      "nothing refutes the claim, but the data do not decide it (a tie within noise; the "
      "statistic gives the margin and the level it misses). <em>Failed</em>: a case of the "
      "claim failed, the test crashed, or none of the claim's cases ran. <em>Not run</em>: the "
      "report has no verdict for the test.</p>\n"
      "<table class=\"claims\">\n<tr><th>Claim</th><th>Statement</th><th>Kind</th><th>Target</th>"
      "<th>Measured</th><th>Status and statistic</th><th>Figures</th></tr>\n");
  for (const Claim& c : p.claims) {
    const ClaimStatus& s = p.statuses.at(c.id);
    const std::string statistic = statistic_text(s, 240);
    absl::StrAppend(
        &out, "<tr><td><a href=\"#", claim_anchor(c), "\">", e(c.id), "</a></td><td>",
        inline_html(c.statement), "</td><td>", e(c.kind),
        c.precision.empty() ? "" : "<br>" + e(c.precision), "</td><td>",
        c.test.empty() ? "—" : absl::StrCat("<code>", e(c.test), "</code>"),
        c.cases.empty() ? ""
                        : absl::StrCat("<br><a href=\"#", claim_anchor(c), "\">", s.cases_selected,
                                       s.cases_selected == 1 ? " case" : " cases", "</a> of it"),
        "</td><td>", measured_html(s, 140), "</td><td>", status_badge(s),
        statistic.empty()
            ? std::string()
            : absl::StrCat("<div class=\"statistic nomath\">", e(statistic), "</div>"),
        "</td><td>", c.figures.empty() ? "—" : figure_links(p, c.figures), "</td></tr>\n");
  }
  return out + "</table>\n";
}

std::string steps_text(std::int64_t steps) {
  return steps < 0 ? std::string("—") : absl::StrCat(steps);
}

std::string status_text(const Manifest& m) {
  return m.status == "diverged" ? absl::StrCat("diverged at step ", m.diverged_step) : m.status;
}

// Ranges of consecutive integers: "1–3, 7".
std::string ranges(const std::set<std::int64_t>& xs) {
  std::vector<std::string> out;
  for (auto it = xs.begin(); it != xs.end();) {
    const std::int64_t first = *it;
    std::int64_t last = first;
    for (++it; it != xs.end() && *it == last + 1; ++it) last = *it;
    out.push_back(first == last ? absl::StrCat(first)
                                : absl::StrCat(first, last == first + 1 ? ", " : "–", last));
  }
  return absl::StrJoin(out, ", ");
}

// One row per experiment (the claim stem of its result folders), then one
// row per run; every number from the runs' manifest.json.
std::string compute_html(const Page& p) {
  struct Summary {
    std::set<std::string> profiles, binaries;
    std::set<std::int64_t> seeds, steps, threads;
    int runs = 0, diverged = 0;
    bool untrained = false;  // a run that records no steps
    double wall = 0, peak = 0;
  };
  std::map<std::string, Summary> by_claim;
  std::vector<std::string> order;
  for (const Run& r : p.in.runs) {
    const Manifest& m = r.manifest;
    if (!by_claim.count(r.claim)) order.push_back(r.claim);
    Summary& s = by_claim[r.claim];
    s.profiles.insert(m.profile);
    s.binaries.insert(r.binary);
    s.seeds.insert(r.seed);
    if (m.steps >= 0) {
      s.steps.insert(m.steps);
    } else {
      s.untrained = true;
    }
    s.threads.insert(m.threads);
    ++s.runs;
    s.diverged += m.status == "diverged";
    s.wall += m.wall_time_s;
    s.peak = std::max(s.peak, m.peak_rss_mib);
  }
  auto joined = [](const auto& values) {
    std::vector<std::string> out;
    for (const auto& v : values) out.push_back(e(absl::StrCat(v)));
    return out.empty() ? std::string("—") : absl::StrJoin(out, ", ");
  };
  std::string out =
      "<h2 id=\"compute\">Compute</h2>\n<p>From each run's <code>manifest.json</code>: first "
      "one row per experiment (the runs of one result folder), then one row per run. "
      "<em>Steps</em> are the training steps a run was set to (its settings' "
      "<code>steps</code>; — for runs that do not train); wall times are summed over the "
      "runs, peak memory is the largest of them.</p>\n"
      "<table class=\"compute-summary nomath\">\n<tr><th>Experiment</th><th>Binary</th>"
      "<th>Profile</th><th>Seeds</th><th>Runs</th><th>Steps</th><th>Total wall time (s)</th>"
      "<th>Max peak RSS (MiB)</th><th>Threads</th></tr>\n";
  for (const std::string& claim : order) {
    const Summary& s = by_claim.at(claim);
    std::string steps = joined(s.steps);
    if (s.untrained && !s.steps.empty()) steps += ", —";
    std::vector<std::string> binaries;
    for (const std::string& b : s.binaries) binaries.push_back(absl::StrCat("<code>", e(b), "</code>"));
    absl::StrAppend(&out, "<tr><td>", e(claim), "</td><td>", absl::StrJoin(binaries, "<br>"),
                    "</td><td>", joined(s.profiles), "</td><td>", e(ranges(s.seeds)),
                    "</td><td class=\"num\">", s.runs,
                    s.diverged ? absl::StrCat(" (", s.diverged, " diverged)") : "",
                    "</td><td>", steps, "</td><td class=\"num\">",
                    absl::StrFormat("%.1f", s.wall), "</td><td class=\"num\">",
                    absl::StrFormat("%.1f", s.peak), "</td><td>", joined(s.threads),
                    "</td></tr>\n");
  }
  out +=
      "</table>\n<table class=\"compute nomath\">\n<tr><th>Claim</th><th>Config</th>"
      "<th>Seed</th><th>Profile</th><th>Status</th><th>Steps</th><th>Wall time (s)</th>"
      "<th>Peak RSS (MiB)</th><th>Threads</th><th>Target</th></tr>\n";
  double total = 0;
  for (const Run& r : p.in.runs) {
    const Manifest& m = r.manifest;
    total += m.wall_time_s;
    absl::StrAppend(&out, "<tr><td>", e(r.claim), "</td><td>", e(r.config),
                    "</td><td class=\"num\">", r.seed, "</td><td>", e(m.profile), "</td><td>",
                    e(status_text(m)), "</td><td class=\"num\">", steps_text(m.steps),
                    "</td><td class=\"num\">", absl::StrFormat("%.1f", m.wall_time_s),
                    "</td><td class=\"num\">", absl::StrFormat("%.1f", m.peak_rss_mib),
                    "</td><td class=\"num\">", m.threads, "</td><td><code>", e(r.target),
                    "</code></td></tr>\n");
  }
  absl::StrAppend(&out,
                  "</table>\n<p>Total wall time of the runs: ", absl::StrFormat("%.1f", total),
                  " s (they run side by side under <code>bazel --jobs</code>).</p>\n");
  return out;
}

std::string discrepancies_html(const Page& p) {
  std::string out = absl::StrCat(
      "<h2 id=\"discrepancies\">", e(kDiscrepancyHeading),
      "</h2>\n<p>Every place where the paper and the authors' scripts (repository "
      "<code>shakedshammah/failures_of_DL</code>) disagree, collected from the tables at the end "
      "of each section below. <em>This package</em> says which version runs by default and how "
      "to run the other.</p>\n");
  if (p.discrepancies.empty()) return out + "<p>The texts record none.</p>\n";
  out +=
      "<table class=\"discrepancies\">\n<tr><th>Section</th><th>Where</th><th>Paper</th>"
      "<th>Scripts</th><th>This package</th></tr>\n";
  for (const Discrepancy& d : p.discrepancies) {
    absl::StrAppend(&out, "<tr><td><a href=\"#", d.anchor, "\">", inline_html(d.section),
                    "</a></td><td>", inline_html(d.where), "</td><td>", inline_html(d.paper),
                    "</td><td>", inline_html(d.scripts), "</td><td>", inline_html(d.package),
                    "</td></tr>\n");
  }
  return out + "</table>\n";
}

std::string page_html(const Page& p) {
  std::string toc =
      "<li><a href=\"#provenance\">Provenance</a></li>\n<li><a href=\"#claims\">Claims</a></li>\n"
      "<li><a href=\"#discrepancies\">Paper and scripts: differences</a></li>\n";
  std::string body;
  for (const Document& doc : p.docs) {
    for (const Block& b : doc.blocks) {
      if (b.kind == Block::Kind::kHeading && b.level == 1) {
        absl::StrAppend(&toc, "<li><a href=\"#", b.anchor, "\">", inline_html(b.text),
                        "</a></li>\n");
      }
    }
    body += render_html(doc, 1, [&](const Block& b) {
      if (b.kind == Block::Kind::kClaim) return claim_html(p, b.claim);
      for (const Plot& plot : p.plots) {
        if (plot.name == b.text) return figure_html(p, plot);
      }
      return std::string();  // unreachable: directives are checked
    });
  }
  if (!p.unplaced.empty()) {
    absl::StrAppend(&toc, "<li><a href=\"#more-figures\">More figures</a></li>\n");
    body += "<h2 id=\"more-figures\">More figures</h2>\n";
    for (const Plot& plot : p.plots) {
      if (std::find(p.unplaced.begin(), p.unplaced.end(), plot.name) != p.unplaced.end())
        body += figure_html(p, plot);
    }
  }
  absl::StrAppend(&toc, "<li><a href=\"#compute\">Compute</a></li>\n");
  return absl::StrCat(
      "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>",
      e(kTitle),
      "</title>\n<link rel=\"stylesheet\" href=\"katex/katex.min.css\">\n"
      "<script defer src=\"katex/katex.min.js\"></script>\n"
      "<script defer src=\"katex/contrib/auto-render.js\"></script>\n"
      "<script defer src=\"katex/render-math.js\"></script>\n<style>",
      kStyle, "</style>\n</head>\n<body>\n<main>\n<h1>", e(kTitle),
      "</h1>\n<p class=\"lead\">This page reproduces the claims of Shalev-Shwartz, Shamir and "
      "Shammah, <em>Failures of Gradient-Based Deep Learning</em> (ICML 2017), from the "
      "package's own code. Every figure is drawn from experiment runs named under it, with the "
      "command that regenerates it; every claim's status comes from running its test; nothing "
      "on this page is typed by hand except the prose. The text is the package's own account of "
      "the paper, with the places where the paper and the authors' scripts disagree.</p>\n"
      "<nav><ul>\n",
      toc, "</ul></nav>\n", provenance_html(p), claims_table_html(p), discrepancies_html(p), body,
      compute_html(p), "</main>\n</body>\n</html>\n");
}

// {"claims": 18, "verified": 12, ...}: the summary line as numbers.
nlohmann::ordered_json summary_json(const Page& p) {
  nlohmann::ordered_json counts = {{"claims", p.claims.size()}};
  for (const char* status : kStatuses) {
    int n = 0;
    for (const Claim& c : p.claims) n += p.statuses.at(c.id).status == status ? 1 : 0;
    counts[status] = n;
  }
  return counts;
}

std::string claims_json(const Page& p) {
  using Json = nlohmann::ordered_json;
  Json claims = Json::array();
  for (const Claim& c : p.claims) {
    const ClaimStatus& s = p.statuses.at(c.id);
    Json records = Json::array();
    for (const VerdictRecord& r : s.records) {
      records.push_back({{"case", r.test_case}, {"state", r.state}, {"statistic", r.statistic}});
    }
    claims.push_back({{"id", c.id},
                      {"kind", c.kind},
                      {"precision", c.precision},
                      {"statement", c.statement},
                      {"test", c.test},
                      {"cases", c.cases},
                      {"status", s.status},
                      {"detail", s.detail},
                      {"statistic", statistic_text(s, 0)},
                      {"verdicts", records},
                      {"measured", s.measured},
                      {"figures", c.figures},
                      {"source", c.source}});
  }
  Json rows = Json::array();
  for (const Discrepancy& d : p.discrepancies) {
    rows.push_back({{"section", d.section},
                    {"where", d.where},
                    {"paper", d.paper},
                    {"scripts", d.scripts},
                    {"package", d.package},
                    {"source", d.source}});
  }
  const Json doc = {{"generated", p.date},
                    {"git_commit", p.commit},
                    {"report", p.in.report_target},
                    {"summary", summary_json(p)},
                    {"claims", claims},
                    {"discrepancies", rows}};
  // Bytes that are not UTF-8 (a test's log tail) become U+FFFD.
  return doc.dump(2, ' ', false, Json::error_handler_t::replace) + "\n";
}

void check_katex(const std::string& dir) {
  for (const char* f : {"katex.min.js", "katex.min.css", "contrib/auto-render.js", "fonts"}) {
    std::error_code ec;
    if (!fs::exists(fs::path(dir) / f, ec)) {
      throw BadInput(absl::StrCat(dir, "/", f,
                                  ": missing KaTeX file (install the Debian package libjs-katex, "
                                  "or pass --katex=<dir>)"));
    }
  }
}

void copy_katex(const std::string& from, const fs::path& to) {
  fs::create_directories(to / "contrib");
  fs::create_directories(to / "fonts");
  for (const char* f : {"katex.min.js", "katex.min.css", "contrib/auto-render.js"}) {
    fs::copy_file(fs::path(from) / f, to / f);
  }
  for (const auto& font : fs::directory_iterator(fs::path(from) / "fonts")) {
    if (font.is_regular_file()) fs::copy_file(font.path(), to / "fonts" / font.path().filename());
  }
  write_file_atomically((to / "render-math.js").string(), kRenderMath);
}

// Removes the partial directory unless released.
struct PartialDir {
  fs::path path;
  bool keep = false;
  ~PartialDir() {
    std::error_code ec;
    if (!keep) fs::remove_all(path, ec);
  }
};

// Moves `fresh` to `out`, exchanging atomically with an existing `out`.
void swap_into_place(const fs::path& fresh, const fs::path& out) {
  std::error_code ec;
  if (fs::exists(out, ec)) {
    if (::renameat2(AT_FDCWD, fresh.c_str(), AT_FDCWD, out.c_str(), RENAME_EXCHANGE) != 0) {
      throw std::runtime_error(
          absl::StrCat("cannot replace ", out.string(), ": ", std::strerror(errno)));
    }
    fs::remove_all(fresh, ec);  // now the previous report
    return;
  }
  fs::rename(fresh, out);
}

}  // namespace

std::vector<Discrepancy> discrepancies_of(const Document& doc) {
  std::vector<Discrepancy> out;
  std::string section, heading_at;
  const std::vector<std::string> columns = {"where", "paper", "scripts", "this package"};
  const auto& blocks = doc.blocks;
  for (std::size_t i = 0; i < blocks.size(); ++i) {
    const Block& h = blocks[i];
    if (h.kind != Block::Kind::kHeading) continue;
    if (h.level == 1 && section.empty()) section = h.text;
    if (!absl::EqualsIgnoreCase(h.text, kDiscrepancyHeading)) continue;
    if (!heading_at.empty()) {
      throw BadInput(absl::StrCat(h.source, ": a second heading '", kDiscrepancyHeading,
                                  "' (the first is at ", heading_at, ")"));
    }
    heading_at = h.source;
    const Block* table = nullptr;
    for (std::size_t j = i + 1; j < blocks.size() && table == nullptr; ++j) {
      if (blocks[j].kind == Block::Kind::kHeading && blocks[j].level <= h.level) break;
      if (blocks[j].kind == Block::Kind::kTable) table = &blocks[j];
    }
    if (table == nullptr) {
      throw BadInput(absl::StrCat(h.source, ": no table under the heading '", kDiscrepancyHeading,
                                  "' (columns: where | paper | scripts | this package)"));
    }
    std::vector<std::string> header;
    for (const std::string& c : table->rows[0]) header.push_back(absl::AsciiStrToLower(c));
    if (header != columns) {
      throw BadInput(absl::StrCat(table->source, ": the discrepancy table's columns are '",
                                  absl::StrJoin(table->rows[0], " | "),
                                  "'; expected 'where | paper | scripts | this package'"));
    }
    if (table->rows.size() < 2)
      throw BadInput(absl::StrCat(table->source, ": the discrepancy table has no rows"));
    // The table's rows follow its header and separator lines.
    const std::size_t colon = table->source.rfind(':');
    int first_line = 0;
    if (!absl::SimpleAtoi(table->source.substr(colon + 1), &first_line)) first_line = 0;
    for (std::size_t r = 1; r < table->rows.size(); ++r) {
      const std::vector<std::string>& cells = table->rows[r];
      const std::string where =
          absl::StrCat(table->source.substr(0, colon), ":", first_line + static_cast<int>(r) + 1);
      // Rows have the header's four cells (the parser pads short rows).
      const auto filled = std::count_if(cells.begin(), cells.end(),
                                        [](const std::string& c) { return !c.empty(); });
      if (filled != static_cast<long>(columns.size())) {
        throw BadInput(absl::StrCat(where, ": a discrepancy row has ", filled,
                                    " cells with text; expected 4 (where | paper | scripts | "
                                    "this package)"));
      }
      Discrepancy d;
      d.anchor = h.anchor.empty() ? slug(h.text) : h.anchor;
      d.where = cells[0];
      d.paper = cells[1];
      d.scripts = cells[2];
      d.package = cells[3];
      d.source = where;
      out.push_back(d);
    }
  }
  for (Discrepancy& d : out) d.section = section.empty() ? doc.path : section;
  return out;
}

namespace {

// '*' any string, '?' any one character.
bool glob_match(absl::string_view pattern, absl::string_view name) {
  std::size_t p = 0, n = 0, star = absl::string_view::npos, resume = 0;
  while (n < name.size()) {
    if (p < pattern.size() && (pattern[p] == '?' || pattern[p] == name[n])) {
      ++p;
      ++n;
    } else if (p < pattern.size() && pattern[p] == '*') {
      star = p++;
      resume = n;
    } else if (star != absl::string_view::npos) {
      p = star + 1;
      n = ++resume;
    } else {
      return false;
    }
  }
  while (p < pattern.size() && pattern[p] == '*') ++p;
  return p == pattern.size();
}

std::vector<std::string> filter_patterns(const std::string& filter) {
  std::vector<std::string> out;
  for (absl::string_view p : absl::StrSplit(filter, absl::ByAnyChar(": \t\n"), absl::SkipEmpty()))
    out.emplace_back(p);
  return out;
}

constexpr char kVerdictProperty[] = "verdict:";

// A record's value "<state>: <statistic>"; false if it is not one.
bool parse_record(const std::string& value, VerdictRecord& r) {
  for (const char* state : {"verified", "refuted", "not confirmed"}) {
    const std::string prefix = absl::StrCat(state, ": ");
    if (absl::StartsWith(value, prefix) && value.size() > prefix.size()) {
      r.state = state;
      r.statistic = value.substr(prefix.size());
      return true;
    }
  }
  return false;
}

// "3 of 4 test cases" or "3 of the claim's 4 test cases (cases 'E5.*')".
std::string cases_phrase(const Claim& claim, int n) {
  return claim.cases.empty()
             ? absl::StrCat(n, n == 1 ? " test case" : " test cases")
             : absl::StrCat("the claim's ", n, n == 1 ? " test case" : " test cases", " (cases '",
                            claim.cases, "')");
}

}  // namespace

bool case_selected(const std::string& filter, const std::string& full_name) {
  const std::vector<std::string> patterns = filter_patterns(filter);
  if (patterns.empty()) return true;
  for (const std::string& p : patterns)
    if (glob_match(p, full_name)) return true;
  return false;
}

ClaimStatus status_of(const Claim& claim, const std::vector<Verdict>& verdicts) {
  ClaimStatus s;
  if (claim.test.empty()) {
    s.status = "not run";
    s.detail = "the claim names no test.";
    return s;
  }
  for (const Verdict& v : verdicts) {
    if (v.test == claim.test) {
      s.verdict = &v;
      break;
    }
  }
  if (s.verdict == nullptr) {
    s.status = "not run";
    s.detail =
        "the report has no verdict for this test (no claim_verdict target among its inputs).";
    return s;
  }
  const Verdict& v = *s.verdict;
  s.status = "failed";
  if (!v.has_xml) {
    if (v.exit_code == 124) {
      s.detail =
          "the test was stopped at claim_verdict's time limit (exit code 124) before writing its "
          "XML report.";
    } else if (v.exit_code > 128) {
      s.detail = absl::StrCat("the test crashed (signal ", v.exit_code - 128,
                              ") before writing its XML report.");
    } else {
      s.detail = absl::StrCat("the test exited with code ", v.exit_code,
                              " without writing its XML report.");
    }
    return s;
  }
  if (claim.cases.empty()) s.measured = v.xml.measured;
  const std::string record_name = kVerdictProperty + claim.id;
  std::vector<std::string> failed, problems;
  int failed_anywhere = 0;
  for (const GtestCase& c : v.xml.cases) {
    const std::string full = absl::StrCat(c.suite, ".", c.name);
    failed_anywhere += c.failed ? 1 : 0;
    const bool mine = case_selected(claim.cases, full);
    for (const auto& [name, value] : c.properties) {
      if (name != record_name && !(mine && name == "refuted")) continue;
      if (!mine) {
        problems.push_back(absl::StrCat(full, " records a verdict on ", claim.id,
                                        " but the claim's cases '", claim.cases,
                                        "' do not select it"));
      } else if (name == "refuted") {
        problems.push_back(absl::StrCat(full, " records a counterexample as free text (property "
                                              "'refuted') instead of a verdict on ",
                                        claim.id));
      } else {
        VerdictRecord r;
        r.test_case = full;
        if (parse_record(value, r)) {
          s.records.push_back(r);
        } else {
          problems.push_back(absl::StrCat(full, " records the verdict '", value, "' on ", claim.id,
                                          ", not '<verified|refuted|not confirmed>: <statistic>'"));
        }
      }
    }
    if (!mine) continue;
    ++s.cases_selected;
    if (c.failed) failed.push_back(full);
    if (!c.skipped) ++s.cases_run;
    if (!claim.cases.empty()) {
      for (const auto& [name, value] : c.properties)
        if (name == "measured") s.measured.push_back(value);
    }
  }
  if (!failed.empty()) {
    s.detail = absl::StrCat(failed.size(), " of ", cases_phrase(claim, s.cases_selected),
                            " failed: ", absl::StrJoin(failed, ", "), ".");
    return s;
  }
  if (v.exit_code != 0 && failed_anywhere == 0) {
    s.detail = absl::StrCat("the test exited with code ", v.exit_code,
                            " although its XML report lists no failure.");
    return s;
  }
  if (s.cases_run == 0) {
    s.detail = v.xml.cases.empty() ? "the test ran no test case."
               : s.cases_selected == 0
                   ? absl::StrCat("no test case of the test matches the claim's cases '",
                                  claim.cases, "'.")
                   : absl::StrCat("none of ", cases_phrase(claim, s.cases_selected),
                                  " ran (all skipped).");
    return s;
  }
  if (!problems.empty()) {
    s.detail = absl::StrCat(absl::StrJoin(problems, "; "), ".");
    return s;
  }
  bool refuted = false, open = false;
  for (const VerdictRecord& r : s.records) {
    refuted = refuted || r.state == "refuted";
    open = open || r.state == "not confirmed";
  }
  s.status = refuted ? "refuted" : open ? "not confirmed" : "verified";
  const int skipped = s.cases_selected - s.cases_run;
  s.detail = absl::StrCat(
      s.cases_run, " of ", cases_phrase(claim, s.cases_selected), " passed",
      skipped ? absl::StrCat(", ", skipped, " skipped") : "",
      refuted ? "; they establish a counterexample to the statement as the paper gives it (exact, "
                "or a difference significant at the level stated), and check the corrected "
                "statement."
      : open  ? "; the data do not decide the statement (a difference within noise at the level "
                "stated)."
              : ".",
      failed_anywhere ? absl::StrCat(" (", failed_anywhere,
                                     failed_anywhere == 1 ? " other test case" : " other test cases",
                                     " of the test failed.)")
                      : "");
  return s;
}

std::string generate(const Options& options) {
  if (options.inputs.empty() || options.out.empty())
    throw UsageError("--inputs and --out are required");
  Page p;
  p.in = load_inputs(options.inputs, options.results);
  if (p.in.report_target.empty()) p.in.report_target = "//reports:paper";

  // The literate text, its claims and where it places figures.
  std::set<std::string> figures(figure_names().begin(), figure_names().end());
  std::map<std::string, std::string> claim_source;
  std::map<std::string, std::string> placed;  // figure -> where
  int next_figure = 1;
  for (const std::string& path : p.in.papers) {
    p.docs.push_back(parse_markdown(path, read_paper(path, p.in.report_target)));
    for (const Block& b : p.docs.back().blocks) {
      if (b.kind == Block::Kind::kClaim) {
        const Claim& c = b.claim;
        if (!claim_source.emplace(c.id, c.source).second) {
          throw BadInput(
              absl::StrCat(c.source, ": claim ", c.id, " is also defined at ", claim_source[c.id]));
        }
        for (const std::string& f : c.figures) {
          if (!figures.count(f)) {
            throw BadInput(absl::StrCat(c.source, ": claim ", c.id, " names figure '", f,
                                        "'; known figures: ", absl::StrJoin(figure_names(), ", ")));
          }
        }
        p.claims.push_back(c);
      } else if (b.kind == Block::Kind::kFigure) {
        if (!figures.count(b.text)) {
          throw BadInput(absl::StrCat(b.source, ": unknown figure '", b.text,
                                      "'; known figures: ", absl::StrJoin(figure_names(), ", ")));
        }
        if (!placed.emplace(b.text, b.source).second) {
          throw BadInput(absl::StrCat(b.source, ": figure ", b.text, " is already placed at ",
                                      placed[b.text]));
        }
        p.figure_number[b.text] = next_figure++;
      }
    }
  }
  for (const std::string& name : figure_names()) {
    if (!placed.count(name)) {
      p.unplaced.push_back(name);
      p.figure_number[name] = next_figure++;
    }
  }
  // Heading anchors must not take the page's own ids.
  std::vector<std::string> reserved = {"provenance", "claims", "discrepancies", "more-figures",
                                       "compute"};
  for (const Claim& c : p.claims) reserved.push_back(claim_anchor(c));
  for (const std::string& name : figure_names()) reserved.push_back(figure_anchor(name));
  assign_anchors(p.docs, reserved);
  for (const Document& doc : p.docs) {
    for (Discrepancy& d : discrepancies_of(doc)) p.discrepancies.push_back(std::move(d));
  }
  // A test shared by several claims decides each through its own cases.
  std::map<std::string, std::vector<const Claim*>> by_test;
  for (const Claim& c : p.claims) {
    if (!c.cases.empty() && c.test.empty())
      throw BadInput(absl::StrCat(c.source, ": claim ", c.id, " has cases but no test"));
    for (const std::string& pattern : filter_patterns(c.cases)) {
      if (pattern[0] == '-' ||
          !std::all_of(pattern.begin(), pattern.end(), [](char ch) {
            return absl::ascii_isalnum(ch) || std::strchr("_.*?/", ch) != nullptr;
          })) {
        throw BadInput(absl::StrCat(c.source, ": claim ", c.id, ": the cases pattern '", pattern,
                                    "' is not Suite.Name with * and ? (patterns separated by ':')"));
      }
    }
    if (!c.test.empty()) by_test[c.test].push_back(&c);
  }
  for (const auto& [test, claims] : by_test) {
    if (claims.size() < 2) continue;
    for (const Claim* c : claims) {
      if (c->cases.empty()) {
        throw BadInput(absl::StrCat(c->source, ": claim ", c->id, " shares the test ", test,
                                    " with ", claims.size() - 1,
                                    " other claims but names no cases (the test cases that "
                                    "decide it, e.g. 'cases: Suite.Name*')"));
      }
    }
  }
  for (const Claim& c : p.claims) p.statuses[c.id] = status_of(c, p.in.verdicts);
  for (const Verdict& v : p.in.verdicts) {
    bool claimed = false;
    for (const Claim& c : p.claims) claimed = claimed || c.test == v.test;
    if (!claimed)
      std::fprintf(stderr, "report: warning: no claim block names the test %s\n", v.test.c_str());
  }
  p.plots = plan_figures(p.in.runs);
  std::vector<ClaimNode> nodes;
  for (const Claim& c : p.claims) nodes.push_back({c.id, c.test, p.statuses[c.id].status, c.figures});
  p.plots.push_back(claim_map(nodes, p.plots));
  check_katex(options.katex);
  p.commit = git_commit_of(options.workspace);
  p.bazel = bazel_version(options.workspace);
  p.date = now_utc();

  // Build the report next to its final place, then swap it in.
  const fs::path out = fs::absolute(options.out).lexically_normal();
  const fs::path parent = out.parent_path();
  fs::create_directories(parent);
  PartialDir partial{parent / absl::StrCat(".", out.filename().string(), ".partial-", ::getpid())};
  fs::remove_all(partial.path);
  fs::create_directories(partial.path / "figures" / "data");
  for (const Plot& plot : p.plots)
    draw(plot, (partial.path / "figures").string(), options.gnuplot, options.dot);
  copy_katex(options.katex, partial.path / "katex");
  write_file_atomically((partial.path / "claims.json").string(), claims_json(p));
  write_file_atomically((partial.path / "index.html").string(), page_html(p));
  swap_into_place(partial.path, out);
  partial.keep = true;
  return summary_line(p.claims, p.statuses);
}

}  // namespace fgbdl::report
