// X1 (paper/ext_sharing.md), after Shalev-Shwartz, Shamir and Shammah,
// "Weight sharing is crucial to successful optimization" (2017): without
// weight sharing, gradient training essentially learns only the low
// frequencies of the target and fails on mid and high ones; with weight
// sharing it learns them, coarse to fine; and a low-frequency component is
// necessary even with sharing.
//
// Each case runs the experiment library of //experiments/ext_sharing:x1_sharing
// at its default settings (k = 6 patches of d = 8, 4 filters, hidden width
// 64, Adam 1e-3, batch 64, 20 000 steps, 16 384 held-out samples) on fixed
// seeds 1..3: deterministic, no flake budget beyond the choice of seeds.
// Errors are stated as fractions of the target's energy in the band (the
// error of learning nothing there). Bounds measured over seeds 1..6 are
// stated next to them.
#include <cstdint>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "experiments/ext_sharing/sharing_training.h"
#include "gtest/gtest.h"
#include "lib/io/results.h"
#include "proofs_checks/verdict.h"

namespace fgbdl {
namespace {

constexpr std::uint64_t kSeeds = 3;

struct SharingRun {
  Table t;
  // Column `name` at row r (the last row by default).
  double at(const std::string& name, std::size_t r) const {
    const auto& cols = t.columns();
    for (std::size_t c = 0; c < cols.size(); ++c)
      if (cols[c] == name) return t.rows()[r][c];
    ADD_FAILURE() << "no column " << name;
    return 0;
  }
  double last(const std::string& name) const { return at(name, t.rows().size() - 1); }
  // The band error of `net` ("shared", "unshared") in `band` over the
  // target's energy there, at the last row.
  double fraction(const std::string& net, const std::string& band) const {
    return last(net + "_" + band) / last("target_" + band);
  }
  // The first evaluated step at which net's band error is at most `f` of the
  // target's energy there; -1 if never.
  double first_step_below(const std::string& net, const std::string& band, double f) const {
    for (std::size_t r = 0; r < t.rows().size(); ++r)
      if (at(net + "_" + band, r) <= f * at("target_" + band, r)) return at("step", r);
    return -1;
  }
};

SharingRun run(const std::string& target, std::uint64_t seed) {
  SharingSettings s;
  if (target == "mixed") {
    s.low = s.mid = s.high = 1;
  } else {  // high_only
    s.low = s.mid = 0;
    s.high = 1;
  }
  RunStatus status;
  SharingRun r{sharing_run(s, seed, status)};
  EXPECT_FALSE(status.diverged) << target << " seed " << seed;
  return r;
}

// On y = (z_1 + z_1 z_2 z_3 + z_1 ... z_6) / sqrt(3): the shared network's
// high-band error ends at most 0.75 of the target's high energy on every
// seed (measured 0.14 to 0.58), the unshared network's at least 0.9
// (measured 0.946 to 1.042: nothing learned there); and the shared network
// learns coarse to fine: its low band gets below 3/4 of the target's low
// energy no later than its mid band does, and the mid band strictly before
// the high band (measured at steps 1000, 1000 to 2000, and 9000 to 13 000).
TEST(X1, WithSharingTheHighFrequencyIsLearnedCoarseToFineWithoutSharingItIsNot) {
  std::string stat;
  for (std::uint64_t seed = 1; seed <= kSeeds; ++seed) {
    const SharingRun r = run("mixed", seed);
    const double shared_high = r.fraction("shared", "high"),
                 unshared_high = r.fraction("unshared", "high");
    const double t_low = r.first_step_below("shared", "low", 0.75),
                 t_mid = r.first_step_below("shared", "mid", 0.75),
                 t_high = r.first_step_below("shared", "high", 0.75);
    absl::StrAppendFormat(&stat,
                          "%sseed %d: high band error / energy shared %.3f, unshared %.3f; shared "
                          "below 3/4 from steps %g (low), %g (mid), %g (high)",
                          seed == 1 ? "" : "; ", seed, shared_high, unshared_high, t_low, t_mid,
                          t_high);
    EXPECT_LE(shared_high, 0.75) << "seed " << seed;
    EXPECT_GE(unshared_high, 0.9) << "seed " << seed;
    EXPECT_GE(t_low, 0) << "seed " << seed;
    EXPECT_GE(t_mid, t_low) << "seed " << seed;
    EXPECT_GT(t_high, t_mid) << "seed " << seed;
  }
  RecordProperty("measured", stat);
  record_verdict("X1", ClaimState::kVerified, stat);
}

// "Fails on mid frequencies" does not hold here: on the same runs the
// unshared network learns the mid character z_1 z_2 z_3 (degree 3) as well as
// the shared one, to at most 0.05 of its energy on every seed (measured
// 0.0055 to 0.0086; the shared network 0.020 to 0.076). One run is an exact
// counterexample; the corrected statement checked: without sharing the mid
// character that shares a patch with the low one is learned, the high one
// is not (at least 0.9 of its energy left, as above).
TEST(X1, WithoutSharingTheMidFrequencyIsLearnedAnyway) {
  std::string stat;
  for (std::uint64_t seed = 1; seed <= kSeeds; ++seed) {
    const SharingRun r = run("mixed", seed);
    const double unshared_mid = r.fraction("unshared", "mid"),
                 unshared_high = r.fraction("unshared", "high");
    absl::StrAppendFormat(&stat,
                          "%sseed %d: unshared mid band error / energy %.4f (high %.3f), from %.3f",
                          seed == 1 ? "" : "; ", seed, unshared_mid, unshared_high,
                          r.at("unshared_mid", 0) / r.at("target_mid", 0));
    EXPECT_LE(unshared_mid, 0.05) << "seed " << seed;
    EXPECT_GE(unshared_high, 0.9) << "seed " << seed;
  }
  RecordProperty("measured", stat);
  record_verdict("X1-MID", ClaimState::kRefuted, stat);
}

// A low-frequency component is necessary: on y = z_1 ... z_6 alone, neither
// network learns anything: both end with at least 0.97 of the target's
// energy (measured 0.9999 to 1.0003 over seeds 1..6) and no better than the
// zero function in mean squared error (at least 0.97 of the target's
// variance).
TEST(X1, WithoutALowFrequencyNeitherNetworkLearnsTheHighFrequency) {
  std::string stat;
  for (std::uint64_t seed = 1; seed <= kSeeds; ++seed) {
    const SharingRun r = run("high_only", seed);
    const double shared = r.fraction("shared", "high"), unshared = r.fraction("unshared", "high");
    absl::StrAppendFormat(&stat, "%sseed %d: high band error / energy shared %.4f, unshared %.4f",
                          seed == 1 ? "" : "; ", seed, shared, unshared);
    EXPECT_GE(shared, 0.97) << "seed " << seed;
    EXPECT_GE(unshared, 0.97) << "seed " << seed;
    EXPECT_GE(r.last("shared_mse"), 0.97 * r.last("target_high")) << "seed " << seed;
  }
  RecordProperty("measured", stat);
  record_verdict("X1-LOW", ClaimState::kVerified, stat);
}

}  // namespace
}  // namespace fgbdl
