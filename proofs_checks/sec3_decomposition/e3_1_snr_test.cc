// E3.1-SNR (paper Section 3.1, Figure 5; paper/sec3_decomposition.md E3.1-SNR): at random
// initialization of the E3.1 networks, the signal-to-noise ratio of the
// gradient of N1's last layer (its weights W) falls with the tuple size k
// for the end-to-end loss, and for k >= 3 lies below float32 precision,
// while for decomposition it does not fall. float64 throughout; estimators
// in experiments/sec3_decomposition/e3_1_snr_lib.h.
//
// What this file checks:
//  1. The per-sample shortcut g = sum_j dL/dscore_j [a4_j, 1] equals the
//     backpropagated gradient of the score layer (tuple_loss_and_gradients
//     + score_layer_gradient) on single-tuple batches, both losses, both
//     hinge regimes (property).
//  2. The exact-integration estimate of E g_e2e equals the complete
//     U-statistic, the mean of g_e2e over all combinations of one image per
//     slot, computed by brute force (property); and is insensitive to its
//     binning on real images.
//  3. The claim at reduced scale (2 initializations, 2^16 images each,
//     k = 1..6): fitted log2 rate of the end-to-end snr per unit k negative
//     with its 95% interval below 0; the decomposition snr does not fall
//     (it grows exactly like k, see below); for k >= 3 the end-to-end snr
//     is below 2^-23 times the decomposition snr; the script's formula
//     reads its own bias (~1/N) instead.
//
// Statistical checks run on the fixed seeds below (deterministic); the flake
// budget quoted with each is the chance that a *different* seed fails it,
// estimated from the measured margins.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

#include "experiments/sec3_decomposition/e3_1_snr_lib.h"
#include "experiments/sec3_decomposition/tuple_network.h"
#include "gtest/gtest.h"
#include "lib/analysis/fit.h"
#include "lib/core/rng.h"
#include "lib/data/line_images.h"
#include "lib/nn/dense.h"
#include "rapidcheck.h"
#include "rapidcheck/gtest.h"

