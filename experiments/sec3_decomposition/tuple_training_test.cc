// Tests of E3.1 training (tuple_training.h): determinism, checkpoint and resume, Figure 2 examples.
#include "experiments/sec3_decomposition/tuple_training.h"

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "lib/core/error.h"
#include "lib/core/rng.h"
#include "lib/io/results.h"
#include "lib/nn/optim.h"

namespace fgbdl {
namespace {

namespace fs = std::filesystem;

std::string slurp(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  std::ostringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

std::string fresh_dir(const std::string& name) {
  const char* tmp = std::getenv("TEST_TMPDIR");
  const std::string dir = absl::StrCat(tmp ? tmp : "/tmp", "/", name);
  fs::remove_all(dir);
  return dir;
}

// A run small enough for a unit test: 12 steps of 4 tuples of 2 images.
TupleSettings tiny(TupleApproach approach = TupleApproach::kDecomposition) {
  TupleSettings s;
  s.k = 2;
  s.approach = approach;
  s.steps = 12;
  s.batch = 4;
  s.eval_every = 5;
  s.eval_tuples = 6;  // two chunks: 4 + 2
  return s;
}

TEST(TupleTraining, RunsAreDeterministicGivenTheSeed) {
  const TupleTrainingResult a = train_tuples(tiny(), 7, {});
  const TupleTrainingResult b = train_tuples(tiny(), 7, {});
  const TupleTrainingResult c = train_tuples(tiny(), 8, {});
  EXPECT_EQ(a.metrics.to_csv(), b.metrics.to_csv());
  EXPECT_NE(a.metrics.to_csv(), c.metrics.to_csv());
  // Rows at steps 0, 5, 10 and the last step 12.
  ASSERT_EQ(a.metrics.rows().size(), 4u);
  EXPECT_EQ(a.metrics.rows()[3][0], 12);
  EXPECT_TRUE(a.completed);
  EXPECT_FALSE(a.status.diverged);
}

TEST(TupleTraining, BothApproachesStartFromTheSameNetworkAndData) {
  // Step 0 evaluates the untrained network: same accuracy for e2e and dec.
  // Their step-0 objectives differ by the image hinge term.
  const TupleTrainingResult e2e = train_tuples(tiny(TupleApproach::kEndToEnd), 3, {});
  const TupleTrainingResult dec = train_tuples(tiny(TupleApproach::kDecomposition), 3, {});
  EXPECT_EQ(e2e.metrics.rows()[0][1], dec.metrics.rows()[0][1]);
  EXPECT_GT(dec.metrics.rows()[0][2], e2e.metrics.rows()[0][2]);
}

// An interrupted run, resumed from its checkpoint, writes byte for byte the
// metrics.csv of an uninterrupted run; the checkpoint is gone afterwards.
TEST(TupleTraining, ResumedRunGivesByteIdenticalMetrics) {
  const TupleSettings s = tiny();
  const RunId id{"e3_1_tuples", "k2_dec", 5, "quick"};
  const std::string whole = fresh_dir("whole"), cut = fresh_dir("cut");
  TupleRunControl control;
  control.checkpoint_every = 4;
  const TupleTrainingResult ref = run_tuple_experiment(whole, id, s, control);
  EXPECT_EQ(ref.resumed_from, 0);

  // Stopped after step 10: the last checkpoint is at step 8, between two
  // evaluations (5 and 10), so the loss accumulator is part of it.
  control.stop_after = 10;
  const TupleTrainingResult stopped = run_tuple_experiment(cut, id, s, control);
  EXPECT_FALSE(stopped.completed);
  const std::string checkpoint = run_dir(cut, id) + "/checkpoint.bin";
  EXPECT_TRUE(fs::exists(checkpoint));
  EXPECT_FALSE(fs::exists(run_dir(cut, id) + "/metrics.csv"));

  control.stop_after = 0;
  const TupleTrainingResult resumed = run_tuple_experiment(cut, id, s, control);
  EXPECT_EQ(resumed.resumed_from, 8);
  EXPECT_TRUE(resumed.completed);
  EXPECT_FALSE(fs::exists(checkpoint));
  EXPECT_EQ(slurp(run_dir(cut, id) + "/metrics.csv"), slurp(run_dir(whole, id) + "/metrics.csv"));
  EXPECT_EQ(resumed.metrics.to_csv(), ref.metrics.to_csv());
}

TEST(TupleTraining, ResumingTwiceAndWithOtherCheckpointSpacingChangesNothing) {
  const TupleSettings s = tiny(TupleApproach::kEndToEnd);
  const RunId id{"e3_1_tuples", "k2_e2e", 2, "quick"};
  const std::string whole = fresh_dir("whole2"), cut = fresh_dir("cut2");
  TupleRunControl control;
  const TupleTrainingResult ref = run_tuple_experiment(whole, id, s, control);
  control.checkpoint_every = 3;
  control.stop_after = 4;  // checkpoint at 3
  run_tuple_experiment(cut, id, s, control);
  control.checkpoint_every = 2;
  control.stop_after = 7;  // resumes at 3, checkpoints at 4, 6
  EXPECT_EQ(run_tuple_experiment(cut, id, s, control).resumed_from, 3);
  control.stop_after = 0;
  EXPECT_EQ(run_tuple_experiment(cut, id, s, control).resumed_from, 6);
  EXPECT_EQ(slurp(run_dir(cut, id) + "/metrics.csv"), slurp(run_dir(whole, id) + "/metrics.csv"));
}

TEST(TupleTraining, CheckpointOfOtherSettingsIsRefusedWithOneLine) {
  const RunId id{"e3_1_tuples", "k2_dec", 5, "quick"};
  const std::string root = fresh_dir("other");
  TupleRunControl control;
  control.checkpoint_every = 4;
  control.stop_after = 5;
  run_tuple_experiment(root, id, tiny(), control);
  TupleSettings other = tiny();
  other.lr = 2e-3;
  control.stop_after = 0;
  try {
    run_tuple_experiment(root, id, other, control);
    FAIL() << "a checkpoint of other settings was accepted";
  } catch (const UsageError& e) {
    const std::string what = e.what();
    EXPECT_EQ(what.find('\n'), std::string::npos) << what;
    EXPECT_NE(what.find("checkpoint has lr=0.001"), std::string::npos) << what;
    EXPECT_NE(what.find("this run lr=0.002"), std::string::npos) << what;
  }
  // The checkpoint is left in place for the right settings.
  EXPECT_EQ(run_tuple_experiment(root, id, tiny(), control).resumed_from, 4);
}

TEST(TupleTraining, CorruptCheckpointIsAnErrorNamingTheFile) {
  const RunId id{"e3_1_tuples", "k2_dec", 5, "quick"};
  const std::string root = fresh_dir("corrupt");
  TupleRunControl control;
  control.checkpoint_every = 4;
  control.stop_after = 5;
  run_tuple_experiment(root, id, tiny(), control);
  const std::string path = run_dir(root, id) + "/checkpoint.bin";
  const std::string bytes = slurp(path);
  write_file_atomically(path, bytes.substr(0, bytes.size() - 100));  // truncated
  control.stop_after = 0;
  try {
    run_tuple_experiment(root, id, tiny(), control);
    FAIL() << "a truncated checkpoint was accepted";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find(path), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("truncated"), std::string::npos) << e.what();
  }
}

// A learning rate far past stability is recorded as diverged at its step.
TEST(TupleTraining, ADivergingRunIsRecordedWithItsStep) {
  TupleSettings s = tiny();
  s.lr = 1e30;
  s.steps = 30;
  const TupleTrainingResult r = train_tuples(s, 1, {});
  EXPECT_TRUE(r.status.diverged);
  EXPECT_GE(r.status.diverged_step, 1);
  EXPECT_EQ(r.metrics.rows().back()[0], static_cast<double>(r.status.diverged_step));
}

TEST(TupleTraining, ExamplesHoldEightImagesOfEachLabel) {
  const Table t = line_examples(1, LineRasterizer::kPaper);
  EXPECT_EQ(t.columns(), (std::vector<std::string>{"image", "label", "row", "col"}));
  std::map<int, double> label_of;
  for (const auto& row : t.rows()) {
    label_of[static_cast<int>(row[0])] = row[1];
    EXPECT_GE(row[2], 0);
    EXPECT_LT(row[2], 28);
    EXPECT_GE(row[3], 0);
    EXPECT_LT(row[3], 28);
  }
  ASSERT_EQ(label_of.size(), 16u);
  for (int i = 0; i < 16; ++i) EXPECT_EQ(label_of[i], i < 8 ? 1.0 : -1.0) << "image " << i;
  EXPECT_EQ(line_examples(1, LineRasterizer::kPaper).to_csv(), t.to_csv());
}

}  // namespace
}  // namespace fgbdl
