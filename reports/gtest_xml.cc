#include "reports/gtest_xml.h"

#include <cstdlib>
#include <map>
#include <set>
#include <stdexcept>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "reports/json.h"

namespace fgbdl::report {
namespace {

[[noreturn]] void fail(std::size_t at, const std::string& what) {
  throw std::runtime_error(absl::StrCat("invalid XML at byte ", at, ": ", what));
}

// Decodes &lt; &gt; &amp; &quot; &apos; &#N; &#xN; in an attribute value.
std::string unescape(absl::string_view s, std::size_t at) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '&') {
      out += s[i];
      continue;
    }
    const std::size_t semi = s.find(';', i);
    if (semi == absl::string_view::npos) fail(at, "unterminated entity");
    const absl::string_view name = s.substr(i + 1, semi - i - 1);
    if (name == "lt")
      out += '<';
    else if (name == "gt")
      out += '>';
    else if (name == "amp")
      out += '&';
    else if (name == "quot")
      out += '"';
    else if (name == "apos")
      out += '\'';
    else if (name.size() > 1 && name[0] == '#') {
      const bool hex = name[1] == 'x' || name[1] == 'X';
      const std::string digits(name.substr(hex ? 2 : 1));
      char* end = nullptr;
      const unsigned long cp = std::strtoul(digits.c_str(), &end, hex ? 16 : 10);
      if (digits.empty() || *end != '\0' || cp > 0x10FFFF) fail(at, "bad character reference");
      append_utf8(cp, out);
    } else {
      fail(at, absl::StrCat("unknown entity &", name, ";"));
    }
    i = semi;
  }
  return out;
}

struct Tag {
  std::string name;
  std::map<std::string, std::string> attrs;
  bool closing = false;       // </name>
  bool self_closing = false;  // <name/>
};

class Scanner {
 public:
  explicit Scanner(absl::string_view s) : s_(s) {}

  // Next tag, skipping text, comments, CDATA and declarations; false at end.
  bool next(Tag& tag) {
    while (true) {
      const std::size_t lt = s_.find('<', i_);
      if (lt == absl::string_view::npos) return false;
      i_ = lt;
      if (skip("<?", "?>") || skip("<!--", "-->") || skip("<![CDATA[", "]]>") || skip("<!", ">")) {
        continue;
      }
      tag = Tag();
      ++i_;
      if (i_ < s_.size() && s_[i_] == '/') {
        tag.closing = true;
        ++i_;
      }
      tag.name = name();
      if (tag.name.empty()) fail(i_, "expected a tag name");
      while (true) {
        space();
        if (i_ >= s_.size()) fail(i_, "unterminated tag");
        if (s_[i_] == '>') {
          ++i_;
          return true;
        }
        if (s_.substr(i_, 2) == "/>" && !tag.closing) {
          tag.self_closing = true;
          i_ += 2;
          return true;
        }
        if (tag.closing) fail(i_, "attribute in a closing tag");
        const std::string key = name();
        if (key.empty()) fail(i_, "expected an attribute name");
        space();
        if (i_ >= s_.size() || s_[i_] != '=') fail(i_, "expected '='");
        ++i_;
        space();
        if (i_ >= s_.size() || (s_[i_] != '"' && s_[i_] != '\'')) fail(i_, "expected a quote");
        const char quote = s_[i_++];
        const std::size_t end = s_.find(quote, i_);
        if (end == absl::string_view::npos) fail(i_, "unterminated attribute value");
        tag.attrs[key] = unescape(s_.substr(i_, end - i_), i_);
        i_ = end + 1;
      }
    }
  }

  std::size_t offset() const { return i_; }