namespace fgbdl {
namespace {

double max_abs_diff(const double* a, const double* b, std::size_t n) {
  double m = 0;
  for (std::size_t i = 0; i < n; ++i) m = std::max(m, std::fabs(a[i] - b[i]));
  return m;
}

double max_abs(const double* a, std::size_t n) {
  double m = 0;
  for (std::size_t i = 0; i < n; ++i) m = std::max(m, std::fabs(a[i]));
  return m;
}

RC_GTEST_PROP(E3_1_Snr, PerSampleShortcutEqualsBackpropOfTheScoreLayer, ()) {
  const int k = *rc::gen::resize(100, rc::gen::inRange(1, 7));
  Engine rng = derive_engine(*rc::gen::arbitrary<std::uint64_t>(), 7);
  TupleNetwork<double> net = tuple_network_init<double>(k, ConvInitRule::kFanIn, rng);
  // Push N2's output past +-1 (tuple hinge off for one label) and the
  // scores past +-1 (image hinges off) in some cases.
  const double out_shift = *rc::gen::element(0.0, 1.5, -1.5);
  const double score_scale = *rc::gen::element(1.0, 30.0);
  net.out.b(0) += out_shift;
  net.score.W *= score_scale;
  LineTupleSpec spec;
  spec.k = k;
  LineTupleBatch<double> batch;
  sample_line_tuples(1, spec, rng, batch);
  TupleWorkspace<double> ws;
  tuple_loss_and_gradients(net, batch, TupleApproach::kEndToEnd, ws);
  const xt::xtensor<double, 1> ref_e2e = score_layer_gradient(net);
  tuple_loss_and_gradients(net, batch, TupleApproach::kDecomposition, ws);
  const xt::xtensor<double, 1> ref_dec = score_layer_gradient(net);  // e2e + dec

  const ImagePool pool = image_pool_from_batch(net, batch);
  std::vector<std::size_t> idx(static_cast<std::size_t>(k));
  for (int j = 0; j < k; ++j) idx[static_cast<std::size_t>(j)] = static_cast<std::size_t>(j);
  N2Scratch scratch;
  ScoreVector g_e2e, g_dec, g_first;
  const double out = tuple_score_gradients(net, pool, idx.data(), batch.tuple_labels(0, 0),
                                           scratch, g_e2e.data(), g_dec.data(), g_first.data());
  ScoreVector g_sum;
  for (std::size_t p = 0; p < kScoreParams; ++p) g_sum[p] = g_e2e[p] + g_dec[p];
  const double scale = 1.0 + max_abs(ref_dec.data(), kScoreParams);
  // Both in float64; they differ only in summation order (BLAS): measured
  // at most ~1e-16 relative.
  RC_ASSERT(max_abs_diff(g_e2e.data(), ref_e2e.data(), kScoreParams) <= 1e-12 * scale);
  RC_ASSERT(max_abs_diff(g_sum.data(), ref_dec.data(), kScoreParams) <= 1e-12 * scale);
  RC_ASSERT(std::fabs(out - ws.out(0, 0)) <= 1e-12 * (1.0 + std::fabs(out)));
  // g_dec_first: the image hinge of image 0 alone, unscaled = k times its
  // share of g_dec when the other images' hinges are inactive; in general,
  // the same formula applied to a one-image network sharing N1.
  TupleNetwork<double> one = net;
  one.k = 1;
  one.mid = dense_init<double>(1, kMidWidth, rng);
  ScoreVector h_e2e, h_dec, h_first;
  tuple_score_gradients(one, pool, idx.data(), pool.label[0], scratch, h_e2e.data(),
                        h_dec.data(), h_first.data());
  RC_ASSERT(max_abs_diff(g_first.data(), h_dec.data(), kScoreParams) <= 1e-12 * scale);
  const double margin = batch.tuple_labels(0, 0) * out;
  RC_CLASSIFY(margin >= 1.0, "tuple hinge inactive");
  RC_CLASSIFY(score_scale > 1.0, "some image hinges inactive");
}

// Synthetic slots on which the binning is exact. sigmoid(score) takes
// values s0 + q delta, q in 0..kQ, slot 0 holding both ends (so every
// slot's range in q is a sub-range of [0, kQ] and the widest is kQ); every
// unit m has |Wmid_im| = c_m for all slots i, and
//   bmid_m = -c_m sum_i sign_im s0 - c_m delta (r_m + 1/2),  r_m integer.
// Then every position Wmid_im s falls on a bin centre of the estimator's
// grid (bin width c_m kQ delta / bins, kQ dividing bins), and
// z5_m = c_m delta (sum_i sign_im q_i - r_m - 1/2) is never closer to 0
// than c_m delta / 2 = 8 bins (bins = 1024, kQ = 64): no combination is
// classified differently from the exact threshold test, and the estimate
// equals the complete U-statistic up to floating-point rounding.
constexpr std::size_t kBinsExact = 1024;
constexpr int kQ = 64;

struct SlotPool {
  ImagePool pool;
  std::vector<std::vector<std::size_t>> pos, neg;
};

SlotPool grid_slots(TupleNetwork<double>& net, std::size_t per_slot, Engine& rng) {
  const std::size_t K = static_cast<std::size_t>(net.k), M = 2 * per_slot * K;
  const double s0 = 0.45, delta = 0.1 / kQ;
  SlotPool s;
  s.pool.a4 = xt::xtensor<double, 2>::from_shape({M, kFc2Width});
  s.pool.score.resize(M);
  s.pool.label.resize(M);
  s.pos.resize(K);
  s.neg.resize(K);
  for (std::size_t i = 0; i < M; ++i) {
    for (std::size_t p = 0; p < kFc2Width; ++p) s.pool.a4(i, p) = uniform01(rng);
    const std::size_t slot = i / (2 * per_slot), within = i % (2 * per_slot);
    const bool plus = within < per_slot;
    int q = static_cast<int>(uniform_index(rng, kQ + 1));
    if (slot == 0 && within == 0) q = 0;
    if (slot == 0 && within == per_slot) q = kQ;
    const double sv = s0 + q * delta;
    s.pool.score[i] = std::log(sv / (1.0 - sv));
    s.pool.label[i] = plus ? 1.0 : -1.0;
    (plus ? s.pos : s.neg)[slot].push_back(i);
  }
  for (std::size_t m = 0; m < kMidWidth; ++m) {
    const double c = std::fabs(net.mid.W(0, m)) + 1e-3;
    double sign_sum = 0;
    for (std::size_t i = 0; i < K; ++i) {
      const double sign = (rng() >> 63) ? 1.0 : -1.0;
      net.mid.W(i, m) = sign * c;
      sign_sum += sign;
    }
    const int r = static_cast<int>(uniform_index(rng, 2 * kQ + 1)) - kQ;
    net.mid.b(m) = -c * sign_sum * s0 - c * delta * (r + 0.5);
  }
  return s;
}

RC_GTEST_PROP(E3_1_Snr, ExactIntegrationEqualsTheCompleteUStatistic, ()) {
  // e2e_mean_by_integration against the brute-force mean of g_active =
  // g_e2e - g_e2e_off over all (2n)^k combinations of one image per slot
  // (tuple label +-prod_j y_j), on grid_slots: equal up to rounding. (The binning error on real images
  // is the next test's business.) Full-size generators: k and n uniform
  // over their ranges from the first case on.
  const int k = *rc::gen::resize(100, rc::gen::inRange(1, 5));
  const std::size_t n = *rc::gen::resize(100, rc::gen::inRange<std::size_t>(1, 4));
  Engine rng = derive_engine(*rc::gen::arbitrary<std::uint64_t>(), 8);
  TupleNetwork<double> net = tuple_network_init<double>(k, ConvInitRule::kFanIn, rng);
  const SlotPool s = grid_slots(net, n, rng);
  const double label_sign = *rc::gen::element(1.0, -1.0);
  // Push N2's output past +-1 on some combinations: g_active is still what
  // is integrated (the hinge's off part is the Monte Carlo correction's).
  const double out_shift = *rc::gen::element(0.0, 0.0, 1.0);
  net.out.b(0) += out_shift;
  const ScoreVector exact =
      e2e_mean_by_integration(net, s.pool, s.pos, s.neg, label_sign, kBinsExact);

  const std::size_t K = static_cast<std::size_t>(k), A = 2 * n;
  std::vector<std::vector<std::size_t>> atoms(K);
  for (std::size_t j = 0; j < K; ++j) {
    atoms[j] = s.pos[j];
    atoms[j].insert(atoms[j].end(), s.neg[j].begin(), s.neg[j].end());
  }
  std::size_t combos = 1;
  for (std::size_t j = 0; j < K; ++j) combos *= A;
  const double w = 1.0 / static_cast<double>(combos);
  ScoreVector brute{}, unsigned_sum{};
  N2Scratch scratch;
  ScoreVector g_e2e, g_dec, g_first, g_off;
  int off = 0;  // combinations with y out >= 1
  std::vector<std::size_t> idx(K);
  int switching = 0;  // units whose relu differs between combinations
  std::vector<int> seen_on(kMidWidth, 0), seen_off(kMidWidth, 0);
  for (std::size_t c = 0; c < combos; ++c) {
    double y = label_sign;
    for (std::size_t j = 0, rest = c; j < K; ++j, rest /= A) {
      idx[j] = atoms[j][rest % A];
      y *= s.pool.label[idx[j]];
    }
    const double out = tuple_score_gradients(net, s.pool, idx.data(), y, scratch, g_e2e.data(),
                                             g_dec.data(), g_first.data(), g_off.data());
    off += y * out >= 1.0;
    for (std::size_t m = 0; m < kMidWidth; ++m) (scratch.z5[m] > 0 ? seen_on : seen_off)[m] = 1;
    for (std::size_t p = 0; p < kScoreParams; ++p) {
      const double g_active = g_e2e[p] - g_off[p];
      brute[p] += w * g_active;
      unsigned_sum[p] += w * std::fabs(g_active);
    }
  }
  for (std::size_t m = 0; m < kMidWidth; ++m) switching += seen_on[m] && seen_off[m];
  for (std::size_t p = 0; p < kScoreParams; ++p) {
    // FFT rounding: measured at most 6.2e-16 of the unsigned sum.
    RC_ASSERT(std::fabs(exact[p] - brute[p]) <= 1e-12 * unsigned_sum[p]);
  }
  RC_CLASSIFY(k == 1, "k = 1 (no convolution)");
  RC_CLASSIFY(k >= 3, "k >= 3 (convolution of k - 1 >= 2 measures)");
  RC_CLASSIFY(switching >= 10, ">= 10 units switch between combinations");
  RC_CLASSIFY(off > 0, "the tuple hinge is off on some combinations");
}

TEST(E3_1_Snr, ExactIntegrationBinningErrorIsSmallAgainstItsSamplingError) {
  // Binning moves every image's position by at most half a bin: a
  // deterministic perturbation of the data far below the estimate's own
  // sampling error. Real images, k = 3 and 4, G = 4 disjoint groups of
  // 4096 images: the change from 4096 to 65536 bins, root mean square over
  // the groups, against the spread of the group estimates.
  const std::size_t kDefaultBins = SnrSettings().bins;
  Engine rng = derive_engine(11, 0);
  const TupleNetwork<double> base = tuple_network_init<double>(1, ConvInitRule::kFanIn, rng);
  constexpr std::size_t kGroups = 4, kGroupSize = 4096;
  const ImagePool pool = draw_image_pool(base, kGroups * kGroupSize, LineRasterizer::kPaper, rng);
  std::string measured;
  for (const int k : {3, 4}) {
    Engine net_rng = derive_engine(11, 0);
    const TupleNetwork<double> net = tuple_network_init<double>(k, ConvInitRule::kFanIn, net_rng);
    const std::size_t K = static_cast<std::size_t>(k);
    std::vector<ScoreVector> coarse(kGroups), fine(kGroups);
    for (std::size_t a = 0; a < kGroups; ++a) {
      std::vector<std::size_t> plus, minus;
      for (std::size_t i = a * kGroupSize; i < (a + 1) * kGroupSize; ++i)
        (pool.label[i] > 0 ? plus : minus).push_back(i);
      const std::size_t n = std::min(plus.size(), minus.size()) / K;
      std::vector<std::vector<std::size_t>> pos(K), neg(K);
      for (std::size_t j = 0; j < K; ++j) {
        pos[j].assign(plus.begin() + j * n, plus.begin() + (j + 1) * n);
        neg[j].assign(minus.begin() + j * n, minus.begin() + (j + 1) * n);
      }
      coarse[a] = e2e_mean_by_integration(net, pool, pos, neg, 1.0, kDefaultBins);
      fine[a] = e2e_mean_by_integration(net, pool, pos, neg, 1.0, 4 * kDefaultBins);
    }
    double change = 0, spread = 0;
    ScoreVector mean{};
    for (std::size_t a = 0; a < kGroups; ++a)
      for (std::size_t p = 0; p < kScoreParams; ++p) mean[p] += fine[a][p] / kGroups;
    for (std::size_t a = 0; a < kGroups; ++a) {
      for (std::size_t p = 0; p < kScoreParams; ++p) {
        change += (coarse[a][p] - fine[a][p]) * (coarse[a][p] - fine[a][p]) / kGroups;
        spread += (fine[a][p] - mean[p]) * (fine[a][p] - mean[p]) / (kGroups - 1);
      }
    }
    // The binning noise is part of each group's estimate, so the jackknife
    // over groups already counts it; it must stay a small part: below a
    // quarter of the spread (under 6% of the variance). Measured (seed 11):
    // 0.111 (k = 3) and 0.070 (k = 4) of the spread.
    EXPECT_GT(spread, 0.0);
    EXPECT_LT(std::sqrt(change), 0.25 * std::sqrt(spread)) << "k=" << k;
    char buf[160];
    std::snprintf(buf, sizeof buf, "k=%d: rms change %zu -> %zu bins / group spread = %.3g; ", k,
                  kDefaultBins, 4 * kDefaultBins, std::sqrt(change / spread));
    measured += buf;
  }
  RecordProperty("measured_binning", measured);
  std::printf("%s\n", measured.c_str());
}

TEST(E3_1_Snr, CheckpointRestoresTheEstimatesExactly) {
  SnrSettings s;
  s.ks = {1, 3};
  s.inits = 2;
  s.groups = 3;
  s.pool = 16 * 3 * 3;
  s.tuples = 600;
  s.tuples_script = 300;
  std::vector<std::vector<InitSnr>> runs;
  for (int init = 0; init < s.inits; ++init) runs.push_back(snr_one_init(s, 5, init));
  const std::string text = snr_checkpoint_text(s, 5, runs);
  const auto back = parse_snr_checkpoint(text, s, 5);
  EXPECT_EQ(snr_checkpoint_text(s, 5, back), text);
  EXPECT_EQ(snr_table(s, back).to_csv(), snr_table(s, runs).to_csv());
  EXPECT_THROW(parse_snr_checkpoint(text, s, 6), std::invalid_argument);  // other seed
  SnrSettings other = s;
  other.pool += 1;
  EXPECT_THROW(parse_snr_checkpoint(text, other, 5), std::invalid_argument);
  EXPECT_THROW(parse_snr_checkpoint(text.substr(0, text.size() - 20), s, 5),
               std::invalid_argument);  // a cut line
}

// The claim at reduced scale (the e3_1_snr binary's quick profile has 4
// initializations and 2^20 tuples).
SnrSettings claim_settings() {
  SnrSettings s;
  s.ks = {1, 2, 3, 4, 5, 6};
  s.inits = 2;
  s.pool = 1 << 16;
  s.tuples = 1 << 17;
  s.tuples_script = 1 << 17;
  s.groups = 8;
  return s;
}

constexpr std::uint64_t kClaimSeed = 1;

TEST(E3_1_Snr, EndToEndSnrFallsWithKBelowFloat32AndDecompositionDoesNot) {
  const SnrSettings s = claim_settings();
  std::vector<std::vector<InitSnr>> per_init;
  for (int init = 0; init < s.inits; ++init) per_init.push_back(snr_one_init(s, kClaimSeed, init));
  const Table table = snr_table(s, per_init);
  // The two end-to-end estimators agree where Monte Carlo resolves
  // anything (k = 1) or bounds it (k = 2): within 3 combined standard
  // errors. Measured |difference| / combined se (seed 1): 0.55 and 0.50
  // at k = 1, 1.28 and 0.28 at k = 2.
  std::string measured_mc;
  for (const auto& init : per_init) {
    for (std::size_t i = 0; i < 2; ++i) {
      const InitSnr& r = init[i];
      const double z = std::fabs(r.e2e.snr - r.e2e_mc.snr) / std::hypot(r.e2e.snr_se, r.e2e_mc.snr_se);
      EXPECT_LE(z, 3.0) << "k=" << r.k << ": exact " << r.e2e.snr << " mc " << r.e2e_mc.snr;
      measured_mc += "k=" + std::to_string(r.k) + " z=" + std::to_string(z) + "; ";
    }
  }
  RecordProperty("measured_mc", measured_mc);
  std::printf("exact vs monte carlo: %s\n", measured_mc.c_str());
  const auto& cols = table.columns();
  auto col = [&cols](const std::string& name) {
    const auto it = std::find(cols.begin(), cols.end(), name);
    EXPECT_NE(it, cols.end()) << name;
    return static_cast<std::size_t>(it - cols.begin());
  };
  ASSERT_EQ(std::vector<std::string>(cols.begin(), cols.begin() + 5),
            (std::vector<std::string>{"k", "snr_e2e", "snr_dec", "snr_e2e_script", "snr_dec_script"}));
  const std::size_t c_e2e = col("snr_e2e"), c_dec = col("snr_dec"), c_e2e_se = col("snr_e2e_se"),
                    c_e2e_jack = col("snr_e2e_jack_se"), c_e2e_s = col("snr_e2e_script"),
                    c_dec_s = col("snr_dec_script"), c_off = col("hinge_off");
  std::vector<double> ks, e2e, dec, dec_script, e2e_upper;
  std::string measured;
  for (const auto& row : table.rows()) {
    // Upper 97.5% bound of the mean over inits: with 2 inits the spread has
    // 1 degree of freedom, so the larger of it and the jackknife (7 d.o.f.),
    // times 3.
    e2e_upper.push_back(std::max(row[c_e2e], 0.0) + 3.0 * std::max(row[c_e2e_se], row[c_e2e_jack]));
    if (row[c_e2e] > 0) {  // the fit needs logs; unresolved k may come out <= 0
      ks.push_back(row[0]);
      e2e.push_back(row[c_e2e]);
    }
    dec.push_back(row[c_dec]);
    dec_script.push_back(row[c_dec_s]);
    char buf[200];
    std::snprintf(buf, sizeof buf,
                  "k=%g: e2e %.3g (+-%.2g) dec %.3g, script e2e %.3g dec %.3g, hinge off %.2g; ",
                  row[0], row[c_e2e], std::max(row[c_e2e_se], row[c_e2e_jack]), row[c_dec],
                  row[c_e2e_s], row[c_dec_s], row[c_off]);
    measured += buf;
  }
  std::vector<double> all_k(s.ks.begin(), s.ks.end());

  // Margins below: measured with kClaimSeed = 1 and, for the flake
  // budget, with seeds 2..5 through the e3_1_snr binary at these settings
  // (--inits=2 --pool=65536 --tuples=131072 --tuples_script=131072). Every
  // check passed for all five seeds; the smallest margin of each is quoted.

  // End-to-end: the fitted log2 rate per unit k is negative with its 95%
  // interval below 0. Measured: -11.1 [-13.4, -8.8] bits per k (seed 1);
  // upper ends -6.3 .. -11.4 over seeds 2..5.
  ASSERT_GE(ks.size(), 3u);
  const LineFit fit_e2e = fit_log2_line(ks, e2e);
  EXPECT_LT(fit_e2e.ci_high, 0.0) << fit_e2e.to_string();
  // Decomposition (the paper's: all k images): snr_dec(k) = k snr_dec(1)
  // exactly in expectation (the image terms of a tuple are i.i.d.: signal
  // ||E h||^2, noise Var(h) / k), and the estimates share the per-image
  // means, so the ratio is tight: measured within 0.3% (seeds 1..5).
  for (std::size_t i = 0; i < dec.size(); ++i) {
    EXPECT_NEAR(dec[i] / (all_k[i] * dec[0]), 1.0, 0.03) << "k=" << all_k[i];
  }
  // Does not fall: it grows like log2 k (fitted slope ~0.49 over k = 1..6,
  // interval [0.31, 0.67]).
  const LineFit fit_dec = fit_log2_line(all_k, dec);
  EXPECT_GT(fit_dec.ci_low, 0.0) << fit_dec.to_string();
  // The script's decomposition (first image only) does not depend on k at
  // all: its rate is 0 up to sampling noise. Measured -0.016 with a 95%
  // half-width of 0.036 (seed 1), |rate| <= 0.026 (seeds 2..5); the bound
  // 0.1 is ~7 standard errors.
  const LineFit fit_dec_script = fit_log2_line(all_k, dec_script);
  EXPECT_LT(std::fabs(fit_dec_script.rate), 0.1) << fit_dec_script.to_string();

  // Float32: for k >= 3 the end-to-end snr (its upper bound) is below
  // 2^-23 times the decomposition snr, and below 2^-23 itself. Measured:
  // upper bound / (2^-23 snr_dec) <= 0.017 (seed 1), <= 0.074 (seeds 2..5),
  // reached at k = 3. (At k = 2 the ratio is 3 to 55 times 2^-23 over seeds
  // 1..5, so the paper's "k >= 3" is where it crosses; the snr itself is
  // below 2^-23 already at k = 2, by 2.4 to 60 times.)
  const double eps32 = std::ldexp(1.0, -23);
  for (std::size_t i = 0; i < all_k.size(); ++i) {
    if (all_k[i] >= 3) {
      EXPECT_LT(e2e_upper[i], eps32 * dec[i]) << "k=" << all_k[i];
      EXPECT_LT(e2e_upper[i], eps32) << "k=" << all_k[i];
    }
  }

  // The script's end-to-end estimate cannot see any of this: its
  // ||mean g_b||^2 carries a bias Var / N, N its tuples, so it reads about
  // 1/N (measured 0.4/N .. 4/N for k >= 2, N = 2^17): for k >= 3 at least
  // 10^3 times the upper bound of the snr (measured >= 1.8e5 times, seeds
  // 1..5; at k = 2, 127 to 5900 times).
  for (std::size_t i = 0; i < table.rows().size(); ++i) {
    const auto& row = table.rows()[i];
    if (row[0] >= 3) {
      EXPECT_GT(row[c_e2e_s], 1e3 * e2e_upper[i]) << "k=" << row[0];
    }
  }

  char rates[400];
  std::snprintf(rates, sizeof rates,
                "log2 rate per k: e2e %s; dec %s; dec_script %s",
                fit_e2e.to_string().c_str(), fit_dec.to_string().c_str(),
                fit_dec_script.to_string().c_str());
  RecordProperty("measured", measured + rates);
  std::printf("%s\n%s\n", measured.c_str(), rates);
}

}  // namespace
}  // namespace fgbdl
