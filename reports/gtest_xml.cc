#include "reports/gtest_xml.h"

#include <regex>
#include <set>
#include <stdexcept>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "pugixml.hpp"

namespace fgbdl::report {
namespace {

[[noreturn]] void fail(std::ptrdiff_t at, const std::string& what) {
  throw std::runtime_error(absl::StrCat("invalid XML at byte ", at, ": ", what));
}

// Attribute values are decoded as written: no whitespace normalization.
constexpr unsigned kParse = pugi::parse_cdata | pugi::parse_escapes;

pugi::xml_document load(absl::string_view xml, unsigned options) {
  pugi::xml_document doc;
  const pugi::xml_parse_result r = doc.load_buffer(xml.data(), xml.size(), options);
  if (!r) fail(r.offset, r.description());
  return doc;
}

// pugixml keeps an unknown entity (&bogus;) as text; a GoogleTest report
// has none, so one means the file is not what it seems.
void check_references(const pugi::xml_node& node) {
  static const std::regex bad("&(?!(lt|gt|amp|quot|apos|#[0-9]{1,7}|#x[0-9a-fA-F]{1,6});)");
  for (const pugi::xml_node& e : node.children()) {
    if (e.type() != pugi::node_element) continue;
    for (const pugi::xml_attribute& a : e.attributes()) {
      if (std::regex_search(a.value(), bad)) {
        fail(e.offset_debug(),
             absl::StrCat("unknown entity or bad character reference in attribute ", a.name(),
                          " of <", e.name(), ">"));
      }
    }
    check_references(e);
  }
}

// The attributes GoogleTest itself writes on <testcase>; any other is a
// property recorded by an older GoogleTest.
const std::set<std::string> kCaseAttributes = {"classname", "name",  "status", "time",
                                               "type_param", "value_param", "file", "line",
                                               "result", "timestamp"};

// Reads the elements under `node` in document order; `current` indexes the
// enclosing <testcase> in report.cases, or is -1.
void read(const pugi::xml_node& node, int current, GtestReport& report) {
  for (const pugi::xml_node& e : node.children()) {
    if (e.type() != pugi::node_element) continue;
    const std::string name = e.name();
    int inner = current;
    if (name == "testcase") {
      GtestCase c;
      c.suite = e.attribute("classname").value();
      c.name = e.attribute("name").value();
      c.skipped = std::string(e.attribute("result").value()) == "skipped" ||
                  std::string(e.attribute("status").value()) == "notrun";
      for (const pugi::xml_attribute& a : e.attributes()) {
        if (!kCaseAttributes.count(a.name())) c.properties.emplace_back(a.name(), a.value());
      }
      report.cases.push_back(std::move(c));
      inner = static_cast<int>(report.cases.size()) - 1;
      if (const pugi::xml_attribute a = e.attribute("measured")) report.measured.push_back(a.value());
      if (const pugi::xml_attribute a = e.attribute("refuted")) report.refuted.push_back(a.value());
    } else if ((name == "failure" || name == "error") && current >= 0) {
      report.cases[current].failed = true;
      report.cases[current].failure_messages.push_back(e.attribute("message").value());
    } else if (name == "skipped" && current >= 0) {
      report.cases[current].skipped = true;
    } else if (name == "property") {
      const std::string what = e.attribute("name").value();
      if (what == "measured") report.measured.push_back(e.attribute("value").value());
      if (what == "refuted") report.refuted.push_back(e.attribute("value").value());
      if (current >= 0) report.cases[current].properties.emplace_back(what, e.attribute("value").value());
    }
    read(e, inner, report);
  }
}

}  // namespace

GtestReport parse_gtest_xml(absl::string_view xml) {
  check_references(load(xml, pugi::parse_minimal));
  const pugi::xml_document doc = load(xml, kParse);
  pugi::xml_node root;
  for (const pugi::xml_node& e : doc.children()) {
    if (e.type() != pugi::node_element) continue;
    if (root) fail(e.offset_debug(), "more than one root element");
    root = e;
  }
  if (std::string(root.name()) != "testsuites") {
    fail(root.offset_debug(), "the root element is not <testsuites>");
  }
  GtestReport report;
  if (const pugi::xml_attribute tests = root.attribute("tests")) {
    if (!absl::SimpleAtoi(tests.value(), &report.tests)) fail(root.offset_debug(), "bad tests count");
  }
  read(doc, -1, report);
  for (const GtestCase& c : report.cases) report.failures += c.failed ? 1 : 0;
  return report;
}

}  // namespace fgbdl::report
