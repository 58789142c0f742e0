// The reliability checkers can fail: each rule of check_csv,
// check_json_object, check_tree, lost_results, check_refusal and run_child
// is shown firing on a hand-damaged copy of a real results tree (the first
// binary of experiments.bzl, quick settings) or on a made-up child result.
#include <signal.h>

#include <algorithm>
#include <filesystem>
#include <fstream>

#include "absl/strings/match.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "gtest/gtest.h"
#include "tools/reliability/reliability.h"

namespace fgbdl::reliability {
namespace {

namespace fs = std::filesystem;

void write(const std::string& path, const std::string& text) {
  std::ofstream(path, std::ios::binary) << text;
}

bool mentions(const TreeCheck& c, const std::string& what) {
  for (const auto& e : c.errors) {
    if (absl::StrContains(e, what)) return true;
  }
  return false;
}

TEST(Checkers, CsvRulesFire) {
  EXPECT_EQ(check_csv("step,loss\n0,1.5\n1,nan\n2,-inf\n"), "");
  EXPECT_NE(check_csv(""), "");
  EXPECT_NE(check_csv("step,loss\n0,1.5\n1,0.7"), "");  // cut inside the last line
  EXPECT_NE(check_csv("step,loss\n0,1.5\n1\n"), "");    // a short row
  EXPECT_NE(check_csv("step,loss\n0,abc\n"), "");       // not a number
  EXPECT_NE(check_csv("step,loss\n"), "");              // header only
  EXPECT_NE(check_csv("step,step\n0,1\n"), "");         // repeated column
  EXPECT_NE(check_csv("{\"claim\": 1}\n"), "");         // not a header
}

TEST(Checkers, JsonRulesFire) {
  std::map<std::string, std::string> f;
  EXPECT_EQ(check_json_object("{\n  \"a\": \"x\\\"y\",\n  \"b\": [1, -2.5e3, {\"c\": null}],\n  \"d\": {}\n}\n", &f), "");
  EXPECT_EQ(f["a"], "x\"y");
  EXPECT_EQ(f["b"], "[1,-2500.0,{\"c\":null}]");
  EXPECT_NE(check_json_object("{\"a\": {\"b\": 1}"), "");  // unbalanced
  EXPECT_NE(check_json_object("{\"a\": 1}}"), "");         // text after
  EXPECT_NE(check_json_object("{\"a\": \"x}"), "");        // unterminated string
  EXPECT_NE(check_json_object("{\"a\": 01}"), "");         // bad number
  EXPECT_NE(check_json_object("{\"a\": 1,}"), "");         // trailing comma
  EXPECT_NE(check_json_object("{\"a\": 1, \"a\": 2}"), "");  // repeated key
  EXPECT_NE(check_json_object("[1]"), "");                 // not an object
  EXPECT_NE(check_json_object(""), "");
}

// A real results tree, copied and damaged one way per case.
class TreeChecks : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    const Experiment& e = experiments().front();
    const std::string dir = fresh_dir("checkers_reference");
    root_ = new std::string(dir + "/out");
    const ChildResult r = run_child(command(e, *root_, 1), dir, dir + "/log", 150.0);
    ASSERT_TRUE(r.exited && r.exit_code == 0) << r.err;
    ref_ = new std::map<std::string, std::string>(check_tree(*root_).complete);
  }
  // A copy of the tree; `run` = its first run dir (absolute).
  std::string copy(std::string* run) {
    const std::string dir = fresh_dir("checkers_copy") + "/out";
    fs::copy(*root_, dir, fs::copy_options::recursive);
    *run = dir + "/" + ref_->begin()->first;
    return dir;
  }
  static std::string* root_;
  static std::map<std::string, std::string>* ref_;
};
std::string* TreeChecks::root_ = nullptr;
std::map<std::string, std::string>* TreeChecks::ref_ = nullptr;

TEST_F(TreeChecks, TheIntactTreePasses) {
  const TreeCheck c = check_tree(*root_, ref_);
  EXPECT_TRUE(c.errors.empty()) << absl::StrJoin(c.errors, "\n");
  EXPECT_FALSE(ref_->empty());
  EXPECT_EQ(c.complete, *ref_);
  EXPECT_EQ(lost_results(*ref_, c), 0);
}

