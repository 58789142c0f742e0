#include "tools/reliability/reliability.h"

#include <fcntl.h>
#include <linux/capability.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <stdexcept>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "nlohmann/json.hpp"

namespace fgbdl::reliability {
namespace fs = std::filesystem;

namespace {

std::vector<std::string> split_plus(const std::string& s) {
  std::vector<std::string> out;
  if (s.empty()) return out;
  for (absl::string_view p : absl::StrSplit(s, '+')) out.emplace_back(p);
  return out;
}

}  // namespace

Experiment parse_experiment(const std::string& arg) {
  Experiment e;
  for (absl::string_view field : absl::StrSplit(arg, '|')) {
    const std::size_t eq = field.find('=');
    if (eq == absl::string_view::npos) {
      throw std::invalid_argument(absl::StrCat("experiment field without '=': ", field));
    }
    const std::string key(field.substr(0, eq));
    const std::string value(field.substr(eq + 1));
    if (key == "name") {
      e.name = value;
    } else if (key == "bin") {
      e.bin = fs::absolute(value).string();
    } else if (key == "quick") {
      e.quick = split_plus(value);
    } else if (key == "diverge") {
      e.diverge = split_plus(value);
    } else if (key == "bad") {
      e.bad = split_plus(value);
    } else if (key == "checkpoint") {
      e.checkpoint = value;
    } else if (key == "kind") {
      if (value != "experiment" && value != "report" && value != "bench") {
        throw std::invalid_argument(absl::StrCat("unknown kind ", value));
      }
      e.kind = value;
    } else if (key == "out") {
      const std::size_t slash = value.find('/');
      e.out_flag = value.substr(0, slash);
      e.out_file = slash == std::string::npos ? "" : value.substr(slash + 1);
    } else if (key == "out_optional") {
      e.out_optional = value == "yes";
    } else if (key == "always") {
      e.always = split_plus(value);
    } else if (key == "no_generic") {
      e.no_generic = split_plus(value);
    } else {
      throw std::invalid_argument(absl::StrCat("unknown experiment field ", key));
    }
  }
  if (e.name.empty() || e.bin.empty() || (e.kind == "experiment" && e.quick.empty())) {
    throw std::invalid_argument(absl::StrCat("experiment needs name, bin and quick: ", arg));
  }
  if (e.out_flag.rfind("--", 0) != 0) {
    throw std::invalid_argument(absl::StrCat("out must be a flag --name[/file]: ", arg));
  }
  return e;
}

std::vector<Experiment>& experiments() {
  static std::vector<Experiment> list;
  return list;
}

std::vector<Experiment>& all_binaries() {
  static std::vector<Experiment> list;
  return list;
}

std::string substitute(const std::string& element, const std::string& out,
                       const std::string& file) {
  return absl::StrReplaceAll(element, {{"@OUT", out}, {"@FILE", file}});
}

ChildResult run_child(const std::vector<std::string>& argv, const std::string& cwd,
                      const std::string& log_prefix, double timeout_s,
                      const std::function<bool(double)>& should_kill,
                      bool without_dac_override) {
  const std::string out_path = log_prefix + ".out", err_path = log_prefix + ".err";
  std::vector<char*> cargv;
  for (const auto& a : argv) cargv.push_back(const_cast<char*>(a.c_str()));
  cargv.push_back(nullptr);
  const auto start = std::chrono::steady_clock::now();
  const pid_t pid = ::fork();
  if (pid < 0) throw std::runtime_error("fork failed");
  if (pid == 0) {
    const int fo = ::open(out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    const int fe = ::open(err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fo < 0 || fe < 0 || ::chdir(cwd.c_str()) != 0) ::_exit(126);
    if (without_dac_override && ::geteuid() == 0) {
      if (::prctl(PR_CAPBSET_DROP, CAP_DAC_OVERRIDE, 0, 0, 0) != 0 ||
          ::prctl(PR_CAPBSET_DROP, CAP_DAC_READ_SEARCH, 0, 0, 0) != 0 ||
          ::prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) != 0) {
        ::_exit(kCannotDropCapabilities);
      }
    }
    ::dup2(fo, 1);
    ::dup2(fe, 2);
    ::close(fo);
    ::close(fe);
    ::execv(cargv[0], cargv.data());
    ::_exit(127);
  }
  ChildResult r;
  int wstatus = 0;
  for (;;) {
    const pid_t w = ::waitpid(pid, &wstatus, WNOHANG);
    if (w == pid) break;
    const double t =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    if (t > timeout_s || (should_kill && should_kill(t))) {
      (t > timeout_s ? r.timed_out : r.killed) = true;
      ::kill(pid, SIGKILL);
      ::waitpid(pid, &wstatus, 0);
      break;
    }
    const struct timespec ts = {0, 500000};  // 0.5 ms
    ::nanosleep(&ts, nullptr);
  }
  r.wall_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (WIFEXITED(wstatus)) {
    r.exited = true;
    r.exit_code = WEXITSTATUS(wstatus);
  } else if (WIFSIGNALED(wstatus)) {
    r.signal = WTERMSIG(wstatus);
  }
  r.out = read_file(out_path);
  r.err = read_file(err_path);
  return r;
}

std::vector<std::string> command(const Experiment& e, const std::string& out, int seed,
                                 const std::vector<std::string>& extra) {
  std::vector<std::string> argv = {e.bin, "--out=" + out, absl::StrCat("--seeds=", seed)};
  argv.insert(argv.end(), e.quick.begin(), e.quick.end());
  argv.insert(argv.end(), extra.begin(), extra.end());
  return argv;
}

std::string fresh_dir(const std::string& name) {
  const char* tmp = std::getenv("TEST_TMPDIR");
  static int counter = 0;
  const fs::path dir =
      fs::path(tmp ? tmp : "/tmp") / absl::StrCat("rel_", ::getpid(), "_", counter++, "_", name);
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir.string();
}

std::string read_file(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  std::ostringstream o;
  o << f.rdbuf();
  return o.str();
}

std::vector<std::string> list_files(const std::string& root) {
  std::vector<std::string> out;
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(root, ec); !ec && it != fs::end(it);
       it.increment(ec)) {
    out.push_back(fs::relative(it->path(), root).string());
  }
  std::sort(out.begin(), out.end());
  return out;
}

