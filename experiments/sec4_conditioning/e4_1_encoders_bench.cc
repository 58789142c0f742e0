// Benchmark of the E4.1.1-E4.1.4 training steps (Section 4.1, Figure 6): one
// Adam step at the scripts' settings (n = 100, k = 3, batch 100; batch 10 for
// conv_whitened; a pool of 10 000 training curves) for each encoder, at one
// OpenBLAS thread: drawing the batch, loss and gradient, the update. Prints
// the median time per step (ms) over 7 repetitions.
//
//   bazel run //experiments/sec4_conditioning:e4_1_encoders_bench
//
// The reference is the PyTorch twin (twin/sec4_conditioning.py), timed in
// the same run by //bench:paper; the goal is at most half of its time.
#include <cblas.h>

#include "benchmark/benchmark.h"
#include "experiments/sec4_conditioning/pwl_encoders.h"

namespace fgbdl {
namespace {

void BM_E4_1_TrainingStep(benchmark::State& state) {
  openblas_set_num_threads(1);
  const auto e = static_cast<PwlEncoder>(state.range(0));
  PwlSettings s;
  s.encoder = e;
  s.optimizer = PwlOptimizer::kAdam;
  s.data = pwl_curve_distribution(e, true);
  s.batch = pwl_script_batch(e);
  state.SetLabel(to_string(e));
  PwlTrainer trainer(s, 1);
  for (int i = 0; i < 20; ++i) trainer.step();  // warm up buffers and Adam's state
  for (auto _ : state) benchmark::DoNotOptimize(trainer.step());
  if (e == PwlEncoder::kAutoEncoder) {
    // n -> 500 -> 100 -> 2k -> 100 -> 100 -> n (n = 100, k = 3): forward,
    // dW and dx of each layer (no dx for the first).
    const double macs = 100.0 * 500 + 500.0 * 100 + 100.0 * 6 + 6.0 * 100 + 100.0 * 100 + 100.0 * 100;
    const double first = 100.0 * 500;
    state.counters["GFLOP/s"] = benchmark::Counter(
        2 * (3 * macs - first) * static_cast<double>(s.batch) *
            static_cast<double>(state.iterations()) / 1e9,
        benchmark::Counter::kIsRate);
  }
}
BENCHMARK(BM_E4_1_TrainingStep)
    ->ArgName("encoder")
    ->DenseRange(0, 3)
    ->Repetitions(7)
    ->ReportAggregatesOnly(true)
    ->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace fgbdl

// main(): //tools:bench_main (Google Benchmark's, with every flag checked first).
