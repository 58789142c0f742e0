// The signal-to-noise ratio of the gradient at random initialization, for
// the weights of N1's last layer in the tuple experiment: the paper's
// Section 3.1, Figure 5 (E3.1-SNR in paper/sec3_decomposition.md), in float64.
//
// Parameters: N1's last layer "score" (dense 100 -> 1), theta = [W (100), b].
// The headline columns use W only: the paper speaks of "the weights of the
// last layer of N1" and the script differentiates 'score/weights' alone;
// the *_with_bias columns use all 101 (the bias coordinate adds noise of
// order P(hinge active) ~ 1 and almost no signal: about 6x lower snr).
// For one tuple of k images with N1 activations a4_j (100, after fc2's
// ReLU) and scores score_j = W . a4_j + b, the gradient of any loss
// L(score_1..score_k) is
//   g = sum_j dL/dscore_j [a4_j, 1]                                     (1)
// so per-sample gradients need N1 forward once per image and N2 forward and
// backward per tuple, never N1's backward pass. (1) is checked against
// tuple_loss_and_gradients + score_layer_gradient on single-tuple batches
// in proofs_checks/sec3_decomposition/e3_1_snr_test.cc.
//
// Losses (one tuple; y_j image labels, y the tuple label):
//   e2e:            [1 - y out]_+                     (the tuple hinge)
//   dec:            (1/k) sum_j [1 - y_j score_j]_+    (every image: the paper;
//                                                      its snr is exactly k
//                                                      times that of k = 1:
//                                                      signal ||E h||^2,
//                                                      noise Var(h) / k)
//   dec_script:     [1 - y_1 score_1]_+                (first image only: the
//                                                      script tuple_rect_SNR.py)
//   dec_objective:  e2e + dec                          (the E3.1 training
//                                                      objective; extra column)
//
// Two definitions of the snr (paper/sec3_decomposition.md: E3.1-SNR and its differences table):
//   paper:  g per tuple; signal = ||E g||^2, noise = E ||g - E g||^2,
//           snr = signal / noise.
//   script: g_b = mean gradient of a batch of B = batch_script tuples, nb
//           batches, gbar = mean_b g_b;
//             signal = ||gbar||^2,
//             noise  = B * mean_b ||g_b||^2 - signal^2.
//           The factor B rescales a batch variance to a single-sample one,
//           but the script subtracts signal^2 (the square of a squared norm)
//           where B * signal was due:
//             E noise = Var_single + B ||E g||^2 - E[signal^2],
//           so its snr saturates near 1/B once the true snr approaches 1/B;
//           and ||gbar||^2 is biased upward by Var_single / (nb B), so its
//           snr cannot fall below about 1 / (nb B), the number of tuples it
//           used (the script's N = 500 000). Reproduced as is.
//
// Estimation, one initialization. A pool of M i.i.d. images goes through N1
// once (N1 is the same network for every k of one initialization, as in the
// script, so the pool serves every k) and is split into G groups. Each
// group yields one estimate of E g and of the second moments:
//  * Monte Carlo (every loss): T/G tuples of k *distinct* images of the
//    group (walking random permutations of it, k images at a time,
//    reshuffling when fewer than k remain). Each tuple is exactly a tuple of
//    k i.i.d. images; tuples share images (an incomplete U-statistic).
//  * Exact integration (the end-to-end mean, the paper's definition). At
//    initialization the image scores are tiny (|score| < ~0.3), so
//    |out| < 1 on every tuple and the tuple hinge is always active; then
//      g_e2e = -y sum_j u_j sum_m Wout_m Wmid_jm 1[z5_m > 0],
//      u_j = sigmoid'(score_j) [a4_j, 1],  z5_m = bmid_m + sum_i Wmid_im s_i,
//    and, the images being independent with y = prod_i y_i,
//      E g_e2e = -sum_j E[ y_j u_j kappa_j(s_j) ],
//      kappa_j(s) = sum_m Wout_m Wmid_jm G_mj(-bmid_m - Wmid_jm s),
//      G_mj(tau) = E[ prod_{i != j} y_i 1[sum_{i != j} Wmid_im s_i > tau] ]:
//    the tail of the convolution of the k-1 signed measures
//    nu_i = E[y delta(Wmid_im s)], one per other slot. Within a group the
//    images are split into k slot parts with equally many images of each
//    label (stratified: P(y = +1) = 1/2 exactly, so nu's mass is exactly
//    0), the nu_i are binned on a common grid (4096 bins over the widest
//    slot's range: a position error of at most h/2 per slot), convolved by
//    FFT, and kappa_j is evaluated at every image of part j. This is the
//    complete U-statistic over all combinations of one image per part (no
//    Monte Carlo over tuples at all), unbiased up to the binning; the Monte
//    Carlo estimate cannot resolve the end-to-end signal beyond k = 1 (see
//    below). The integration treats the tuple hinge as active on every
//    combination (g_active, dL/dout = -y); where it is not (y out >= 1),
//    g_e2e = 0 = g_active + g_off with g_off = -g_active, and the mean of
//    g_off, non-zero only on those tuples, is added by Monte Carlo over the
//    group's tuples (hinge_off in the table: the fraction of tuples whose
//    hinge is off).
// With the G independent group estimates m_a of E g:
//   signal = sum_{a != b} m_a . m_b / (G (G - 1))   (unbiased, may be < 0)
//   second = mean over all tuples of ||g||^2         (unbiased)
//   noise  = second - signal,  snr = signal / noise,
// and the standard error of one initialization's snr is the jackknife over
// the G groups (including the pool's share of the variance).
//
// Sample sizes. With Sigma the covariance of one group's estimate of E g,
// the standard deviation of the signal estimate is about
// sqrt(2 tr(Sigma^2) / (G (G - 1))) <= sqrt(2) tr(Sigma) / G (plus
// 2 sqrt(m' Sigma m / G) once the signal is resolved).
//  * Monte Carlo over T tuples: tr(Sigma) = G Var(g) / T, so the snr is
//    resolved only down to about sqrt(2) / T: T = 2^21 (paper) resolves
//    k = 1 (snr 3e-4 .. 3e-3) and bounds k = 2 at ~7e-7, while the exact
//    value there is ~1e-9 and falls ~12 bits per unit k: no affordable T
//    reaches k >= 2 (each further factor 4 in T costs 4x the time and
//    lowers the bound by 4, not the 2^12 per unit k needed), hence the
//    exact integration of the end-to-end mean. Monte Carlo still gives
//    every second moment (relative error ~1/sqrt(T) ~ 1e-3), the
//    decomposition and script estimates, and the e2e_mc cross-check. T
//    need not exceed the pool: tuples reuse images (each image enters
//    about T k / M tuples), which the group split and the jackknife
//    account for.
//  * Decomposition is a mean over images, tr(Sigma) ~ G Var(h) / M: M must
//    exceed 1 / snr_dec(1) (~3e2 .. 3e3) by far. Measured standard error of
//    one initialization's snr_dec: ~5% at M = 2^16 (quick), 2% at 2^20
//    (paper).
//  * Exact e2e: the error is that of the k estimated signed measures,
//    relative ~1 / (rho sqrt(n)) each, n = M / (2 G k) images per label and
//    slot, rho ~ 0.02 the label-score correlation at initialization.
//    Measured (paper profile, M = 2^20, 8 initializations): each init's
//    estimate exceeds twice its standard error for all 8 inits at k <= 3,
//    6 of 8 at k = 4, 5 and 4 of 8 at k = 6 (relative errors ~3-12% at
//    k = 2); at M = 2^16 (quick), k <= 2 resolved and k >= 3 mostly upper
//    bounds.
// The binning adds noise of ~10% of the sampling standard deviation (1% of
// the variance; measured in the test), which the jackknife includes.
//
// Across initializations the snr is averaged (the mean of the per-init
// snr), as the script does (np.mean over its estimates) and as the paper
// states: the snr is scale-free, while signal and noise scale with the
// square of each initialization's gradient size (||a4||, N2's weights), so
// averaging them apart would let the initializations with the largest
// gradients decide. The means of signal and noise are reported too.
#ifndef EXPERIMENTS_SEC3_DECOMPOSITION_E3_1_SNR_LIB_H_
#define EXPERIMENTS_SEC3_DECOMPOSITION_E3_1_SNR_LIB_H_