// --- CSV -----------------------------------------------------------------

std::string check_csv(const std::string& text, std::vector<std::string>* header,
                      std::size_t* rows) {
  if (text.empty()) return "empty file";
  if (text.back() != '\n') return "last line does not end in a newline (truncated?)";
  std::vector<std::string> lines = absl::StrSplit(text.substr(0, text.size() - 1), '\n');
  std::vector<std::string> cols = absl::StrSplit(lines[0], ',');
  std::set<std::string> seen;
  for (const auto& c : cols) {
    if (c.empty() || !seen.insert(c).second) return "header '" + lines[0] + "' has an empty or repeated column";
    for (const char ch : c) {
      if (!(std::isalnum(static_cast<unsigned char>(ch)) || ch == '_')) {
        return "header '" + lines[0] + "' is not a list of column names";
      }
    }
  }
  for (std::size_t i = 1; i < lines.size(); ++i) {
    std::vector<std::string> fields = absl::StrSplit(lines[i], ',');
    if (fields.size() != cols.size()) {
      return absl::StrCat("line ", i + 1, " has ", fields.size(), " fields, the header ",
                          cols.size());
    }
    for (const auto& f : fields) {
      double x;
      if (f != "nan" && f != "inf" && f != "-inf" && !absl::SimpleAtod(f, &x)) {
        return absl::StrCat("line ", i + 1, ": '", f, "' is not a number");
      }
    }
  }
  if (lines.size() < 2) return "no data rows";
  if (header) *header = cols;
  if (rows) *rows = lines.size() - 1;
  return "";
}

// --- JSON ----------------------------------------------------------------

std::string check_json_object(const std::string& text,
                              std::map<std::string, std::string>* fields) {
  if (text.empty()) return "empty file";
  // nlohmann::json keeps the last of two equal keys: the parser callback
  // sees every key of the top-level object (depth 1) and refuses a repeat.
  std::set<std::string> keys;
  std::string repeated;
  const auto once = [&](int depth, nlohmann::json::parse_event_t event, nlohmann::json& parsed) {
    if (depth == 1 && event == nlohmann::json::parse_event_t::key &&
        !keys.insert(parsed.get<std::string>()).second && repeated.empty()) {
      repeated = parsed.get<std::string>();
    }
    return true;
  };
  nlohmann::json doc;
  try {
    doc = nlohmann::json::parse(text, once);
  } catch (const nlohmann::json::exception& e) {
    return e.what();
  }
  if (!repeated.empty()) return "repeated key " + repeated;
  if (!doc.is_object()) return "not a JSON object";
  if (fields) {
    for (const auto& [key, value] : doc.items()) {
      (*fields)[key] = value.is_string() ? value.get<std::string>() : value.dump();
    }
  }
  return "";
}

