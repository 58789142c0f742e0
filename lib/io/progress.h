// Progress of a long run on stderr: silent for the first few seconds, then
// at most one line every few seconds ("label: 12000/50000 (24%), 3.1 s").
#ifndef LIB_IO_PROGRESS_H_
#define LIB_IO_PROGRESS_H_

#include <chrono>
#include <cstdint>
#include <string>

namespace fgbdl {

class Progress {
 public:
  Progress(std::string label, std::int64_t total);
  void update(std::int64_t done);  // cheap; prints only when due
  double elapsed_s() const;

 private:
  using Clock = std::chrono::steady_clock;
  std::string label_;
  std::int64_t total_;
  Clock::time_point start_;
  Clock::time_point next_print_;
};

}  // namespace fgbdl

#endif  // LIB_IO_PROGRESS_H_
