#include "lib/core/error.h"

#include <cstdio>
#include <exception>

namespace fgbdl {

int run_main(const std::string& program, const std::function<int()>& body) {
  try {
    return body();
  } catch (const UsageError& e) {
    std::fprintf(stderr, "%s: error: %s\n", program.c_str(), e.what());
    return 2;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "%s: failed: %s\n", program.c_str(), e.what());
    return 1;
  }
}

}  // namespace fgbdl
