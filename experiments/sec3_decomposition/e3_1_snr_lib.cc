#include "experiments/sec3_decomposition/e3_1_snr_lib.h"

#include <algorithm>
#include <cmath>
#include <complex>
#include <cstdio>
#include <map>
#include <new>
#include <sstream>
#include <stdexcept>
#include <string>

#include "fftw3.h"

namespace fgbdl {
namespace {

constexpr std::size_t kBlock = 4096;     // samples summed apart before joining the totals
constexpr std::int64_t kImageWork = 100;  // progress units of one image through N1 (~1 tuple each)

// Stream of derive_engine(seed, .) for one initialization: 0 the network,
// 1 the image pool, 2 + k the tuple picks for k.
std::uint64_t stream(int init, int kind) {
  return (static_cast<std::uint64_t>(init) << 8) | static_cast<std::uint64_t>(kind);
}

double sigmoid(double z) {
  return z >= 0 ? 1.0 / (1.0 + std::exp(-z)) : std::exp(z) / (1.0 + std::exp(z));
}

double dot(const double* a, const double* b, std::size_t n) {
  double s = 0;
  for (std::size_t i = 0; i < n; ++i) s += a[i] * b[i];
  return s;
}

void append_pool(const TupleWorkspace<double>& ws, const xt::xtensor<double, 2>& labels,
                 ImagePool& pool, std::size_t at) {
  const std::size_t n = ws.score.shape(0);
  std::copy(ws.a4.data(), ws.a4.data() + n * kFc2Width, pool.a4.data() + at * kFc2Width);
  for (std::size_t i = 0; i < n; ++i) {
    pool.score[at + i] = ws.score(i, 0);
    pool.label[at + i] = labels(i, 0);
  }
}

// Complex FFTs through FFTW, one in-place plan per length and direction,
// made once and reused. Plans are made with FFTW_ESTIMATE: FFTW_MEASURE times
// candidate algorithms and may pick a different one from run to run, which
// would change the last bits of the results and break "same seed, same
// bytes" (as with OpenBLAS, another CPU may still get other SIMD kernels).
// The inverse transform is scaled by 1/n here (FFTW leaves it out).
class Fft {
 public:
  using C = std::complex<double>;
  Fft() = default;
  Fft(const Fft&) = delete;
  Fft& operator=(const Fft&) = delete;
  ~Fft() {
    clear_plans();
    fftw_free(buffer_);
  }

  void run(std::vector<C>& a, bool inverse) {
    const std::size_t n = a.size();
    if (n > capacity_) {
      clear_plans();  // plans are tied to the buffer they were made on
      fftw_free(buffer_);
      buffer_ = fftw_alloc_complex(n);
      if (buffer_ == nullptr) throw std::bad_alloc();
      capacity_ = n;
    }
    auto it = plans_.find(n);
    if (it == plans_.end()) {
      const int len = static_cast<int>(n);
      Plans p{fftw_plan_dft_1d(len, buffer_, buffer_, FFTW_FORWARD, FFTW_ESTIMATE),
              fftw_plan_dft_1d(len, buffer_, buffer_, FFTW_BACKWARD, FFTW_ESTIMATE)};
      if (p.forward == nullptr || p.inverse == nullptr) throw std::runtime_error("FFTW: no plan");
      it = plans_.emplace(n, p).first;
    }
    // std::complex<double> and fftw_complex share their layout (FFTW's manual).
    std::copy(a.begin(), a.end(), reinterpret_cast<C*>(buffer_));
    fftw_execute(inverse ? it->second.inverse : it->second.forward);
    const C* out = reinterpret_cast<const C*>(buffer_);
    if (inverse) {
      const double inv = 1.0 / static_cast<double>(n);
      for (std::size_t i = 0; i < n; ++i) a[i] = C(out[i].real() * inv, out[i].imag() * inv);
    } else {
      std::copy(out, out + n, a.begin());
    }
  }

