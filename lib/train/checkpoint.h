// Binary checkpoints: a little writer and reader of fixed-size values,
// arrays and strings, in host byte order (a checkpoint is read back by the
// same binary on the same machine). A reader that meets anything but what it
// expects throws std::runtime_error naming the file and telling the user to
// delete it.
#ifndef LIB_TRAIN_CHECKPOINT_H_
#define LIB_TRAIN_CHECKPOINT_H_

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <type_traits>
#include <vector>

namespace fgbdl {

class CheckpointWriter {
 public:
  template <class V>
  void put(V v) {
    static_assert(std::is_trivially_copyable_v<V>);
    out_.append(reinterpret_cast<const char*>(&v), sizeof v);
  }
  void put_bytes(const std::string& s);
  template <class V>
  void put_array(const V* p, std::size_t n) {
    static_assert(std::is_trivially_copyable_v<V>);
    put<std::uint64_t>(n);
    out_.append(reinterpret_cast<const char*>(p), n * sizeof(V));
  }
  void put_raw(const char* s) { out_ += s; }
  std::string take() { return std::move(out_); }

 private:
  std::string out_;
};

class CheckpointReader {
 public:
  // `in` must outlive the reader; `source` names it in messages.
  CheckpointReader(const std::string& in, std::string source);
  template <class V>
  V get() {
    static_assert(std::is_trivially_copyable_v<V>);
    V v;
    need(sizeof v);
    std::memcpy(&v, in_.data() + pos_, sizeof v);
    pos_ += sizeof v;
    return v;
  }
  std::string get_bytes();
  // Reads an array written by put_array; fails unless it holds n values.
  template <class V>
  void get_array(V* p, std::size_t n) {
    const auto stored = get<std::uint64_t>();
    if (stored != n) fail_count(stored, n);
    need(n * sizeof(V));
    std::memcpy(p, in_.data() + pos_, n * sizeof(V));
    pos_ += n * sizeof(V);
  }
  // An array written by put_array, of whatever length up to `max` values.
  template <class V>
  std::vector<V> get_vector(std::uint64_t max) {
    const auto n = get<std::uint64_t>();
    if (n > max) fail("an array of " + std::to_string(n) + " values, more than " + std::to_string(max));
    need(n * sizeof(V));
    std::vector<V> v(n);
    std::memcpy(v.data(), in_.data() + pos_, n * sizeof(V));
    pos_ += n * sizeof(V);
    return v;
  }
  void expect_raw(const char* s);
  void expect_end();
  [[noreturn]] void fail(const std::string& what) const;
  const std::string& source() const { return source_; }

 private:
  void need(std::size_t n) const;
  [[noreturn]] void fail_count(std::uint64_t stored, std::size_t n) const;
  const std::string& in_;
  std::string source_;
  std::size_t pos_ = 0;
};

// Reads the whole file into `out`; false if it cannot be opened (no
// checkpoint yet). Throws std::runtime_error on a read error.
bool read_checkpoint_file(const std::string& path, std::string& out);

}  // namespace fgbdl

#endif  // LIB_TRAIN_CHECKPOINT_H_
