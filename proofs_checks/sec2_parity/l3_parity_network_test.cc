// Lemma 3 of the paper (Section 2.1): every parity over d bits is computed
// exactly by the E2.1 network — one ReLU layer of width greater than 3d/2
// plus a linear output unit.
//
// The lemma's construction, for x in {0,1}^d and z = <x, v*>: for each even
// 2i in [0, d], a triad of hidden units relu(z - (2i - 1/2)),
// relu(z - 2i), relu(z - (2i + 1/2)) with output weights 1, -2, 1 makes a
// bump of height 1/2 at z = 2i and 0 at every other integer; 4 * (sum of
// bumps) - 1 is +1 for even z and -1 for odd z, i.e. (-1)^z.
// The package's inputs are x in {±1}^d; with b_i = (1 - x_i)/2 in {0,1},
// z = sum_{i in S} (1 - x_i)/2, so a hidden unit with threshold t has
// weights -1/2 on S and bias |S|/2 - t; and (-1)^z = prod_{i in S} x_i.
#include <algorithm>
#include <cstdio>
#include <cmath>
#include <cstdint>
#include <set>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "lib/core/rng.h"
#include "lib/data/parity.h"
#include "lib/nn/dense.h"
#include "lib/nn/relu.h"
#include "rapidcheck/gtest.h"

