#include "lib/io/results.h"

#include <signal.h>
#include <sys/resource.h>
#include <unistd.h>

#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <sstream>
#include <stdexcept>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/strip.h"
#include "cblas.h"
#include "lib/core/error.h"

namespace fgbdl {
namespace fs = std::filesystem;

Table::Table(std::vector<std::string> columns) : columns_(std::move(columns)) {}

void Table::add_row(const std::vector<double>& row) {
  if (row.size() != columns_.size()) {
    throw std::logic_error(absl::StrCat("Table row has ", row.size(), " values for ",
                                        columns_.size(), " columns"));
  }
  rows_.push_back(row);
}

std::string Table::to_csv() const {
  std::string out = absl::StrJoin(columns_, ",") + "\n";
  for (const auto& row : rows_) {
    for (std::size_t i = 0; i < row.size(); ++i) {
      if (i) out += ',';
      const double v = row[i];
      if (std::isnan(v)) {
        out += "nan";
      } else if (std::isinf(v)) {
        out += v > 0 ? "inf" : "-inf";
      } else {
        out += absl::StrFormat("%.9g", v);
      }
    }
    out += '\n';
  }
  return out;
}

std::string run_dir(const std::string& root, const RunId& id) {
  return absl::StrCat(root, "/", id.claim, "/", id.config, "/seed-", id.seed);
}

void write_file_atomically(const std::string& path, const std::string& content) {
  const fs::path p(path);
  std::error_code ec;
  if (p.has_parent_path()) fs::create_directories(p.parent_path(), ec);
  const std::string tmp = absl::StrCat(path, ".tmp.", ::getpid());
  std::FILE* f = std::fopen(tmp.c_str(), "wb");
  if (!f) throw std::runtime_error(absl::StrCat("cannot write ", tmp, ": ", std::strerror(errno)));
  const bool ok = std::fwrite(content.data(), 1, content.size(), f) == content.size() &&
                  std::fflush(f) == 0 && ::fsync(::fileno(f)) == 0;
  const bool closed = std::fclose(f) == 0;
  if (!ok || !closed || std::rename(tmp.c_str(), path.c_str()) != 0) {
    const std::string why = std::strerror(errno);
    std::remove(tmp.c_str());
    throw std::runtime_error(absl::StrCat("cannot write ", path, ": ", why));
  }
}

int remove_stale_temporaries(const std::string& dir) {
  std::error_code ec;
  int removed = 0;
  const std::string self = absl::StrCat(".tmp.", ::getpid());
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    const std::string name = it->path().filename().string();
    const std::size_t at = name.rfind(".tmp.");
    if (at == std::string::npos || at == 0) continue;
    const std::string digits = name.substr(at + 5);
    if (digits.empty() || digits.size() > 9 ||
        digits.find_first_not_of("0123456789") != std::string::npos) {
      continue;
    }
    if (name.compare(at, std::string::npos, self) == 0) continue;  // this process's own
    const long pid = std::strtol(digits.c_str(), nullptr, 10);
    // A live process (or one we may not signal) may still be writing it.
    if (pid > 0 && (::kill(static_cast<pid_t>(pid), 0) == 0 || errno != ESRCH)) continue;
    std::error_code rm;
    if (it->is_regular_file(rm) && fs::remove(it->path(), rm)) ++removed;
  }
  return removed;
}

std::string fnv1a64_hex(const std::string& bytes) {
  std::uint64_t h = 14695981039346656037ull;
  for (const char c : bytes) {
    h ^= static_cast<unsigned char>(c);
    h *= 1099511628211ull;
  }
  return absl::StrFormat("%016x", h);
}

void check_output_dir(const std::string& flag, const std::string& dir) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec || !fs::is_directory(dir) || ::access(dir.c_str(), W_OK) != 0) {
    throw UsageError(absl::StrCat("--", flag, ": got '", dir,
                                  "'; allowed: a writable directory (",
                                  ec ? ec.message() : std::strerror(errno), ")"));
  }
}

std::string json_quote(const std::string& s) {
  std::string out = "\"";
  for (const char ch : s) {
    const unsigned char c = static_cast<unsigned char>(ch);
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\t': out += "\\t"; break;
      case '\r': out += "\\r"; break;
      default:
        if (c < 0x20) {
          out += absl::StrFormat("\\u%04x", c);
        } else {
          out += ch;
        }
    }
  }
  return out + "\"";
}

std::string git_commit() {
  if (const char* ws = std::getenv("BUILD_WORKSPACE_DIRECTORY")) {
    const std::string cmd = absl::StrCat("git -C '", ws, "' rev-parse HEAD 2>/dev/null");
    if (std::FILE* p = ::popen(cmd.c_str(), "r")) {
      char buf[64] = {0};
      const bool got = std::fgets(buf, sizeof buf, p) != nullptr;
      ::pclose(p);
      if (got) return std::string(absl::StripAsciiWhitespace(buf));
    }
  }
  return "unknown";
}

std::string compiler_version() {
#if defined(__clang__)
  return absl::StrCat("clang ", __clang_version__);
#elif defined(__GNUC__)
  return absl::StrCat("gcc ", __VERSION__);
#else
  return "unknown";
#endif
}

std::string blas_config() {
  return std::string(absl::StripAsciiWhitespace(openblas_get_config()));
}

int blas_threads() { return openblas_get_num_threads(); }

void set_blas_threads(int threads) { openblas_set_num_threads(threads); }

double peak_rss_mib() {
  struct rusage u;
  ::getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_maxrss) / 1024.0;  // Linux: KiB
}

void write_run(const std::string& root, const RunId& id, const Table& metrics,
               const std::map<std::string, std::string>& settings, const RunStatus& status,
               double wall_time_s) {
  const std::string dir = run_dir(root, id);
  remove_stale_temporaries(dir);
  const std::string csv = metrics.to_csv();
  std::vector<std::string> fields = {
      absl::StrCat("\"claim\": ", json_quote(id.claim)),
      absl::StrCat("\"config\": ", json_quote(id.config)),
      absl::StrCat("\"seed\": ", id.seed),
      absl::StrCat("\"profile\": ", json_quote(id.profile)),
      absl::StrCat("\"status\": ", json_quote(status.diverged ? "diverged" : "complete")),
      absl::StrCat("\"diverged_step\": ", status.diverged_step),
      absl::StrCat("\"git_commit\": ", json_quote(git_commit())),
      absl::StrCat("\"compiler\": ", json_quote(compiler_version())),
      absl::StrCat("\"blas\": ", json_quote(blas_config())),
      absl::StrCat("\"threads\": ", blas_threads()),
      absl::StrFormat("\"wall_time_s\": %.3f", wall_time_s),
      absl::StrFormat("\"peak_rss_mib\": %.1f", peak_rss_mib()),
      absl::StrCat("\"package_version\": ", json_quote(kPackageVersion)),
      absl::StrCat("\"metrics_rows\": ", metrics.rows().size()),
      absl::StrCat("\"metrics_fnv1a64\": ", json_quote(fnv1a64_hex(csv))),
  };
  std::vector<std::string> setting_fields;
  for (const auto& [key, value] : settings) {
    setting_fields.push_back(absl::StrCat(json_quote(key), ": ", value));
  }
  fields.push_back(absl::StrCat("\"settings\": {", absl::StrJoin(setting_fields, ", "), "}"));
  write_file_atomically(dir + "/metrics.csv", csv);
  write_file_atomically(dir + "/manifest.json",
                        absl::StrCat("{\n  ", absl::StrJoin(fields, ",\n  "), "\n}\n"));
}

}  // namespace fgbdl
