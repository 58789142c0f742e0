// Tests of the report generator (//reports:report) on fixture results that
// the test writes with lib/io's own writer into TEST_TMPDIR: the page and
// every figure are made; everything written into HTML is escaped; claim
// statuses come from verdict files (passed, failed, crashed, missing);
// missing or malformed results are refused with a message naming the file
// and the target that makes it, leaving the previous report in place.
// Needs gnuplot (/usr/bin/gnuplot, Debian package gnuplot-nox).
#include "reports/report.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "gtest/gtest.h"
#include "lib/io/results.h"
#include "reports/figures.h"
#include "reports/gtest_xml.h"
#include "reports/inputs.h"
#include "reports/json.h"
#include "reports/markdown.h"
#include "reports/process.h"

namespace fgbdl::report {
namespace {
namespace fs = std::filesystem;

std::string slurp(const std::string& path) {
  std::ifstream in(path);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

std::string runfile(const std::string& path) {
  return absl::StrCat(std::getenv("TEST_SRCDIR"), "/", std::getenv("TEST_WORKSPACE"), "/", path);
}

constexpr char kGtest112Pass[] = R"(<?xml version="1.0" encoding="UTF-8"?>
<testsuites tests="2" failures="0" disabled="0" errors="0" time="0.1" name="AllTests">
  <testsuite name="T1" tests="2" failures="0" disabled="0" skipped="0" errors="0" time="0.1">
    <testcase name="VarianceIsBelowTheBound" status="run" result="completed" time="0.1" classname="T1">
      <properties>
        <property name="measured" value="max Var/bound = 0.42 &lt; 1 over d=2..10"/>
      </properties>
    </testcase>
    <testcase name="Other" status="run" result="completed" time="0" classname="T1" />
  </testsuite>
</testsuites>
)";

constexpr char kGtestOldPass[] = R"(<?xml version="1.0" encoding="UTF-8"?>
<testsuites tests="1" failures="0" disabled="0" errors="0" time="0" name="AllTests">
  <testsuite name="E21" tests="1" failures="0" disabled="0" errors="0" time="0">
    <testcase name="Learns" status="run" time="0" classname="E21" measured="acc(d=5) = 1.00 &amp; acc(d=30) = 0.51" />
  </testsuite>
</testsuites>
)";

constexpr char kGtestFail[] = R"(<?xml version="1.0" encoding="UTF-8"?>
<testsuites tests="2" failures="1" disabled="0" errors="0" time="0" name="AllTests">
  <testsuite name="C22" tests="2" failures="1" disabled="0" errors="0" time="0">
    <testcase name="Orthogonal" status="run" result="completed" time="0" classname="C22">
      <failure message="x.cc:3&#x0A;Expected equality" type=""><![CDATA[x.cc:3
Expected equality <of> these]]></failure>
    </testcase>
    <testcase name="Fine" status="run" result="completed" time="0" classname="C22" />
  </testsuite>
</testsuites>
)";

constexpr char kPaper[] = R"(# Section <2> & friends

Intro with math $\mathrm{Var} \le G^2 / 2^d$ and *emphasis* and `code<x>`.

```claim
id: E2.1
kind: experiment
statement: Parities of few bits are learned; <script>alert(1)</script>
test: //t:e21_test
figures: e2_1_parity, e2_1_parity_sweep
```

@figure e2_1_parity

Between the figures.

@figure e2_1_parity_sweep

```claim
id: T1
kind: theorem
statement: $\mathrm{Var}(\mathcal H, F, w) \le G(w)^2 / |\mathcal H|$.
test: //t:t1_test
figures: t1_variance
precision: float64
```

@figure t1_variance

```claim
id: C2.2
kind: corollary
statement: Parities are orthogonal.
test: //t:c22_test
```

```claim
id: L3
kind: lemma
statement: A network computes every parity.
test: //t:l3_test
```

```claim
id: T2
kind: theorem
statement: Linear-periodic targets.
test: //t:t2_test
figures: t2_linear_periodic, t2_training
```

@figure t2_linear_periodic
@figure t2_training
)";

