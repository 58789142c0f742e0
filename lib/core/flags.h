// Command-line flags with validation, for every binary of the package.
//
// Flags are `--name=value` only. Each getter declares a flag (name, default,
// allowed values, help) and returns its validated value; a bad value throws
// UsageError with one line: which flag, what was given, what is allowed.
// `finish()` rejects unknown flags, positional arguments and repeated flags,
// and answers `--help`. Binaries call every getter, then `finish()`, before
// doing any work or writing anything.
#ifndef LIB_CORE_FLAGS_H_
#define LIB_CORE_FLAGS_H_

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace fgbdl {

class Flags {
 public:
  // `summary`: one paragraph printed by --help above the flag list.
  Flags(int argc, const char* const* argv, std::string summary);

  // Integer in [lo, hi].
  std::int64_t get_int(const std::string& name, std::int64_t def, std::int64_t lo,
                       std::int64_t hi, const std::string& help);
  // Finite real in [lo, hi].
  double get_double(const std::string& name, double def, double lo, double hi,
                    const std::string& help);
  // Non-empty comma-separated list of integers in [lo, hi], at most
  // `max_len` entries, no duplicates.
  std::vector<std::int64_t> get_int_list(const std::string& name, const std::string& def,
                                         std::int64_t lo, std::int64_t hi,
                                         std::size_t max_len, const std::string& help);
  // Non-empty comma-separated list of distinct words, each one of `allowed`.
  std::vector<std::string> get_choice_list(const std::string& name, const std::string& def,
                                           const std::vector<std::string>& allowed,
                                           const std::string& help);
  // One of `allowed`.
  std::string get_choice(const std::string& name, const std::string& def,
                         const std::vector<std::string>& allowed, const std::string& help);
  // Any non-empty string (a path, say); validated by the caller.
  std::string get_string(const std::string& name, const std::string& def,
                         const std::string& help);
  // Whether the flag was given on the command line.
  bool given(const std::string& name) const;

  // Throws UsageError on unknown flags; on --help prints usage and returns
  // false (the caller exits 0); otherwise returns true.
  bool finish();

 private:
  const std::string* raw(const std::string& name, const std::string& help,
                         const std::string& def);

  std::string program_;
  std::string summary_;
  std::map<std::string, std::string> values_;  // as given
  std::vector<std::string> errors_;            // parse errors found in the constructor
  std::vector<std::pair<std::string, std::string>> declared_;  // name, help line
  bool help_ = false;
};

// The value `text` of flag --`flag` as a comma-separated list of at most 100
// distinct finite reals in [lo, hi] (for flags read with get_string whose
// list is parsed once the other flags are known). Throws UsageError naming
// the flag.
std::vector<double> parse_real_list(const std::string& flag, const std::string& text, double lo,
                                    double hi);

}  // namespace fgbdl

#endif  // LIB_CORE_FLAGS_H_