TEST_F(TreeChecks, ATruncatedManifestIsCaught) {
  std::string run;
  const std::string root = copy(&run);
  const std::string m = read_file(run + "/manifest.json");
  for (const std::size_t keep : {m.size() - 2, m.size() / 2, std::size_t{1}}) {
    write(run + "/manifest.json", m.substr(0, keep));
    const TreeCheck c = check_tree(root, ref_);
    EXPECT_TRUE(mentions(c, "manifest.json")) << keep << ": " << absl::StrJoin(c.errors, "\n");
    EXPECT_EQ(lost_results(*ref_, c), 1);  // no longer complete
    EXPECT_EQ(c.falsely_complete, 1);
  }
}

TEST_F(TreeChecks, AManifestMissingAKeyOrWithABadStatusIsCaught) {
  std::string run;
  const std::string root = copy(&run);
  const std::string m = read_file(run + "/manifest.json");
  write(run + "/manifest.json", absl::StrReplaceAll(m, {{"\"blas\"", "\"blaz\""}}));
  EXPECT_TRUE(mentions(check_tree(root, ref_), "no key \"blas\""));
  write(run + "/manifest.json", absl::StrReplaceAll(m, {{"\"complete\"", "\"running\""}}));
  EXPECT_TRUE(mentions(check_tree(root, ref_), "status 'running'"));
  write(run + "/manifest.json", absl::StrReplaceAll(m, {{"\"complete\"", "\"diverged\""}}));
  EXPECT_TRUE(mentions(check_tree(root, ref_), "diverged_step -1"));
  write(run + "/manifest.json", absl::StrReplaceAll(m, {{"\"seed\": 1", "\"seed\": 7"}}));
  EXPECT_TRUE(mentions(check_tree(root, ref_), "names run"));
}

TEST_F(TreeChecks, ATruncatedOrChangedMetricsFileIsCaught) {
  std::string run;
  const std::string root = copy(&run);
  const std::string m = read_file(run + "/metrics.csv");
  write(run + "/metrics.csv", m.substr(0, m.size() - 3));  // cut in the last row
  EXPECT_TRUE(mentions(check_tree(root, ref_), "newline"));
  write(run + "/metrics.csv", m.substr(0, m.rfind('\n', m.size() - 2) + 1));  // last row gone
  EXPECT_TRUE(mentions(check_tree(root, ref_), "rows, expected"));
  write(run + "/metrics.csv", "x" + m);  // another header
  EXPECT_TRUE(mentions(check_tree(root, ref_), "header"));
  std::string changed = m;
  changed[changed.size() - 2] = changed[changed.size() - 2] == '1' ? '2' : '1';
  write(run + "/metrics.csv", changed);
  const TreeCheck c = check_tree(root, ref_);
  EXPECT_TRUE(mentions(c, "bytes differ")) << absl::StrJoin(c.errors, "\n");
  EXPECT_EQ(lost_results(*ref_, c), 1);
  EXPECT_EQ(c.falsely_complete, 1);
  fs::remove(run + "/metrics.csv");
  EXPECT_TRUE(mentions(check_tree(root, ref_), "manifest.json without metrics.csv"));
  // A truncated metrics.csv without a manifest (an interrupted run that
  // wrote in place) is caught as well.
  fs::remove(run + "/manifest.json");
  write(run + "/metrics.csv", m.substr(0, m.size() / 2));
  const TreeCheck d = check_tree(root, ref_);
  EXPECT_EQ(d.incomplete_dirs, 1);
  EXPECT_FALSE(d.errors.empty());
}

