#include "reports/process.h"

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

#include "absl/strings/str_cat.h"

namespace fgbdl::report {

ProcessResult run_process(const std::vector<std::string>& argv, const std::string& cwd,
                          bool with_stderr) {
  int out[2];
  if (::pipe2(out, O_CLOEXEC) != 0)
    throw std::runtime_error(absl::StrCat("pipe: ", std::strerror(errno)));
  std::vector<char*> args;
  for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  const pid_t pid = ::fork();
  if (pid < 0) throw std::runtime_error(absl::StrCat("fork: ", std::strerror(errno)));
  if (pid == 0) {
    const int null = ::open("/dev/null", O_RDWR);
    ::dup2(null, 0);
    ::dup2(out[1], 1);
    ::dup2(with_stderr ? out[1] : null, 2);
    if (!cwd.empty() && ::chdir(cwd.c_str()) != 0) {
      const std::string msg = absl::StrCat("cannot enter ", cwd, ": ", std::strerror(errno), "\n");
      (void)!::write(1, msg.data(), msg.size());
      ::_exit(126);
    }
    ::execvp(args[0], args.data());
    const std::string msg = absl::StrCat("cannot run ", argv[0], ": ", std::strerror(errno), "\n");
    (void)!::write(1, msg.data(), msg.size());
    ::_exit(127);
  }
  ::close(out[1]);
  ProcessResult result;
  char buf[4096];
  while (true) {
    const ssize_t n = ::read(out[0], buf, sizeof buf);
    if (n > 0) {
      result.output.append(buf, n);
    } else if (n == 0 || errno != EINTR) {
      break;
    }
  }
  ::close(out[0]);
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return result;
}

}  // namespace fgbdl::report
