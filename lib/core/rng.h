// Seeded randomness for the whole package.
//
// Engine: std::mt19937_64. Its output sequence is fixed by the C++ standard
// ([rand.predef]: the 10000th output of a default-constructed engine is
// 9981545732273789042), so the same seed gives the same bits with every
// conforming standard library. The standard *distributions* are not fixed
// by the standard (libstdc++ and libc++ differ), so this header implements
// its own on top of the raw bits; with the same seed, binary and libm the
// results are bit-identical.
//
// No global engine exists: every function that draws takes an Engine&
// explicitly. `derive_engine(seed, stream)` gives independent, reproducible
// streams (one per run, per data source, per initialization) by mixing the
// pair through SplitMix64 (Steele, Lea, Flood, "Fast splittable
// pseudorandom number generators", OOPSLA 2014).
#ifndef LIB_CORE_RNG_H_
#define LIB_CORE_RNG_H_

#include <cmath>
#include <cstdint>
#include <random>

namespace fgbdl {

using Engine = std::mt19937_64;

// SplitMix64 finalizer: a bijective mix of 64 bits.
inline std::uint64_t splitmix64(std::uint64_t z) {
  z += 0x9e3779b97f4a7c15ULL;
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

// An engine for stream `stream` of seed `seed`. Distinct (seed, stream)
// pairs give unrelated sequences.
inline Engine derive_engine(std::uint64_t seed, std::uint64_t stream) {
  return Engine(splitmix64(splitmix64(seed) ^ splitmix64(stream + 0x5851f42d4c957f2dULL)));
}

// Uniform on [0, 1) with 53 random bits.
inline double uniform01(Engine& rng) {
  return static_cast<double>(rng() >> 11) * 0x1.0p-53;
}

// Uniform on [lo, hi).
inline double uniform(Engine& rng, double lo, double hi) {
  return lo + (hi - lo) * uniform01(rng);
}

// Uniform integer in [0, n), n >= 1, without modulo bias (rejection).
inline std::uint64_t uniform_index(Engine& rng, std::uint64_t n) {
  const std::uint64_t limit = n == 0 ? 0 : (~std::uint64_t{0} / n) * n;
  std::uint64_t r;
  do {
    r = rng();
  } while (r >= limit);
  return r % n;
}

// +1 or -1 with probability 1/2 each.
inline float rademacher(Engine& rng) { return (rng() >> 63) ? 1.0f : -1.0f; }

// Standard normal by the Box-Muller transform (one value per call; the
// second value is discarded so that every call consumes exactly two draws).
inline double normal(Engine& rng) {
  const double u1 = 1.0 - uniform01(rng);  // (0, 1]
  const double u2 = uniform01(rng);
  return std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * M_PI * u2);
}

// Normal(0, stddev^2) conditioned on |value| <= 2 stddev, by rejection: the
// initializer of TensorFlow's truncated_normal, which the paper's scripts use.
inline double truncated_normal(Engine& rng, double stddev) {
  double z;
  do {
    z = normal(rng);
  } while (std::fabs(z) > 2.0);
  return stddev * z;
}

}  // namespace fgbdl

#endif  // LIB_CORE_RNG_H_
