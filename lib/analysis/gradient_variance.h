// The gradient variance of Theorem 1 (paper Section 2, "Parities and
// Linear-Periodic Functions"; claim T1) and of Theorem 2 (Shamir 2016,
// linear-periodic targets; claim T2; both in paper/sec2_parity.md).
//
// For a family H of targets h and a predictor p_w with per-sample gradient
// g(x) = d p_w(x) / dw,
//   F_h(w)       = E_x[ loss(p_w(x), h(x)) ],
//   grad F_h(w)  = E_x[ loss'(p_w(x), h(x)) g(x) ]        (loss' = d/dp),
//   Var(H, F, w) = E_h || grad F_h(w) - E_h' grad F_h'(w) ||^2,  h uniform on H,
//   G(w)^2       = E_x || g(x) ||^2.
// Theorem 1: if the h are orthogonal with E[h^2] <= 1 and the loss is the
// square loss or r(y p) with r 1-Lipschitz and h ∈ {±1}, then
// Var(H, F, w) <= G(w)^2 / |H|.
//
// Losses (lib/nn's conventions, derivative in p):
//   square  (p - y)^2 / 2     loss' = p - y
//   hinge   max(0, 1 - y p)   loss' = -y 1[y p < 1]   (0 at the kink y p = 1)
//
// Exact variance over all 2^d parities by the Walsh-Hadamard transform
// (walsh_hadamard.h; x uniform on {±1}^d, rows of G in its index order):
//   square:  grad F_S = E[p g] - E[chi_S g], so only -E[chi_S g] = WHT(-g)(S)
//            depends on S;
//   hinge:   with y = chi_S ∈ {±1}, -y 1[y p < 1] = y a(x) + b(x) where
//              a = -(1[p < 1] + 1[p > -1]) / 2,  b = (1[p > -1] - 1[p < 1]) / 2
//            (y = +1: a + b = -1[p < 1]; y = -1: -a + b = 1[p > -1]), so
//            grad F_S = E[chi_S a g] + E[b g] = WHT(a g)(S) + const.
//   Either way Var = 2^-d sum_S || WHT(w g)(S) - mean_S ||^2 with w = -1 or
//   w = a, in O(P d 2^d). By Parseval, sum_S ||WHT(w g)(S)||^2 = E||w g||^2
//   and mean_S WHT(w g)(S) = 2^-d w(x_0) g(x_0) (x_0 = all ones, index 0), so
//   exactly  Var = 2^-d E_x||w g||^2 - 4^-d ||w(x_0) g(x_0)||^2 <= G^2 / 2^d
//   (|w| <= 1): the theorem, with its slack spelled out.
#ifndef LIB_ANALYSIS_GRADIENT_VARIANCE_H_
#define LIB_ANALYSIS_GRADIENT_VARIANCE_H_

#include <cstddef>
#include <functional>

#include "lib/analysis/per_sample_gradients.h"
#include "lib/core/rng.h"
#include "lib/core/tensor.h"

