// The training loop (lib/train/loop.h) on a model small enough to follow by
// hand: y = w x + c fitted by SGD or Adam to y = 3x - 1 on fresh batches.
#include "lib/train/loop.h"

#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "lib/core/error.h"

namespace fgbdl {
namespace {

struct LineBatch {
  std::vector<float> x, y;
};

// Squared loss mean (w x + c - y)^2 / 2 with its exact gradient.
class Line final : public Model<LineBatch> {
 public:
  std::vector<Parameter> parameters() override {
    return {{"w", &w_, &dw_, 1}, {"c", &c_, &dc_, 1}};
  }
  double loss(const LineBatch& b) override {
    double sum = 0;
    for (std::size_t i = 0; i < b.x.size(); ++i) {
      const double e = double(w_) * b.x[i] + c_ - b.y[i];
      sum += e * e / 2;
    }
    return sum / double(b.x.size());
  }
  double loss_and_gradient(const LineBatch& b) override {
    double dw = 0, dc = 0;
    for (std::size_t i = 0; i < b.x.size(); ++i) {
      const double e = double(w_) * b.x[i] + c_ - b.y[i];
      dw += e * b.x[i];
      dc += e;
    }
    dw_ = float(dw / double(b.x.size()));
    dc_ = float(dc / double(b.x.size()));
    return loss(b);
  }
  float w_ = 0, c_ = 0, dw_ = 0, dc_ = 0;
};

// One run: the model, its optimizer, its stream and what it records.
struct LineRun {
  explicit LineRun(double lr, bool adam = false)
      : optimizer(adam ? static_cast<Optimizer*>(new AdamOptimizer(lr, 0.9, 0.999, 1e-8))
                       : static_cast<Optimizer*>(new SgdOptimizer(lr))) {
    run.model = &model;
    run.gradient = &backprop;
    run.optimizer = optimizer.get();
    run.draw = [this](LineBatch& b) {
      b.x.resize(8);
      b.y.resize(8);
      for (std::size_t i = 0; i < 8; ++i) {
        b.x[i] = float(uniform(data, -1, 1));
        b.y[i] = 3 * b.x[i] - 1;
      }
    };
    run.evaluate = [this](const StepLoss& s) {
      metrics.add_row({double(s.step), double(model.w_), double(model.c_), s.mean_loss});
      return std::isfinite(model.w_);
    };
    run.tables = {&metrics};
    run.engines = {&data};
  }
  Line model;
  Backprop<LineBatch> backprop;
  std::unique_ptr<Optimizer> optimizer;
  Engine data{derive_engine(1, 2)};
  Table metrics{{"step", "w", "c", "loss"}};
  TrainingRun<LineBatch> run;
};

std::string temp_path(const std::string& name) {
  return (std::filesystem::path(::testing::TempDir()) / name).string();
}

TEST(TrainingLoop, EvaluatesAtStepZeroOnThePeriodAndAtTheLastStep) {
  LineRun r(0.1);
  LoopSettings s;
  s.steps = 25;
  s.schedule.every = 10;
  const LoopResult result = train(r.run, s);
  ASSERT_TRUE(result.completed);
  EXPECT_FALSE(result.status.diverged);
  std::vector<double> steps;
  for (const auto& row : r.metrics.rows()) steps.push_back(row[0]);
  EXPECT_EQ(steps, (std::vector<double>{0, 10, 20, 25}));
  EXPECT_TRUE(std::isnan(r.metrics.rows()[0][3]));
}

TEST(TrainingLoop, LearnsTheLine) {
  LineRun r(0.5);
  LoopSettings s;
  s.steps = 400;
  s.schedule.every = 400;
  train(r.run, s);
  EXPECT_NEAR(r.model.w_, 3.0, 1e-3);
  EXPECT_NEAR(r.model.c_, -1.0, 1e-3);
}

// A run stopped at any step and resumed from its checkpoint ends with the
// same rows and weights, bit for bit, as one that never stopped; for SGD
// and for Adam, whose moments must travel in the checkpoint.
TEST(TrainingLoop, ResumedRunsAreBitIdenticalToUninterruptedOnes) {
  for (const bool adam : {false, true}) {
    LineRun whole(0.05, adam);
    LoopSettings s;
    s.steps = 60;
    s.schedule.every = 7;
    s.identity = "claim=line steps=60";
    train(whole.run, s);
    for (const std::int64_t stop : {1, 6, 7, 8, 35, 59}) {
      SCOPED_TRACE(testing::Message() << "adam " << adam << ", stopped after step " << stop);
      const std::string path = temp_path("line_" + std::to_string(stop) + ".ckpt");
      std::filesystem::remove(path);
      LoopSettings first = s;
      first.checkpoint_path = path;
      first.checkpoint_every = 1;
      first.stop_after = stop;
      LineRun killed(0.05, adam);
      EXPECT_FALSE(train(killed.run, first).completed);
      LineRun resumed(0.05, adam);
      LoopSettings second = s;
      second.checkpoint_path = path;
      second.checkpoint_every = 5;
      const LoopResult result = train(resumed.run, second);
      EXPECT_TRUE(result.completed);
      EXPECT_EQ(result.resumed_from, stop);
      EXPECT_EQ(resumed.metrics.to_csv(), whole.metrics.to_csv());
      EXPECT_EQ(resumed.model.w_, whole.model.w_);
      EXPECT_EQ(resumed.model.c_, whole.model.c_);
    }
  }
}

// Settings of a 20-step run that checkpoints every step into a fresh file
// `name` and stops after `stop_after` steps as if killed.
LoopSettings killed_run(const std::string& name, const std::string& identity,
                        std::int64_t stop_after) {
  LoopSettings s;
  s.steps = 20;
  s.schedule.every = 5;
  s.identity = identity;
  s.checkpoint_path = temp_path(name);
  std::filesystem::remove(s.checkpoint_path);
  s.checkpoint_every = 1;
  s.stop_after = stop_after;
  return s;
}

TEST(TrainingLoop, RefusesTheCheckpointOfAnotherRunNamingTheSetting) {
  LineRun a(0.05);
  LoopSettings s = killed_run("other.ckpt", "claim=line lr=0.05 steps=20", 4);
  train(a.run, s);
  LineRun b(0.1);
  s.identity = "claim=line lr=0.1 steps=20";
  s.stop_after = 0;
  try {
    train(b.run, s);
    FAIL() << "no UsageError";
  } catch (const UsageError& e) {
    EXPECT_NE(std::string(e.what()).find("checkpoint has lr=0.05, this run lr=0.1"),
              std::string::npos)
        << e.what();
  }
}

// A checkpoint cut short is refused, and the run's state is left as it was.
TEST(TrainingLoop, RefusesATruncatedCheckpointAndChangesNothing) {
  LineRun a(0.05);
  LoopSettings s = killed_run("cut.ckpt", "claim=line", 9);
  train(a.run, s);
  const auto size = std::filesystem::file_size(s.checkpoint_path);
  std::filesystem::resize_file(s.checkpoint_path, size - 3);
  LineRun b(0.05);
  s.stop_after = 0;
  try {
    train(b.run, s);
    FAIL() << "no error";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("is unreadable (truncated)"), std::string::npos)
        << e.what();
  }
  EXPECT_EQ(b.model.w_, 0.0f);
  EXPECT_EQ(b.metrics.rows().size(), 0u);
}

// With a learning rate far beyond 2 / (largest curvature) SGD on the
// quadratic loss blows up: the run ends at the first non-finite loss with
// one last row marked by its step.
TEST(TrainingLoop, RecordsADivergenceWithItsStep) {
  LineRun r(1e3);
  LoopSettings s;
  s.steps = 1000;
  s.schedule.every = 100;
  const LoopResult result = train(r.run, s);
  EXPECT_TRUE(result.completed);
  ASSERT_TRUE(result.status.diverged);
  EXPECT_GT(result.status.diverged_step, 1);
  EXPECT_LT(result.status.diverged_step, 1000);
  const auto& last = r.metrics.rows().back();
  EXPECT_EQ(last[0], double(result.status.diverged_step));
  EXPECT_FALSE(std::isfinite(last[3]));
}

// A `done` test ends the run after the first evaluation it accepts: here
// once the loss is below 1e-6, long before the step budget, and the last row
// is that evaluation.
TEST(TrainingLoop, EndsAtTheFirstEvaluationDoneAccepts) {
  LineRun r(0.5);
  LoopSettings s;
  s.steps = 100000;
  s.schedule.every = 10;
  s.done = [&](std::int64_t) { return r.metrics.rows().back()[3] < 1e-6; };
  const LoopResult result = train(r.run, s);
  EXPECT_TRUE(result.completed);
  EXPECT_FALSE(result.status.diverged);
  const auto& rows = r.metrics.rows();
  ASSERT_GE(rows.size(), 3u);
  EXPECT_LT(rows.back()[0], 1000);
  EXPECT_LT(rows.back()[3], 1e-6);
  EXPECT_GE(rows[rows.size() - 2][3], 1e-6);
}

}  // namespace
}  // namespace fgbdl