// A results root with the given runs, written by lib/io (the experiments' writer).
void write_runs(const std::string& root, const std::string& claim,
                const std::vector<std::pair<std::string, int>>& config_seeds,
                const std::function<Table(const std::string&, int)>& table) {
  for (const auto& [config, seed] : config_seeds) {
    write_run(root, {claim, config, static_cast<std::uint64_t>(seed), "quick"}, table(config, seed),
              {{"steps", "2000"}}, {}, 1.5);
  }
}

struct Fixture {
  std::string dir, inputs, out;
  std::vector<std::string> run_entries, verdict_entries;

  std::string e21_metrics(const std::string& config, int seed) const {
    return run_dir(dir + "/runs/e21",
                   {"e2_1_parity", config, static_cast<std::uint64_t>(seed), ""});
  }
  void add_root(const std::string& root, const std::string& target, const std::string& binary) {
    run_entries.push_back(
        absl::StrCat("{\"target\": ", json_quote(target), ", \"binary\": ", json_quote(binary),
                     ", \"dir\": ", json_quote(root),
                     ", \"args\": [\"--profile=quick\", \"--seeds=1\"], \"profile\": \"quick\"}"));
  }
  void add_verdict(const std::string& name, const std::string& xml, int code) {
    const std::string base = absl::StrCat(dir, "/verdicts/", name);
    write_file_atomically(base + ".xml", xml);
    write_file_atomically(base + ".exit_code", absl::StrCat(code, "\n"));
    write_file_atomically(base + ".log", "[ RUN ] output of " + name + "\n");
    verdict_entries.push_back(absl::StrCat("{\"target\": \"//reports:", name,
                                           "_verdict\", \"test\": \"//t:", name,
                                           "\", \"xml\": ", json_quote(base + ".xml"),
                                           ", \"exit_code\": ", json_quote(base + ".exit_code"),
                                           ", \"log\": ", json_quote(base + ".log"), "}"));
  }
  void write_inputs() const {
    write_file_atomically(inputs,
                          absl::StrCat("{\"report\": \"//reports:fixture\", \"runs\": [",
                                       absl::StrJoin(run_entries, ",\n"), "],\n\"verdicts\": [",
                                       absl::StrJoin(verdict_entries, ",\n"), "],\n\"papers\": [",
                                       json_quote(dir + "/paper/sec2.md"), "]}\n"));
  }
  Options options() const {
    Options o;
    o.inputs = inputs;
    o.out = out;
    o.katex = dir + "/katex";
    o.gnuplot = "/usr/bin/gnuplot";
    return o;
  }
  // The report binary on this fixture.
  ProcessResult run_binary() const {
    const Options o = options();
    return run_process({runfile("reports/report"), "--inputs=" + o.inputs, "--out=" + o.out,
                        "--katex=" + o.katex, "--gnuplot=" + o.gnuplot},
                       "", true);
  }
};

