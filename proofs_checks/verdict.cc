#include "proofs_checks/verdict.h"

#include <algorithm>
#include <map>
#include <utility>

#include "gtest/gtest.h"

namespace fgbdl {

const char* to_string(ClaimState state) {
  switch (state) {
    case ClaimState::kVerified:
      return "verified";
    case ClaimState::kNotConfirmed:
      return "not confirmed";
    case ClaimState::kRefuted:
      return "refuted";
  }
  return "?";
}

void record_verdict(const std::string& claim, ClaimState state, const std::string& statistic) {
  const ::testing::TestInfo* info = ::testing::UnitTest::GetInstance()->current_test_info();
  if (info == nullptr) {
    ADD_FAILURE() << "record_verdict(" << claim << ") outside a test case";
    return;
  }
  if (claim.empty() || statistic.empty()) {
    ADD_FAILURE() << "record_verdict needs a claim id and a statistic (claim '" << claim << "')";
    return;
  }
  // What this test case has recorded for each claim so far.
  static std::map<std::string, std::pair<ClaimState, std::string>> recorded;
  const std::string key =
      std::string(info->test_suite_name()) + "." + info->name() + "\n" + claim;
  const auto [it, fresh] = recorded.emplace(key, std::make_pair(state, statistic));
  if (!fresh) {
    it->second.first = std::max(it->second.first, state);
    it->second.second += "; " + statistic;
  }
  ::testing::Test::RecordProperty("verdict:" + claim,
                                  std::string(to_string(it->second.first)) + ": " +
                                      it->second.second);
}

}  // namespace fgbdl
