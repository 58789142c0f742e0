// lib/io/results.h: what write_run records about metrics.csv, the FNV-1a/64
// reference values, and which temporaries a rerun removes.
#include "lib/io/results.h"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"

namespace fgbdl {
namespace {
namespace fs = std::filesystem;

std::string fresh(const std::string& name) {
  const fs::path dir = fs::path(std::getenv("TEST_TMPDIR")) / name;
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir.string();
}

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

void touch(const std::string& path) { std::ofstream(path) << "partial"; }

// The published test vectors of FNV-1a/64 (Fowler, Noll, Vo; the IETF draft
// draft-eastlake-fnv): "" -> the offset basis, "a", "foobar".
TEST(Fnv1a64, MatchesTheReferenceValues) {
  EXPECT_EQ(fnv1a64_hex(""), "cbf29ce484222325");
  EXPECT_EQ(fnv1a64_hex("a"), "af63dc4c8601ec8c");
  EXPECT_EQ(fnv1a64_hex("foobar"), "85944171f73967e8");
  EXPECT_EQ(fnv1a64_hex(std::string(1, '\0')).size(), 16u);
}

TEST(WriteRun, TheManifestRecordsTheRowCountAndHashOfMetrics) {
  const std::string root = fresh("manifest");
  Table t({"step", "loss"});
  t.add_row({0, 1.5});
  t.add_row({100, 0.25});
  t.add_row({200, std::nan("")});
  write_run(root, {"e9", "c1", 3, "quick"}, t, {{"steps", "200"}}, {true, 200}, 1.0);
  const std::string dir = run_dir(root, {"e9", "c1", 3, "quick"});
  const std::string csv = slurp(dir + "/metrics.csv");
  EXPECT_EQ(csv, "step,loss\n0,1.5\n100,0.25\n200,nan\n");
  const std::string manifest = slurp(dir + "/manifest.json");
  EXPECT_TRUE(absl::StrContains(manifest, "\"metrics_rows\": 3,")) << manifest;
  EXPECT_TRUE(absl::StrContains(manifest, absl::StrCat("\"metrics_fnv1a64\": \"", fnv1a64_hex(csv), "\"")))
      << manifest;
  EXPECT_TRUE(absl::StrContains(manifest, "\"status\": \"diverged\"")) << manifest;
  EXPECT_TRUE(absl::StrContains(manifest, "\"diverged_step\": 200")) << manifest;
}

// A killed writer leaves <name>.tmp.<pid>; a rerun of the run removes those
// of dead processes, and keeps its own, a live process's, names that only
// look alike, and anything below the run directory.
TEST(WriteRun, ARerunRemovesTheStaleTemporariesOfItsRunDirectoryOnly) {
  const std::string root = fresh("stale");
  const RunId id{"e9", "c1", 1, "quick"};
  const std::string dir = run_dir(root, id);
  fs::create_directories(dir + "/sub");
  // A process that has ended: its pid names no live process (until reused).
  const pid_t child = ::fork();
  if (child == 0) ::_exit(0);
  ASSERT_GT(child, 0);
  ASSERT_EQ(::waitpid(child, nullptr, 0), child);
  ASSERT_NE(::kill(child, 0), 0);
  const pid_t live = ::fork();  // alive until this test kills it
  if (live == 0) {
    ::pause();
    ::_exit(0);
  }
  ASSERT_GT(live, 0);
  ASSERT_EQ(::kill(live, 0), 0);
  const std::string dead = absl::StrCat(child);
  const std::vector<std::string> stale = {"metrics.csv.tmp." + dead, "manifest.json.tmp." + dead,
                                          "checkpoint.bin.tmp." + dead};
  const std::vector<std::string> kept = {
      absl::StrCat("metrics.csv.tmp.", live), absl::StrCat("other.csv.tmp.", ::getpid()),
      "notes.tmp.x1", "notes.tmp.", ".tmp.123", "data.tmp.12.bak", "sub/metrics.csv.tmp." + dead};
  for (const auto& f : stale) touch(dir + "/" + f);
  for (const auto& f : kept) touch(dir + "/" + f);
  EXPECT_EQ(remove_stale_temporaries(root + "/missing"), 0);
  Table t({"step", "loss"});
  t.add_row({0, 1});
  write_run(root, id, t, {}, {}, 0.5);
  for (const auto& f : stale) EXPECT_FALSE(fs::exists(dir + "/" + f)) << f;
  for (const auto& f : kept) EXPECT_TRUE(fs::exists(dir + "/" + f)) << f;
  EXPECT_TRUE(fs::exists(dir + "/metrics.csv"));
  EXPECT_TRUE(fs::exists(dir + "/manifest.json"));
  EXPECT_EQ(remove_stale_temporaries(dir), 0);  // nothing stale left
  ::kill(live, SIGKILL);
  ::waitpid(live, nullptr, 0);
  // Once that process has ended, its temporary is stale too.
  EXPECT_EQ(remove_stale_temporaries(dir), 1);
  EXPECT_FALSE(fs::exists(absl::StrCat(dir, "/metrics.csv.tmp.", live)));
}

}  // namespace
}  // namespace fgbdl