Fixture make_fixture(const std::string& name) {
  Fixture f;
  f.dir = absl::StrCat(std::getenv("TEST_TMPDIR"), "/", name);
  fs::remove_all(f.dir);
  f.inputs = f.dir + "/inputs.json";
  f.out = f.dir + "/report/out";
  write_runs(
      f.dir + "/runs/e21", "e2_1_parity",
      {{"d5", 1}, {"d5", 2}, {"d10", 1}, {"d15", 1}, {"d30", 1}},
      [](const std::string& config, int seed) {
        Table t({"step", "accuracy", "loss"});
        const bool learns = config != "d30";
        for (int step = 0; step <= 1000; step += 100) {
          t.add_row({double(step), learns ? 0.5 + step / 2000.0 - 0.01 * seed : 0.5 + 0.01 * seed,
                     1.0 - step / 2000.0});
        }
        return t;
      });
  f.add_root(f.dir + "/runs/e21", "//reports:fixture_e2_1",
             "//experiments/sec2_parity:e2_1_parity");
  write_runs(f.dir + "/runs/t1", "t1_variance", {{"fixed_net", 1}}, [](const std::string&, int) {
    Table t({"d", "var_square", "var_hinge", "G2", "bound"});
    for (int d = 2; d <= 8; ++d)
      t.add_row({double(d), 0.4 / (1 << d), d == 8 ? 0.0 : 0.2 / (1 << d), 2, 2.0 / (1 << d)});
    return t;
  });
  f.add_root(f.dir + "/runs/t1", "//reports:fixture_t1", "//experiments/sec2_parity:t1_variance");
  write_runs(f.dir + "/runs/t2", "t2_linear_periodic",
             {{"d5", 1}, {"d10", 1}, {"exact_d5", 1}, {"train", 1}},
             [](const std::string& config, int) {
               if (config == "exact_d5") {
                 Table t({"r", "variance"});
                 for (double r : {0.5, 1.0, 2.0, 8.0, 64.0}) t.add_row({r, std::exp(-r) + 1e-20});
                 return t;
               }
               if (config == "train") {
                 Table t({"step", "loss", "trivial_loss"});
                 for (int step = 0; step <= 500; step += 50)
                   t.add_row({double(step), 0.6 - step / 10000.0, 0.5});
                 return t;
               }
               Table t({"r", "variance", "variance_se"});
               for (int r = 1; r <= 6; ++r)
                 t.add_row({double(r), std::exp(-r), r == 6 ? 0.1 : 0.1 * std::exp(-r)});
               return t;
             });
  f.add_root(f.dir + "/runs/t2", "//reports:fixture_t2",
             "//experiments/sec2_parity:t2_linear_periodic");
  // A run of another claim whose names carry markup: the compute table must escape them.
  write_runs(f.dir + "/runs/odd", "x<script>", {{"<b>bold", 1}}, [](const std::string&, int) {
    Table t({"a"});
    t.add_row({1});
    return t;
  });
  f.add_root(f.dir + "/runs/odd", "//reports:odd<i>", "//x:y");
  f.add_verdict("e21_test", kGtestOldPass, 0);
  f.add_verdict("t1_test", kGtest112Pass, 0);
  f.add_verdict("c22_test", kGtestFail, 1);
  f.add_verdict("l3_test", "", 134);  // crashed before writing XML
  write_file_atomically(f.dir + "/paper/sec2.md", kPaper);
  for (const char* k : {"katex.min.js", "katex.min.css", "contrib/auto-render.js",
                        "fonts/KaTeX_Main-Regular.woff2"}) {
    write_file_atomically(absl::StrCat(f.dir, "/katex/", k), "/* stand-in */\n");
  }
  f.write_inputs();
  return f;
}

const Json& claim_json(const Json& doc, const std::string& id) {
  for (const Json& c : doc.find("claims")->array) {
    if (c.find("id")->string == id) return c;
  }
  ADD_FAILURE() << "no claim " << id;
  static const Json none;
  return none;
}

