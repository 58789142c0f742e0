// record_verdict (proofs_checks/verdict.h): the property it records for the
// current test case, the merging of several records for one claim, and the
// records it refuses.
#include "proofs_checks/verdict.h"

#include <string>

#include "gtest/gtest-spi.h"
#include "gtest/gtest.h"

namespace fgbdl {
namespace {

// The value of the current test case's property `key` ("" if none).
std::string property(const std::string& key) {
  const ::testing::TestResult* r =
      ::testing::UnitTest::GetInstance()->current_test_info()->result();
  for (int i = 0; i < r->test_property_count(); ++i) {
    if (r->GetTestProperty(i).key() == key) return r->GetTestProperty(i).value();
  }
  return "";
}

TEST(Verdict, RecordsTheStateAndTheStatisticUnderTheClaimsKey) {
  record_verdict("E5.5", ClaimState::kNotConfirmed, "z 0.9, level |z| >= 3");
  EXPECT_EQ(property("verdict:E5.5"), "not confirmed: z 0.9, level |z| >= 3");
  record_verdict("T3", ClaimState::kRefuted, "exact: n = 5");
  EXPECT_EQ(property("verdict:T3"), "refuted: exact: n = 5");
  EXPECT_EQ(property("verdict:E5.5"), "not confirmed: z 0.9, level |z| >= 3");
}

TEST(Verdict, SeveralRecordsForOneClaimKeepTheStrongestStateAndEveryStatistic) {
  record_verdict("X", ClaimState::kVerified, "seed 1 z 7.8");
  EXPECT_EQ(property("verdict:X"), "verified: seed 1 z 7.8");
  record_verdict("X", ClaimState::kNotConfirmed, "seed 4 z 0.9");
  record_verdict("X", ClaimState::kVerified, "seed 2 z 5.2");
  EXPECT_EQ(property("verdict:X"), "not confirmed: seed 1 z 7.8; seed 4 z 0.9; seed 2 z 5.2");
  record_verdict("X", ClaimState::kRefuted, "exact tie");
  EXPECT_EQ(property("verdict:X"),
            "refuted: seed 1 z 7.8; seed 4 z 0.9; seed 2 z 5.2; exact tie");
}

TEST(Verdict, RecordsOfOneTestCaseDoNotCarryOverToTheNext) {
  record_verdict("X", ClaimState::kVerified, "fresh");
  EXPECT_EQ(property("verdict:X"), "verified: fresh");
}

TEST(Verdict, AnEmptyClaimOrStatisticFailsTheTest) {
  EXPECT_NONFATAL_FAILURE(record_verdict("", ClaimState::kVerified, "s"), "needs a claim id");
  EXPECT_NONFATAL_FAILURE(record_verdict("X", ClaimState::kRefuted, ""), "needs a claim id");
  EXPECT_EQ(property("verdict:X"), "");
  EXPECT_STREQ(to_string(ClaimState::kNotConfirmed), "not confirmed");
}

}  // namespace
}  // namespace fgbdl
