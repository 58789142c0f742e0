// Diverging runs (DESIGN.md, "Bad input and failures": a diverging run
// (NaN/Inf) is a result, not a crash: recorded as diverged, with the step).
// Every binary of experiments.bzl with divergence flags (a learning rate far
// too large) runs its quick settings with them: it exits 0, every run dir is
// complete, at least one is recorded as "status": "diverged" with
// diverged_step >= 1, and the last row of its metrics.csv is that step with
// a non-finite value.
//
// Binaries without divergence flags: no accepted flag value makes their loss
// non-finite (measured, see experiments.bzl): e3_1_tuples at --lr=10 (the
// largest accepted) for 2000 steps and e3_2_stocks at --lr=1000 (whose
// objective lies in [-1, 0]) stay finite; t1_variance and e3_1_snr do not
// train.
#include <cmath>
#include <filesystem>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "gtest/gtest.h"
#include "tools/reliability/reliability.h"

namespace fgbdl::reliability {
namespace {

TEST(Divergence, ADivergingRunIsRecordedAsDivergedWithItsStep) {
  std::vector<std::string> records, none;
  for (const Experiment& e : experiments()) {
    if (e.diverge.empty()) {
      none.push_back(e.name);
      continue;
    }
    const std::string dir = fresh_dir(e.name + "_diverge");
    const ChildResult r =
        run_child(command(e, dir + "/out", 1, e.diverge), dir, dir + "/log", 150.0);
    EXPECT_TRUE(r.exited && r.exit_code == 0) << e.name << " crashed on divergence: " << r.err;
    const TreeCheck c = check_tree(dir + "/out");
    EXPECT_TRUE(c.errors.empty()) << e.name << ":\n" << absl::StrJoin(c.errors, "\n");
    EXPECT_EQ(c.incomplete_dirs, 0) << e.name;
    int diverged = 0;
    for (const auto& [run, status] : c.status) {
      if (status != "diverged") continue;
      ++diverged;
      std::map<std::string, std::string> fields;
      ASSERT_EQ(check_json_object(read_file(dir + "/out/" + run + "/manifest.json"), &fields), "");
      const std::string step = fields["diverged_step"];
      double step_value = 0;
      ASSERT_TRUE(absl::SimpleAtod(step, &step_value)) << step;
      EXPECT_GE(step_value, 1) << e.name << " " << run;
      // Last row: the diverged step, with a non-finite value.
      const std::string& csv = c.complete.at(run);
      std::vector<std::string> lines = absl::StrSplit(csv.substr(0, csv.size() - 1), '\n');
      std::vector<std::string> last = absl::StrSplit(lines.back(), ',');
      double last_step = -1;
      ASSERT_TRUE(absl::SimpleAtod(last[0], &last_step));
      EXPECT_EQ(last_step, step_value) << e.name << " " << run;
      bool non_finite = false;
      for (const auto& f : last) non_finite = non_finite || f == "nan" || f == "inf" || f == "-inf";
      EXPECT_TRUE(non_finite) << e.name << " " << run << ": last row " << lines.back();
      records.push_back(absl::StrCat(e.name, " ", run, " diverged at step ", step));
    }
    EXPECT_GE(diverged, 1) << e.name << " with " << absl::StrJoin(e.diverge, " ")
                           << " recorded no diverged run";
  }
  std::printf("%s\n", absl::StrJoin(records, "\n").c_str());
  RecordProperty("measured", absl::StrCat(records.size(), " diverged runs recorded (",
                                          absl::StrJoin(records, "; "), "); no divergence flags for: ",
                                          absl::StrJoin(none, ", ")));
}

}  // namespace
}  // namespace fgbdl::reliability
