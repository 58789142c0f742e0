// Benchmark of the E3.2 training step (Section 3.2, Figure 4): one Adam step
// of the stocks model (d = 1000, batch 100) with the end-to-end estimator,
// at one OpenBLAS thread, for k = 10, 1000, 2000. Prints the median time per
// step (ms) over 7 repetitions. The decomposition step differs only in
// drawing no signals and is no slower.
//
//   bazel run //experiments/sec3_decomposition:e3_2_stocks_bench
//
// The reference is the PyTorch twin (twin/sec3_decomposition.py), timed in
// the same run by //bench:paper; the goal is at most half of its time.
#include <cblas.h>

#include "benchmark/benchmark.h"
#include "experiments/sec3_decomposition/stocks_training.h"

namespace fgbdl {
namespace {

void BM_E3_2_TrainingStep(benchmark::State& state) {
  openblas_set_num_threads(1);
  StocksSettings s;
  s.k = state.range(0);
  s.estimator = state.range(1) == 0 ? StocksEstimator::kEndToEnd : StocksEstimator::kDecomposition;
  StocksTrainer trainer(s, 1);
  for (int i = 0; i < 20; ++i) trainer.step();  // warm up buffers and Adam's state
  for (auto _ : state) benchmark::DoNotOptimize(trainer.step());
}
BENCHMARK(BM_E3_2_TrainingStep)
    ->ArgNames({"k", "dec"})
    ->Args({10, 0})
    ->Args({1000, 0})
    ->Args({2000, 0})
    ->Args({2000, 1})
    ->Repetitions(7)
    ->ReportAggregatesOnly(true)
    ->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace fgbdl

// main(): //tools:bench_main (Google Benchmark's, with every flag checked first).