const std::vector<std::string>& manifest_keys() {
  static const std::vector<std::string> keys = {
      "claim", "config", "seed", "profile", "status", "diverged_step", "git_commit", "compiler",
      "blas", "threads", "wall_time_s", "peak_rss_mib", "package_version", "metrics_rows",
      "metrics_fnv1a64", "settings"};
  return keys;
}

std::string fnv1a64_hex(const std::string& bytes) {
  std::uint64_t h = 14695981039346656037ull;  // FNV-1a/64 offset basis
  for (const char ch : bytes) {
    h ^= static_cast<unsigned char>(ch);
    h *= 1099511628211ull;  // FNV-1a/64 prime
  }
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(h));
  return buf;
}

// --- Trees ---------------------------------------------------------------

TreeCheck check_tree(const std::string& root,
                     const std::map<std::string, std::string>* reference) {
  TreeCheck c;
  // Run dirs: every directory holding a file.
  std::map<std::string, std::vector<std::string>> dirs;
  for (const std::string& rel : list_files(root)) {
    const fs::path p = fs::path(root) / rel;
    if (!fs::is_regular_file(p)) continue;
    const std::string name = fs::path(rel).filename().string();
    dirs[fs::path(rel).parent_path().string()].push_back(name);
    if (name.find(".tmp.") != std::string::npos) ++c.temporary_files;
  }
  std::vector<std::string> with_manifest;
  for (const auto& [dir, names] : dirs) {
    const auto has = [&](const std::string& n) {
      return std::find(names.begin(), names.end(), n) != names.end();
    };
    const std::string base = (fs::path(root) / dir).string();
    std::string metrics;
    std::size_t rows = 0;
    bool metrics_ok = false;
    if (has("metrics.csv")) {
      metrics = read_file(base + "/metrics.csv");
      std::vector<std::string> header;
      const std::string e = check_csv(metrics, &header, &rows);
      metrics_ok = e.empty();
      if (!e.empty()) c.errors.push_back(absl::StrCat(dir, "/metrics.csv: ", e));
      if (reference) {
        const auto it = reference->find(dir);
        if (it == reference->end()) {
          c.errors.push_back(absl::StrCat(dir, ": a run dir the uninterrupted run does not have"));
        } else if (e.empty()) {
          std::vector<std::string> ref_header;
          std::size_t ref_rows = 0;
          check_csv(it->second, &ref_header, &ref_rows);
          if (header != ref_header) {
            c.errors.push_back(absl::StrCat(dir, "/metrics.csv: header ", absl::StrJoin(header, ","),
                                            ", expected ", absl::StrJoin(ref_header, ",")));
          } else if (rows != ref_rows) {
            c.errors.push_back(absl::StrCat(dir, "/metrics.csv: ", rows, " rows, expected ", ref_rows));
          } else if (metrics != it->second) {
            c.errors.push_back(absl::StrCat(dir, "/metrics.csv: bytes differ from the uninterrupted run"));
          }
        }
      }
    }
    if (!has("manifest.json")) {
      ++c.incomplete_dirs;
      continue;
    }
    with_manifest.push_back(dir);
    if (!has("metrics.csv")) {
      c.errors.push_back(absl::StrCat(dir, ": manifest.json without metrics.csv"));
      continue;
    }
    std::map<std::string, std::string> fields;
    const std::string e = check_json_object(read_file(base + "/manifest.json"), &fields);
    if (!e.empty()) {
      c.errors.push_back(absl::StrCat(dir, "/manifest.json: ", e));
      continue;
    }
    bool keys_ok = true;
    for (const auto& k : manifest_keys()) {
      if (!fields.count(k)) {
        c.errors.push_back(absl::StrCat(dir, "/manifest.json: no key \"", k, "\""));
        keys_ok = false;
      }
    }
    if (!keys_ok) continue;
    const std::string expect_dir =
        absl::StrCat(fields["claim"], "/", fields["config"], "/seed-", fields["seed"]);
    if (expect_dir != dir) {
      c.errors.push_back(absl::StrCat(dir, "/manifest.json: names run ", expect_dir));
    }
    // The manifest describes the metrics.csv the run wrote (lib/io/results.h):
    // a table cut at a row end or changed after the run no longer matches.
    if (metrics_ok && fields["metrics_rows"] != absl::StrCat(rows)) {
      c.errors.push_back(absl::StrCat(dir, "/metrics.csv: ", rows, " data rows, manifest.json records ",
                                      fields["metrics_rows"]));
    } else if (metrics_ok && fields["metrics_fnv1a64"] != fnv1a64_hex(metrics)) {
      c.errors.push_back(absl::StrCat(dir, "/metrics.csv: FNV-1a/64 ", fnv1a64_hex(metrics),
                                      ", manifest.json records ", fields["metrics_fnv1a64"]));
    }
    const std::string& status = fields["status"];
    if (status != "complete" && status != "diverged") {
      c.errors.push_back(absl::StrCat(dir, "/manifest.json: status '", status, "'"));
    }
    if ((status == "diverged") != (fields["diverged_step"] != "-1")) {
      c.errors.push_back(absl::StrCat(dir, "/manifest.json: status ", status, " with diverged_step ",
                                      fields["diverged_step"]));
    }
    c.complete[dir] = metrics;
    c.status[dir] = status;
  }
  // Run dirs that read as complete (a manifest) but break a rule.
  for (const std::string& dir : with_manifest) {
    bool broken = false;
    for (const std::string& e : c.errors) {
      broken = broken || absl::StartsWith(e, dir + "/") || absl::StartsWith(e, dir + ":");
    }
    if (broken) {
      ++c.falsely_complete;
      c.complete.erase(dir);
      c.status.erase(dir);
    }
  }
  return c;
}