// Without an uninterrupted run to compare with, a metrics.csv that is still
// a well-formed table but not the one its manifest describes (cut exactly at
// a row end, or one digit changed) is caught by the manifest's row count and
// FNV-1a/64; a leftover temporary is counted.
TEST_F(TreeChecks, AMetricsFileThatNoLongerMatchesItsManifestIsCaughtWithoutAReference) {
  EXPECT_EQ(fnv1a64_hex(""), "cbf29ce484222325");  // published FNV-1a/64 test vectors
  EXPECT_EQ(fnv1a64_hex("foobar"), "85944171f73967e8");
  std::string run;
  const std::string root = copy(&run);
  const std::string m = read_file(run + "/metrics.csv");
  ASSERT_GE(std::count(m.begin(), m.end(), '\n'), 3) << "needs two data rows";
  write(run + "/metrics.csv", m.substr(0, m.rfind('\n', m.size() - 2) + 1));  // last row gone
  TreeCheck c = check_tree(root);
  EXPECT_TRUE(mentions(c, "data rows, manifest.json records")) << absl::StrJoin(c.errors, "\n");
  EXPECT_EQ(c.falsely_complete, 1);
  std::string changed = m;
  const std::size_t digit = changed.find_last_of("0123456789");
  changed[digit] = changed[digit] == '1' ? '2' : '1';
  write(run + "/metrics.csv", changed);
  c = check_tree(root);
  EXPECT_TRUE(mentions(c, "FNV-1a/64")) << absl::StrJoin(c.errors, "\n");
  EXPECT_EQ(c.falsely_complete, 1);
  write(run + "/metrics.csv", m);
  write(run + "/metrics.csv.tmp.12345", m.substr(0, 5));
  c = check_tree(root);
  EXPECT_TRUE(c.errors.empty()) << absl::StrJoin(c.errors, "\n");
  EXPECT_EQ(c.temporary_files, 1);
}

TEST_F(TreeChecks, ARunDirTheReferenceLacksIsCaught) {
  std::string run;
  const std::string root = copy(&run);
  fs::copy(run, run + "/../seed-9", fs::copy_options::recursive);
  EXPECT_TRUE(mentions(check_tree(root, ref_), "does not have"));
}

TEST(Checkers, RefusalRulesFire) {
  const std::string dir = fresh_dir("refusal");
  ChildResult ok;
  ok.exited = true;
  ok.exit_code = 2;
  ok.err = "e2_1_parity: --steps: got '0'; allowed: an integer in [1, 100000000]\n";
  EXPECT_EQ(check_refusal(ok, {"--steps"}, dir, {}), "");
  EXPECT_EQ(check_refusal(ok, {"--d", "--steps"}, dir, {}), "");
  EXPECT_NE(check_refusal(ok, {"--d"}, dir, {}), "");      // names another flag
  EXPECT_NE(check_refusal(ok, {"--step"}, dir, {}), "");   // a prefix is not the flag
  ChildResult r = ok;
  r.exit_code = 1;
  EXPECT_NE(check_refusal(r, {"--steps"}, dir, {}), "");
  r = ok;
  r.err += "second line\n";
  EXPECT_NE(check_refusal(r, {"--steps"}, dir, {}), "");
  r = ok;
  r.err = "";
  EXPECT_NE(check_refusal(r, {"--steps"}, dir, {}), "");
  r = ok;
  r.out = "usage\n";
  EXPECT_NE(check_refusal(r, {"--steps"}, dir, {}), "");
  r = ok;
  r.exited = false;
  r.signal = SIGSEGV;
  EXPECT_NE(check_refusal(r, {"--steps"}, dir, {}), "");
  write(dir + "/stray", "");
  EXPECT_NE(check_refusal(ok, {"--steps"}, dir, {}), "");
  EXPECT_EQ(check_refusal(ok, {"--steps"}, dir, {"stray"}), "");
}

TEST(Checkers, ChildrenAreKilledOnRequestAndOnTimeout) {
  const std::string dir = fresh_dir("child");
  ChildResult r = run_child({"/bin/sleep", "5"}, dir, dir + "/a", 0.3);
  EXPECT_TRUE(r.timed_out);
  EXPECT_EQ(r.signal, SIGKILL);
  EXPECT_LT(r.wall_s, 2.0);
  r = run_child({"/bin/sleep", "5"}, dir, dir + "/b", 10.0, [](double t) { return t > 0.1; });
  EXPECT_TRUE(r.killed);
  EXPECT_FALSE(r.timed_out);
  EXPECT_EQ(r.signal, SIGKILL);
  r = run_child({"/bin/sh", "-c", "echo out; echo err >&2; exit 3"}, dir, dir + "/c", 10.0);
  EXPECT_TRUE(r.exited);
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_EQ(r.out, "out\n");
  EXPECT_EQ(r.err, "err\n");
}

}  // namespace
}  // namespace fgbdl::reliability
