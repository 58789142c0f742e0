// Benchmark of the E3.1 training step (Section 3.1): one Adam step on a
// fresh batch of 200 tuples at k = 1, 2, 3, 4, both approaches, one
// OpenBLAS thread; the convolutions alone; and raw cblas_sgemm for the
// share of the machine's GEMM peak. Medians over 7 repetitions.
//
//   bazel run //experiments/sec3_decomposition:e3_1_tuples_bench
//
// Counters: GFLOP/s = floating-point operations of the dense-equivalent
// computation (tuple_step_flops, conv2d_forward_flops: both convolutions
// counted as if dense, as a framework computes them) per second; the
// package computes both sparsely (tuple_first_block.h,
// tuple_second_block.h), about 1/8 of those operations, so this rate can
// exceed the machine's sgemm peak. The reference is the PyTorch twin
// (twin/sec3_decomposition.py, dense convolutions), timed in the same run
// by //bench:paper.
#include <cblas.h>

#include <vector>

#include "benchmark/benchmark.h"
#include "experiments/sec3_decomposition/tuple_first_block.h"
#include "experiments/sec3_decomposition/tuple_network.h"
#include "experiments/sec3_decomposition/tuple_second_block.h"
#include "experiments/sec3_decomposition/tuple_training.h"
#include "lib/core/rng.h"
#include "lib/data/line_images.h"
#include "lib/nn/conv2d.h"
#include "lib/nn/maxpool2d.h"