 private:
  bool skip(absl::string_view open, absl::string_view close) {
    if (s_.substr(i_, open.size()) != open) return false;
    const std::size_t end = s_.find(close, i_ + open.size());
    if (end == absl::string_view::npos) fail(i_, absl::StrCat("unterminated ", open));
    i_ = end + close.size();
    return true;
  }
  void space() {
    while (i_ < s_.size() &&
           (s_[i_] == ' ' || s_[i_] == '\n' || s_[i_] == '\t' || s_[i_] == '\r')) {
      ++i_;
    }
  }
  std::string name() {
    const std::size_t from = i_;
    while (i_ < s_.size()) {
      const char c = s_[i_];
      const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                      c == '_' || c == '-' || c == ':' || c == '.';
      if (!ok) break;
      ++i_;
    }
    return std::string(s_.substr(from, i_ - from));
  }

  absl::string_view s_;
  std::size_t i_ = 0;
};

// The attributes GoogleTest itself writes on <testcase>; any other is a
// property recorded by an older GoogleTest.
const std::set<std::string> kCaseAttributes = {"classname", "name",  "status", "time",
                                               "type_param", "value_param", "file", "line",
                                               "result", "timestamp"};

}  // namespace

GtestReport parse_gtest_xml(absl::string_view xml) {
  GtestReport report;
  Scanner scanner(xml);
  std::vector<std::string> open;
  bool saw_root = false;
  GtestCase* current = nullptr;
  Tag tag;
  while (scanner.next(tag)) {
    if (tag.closing) {
      if (open.empty() || open.back() != tag.name) {
        fail(scanner.offset(), absl::StrCat("unexpected </", tag.name, ">"));
      }
      open.pop_back();
      if (tag.name == "testcase") current = nullptr;
      continue;
    }
    if (open.empty()) {
      if (saw_root) fail(scanner.offset(), "more than one root element");
      if (tag.name != "testsuites") fail(scanner.offset(), "the root element is not <testsuites>");
      saw_root = true;
      if (auto it = tag.attrs.find("tests"); it != tag.attrs.end()) {
        if (!absl::SimpleAtoi(it->second, &report.tests)) fail(scanner.offset(), "bad tests count");
      }
    }
    if (tag.name == "testcase") {
      GtestCase c;
      c.suite = tag.attrs["classname"];
      c.name = tag.attrs["name"];
      c.skipped = tag.attrs["result"] == "skipped" || tag.attrs["status"] == "notrun";
      report.cases.push_back(std::move(c));
      current = &report.cases.back();
      for (const auto& [key, value] : tag.attrs) {
        if (!kCaseAttributes.count(key)) current->properties.emplace_back(key, value);
      }
      if (auto it = tag.attrs.find("measured"); it != tag.attrs.end()) {
        report.measured.push_back(it->second);
      }
      if (auto it = tag.attrs.find("refuted"); it != tag.attrs.end()) {
        report.refuted.push_back(it->second);
      }
    } else if ((tag.name == "failure" || tag.name == "error") && current != nullptr) {
      current->failed = true;
      current->failure_messages.push_back(tag.attrs["message"]);
    } else if (tag.name == "skipped" && current != nullptr) {
      current->skipped = true;
    } else if (tag.name == "property" && tag.attrs["name"] == "measured") {
      report.measured.push_back(tag.attrs["value"]);
    } else if (tag.name == "property" && tag.attrs["name"] == "refuted") {
      report.refuted.push_back(tag.attrs["value"]);
    }
    if (tag.name == "property" && current != nullptr) {
      current->properties.emplace_back(tag.attrs["name"], tag.attrs["value"]);
    }
    if (!tag.self_closing) {
      open.push_back(tag.name);
    } else if (tag.name == "testcase") {
      current = nullptr;
    }
  }
  if (!saw_root) fail(scanner.offset(), "no <testsuites> element");
  if (!open.empty()) fail(scanner.offset(), absl::StrCat("<", open.back(), "> is never closed"));
  for (const GtestCase& c : report.cases) report.failures += c.failed ? 1 : 0;
  return report;
}

}  // namespace fgbdl::report
