#include "lib/core/flags.h"

#include <cmath>
#include <cstdio>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "lib/core/error.h"

namespace fgbdl {
namespace {

// Quotes a user-supplied value for an error line (control characters escaped,
// long values cut) so the message stays one line.
std::string quoted(const std::string& s) {
  std::string out = "'";
  for (std::size_t i = 0; i < s.size() && i < 80; ++i) {
    const unsigned char c = static_cast<unsigned char>(s[i]);
    if (c < 0x20 || c == 0x7f) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02x", c);
      out += buf;
    } else {
      out += static_cast<char>(c);
    }
  }
  if (s.size() > 80) out += "...";
  return out + "'";
}

}  // namespace

Flags::Flags(int argc, const char* const* argv, std::string summary)
    : program_(argc > 0 ? argv[0] : "program"), summary_(std::move(summary)) {
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--help" || arg == "-h") {
      help_ = true;
      continue;
    }
    if (arg.rfind("--", 0) != 0 || arg.size() == 2) {
      errors_.push_back(absl::StrCat("unexpected argument ", quoted(arg),
                                     "; flags are written --name=value"));
      continue;
    }
    const std::size_t eq = arg.find('=');
    if (eq == std::string::npos) {
      errors_.push_back(absl::StrCat("flag ", quoted(arg), " has no value; write ",
                                     arg, "=VALUE"));
      continue;
    }
    const std::string name = arg.substr(2, eq - 2);
    if (values_.count(name)) {
      errors_.push_back(absl::StrCat("--", name, " given twice"));
      continue;
    }
    values_[name] = arg.substr(eq + 1);
  }
}

const std::string* Flags::raw(const std::string& name, const std::string& help,
                              const std::string& def) {
  declared_.emplace_back(name, absl::StrCat(help, " (default: ", def, ")"));
  auto it = values_.find(name);
  return it == values_.end() ? nullptr : &it->second;
}

bool Flags::given(const std::string& name) const { return values_.count(name) > 0; }

std::int64_t Flags::get_int(const std::string& name, std::int64_t def, std::int64_t lo,
                            std::int64_t hi, const std::string& help) {
  const std::string* v = raw(name, help, std::to_string(def));
  if (!v) return def;
  std::int64_t x;
  if (!absl::SimpleAtoi(*v, &x) || x < lo || x > hi) {
    throw UsageError(absl::StrCat("--", name, ": got ", quoted(*v),
                                  "; allowed: an integer in [", lo, ", ", hi, "]"));
  }
  return x;
}

double Flags::get_double(const std::string& name, double def, double lo, double hi,
                         const std::string& help) {
  const std::string* v = raw(name, help, absl::StrCat(def));
  if (!v) return def;
  double x;
  if (!absl::SimpleAtod(*v, &x) || !std::isfinite(x) || x < lo || x > hi) {
    throw UsageError(absl::StrCat("--", name, ": got ", quoted(*v),
                                  "; allowed: a number in [", lo, ", ", hi, "]"));
  }
  return x;
}

std::vector<std::int64_t> Flags::get_int_list(const std::string& name, const std::string& def,
                                              std::int64_t lo, std::int64_t hi,
                                              std::size_t max_len, const std::string& help) {
  const std::string* v = raw(name, help, def);
  const std::string& text = v ? *v : def;
  const std::string allowed =
      absl::StrCat("allowed: a comma-separated list of at most ", max_len,
                   " distinct integers in [", lo, ", ", hi, "]");
  std::vector<std::int64_t> out;
  std::set<std::int64_t> seen;
  for (absl::string_view part : absl::StrSplit(text, ',')) {
    std::int64_t x;
    if (!absl::SimpleAtoi(part, &x) || x < lo || x > hi || !seen.insert(x).second) {
      throw UsageError(absl::StrCat("--", name, ": got ", quoted(text), "; ", allowed));
    }
    out.push_back(x);
  }
  if (out.empty() || out.size() > max_len) {
    throw UsageError(absl::StrCat("--", name, ": got ", quoted(text), "; ", allowed));
  }
  return out;
}

std::vector<std::string> Flags::get_choice_list(const std::string& name, const std::string& def,
                                                const std::vector<std::string>& allowed,
                                                const std::string& help) {
  const std::string* v = raw(name, help, def);
  const std::string& text = v ? *v : def;
  std::vector<std::string> out;
  std::set<std::string> seen;
  for (absl::string_view part : absl::StrSplit(text, ',')) {
    const std::string word(part);
    bool ok = seen.insert(word).second;
    ok = ok && std::find(allowed.begin(), allowed.end(), word) != allowed.end();
    if (!ok) {
      throw UsageError(absl::StrCat("--", name, ": got ", quoted(text),
                                    "; allowed: a comma-separated list of distinct values from {",
                                    absl::StrJoin(allowed, ", "), "}"));
    }
    out.push_back(word);
  }
  return out;
}

std::string Flags::get_choice(const std::string& name, const std::string& def,
                              const std::vector<std::string>& allowed, const std::string& help) {
  const std::string* v = raw(name, help, def);
  if (!v) return def;
  if (std::find(allowed.begin(), allowed.end(), *v) == allowed.end()) {
    throw UsageError(absl::StrCat("--", name, ": got ", quoted(*v), "; allowed: one of {",
                                  absl::StrJoin(allowed, ", "), "}"));
  }
  return *v;
}

std::string Flags::get_string(const std::string& name, const std::string& def,
                              const std::string& help) {
  const std::string* v = raw(name, help, def.empty() ? "none" : def);
  if (!v) return def;
  if (v->empty()) {
    throw UsageError(absl::StrCat("--", name, ": got ''; allowed: a non-empty value"));
  }
  return *v;
}

bool Flags::finish() {
  if (!errors_.empty()) throw UsageError(errors_.front());
  for (const auto& [name, value] : values_) {
    bool known = false;
    for (const auto& d : declared_) known = known || d.first == name;
    if (!known) {
      std::vector<std::string> names;
      for (const auto& d : declared_) names.push_back("--" + d.first);
      throw UsageError(absl::StrCat("unknown flag --", name, "; allowed: ",
                                    absl::StrJoin(names, ", ")));
    }
  }
  if (help_) {
    std::printf("%s\n\n%s\n\nFlags:\n", program_.c_str(), summary_.c_str());
    for (const auto& [name, line] : declared_) std::printf("  --%s: %s\n", name.c_str(), line.c_str());
    return false;
  }
  return true;
}

std::vector<double> parse_real_list(const std::string& flag, const std::string& text, double lo,
                                    double hi) {
  std::vector<double> out;
  const std::vector<std::string> parts = absl::StrSplit(text, ',');
  for (const std::string& part : parts) {
    std::istringstream in(part);
    double v;
    char rest;
    if (part.empty() || !(in >> v) || (in >> rest) || !std::isfinite(v) || v < lo || v > hi)
      throw UsageError(absl::StrCat("--", flag, ": got '", text, "'; allowed: distinct reals in [",
                                    lo, ", ", hi, "], comma-separated"));
    for (const double u : out)
      if (u == v) throw UsageError(absl::StrCat("--", flag, ": got '", text, "'; duplicate ", v));
    out.push_back(v);
  }
  if (out.size() > 100) throw UsageError(absl::StrCat("--", flag, ": at most 100 values"));
  return out;
}

}  // namespace fgbdl
