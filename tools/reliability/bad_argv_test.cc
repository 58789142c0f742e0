// Bad command lines (paper/design.md, "Bad input and failures": every flag is
// validated; a bad value exits non-zero with one line saying which flag,
// what was given and what is allowed; nothing is written).
//
// A rapidcheck property draws a binary — one of the experiment binaries of
// experiments.bzl, the report generator (//reports:report) or one of the
// benchmark binaries (main(): tools/bench_main.cc) — and a command line from
// its vocabulary: its real flags (read from its --help) with good values
// (the quick settings, or none of them, and defaults; a default "none" is
// not a value) and at least one bad element:
//   * a real flag with a value no flag of the package accepts: empty,
//     negative, huge, non-numeric, "nan", an unknown word, or its default
//     listed twice (a list with duplicates) — except for the flags listed
//     as no_generic (a benchmark's regular-expression filter accepts "-1");
//   * an element of the binary's own bad list (zero, out of range, unknown
//     profile/approach/estimator, missing files, ...; experiments.bzl);
//   * an unknown flag, a positional argument, a flag without '=value', a
//     flag given twice;
//   * its output flag (--out, or a benchmark's --benchmark_out) empty, under
//     a regular file (cannot be created), or missing where it is required.
// The binary must exit 2 before doing any work: exactly one line on stderr
// naming one of the bad elements, nothing on stdout, nothing written under
// the output dir or its working dir. Each child is killed after 20 s (a
// binary that accepted the line and started working fails there).
//
// A second test gives every binary an output location inside a read-only
// directory (mode 0555): as root, the child first drops CAP_DAC_OVERRIDE
// and CAP_DAC_READ_SEARCH (run_child), so the permission bits bind it as
// they bind a user; where that is impossible the test is skipped, saying
// why.
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <random>
#include <set>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "gtest/gtest.h"
#include "rapidcheck/gtest.h"
#include "tools/reliability/reliability.h"

