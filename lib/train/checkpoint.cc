#include "lib/train/checkpoint.h"

#include <fstream>
#include <sstream>
#include <stdexcept>
#include <utility>

#include "absl/strings/str_cat.h"

namespace fgbdl {

void CheckpointWriter::put_bytes(const std::string& s) {
  put<std::uint64_t>(s.size());
  out_ += s;
}

CheckpointReader::CheckpointReader(const std::string& in, std::string source)
    : in_(in), source_(std::move(source)) {}

std::string CheckpointReader::get_bytes() {
  const auto n = get<std::uint64_t>();
  need(n);
  std::string s = in_.substr(pos_, n);
  pos_ += n;
  return s;
}

void CheckpointReader::expect_raw(const char* s) {
  const std::size_t n = std::strlen(s);
  need(n);
  if (in_.compare(pos_, n, s) != 0) fail("an unknown format");
  pos_ += n;
}

void CheckpointReader::expect_end() {
  if (pos_ != in_.size()) fail("trailing bytes");
}

void CheckpointReader::fail(const std::string& what) const {
  throw std::runtime_error(absl::StrCat("checkpoint ", source_, " is unreadable (", what,
                                        "); delete it to start the run afresh"));
}

void CheckpointReader::need(std::size_t n) const {
  if (in_.size() - pos_ < n) fail("truncated");
}

void CheckpointReader::fail_count(std::uint64_t stored, std::size_t n) const {
  fail(absl::StrCat("an array of ", stored, " values where ", n, " were expected"));
}

bool read_checkpoint_file(const std::string& path, std::string& out) {
  std::ifstream f(path, std::ios::binary);
  if (!f) return false;
  std::ostringstream ss;
  ss << f.rdbuf();
  out = ss.str();
  if (f.bad()) throw std::runtime_error("cannot read checkpoint " + path);
  return true;
}

}  // namespace fgbdl
