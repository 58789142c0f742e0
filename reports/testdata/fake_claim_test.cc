// Stand-in claim tests for //reports:paper_glue_test: one passes and records
// a measured value and verdicts on two claims (proofs_checks/verdict.h), one
// fails, one crashes before GoogleTest writes its XML.
// Each finds its runfiles as under `bazel test` (claim_verdict provides them).
#include <cstdlib>
#include <fstream>
#include <string>

#include "gtest/gtest.h"
#include "proofs_checks/verdict.h"

TEST(FakeClaim, RecordsAMeasuredValue) {
  RecordProperty("measured", "ratio < 1 & \"quoted\"");
  EXPECT_EQ(1 + 1, 2);
}

TEST(FakeClaim, RecordsVerdicts) {
  fgbdl::record_verdict("P2", fgbdl::ClaimState::kNotConfirmed, "paired z 0.9 < 3 & \"tie\"");
  fgbdl::record_verdict("P3", fgbdl::ClaimState::kRefuted, "exact counterexample n = 7");
  fgbdl::record_verdict("P3", fgbdl::ClaimState::kVerified, "the corrected bound holds");
}

TEST(FakeClaim, FindsItsRunfiles) {
  const char* srcdir = std::getenv("TEST_SRCDIR");
  const char* ws = std::getenv("TEST_WORKSPACE");
  ASSERT_NE(srcdir, nullptr);
  ASSERT_NE(ws, nullptr);
  EXPECT_TRUE(
      std::ifstream(std::string(srcdir) + "/" + ws + "/reports/testdata/glue_paper.md").good());
  // The working directory is the workspace's runfiles directory.
  EXPECT_TRUE(std::ifstream("reports/testdata/glue_paper.md").good());
  EXPECT_NE(std::getenv("TEST_TMPDIR"), nullptr);
}

TEST(FakeClaim, SecondCase) {
#if defined(FAKE_MODE_FAIL)
  EXPECT_EQ(1 + 1, 3) << "deliberate failure";
#elif defined(FAKE_MODE_CRASH)
  std::abort();
#endif
}
