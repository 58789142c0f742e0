#include "lib/io/progress.h"

#include <cstdio>

namespace fgbdl {

Progress::Progress(std::string label, std::int64_t total)
    : label_(std::move(label)),
      total_(total),
      start_(Clock::now()),
      next_print_(start_ + std::chrono::seconds(3)) {}

double Progress::elapsed_s() const {
  return std::chrono::duration<double>(Clock::now() - start_).count();
}

void Progress::update(std::int64_t done) {
  const auto now = Clock::now();
  if (now < next_print_) return;
  next_print_ = now + std::chrono::seconds(5);
  std::fprintf(stderr, "%s: %lld/%lld (%.0f%%), %.1f s\n", label_.c_str(),
               static_cast<long long>(done), static_cast<long long>(total_),
               total_ > 0 ? 100.0 * static_cast<double>(done) / static_cast<double>(total_) : 100.0,
               elapsed_s());
}

}  // namespace fgbdl
