#include "experiments/sec2_parity/t1_variance_lib.h"

#include <cmath>
#include <stdexcept>

#include "lib/analysis/gradient_variance.h"
#include "lib/analysis/walsh_hadamard.h"
#include "lib/core/rng.h"

namespace fgbdl {

TwoLayerNet t1_fixed_net(int d, std::size_t width, std::uint64_t seed) {
  if (d < 1 || d > 20 || width < 1) {
    throw std::invalid_argument("t1_fixed_net: need d in [1, 20] and width >= 1");
  }
  Engine rng = derive_engine(seed, static_cast<std::uint64_t>(d));
  return init_two_layer_net(static_cast<std::size_t>(d), width, rng);
}

FixedNetVariance t1_fixed_net_variance(int d, std::size_t width, std::uint64_t seed) {
  const TwoLayerNet net = t1_fixed_net(d, width, seed);
  VectorD p;
  const MatrixD G = per_sample_gradients(net, hypercube_points(d), &p);
  FixedNetVariance out;
  out.d = d;
  out.var_square = gradient_variance_parities(G, p, LossKind::kSquare);
  out.var_hinge = gradient_variance_parities(G, p, LossKind::kHinge);
  out.G2 = gradient_norm_sq(G);
  out.bound = std::ldexp(out.G2, -d);
  return out;
}

}  // namespace fgbdl
