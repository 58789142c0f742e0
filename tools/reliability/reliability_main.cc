// main() of the reliability tests: lib/core/test_main.cc (GoogleTest with
// rapidcheck at a fixed default seed) plus the binaries under test, one
// command-line argument each (reliability.h; made by experiments.bzl): the
// experiments, and for bad_argv_test also the report generator and the
// benchmark binaries.
#include <cstdio>
#include <cstdlib>
#include <string>

#include "gtest/gtest.h"
#include "tools/reliability/reliability.h"

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
  // The bad-argument property: 600 command lines, about 40 per binary (15
  // binaries: 9 experiments, the report generator, 5 benchmarks).
  if (std::string(std::getenv("RC_PARAMS")).find("max_success=") == std::string::npos) {
    ::setenv("RC_PARAMS", (std::string(std::getenv("RC_PARAMS")) + " max_success=600").c_str(), 1);
  }
  ::testing::InitGoogleTest(&argc, argv);
  for (int i = 1; i < argc; ++i) {
    const fgbdl::reliability::Experiment e = fgbdl::reliability::parse_experiment(argv[i]);
    fgbdl::reliability::all_binaries().push_back(e);
    if (e.kind == "experiment") fgbdl::reliability::experiments().push_back(e);
  }
  if (fgbdl::reliability::experiments().empty()) {
    std::fprintf(stderr, "no experiments given (see tools/reliability/experiments.bzl)\n");
    return 1;
  }
  return RUN_ALL_TESTS();
}
