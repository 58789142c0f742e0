// Errors and the process boundary of every binary in the package.
//
// A bad flag or input is a UsageError: the binary prints one line naming the
// flag, the value given and what is allowed, writes nothing and exits 2.
// Any other failure prints one line and exits 1. `run_main` is the only place
// that turns exceptions into exit codes.
#ifndef LIB_CORE_ERROR_H_
#define LIB_CORE_ERROR_H_

#include <functional>
#include <stdexcept>
#include <string>

namespace fgbdl {

// Bad input from the user (a flag value, a missing file the user named).
struct UsageError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// Runs `body`, mapping exceptions to one line on stderr and an exit code:
// UsageError -> 2, any other exception -> 1. `program` prefixes the line.
int run_main(const std::string& program, const std::function<int()>& body);

}  // namespace fgbdl

#endif  // LIB_CORE_ERROR_H_
