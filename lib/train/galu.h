// A one-hidden-layer gated linear unit (GaLU) network, forward and backward
// side by side, and the exact least-squares solution of its linear part: the
// learner of the extension claim X2 (paper/ext_gating.md), after Fiat,
// Malach and Shalev-Shwartz, "Decoupling gating from linearity" (2019,
// arXiv 1906.05032: the GaLU layer x -> (W x) ⊙ 1[U x > 0], and the
// one-hidden-layer GaLU with scalar output, which is linear in W).
//
// The network, for an input row x [d]:
//   z = x W + b            W [d, k] and b [k] trained (b only with `bias`)
//   g = 1[x U + c > 0]     U [d, k] and c [k] drawn once and never trained
//   f(x) = sum_j z_j g_j   one scalar output
// The output weights of the source's network are fixed to 1 here: a trained
// output weight a_j only rescales column j of W (and of b), so the function
// class is the same, and with them fixed f is linear in (W, b). At a fixed
// gate pattern the training loss is then a convex function of (W, b) for
// any convex loss of f (squared, hinge).
//
// Draws (from the engine given to the constructor, in this order):
//   U      N(0, 1) / (alpha sqrt(d)), row-major (the source's initialization
//          of the gates; without gate biases the gates do not depend on the
//          scale, with them alpha sets the ratio of the two);
//   c      N(0, gate_bias_std^2) per unit when `bias` (0 otherwise);
//   W      truncated normal, std 1 / sqrt(d), as lib/nn/dense.h; b = 0.
//
// Shapes (B = batch): x [B, d]; output and doutput [B, 1].
//
// galu_least_squares: the minimum-norm least-squares (W, b) on a training
// set, in float64 on the k d (+ k) gated features phi(x) = (x_l g_j)_{l,j}
// (and g_j), by LAPACK's dgelsd (an SVD; xt::linalg::lstsq of xtensor-blas),
// which handles the rank-deficient over-parameterized case k d > m by
// returning the solution of smallest norm.
#ifndef LIB_TRAIN_GALU_H_
#define LIB_TRAIN_GALU_H_

#include <cstddef>
#include <utility>
#include <vector>

#include "lib/core/rng.h"
#include "lib/core/tensor.h"
#include "lib/train/mlp.h"
#include "lib/train/model.h"

namespace fgbdl {

struct GaluShape {
  std::size_t d = 0;           // input dimension
  std::size_t k = 0;           // hidden width
  bool bias = false;           // a trained b and a random gate bias c
  double alpha = 1.0;          // U ~ N(0, 1) / (alpha sqrt(d))
  double gate_bias_std = 1.0;  // c ~ N(0, gate_bias_std^2) (with `bias`)
};

class Galu {
 public:
  Galu(const GaluShape& shape, Engine& init);

  // The gates g = 1[x U + c > 0] of the rows of x, as 0/1 floats [B, k].
  void gates(const Matrix& x, Matrix& g) const;
  // The forward pass on x; returns the output [B, 1] (kept for backward()).
  const Matrix& forward(const Matrix& x);
  // The forward pass into `out` [B, 1] without touching the training buffers.
  void predict(const Matrix& x, Matrix& out) const;
  // d loss / d output, to be filled by the caller after forward().
  Matrix& doutput();
  // dW = x^T (doutput ⊙ g), db = column sums of doutput ⊙ g (overwritten).
  void backward(const Matrix& x);

  // "W" (and "b" with `bias`): the trained linear part only; U and c are not
  // parameters.
  std::vector<Parameter> parameters();
  const GaluShape& shape() const { return shape_; }
  const Matrix& W() const { return W_; }
  const Vector& b() const { return b_; }
  const Matrix& U() const { return U_; }
  const Vector& c() const { return c_; }
  // Number of gated features (= trained scalars): k d, plus k with `bias`.
  std::size_t features() const { return shape_.k * (shape_.d + (shape_.bias ? 1 : 0)); }
  // Sets W and b from a feature-ordered vector theta [features()]: W[l, j] =
  // theta[l k + j], b[j] = theta[d k + j].
  void set_linear_part(const std::vector<double>& theta);

 private:
  // Gates g, linear values z and the output of x, into the given buffers.
  void output(const Matrix& x, Matrix& g, Matrix& z, Matrix& out) const;

  GaluShape shape_;
  Matrix U_, W_, dW_;
  Vector c_, b_, db_;
  Matrix z_, g_, out_, dout_, dz_;
};

// The gated features of the rows of x at `net`'s gates, in float64 [B,
// features()], in set_linear_part's order.
MatrixD galu_features(const Galu& net, const Matrix& x);

// Sets net's W (and b) to the minimum-norm least-squares fit of y [m, 1] on x
// [m, d] (dgelsd) and returns the float64 training loss of that fit,
// (1/m) sum_i (f(x_i) - y_i)^2 / 2, computed from the float64 solution.
double galu_least_squares(Galu& net, const Matrix& x, const Matrix& y);

// A Galu trained with one of lib/nn/loss.h's losses of its output and y
// (squared_loss<float>, hinge_loss<float>), on MlpModel's batches.
using GaluModel = NetworkModel<Galu>;

}  // namespace fgbdl

#endif  // LIB_TRAIN_GALU_H_
