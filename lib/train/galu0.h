// A deep GaLU network whose every hidden layer takes its gates from the
// input ("GaLU0" of Fiat, Malach and Shalev-Shwartz, "Decoupling gating from
// linearity", 2019, arXiv 1906.05032), forward and backward side
// by side: the many-layer learner of the extension claim X2
// (paper/ext_gating.md).
//
// Layer l (l = 1..L hidden, then one linear output layer), with a_0 = x:
//   z_l = a_{l-1} W_l + b_l                 W_l, b_l trained
//   g_l = 1[x U_l + c_l > 0]                U_l [d, width_l], c_l drawn once, never trained
//   a_l = z_l ⊙ g_l
//   output = a_L W_{L+1} + b_{L+1}
// The gates depend on the input only, so at fixed gates the network is a
// product of linear maps (not convex for L >= 1 with a trained output layer,
// but with no gate moving during training).
//
// Draws (from the engine given to the constructor): for l = 1..L, U_l ~
// N(0, 1) / (alpha sqrt(d)) row-major, then c_l ~ N(0, gate_bias_std^2);
// then the dense layers input side first, as lib/nn/dense.h (truncated
// normal, std 1 / sqrt(fan_in); biases 0).
//
// Shapes (B = batch): x [B, d]; g_l, z_l, a_l [B, widths[l]]; output and
// doutput [B, widths.back()].
#ifndef LIB_TRAIN_GALU0_H_
#define LIB_TRAIN_GALU0_H_

#include <cstddef>
#include <vector>

#include "lib/core/rng.h"
#include "lib/core/tensor.h"
#include "lib/nn/dense.h"
#include "lib/train/model.h"

namespace fgbdl {

class Galu0 {
 public:
  // widths = {d, width_1, ..., width_L, out}, L >= 1.
  Galu0(const std::vector<std::size_t>& widths, double alpha, double gate_bias_std, Engine& init);

  const Matrix& forward(const Matrix& x);
  void predict(const Matrix& x, Matrix& out) const;
  Matrix& doutput();
  // Every layer's dW and db (overwritten) from doutput(); x is the input of
  // the last forward().
  void backward(const Matrix& x);
  // W1, b1, ..., W_{L+1}, b_{L+1}; the gates are not parameters.
  std::vector<Parameter> parameters();
  // The gates g_l (l = 0..L-1) of the rows of x, as 0/1 floats.
  void gates(std::size_t l, const Matrix& x, Matrix& g) const;

 private:
  // The forward pass into the given buffers (one per hidden layer).
  void run(const Matrix& x, std::vector<Matrix>& g, std::vector<Matrix>& a, Matrix& out) const;

  std::vector<Matrix> U_;
  std::vector<Vector> c_;
  std::vector<Dense<float>> layers_;
  std::vector<Matrix> g_, a_;
  Matrix out_, dout_, da_, dz_;
};

}  // namespace fgbdl

#endif  // LIB_TRAIN_GALU0_H_