TEST(Report, WritesThePageEveryFigureTheClaimsAndKatex) {
  const Fixture f = make_fixture("page");
  generate(f.options());
  for (const std::string& name : figure_names()) {
    const std::string svg = absl::StrCat(f.out, "/figures/", name, ".svg");
    ASSERT_TRUE(fs::exists(svg)) << svg;
    EXPECT_GT(fs::file_size(svg), 1000u) << svg;
    EXPECT_TRUE(absl::StrContains(slurp(svg), "<svg")) << svg;
    EXPECT_TRUE(fs::exists(absl::StrCat(f.out, "/figures/data/", name, ".gp")));
  }
  for (const char* file : {"index.html", "claims.json", "katex/katex.min.js", "katex/katex.min.css",
                           "katex/contrib/auto-render.js", "katex/render-math.js",
                           "katex/fonts/KaTeX_Main-Regular.woff2"}) {
    EXPECT_TRUE(fs::exists(absl::StrCat(f.out, "/", file))) << file;
  }
  const std::string html = slurp(f.out + "/index.html");
  // Figures sit where the text places them, numbered in order.
  const auto fig1 = html.find("id=\"fig-e2_1_parity\"");
  const auto between = html.find("Between the figures.");
  const auto fig2 = html.find("id=\"fig-e2_1_parity_sweep\"");
  ASSERT_NE(fig1, std::string::npos);
  EXPECT_LT(fig1, between);
  EXPECT_LT(between, fig2);
  EXPECT_TRUE(absl::StrContains(html, "<img src=\"figures/e2_1_parity.svg\""));
  EXPECT_TRUE(absl::StrContains(html, "min–max over the seeds"));
  EXPECT_TRUE(absl::StrContains(html, "Regenerate: <code>bazel run //reports:fixture</code>"));
  EXPECT_TRUE(absl::StrContains(html, "made by <code>//reports:fixture_e2_1</code>"));
  // Math is left for KaTeX, escaped.
  EXPECT_TRUE(absl::StrContains(html, "$\\mathrm{Var} \\le G^2 / 2^d$"));
  EXPECT_TRUE(
      absl::StrContains(html, "<script defer src=\"katex/contrib/auto-render.js\"></script>"));
  // The t1 fixture has one zero variance: dropped from the log axis, and said so.
  EXPECT_TRUE(absl::StrContains(html, "1 non-positive points are not drawn on the log axis"));
  // The compute table lists every run.
  EXPECT_TRUE(absl::StrContains(html, "<td>e2_1_parity</td><td>d15</td>"));
  // The exact curve of T2 is drawn next to the Monte Carlo estimates.
  EXPECT_TRUE(absl::StrContains(slurp(f.out + "/figures/data/t2_linear_periodic.gp"),
                                "title 'd = 5, exact'"));
  EXPECT_TRUE(absl::StrContains(html, "Dashed: the exact variance of the same network"));
  EXPECT_FALSE(fs::exists(f.dir + "/report/.out.partial-" + std::to_string(::getpid())));
}

TEST(Report, EscapesEverythingItWritesIntoHtml) {
  const Fixture f = make_fixture("escape");
  generate(f.options());
  const std::string html = slurp(f.out + "/index.html");
  EXPECT_FALSE(absl::StrContains(html, "<script>alert"));
  EXPECT_TRUE(absl::StrContains(html, "&lt;script&gt;alert(1)&lt;/script&gt;"));
  EXPECT_FALSE(absl::StrContains(html, "x<script>"));
  EXPECT_TRUE(absl::StrContains(html, "<td>x&lt;script&gt;</td><td>&lt;b&gt;bold</td>"));
  EXPECT_TRUE(absl::StrContains(html, "//reports:odd&lt;i&gt;"));
  EXPECT_TRUE(absl::StrContains(html, "Section &lt;2&gt; &amp; friends"));
  EXPECT_TRUE(absl::StrContains(html, "<code>code&lt;x&gt;</code>"));
  // Every <script> on the page is one of the three KaTeX includes.
  std::size_t scripts = 0;
  for (auto at = html.find("<script"); at != std::string::npos; at = html.find("<script", at + 1))
    ++scripts;
  EXPECT_EQ(scripts, 3u);
}

TEST(Report, ClaimStatusComesFromTheVerdicts) {
  const Fixture f = make_fixture("status");
  generate(f.options());
  const Json doc = parse_json(slurp(f.out + "/claims.json"));
  ASSERT_EQ(doc.find("claims")->array.size(), 5u);
  const Json& e21 = claim_json(doc, "E2.1");
  EXPECT_EQ(e21.find("status")->string, "verified");
  ASSERT_EQ(e21.find("measured")->array.size(), 1u);
  EXPECT_EQ(e21.find("measured")->array[0].string, "acc(d=5) = 1.00 & acc(d=30) = 0.51");
  const Json& t1 = claim_json(doc, "T1");
  EXPECT_EQ(t1.find("status")->string, "verified");
  EXPECT_EQ(t1.find("precision")->string, "float64");
  EXPECT_EQ(t1.find("measured")->array[0].string, "max Var/bound = 0.42 < 1 over d=2..10");
  const Json& c22 = claim_json(doc, "C2.2");
  EXPECT_EQ(c22.find("status")->string, "failed");
  EXPECT_TRUE(
      absl::StrContains(c22.find("detail")->string, "1 of 2 test cases failed: C22.Orthogonal"));
  const Json& l3 = claim_json(doc, "L3");
  EXPECT_EQ(l3.find("status")->string, "failed");
  EXPECT_TRUE(absl::StrContains(l3.find("detail")->string, "crashed (signal 6)"));
  EXPECT_EQ(claim_json(doc, "T2").find("status")->string, "not run");
  const std::string html = slurp(f.out + "/index.html");
  EXPECT_TRUE(absl::StrContains(html, "<span class=\"status status-not-run\">not run</span>"));
  EXPECT_TRUE(absl::StrContains(html, "max Var/bound = 0.42 &lt; 1 over d=2..10"));
  EXPECT_TRUE(
      absl::StrContains(html, "output of l3_test"));  // a failed claim shows the test's output
}

