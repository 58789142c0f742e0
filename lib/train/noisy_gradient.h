// Noisy gradient descent: the exact gradient plus independent Gaussian noise
// N(0, tau^2) on every entry, the learner of claim X5 (paper/ext_noise.md)
// after Abbe and Sandon, "Provable limitations of deep learning" (arXiv
// 1812.06369) and "Poly-time universality and limitations of deep learning"
// (arXiv 2001.02992), whose negative result is about gradient descent with
// full or large batches whose gradients carry such noise.
//
// The step's gradient is the model's own backward pass (as Backprop), then
// dw_i += tau * xi_i with xi_i ~ N(0, 1) drawn in parameter order (the
// model's groups in order, each group's entries in order) from the source's
// engine by lib/core/rng.h's normal() and rounded to float32. With tau = 0
// nothing is drawn and the gradient is Backprop's, bit for bit. The engine
// is the source's own stream: a training run lists engine() among its
// TrainingRun::engines, so that the loop's checkpoints save and restore it.
#ifndef LIB_TRAIN_NOISY_GRADIENT_H_
#define LIB_TRAIN_NOISY_GRADIENT_H_

#include <stdexcept>
#include <utility>
#include <vector>

#include "lib/core/rng.h"
#include "lib/train/model.h"

namespace fgbdl {

template <class Batch>
class NoisyGradient final : public GradientSource<Batch> {
 public:
  // tau >= 0 (finite): the noise's standard deviation per entry.
  NoisyGradient(double tau, Engine noise) : tau_(tau), noise_(std::move(noise)) {
    if (!(tau >= 0) || tau > 1e30)
      throw std::invalid_argument("NoisyGradient: tau must be finite and >= 0");
  }
  double gradient(Model<Batch>& model, const Batch& batch) override {
    const double loss = model.loss_and_gradient(batch);
    if (tau_ > 0) {
      for (const Parameter& p : model.parameters())
        for (std::size_t i = 0; i < p.n; ++i)
          p.dw[i] += static_cast<float>(tau_ * normal(noise_));
    }
    return loss;
  }
  double tau() const { return tau_; }
  Engine& engine() { return noise_; }

 private:
  double tau_;
  Engine noise_;
};

}  // namespace fgbdl

#endif  // LIB_TRAIN_NOISY_GRADIENT_H_