int lost_results(const std::map<std::string, std::string>& reported, const TreeCheck& now) {
  int lost = 0;
  for (const auto& [dir, bytes] : reported) {
    const auto it = now.complete.find(dir);
    lost += it == now.complete.end() || it->second != bytes;
  }
  return lost;
}

// --- Refusals ------------------------------------------------------------

std::string check_refusal(const ChildResult& r, const std::vector<std::string>& names,
                          const std::string& dir, const std::vector<std::string>& allowed) {
  std::vector<std::string> problems;
  if (r.timed_out) problems.push_back(absl::StrCat("timed out after ", r.wall_s, " s"));
  if (!r.exited) {
    problems.push_back(absl::StrCat("ended by signal ", r.signal));
  } else if (r.exit_code != 2) {
    problems.push_back(absl::StrCat("exit code ", r.exit_code, ", expected 2"));
  }
  if (!r.out.empty()) problems.push_back("wrote to stdout: " + r.out.substr(0, 200));
  const std::size_t newlines = std::count(r.err.begin(), r.err.end(), '\n');
  if (newlines != 1 || r.err.back() != '\n') {
    problems.push_back(absl::StrCat(newlines, " lines on stderr, expected 1"));
  } else {
    bool named = false;
    for (const std::string& n : names) {
      for (std::size_t at = r.err.find(n); at != std::string::npos && !named;
           at = r.err.find(n, at + 1)) {
        const char next = at + n.size() < r.err.size() ? r.err[at + n.size()] : '\n';
        named = n.rfind("--", 0) != 0 ||
                !(std::isalnum(static_cast<unsigned char>(next)) || next == '_');
      }
    }
    if (!named) {
      problems.push_back(absl::StrCat("stderr names none of {", absl::StrJoin(names, ", "), "}"));
    }
  }
  for (const std::string& f : list_files(dir)) {
    if (std::find(allowed.begin(), allowed.end(), f) == allowed.end()) {
      problems.push_back("wrote " + f);
    }
  }
  if (problems.empty()) return "";
  return absl::StrCat(absl::StrJoin(problems, "; "), "; stderr: ", r.err.substr(0, 300));
}

std::map<std::string, std::string> declared_flags(const Experiment& e) {
  const std::string dir = fresh_dir(e.name + "_help");
  const ChildResult r = run_child({e.bin, "--help"}, dir, dir + "/help", 20.0);
  if (!r.exited || r.exit_code != 0) {
    throw std::runtime_error(absl::StrCat(e.name, " --help failed: ", r.err));
  }
  std::map<std::string, std::string> flags;
  for (absl::string_view line : absl::StrSplit(r.out, '\n')) {
    if (!absl::StartsWith(line, "  --")) continue;
    const std::size_t colon = line.find(':');
    const std::size_t def = line.rfind("(default: ");
    if (colon == absl::string_view::npos || def == absl::string_view::npos || line.back() != ')') {
      continue;
    }
    const std::string name(line.substr(4, colon - 4));
    flags[name] = std::string(line.substr(def + 10, line.size() - def - 11));
  }
  return flags;
}

}  // namespace fgbdl::reliability
