// Interrupted runs (paper/design.md, "Bad input and failures": results are
// written to a temporary file and renamed, an interrupted run never leaves a
// half-written result that the report would read; a long run resumes from
// its last checkpoint).
//
// Every binary of experiments.bzl is killed with SIGKILL at seeded random
// moments, uniform over the wall time of its uninterrupted run, again and
// again into the same output dir (so later runs also start from what the
// killed ones left). After each kill, every run dir with a manifest.json is
// complete: its metrics.csv parses and has the header, row count and bytes
// of the uninterrupted run, its manifest parses with every key; every
// metrics.csv present is complete too; nothing once complete is lost. A last
// uninterrupted rerun must then complete every run with the reference bytes.
// Binaries with checkpoints are also killed after a checkpoint exists, and
// the rerun must resume from it and end with byte-identical metrics.
// A kill may leave lib/io's temporaries (<file>.tmp.<pid>) behind; the
// completed rerun must have removed every one of them.
#include <filesystem>
#include <random>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "gtest/gtest.h"
#include "tools/reliability/reliability.h"

namespace fgbdl::reliability {
namespace {

namespace fs = std::filesystem;

constexpr double kTimeoutS = 150.0;   // per child; ASan builds run ~10x slower
constexpr int kKillsPerBinary = 4;    // 9 binaries: 36 kills
constexpr int kResumeKills = 3;       // per checkpointing binary
constexpr std::uint64_t kSeed = 20170301;

// An uninterrupted run of e's quick settings: its results (run dir ->
// metrics.csv bytes) and wall time.
std::map<std::string, std::string> reference(const Experiment& e, double* wall_s) {
  const std::string dir = fresh_dir(e.name + "_reference");
  const ChildResult r = run_child(command(e, dir + "/out", 1), dir, dir + "/log", kTimeoutS);
  EXPECT_TRUE(r.exited && r.exit_code == 0) << e.name << ": " << r.err;
  const TreeCheck c = check_tree(dir + "/out");
  EXPECT_TRUE(c.errors.empty()) << e.name << ":\n" << absl::StrJoin(c.errors, "\n");
  EXPECT_EQ(c.incomplete_dirs, 0) << e.name;
  EXPECT_FALSE(c.complete.empty()) << e.name;
  *wall_s = r.wall_s;
  return c.complete;
}

// Checks the tree after a kill; returns the results lost since `reported`
// and adds the complete ones to it.
int check_after_kill(const std::string& what, const std::string& out,
                     const std::map<std::string, std::string>& ref,
                     std::map<std::string, std::string>& reported) {
  const TreeCheck c = check_tree(out, &ref);
  EXPECT_TRUE(c.errors.empty()) << what << ":\n" << absl::StrJoin(c.errors, "\n");
  for (const auto& [dir, status] : c.status) EXPECT_EQ(status, "complete") << what << " " << dir;
  // Lost: complete before and not now, or reading as complete but broken.
  const int lost = lost_results(reported, c) + c.falsely_complete;
  for (const auto& [dir, bytes] : c.complete) reported[dir] = bytes;
  return lost;
}

// A last uninterrupted rerun into `out` completes every run with the
// reference bytes and leaves no checkpoint and no stale temporary file;
// returns the temporaries left (0 unless it fails).
int expect_completes(const Experiment& e, const std::string& out,
                     const std::map<std::string, std::string>& ref, int* resumed) {
  const ChildResult r = run_child(command(e, out, 1), fs::path(out).parent_path().string(),
                                  out + ".final", kTimeoutS);
  EXPECT_TRUE(r.exited && r.exit_code == 0) << e.name << ": " << r.err;
  if (resumed) *resumed += absl::StrContains(r.err, "resuming");
  const TreeCheck c = check_tree(out, &ref);
  EXPECT_TRUE(c.errors.empty()) << e.name << " final:\n" << absl::StrJoin(c.errors, "\n");
  EXPECT_EQ(c.complete, ref) << e.name << ": the rerun's metrics differ from the uninterrupted run";
  if (!e.checkpoint.empty()) {
    for (const auto& [dir, bytes] : ref) {
      EXPECT_FALSE(fs::exists(fs::path(out) / dir / e.checkpoint)) << e.name << " " << dir;
    }
  }
  std::vector<std::string> temporaries;
  for (const std::string& f : list_files(out)) {
    if (absl::StrContains(fs::path(f).filename().string(), ".tmp.")) temporaries.push_back(f);
  }
  EXPECT_EQ(c.temporary_files, 0) << e.name << ": stale temporaries after a completed rerun: "
                                  << absl::StrJoin(temporaries, ", ");
  return c.temporary_files;
}

TEST(InterruptedRuns, SigkillAtRandomMomentsLeavesNoHalfWrittenOrFalselyCompleteResult) {
  std::mt19937_64 rng(kSeed);
  std::uniform_real_distribution<double> fraction(0.0, 1.0);
  int kills = 0, lost = 0, finished = 0, tmp_seen = 0, tmp_after_rerun = 0;
  std::vector<std::string> per_binary;
  for (const Experiment& e : experiments()) {
    double wall = 0;
    const auto ref = reference(e, &wall);
    const std::string out = fresh_dir(e.name + "_kills") + "/out";
    std::map<std::string, std::string> reported;
    int e_kills = 0;
    std::vector<std::string> moments;
    for (int attempt = 0; e_kills < kKillsPerBinary && attempt < 10 * kKillsPerBinary; ++attempt) {
      // A rerun may resume and end sooner than the reference: then the kill
      // moment passes unused (the run is complete) and the next attempt
      // starts over from a complete tree.
      const double at = fraction(rng) * wall;
      const ChildResult r =
          run_child(command(e, out, 1), fs::path(out).parent_path().string(),
                    absl::StrCat(out, ".", attempt), kTimeoutS, [&](double t) { return t >= at; });
      ASSERT_FALSE(r.timed_out) << e.name;
      if (r.killed) {
        ++e_kills;
        moments.push_back(absl::StrFormat("%.3f", at));
      } else {
        ++finished;  // finished before the kill moment
        EXPECT_TRUE(r.exited && r.exit_code == 0) << e.name << ": " << r.err;
      }
      lost += check_after_kill(absl::StrCat(e.name, " killed at ", at, " s"), out, ref, reported);
    }
    tmp_seen += check_tree(out).temporary_files;
    EXPECT_EQ(e_kills, kKillsPerBinary) << e.name << ": runs ended before the kill moments";
    kills += e_kills;
    tmp_after_rerun += expect_completes(e, out, ref, nullptr);
    per_binary.push_back(absl::StrCat(e.name, " (", ref.size(), " run dirs, ", absl::StrFormat("%.2f", wall),
                                      " s) killed at ", absl::StrJoin(moments, ","), " s"));
  }
  std::printf("%s\n", absl::StrJoin(per_binary, "\n").c_str());
  const std::string measured = absl::StrCat(
      kills, " SIGKILLs at random moments over ", experiments().size(), " binaries, ", lost,
      " results lost, ", finished, " runs finished before their kill moment; ", tmp_seen,
      " temporary files left by the kills, ", tmp_after_rerun,
      " left after the completed reruns");
  std::printf("%s\n", measured.c_str());
  RecordProperty("measured", measured);
  EXPECT_GE(kills, 20);
  EXPECT_EQ(lost, 0);
  EXPECT_EQ(tmp_after_rerun, 0);
}

TEST(InterruptedRuns, KilledCheckpointingRunsResumeToByteIdenticalMetrics) {
  std::mt19937_64 rng(kSeed + 1);
  std::uniform_real_distribution<double> fraction(0.0, 0.3);
  int tested = 0, kills = 0, resumed = 0, lost = 0;
  for (const Experiment& e : experiments()) {
    if (e.checkpoint.empty()) continue;
    ++tested;
    double wall = 0;
    const auto ref = reference(e, &wall);
    const std::string out = fresh_dir(e.name + "_resume") + "/out";
    std::vector<std::string> checkpoints;
    for (const auto& [dir, bytes] : ref) checkpoints.push_back((fs::path(out) / dir / e.checkpoint).string());
    std::map<std::string, std::string> reported;
    int e_resumed = 0;
    for (int i = 0; i < kResumeKills; ++i) {
      // Kill a random moment after the first checkpoint of this run appears.
      const double delay = fraction(rng) * wall;
      double seen = -1;
      const ChildResult r = run_child(
          command(e, out, 1), fs::path(out).parent_path().string(), absl::StrCat(out, ".", i),
          kTimeoutS, [&](double t) {
            if (seen < 0) {
              for (const auto& p : checkpoints) {
                if (fs::exists(p)) seen = t;
              }
            }
            return seen >= 0 && t >= seen + delay;
          });
      ASSERT_FALSE(r.timed_out) << e.name;
      kills += r.killed;
      e_resumed += absl::StrContains(r.err, "resuming");
      lost += check_after_kill(absl::StrCat(e.name, " resume kill ", i), out, ref, reported);
    }
    EXPECT_EQ(expect_completes(e, out, ref, &e_resumed), 0) << e.name;
    EXPECT_GE(e_resumed, 1) << e.name << ": no rerun resumed from a checkpoint";
    resumed += e_resumed;
  }
  RecordProperty("measured", absl::StrCat(tested, " checkpointing binaries, ", kills, " kills after a checkpoint, ",
                                          resumed, " reruns resumed, metrics byte-identical to the "
                                          "uninterrupted runs; ", lost, " results lost"));
  EXPECT_GE(tested, 1);
  EXPECT_EQ(lost, 0);
}

}  // namespace
}  // namespace fgbdl::reliability
