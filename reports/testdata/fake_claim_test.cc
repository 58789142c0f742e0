// Stand-in claim tests for //reports:paper_glue_test: one passes and records
// a measured value, one fails, one crashes before GoogleTest writes its XML.
// Each finds its runfiles as under `bazel test` (claim_verdict provides them).
#include <cstdlib>
#include <fstream>
#include <string>

#include "gtest/gtest.h"

TEST(FakeClaim, RecordsAMeasuredValue) {
  RecordProperty("measured", "ratio < 1 & \"quoted\"");
  EXPECT_EQ(1 + 1, 2);
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
