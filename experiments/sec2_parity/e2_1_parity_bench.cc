// Benchmark of the E2.1 training step (Section 2.1): one SGD step on a fresh
// batch of 128 parity samples, network d -> 10d ReLU -> 1, hinge loss, at
// one OpenBLAS thread. Prints the median time per step (ms) over 7 repetitions.
//
//   bazel run //experiments/sec2_parity:e2_1_parity_bench
//
// The reference is the PyTorch twin (twin/sec2_parity.py), timed in the same
// run by //bench:paper; the goal is at most half of its time.
#include <cblas.h>

#include "benchmark/benchmark.h"
#include "experiments/sec2_parity/parity_training.h"

namespace fgbdl {
namespace {

void BM_E2_1_TrainingStep(benchmark::State& state) {
  openblas_set_num_threads(1);
  ParitySettings s;
  s.d = static_cast<int>(state.range(0));
  ParityTrainer trainer(s, 1);
  for (int i = 0; i < 100; ++i) trainer.step();  // warm up buffers
  for (auto _ : state) benchmark::DoNotOptimize(trainer.step());
  // Forward, dW and dx of d -> 10d and 10d -> 1 on 128 samples (no dx for
  // the input layer).
  const double d = static_cast<double>(s.d), h = 10 * d, b = 128;
  state.counters["GFLOP/s"] = benchmark::Counter(
      2 * b * (2 * d * h + 3 * h) * static_cast<double>(state.iterations()) / 1e9,
      benchmark::Counter::kIsRate);
}
BENCHMARK(BM_E2_1_TrainingStep)
    ->Arg(5)
    ->Arg(10)
    ->Arg(30)
    ->Repetitions(7)
    ->ReportAggregatesOnly(true)
    ->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace fgbdl

// main(): //tools:bench_main (Google Benchmark's, with every flag checked first).
