#include "lib/train/optimizer.h"

#include <cstdint>

#include "absl/strings/str_cat.h"

namespace fgbdl {

void AdamOptimizer::save(CheckpointWriter& w) const {
  w.put_raw("adam 1\n");
  w.put<std::uint64_t>(state_.m.size());
  for (std::size_t k = 0; k < state_.m.size(); ++k) {
    w.put_array(state_.m[k].data(), state_.m[k].size());
    w.put_array(state_.v[k].data(), state_.v[k].size());
  }
  w.put<float>(state_.beta1_power);
  w.put<float>(state_.beta2_power);
  w.put<std::int64_t>(state_.t);
}

void AdamOptimizer::load(CheckpointReader& r) {
  r.expect_raw("adam 1\n");
  AdamState<float> s;
  const auto count = r.get<std::uint64_t>();
  if (count > (1u << 20)) r.fail(absl::StrCat(count, " optimizer moments"));
  for (std::uint64_t k = 0; k < count; ++k) {
    s.m.push_back(r.get_vector<float>(std::uint64_t{1} << 34));
    s.v.push_back(r.get_vector<float>(std::uint64_t{1} << 34));
  }
  s.beta1_power = r.get<float>();
  s.beta2_power = r.get<float>();
  s.t = r.get<std::int64_t>();
  state_ = std::move(s);
}

}  // namespace fgbdl