struct Breakage {
  std::string name;
  std::function<std::string(const Fixture&)>
      apply;  // breaks the fixture; returns the file to be named
  std::string problem;
};

TEST(Report, RefusesMissingOrMalformedResultsNamingTheFileAndTarget) {
  const std::vector<Breakage> cases = {
      {"truncated metrics.csv",
       [](const Fixture& f) {
         const std::string p = f.e21_metrics("d5", 1) + "/metrics.csv";
         std::string text = slurp(p);
         text.erase(text.rfind(','));
         write_file_atomically(p, text);
         return p;
       },
       "2 cells for 3 columns"},
      {"non-numeric cell",
       [](const Fixture& f) {
         const std::string p = f.e21_metrics("d10", 1) + "/metrics.csv";
         write_file_atomically(p, "step,accuracy,loss\n0,0.5,1\n100,abc,0.9\n");
         return p;
       },
       "line 3, column 'accuracy': not a number: 'abc'"},
      {"empty metrics.csv",
       [](const Fixture& f) {
         const std::string p = f.e21_metrics("d30", 1) + "/metrics.csv";
         write_file_atomically(p, "");
         return p;
       },
       "empty file"},
      {"missing manifest",
       [](const Fixture& f) {
         const std::string p = f.e21_metrics("d15", 1) + "/manifest.json";
         fs::remove(p);
         return p;
       },
       "missing file"},
      {"manifest without a field",
       [](const Fixture& f) {
         const std::string p = f.e21_metrics("d5", 2) + "/manifest.json";
         std::string text = slurp(p);
         const auto at = text.find("  \"wall_time_s\"");
         text.erase(at, text.find('\n', at) + 1 - at);
         write_file_atomically(p, text);
         return p;
       },
       "required field \"wall_time_s\" is missing"},
  };
  for (const Breakage& b : cases) {
    SCOPED_TRACE(b.name);
    const Fixture f = make_fixture("refuse");
    ASSERT_EQ(f.run_binary().exit_code, 0);
    const std::string before = slurp(f.out + "/index.html");
    const std::string file = b.apply(f);
    const ProcessResult r = f.run_binary();
    EXPECT_EQ(r.exit_code, 2) << r.output;
    EXPECT_TRUE(absl::StrContains(r.output, file + ": ")) << r.output;
    EXPECT_TRUE(absl::StrContains(r.output, b.problem)) << r.output;
    EXPECT_TRUE(absl::StrContains(
        r.output, "made by //reports:fixture_e2_1: bazel build //reports:fixture_e2_1"))
        << r.output;
    EXPECT_EQ(std::count(r.output.begin(), r.output.end(), '\n'), 1) << "one line: " << r.output;
    EXPECT_EQ(slurp(f.out + "/index.html"), before) << "the previous report is left as it was";
    EXPECT_FALSE(absl::StrContains(slurp(f.out + "/index.html"), "partial"));
    for (const auto& entry : fs::directory_iterator(f.dir + "/report")) {
      EXPECT_EQ(entry.path().filename(), "out") << "left behind: " << entry.path();
    }
  }
}

