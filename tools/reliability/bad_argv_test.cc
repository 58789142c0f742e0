// Bad command lines (DESIGN.md, "Bad input and failures": every flag is
// validated; a bad value exits non-zero with one line saying which flag,
// what was given and what is allowed; nothing is written).
//
// A rapidcheck property draws a binary of experiments.bzl and a command line
// from its vocabulary: its real flags (read from its --help) with good values
// (the quick settings, or none of them, and defaults) and at least one bad
// element:
//   * a real flag with a value no flag of the package accepts: empty,
//     negative, huge, non-numeric, "nan", an unknown word, or its default
//     listed twice (a list with duplicates);
//   * an element of the binary's own bad list (zero, out of range, unknown
//     profile/approach/estimator, ...; experiments.bzl);
//   * an unknown flag, a positional argument, a flag without '=value', a
//     flag given twice;
//   * --out empty, --out under a regular file (cannot be created), or no --out.
// The binary must exit 2 before doing any work: exactly one line on stderr
// naming one of the bad elements, nothing on stdout, nothing written under
// the output dir or its working dir. Each child is killed after 20 s (a
// binary that accepted the line and started working fails there).
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

// What the property may use for one binary.
struct Vocabulary {
  std::vector<std::string> flags;                        // declared, without "out"
  std::map<std::string, std::vector<std::string>> good;  // flag -> good values
};

const Vocabulary& vocabulary(std::size_t i) {
  static std::vector<Vocabulary> cache;
  if (cache.empty()) {
    for (const Experiment& e : experiments()) {
      Vocabulary v;
      for (const auto& [name, def] : declared_flags(e)) {
        if (name == "out") continue;
        v.flags.push_back(name);
        v.good[name].push_back(def);
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

std::string flag_of(const std::string& element) {  // "--name=value" -> "--name"
  return element.substr(0, element.find('='));
}

RC_GTEST_PROP(BadArgv, EveryBinaryRefusesACommandLineWithABadElementBeforeDoingAnyWork, ()) {
  const auto& list = experiments();
  const std::size_t bi = *rc::gen::resize(100, rc::gen::inRange<std::size_t>(0, list.size()));
  const Experiment& e = list[bi];
  const Vocabulary& v = vocabulary(bi);
  const std::string dir = fresh_dir("argv");
  const std::string out = dir + "/out", cwd = dir + "/cwd", file = dir + "/file", logs = dir + "/logs";
  for (const auto& d : {out, cwd, logs}) fs::create_directories(d);
  std::ofstream(file).close();

  std::vector<std::string> elements, names, kinds;
  // Good elements, always a valid combination (a binary may refuse a valid
  // value with another one, e.g. e3_1_snr --pool=512 with its default --k):
  // all of the quick flags or none, and some other flags at their defaults.
  std::set<std::string> in_quick;
  if (*rc::gen::arbitrary<bool>()) {
    for (const std::string& q : e.quick) {
      elements.push_back(q);
      in_quick.insert(q.substr(2, q.find('=') - 2));
    }
  }
  for (const std::string& f : v.flags) {
    if (!in_quick.count(f) && *rc::gen::inRange(0, 3) == 0) {
      elements.push_back("--" + f + "=" + v.good.at(f).front());
    }
  }
  bool give_out = true;
  const int n_bad = *rc::gen::inRange(1, 3);
  for (int k = 0; k < n_bad; ++k) {
    const std::string f = pick(v.flags);
    const std::string def = v.good.at(f).front();
    int kind = *rc::gen::resize(100, rc::gen::inRange(0, 9));
    if (kind == 1 && e.bad.empty()) kind = 0;
    switch (kind) {
      case 0: {
        const std::string value = pick(std::vector<std::string>{
            "", "-1", "-7", "99999999999999999999", "1e99", "nan", "fast", "x1", def + "," + def});
        elements.push_back("--" + f + "=" + value);
        names.push_back("--" + f);
        kinds.push_back("bad value");
        counts().bad_flags.insert(absl::StrCat(e.name, " --", f));
        break;
      }
      case 1: {
        const std::string b = pick(e.bad);
        elements.push_back(b);
        names.push_back(flag_of(b));
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
        kinds.push_back("no value");
        counts().bad_flags.insert(absl::StrCat(e.name, " --", f));
        break;
      case 5: {
        const std::string good = "--" + f + "=" + pick(v.good.at(f));
        elements.push_back(good);
        elements.push_back(good);
        names.push_back("--" + f);
        kinds.push_back("given twice");
        counts().bad_flags.insert(absl::StrCat(e.name, " --", f));
        break;
      }
      case 6:
        elements.push_back("--out=");
        names.push_back("--out");
        give_out = false;
        kinds.push_back("--out empty");
        break;
      case 7:
        elements.push_back("--out=" + file + "/sub");
        names.push_back("--out");
        give_out = false;
        kinds.push_back("--out under a file");
        break;
      default:
        names.push_back("--out");
        give_out = false;
        kinds.push_back("no --out");
        break;
    }
  }
  if (!give_out) counts().bad_flags.insert(absl::StrCat(e.name, " --out"));
  if (give_out) elements.push_back("--out=" + out);
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
  for (std::size_t i = 0; i < experiments().size(); ++i) declared += vocabulary(i).flags.size() + 1;
  const std::string measured = absl::StrCat(
      c.vectors, " bad argument vectors refused (", absl::StrJoin(per, ", "), "); ",
      c.bad_flags.size(), " (binary, flag) pairs given a bad element (value, no value, twice; --out: empty, unwritable, missing), of ", declared,
      " declared flags; bad elements: ", absl::StrJoin(kinds, ", "));
  std::printf("%s\n", measured.c_str());
  RecordProperty("measured", measured);
  // Every binary was tried (the property ran first, with its default count).
  EXPECT_EQ(c.per_binary.size(), experiments().size());
  for (const auto& [n, k] : c.per_binary) EXPECT_GE(k, 10) << n;
}

}  // namespace
}  // namespace fgbdl::reliability