namespace fgbdl {

enum class LossKind { kSquare, kHinge };

// d/dp loss(p, y) (see above).
inline double loss_derivative(LossKind loss, double p, double y) {
  if (loss == LossKind::kSquare) return p - y;
  return y * p < 1.0 ? -y : 0.0;
}

// E_x ||g(x)||^2 for per-sample gradients G [N, P], x uniform over the rows.
double gradient_norm_sq(const MatrixD& G);

// (1/M) sum_m ||R_m - mean_m' R_m'||^2 over the rows of R [M, P] (two passes).
double row_variance(const MatrixD& R);

// grad F_h for every target: Y [M, N] holds h_m(x_n); G [N, P] the
// per-sample gradients, p [N] the predictions, x uniform over the N rows.
// Returns [M, P], row m = (1/N) sum_n loss'(p_n, Y(m, n)) G(n, :). O(M N P).
MatrixD family_gradients(const MatrixD& G, const VectorD& p, const MatrixD& Y, LossKind loss);

// (a) Exact Var(H, F, w) over an arbitrary finite family by enumeration:
// row_variance(family_gradients(G, p, Y, loss)). O(M N P).
double gradient_variance_enumerate(const MatrixD& G, const VectorD& p, const MatrixD& Y,
                                   LossKind loss);

// The [2^d, 2^d] parity targets Y(S, idx) = chi_S(x_idx).
MatrixD parity_targets(int d);

// (b) grad F_S for all 2^d parities through the WHT: [2^d, P], row S.
// G must have 2^d rows in hypercube index order. O(P d 2^d).
MatrixD parity_family_gradients(const MatrixD& G, const VectorD& p, LossKind loss);

// (b) Exact Var(H, F, w) over all 2^d parities through the WHT (computed
// from the S-dependent part only, so nothing large cancels). O(P d 2^d).
double gradient_variance_parities(const MatrixD& G, const VectorD& p, LossKind loss);

// (d) Monte Carlo estimate of the Theorem 2 variance for the square loss:
//   Var_v(c_v) = E_v || c_v - E_v' c_v' ||^2,  c_v = E_x[cos(<v, x>) g(x)],
// v uniform on the sphere of radius r in R^d, x ~ N(0, I_d). (With the
// square loss grad F_v = E[p g] - c_v, so Var(H, F, w) = Var_v(c_v); the
// predictions do not enter.)
//
// Estimator (unbiased, free of the finite-sample bias of plugging in noisy
// c_v): `batches` independent replicates j; each draws K =
// `directions_per_batch` directions v_1..v_K and two independent samples A,
// B of n = `samples_per_half` inputs, forms the sample means
// c_k^A = (1/n) sum_{x in A} cos(<v_k, x>) g(x) (likewise c_k^B) and their
// means over k, m^A and m^B, and
//   U_j = 1/(K-1) sum_k < c_k^A - m^A, c_k^B - m^B >.
// Given the directions, A and B are independent with E[c_k^A] = E[c_k^B] =
// c_{v_k}, so E[<c_k^A, c_k^B>] = ||c_{v_k}||^2 and E[<m^A, m^B>] = ||m||^2
// (m the mean of the c_{v_k}); hence E[U_j | v] = 1/(K-1) sum_k ||c_{v_k} - m||^2,
// the unbiased sample variance of the K exact c_v, whose expectation is
// Var_v(c_v). The noise of A and B enters only through products of
// independent zero-mean terms, so it adds variance but no bias (unlike
// ||c^A - m^A||^2, whose mean exceeds the truth by E||noise||^2 ~ G^2 / n).
// The U_j are i.i.d. (fresh directions and inputs per replicate), so
//   variance = mean_j U_j,  se = sd_j(U_j) / sqrt(batches)
// is an honest standard error, covering both the direction and the input
// sampling. The estimate can be negative when the true variance is below
// its resolution. Within a replicate the work is two GEMMs:
// [K, d] x [d, n] and cos(.) [K, n] x G [n, P].
struct MonteCarloVariance {
  double variance = 0.0;
  double se = 0.0;
  double G2 = 0.0;  // E_x ||g||^2 estimated on all the inputs drawn (NaN if none)
};

// Per-sample gradients [N, P] of the predictor at inputs X [N, d].
using GradientFn = std::function<MatrixD(const MatrixD& X)>;

// A point uniform on the sphere of radius r in R^d (normalised Gaussian).
VectorD uniform_on_sphere(std::size_t d, double r, Engine& rng);

MonteCarloVariance linear_periodic_variance_mc(std::size_t d, double r, const GradientFn& grad,
                                               std::size_t batches,
                                               std::size_t directions_per_batch,
                                               std::size_t samples_per_half, Engine& rng);

// Dawson's integral F(x) = e^{-x^2} int_0^x e^{y^2} dy, by Rybicki's sum
//   F(x) = lim_{h -> 0} pi^{-1/2} sum_{n odd} e^{-(x - n h)^2} / n
// (G. B. Rybicki, Computers in Physics 3(2), 85, 1989; Press et al.,
// Numerical Recipes, 3rd ed., section 6.9) with h = 0.2 (truncation error
// ~ e^{-(pi/(2h))^2} = e^{-61.7}) and the terms with |x - n h| <= 7.5 (the
// rest is below e^{-56}): about 1e-15 relative.
double dawson(double x);

// (e) Exact c_v = E_x[cos(<v, x>) g(x)], x ~ N(0, I_d), for the two-layer
// network of per_sample_gradients.h with zero hidden biases b = 0 (its
// initialization), in the same parameter order. For hidden unit j write its
// weight column w_j = rho_j u_j (|u_j| = 1), t = <u_j, x> ~ N(0, 1),
// alpha = <v, u_j>, v_perp = v - alpha u_j, beta^2 = |v_perp|^2, and
// s = <v_perp, x> ~ N(0, beta^2), independent of t. Then
// cos(<v, x>) = cos(alpha t) cos s - sin(alpha t) sin s, E[cos s] = e^{-beta^2/2},
// and Stein's lemma E[x_i sin s] = (v_perp)_i e^{-beta^2/2} (for the part of x
// orthogonal to u_j) give
//   dp/dc:    e^{-r^2/2}
//   dp/db_j:  a_j E[cos(<v,x>) 1[t > 0]] = a_j e^{-r^2/2} / 2      (x -> -x symmetry)
//   dp/da_j:  rho_j e^{-beta^2/2} K(alpha)
//   dp/dW_.j: a_j e^{-beta^2/2} [ u_j K(alpha) - v_perp L(alpha) ]
// with K(alpha) = E[t cos(alpha t) 1[t > 0]] = (1 - sqrt(2) alpha F(alpha/sqrt(2))) / sqrt(2 pi)
// (integration by parts and int_0^inf sin(alpha t) e^{-t^2/2} dt =
// sqrt(2) F(alpha/sqrt(2))) and L(alpha) = E[sin(alpha t) 1[t > 0]] =
// F(alpha/sqrt(2)) / sqrt(pi). For large alpha, K ~ -1/(sqrt(2 pi) alpha^2) and
// L ~ 1/(sqrt(2 pi) alpha): the ReLU kinks make c_v decay only polynomially
// in the component of v along u_j (and like e^{-beta^2/2} across it).
// Throws std::invalid_argument unless b = 0 and v has d entries.
VectorD linear_periodic_correlation(const TwoLayerNet& net, const VectorD& v);

// Var_v(c_v) over v uniform on the sphere of radius r with the exact c_v
// above: `batches` i.i.d. groups of `directions_per_batch` directions, each
// group's unbiased sample variance of c_v; variance = their mean (unbiased),
// se = their sd / sqrt(batches). No input sampling at all, so it checks the
// split-sample estimator and reaches far smaller variances. Requires b = 0.
MonteCarloVariance linear_periodic_variance_exact_c(const TwoLayerNet& net, double r,
                                                    std::size_t batches,
                                                    std::size_t directions_per_batch,
                                                    Engine& rng);

// (f) Var_v(c_v) exactly (to quadrature precision) for the zero-bias network,
// v uniform on the sphere of radius r in R^d. From (e): the db and dc entries
// do not depend on v; unit j's dW and da entries depend on v only through
// alpha = r t, t = <v, u_j> / r, beta^2 = r^2 (1 - t^2), and given t the
// direction of v_perp is uniform, so E_v[v_perp | t] = 0. Writing
// X(t) = e^{-beta^2/2} K(alpha) and Y(t) = e^{-beta^2} beta^2 L(alpha)^2,
//   Var_v(c_v) = sum_j [ (a_j^2 + rho_j^2) Var_t(X) + a_j^2 E_t[Y] ]
// (units with rho_j = 0 contribute 0), where t has the density of one
// coordinate of a uniform unit vector, proportional to (1 - t^2)^{(d-3)/2}
// on [-1, 1] (t = +-1 with probability 1/2 each when d = 1). With t = cos(theta)
// the weight is sin(theta)^{d-2} d theta on [0, pi]; X and Y are even in t,
// so the integrals run over [0, pi/2] by composite Simpson with `intervals`
// panels (0: max(4000, 400 r), rounded up to even), normalised by the same
// rule's integral of the weight. The integrand varies on the scale
// theta ~ 1/r near alignment (theta = 0), which the default mesh resolves
// with >= 400 points per unit of r theta. Two passes (mean, then squared
// deviations) avoid cancellation in Var_t(X). Throws unless b = 0.
double linear_periodic_variance_exact(const TwoLayerNet& net, double r, std::size_t intervals = 0);

}  // namespace fgbdl

#endif  // LIB_ANALYSIS_GRADIENT_VARIANCE_H_