TEST(Report, RefusesAFigureWithoutRunsNamingTheExperiment) {
  Fixture f = make_fixture("nofigure");
  f.run_entries.erase(f.run_entries.begin() + 1);  // the t1_variance root
  f.write_inputs();
  try {
    generate(f.options());
    FAIL() << "generated without t1_variance runs";
  } catch (const BadInput& e) {
    EXPECT_TRUE(absl::StrContains(e.what(), "t1_variance with config fixed_net")) << e.what();
    EXPECT_TRUE(absl::StrContains(e.what(), "//experiments/sec2_parity:t1_variance")) << e.what();
  }
  EXPECT_FALSE(fs::exists(f.out));
}

TEST(Report, FailsLoudlyWithoutGnuplot) {
  Fixture f = make_fixture("nognuplot");
  Options o = f.options();
  o.gnuplot = f.dir + "/no/such/gnuplot";
  try {
    generate(o);
    FAIL() << "generated without gnuplot";
  } catch (const std::runtime_error& e) {
    EXPECT_TRUE(absl::StrContains(e.what(), "cannot run gnuplot")) << e.what();
  }
  EXPECT_FALSE(fs::exists(f.out));
}

TEST(Verdicts, StatusFromExitCodeAndXml) {
  Claim c;
  c.id = "X";
  c.test = "//t:x";
  Verdict v;
  v.test = "//t:x";
  v.has_xml = true;
  v.xml = parse_gtest_xml(kGtest112Pass);
  EXPECT_EQ(status_of(c, {v}).status, "verified");
  EXPECT_EQ(status_of(c, {v}).detail, "2 of 2 test cases passed.");
  Verdict empty = v;  // a test binary with no test case proves nothing
  empty.xml = parse_gtest_xml("<testsuites tests=\"0\"></testsuites>");
  EXPECT_EQ(status_of(c, {empty}).status, "failed");
  EXPECT_EQ(status_of(c, {empty}).detail, "the test ran no test case.");
  v.exit_code = 1;  // exit code and XML disagree: not verified
  EXPECT_EQ(status_of(c, {v}).status, "failed");
  v.has_xml = false;
  v.exit_code = 139;
  EXPECT_EQ(status_of(c, {v}).detail,
            "the test crashed (signal 11) before writing its XML report.");
  v.exit_code = 124;
  EXPECT_TRUE(absl::StrContains(status_of(c, {v}).detail, "time limit"))
      << status_of(c, {v}).detail;
  EXPECT_EQ(status_of(c, {}).status, "not run");
  c.test.clear();
  EXPECT_EQ(status_of(c, {v}).status, "not run");
}

TEST(GtestXml, ReadsCasesFailuresAndMeasuredInBothFormats) {
  const GtestReport pass = parse_gtest_xml(kGtest112Pass);
  EXPECT_EQ(pass.tests, 2);
  EXPECT_EQ(pass.failures, 0);
  ASSERT_EQ(pass.measured.size(), 1u);
  EXPECT_EQ(pass.measured[0], "max Var/bound = 0.42 < 1 over d=2..10");
  const GtestReport old = parse_gtest_xml(kGtestOldPass);
  ASSERT_EQ(old.measured.size(), 1u);
  EXPECT_EQ(old.measured[0], "acc(d=5) = 1.00 & acc(d=30) = 0.51");
  const GtestReport fail = parse_gtest_xml(kGtestFail);
  EXPECT_EQ(fail.failures, 1);
  EXPECT_EQ(fail.cases[0].failure_messages[0], "x.cc:3\nExpected equality");
  EXPECT_THROW(parse_gtest_xml("<testsuites><testsuite></testsuites>"), std::runtime_error);
  EXPECT_THROW(
      parse_gtest_xml(
          "<testsuites tests=\"1\"><testcase name=\"a\" measured=\"&bogus;\"/></testsuites>"),
      std::runtime_error);
}

