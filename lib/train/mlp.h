// A stack of dense layers with ReLUs between them: the multi-layer
// perceptrons of the paper's networks (the Section 2 parity network, the
// Section 5 end-to-end and multi-class networks, the Section 4
// auto-encoder), forward and backward side by side.
//
// Layer l maps widths[l] -> widths[l + 1]: z_l = a_{l-1} W_l + b_l with
// a_{-1} = x, and a_l = relu(z_l) where relu_after[l] is set, a_l = z_l
// otherwise. The output is z_{L-1}. Initialization as lib/nn/dense.h
// (truncated normal, std 1/sqrt(fan_in); biases 0), layer by layer from one
// engine.
//
// Shapes (B = batch): x [B, widths[0]], z_l and a_l [B, widths[l + 1]],
// output and doutput [B, widths.back()].
//
// Feedback alignment (Lillicrap, Cownden, Tweed, Akerman 2016, "Random
// synaptic feedback weights support error backpropagation for deep
// learning", Nature Communications 7:13276; the package's X3,
// paper/ext_feedback.md): with feedback matrices set, backward() sends the
// error from layer l down to layer l - 1 through a fixed matrix B_l of W_l's
// shape instead of W_l itself, da_{l-1} = dz_l B_l^T; every layer's dW_l =
// a_{l-1}^T dz_l and db_l are computed from that error as in
// back-propagation. The top layer's gradient is therefore exact, the layers
// below follow the feedback-aligned signal.
#ifndef LIB_TRAIN_MLP_H_
#define LIB_TRAIN_MLP_H_

#include <cstddef>
#include <utility>
#include <vector>

#include "lib/core/rng.h"
#include "lib/core/tensor.h"
#include "lib/nn/dense.h"
#include "lib/train/model.h"

namespace fgbdl {

// W1, b1, W2, b2, ... of a stack of dense layers (numbered from 1, input
// side first): the parameters of Mlp and of lib/train/galu0.h's Galu0.
std::vector<Parameter> dense_parameters(std::vector<Dense<float>>& layers);

class Mlp {
 public:
  Mlp() = default;
  // A ReLU after every layer but the last.
  Mlp(const std::vector<std::size_t>& widths, Engine& init);
  // A ReLU after layer l where relu_after[l] (one flag per layer).
  Mlp(const std::vector<std::size_t>& widths, const std::vector<bool>& relu_after, Engine& init);

  // The forward pass on x; returns the output (kept for backward()).
  const Matrix& forward(const Matrix& x);
  // The forward pass into `out` without touching the training buffers.
  void predict(const Matrix& x, Matrix& out) const;
  // d loss / d output, to be filled by the caller after forward(); shaped
  // like the output.
  Matrix& doutput();
  // Back-propagates doutput() to every layer's dW and db; x is the input of
  // the last forward().
  void backward(const Matrix& x);
  // d loss / d x of the last backward(), into dx [B, widths[0]]: for a
  // stack that sits on top of other layers (lib/train/patch_net.h).
  void input_gradient(Matrix& dx) const;

  // Feedback alignment: B[l] (W_l's shape, [widths[l], widths[l + 1]]) for
  // every layer l >= 1 carries the error to layer l - 1 in backward();
  // B[0] is never used and may be empty. An empty list restores
  // back-propagation. Throws std::invalid_argument on a shape mismatch.
  void set_feedback(std::vector<Matrix> B);
  const std::vector<Matrix>& feedback() const { return feedback_; }

  // W1, b1, W2, b2, ... (numbered from 1, input side first).
  std::vector<Parameter> parameters();
  std::vector<Dense<float>>& layers() { return layers_; }
  const std::vector<Dense<float>>& layers() const { return layers_; }
  const Matrix& output() const { return z_.back(); }
  // The activation a_l of the last forward().
  const Matrix& activation(std::size_t l) const { return relu_after_[l] ? a_[l] : z_[l]; }

 private:
  std::vector<Dense<float>> layers_;
  std::vector<bool> relu_after_;
  std::vector<Matrix> z_, a_, dz_, da_;
  std::vector<Matrix> feedback_;  // empty: back-propagation
};

// Fixed random feedback matrices for `mlp` (B[0] empty): B_l drawn as a fresh
// W_l of lib/nn/dense.h (normal(0, 1/fan_in) truncated at 2 std), layer by
// layer from `rng`, in row-major order.
std::vector<Matrix> draw_feedback(const Mlp& mlp, Engine& rng);

// A batch of inputs x [B, in] with targets y [B, out].
struct XYBatch {
  Matrix x, y;
};

// A network trained with one of lib/nn/loss.h's losses of its output and y
// (hinge_loss<float>, squared_loss<float>, ...). `Net` has forward(x),
// predict(x, out) const, doutput(), backward(x) and parameters(), as Mlp:
// MlpModel is the parity network of E2.1 and the network of T2's training;
// lib/train/galu.h's GaluModel is the GaLU network of X2.
template <class Net>
class NetworkModel final : public Model<XYBatch> {
 public:
  // The loss of scores [B, out] against y, writing d loss / d score.
  using LossFn = float (*)(const Matrix& score, const Matrix& y, Matrix& dscore);
  NetworkModel(Net net, LossFn loss) : net_(std::move(net)), loss_(loss) {}
  std::vector<Parameter> parameters() override { return net_.parameters(); }
  double loss(const XYBatch& b) override {
    Matrix score, dscore;
    net_.predict(b.x, score);
    return loss_(score, b.y, dscore);
  }
  double loss_and_gradient(const XYBatch& b) override {
    const float loss = loss_(net_.forward(b.x), b.y, net_.doutput());
    net_.backward(b.x);
    return loss;
  }
  // The scores of x, in buffers of their own.
  void predict(const Matrix& x, Matrix& score) const { net_.predict(x, score); }
  Net& net() { return net_; }
  const Net& net() const { return net_; }

 private:
  Net net_;
  LossFn loss_;
};

using MlpModel = NetworkModel<Mlp>;

// The angle in degrees between the update feedback alignment gives `net`
// (with its feedback matrices) on batch b and the exact gradient of `loss`
// there (back-propagation), over the parameters below the top layer (W_1,
// b_1, ..., W_{L-1}, b_{L-1}: the top layer's two are equal), flattened into
// one vector each: acos(u.v / (|u| |v|)) in float64. NaN when either is zero
// or the net has one layer. The source's measure of alignment (its Figure 2).
double feedback_angle_deg(const Mlp& net, const XYBatch& b, MlpModel::LossFn loss);

}  // namespace fgbdl

#endif  // LIB_TRAIN_MLP_H_
