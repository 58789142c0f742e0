#include "experiments/sec3_decomposition/tuple_network.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <stdexcept>

#include "lib/nn/loss.h"
#include "lib/nn/relu.h"
#include "lib/nn/sigmoid.h"

namespace fgbdl {
namespace {

template <class A, class S>
void resize_to(A& t, const S& shape) {
  if (!(t.shape() == shape)) t.resize(shape);
}

// Copies the contiguous storage of `src` into `dst` of another shape with
// the same number of elements (a reshape that keeps dst's buffer).
template <class D, class S, class Shape>
void reshape_copy(const S& src, D& dst, const Shape& shape) {
  resize_to(dst, shape);
  std::copy(src.data(), src.data() + src.size(), dst.data());
}

// dst = src reshaped, by exchanging their buffers (no copy): dst is first
// given `shape`, then the two swap storage, which holds as many elements;
// src is left with dst's old values (the callers no longer read them).
template <class D, class S, class Shape>
void reshape_swap(S& src, D& dst, const Shape& shape) {
  resize_to(dst, shape);
  if (dst.size() != src.size()) throw std::logic_error("reshape_swap: sizes differ");
  using std::swap;
  swap(src.storage(), dst.storage());
}

template <class T>
std::size_t tuples_of(const TupleNetwork<T>& net, const xt::xtensor<T, 4>& images) {
  const std::size_t k = static_cast<std::size_t>(net.k);
  if (net.k < 1 || images.shape(0) % k != 0) {
    throw std::invalid_argument("tuple network: " + std::to_string(images.shape(0)) +
                                " images is not a whole number of tuples of k = " +
                                std::to_string(net.k));
  }
  return images.shape(0) / k;
}

// N2 from the image scores in ws.score: ws.out.
template <class T>
void n2_forward(const TupleNetwork<T>& net, std::size_t B, TupleWorkspace<T>& ws) {
  const std::size_t k = static_cast<std::size_t>(net.k);
  reshape_copy(ws.score, ws.scores_by_tuple, std::array<std::size_t, 2>{B, k});
  sigmoid_forward(ws.scores_by_tuple, ws.s);
  dense_forward(net.mid, ws.s, ws.z5);
  relu_forward(ws.z5, ws.a5);
  dense_forward(net.out, ws.a5, ws.out);
}

// Hinge terms summed (not averaged) and correct count, from ws.score, ws.out.
template <class T>
TupleEvaluation evaluation_from(const LineTupleBatch<T>& batch, const TupleWorkspace<T>& ws) {
  TupleEvaluation e;
  e.tuples = static_cast<std::int64_t>(ws.out.shape(0));
  e.images = static_cast<std::int64_t>(ws.score.shape(0));
  for (std::size_t b = 0; b < ws.out.shape(0); ++b) {
    const double margin = static_cast<double>(batch.tuple_labels(b, 0)) * ws.out(b, 0);
    e.correct += margin > 0;
    e.tuple_hinge_sum += std::max(0.0, 1.0 - margin);
  }
  for (std::size_t i = 0; i < ws.score.shape(0); ++i) {
    const double margin = static_cast<double>(batch.image_labels(i, 0)) * ws.score(i, 0);
    e.image_hinge_sum += std::max(0.0, 1.0 - margin);
  }
  return e;
}

}  // namespace

std::string to_string(TupleApproach a) { return a == TupleApproach::kEndToEnd ? "e2e" : "dec"; }
std::string to_string(ConvInitRule r) { return r == ConvInitRule::kFanIn ? "fan_in" : "script"; }

template <class T>
TupleNetwork<T> tuple_network_init(int k, ConvInitRule rule, Engine& rng) {
  if (k < 1) throw std::invalid_argument("tuple_network_init: k = " + std::to_string(k) + ", expected >= 1");
  TupleNetwork<T> net;
  net.k = k;
  const bool script = rule == ConvInitRule::kScript;
  net.conv1 = conv2d_init<T>(kConvKernel, kConvKernel, 1, kConvChannels, rng,
                             script ? 1.0 / std::sqrt(28.0) : conv2d_fan_in_stddev(5, 5, 1));
  net.conv2 = conv2d_init<T>(kConvKernel, kConvKernel, kConvChannels, kConvChannels, rng,
                             script ? 1.0 / std::sqrt(16.0) : conv2d_fan_in_stddev(5, 5, 16));
  net.fc1 = dense_init<T>(kFlatSize, kFc1Width, rng);
  net.fc2 = dense_init<T>(kFc1Width, kFc2Width, rng);
  net.score = dense_init<T>(kFc2Width, 1, rng);
  net.mid = dense_init<T>(static_cast<std::size_t>(k), kMidWidth, rng);
  net.out = dense_init<T>(kMidWidth, 1, rng);
  return net;
}

template <class T>
void n1_forward(const TupleNetwork<T>& net, const xt::xtensor<T, 4>& images,
                TupleWorkspace<T>& ws) {
  const std::size_t N = images.shape(0);
  // The line images have ~11 of 784 pixels lit: the first block scatters
  // them, the second convolves conv1's bias field once and the listed rows.
  conv_pool_sparse_forward(net.conv1, images, ws.p1, ws.first_block);
  conv_pool_rows_forward(net.conv2, ws.p1, ws.p2, ws.argmax2, ws.second_block);
  reshape_swap(ws.p2, ws.flat, std::array<std::size_t, 2>{N, kFlatSize});
  dense_forward(net.fc1, ws.flat, ws.z3);
  relu_forward(ws.z3, ws.a3);
  dense_forward(net.fc2, ws.a3, ws.z4);
  relu_forward(ws.z4, ws.a4);
  dense_forward(net.score, ws.a4, ws.score);
}

template <class T>
void tuple_forward(const TupleNetwork<T>& net, const xt::xtensor<T, 4>& images,
                   TupleWorkspace<T>& ws) {
  const std::size_t B = tuples_of(net, images);
  n1_forward(net, images, ws);
  n2_forward(net, B, ws);
}

template <class T>
T tuple_loss_and_gradients(TupleNetwork<T>& net, const LineTupleBatch<T>& batch,
                           TupleApproach approach, TupleWorkspace<T>& ws) {
  const xt::xtensor<T, 4>& images = batch.images;
  const std::size_t B = tuples_of(net, images), N = images.shape(0);
  n1_forward(net, images, ws);
  n2_forward(net, B, ws);

  // N2 backward, from the tuple hinge.
  T loss = hinge_loss(ws.out, batch.tuple_labels, ws.dout);
  dense_backward(net.out, ws.a5, ws.dout);
  dense_backward_input(net.out.W, ws.dout, ws.da5);
  relu_backward(ws.z5, ws.da5, ws.dz5);
  dense_backward(net.mid, ws.s, ws.dz5);
  dense_backward_input(net.mid.W, ws.dz5, ws.ds);
  sigmoid_backward(ws.s, ws.ds, ws.dscores);
  // dL/dscore [N, 1]: the [B, k] gradient in image order (same storage).
  reshape_copy(ws.dscores, ws.dscore, std::array<std::size_t, 2>{N, 1});
  if (approach == TupleApproach::kDecomposition) {
    loss += hinge_loss(ws.score, batch.image_labels, ws.dscore_image);
    T* d = ws.dscore.data();
    const T* e = ws.dscore_image.data();
    for (std::size_t i = 0; i < N; ++i) d[i] += e[i];
  }

  // N1 backward, all N images at once: shared weights sum over the k copies.
  dense_backward(net.score, ws.a4, ws.dscore);
  dense_backward_input(net.score.W, ws.dscore, ws.da4);
  relu_backward(ws.z4, ws.da4, ws.dz4);
  dense_backward(net.fc2, ws.a3, ws.dz4);
  dense_backward_input(net.fc2.W, ws.dz4, ws.da3);
  relu_backward(ws.z3, ws.da3, ws.dz3);
  dense_backward(net.fc1, ws.flat, ws.dz3);
  dense_backward_input(net.fc1.W, ws.dz3, ws.dflat);
  reshape_swap(ws.dflat, ws.dp2, ws.p2.shape());
  conv_pool_rows_backward(net.conv2, ws.p1, ws.argmax2, ws.dp2, ws.dp1_rows, ws.dp1_sum,
                          ws.second_block);
  conv_pool_sparse_backward(net.conv1, images, ws.p1, ws.dp1_rows, ws.dp1_sum, ws.first_block);
  return loss;
}

void TupleEvaluation::add(const TupleEvaluation& o) {
  tuples += o.tuples;
  correct += o.correct;
  images += o.images;
  tuple_hinge_sum += o.tuple_hinge_sum;
  image_hinge_sum += o.image_hinge_sum;
}

double TupleEvaluation::accuracy() const {
  return tuples == 0 ? 0.0 : static_cast<double>(correct) / static_cast<double>(tuples);
}

double TupleEvaluation::objective(TupleApproach approach) const {
  double v = tuple_hinge_sum / static_cast<double>(std::max<std::int64_t>(tuples, 1));
  if (approach == TupleApproach::kDecomposition)
    v += image_hinge_sum / static_cast<double>(std::max<std::int64_t>(images, 1));
  return v;
}

template <class T>
TupleEvaluation tuple_evaluate(const TupleNetwork<T>& net, const LineTupleBatch<T>& batch,
                               TupleWorkspace<T>& ws) {
  tuple_forward(net, batch.images, ws);
  return evaluation_from(batch, ws);
}

template <class T>
std::vector<ParamRef<T>> tuple_parameters(TupleNetwork<T>& net) {
  std::vector<ParamRef<T>> p;
  p.push_back(param<T>(net.conv1.W, net.conv1.dW));
  p.push_back(param<T>(net.conv1.b, net.conv1.db));
  p.push_back(param<T>(net.conv2.W, net.conv2.dW));
  p.push_back(param<T>(net.conv2.b, net.conv2.db));
  for (Dense<T>* d : {&net.fc1, &net.fc2, &net.score, &net.mid, &net.out}) {
    p.push_back(param<T>(d->W, d->dW));
    p.push_back(param<T>(d->b, d->db));
  }
  return p;
}

template <class T>
xt::xtensor<T, 1> score_layer_gradient(const TupleNetwork<T>& net) {
  xt::xtensor<T, 1> g = xt::xtensor<T, 1>::from_shape({net.score.dW.size() + net.score.db.size()});
  std::copy(net.score.dW.begin(), net.score.dW.end(), g.begin());
  std::copy(net.score.db.begin(), net.score.db.end(), g.begin() + net.score.dW.size());
  return g;
}

double tuple_step_flops(std::size_t images, std::size_t tuples, int k) {
  const double N = static_cast<double>(images), B = static_cast<double>(tuples);
  const double conv1 = conv2d_forward_flops(images, 28, 28, 5, 5, 1, 16);
  const double conv2 = conv2d_forward_flops(images, 14, 14, 5, 5, 16, 16);
  // Forward, dW and dx of each layer (no dx for the first convolution).
  const double dense_n1 = 2.0 * N * (784.0 * 50 + 50.0 * 100 + 100.0 * 1);
  const double dense_n2 = 2.0 * B * (static_cast<double>(k) * 100 + 100.0 * 1);
  return 2 * conv1 + 3 * conv2 + 3 * dense_n1 + 3 * dense_n2;
}

#define FGBDL_INSTANTIATE_TUPLE(T)                                                           \
  template TupleNetwork<T> tuple_network_init<T>(int, ConvInitRule, Engine&);               \
  template void n1_forward<T>(const TupleNetwork<T>&, const xt::xtensor<T, 4>&,             \
                              TupleWorkspace<T>&);                                          \
  template void tuple_forward<T>(const TupleNetwork<T>&, const xt::xtensor<T, 4>&,          \
                                 TupleWorkspace<T>&);                                       \
  template T tuple_loss_and_gradients<T>(TupleNetwork<T>&, const LineTupleBatch<T>&,        \
                                         TupleApproach, TupleWorkspace<T>&);                \
  template TupleEvaluation tuple_evaluate<T>(const TupleNetwork<T>&, const LineTupleBatch<T>&, \
                                             TupleWorkspace<T>&);                           \
  template std::vector<ParamRef<T>> tuple_parameters<T>(TupleNetwork<T>&);                  \
  template xt::xtensor<T, 1> score_layer_gradient<T>(const TupleNetwork<T>&);
FGBDL_INSTANTIATE_TUPLE(float)
FGBDL_INSTANTIATE_TUPLE(double)
#undef FGBDL_INSTANTIATE_TUPLE

}  // namespace fgbdl
