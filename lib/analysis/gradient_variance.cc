#include "lib/analysis/gradient_variance.h"

#include <cblas.h>

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>
#include <vector>

#include "lib/analysis/walsh_hadamard.h"

namespace fgbdl {
namespace {

// C [m, n] = alpha * A [m, k] * B^T (B is [n, k]) or A * B (B is [k, n]).
void gemm(const double* A, const double* B, double* C, std::size_t m, std::size_t n,
          std::size_t k, bool b_transposed, double alpha) {
  cblas_dgemm(CblasRowMajor, CblasNoTrans, b_transposed ? CblasTrans : CblasNoTrans,
              static_cast<int>(m), static_cast<int>(n), static_cast<int>(k), alpha, A,
              static_cast<int>(k), B, static_cast<int>(b_transposed ? k : n), 0.0, C,
              static_cast<int>(n));
}

void check_gp(const MatrixD& G, const VectorD& p) {
  if (G.shape()[0] == 0 || G.shape()[1] == 0) throw std::invalid_argument("G must be non-empty");
  if (p.size() != G.shape()[0]) {
    throw std::invalid_argument("p has " + std::to_string(p.size()) + " entries, G has " +
                                std::to_string(G.shape()[0]) + " rows");
  }
}

// The S-dependent weight w(x) of the parity gradients: square -1, hinge a(x).
double parity_weight(LossKind loss, double p) {
  if (loss == LossKind::kSquare) return -1.0;
  return -0.5 * ((p < 1.0 ? 1.0 : 0.0) + (p > -1.0 ? 1.0 : 0.0));
}
// The S-independent weight: square p(x), hinge b(x).
double parity_offset(LossKind loss, double p) {
  if (loss == LossKind::kSquare) return p;
  return 0.5 * ((p > -1.0 ? 1.0 : 0.0) - (p < 1.0 ? 1.0 : 0.0));
}

// WHT over S of w(x) g(x): [2^d, P], row S = E_x[chi_S(x) w(x) g(x)].
MatrixD parity_part(const MatrixD& G, const VectorD& p, LossKind loss) {
  check_gp(G, p);
  const std::size_t N = G.shape()[0], P = G.shape()[1];
  if (!is_power_of_two(N)) throw std::invalid_argument("G must have 2^d rows (all of {±1}^d)");
  MatrixD A({N, P});
  for (std::size_t n = 0; n < N; ++n) {
    const double w = parity_weight(loss, p(n));
    for (std::size_t k = 0; k < P; ++k) A(n, k) = w * G(n, k);
  }
  walsh_hadamard_columns(A);
  return A;
}

}  // namespace

double gradient_norm_sq(const MatrixD& G) {
  const std::size_t N = G.shape()[0];
  if (N == 0) throw std::invalid_argument("gradient_norm_sq: G has no rows");
  double s = 0.0;
  for (std::size_t i = 0; i < G.size(); ++i) s += G.data()[i] * G.data()[i];
  return s / static_cast<double>(N);
}

double row_variance(const MatrixD& R) {
  const std::size_t M = R.shape()[0], P = R.shape()[1];
  if (M == 0) throw std::invalid_argument("row_variance: no rows");
  std::vector<double> mean(P, 0.0);
  for (std::size_t m = 0; m < M; ++m) {
    for (std::size_t k = 0; k < P; ++k) mean[k] += R(m, k);
  }
  for (double& v : mean) v /= static_cast<double>(M);
  double s = 0.0;
  for (std::size_t m = 0; m < M; ++m) {
    for (std::size_t k = 0; k < P; ++k) {
      const double e = R(m, k) - mean[k];
      s += e * e;
    }
  }
  return s / static_cast<double>(M);
}

MatrixD family_gradients(const MatrixD& G, const VectorD& p, const MatrixD& Y, LossKind loss) {
  check_gp(G, p);
  const std::size_t N = G.shape()[0], P = G.shape()[1], M = Y.shape()[0];
  if (M == 0 || Y.shape()[1] != N) {
    throw std::invalid_argument("Y must be [M, N] with N = rows of G = " + std::to_string(N));
  }
  MatrixD L({M, N});  // loss'(p_n, h_m(x_n))
  for (std::size_t m = 0; m < M; ++m) {
    for (std::size_t n = 0; n < N; ++n) L(m, n) = loss_derivative(loss, p(n), Y(m, n));
  }
  MatrixD out({M, P});
  gemm(L.data(), G.data(), out.data(), M, P, N, /*b_transposed=*/false,
       1.0 / static_cast<double>(N));
  return out;
}

double gradient_variance_enumerate(const MatrixD& G, const VectorD& p, const MatrixD& Y,
                                   LossKind loss) {
  return row_variance(family_gradients(G, p, Y, loss));
}

MatrixD parity_targets(int d) {
  if (d < 0 || d > 14) throw std::invalid_argument("parity_targets: d must be in [0, 14]");
  const std::size_t n = std::size_t{1} << d;
  MatrixD Y({n, n});
  for (std::size_t S = 0; S < n; ++S) {
    for (std::size_t idx = 0; idx < n; ++idx) Y(S, idx) = parity_sign(S, idx);
  }
  return Y;
}

MatrixD parity_family_gradients(const MatrixD& G, const VectorD& p, LossKind loss) {
  MatrixD A = parity_part(G, p, loss);
  const std::size_t N = G.shape()[0], P = G.shape()[1];
  std::vector<double> offset(P, 0.0);  // E_x[o(x) g(x)]
  for (std::size_t n = 0; n < N; ++n) {
    const double o = parity_offset(loss, p(n));
    for (std::size_t k = 0; k < P; ++k) offset[k] += o * G(n, k);
  }
  for (std::size_t S = 0; S < N; ++S) {
    for (std::size_t k = 0; k < P; ++k) A(S, k) += offset[k] / static_cast<double>(N);
  }
  return A;
}

double gradient_variance_parities(const MatrixD& G, const VectorD& p, LossKind loss) {
  return row_variance(parity_part(G, p, loss));
}

VectorD uniform_on_sphere(std::size_t d, double r, Engine& rng) {
  VectorD v = VectorD::from_shape({d});
  double norm2 = 0.0;
  do {
    norm2 = 0.0;
    for (std::size_t i = 0; i < d; ++i) {
      v(i) = normal(rng);
      norm2 += v(i) * v(i);
    }
  } while (norm2 == 0.0);
  const double scale = r / std::sqrt(norm2);
  for (std::size_t i = 0; i < d; ++i) v(i) *= scale;
  return v;
}

MonteCarloVariance linear_periodic_variance_mc(std::size_t d, double r, const GradientFn& grad,
                                               std::size_t batches,
                                               std::size_t directions_per_batch,
                                               std::size_t samples_per_half, Engine& rng) {
  if (d == 0 || batches < 2 || directions_per_batch < 2 || samples_per_half < 1 ||
      !(r >= 0.0) || !std::isfinite(r)) {
    throw std::invalid_argument(
        "linear_periodic_variance_mc: need d >= 1, r >= 0 finite, batches >= 2, "
        "directions_per_batch >= 2, samples_per_half >= 1");
  }
  const std::size_t K = directions_per_batch, n = samples_per_half;
  std::vector<double> U(batches);
  double g2_sum = 0.0;
  std::size_t P = 0;
  for (std::size_t j = 0; j < batches; ++j) {
    MatrixD V({K, d});
    for (std::size_t k = 0; k < K; ++k) {
      const VectorD v = uniform_on_sphere(d, r, rng);
      for (std::size_t i = 0; i < d; ++i) V(k, i) = v(i);
    }
    MatrixD C[2];  // c_k^A, c_k^B: [K, P]
    for (int half = 0; half < 2; ++half) {
      MatrixD X({n, d});
      for (std::size_t i = 0; i < X.size(); ++i) X.data()[i] = normal(rng);
      const MatrixD Gx = grad(X);
      if (Gx.shape()[0] != n || Gx.shape()[1] == 0 || (P != 0 && Gx.shape()[1] != P)) {
        throw std::invalid_argument("linear_periodic_variance_mc: gradient function returned "
                                    "a matrix of the wrong shape");
      }
      P = Gx.shape()[1];
      g2_sum += gradient_norm_sq(Gx);
      MatrixD Cos({K, n});
      gemm(V.data(), X.data(), Cos.data(), K, n, d, /*b_transposed=*/true, 1.0);
      for (std::size_t i = 0; i < Cos.size(); ++i) Cos.data()[i] = std::cos(Cos.data()[i]);
      C[half] = MatrixD({K, P});
      gemm(Cos.data(), Gx.data(), C[half].data(), K, P, n, /*b_transposed=*/false,
           1.0 / static_cast<double>(n));
    }
    std::vector<double> mA(P, 0.0), mB(P, 0.0);
    for (std::size_t k = 0; k < K; ++k) {
      for (std::size_t q = 0; q < P; ++q) {
        mA[q] += C[0](k, q) / static_cast<double>(K);
        mB[q] += C[1](k, q) / static_cast<double>(K);
      }
    }
    double s = 0.0;
    for (std::size_t k = 0; k < K; ++k) {
      for (std::size_t q = 0; q < P; ++q) s += (C[0](k, q) - mA[q]) * (C[1](k, q) - mB[q]);
    }
    U[j] = s / static_cast<double>(K - 1);
  }
  MonteCarloVariance out;
  for (double u : U) out.variance += u / static_cast<double>(batches);
  double ss = 0.0;
  for (double u : U) ss += (u - out.variance) * (u - out.variance);
  out.se = std::sqrt(ss / static_cast<double>(batches - 1) / static_cast<double>(batches));
  out.G2 = g2_sum / static_cast<double>(2 * batches);
  return out;
}

double dawson(double x_signed) {
  // F is odd: evaluate at |x| so that F(-x) = -F(x) and F(0) = 0 exactly.
  if (x_signed == 0.0 || std::isnan(x_signed)) return x_signed;
  if (x_signed < 0.0) return -dawson(-x_signed);
  const double x = x_signed;
  constexpr double h = 0.2, reach = 7.5;
  const long lo = static_cast<long>(std::floor((x - reach) / h)) - 1;
  const long hi = static_cast<long>(std::ceil((x + reach) / h)) + 1;
  double sum = 0.0;
  for (long n = lo; n <= hi; ++n) {
    if (n % 2 == 0) continue;
    const double e = x - static_cast<double>(n) * h;
    sum += std::exp(-e * e) / static_cast<double>(n);
  }
  return sum / std::sqrt(M_PI);
}

VectorD linear_periodic_correlation(const TwoLayerNet& net, const VectorD& v) {
  check_shapes(net);
  const std::size_t d = net.d(), h = net.h(), P = net.num_params();
  if (v.size() != d) throw std::invalid_argument("linear_periodic_correlation: v must have d entries");
  for (std::size_t j = 0; j < h; ++j) {
    if (net.b(j) != 0.0) {
      throw std::invalid_argument("linear_periodic_correlation: needs zero hidden biases b = 0");
    }
  }
  double r2 = 0.0;
  for (std::size_t i = 0; i < d; ++i) r2 += v(i) * v(i);
  const double mean_cos = std::exp(-0.5 * r2);
  VectorD c = VectorD::from_shape({P});
  c.fill(0.0);
  std::vector<double> u(d), vp(d);
  for (std::size_t j = 0; j < h; ++j) {
    double rho2 = 0.0;
    for (std::size_t i = 0; i < d; ++i) rho2 += net.W(i, j) * net.W(i, j);
    if (rho2 == 0.0) continue;  // z_j = 0: unit never on, all its entries 0
    const double rho = std::sqrt(rho2);
    double alpha = 0.0;
    for (std::size_t i = 0; i < d; ++i) {
      u[i] = net.W(i, j) / rho;
      alpha += v(i) * u[i];
    }
    double beta2 = 0.0;
    for (std::size_t i = 0; i < d; ++i) {
      vp[i] = v(i) - alpha * u[i];
      beta2 += vp[i] * vp[i];
    }
    const double damp = std::exp(-0.5 * beta2);
    const double F = dawson(alpha / std::sqrt(2.0));
    const double K = (1.0 - std::sqrt(2.0) * alpha * F) / std::sqrt(2.0 * M_PI);
    const double L = F / std::sqrt(M_PI);
    const double a = net.a(j, 0);
    for (std::size_t i = 0; i < d; ++i) c(i * h + j) = a * damp * (u[i] * K - vp[i] * L);
    c(d * h + j) = 0.5 * a * mean_cos;
    c(d * h + h + j) = rho * damp * K;
  }
  c(P - 1) = mean_cos;
  return c;
}

double linear_periodic_variance_exact(const TwoLayerNet& net, double r, std::size_t intervals) {
  check_shapes(net);
  if (!(r >= 0.0) || !std::isfinite(r)) {
    throw std::invalid_argument("linear_periodic_variance_exact: r must be finite and >= 0");
  }
  const std::size_t d = net.d(), h = net.h();
  double sum_a2 = 0.0, sum_rho2 = 0.0;
  for (std::size_t j = 0; j < h; ++j) {
    if (net.b(j) != 0.0) {
      throw std::invalid_argument("linear_periodic_variance_exact: needs zero hidden biases b = 0");
    }
    double rho2 = 0.0;
    for (std::size_t i = 0; i < d; ++i) rho2 += net.W(i, j) * net.W(i, j);
    if (rho2 == 0.0) continue;
    sum_a2 += net.a(j, 0) * net.a(j, 0);
    sum_rho2 += rho2;
  }
  if (d == 1) return 0.0;  // v = +-r: t = +-1, beta = 0, X(1) = X(-1), Y = 0
  if (intervals == 0) {
    intervals = static_cast<std::size_t>(std::ceil(std::max(4000.0, 400.0 * r)));
  }
  if (intervals % 2 == 1) ++intervals;
  const std::size_t n = intervals;
  const double step = 0.5 * M_PI / static_cast<double>(n);
  std::vector<double> wt(n + 1), X(n + 1), Y(n + 1);
  double Z = 0.0, EX = 0.0, EY = 0.0;
  for (std::size_t i = 0; i <= n; ++i) {
    const double theta = static_cast<double>(i) * step;
    const double simpson = (i == 0 || i == n) ? 1.0 : (i % 2 == 1 ? 4.0 : 2.0);
    const double s = std::sin(theta);
    wt[i] = simpson * (d == 2 ? 1.0 : std::pow(s, static_cast<double>(d) - 2.0));
    const double alpha = r * std::cos(theta);
    const double beta2 = r * r * s * s;
    const double F = dawson(alpha / std::sqrt(2.0));
    const double K = (1.0 - std::sqrt(2.0) * alpha * F) / std::sqrt(2.0 * M_PI);
    const double L = F / std::sqrt(M_PI);
    X[i] = std::exp(-0.5 * beta2) * K;
    Y[i] = std::exp(-beta2) * beta2 * L * L;
    Z += wt[i];
    EX += wt[i] * X[i];
    EY += wt[i] * Y[i];
  }
  EX /= Z;
  EY /= Z;
  double VX = 0.0;
  for (std::size_t i = 0; i <= n; ++i) VX += wt[i] * (X[i] - EX) * (X[i] - EX);
  VX /= Z;
  return (sum_a2 + sum_rho2) * VX + sum_a2 * EY;
}

MonteCarloVariance linear_periodic_variance_exact_c(const TwoLayerNet& net, double r,
                                                    std::size_t batches,
                                                    std::size_t directions_per_batch,
                                                    Engine& rng) {
  if (batches < 2 || directions_per_batch < 2 || !(r >= 0.0) || !std::isfinite(r)) {
    throw std::invalid_argument(
        "linear_periodic_variance_exact_c: need r >= 0 finite, batches >= 2, "
        "directions_per_batch >= 2");
  }
  const std::size_t K = directions_per_batch, P = net.num_params();
  std::vector<double> U(batches);
  for (std::size_t j = 0; j < batches; ++j) {
    MatrixD C({K, P});
    for (std::size_t k = 0; k < K; ++k) {
      const VectorD c = linear_periodic_correlation(net, uniform_on_sphere(net.d(), r, rng));
      for (std::size_t q = 0; q < P; ++q) C(k, q) = c(q);
    }
    // Unbiased sample variance: K/(K-1) times the mean squared deviation.
    U[j] = row_variance(C) * static_cast<double>(K) / static_cast<double>(K - 1);
  }
  MonteCarloVariance out;
  for (double u : U) out.variance += u / static_cast<double>(batches);
  double ss = 0.0;
  for (double u : U) ss += (u - out.variance) * (u - out.variance);
  out.se = std::sqrt(ss / static_cast<double>(batches - 1) / static_cast<double>(batches));
  out.G2 = std::nan("");  // not computed (no inputs are drawn)
  return out;
}

}  // namespace fgbdl
