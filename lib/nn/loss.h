// Losses on a batch of scores: hinge (Sections 2 and 3 of the paper: the
// parity network E2.1 and the tuple networks E3.1, E3.2) and squared
// (Theorem 1's square loss, and the Section 4 and 5 regressions).
//
// Shapes (B = batch size, K = outputs per example):
//   score [B, K]    y [B, K]    dscore [B, K]
// Each loss is a sum over the K columns, averaged over the B rows, and
// returns its value; dscore is set to d(loss)/d(score) (resized only when
// its shape differs). Shape mismatches and empty batches (B = 0) throw
// std::invalid_argument. The value is accumulated in double and rounded to
// T. Instantiated for float and double.
#ifndef LIB_NN_LOSS_H_
#define LIB_NN_LOSS_H_

#include <xtensor/xtensor.hpp>

namespace fgbdl {

// (1/B) sum_{r,k} max(0, 1 - y score), y in {-1, +1}.
// dscore = -y/B where 1 - y score > 0, else 0 (at the kink 0, as TensorFlow's
// gradient of tf.maximum(0., 1 - y score) in the paper's scripts).
template <class T>
T hinge_loss(const xt::xtensor<T, 2>& score, const xt::xtensor<T, 2>& y, xt::xtensor<T, 2>& dscore);

// (1/B) sum_{r,k} (score - y)^2 / 2;  dscore = (score - y) / B.
template <class T>
T squared_loss(const xt::xtensor<T, 2>& score, const xt::xtensor<T, 2>& y,
               xt::xtensor<T, 2>& dscore);

}  // namespace fgbdl

#endif  // LIB_NN_LOSS_H_