namespace fgbdl {
namespace {

constexpr std::int64_t kBatch = 200;

void set_rate(benchmark::State& state, double flops_per_iteration) {
  state.counters["GFLOP/s"] = benchmark::Counter(
      flops_per_iteration * static_cast<double>(state.iterations()) / 1e9, benchmark::Counter::kIsRate);
}

// One training step: fresh tuples, forward, backward, Adam; k = 1..4, the
// tuple sizes of the paper's Figure 3.
void BM_E3_1_TrainingStep(benchmark::State& state) {
  openblas_set_num_threads(1);
  TupleSettings s;
  s.k = static_cast<int>(state.range(0));
  s.approach = state.range(1) == 0 ? TupleApproach::kEndToEnd : TupleApproach::kDecomposition;
  s.batch = kBatch;
  s.eval_tuples = 1;
  TupleTrainer trainer(s, 1);
  for (int i = 0; i < 3; ++i) trainer.step();  // size the buffers
  for (auto _ : state) benchmark::DoNotOptimize(trainer.step());
  state.SetLabel(s.approach == TupleApproach::kEndToEnd ? "e2e" : "dec");
  set_rate(state, tuple_step_flops(static_cast<std::size_t>(kBatch * s.k),
                                   static_cast<std::size_t>(kBatch), s.k));
}
BENCHMARK(BM_E3_1_TrainingStep)
    ->ArgsProduct({{1, 2, 3, 4}, {0, 1}})
    ->ArgNames({"k", "dec"})
    ->Repetitions(7)
    ->ReportAggregatesOnly(true)
    ->Unit(benchmark::kMillisecond);

// The second convolution (5x5, 16 -> 16 on 14x14) of N = 200 k images:
// forward, then dW, db and dx, as in a training step.
void BM_Conv2ForwardBackward(benchmark::State& state) {
  openblas_set_num_threads(1);
  const std::size_t N = static_cast<std::size_t>(state.range(0));
  Engine rng(1);
  Conv2d<float> layer = conv2d_init<float>(5, 5, 16, 16, rng);
  xt::xtensor<float, 4> x = xt::xtensor<float, 4>::from_shape({N, 14, 14, 16}), y, dx;
  xt::xtensor<float, 4> dy = xt::xtensor<float, 4>::from_shape({N, 14, 14, 16});
  for (float& v : x.storage()) v = static_cast<float>(uniform(rng, -1, 1));
  for (float& v : dy.storage()) v = static_cast<float>(uniform(rng, -1, 1));
  Conv2dScratch<float> scratch;
  conv2d_forward(layer, x, y, scratch);
  conv2d_backward(layer, x, dy, &dx, scratch);
  for (auto _ : state) {
    conv2d_forward(layer, x, y, scratch);
    conv2d_backward(layer, x, dy, &dx, scratch);
    benchmark::DoNotOptimize(dx.data());
  }
  set_rate(state, 3 * conv2d_forward_flops(N, 14, 14, 5, 5, 16, 16));
}
BENCHMARK(BM_Conv2ForwardBackward)->Arg(200)->Arg(800)->Repetitions(7)->ReportAggregatesOnly(true)->Unit(benchmark::kMillisecond);

// The second convolution and pooling as training runs them
// (tuple_second_block.h) on the first block's output for N = 200 k line
// images: forward, then dW, db and the gradient at the listed pixels.
// GFLOP/s counts the dense convolution's operations (as
// BM_Conv2ForwardBackward), which this computation avoids.
void BM_Conv2FusedForwardBackward(benchmark::State& state) {
  openblas_set_num_threads(1);
  const std::size_t N = static_cast<std::size_t>(state.range(0));
  Engine rng(1);
  Conv2d<float> conv1 = conv2d_init<float>(5, 5, 1, 16, rng);
  for (float& b : conv1.b) b = static_cast<float>(uniform(rng, -0.1, 0.1));
  Conv2d<float> conv2 = conv2d_init<float>(5, 5, 16, 16, rng);
  LineTupleBatch<float> batch;
  sample_line_tuples(N, LineTupleSpec{1}, rng, batch);
  PooledRows<float> p1;
  ConvPoolScratch<float> first;
  conv_pool_sparse_forward(conv1, batch.images, p1, first);
  ConvRowsScratch<float> scratch;
  xt::xtensor<float, 4> p2, dp2 = xt::xtensor<float, 4>::from_shape({N, 7, 7, 16});
  for (float& v : dp2.storage()) v = static_cast<float>(uniform(rng, -1, 1));
  std::vector<float> argmax, dvalue, dsum;
  for (auto _ : state) {
    conv_pool_rows_forward(conv2, p1, p2, argmax, scratch);
    conv_pool_rows_backward(conv2, p1, argmax, dp2, dvalue, dsum, scratch);
    benchmark::DoNotOptimize(dvalue.data());
  }
  state.counters["rows/image"] = static_cast<double>(p1.rows()) / static_cast<double>(N);
  set_rate(state, 3 * conv2d_forward_flops(N, 14, 14, 5, 5, 16, 16));
}
BENCHMARK(BM_Conv2FusedForwardBackward)->Arg(200)->Arg(800)->Repetitions(7)->ReportAggregatesOnly(true)->Unit(benchmark::kMillisecond);

// The first convolution (5x5, 1 -> 16 on 28x28 line images), forward, dW
// and db, through the sparse path (as training runs it) and the dense path.
void BM_Conv1ForwardBackward(benchmark::State& state) {
  openblas_set_num_threads(1);
  const std::size_t N = static_cast<std::size_t>(state.range(0));
  const ConvInput mode = state.range(1) ? ConvInput::kSparse : ConvInput::kDense;
  Engine rng(1);
  Conv2d<float> layer = conv2d_init<float>(5, 5, 1, 16, rng);
  LineTupleBatch<float> batch;
  sample_line_tuples(N, LineTupleSpec{1}, rng, batch);
  xt::xtensor<float, 4> y, dy = xt::xtensor<float, 4>::from_shape({N, 28, 28, 16});
  for (float& v : dy.storage()) v = static_cast<float>(uniform(rng, -1, 1));
  Conv2dScratch<float> scratch;
  conv2d_forward(layer, batch.images, y, scratch, mode);
  for (auto _ : state) {
    conv2d_forward(layer, batch.images, y, scratch, mode);
    conv2d_backward(layer, batch.images, dy, nullptr, scratch, mode);
    benchmark::DoNotOptimize(layer.dW.data());
  }
  state.SetLabel(mode == ConvInput::kSparse ? "sparse" : "dense");
  set_rate(state, 2 * conv2d_forward_flops(N, 28, 28, 5, 5, 1, 16));
}
BENCHMARK(BM_Conv1ForwardBackward)
    ->ArgsProduct({{200, 800}, {0, 1}})
    ->ArgNames({"N", "sparse"})
    ->Repetitions(7)
    ->ReportAggregatesOnly(true)
    ->Unit(benchmark::kMillisecond);

// Raw cblas_sgemm, C[M, N] = A[M, K] B[K, N]: the shape of the second
// convolution's GEMM (M = 200*196 pixels in chunks of 5 images = 980 rows,
// N = K = 80), the narrow shape of a plain im2col (K = 400, N = 16), and
// square 2048^3, the machine's sgemm peak.
void BM_Sgemm(benchmark::State& state) {
  openblas_set_num_threads(1);
  const int M = static_cast<int>(state.range(0)), N = static_cast<int>(state.range(1)),
            K = static_cast<int>(state.range(2)), calls = static_cast<int>(state.range(3));
  std::vector<float> A(static_cast<std::size_t>(M) * K * calls, 0.5f), B(static_cast<std::size_t>(K) * N, 0.25f),
      C(static_cast<std::size_t>(M) * N * calls);
  for (auto _ : state) {
    for (int c = 0; c < calls; ++c) {
      cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, M, N, K, 1.0f,
                  A.data() + static_cast<std::size_t>(c) * M * K, K, B.data(), N, 0.0f,
                  C.data() + static_cast<std::size_t>(c) * M * N, N);
    }
    benchmark::DoNotOptimize(C.data());
  }
  set_rate(state, 2.0 * M * N * K * calls);
}
BENCHMARK(BM_Sgemm)
    ->Args({980, 80, 80, 40})
    ->Args({980, 16, 400, 40})
    ->Args({2048, 2048, 2048, 1})
    ->ArgNames({"M", "N", "K", "calls"})
    ->Repetitions(7)
    ->ReportAggregatesOnly(true)
    ->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace fgbdl

// main(): //tools:bench_main (Google Benchmark's, with every flag checked first).
