// The one model interface of the package, and where a step's gradient comes
// from.
//
// Every learner of every section (the parity network of Section 2, the tuple
// networks and the stocks model of Section 3, the encoders of Section 4, the
// step-function learners of Section 5) is a Model<Batch>: its loss on a batch
// at the current parameters, the same loss with the gradient left in the
// parameters' gradient buffers, and a flat view of the parameters (named
// groups of contiguous float32 weights with their gradient buffers). The
// training loop (loop.h), the optimizers (optimizer.h) and the gradient
// checks (gradient_check.h) see a model only through this interface.
//
// A GradientSource fills the gradient buffers for a step. Backprop asks the
// model for its exact gradient; learners that are not gradient descent
// (perturbation estimates, noisy gradients) are other sources over the same
// models. Feedback alignment (X3) is instead a mode of the MLP (mlp.h:
// set_feedback), whose loss_and_gradient then writes the feedback-aligned
// update: it needs the network's own backward pass, not only its loss.
#ifndef LIB_TRAIN_MODEL_H_
#define LIB_TRAIN_MODEL_H_

#include <cstddef>
#include <string>
#include <vector>

#include "lib/nn/optim.h"

namespace fgbdl {

// One group of parameters: `n` contiguous weights `w` and their gradient
// buffer `dw` (owned by the model; the pointers stay valid for the model's
// lifetime), named after the paper's symbol or the layer ("W1", "b1", "w").
struct Parameter {
  std::string name;
  float* w = nullptr;
  float* dw = nullptr;
  std::size_t n = 0;
};

// What the optimizers take (lib/nn/optim.h).
inline std::vector<ParamRef<float>> param_refs(const std::vector<Parameter>& params) {
  std::vector<ParamRef<float>> refs;
  refs.reserve(params.size());
  for (const Parameter& p : params) refs.push_back({p.w, p.dw, p.n});
  return refs;
}

// Total number of scalars of a parameter list.
inline std::size_t parameter_count(const std::vector<Parameter>& params) {
  std::size_t n = 0;
  for (const Parameter& p : params) n += p.n;
  return n;
}

template <class Batch>
class Model {
 public:
  virtual ~Model() = default;
  // Every parameter group, in a fixed order (the order of the optimizer
  // state and of checkpoints).
  virtual std::vector<Parameter> parameters() = 0;
  // The training objective on `batch` at the current parameters; touches no
  // gradient buffer.
  virtual double loss(const Batch& batch) = 0;
  // The same objective, with its gradient (or, for a model whose objective
  // is not differentiable, the update direction it is trained with; its
  // header says which) written into every group's dw.
  virtual double loss_and_gradient(const Batch& batch) = 0;
};

template <class Batch>
class GradientSource {
 public:
  virtual ~GradientSource() = default;
  // Fills the dw of every parameter of `model` at its current weights for
  // `batch`, and returns the loss of the step.
  virtual double gradient(Model<Batch>& model, const Batch& batch) = 0;
};

// The exact gradient, by the model's own backward pass.
template <class Batch>
class Backprop final : public GradientSource<Batch> {
 public:
  double gradient(Model<Batch>& model, const Batch& batch) override {
    return model.loss_and_gradient(batch);
  }
};

}  // namespace fgbdl

#endif  // LIB_TRAIN_MODEL_H_
