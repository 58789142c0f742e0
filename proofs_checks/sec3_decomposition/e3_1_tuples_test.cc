// E3.1 of the paper (Section 3.1, Figure 3) at reduced scale: with the
// paper's networks N1, N2, hinge losses and Adam (lr 1e-3, beta1 0.9,
// beta2 0.99, eps 1e-5), training with decomposition (tuple hinge + mean
// image hinge) learns the parity of k line-image orientations for
// k = 1, 2, 3, 4, while end-to-end training (tuple hinge only) learns k = 1
// and stays at chance for k = 4 within the budget in which decomposition
// learns k = 4.
//
// Scale (the paper: batch 200, decomposition 2 500 and end-to-end 20 000
// steps, 2 000 held-out tuples): batch 50 tuples, 500 held-out tuples,
// seed 1; steps per run below. The accuracy compared is the tuple accuracy
// of N2 on the 500 held-out tuples after the last step (sd <= 0.022).
// Measured with //experiments/sec3_decomposition:e3_1_tuples (same code;
// --batch=50 --eval_tuples=500 --eval_every=50) on seeds 1..10, with
// OpenBLAS choosing its kernel for the machine as under `bazel test`
// (Cooperlake on the development machine):
//   dec k=1, 200 steps: 0.916 .. 0.962  (seed 1: 0.934)
//   dec k=2, 400 steps: 0.892 .. 0.944  (seed 1: 0.904)
//   dec k=3, 600 steps: 0.872 .. 0.908  (seed 1: 0.904)
//   dec k=4, 600 steps: 0.732 .. 0.858  (seed 1: 0.744)
//   e2e k=1, 300 steps: 0.922 .. 0.964  (seed 1: 0.948)
//   e2e k=4, 600 steps: 0.454 .. 0.530  (seed 1: 0.530); the network
//     predicts one class for most of the run (the held-out set is 45-53%
//     of one label).
// k = 4 decomposition is bounded by the data: about 4% of single images
// are ambiguous (near-vertical or near-horizontal segments look alike for
// theta near 0 and pi, or just below and above pi/2), so a perfect image
// classifier has image accuracy ~0.96 and tuple accuracy
// (1 + (2 * 0.96 - 1)^4) / 2 ~ 0.86 at k = 4 (measured dec plateau: 0.80-0.86).
// Thresholds: "learns" >= 0.85 for k <= 2 and e2e k = 1, >= 0.8 for k = 3,
// >= 0.65 for k = 4; "chance" <= 0.6. Smallest margins over seeds 1..10:
// 0.066 (dec k=1), 0.042 (dec k=2), 0.072 (dec k=3), 0.082 (dec k=4),
// 0.072 (e2e k=1), 0.070 (e2e k=4).
// Flake budget: the seed is fixed, so the test is deterministic on a given
// machine and OpenBLAS kernel; the trajectories depend on BLAS rounding, so
// another CPU (another OpenBLAS kernel) behaves like another seed: over
// seeds 1..10 every check passed (60 of 60) with the machine's kernel and
// again with OPENBLAS_CORETYPE=Haswell (60 of 60, smallest margin 0.042),
// the thinnest margin being 0.042 (dec k=2, about 2 sd of the 500-tuple
// held-out estimate).
#include <cstdint>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "experiments/sec3_decomposition/tuple_training.h"
#include "gtest/gtest.h"

namespace fgbdl {
namespace {

struct Case {
  int k;
  TupleApproach approach;
  std::int64_t steps;
  double min_accuracy;  // "learns": at least this
  double max_accuracy;  // "chance": at most this
};

double final_accuracy(const Case& c, std::uint64_t seed) {
  TupleSettings s;
  s.k = c.k;
  s.approach = c.approach;
  s.steps = c.steps;
  s.batch = 50;
  s.eval_tuples = 500;
  s.eval_every = 50;
  const TupleTrainingResult r = train_tuples(s, seed, {});
  EXPECT_FALSE(r.status.diverged) << "k=" << c.k << " " << to_string(c.approach);
  return r.metrics.rows().back()[1];
}

TEST(E3_1, DecompositionLearnsEveryKEndToEndOnlyKOne) {
  const Case cases[] = {
      {1, TupleApproach::kDecomposition, 200, 0.85, 1.0},
      {2, TupleApproach::kDecomposition, 400, 0.85, 1.0},
      {3, TupleApproach::kDecomposition, 600, 0.80, 1.0},
      {4, TupleApproach::kDecomposition, 600, 0.65, 1.0},
      {1, TupleApproach::kEndToEnd, 300, 0.85, 1.0},
      {4, TupleApproach::kEndToEnd, 600, 0.0, 0.60},
  };
  std::string measured;
  for (const Case& c : cases) {
    const double acc = final_accuracy(c, 1);
    measured += absl::StrFormat("k=%d %s %d steps: %.3f; ", c.k, to_string(c.approach), c.steps, acc);
    EXPECT_GE(acc, c.min_accuracy) << "k=" << c.k << " " << to_string(c.approach) << " did not learn";
    EXPECT_LE(acc, c.max_accuracy) << "k=" << c.k << " " << to_string(c.approach) << " is above chance";
  }
  RecordProperty("measured", absl::StrCat("held-out tuple accuracy (batch 50, seed 1) ", measured));
}

}  // namespace
}  // namespace fgbdl
