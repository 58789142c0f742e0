#include "lib/data/parity.h"

#include <stdexcept>
#include <string>

namespace fgbdl {

Parity draw_parity(int d, Engine& rng) {
  if (d < 1 || d > 64) throw std::invalid_argument("draw_parity: d must be in [1, 64], got " + std::to_string(d));
  Parity p;
  p.d = d;
  p.in_subset.assign(static_cast<std::size_t>(d), false);
  bool any = false;
  while (!any) {
    const std::uint64_t bits = rng();
    for (int i = 0; i < d; ++i) {
      p.in_subset[static_cast<std::size_t>(i)] = (bits >> i) & 1u;
      any = any || p.in_subset[static_cast<std::size_t>(i)];
    }
  }
  return p;
}

float parity_label(const Parity& parity, const float* x) {
  float y = 1.0f;
  for (int i = 0; i < parity.d; ++i) {
    if (parity.in_subset[static_cast<std::size_t>(i)]) y *= x[i];
  }
  return y;
}

void sample_parity_batch(const Parity& parity, std::size_t batch, Engine& rng, Matrix& x,
                         Matrix& y) {
  const std::size_t d = static_cast<std::size_t>(parity.d);
  if (x.shape(0) != batch || x.shape(1) != d) x.resize({batch, d});
  if (y.shape(0) != batch || y.shape(1) != 1) y.resize({batch, 1});
  float* xs = x.data();
  for (std::size_t r = 0; r < batch; ++r) {
    // One 64-bit draw gives up to 64 signs: bit i set <=> x_i = -1.
    std::uint64_t bits = rng();
    float label = 1.0f;
    for (std::size_t i = 0; i < d; ++i) {
      const float xi = ((bits >> i) & 1u) ? -1.0f : 1.0f;
      xs[r * d + i] = xi;
      if (parity.in_subset[i]) label *= xi;
    }
    y(r, 0) = label;
  }
}

}  // namespace fgbdl