TEST(Markdown, InlineMarkupEscapesAndKeepsMath) {
  EXPECT_EQ(inline_html("a <b> & \"c\""), "a &lt;b&gt; &amp; &quot;c&quot;");
  EXPECT_EQ(inline_html("$a_i * b_j < c$ and *x*"), "$a_i * b_j &lt; c$ and <em>x</em>");
  EXPECT_EQ(inline_html("**bold** `a<b>` $$x^2$$"),
            "<strong>bold</strong> <code>a&lt;b&gt;</code> $$x^2$$");
  EXPECT_EQ(inline_html("[ok](https://arxiv.org/abs/1703.07950)"),
            "<a href=\"https://arxiv.org/abs/1703.07950\">ok</a>");
  EXPECT_EQ(inline_html("[bad](javascript:alert(1))"), "[bad](javascript:alert(1))");
  EXPECT_EQ(inline_html("costs \\$5"), "costs <span class=\"nomath\">$</span>5");
  EXPECT_EQ(stem("E3.1-SNR"), "e3_1_snr");
}

TEST(Markdown, RefusesMalformedClaimBlocksWithFileAndLine) {
  try {
    parse_markdown("p.md",
                   "text\n\n```claim\nid: T9\nkind: theorem\nstatement: s\ncolour: red\n```\n");
    FAIL();
  } catch (const BadInput& e) {
    EXPECT_TRUE(absl::StartsWith(e.what(), "p.md:3: unknown key 'colour'")) << e.what();
  }
  EXPECT_THROW(parse_markdown("p.md", "```claim\nid: T9\nkind: theorem\n```\n"), BadInput);
  EXPECT_THROW(parse_markdown("p.md", "```claim\nid: T9\nkind: guess\nstatement: s\n```\n"),
               BadInput);
  EXPECT_THROW(
      parse_markdown("p.md", "```claim\nid: T9\nkind: lemma\nstatement: s\ntest: :x_test\n```\n"),
      BadInput);
  EXPECT_THROW(parse_markdown("p.md", "```claim\nid: T9\n"), BadInput);
  const Document d = parse_markdown("p.md",
                                    "```claim\nid: T9\nkind: lemma\nstatement: first\n  "
                                    "second\nfigures: a_b, c\n```\n| h |\n|---|\n| x |\n");
  ASSERT_EQ(d.blocks.size(), 2u);
  EXPECT_EQ(d.blocks[0].claim.statement, "first second");
  EXPECT_EQ(d.blocks[0].claim.figures, (std::vector<std::string>{"a_b", "c"}));
  EXPECT_EQ(d.blocks[1].rows.size(), 2u);
}

// The literate text of Section 2 names the five claims, their tests and
// figures, and places every Section 2 figure.
TEST(Paper, Section2TextHasTheFiveClaimsAndPlacesEveryFigure) {
  const std::string path = runfile("paper/sec2_parity.md");
  const Document doc = parse_markdown(path, slurp(path));
  std::map<std::string, Claim> claims;
  std::vector<std::string> placed;
  for (const Block& b : doc.blocks) {
    if (b.kind == Block::Kind::kClaim) claims[b.claim.id] = b.claim;
    if (b.kind == Block::Kind::kFigure) placed.push_back(b.text);
  }
  const std::string pkg = "//proofs_checks/sec2_parity:";
  ASSERT_EQ(claims.size(), 5u);
  EXPECT_EQ(claims["E2.1"].test, pkg + "e2_1_parity_test");
  EXPECT_EQ(claims["E2.1"].figures, (std::vector<std::string>{"e2_1_parity", "e2_1_parity_sweep"}));
  EXPECT_EQ(claims["T1"].test, pkg + "t1_variance_bound_test");
  EXPECT_EQ(claims["T1"].figures, (std::vector<std::string>{"t1_variance"}));
  EXPECT_EQ(claims["C2.2"].test, pkg + "c2_2_parity_orthogonality_test");
  EXPECT_EQ(claims["L3"].test, pkg + "l3_parity_network_test");
  EXPECT_EQ(claims["T2"].test, pkg + "t2_linear_periodic_test");
  EXPECT_EQ(claims["T2"].figures, (std::vector<std::string>{"t2_linear_periodic", "t2_training"}));
  std::sort(placed.begin(), placed.end());
  std::vector<std::string> all = figure_names();
  std::sort(all.begin(), all.end());
  EXPECT_EQ(placed, all);
}

}  // namespace
}  // namespace fgbdl::report