namespace fgbdl::reliability {
namespace {

namespace fs = std::filesystem;

constexpr double kTimeoutS = 20.0;

std::string flag_of(const std::string& element) {  // "--name=value" -> "--name"
  return element.substr(0, element.find('='));
}

// What the property may use for one binary.
struct Vocabulary {
  std::vector<std::string> flags;                        // declared, without the output flag
  std::map<std::string, std::vector<std::string>> good;  // flag -> good values (may be none)
  std::vector<std::string> generic;                      // flags given generic bad values
};

const Vocabulary& vocabulary(std::size_t i) {
  static std::vector<Vocabulary> cache;
  if (cache.empty()) {
    for (const Experiment& e : all_binaries()) {
      Vocabulary v;
      for (const auto& [name, def] : declared_flags(e)) {
        if ("--" + name == e.out_flag) continue;
        v.flags.push_back(name);
        v.good[name];
        if (def != "none") v.good[name].push_back(def);  // "none": not set, not a value
        if (std::find(e.no_generic.begin(), e.no_generic.end(), name) == e.no_generic.end())
          v.generic.push_back(name);
      }
      for (const std::string& q : e.quick) {  // "--name=value"
        const std::size_t eq = q.find('=');
        v.good[q.substr(2, eq - 2)].push_back(q.substr(eq + 1));
      }
      cache.push_back(v);
    }
  }
  return cache.at(i);
}

// Counts over the whole property run.
struct Counts {
  int vectors = 0;
  std::map<std::string, int> per_binary;
  std::set<std::string> bad_flags;  // "binary --flag" used in a bad element
  std::map<std::string, int> kinds;
};
Counts& counts() {
  static Counts c;
  return c;
}

// One element of `v`, uniformly (rapidcheck's own choice favours the first
// elements at small sizes).
std::string pick(const std::vector<std::string>& v) {
  return *rc::gen::resize(100, rc::gen::elementOf(v));
}

RC_GTEST_PROP(BadArgv, EveryBinaryRefusesACommandLineWithABadElementBeforeDoingAnyWork, ()) {
  const auto& list = all_binaries();
  const std::size_t bi = *rc::gen::resize(100, rc::gen::inRange<std::size_t>(0, list.size()));
  const Experiment& e = list[bi];
  const Vocabulary& v = vocabulary(bi);
  const std::string dir = fresh_dir("argv");
  const std::string out = dir + "/out", cwd = dir + "/cwd", file = dir + "/file", logs = dir + "/logs";
  for (const auto& d : {out, cwd, logs}) fs::create_directories(d);
  std::ofstream(file).close();
  const auto sub = [&](const std::string& element) { return substitute(element, out, file); };

  std::vector<std::string> elements, names, kinds;
  // Flags a bad element sets: the required elements (output, always) are
  // left out for them, so that their bad value is what the binary sees.
  std::set<std::string> set_bad;
  // Good elements, always a valid combination (a binary may refuse a valid
  // value with another one, e.g. e3_1_snr --pool=512 with its default --k):
  // all of the quick flags or none, and some other flags at a good value.
  std::set<std::string> in_quick;
  if (*rc::gen::arbitrary<bool>()) {
    for (const std::string& q : e.quick) {
      elements.push_back(sub(q));
      in_quick.insert(q.substr(2, q.find('=') - 2));
    }
  }
  for (const std::string& f : v.flags) {
    if (!in_quick.count(f) && !v.good.at(f).empty() && *rc::gen::inRange(0, 3) == 0) {
      elements.push_back(sub("--" + f + "=" + v.good.at(f).front()));
    }
  }
  bool give_out = true;
  const int n_bad = *rc::gen::inRange(1, 3);
  for (int k = 0; k < n_bad; ++k) {
    const std::string f = pick(v.flags);
    int kind = *rc::gen::resize(100, rc::gen::inRange(0, 9));
    if (kind == 1 && e.bad.empty()) kind = 0;
    if (kind == 5 && v.good.at(f).empty()) kind = 4;  // twice needs a good value
    if (kind == 8 && e.out_optional) kind = 0;       // no output flag is fine
    if (kind == 0 && v.generic.empty()) kind = 2;
    switch (kind) {
      case 0: {
        const std::string g = pick(v.generic);
        const std::string def = v.good.at(g).empty() ? "none" : v.good.at(g).front();
        const std::string value = pick(std::vector<std::string>{
            "", "-1", "-7", "99999999999999999999", "1e99", "nan", "fast", "x1", def + "," + def});
        elements.push_back("--" + g + "=" + value);
        names.push_back("--" + g);
        set_bad.insert("--" + g);
        kinds.push_back("bad value");
        counts().bad_flags.insert(absl::StrCat(e.name, " --", g));
        break;
      }
      case 1: {
        const std::string b = pick(e.bad);
        elements.push_back(sub(b));
        names.push_back(flag_of(b));
        set_bad.insert(flag_of(b));
        kinds.push_back("binary's bad list");
        counts().bad_flags.insert(absl::StrCat(e.name, " ", flag_of(b)));
        break;
      }
      case 2:
        elements.push_back("--" + f + "x=1");
        names.push_back("--" + f + "x");
        kinds.push_back("unknown flag");
        break;
      case 3: {
        const std::string word = pick(std::vector<std::string>{"extra", "-x", "--"});
        elements.push_back(word);
        names.push_back("'" + word + "'");
        kinds.push_back("positional");
        break;
      }
      case 4:
        elements.push_back("--" + f);
        names.push_back("--" + f);
        set_bad.insert("--" + f);
        kinds.push_back("no value");
        counts().bad_flags.insert(absl::StrCat(e.name, " --", f));
        break;
      case 5: {
        const std::string good = sub("--" + f + "=" + pick(v.good.at(f)));
        elements.push_back(good);
        elements.push_back(good);
        names.push_back("--" + f);
        kinds.push_back("given twice");
        counts().bad_flags.insert(absl::StrCat(e.name, " --", f));
        break;
      }
      case 6:
        elements.push_back(e.out_flag + "=");
        names.push_back(e.out_flag);
        give_out = false;
        kinds.push_back("output flag empty");
        break;
      case 7:
        elements.push_back(e.out_flag + "=" + e.out_value(file + "/sub"));
        names.push_back(e.out_flag);
        give_out = false;
        kinds.push_back("output under a file");
        break;
      default:
        names.push_back(e.out_flag);
        give_out = false;
        kinds.push_back("no output flag");
        break;
    }
  }
  if (!give_out || set_bad.count(e.out_flag)) {
    counts().bad_flags.insert(absl::StrCat(e.name, " ", e.out_flag));
  } else {
    elements.push_back(e.out_flag + "=" + e.out_value(out));
  }
  for (const std::string& a : e.always) {
    if (!set_bad.count(flag_of(a))) elements.push_back(sub(a));
  }
  std::mt19937_64 shuffle_rng(*rc::gen::arbitrary<std::uint64_t>());
  std::shuffle(elements.begin(), elements.end(), shuffle_rng);

  std::vector<std::string> argv = {e.bin};
  argv.insert(argv.end(), elements.begin(), elements.end());
  const ChildResult r = run_child(argv, cwd, logs + "/child", kTimeoutS);
  RC_CLASSIFY(true, e.name);
  ++counts().vectors;
  ++counts().per_binary[e.name];
  for (const auto& k : kinds) ++counts().kinds[k];
  const std::string problem =
      check_refusal(r, names, dir, {"cwd", "file", "logs", "logs/child.err", "logs/child.out", "out"});
  if (!problem.empty()) {
    RC_FAIL(absl::StrCat(e.name, " ", absl::StrJoin(elements, " "), "\n  -> ", problem));
  }
  RC_ASSERT(fs::is_regular_file(file) && fs::file_size(file) == 0);
  fs::remove_all(dir);
}

// Runs after the property (same suite, defined later): how much it tried.
TEST(BadArgv, CountsOfTheProperty) {
  const Counts& c = counts();
  std::vector<std::string> per, kinds;
  for (const auto& [n, k] : c.per_binary) per.push_back(absl::StrCat(n, " ", k));
  for (const auto& [n, k] : c.kinds) kinds.push_back(absl::StrCat(n, " ", k));
  std::size_t declared = 0;
  for (std::size_t i = 0; i < all_binaries().size(); ++i) declared += vocabulary(i).flags.size() + 1;
  std::map<std::string, int> by_kind;
  for (const Experiment& e : all_binaries()) ++by_kind[e.kind];
  const std::string measured = absl::StrCat(
      c.vectors, " bad argument vectors refused over ", all_binaries().size(), " binaries (",
      by_kind["experiment"], " experiments, ", by_kind["report"], " report generator, ",
      by_kind["bench"], " benchmarks: ", absl::StrJoin(per, ", "), "); ", c.bad_flags.size(),
      " (binary, flag) pairs given a bad element (value, no value, twice; output flag: empty, "
      "unwritable, missing), of ",
      declared, " declared flags; bad elements: ", absl::StrJoin(kinds, ", "));
  std::printf("%s\n", measured.c_str());
  RecordProperty("measured", measured);
  // Every binary was tried (the property ran first, with its default count).
  EXPECT_EQ(c.per_binary.size(), all_binaries().size());
  for (const auto& [n, k] : c.per_binary) EXPECT_GE(k, 10) << n;
  EXPECT_GE(by_kind["report"], 1);
  EXPECT_GE(by_kind["bench"], 1);
}

// An output location inside a read-only directory: for every binary, the
// directory itself (an experiment's --out, the report's --out) or a path in
// it (a subdirectory to create; a benchmark's --benchmark_out file). Refused
// with one line naming the output flag, exit 2, nothing written, the
// directory still empty.
TEST(BadArgv, AnOutputLocationInAReadOnlyDirectoryIsRefused) {
  const std::string dir = fresh_dir("readonly");
  const std::string ro = dir + "/ro", cwd = dir + "/cwd", logs = dir + "/logs", file = dir + "/file";
  for (const auto& d : {ro, cwd, logs}) fs::create_directories(d);
  std::ofstream(file).close();
  ASSERT_EQ(::chmod(ro.c_str(), 0555), 0);
  const bool root = ::geteuid() == 0;
  // Can a child be denied at all? (As root: only without CAP_DAC_OVERRIDE.)
  const ChildResult probe =
      run_child({"/bin/sh", "-c", "mkdir ro/probe"}, dir, logs + "/probe", kTimeoutS, nullptr, true);
  if (probe.exited && probe.exit_code == kCannotDropCapabilities) {
    fs::permissions(ro, fs::perms::owner_all);
    GTEST_SKIP() << "running as root and cannot drop CAP_DAC_OVERRIDE (no CAP_SETPCAP): a "
                    "read-only directory cannot be made unwritable for the binaries";
  }
  if (probe.exited && probe.exit_code == 0) {
    fs::permissions(ro, fs::perms::owner_all);
    GTEST_SKIP() << "a mode-0555 directory is writable here (uid " << ::geteuid()
                 << "): nothing to test";
  }
  ASSERT_FALSE(fs::exists(ro + "/probe"));
  std::printf("read-only directory %s: mkdir denied (%s)\n", ro.c_str(),
              root ? "root without CAP_DAC_OVERRIDE/CAP_DAC_READ_SEARCH" : "not root");
  int refused = 0;
  std::vector<std::string> tried;
  for (const Experiment& e : all_binaries()) {
    std::vector<std::string> places = {ro};
    if (e.out_file.empty()) places.push_back(ro + "/sub");  // a directory to create in it
    for (const std::string& place : places) {
      std::vector<std::string> argv = {e.bin};
      if (e.kind == "experiment") argv.push_back("--seeds=1");
      for (const std::string& q : e.quick) argv.push_back(substitute(q, dir + "/cwd", file));
      for (const std::string& a : e.always) argv.push_back(substitute(a, dir + "/cwd", file));
      argv.push_back(e.out_flag + "=" + e.out_value(place));
      const ChildResult r = run_child(argv, cwd, logs + "/child", kTimeoutS, nullptr, true);
      const std::string problem =
          check_refusal(r, {e.out_flag}, dir,
                        {"cwd", "file", "logs", "logs/child.err", "logs/child.out", "logs/probe.err",
                         "logs/probe.out", "ro"});
      EXPECT_EQ(problem, "") << absl::StrJoin(argv, " ");
      refused += problem.empty();
      tried.push_back(absl::StrCat(e.name, " ", e.out_flag, "=", e.out_value(place)));
    }
  }
  fs::permissions(ro, fs::perms::owner_all);
  const std::string measured =
      absl::StrCat(refused, " of ", tried.size(), " output locations in a read-only directory (mode 0555",
                   root ? ", as root without CAP_DAC_OVERRIDE" : "", ") refused over ",
                   all_binaries().size(), " binaries");
  std::printf("%s\n", measured.c_str());
  RecordProperty("measured", measured);
  EXPECT_EQ(refused, static_cast<int>(tried.size()));
  EXPECT_GE(tried.size(), all_binaries().size());
}

}  // namespace
}  // namespace fgbdl::reliability