namespace fgbdl {
namespace {

// What the properties below checked (recorded by the last test).
struct Checked {
  std::set<std::size_t> ds;                   // input sizes d
  std::set<std::size_t> widths;               // construction widths 3 (floor(d/2) + 1)
  std::size_t networks = 0, inputs = 0;       // (d, S) pairs and inputs evaluated
  double max_error = 0;                       // max |f(x) - chi_S(x)|, float64
  std::size_t networks32 = 0, inputs32 = 0;   // the float32 property
  double max_margin_error = 0;                // max |y f(x) - 1|, float32
};
Checked& checked() {
  static Checked c;
  return c;
}

struct TwoLayer {
  Dense<double> hidden;  // d -> width
  Dense<double> out;     // width -> 1
};

// The lemma's network for the parity over `subset`, embedded in a hidden
// layer of `width` units (units past the construction have zero weights).
TwoLayer lemma3_network(const std::vector<bool>& subset, std::size_t width) {
  const std::size_t d = subset.size();
  const std::size_t triads = d / 2 + 1;  // even numbers 0, 2, ..., in [0, d]
  if (width < 3 * triads) throw std::invalid_argument("width below the lemma's construction");
  double set_size = 0;
  for (bool in : subset) set_size += in;
  TwoLayer net;
  net.hidden.W = xt::zeros<double>({d, width});
  net.hidden.b = xt::zeros<double>({width});
  net.out.W = xt::zeros<double>({width, std::size_t{1}});
  net.out.b = {-1.0};
  const double offsets[3] = {-0.5, 0.0, 0.5};
  const double out_weights[3] = {1.0, -2.0, 1.0};
  for (std::size_t i = 0; i < triads; ++i) {
    for (std::size_t k = 0; k < 3; ++k) {
      const std::size_t unit = 3 * i + k;
      const double threshold = 2.0 * static_cast<double>(i) + offsets[k];
      for (std::size_t j = 0; j < d; ++j) net.hidden.W(j, unit) = subset[j] ? -0.5 : 0.0;
      net.hidden.b(unit) = set_size / 2 - threshold;
      net.out.W(unit, 0) = 4.0 * out_weights[k];
    }
  }
  return net;
}

// All 2^d inputs of {±1}^d as rows; bit j of the row index set <=> x_j = -1.
xt::xtensor<double, 2> all_inputs(std::size_t d) {
  const std::size_t n = std::size_t{1} << d;
  xt::xtensor<double, 2> x({n, d});
  for (std::size_t r = 0; r < n; ++r)
    for (std::size_t j = 0; j < d; ++j) x(r, j) = ((r >> j) & 1u) ? -1.0 : 1.0;
  return x;
}

// Output of the network on every input, by the package's dense and ReLU
// layers.
xt::xtensor<double, 2> forward(const TwoLayer& net, const xt::xtensor<double, 2>& x) {
  xt::xtensor<double, 2> z, a, score;
  dense_forward(net.hidden, x, z);
  relu_forward(z, a);
  dense_forward(net.out, a, score);
  return score;
}

TEST(Lemma3, ConstructionGivesTheHandComputedOutputsForThreeBits) {
  // d = 3, S = {0, 2}: z = number of -1's among x_0, x_2.
  // x = (1, 1, 1): z = 0 -> +1; x = (-1, 1, 1): z = 1 -> -1;
  // x = (-1, 1, -1): z = 2 -> +1.
  const TwoLayer net = lemma3_network({true, false, true}, 6);
  const xt::xtensor<double, 2> x = {{1, 1, 1}, {-1, 1, 1}, {-1, 1, -1}, {1, -1, 1}};
  const auto score = forward(net, x);
  EXPECT_EQ(score(0, 0), 1.0);
  EXPECT_EQ(score(1, 0), -1.0);
  EXPECT_EQ(score(2, 0), 1.0);
  EXPECT_EQ(score(3, 0), 1.0);  // x_1 is not in S
}

// The claim: for every d <= 16 and every subset S, the network of width
// 3 (floor(d/2) + 1) > 3d/2 — embedded in the E2.1 width 10d — outputs
// exactly chi_S(x) on all 2^d inputs (exact in float64: every weight and
// bias is a multiple of 1/2).
RC_GTEST_PROP(Lemma3, TheLemmaNetworkComputesEveryParityExactlyOnAllInputs, ()) {
  const std::size_t d = static_cast<std::size_t>(*rc::gen::inRange(1, 17));
  const auto mask = *rc::gen::inRange<std::uint64_t>(0, std::uint64_t{1} << d);
  std::vector<bool> subset(d);
  for (std::size_t j = 0; j < d; ++j) subset[j] = (mask >> j) & 1u;
  const std::size_t width = 10 * d;  // the E2.1 architecture
  RC_ASSERT(3 * (d / 2 + 1) > 3 * d / 2.0);
  RC_ASSERT(3 * (d / 2 + 1) <= width);
  RC_CLASSIFY(d <= 8, "d <= 8");
  RC_CLASSIFY(d > 8, "d > 8");
  const TwoLayer net = lemma3_network(subset, width);
  const auto x = all_inputs(d);
  const auto score = forward(net, x);
  Checked& c = checked();
  c.ds.insert(d);
  c.widths.insert(3 * (d / 2 + 1));
  ++c.networks;
  for (std::size_t r = 0; r < x.shape(0); ++r) {
    double chi = 1;
    for (std::size_t j = 0; j < d; ++j)
      if (subset[j]) chi *= x(r, j);
    c.max_error = std::max(c.max_error, std::abs(score(r, 0) - chi));
    ++c.inputs;
    RC_ASSERT(score(r, 0) == chi);
  }
}

// The same network in float32 (as E2.1 trains) classifies every input:
// sign(score) = chi_S(x), and the margin |score| is exactly 1.
RC_GTEST_PROP(Lemma3, TheFloat32NetworkClassifiesEveryInputWithMarginOne, ()) {
  const std::size_t d = static_cast<std::size_t>(*rc::gen::inRange(1, 17));
  Engine rng(*rc::gen::arbitrary<std::uint64_t>());
  const Parity parity = draw_parity(static_cast<int>(d), rng);
  const TwoLayer net64 = lemma3_network(parity.in_subset, 10 * d);
  Dense<float> hidden{xt::cast<float>(net64.hidden.W), xt::cast<float>(net64.hidden.b), {}, {}};
  Dense<float> out{xt::cast<float>(net64.out.W), xt::cast<float>(net64.out.b), {}, {}};
  const xt::xtensor<float, 2> x = xt::cast<float>(all_inputs(d));
  xt::xtensor<float, 2> z, a, score;
  dense_forward(hidden, x, z);
  relu_forward(z, a);
  dense_forward(out, a, score);
  Checked& c = checked();
  ++c.networks32;
  for (std::size_t r = 0; r < x.shape(0); ++r) {
    const float y = parity_label(parity, &x(r, 0));
    c.max_margin_error = std::max(c.max_margin_error, std::abs(double(y * score(r, 0)) - 1.0));
    ++c.inputs32;
    RC_ASSERT(y * score(r, 0) == 1.0f);
  }
}

// The construction needs all its units: with one triad removed, some input
// is misclassified (so the property above is not vacuous).
TEST(Lemma3, RemovingATriadBreaksTheNetwork) {
  const std::size_t d = 6;
  std::vector<bool> subset(d, true);
  TwoLayer net = lemma3_network(subset, 3 * (d / 2 + 1));
  for (std::size_t k = 3; k < 6; ++k) net.out.W(k, 0) = 0.0;  // drop the bump at z = 2
  const auto x = all_inputs(d);
  const auto score = forward(net, x);
  int wrong = 0;
  for (std::size_t r = 0; r < x.shape(0); ++r) {
    double chi = 1;
    for (std::size_t j = 0; j < d; ++j) chi *= x(r, j);
    wrong += chi * score(r, 0) <= 0;
  }
  // Inputs with exactly two -1's: C(6, 2) = 15 now score -1 instead of +1.
  EXPECT_EQ(wrong, 15);
}

std::string g(double x) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", x);
  return buf;
}

// Runs after the properties (GoogleTest keeps the order of definition): what
// they checked, recorded for the report (skipped when run alone).
TEST(Lemma3, RecordsWhatThePropertiesChecked) {
  const Checked& c = checked();
  if (c.networks == 0 && c.networks32 == 0) GTEST_SKIP() << "run without the properties";
  const std::string measured =
      "float64: " + std::to_string(c.networks) + " parities (d, S) with d in " +
      (c.ds.empty() ? std::string("{}")
                    : std::to_string(*c.ds.begin()) + ".." + std::to_string(*c.ds.rbegin())) +
      " (" + std::to_string(c.ds.size()) + " values), construction widths " +
      (c.widths.empty() ? std::string("{}")
                        : std::to_string(*c.widths.begin()) + ".." +
                              std::to_string(*c.widths.rbegin())) +
      " inside width 10d, all 2^d inputs each (" + std::to_string(c.inputs) +
      " inputs), max |f(x) - chi_S(x)| = " + g(c.max_error) + "; float32: " +
      std::to_string(c.networks32) + " networks, " + std::to_string(c.inputs32) +
      " inputs, max |y f(x) - 1| = " + g(c.max_margin_error);
  RecordProperty("measured", measured);
  std::printf("%s\n", measured.c_str());
  EXPECT_GE(c.networks, 50u);
  EXPECT_GE(c.ds.size(), 12u);  // most d in 1..16 drawn
  EXPECT_EQ(c.max_error, 0.0);
  EXPECT_GE(c.networks32, 50u);
  EXPECT_EQ(c.max_margin_error, 0.0);
}

}  // namespace
}  // namespace fgbdl