 private:
  struct Plans {
    fftw_plan forward, inverse;
  };
  void clear_plans() {
    for (auto& [n, plans] : plans_) {
      fftw_destroy_plan(plans.forward);
      fftw_destroy_plan(plans.inverse);
    }
    plans_.clear();
  }
  fftw_complex* buffer_ = nullptr;
  std::size_t capacity_ = 0;
  std::map<std::size_t, Plans> plans_;
};

// a *= b elementwise, in real arithmetic: std::complex's operator* checks
// for infinities and NaNs (C99 Annex G) at several times the cost.
void multiply_into(std::vector<std::complex<double>>& a, const std::vector<std::complex<double>>& b) {
  for (std::size_t f = 0; f < a.size(); ++f) {
    const double ar = a[f].real(), ai = a[f].imag(), br = b[f].real(), bi = b[f].imag();
    a[f] = std::complex<double>(ar * br - ai * bi, ar * bi + ai * br);
  }
}

// The estimate leaving out the groups not in `use`, by `formula`, and the
// jackknife over the groups for snr_se.
template <class Formula>
SnrEstimate with_jackknife(const GroupStats& s, std::size_t min_groups, const Formula& formula) {
  std::vector<std::size_t> used;
  for (std::size_t a = 0; a < s.groups(); ++a)
    if (s.count[a] > 0) used.push_back(a);
  if (used.size() < min_groups) {
    throw std::invalid_argument("snr estimate: " + std::to_string(used.size()) +
                                " groups with samples, need " + std::to_string(min_groups));
  }
  SnrEstimate e = formula(used);
  const double G = static_cast<double>(used.size());
  std::vector<double> loo;
  for (std::size_t drop = 0; drop < used.size(); ++drop) {
    std::vector<std::size_t> rest;
    for (std::size_t i = 0; i < used.size(); ++i)
      if (i != drop) rest.push_back(used[i]);
    loo.push_back(formula(rest).snr);
  }
  double mean = 0;
  for (double v : loo) mean += v / G;
  double ss = 0;
  for (double v : loo) ss += (v - mean) * (v - mean);
  e.snr_se = std::sqrt((G - 1) / G * ss);
  return e;
}

}  // namespace

ImagePool image_pool_from_batch(const TupleNetwork<double>& net,
                                const LineTupleBatch<double>& batch) {
  TupleWorkspace<double> ws;
  n1_forward(net, batch.images, ws);
  const std::size_t n = batch.images.shape(0);
  ImagePool pool;
  pool.a4 = xt::xtensor<double, 2>::from_shape({n, kFc2Width});
  pool.score.resize(n);
  pool.label.resize(n);
  append_pool(ws, batch.image_labels, pool, 0);
  return pool;
}

ImagePool draw_image_pool(const TupleNetwork<double>& net, std::size_t images,
                          LineRasterizer rasterizer, Engine& rng, std::size_t chunk,
                          const std::function<void(std::size_t)>& progress) {
  if (chunk == 0) throw std::invalid_argument("draw_image_pool: chunk = 0");
  ImagePool pool;
  pool.a4 = xt::xtensor<double, 2>::from_shape({images, kFc2Width});
  pool.score.resize(images);
  pool.label.resize(images);
  TupleWorkspace<double> ws;
  LineTupleBatch<double> batch;
  LineTupleSpec spec;
  spec.k = 1;
  spec.rasterizer = rasterizer;
  for (std::size_t at = 0; at < images; at += chunk) {
    const std::size_t n = std::min(chunk, images - at);
    sample_line_tuples(n, spec, rng, batch);
    n1_forward(net, batch.images, ws);
    append_pool(ws, batch.image_labels, pool, at);
    if (progress) progress(at + n);
  }
  return pool;
}

double tuple_score_gradients(const TupleNetwork<double>& net, const ImagePool& pool,
                             const std::size_t* idx, double y, N2Scratch& sc, double* g_e2e,
                             double* g_dec, double* g_dec_first, double* g_e2e_off) {
  const std::size_t k = static_cast<std::size_t>(net.k), H = kMidWidth, P = kFc2Width;
  sc.s.resize(k);
  sc.z5.resize(H);
  sc.dz5.resize(H);
  sc.c_e2e.resize(k);
  sc.c_dec.resize(k);
  const double* Wmid = net.mid.W.data();  // [k, H]
  const double* Wout = net.out.W.data();  // [H, 1]
  // N2 forward: s = sigmoid(scores), z5 = s Wmid + bmid, out = relu(z5) Wout + bout.
  for (std::size_t m = 0; m < H; ++m) sc.z5[m] = net.mid.b(m);
  for (std::size_t j = 0; j < k; ++j) {
    const double s = sigmoid(pool.score[idx[j]]);
    sc.s[j] = s;
    const double* w = Wmid + j * H;
    for (std::size_t m = 0; m < H; ++m) sc.z5[m] += s * w[m];
  }
  double out = net.out.b(0);
  for (std::size_t m = 0; m < H; ++m) out += std::max(sc.z5[m], 0.0) * Wout[m];
  // Tuple hinge [1 - y out]_+: dL/dout = -y where 1 - y out > 0, else 0.
  // The active-hinge gradient (dL/dout = -y always) is needed for g_e2e_off.
  const bool active = 1.0 - y * out > 0;
  if (active || g_e2e_off != nullptr) {
    for (std::size_t m = 0; m < H; ++m) sc.dz5[m] = sc.z5[m] > 0 ? -y * Wout[m] : 0.0;
    for (std::size_t j = 0; j < k; ++j) {
      const double ds = dot(sc.dz5.data(), Wmid + j * H, H);
      sc.c_e2e[j] = ds * sc.s[j] * (1.0 - sc.s[j]);
    }
  } else {
    std::fill(sc.c_e2e.begin(), sc.c_e2e.end(), 0.0);
  }
  // Image hinge (1/k) sum_j [1 - y_j score_j]_+.
  const double inv_k = 1.0 / static_cast<double>(k);
  for (std::size_t j = 0; j < k; ++j) {
    const double yj = pool.label[idx[j]];
    sc.c_dec[j] = 1.0 - yj * pool.score[idx[j]] > 0 ? -yj * inv_k : 0.0;
  }
  // (1): g = sum_j c_j [a4_j, 1]; g_e2e here is the active-hinge gradient.
  std::fill(g_e2e, g_e2e + kScoreParams, 0.0);
  std::fill(g_dec, g_dec + kScoreParams, 0.0);
  for (std::size_t j = 0; j < k; ++j) {
    const double ce = sc.c_e2e[j], cd = sc.c_dec[j];
    const double* a = pool.a4.data() + idx[j] * P;
    for (std::size_t p = 0; p < P; ++p) {
      g_e2e[p] += ce * a[p];
      g_dec[p] += cd * a[p];
    }
    g_e2e[P] += ce;
    g_dec[P] += cd;
  }
  if (g_e2e_off != nullptr) {  // g_e2e - g_active: 0, or -g_active where the hinge is off
    for (std::size_t p = 0; p < kScoreParams; ++p) g_e2e_off[p] = active ? 0.0 : -g_e2e[p];
  }
  if (!active) std::fill(g_e2e, g_e2e + kScoreParams, 0.0);
  // First image only, unscaled.
  const double c1 = sc.c_dec[0] * static_cast<double>(k);
  const double* a1 = pool.a4.data() + idx[0] * P;
  for (std::size_t p = 0; p < P; ++p) g_dec_first[p] = c1 * a1[p];
  g_dec_first[P] = c1;
  return out;
}

ScoreVector e2e_mean_by_integration(const TupleNetwork<double>& net, const ImagePool& pool,
                                    const std::vector<std::vector<std::size_t>>& pos,
                                    const std::vector<std::vector<std::size_t>>& neg,
                                    double label_sign, std::size_t bins) {
  using C = std::complex<double>;
  const std::size_t k = static_cast<std::size_t>(net.k), H = kMidWidth, P = kFc2Width;
  if (pos.size() != k || neg.size() != k || bins < 1)
    throw std::invalid_argument("e2e_mean_by_integration: need k slots and bins >= 1");
  const std::size_t n = pos[0].size();
  for (std::size_t j = 0; j < k; ++j) {
    if (pos[j].size() != n || neg[j].size() != n || n == 0)
      throw std::invalid_argument("e2e_mean_by_integration: slots of unequal or zero size");
  }
  // Atoms of slot j: 2n images, weight +-1/(2n), s = sigmoid(score).
  const std::size_t A = 2 * n;
  const double wt = 1.0 / static_cast<double>(A);
  std::vector<std::vector<std::size_t>> row(k);
  std::vector<std::vector<double>> s(k), weight(k), kappa(k);
  std::vector<double> s_min(k), s_max(k);
  for (std::size_t j = 0; j < k; ++j) {
    row[j] = pos[j];
    row[j].insert(row[j].end(), neg[j].begin(), neg[j].end());
    s[j].resize(A);
    weight[j].resize(A);
    kappa[j].assign(A, 0.0);
    for (std::size_t x = 0; x < A; ++x) {
      s[j][x] = sigmoid(pool.score[row[j][x]]);
      weight[j][x] = x < n ? wt : -wt;
    }
    s_min[j] = *std::min_element(s[j].begin(), s[j].end());
    s_max[j] = *std::max_element(s[j].begin(), s[j].end());
  }
  const double* Wmid = net.mid.W.data();  // [k, H]
  Fft fft;
  std::vector<std::vector<C>> spectrum(k);
  std::vector<C> product;
  std::vector<double> tail;
  std::vector<double> w(k), lo(k), hi(k);
  std::vector<std::size_t> len(k);
  for (std::size_t m = 0; m < H; ++m) {
    const double bm = net.mid.b(m), wout = net.out.W(m, 0);
    for (std::size_t i = 0; i < k; ++i) w[i] = Wmid[i * H + m];
    if (k == 1) {  // no other slot: G(tau) = 1[0 > tau]
      for (std::size_t x = 0; x < A; ++x)
        if (bm + w[0] * s[0][x] > 0) kappa[0][x] += wout * w[0];
      continue;
    }
    double span = 0;
    for (std::size_t i = 0; i < k; ++i) {
      lo[i] = std::min(w[i] * s_min[i], w[i] * s_max[i]);
      hi[i] = std::max(w[i] * s_min[i], w[i] * s_max[i]);
      span = std::max(span, hi[i] - lo[i]);
    }
    const double h = span > 0 ? span / static_cast<double>(bins) : 1.0;
    std::size_t total_len = 0;
    for (std::size_t i = 0; i < k; ++i) {
      len[i] = static_cast<std::size_t>(std::llround((hi[i] - lo[i]) / h)) + 1;
      total_len += len[i];
    }
    // Slots whose thresholds fall inside the others' range (else G is 0,
    // or the product of the others' masses, which is 0: stratified).
    std::vector<std::size_t> need;
    for (std::size_t j = 0; j < k; ++j) {
      double base = 0, top = 0;
      for (std::size_t i = 0; i < k; ++i) {
        if (i == j) continue;
        base += lo[i];
        top += lo[i] + static_cast<double>(len[i] - 1) * h;
      }
      const double t1 = -bm - w[j] * s_min[j], t2 = -bm - w[j] * s_max[j];
      if (std::max(t1, t2) >= base - h && std::min(t1, t2) < top + h) need.push_back(j);
    }
    if (need.empty()) continue;
    std::size_t N = 1;
    while (N < total_len) N <<= 1;
    for (std::size_t i = 0; i < k; ++i) {
      spectrum[i].assign(N, C(0.0, 0.0));
      for (std::size_t x = 0; x < A; ++x) {
        const std::size_t b = static_cast<std::size_t>(std::llround((w[i] * s[i][x] - lo[i]) / h));
        spectrum[i][std::min(b, len[i] - 1)] += weight[i][x];
      }
      fft.run(spectrum[i], false);
    }
    for (const std::size_t j : need) {
      product.assign(N, C(1.0, 0.0));
      double base = 0;
      std::size_t conv_len = 1;
      for (std::size_t i = 0; i < k; ++i) {
        if (i == j) continue;
        multiply_into(product, spectrum[i]);
        base += lo[i];
        conv_len += len[i] - 1;
      }
      fft.run(product, true);
      tail.assign(conv_len + 1, 0.0);  // tail[b] = sum_{b' >= b} conv[b']
      for (std::size_t b = conv_len; b-- > 0;) tail[b] = tail[b + 1] + product[b].real();
      for (std::size_t x = 0; x < A; ++x) {
        // G(tau) = mass at positions base + b h > tau = -bm - w_j s.
        const double tau = -bm - w[j] * s[j][x];
        const double first = std::floor((tau - base) / h) + 1.0;
        double G;
        if (first <= 0) {
          G = tail[0];
        } else if (first >= static_cast<double>(conv_len)) {
          G = 0.0;
        } else {
          G = tail[static_cast<std::size_t>(first)];
        }
        kappa[j][x] += wout * w[j] * G;
      }
    }
  }
  // E g = -sign sum_j mean over slot j of y s' kappa_j [a4, 1].
  ScoreVector mean{};
  for (std::size_t j = 0; j < k; ++j) {
    for (std::size_t x = 0; x < A; ++x) {
      const double c = -label_sign * weight[j][x] * s[j][x] * (1.0 - s[j][x]) * kappa[j][x];
      const double* a = pool.a4.data() + row[j][x] * P;
      for (std::size_t p = 0; p < P; ++p) mean[p] += c * a[p];
      mean[P] += c;
    }
  }
  return mean;
}

MomentAccumulator::MomentAccumulator(std::size_t groups, std::size_t dim)
    : dim_(dim),
      sum_(groups * dim, 0.0),
      sq_w_(groups, 0.0),
      sq_b_(groups, 0.0),
      count_(groups, 0.0),
      block_(groups * dim, 0.0),
      block_w_(groups, 0.0),
      block_b_(groups, 0.0),
      block_n_(groups, 0) {
  if (groups == 0 || (dim != kFc2Width && dim != kScoreParams))
    throw std::invalid_argument("MomentAccumulator: dim must be 100 or 101");
}

void MomentAccumulator::add(std::size_t group, const double* g) {
  double* b = &block_[group * dim_];
  double sq = 0;
  for (std::size_t p = 0; p < kFc2Width; ++p) {
    b[p] += g[p];
    sq += g[p] * g[p];
  }
  block_w_[group] += sq;
  if (dim_ == kScoreParams) {
    b[kFc2Width] += g[kFc2Width];
    block_b_[group] += g[kFc2Width] * g[kFc2Width];
  }
  if (++block_n_[group] == kBlock) flush(group);
}

void MomentAccumulator::flush(std::size_t a) {
  double* b = &block_[a * dim_];
  double* s = &sum_[a * dim_];
  for (std::size_t p = 0; p < dim_; ++p) {
    s[p] += b[p];
    b[p] = 0;
  }
  sq_w_[a] += block_w_[a];
  sq_b_[a] += block_b_[a];
  block_w_[a] = block_b_[a] = 0;
  count_[a] += static_cast<double>(block_n_[a]);
  block_n_[a] = 0;
}

GroupStats MomentAccumulator::stats() {
  GroupStats st(count_.size());
  for (std::size_t a = 0; a < count_.size(); ++a) {
    flush(a);
    const double c = count_[a];
    st.count[a] = c;
    if (c == 0) continue;
    for (std::size_t p = 0; p < dim_; ++p) st.mean[a][p] = sum_[a * dim_ + p] / c;
    st.second_w[a] = sq_w_[a] / c;
    st.second_b[a] = sq_b_[a] / c;
  }
  return st;
}

SnrEstimate paper_snr(const GroupStats& st, bool with_bias) {
  const std::size_t P = with_bias ? kScoreParams : kFc2Width;
  return with_jackknife(st, 3, [&st, P, with_bias](const std::vector<std::size_t>& use) {
    ScoreVector total{};
    double mean_sq = 0, second = 0, n = 0;
    for (const std::size_t a : use) {
      mean_sq += dot(st.mean[a].data(), st.mean[a].data(), P);
      for (std::size_t p = 0; p < P; ++p) total[p] += st.mean[a][p];
      second += st.count[a] * (st.second_w[a] + (with_bias ? st.second_b[a] : 0.0));
      n += st.count[a];
    }
    const double G = static_cast<double>(use.size());
    SnrEstimate e;
    e.signal = (dot(total.data(), total.data(), P) - mean_sq) / (G * (G - 1));
    e.noise = second / n - e.signal;
    e.snr = e.signal / e.noise;
    return e;
  });
}

SnrEstimate script_snr(const GroupStats& st, int batch_script) {
  const double B = batch_script;
  return with_jackknife(st, 2, [&st, B](const std::vector<std::size_t>& use) {
    ScoreVector total{};
    double second = 0, n = 0;
    for (const std::size_t a : use) {
      for (std::size_t p = 0; p < kFc2Width; ++p) total[p] += st.count[a] * st.mean[a][p];
      second += st.count[a] * st.second_w[a];
      n += st.count[a];
    }
    for (double& v : total) v /= n;
    SnrEstimate e;
    e.signal = dot(total.data(), total.data(), kFc2Width);
    e.noise = B * second / n - e.signal * e.signal;
    e.snr = e.signal / e.noise;
    return e;
  });
}

void validate(const SnrSettings& s) {
  auto bad = [](const std::string& name, long long got, const std::string& allowed) {
    throw std::invalid_argument(name + ": got " + std::to_string(got) + "; allowed: " + allowed);
  };
  if (s.ks.empty()) throw std::invalid_argument("ks: got none; allowed: 1 to 16 values");
  int kmax = 0;
  for (int k : s.ks) {
    if (k < 1 || k > 16) bad("ks", k, "1..16");
    kmax = std::max(kmax, k);
  }
  if (s.inits < 1) bad("inits", s.inits, ">= 1");
  if (s.groups < 3) bad("groups", s.groups, ">= 3");
  if (s.batch_script < 1) bad("batch_script", s.batch_script, ">= 1");
  if (s.bins < 1) bad("bins", static_cast<long long>(s.bins), ">= 1");
  const long long min_pool = 16LL * s.groups * kmax;
  if (s.pool < min_pool)
    bad("pool", s.pool, ">= 16 * --groups * max --k = " + std::to_string(min_pool));
  if (s.tuples < 16LL * s.groups)
    bad("tuples", s.tuples, ">= 16 * --groups = " + std::to_string(16 * s.groups));
  if (s.tuples_script > s.tuples)
    bad("tuples_script", s.tuples_script, "<= --tuples = " + std::to_string(s.tuples));
  const long long min_script = static_cast<long long>(s.groups) * s.batch_script;
  if (s.tuples_script < min_script) {
    bad("tuples_script", s.tuples_script,
        ">= --groups * --batch_script = " + std::to_string(min_script));
  }
}

std::int64_t work_per_init(const SnrSettings& s) {
  return kImageWork * s.pool + s.tuples * static_cast<std::int64_t>(s.ks.size());
}

namespace {

// How many tuples ahead of the current one the Monte Carlo loop fetches its
// images' rows; prefetch_images issues the fetches (a4 row, score, label).
constexpr std::size_t kPrefetchTuples = 4;

void prefetch_images(const ImagePool& pool, const std::size_t* idx, std::size_t k) {
  constexpr std::size_t kLine = 64 / sizeof(double);
  for (std::size_t j = 0; j < k; ++j) {
    const double* row = pool.a4.data() + idx[j] * kFc2Width;
    for (std::size_t p = 0; p < kFc2Width; p += kLine) __builtin_prefetch(row + p);
    __builtin_prefetch(row + kFc2Width - 1);
    __builtin_prefetch(pool.score.data() + idx[j]);
    __builtin_prefetch(pool.label.data() + idx[j]);
  }
}

}  // namespace

std::vector<InitSnr> snr_one_init(const SnrSettings& s, std::uint64_t seed, int init,
                                  const std::function<void(std::int64_t)>& progress) {
  validate(s);
  const std::size_t G = static_cast<std::size_t>(s.groups);
  // N1 is drawn first by tuple_network_init, so one engine state gives the
  // same N1 for every k (N2 differs with k): one image pool serves all k.
  auto network = [&](int k) {
    Engine r = derive_engine(seed, stream(init, 0));
    return tuple_network_init<double>(k, s.conv_init, r);
  };
  Engine pool_rng = derive_engine(seed, stream(init, 1));
  const ImagePool pool = draw_image_pool(
      network(s.ks.front()), static_cast<std::size_t>(s.pool), s.rasterizer, pool_rng, 256,
      [&](std::size_t done) {
        if (progress) progress(kImageWork * static_cast<std::int64_t>(done));
      });
  const std::size_t group_size = pool.size() / G;

  std::vector<InitSnr> result;
  std::int64_t done = kImageWork * s.pool;
  for (const int k : s.ks) {
    const TupleNetwork<double> net = network(k);
    const std::size_t K = static_cast<std::size_t>(k);
    Engine rng = derive_engine(seed, stream(init, 2 + k));
    MomentAccumulator e2e(G, kScoreParams), dec(G, kScoreParams), dec_obj(G, kScoreParams);
    MomentAccumulator e2e_script(G, kFc2Width), dec_script(G, kFc2Width);
    N2Scratch scratch;
    std::vector<double> g_e2e(kScoreParams), g_dec(kScoreParams), g_first(kScoreParams),
        g_off(kScoreParams), g_obj(kScoreParams), b_e2e(kFc2Width), b_dec(kFc2Width);
    std::vector<ScoreVector> off_sum(G, ScoreVector{});  // sum of g_e2e - g_active by group
    std::vector<double> group_tuples(G, 0.0);
    std::int64_t hinge_off = 0;
    std::vector<std::size_t> perm(group_size);
    float labels[16];
    const std::int64_t nb = s.tuples_script / s.batch_script;
    const double inv_batch = 1.0 / s.batch_script;
    InitSnr r;
    r.k = k;
    r.out_min = 1e300;
    r.out_max = -1e300;
    for (std::size_t a = 0; a < G; ++a) {
      const std::int64_t A = static_cast<std::int64_t>(a);
      const std::int64_t ta = s.tuples / s.groups + (A < s.tuples % s.groups);
      const std::int64_t script_tuples =
          (nb / s.groups + (A < nb % s.groups)) * s.batch_script;
      for (std::size_t i = 0; i < group_size; ++i) perm[i] = a * group_size + i;
      std::size_t pos = group_size;  // shuffle before the first tuple
      std::fill(b_e2e.begin(), b_e2e.end(), 0.0);
      std::fill(b_dec.begin(), b_dec.end(), 0.0);
      for (std::int64_t t = 0; t < ta; ++t) {
        if (pos + K > group_size) {
          for (std::size_t i = group_size - 1; i > 0; --i)
            std::swap(perm[i], perm[uniform_index(rng, i + 1)]);
          pos = 0;
        }
        const std::size_t* idx = &perm[pos];
        pos += K;
        // The images of a tuple are random rows of the pool (800 bytes of
        // a4 each, the pool far beyond the caches): fetch those of the tuple
        // kPrefetchTuples ahead while this one is computed (measured: the
        // loop waits on memory otherwise, 3x slower).
        if (pos + kPrefetchTuples * K <= group_size) prefetch_images(pool, &perm[pos + (kPrefetchTuples - 1) * K], K);
        for (std::size_t j = 0; j < K; ++j) labels[j] = static_cast<float>(pool.label[idx[j]]);
        const double y = tuple_label(labels, k, s.label_rule);
        const double out = tuple_score_gradients(net, pool, idx, y, scratch, g_e2e.data(),
                                                 g_dec.data(), g_first.data(), g_off.data());
        r.out_min = std::min(r.out_min, out);
        r.out_max = std::max(r.out_max, out);
        if (1.0 - y * out <= 0) {  // the tuple hinge is off: a correction to the exact mean
          ++hinge_off;
          for (std::size_t p = 0; p < kScoreParams; ++p) off_sum[a][p] += g_off[p];
        }
        for (std::size_t p = 0; p < kScoreParams; ++p) g_obj[p] = g_e2e[p] + g_dec[p];
        e2e.add(a, g_e2e.data());
        dec.add(a, g_dec.data());
        dec_obj.add(a, g_obj.data());
        if (t < script_tuples) {  // the script's batches: weights only, batch means
          for (std::size_t p = 0; p < kFc2Width; ++p) {
            b_e2e[p] += g_e2e[p];
            b_dec[p] += g_first[p];
          }
          if ((t + 1) % s.batch_script == 0) {
            for (std::size_t p = 0; p < kFc2Width; ++p) {
              b_e2e[p] *= inv_batch;
              b_dec[p] *= inv_batch;
            }
            e2e_script.add(a, b_e2e.data());
            dec_script.add(a, b_dec.data());
            std::fill(b_e2e.begin(), b_e2e.end(), 0.0);
            std::fill(b_dec.begin(), b_dec.end(), 0.0);
          }
        }
        if (progress && (++done & 0xffff) == 0) progress(done);
      }
      group_tuples[a] = static_cast<double>(ta);
    }
    GroupStats e2e_stats = e2e.stats();
    r.e2e_mc = paper_snr(e2e_stats, false);
    // The end-to-end mean, group by group: the active-hinge part by exact
    // integration over stratified slot parts, plus the Monte Carlo mean of
    // g_e2e - g_active (non-zero only on tuples whose hinge is off).
    r.hinge_off = static_cast<double>(hinge_off) / static_cast<double>(s.tuples);
    for (std::size_t a = 0; a < G; ++a) {
      std::vector<std::size_t> plus, minus;
      for (std::size_t i = a * group_size; i < (a + 1) * group_size; ++i)
        (pool.label[i] > 0 ? plus : minus).push_back(i);
      const std::size_t n = std::min(plus.size(), minus.size()) / K;
      if (n == 0) {
        throw std::runtime_error("e3_1_snr: a group of " + std::to_string(group_size) +
                                 " images has fewer than k = " + std::to_string(k) +
                                 " images of one label");
      }
      std::vector<std::vector<std::size_t>> pos_parts(K), neg_parts(K);
      for (std::size_t j = 0; j < K; ++j) {
        pos_parts[j].assign(plus.begin() + j * n, plus.begin() + (j + 1) * n);
        neg_parts[j].assign(minus.begin() + j * n, minus.begin() + (j + 1) * n);
      }
      const double sign = s.label_rule == TupleLabelRule::kScriptOddCount && k % 2 == 0 ? -1 : 1;
      const ScoreVector active =
          e2e_mean_by_integration(net, pool, pos_parts, neg_parts, sign, s.bins);
      for (std::size_t p = 0; p < kScoreParams; ++p)
        e2e_stats.mean[a][p] = active[p] + off_sum[a][p] / group_tuples[a];
    }
    r.e2e = paper_snr(e2e_stats, false);
    r.e2e_with_bias = paper_snr(e2e_stats, true);
    const GroupStats dec_stats = dec.stats();
    r.dec = paper_snr(dec_stats, false);
    r.dec_with_bias = paper_snr(dec_stats, true);
    r.dec_objective = paper_snr(dec_obj.stats(), false);
    r.e2e_script = script_snr(e2e_script.stats(), s.batch_script);
    r.dec_script = script_snr(dec_script.stats(), s.batch_script);
    result.push_back(r);
  }
  if (progress) progress(done);
  return result;
}

namespace {

constexpr char kCheckpointMagic[] = "e3_1_snr checkpoint v2";

std::string settings_line(const SnrSettings& s, std::uint64_t seed) {
  std::ostringstream o;
  o << "settings seed " << seed << " k";
  for (int k : s.ks) o << ' ' << k;
  o << " inits " << s.inits << " tuples " << s.tuples << " pool " << s.pool << " groups "
    << s.groups << " tuples_script " << s.tuples_script << " batch_script " << s.batch_script
    << " bins " << s.bins << " rasterizer " << to_string(s.rasterizer) << " tuple_label "
    << to_string(s.label_rule) << " conv_init " << to_string(s.conv_init);
  return o.str();
}

SnrEstimate* estimates_of(InitSnr& r, int i) {
  SnrEstimate* all[] = {&r.e2e,    &r.dec,           &r.e2e_script,    &r.dec_script,
                        &r.e2e_mc, &r.dec_objective, &r.e2e_with_bias, &r.dec_with_bias};
  return all[i];
}

}  // namespace

std::string snr_checkpoint_text(const SnrSettings& s, std::uint64_t seed,
                                const std::vector<std::vector<InitSnr>>& done) {
  std::string text = std::string(kCheckpointMagic) + "\n" + settings_line(s, seed) + "\n";
  char buf[64];
  for (std::size_t init = 0; init < done.size(); ++init) {
    for (InitSnr r : done[init]) {
      text += "init " + std::to_string(init) + " k " + std::to_string(r.k);
      std::vector<double> v = {r.hinge_off, r.out_min, r.out_max};
      for (int i = 0; i < 8; ++i) {
        const SnrEstimate& e = *estimates_of(r, i);
        v.insert(v.end(), {e.signal, e.noise, e.snr, e.snr_se});
      }
      for (double x : v) {
        std::snprintf(buf, sizeof buf, " %.17g", x);
        text += buf;
      }
      text += "\n";
    }
  }
  return text + "end\n";
}

std::vector<std::vector<InitSnr>> parse_snr_checkpoint(const std::string& text,
                                                       const SnrSettings& s, std::uint64_t seed) {
  std::istringstream in(text);
  std::string line;
  auto bad = [](const std::string& why) {
    throw std::invalid_argument("e3_1_snr checkpoint: " + why);
  };
  if (!std::getline(in, line) || line != kCheckpointMagic) bad("not a checkpoint");
  if (!std::getline(in, line) || line != settings_line(s, seed))
    bad("written for other settings: " + line);
  std::vector<std::vector<InitSnr>> done;
  std::size_t row = 0;
  bool ended = false;
  while (std::getline(in, line)) {
    if (ended) bad("text after the end");
    if (line == "end") {
      ended = true;
      continue;
    }
    std::istringstream f(line);
    std::string w1, w2;
    std::size_t init = 0;
    int k = 0;
    f >> w1 >> init >> w2 >> k;
    const std::size_t want_init = row / s.ks.size();
    if (!f || w1 != "init" || w2 != "k" || init != want_init || k != s.ks[row % s.ks.size()])
      bad("malformed line: " + line);
    InitSnr r;
    r.k = k;
    f >> r.hinge_off >> r.out_min >> r.out_max;
    for (int i = 0; i < 8; ++i) {
      SnrEstimate& e = *estimates_of(r, i);
      f >> e.signal >> e.noise >> e.snr >> e.snr_se;
    }
    std::string rest;
    if (!f || (f >> rest)) bad("malformed line: " + line);
    if (row % s.ks.size() == 0) done.emplace_back();
    done.back().push_back(r);
    ++row;
  }
  if (!ended) bad("no end line (cut short)");
  if (row % s.ks.size() != 0) bad("an initialization is incomplete");
  if (done.size() > static_cast<std::size_t>(s.inits)) bad("more initializations than --inits");
  return done;
}

Table snr_table(const SnrSettings& s, const std::vector<std::vector<InitSnr>>& per_init) {
  if (per_init.empty()) throw std::invalid_argument("snr_table: no initializations");
  static const char* const names[] = {"e2e",    "dec",           "e2e_script",    "dec_script",
                                      "e2e_mc", "dec_objective", "e2e_with_bias", "dec_with_bias"};
  constexpr int kEstimates = 8;
  auto pick = [](const InitSnr& r, int i) -> const SnrEstimate& {
    const SnrEstimate* all[] = {&r.e2e,    &r.dec,           &r.e2e_script,    &r.dec_script,
                                &r.e2e_mc, &r.dec_objective, &r.e2e_with_bias, &r.dec_with_bias};
    return *all[i];
  };
  std::vector<std::string> cols = {"k"};
  for (const char* n : names) cols.push_back(std::string("snr_") + n);
  for (const char* n : names) {
    cols.push_back(std::string("snr_") + n + "_se");
    cols.push_back(std::string("snr_") + n + "_jack_se");
    cols.push_back(std::string("signal_") + n);
    cols.push_back(std::string("noise_") + n);
  }
  for (const char* c : {"hinge_off", "out_min", "out_max", "inits", "tuples", "pool"})
    cols.push_back(c);
  Table table(cols);
  const double n = static_cast<double>(per_init.size());
  for (std::size_t row = 0; row < s.ks.size(); ++row) {
    std::vector<double> v = {static_cast<double>(s.ks[row])};
    std::vector<double> extra;
    for (int i = 0; i < kEstimates; ++i) {
      double m = 0, j2 = 0, sg = 0, ns = 0;
      for (const auto& init : per_init) {
        const SnrEstimate& e = pick(init.at(row), i);
        m += e.snr / n;
        j2 += e.snr_se * e.snr_se / n;
        sg += e.signal / n;
        ns += e.noise / n;
      }
      double ss = 0;
      for (const auto& init : per_init) {
        const double d = pick(init.at(row), i).snr - m;
        ss += d * d;
      }
      const double jack = std::sqrt(j2 / n);
      v.push_back(m);
      extra.push_back(per_init.size() >= 2 ? std::sqrt(ss / (n - 1) / n) : jack);
      extra.push_back(jack);
      extra.push_back(sg);
      extra.push_back(ns);
    }
    v.insert(v.end(), extra.begin(), extra.end());
    double hinge_off = 0, out_min = 1e300, out_max = -1e300;
    for (const auto& init : per_init) {
      hinge_off += init.at(row).hinge_off / n;
      out_min = std::min(out_min, init.at(row).out_min);
      out_max = std::max(out_max, init.at(row).out_max);
    }
    for (double x : {hinge_off, out_min, out_max, n, static_cast<double>(s.tuples),
                     static_cast<double>(s.pool)})
      v.push_back(x);
    table.add_row(v);
  }
  return table;
}

}  // namespace fgbdl