#include <array>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>
#include <xtensor/xtensor.hpp>

#include "experiments/sec3_decomposition/tuple_network.h"
#include "lib/core/rng.h"
#include "lib/data/line_images.h"
#include "lib/io/results.h"

namespace fgbdl {

// N1's last layer: W (100) then b.
inline constexpr std::size_t kScoreParams = kFc2Width + 1;
using ScoreVector = std::array<double, kScoreParams>;

// N1's last-layer inputs for a set of images: a4 [M, 100], the image
// scores and the image labels (+-1).
struct ImagePool {
  xt::xtensor<double, 2> a4;
  std::vector<double> score;
  std::vector<double> label;
  std::size_t size() const { return score.size(); }
};

// N1 forward on the images of `batch` (all B*k of them, in order).
ImagePool image_pool_from_batch(const TupleNetwork<double>& net,
                                const LineTupleBatch<double>& batch);

// `images` fresh i.i.d. line images drawn from `rng`, pushed through N1 in
// chunks of `chunk` images; progress(done images) after each chunk.
ImagePool draw_image_pool(const TupleNetwork<double>& net, std::size_t images,
                          LineRasterizer rasterizer, Engine& rng, std::size_t chunk = 256,
                          const std::function<void(std::size_t)>& progress = {});

// Buffers of tuple_score_gradients (no allocation once sized).
struct N2Scratch {
  std::vector<double> s, z5, dz5, c_e2e, c_dec;
};

// The per-sample gradients (1) of one tuple: its images are pool rows
// idx[0..k-1] (k = net.k), its label y. Writes g_e2e, g_dec, g_dec_first,
// each kScoreParams long (losses at the top), and, unless it is null,
// g_e2e_off = g_e2e - g_active (0 where the tuple hinge is active, else
// -g_active; g_active is g_e2e with dL/dout = -y whatever out is). At a
// hinge's kink the derivative is 0, as lib/nn/loss.h. Returns N2's output
// `out`.
double tuple_score_gradients(const TupleNetwork<double>& net, const ImagePool& pool,
                             const std::size_t* idx, double y, N2Scratch& scratch,
                             double* g_e2e, double* g_dec, double* g_dec_first,
                             double* g_e2e_off = nullptr);

// The exact-integration estimate of E g_e2e (top of the file): slot j's
// images are pool rows pos[j] (label +1) and neg[j] (label -1), all of the
// same size n >= 1; `label_sign` is y / prod_j y_j (-1 for the script's
// label rule at even k, else +1). `bins` per slot range.
// Equals the mean of g_active over all (2n)^k combinations of one image per
// slot (tuple label label_sign * prod_j y_j) up to the binning, computed
// in O(units k^2 (n + bins log(k bins))) instead of O(units (2n)^k).
ScoreVector e2e_mean_by_integration(const TupleNetwork<double>& net, const ImagePool& pool,
                                    const std::vector<std::vector<std::size_t>>& pos,
                                    const std::vector<std::vector<std::size_t>>& neg,
                                    double label_sign, std::size_t bins = 4096);

// One estimate per group: of E g (mean) and of the second moments
// E ||g_W||^2, E g_b^2, from `count` samples (the weight of a group when
// second moments are pooled).
struct GroupStats {
  explicit GroupStats(std::size_t groups = 0)
      : mean(groups, ScoreVector{}), second_w(groups, 0.0), second_b(groups, 0.0),
        count(groups, 0.0) {}
  std::vector<ScoreVector> mean;
  std::vector<double> second_w, second_b, count;
  std::size_t groups() const { return count.size(); }
};

// Sums of per-sample vectors (dim 100 or 101) by group, in blocks of 4096
// samples (pairwise-style summation: ~1e8 samples lose no more than a few
// digits).
class MomentAccumulator {
 public:
  MomentAccumulator(std::size_t groups, std::size_t dim);
  void add(std::size_t group, const double* g);
  GroupStats stats();  // means, second moments and counts (flushes)

