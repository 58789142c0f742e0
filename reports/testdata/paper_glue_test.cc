// The Bazel glue of tools/defs.bzl end to end: experiment_run actions of a
// stand-in experiment, claim_verdict actions of a passing, a failing and a
// crashing test, and the paper_report launcher (//reports:paper_fixture),
// run here with --out in the test's temporary directory.
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "absl/strings/match.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "reports/process.h"

namespace fgbdl::report {
namespace {

using Json = nlohmann::json;

std::string slurp(const std::string& path) {
  std::ifstream in(path);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

const Json& claim(const Json& doc, const std::string& id) {
  for (const Json& c : doc.at("claims")) {
    if (c.at("id").get<std::string>() == id) return c;
  }
  ADD_FAILURE() << "no claim " << id;
  static const Json none;
  return none;
}

TEST(PaperGlue, LauncherWritesTheReportWithVerdictsFromRunningTheTests) {
  const std::string runfiles = std::getenv("TEST_SRCDIR");
  const std::string ws = std::getenv("TEST_WORKSPACE");
  const std::string out = std::string(std::getenv("TEST_TMPDIR")) + "/out";
  ::setenv("RUNFILES_DIR", runfiles.c_str(), 1);
  const ProcessResult r =
      run_process({runfiles + "/" + ws + "/reports/paper_fixture", "--out=" + out}, "", true);
  ASSERT_EQ(r.exit_code, 0) << r.output;

  for (const char* f :
       {"index.html", "claims.json", "katex/katex.min.js", "katex/contrib/auto-render.js",
        "figures/e2_1_parity.svg", "figures/e2_1_parity_sweep.svg", "figures/t1_variance.svg",
        "figures/t2_linear_periodic.svg", "figures/t2_training.svg", "figures/e3_1_examples.svg",
        "figures/e3_1_tuples.svg", "figures/e3_1_snr.svg", "figures/e3_2_stocks.svg",
        "figures/e3_1_architectures.svg", "figures/c4_conditioning.svg", "figures/e4_1_curves.svg",
        "figures/e4_1_error.svg", "figures/claim_map.svg", "figures/e5_fit.svg",
        "figures/e5_error.svg", "figures/e5_bias_sweep.svg", "figures/x1_bands.svg",
        "figures/x1_mse.svg", "figures/x2_memorize.svg", "figures/x2_parity_step.svg",
        "figures/x2_images_curves.svg", "figures/x2_fashion.svg", "figures/x3_error.svg",
        "figures/x3_angle.svg", "figures/x4_flat.svg", "figures/x4_families.svg",
        "figures/x5_curves.svg", "figures/x5_threshold.svg", "figures/x6_steps.svg",
        "figures/x6_jump.svg", "figures/boundaries.svg", "figures/b4_1_steps.svg",
        "figures/b4_1_error.svg", "figures/b5_sharpness.svg", "figures/b5_thresholds.svg"}) {
    EXPECT_GT(std::filesystem::file_size(out + "/" + f), 0u) << f;
  }
  const Json doc = Json::parse(slurp(out + "/claims.json"));
  EXPECT_EQ(claim(doc, "P1").at("status").get<std::string>(), "verified");
  EXPECT_EQ(claim(doc, "P1").at("detail").get<std::string>(),
            "3 of the claim's 3 test cases (cases 'FakeClaim.RecordsAMeasuredValue "
            "FakeClaim.FindsItsRunfiles FakeClaim.SecondCase') passed.");
  // Verdicts recorded by a real GoogleTest binary through record_verdict.
  EXPECT_EQ(claim(doc, "P2").at("status").get<std::string>(), "not confirmed");
  EXPECT_EQ(claim(doc, "P2").at("statistic").get<std::string>(),
            "not confirmed: paired z 0.9 < 3 & \"tie\"");
  EXPECT_EQ(claim(doc, "P2").at("measured").size(), 0u);
  EXPECT_EQ(claim(doc, "P3").at("status").get<std::string>(), "refuted");
  EXPECT_EQ(claim(doc, "P3").at("statistic").get<std::string>(),
            "refuted: exact counterexample n = 7; the corrected bound holds");
  EXPECT_EQ(doc.at("summary").at("not confirmed").get<int>(), 1);
  ASSERT_EQ(claim(doc, "P1").at("measured").size(), 1u);
  EXPECT_EQ(claim(doc, "P1").at("measured")[0].get<std::string>(), "ratio < 1 & \"quoted\"");
  EXPECT_EQ(claim(doc, "F1").at("status").get<std::string>(), "failed");
  EXPECT_TRUE(
      absl::StrContains(claim(doc, "F1").at("detail").get<std::string>(), "FakeClaim.SecondCase"));
  EXPECT_EQ(claim(doc, "X1").at("status").get<std::string>(), "failed");
  EXPECT_TRUE(
      absl::StrContains(claim(doc, "X1").at("detail").get<std::string>(), "crashed (signal 6)"))
      << claim(doc, "X1").at("detail").get<std::string>();
  EXPECT_EQ(claim(doc, "N1").at("status").get<std::string>(), "not run");

  const std::string html = slurp(out + "/index.html");
  EXPECT_TRUE(absl::StrContains(html, "ratio &lt; 1 &amp; &quot;quoted&quot;"));
  EXPECT_TRUE(absl::StrContains(html, "//reports:fake_e2_1_parity_d5"));
  // The two seeds of one experiment_run are two runs of the figure.
  EXPECT_TRUE(absl::StrContains(html, "e2_1_parity/d5/seed-2"));
  // Two experiment_runs write the same example images: read once, from the
  // first one listed.
  EXPECT_TRUE(absl::StrContains(html,
                                "<code>e3_1_examples/grid/seed-1</code> made by "
                                "<code>//reports:fake_e3_1_tuples_k13</code>"));
  EXPECT_FALSE(absl::StrContains(html,
                                 "<code>e3_1_examples/grid/seed-1</code> made by "
                                 "<code>//reports:fake_e3_1_tuples_k2</code>"));
  // The text's discrepancy table reaches the page and claims.json.
  ASSERT_TRUE(doc.contains("discrepancies"));
  const Json& rows = doc.at("discrepancies");
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].at("where").get<std::string>(), "P1 inputs");
  EXPECT_EQ(rows[0].at("section").get<std::string>(), "Glue fixture");
  EXPECT_TRUE(absl::StrContains(html, "$x \\in \\{\\pm 1\\}^d$ &amp; &lt;b&gt;more&lt;/b&gt;"));
}

}  // namespace
}  // namespace fgbdl::report
