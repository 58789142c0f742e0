// The optimizers behind one interface, with their state saved in
// checkpoints: plain SGD (Section 2 of the paper) and Adam as TensorFlow 1's
// AdamOptimizer, which the authors' scripts use in Sections 3 to 5. The
// arithmetic is lib/nn/optim.h's (Sgd, adam_step); this file adds the
// interface and the state's round trip through a checkpoint.
#ifndef LIB_TRAIN_OPTIMIZER_H_
#define LIB_TRAIN_OPTIMIZER_H_

#include <memory>
#include <vector>

#include "lib/nn/optim.h"
#include "lib/train/checkpoint.h"

namespace fgbdl {

class Optimizer {
 public:
  virtual ~Optimizer() = default;
  // Updates every w from its dw. The list must be the same (count and
  // sizes) at every step.
  virtual void step(const std::vector<ParamRef<float>>& params) = 0;
  // The optimizer's state, for checkpoints: a run continued from a loaded
  // state is bit-identical to an uninterrupted one.
  virtual void save(CheckpointWriter& w) const = 0;
  virtual void load(CheckpointReader& r) = 0;
};

// w -= lr dw; no state.
class SgdOptimizer final : public Optimizer {
 public:
  explicit SgdOptimizer(double lr) : sgd_{lr} {}
  void step(const std::vector<ParamRef<float>>& params) override { sgd_.step<float>(params); }
  void save(CheckpointWriter&) const override {}
  void load(CheckpointReader&) override {}

 private:
  Sgd sgd_;
};

// lib/nn/optim.h's adam_step with its hyper-parameters and state.
class AdamOptimizer final : public Optimizer {
 public:
  AdamOptimizer(double lr, double beta1, double beta2, double eps)
      : lr_(lr), beta1_(beta1), beta2_(beta2), eps_(eps) {}
  void step(const std::vector<ParamRef<float>>& params) override {
    adam_step(state_, lr_, beta1_, beta2_, eps_, params);
  }
  void save(CheckpointWriter& w) const override;
  void load(CheckpointReader& r) override;
  const AdamState<float>& state() const { return state_; }

 private:
  double lr_, beta1_, beta2_, eps_;
  AdamState<float> state_;
};

}  // namespace fgbdl

#endif  // LIB_TRAIN_OPTIMIZER_H_