 private:
  void flush(std::size_t group);
  std::size_t dim_;
  std::vector<double> sum_, sq_w_, sq_b_, count_, block_, block_w_, block_b_;
  std::vector<std::size_t> block_n_;
};

struct SnrEstimate {
  double signal = 0, noise = 0, snr = 0;
  double snr_se = 0;  // jackknife over the groups
};

// The paper's estimate over W (with_bias false) or [W, b]; needs >= 3
// groups with samples. The script's (W only) from per-batch means; >= 2.
SnrEstimate paper_snr(const GroupStats& s, bool with_bias);
SnrEstimate script_snr(const GroupStats& s, int batch_script);

struct SnrSettings {
  std::vector<int> ks = {1, 2, 3, 4, 5, 6};
  int inits = 4;                        // random initializations per seed
  std::int64_t tuples = 1 << 22;        // Monte Carlo tuples per (initialization, k)
  std::int64_t pool = 1 << 16;          // images per initialization
  int groups = 8;                       // G
  std::int64_t tuples_script = 500000;  // tuples of the script's estimate (its N)
  int batch_script = 100;
  std::size_t bins = 4096;              // exact integration: bins per slot range
  LineRasterizer rasterizer = LineRasterizer::kPaper;
  TupleLabelRule label_rule = TupleLabelRule::kProduct;
  ConvInitRule conv_init = ConvInitRule::kFanIn;
};

// What the flags alone cannot check. Throws std::invalid_argument with
// "<setting>: got <value>; allowed: <what>", settings named as the flags of
// the e3_1_snr binary in <what> (the binary maps <setting> to its flag:
// ks -> --k).
void validate(const SnrSettings& s);

// The estimates of one initialization for one k.
struct InitSnr {
  int k = 0;
  double hinge_off = 0;  // fraction of the Monte Carlo tuples whose tuple hinge is off
  SnrEstimate e2e, dec, e2e_script, dec_script;              // the headline
  SnrEstimate e2e_mc, dec_objective, e2e_with_bias, dec_with_bias;
  double out_min = 0, out_max = 0;  // N2's output over the Monte Carlo tuples
};

// One initialization (network and images from `seed`, streams of `init`):
// the estimates for every k of s.ks, in order. progress(work) with work in
// units of work_total(s) / s.inits per initialization.
std::vector<InitSnr> snr_one_init(const SnrSettings& s, std::uint64_t seed, int init,
                                  const std::function<void(std::int64_t)>& progress = {});
std::int64_t work_per_init(const SnrSettings& s);

// Checkpoint of a run (the e3_1_snr binary writes it after every
// initialization): the finished initializations' estimates, exactly (%.17g),
// under a header naming the settings and the seed.
std::string snr_checkpoint_text(const SnrSettings& s, std::uint64_t seed,
                                const std::vector<std::vector<InitSnr>>& done);
// The initializations stored by snr_checkpoint_text. Throws
// std::invalid_argument if `text` is malformed or was written for other
// settings or another seed.
std::vector<std::vector<InitSnr>> parse_snr_checkpoint(const std::string& text,
                                                       const SnrSettings& s, std::uint64_t seed);

// The run's table: one row per k (s.ks order), means over initializations.
// Columns, the first five fixed:
//   k, snr_e2e, snr_dec, snr_e2e_script, snr_dec_script,
//   snr_e2e_mc, snr_dec_objective, snr_e2e_with_bias, snr_dec_with_bias,
// then for each of those eight estimates <name> (e2e, dec, ...):
//   snr_<name>_se       standard error of the mean over inits (their sd /
//                       sqrt(inits); with one init, its jackknife se),
//   snr_<name>_jack_se  the estimation part alone, sqrt(mean se^2 / inits),
//   signal_<name>, noise_<name>  means over inits;
// then hinge_off (mean over inits), out_min, out_max (over all inits),
// inits, tuples, pool.
Table snr_table(const SnrSettings& s, const std::vector<std::vector<InitSnr>>& per_init);

}  // namespace fgbdl

#endif  // EXPERIMENTS_SEC3_DECOMPOSITION_E3_1_SNR_LIB_H_
