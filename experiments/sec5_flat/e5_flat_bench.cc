// Benchmark of the Section 5 training steps (E5.2-E5.5, Figure 7): one Adam
// step on a fresh batch of 256 (sampling included) for each approach, at one
// OpenBLAS thread. Prints the median time per step (ms) over 7 repetitions.
//
//   bazel run //experiments/sec5_flat:e5_flat_bench
//
// The reference is the PyTorch twin (twin/sec5_flat.py), timed in the same
// run by //bench:paper; the goal is at most half of its time. The twin's step
// is on a batch drawn once, and so //bench:paper compares it with
// BM_E5_TrainingStepModelOnly, the same step here.
#include <cblas.h>

#include "benchmark/benchmark.h"
#include "experiments/sec5_flat/flat_training.h"

namespace fgbdl {
namespace {

void BM_E5_TrainingStep(benchmark::State& state) {
  openblas_set_num_threads(1);
  FlatSettings s;
  s.approach = static_cast<FlatApproach>(state.range(0));
  s.lr = script_learning_rate(s.approach);
  s.test_samples = 1;
  FlatTrainer trainer(s, 1);
  for (int i = 0; i < 20; ++i) trainer.step();  // warm up buffers and Adam's state
  for (auto _ : state) benchmark::DoNotOptimize(trainer.step());
  state.SetLabel(to_string(s.approach));
  // flat_cost: multiply-adds of one training step per sample.
  state.counters["GFLOP/s"] = benchmark::Counter(
      2 * flat_cost(trainer).train_macs * static_cast<double>(s.batch) *
          static_cast<double>(state.iterations()) / 1e9,
      benchmark::Counter::kIsRate);
}

// The same step on one pre-drawn batch: the model's cost without sampling
// the 25 600 normal inputs of a batch.
void BM_E5_TrainingStepModelOnly(benchmark::State& state) {
  openblas_set_num_threads(1);
  FlatSettings s;
  s.approach = static_cast<FlatApproach>(state.range(0));
  s.lr = script_learning_rate(s.approach);
  s.test_samples = 1;
  FlatTrainer trainer(s, 1);
  Engine rng(2);
  Matrix x, y;
  std::vector<double> r;
  sample_step_batch(trainer.target(), static_cast<std::size_t>(s.batch), rng, x, r, y);
  for (int i = 0; i < 20; ++i) trainer.step_on(x, r, y);
  for (auto _ : state) benchmark::DoNotOptimize(trainer.step_on(x, r, y));
  state.SetLabel(to_string(s.approach));
}

// Sampling one batch alone.
void BM_E5_SampleBatch(benchmark::State& state) {
  Engine rng(3);
  const StepTarget t = draw_step_target(100, StepThresholds::kScript, rng);
  Matrix x, y;
  std::vector<double> r;
  for (auto _ : state) {
    sample_step_batch(t, 256, rng, x, r, y);
    benchmark::DoNotOptimize(x.data());
  }
}
BENCHMARK(BM_E5_SampleBatch)->Repetitions(7)->ReportAggregatesOnly(true)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_E5_TrainingStep)
    ->ArgName("approach")
    ->Arg(static_cast<int>(FlatApproach::kApprox))
    ->Arg(static_cast<int>(FlatApproach::kEndToEnd))
    ->Arg(static_cast<int>(FlatApproach::kMulticlass))
    ->Arg(static_cast<int>(FlatApproach::kForwardOnly))
    ->Repetitions(7)
    ->ReportAggregatesOnly(true)
    ->Unit(benchmark::kMillisecond);
BENCHMARK(BM_E5_TrainingStepModelOnly)
    ->ArgName("approach")
    ->Arg(static_cast<int>(FlatApproach::kApprox))
    ->Arg(static_cast<int>(FlatApproach::kEndToEnd))
    ->Arg(static_cast<int>(FlatApproach::kMulticlass))
    ->Arg(static_cast<int>(FlatApproach::kForwardOnly))
    ->Repetitions(7)
    ->ReportAggregatesOnly(true)
    ->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace fgbdl

// main(): //tools:bench_main (Google Benchmark's, with every flag checked first).
