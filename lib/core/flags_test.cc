// Tests of flag parsing and validation (lib/core/flags.h, lib/core/error.h).
#include "lib/core/flags.h"

#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "lib/core/error.h"
#include "rapidcheck/gtest.h"

namespace fgbdl {
namespace {

struct Args {
  explicit Args(std::vector<std::string> a) : args(std::move(a)) {
    args.insert(args.begin(), "prog");
    for (auto& s : args) ptrs.push_back(s.c_str());
  }
  std::vector<std::string> args;
  std::vector<const char*> ptrs;
  int argc() const { return static_cast<int>(ptrs.size()); }
};

// Message of the UsageError thrown by `f`, or "" if none.
template <class F>
std::string usage_error(F f) {
  try {
    f();
  } catch (const UsageError& e) {
    return e.what();
  }
  return "";
}

TEST(Flags, ReadsValidValuesAndDefaults) {
  Args a({"--n=7", "--x=0.5", "--d=5,10,30", "--mode=paper", "--out=/tmp/o"});
  Flags f(a.argc(), a.ptrs.data(), "test");
  EXPECT_EQ(f.get_int("n", 1, 0, 10, ""), 7);
  EXPECT_EQ(f.get_double("x", 1, 0, 1, ""), 0.5);
  EXPECT_EQ(f.get_int_list("d", "1", 1, 64, 8, ""), (std::vector<std::int64_t>{5, 10, 30}));
  EXPECT_EQ(f.get_choice("mode", "quick", {"quick", "paper"}, ""), "paper");
  EXPECT_EQ(f.get_string("out", "", ""), "/tmp/o");
  EXPECT_EQ(f.get_int("absent", 42, 0, 100, ""), 42);
  EXPECT_TRUE(f.finish());
}

TEST(Flags, BadValuesNameTheFlagTheValueAndWhatIsAllowed) {
  const auto bad_int = [](const std::string& v) {
    Args a({"--steps=" + v});
    Flags f(a.argc(), a.ptrs.data(), "");
    return usage_error([&] { f.get_int("steps", 1, 1, 100, ""); });
  };
  for (const std::string v : {"-1", "0", "101", "1e9", "abc", "", "3.5", "99999999999999999999"}) {
    const std::string msg = bad_int(v);
    EXPECT_NE(msg.find("--steps: got '" + v + "'"), std::string::npos) << msg;
    EXPECT_NE(msg.find("allowed: an integer in [1, 100]"), std::string::npos) << msg;
    EXPECT_EQ(msg.find('\n'), std::string::npos) << msg;
  }
  const auto bad_double = [](const std::string& v) {
    Args a({"--lr=" + v});
    Flags f(a.argc(), a.ptrs.data(), "");
    return usage_error([&] { f.get_double("lr", 0.1, 1e-9, 10, ""); });
  };
  for (const std::string v : {"nan", "inf", "-0.1", "11", "x", ""}) {
    EXPECT_NE(bad_double(v).find("--lr: got '" + v + "'"), std::string::npos) << v;
  }
  const auto bad_list = [](const std::string& v) {
    Args a({"--d=" + v});
    Flags f(a.argc(), a.ptrs.data(), "");
    return usage_error([&] { f.get_int_list("d", "5", 1, 64, 3, ""); });
  };
  for (const std::string v : {"", ",", "5,", "5,5", "0", "65", "1,2,3,4", "a,b"}) {
    EXPECT_NE(bad_list(v).find("--d: got '" + v + "'"), std::string::npos) << v;
  }
  Args a({"--profile=fast"});
  Flags f(a.argc(), a.ptrs.data(), "");
  EXPECT_EQ(usage_error([&] { f.get_choice("profile", "quick", {"quick", "paper"}, ""); }),
            "--profile: got 'fast'; allowed: one of {quick, paper}");
}

TEST(Flags, FinishRejectsUnknownRepeatedAndPositionalArguments) {
  {
    Args a({"--stpes=3"});
    Flags f(a.argc(), a.ptrs.data(), "");
    f.get_int("steps", 1, 1, 10, "");
    EXPECT_EQ(usage_error([&] { f.finish(); }), "unknown flag --stpes; allowed: --steps");
  }
  {
    Args a({"--steps=3", "--steps=4"});
    Flags f(a.argc(), a.ptrs.data(), "");
    f.get_int("steps", 1, 1, 10, "");
    EXPECT_EQ(usage_error([&] { f.finish(); }), "--steps given twice");
  }
  {
    Args a({"extra"});
    Flags f(a.argc(), a.ptrs.data(), "");
    EXPECT_NE(usage_error([&] { f.finish(); }).find("unexpected argument 'extra'"), std::string::npos);
  }
  {
    Args a({"--steps"});
    Flags f(a.argc(), a.ptrs.data(), "");
    EXPECT_NE(usage_error([&] { f.finish(); }).find("has no value"), std::string::npos);
  }
}

TEST(Flags, ControlCharactersInValuesAreEscapedSoTheErrorStaysOneLine) {
  Args a({"--steps=1\n2"});
  Flags f(a.argc(), a.ptrs.data(), "");
  const std::string msg = usage_error([&] { f.get_int("steps", 1, 1, 10, ""); });
  EXPECT_NE(msg.find("'1\\x0a2'"), std::string::npos) << msg;
  EXPECT_EQ(msg.find('\n'), std::string::npos);
}

// Whatever string is given, an integer flag either yields a value in range or
// throws a one-line UsageError naming the flag.
RC_GTEST_PROP(Flags, AnyIntegerFlagValueIsInRangeOrAOneLineErrorNamingTheFlag,
              (const std::string& value)) {
  Args a({"--n=" + value});
  Flags f(a.argc(), a.ptrs.data(), "");
  try {
    const auto n = f.get_int("n", 5, -3, 1000, "");
    RC_ASSERT(n >= -3 && n <= 1000);
  } catch (const UsageError& e) {
    const std::string msg = e.what();
    RC_ASSERT(msg.rfind("--n: got '", 0) == 0);
    RC_ASSERT(msg.find('\n') == std::string::npos);
  }
}

TEST(RunMain, MapsUsageErrorsToExitTwoAndOtherFailuresToOne) {
  EXPECT_EQ(run_main("p", [] { return 0; }), 0);
  EXPECT_EQ(run_main("p", []() -> int { throw UsageError("--x: bad"); }), 2);
  EXPECT_EQ(run_main("p", []() -> int { throw std::runtime_error("disk full"); }), 1);
}

}  // namespace
}  // namespace fgbdl
