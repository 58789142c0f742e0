// main() for every test of the package: GoogleTest with rapidcheck.
//
// rapidcheck draws a random seed when RC_PARAMS names none; the package's
// tests must be deterministic, so this main fixes the seed unless the user
// set RC_PARAMS (a failing property prints its seed and its RC_PARAMS line,
// which replays it: `bazel test --test_env=RC_PARAMS="reproduce=..." ...`).
#include <cstdlib>
#include <string>

#include "gtest/gtest.h"

namespace {
constexpr char kDefaultRcParams[] = "seed=20170301";
}  // namespace

int main(int argc, char** argv) {
  const char* params = std::getenv("RC_PARAMS");
  if (params == nullptr || std::string(params).find("seed=") == std::string::npos) {
    std::string merged = kDefaultRcParams;
    if (params != nullptr && *params != '\0') merged += std::string(" ") + params;
    ::setenv("RC_PARAMS", merged.c_str(), 1);
  }
  ::testing::InitGoogleTest(&argc, argv);
  return RUN_ALL_TESTS();
}
