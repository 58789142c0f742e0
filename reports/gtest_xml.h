// Reads the XML report of a GoogleTest binary (GTEST_OUTPUT=xml:<file>), as
// kept by claim_verdict (tools/defs.bzl): which test cases ran, which failed,
// and the values the tests recorded with RecordProperty("measured", ...)
// and RecordProperty("refuted", ...) (a counterexample to the paper's
// statement that the test establishes).
//
// GoogleTest 1.12 writes a recorded property as
//   <testcase ...><properties><property name="measured" value="..."/></properties>
// and older versions as an attribute of <testcase> (measured="..."); both are
// read, with XML entities and character references decoded (pugixml). A
// property recorded outside a test (SetUpTestSuite) belongs to its
// <testsuite>. Malformed XML (also an unknown entity in an attribute) throws
// std::runtime_error with the byte offset.
#ifndef REPORTS_GTEST_XML_H_
#define REPORTS_GTEST_XML_H_

#include <string>
#include <utility>
#include <vector>

#include "absl/strings/string_view.h"

namespace fgbdl::report {

struct GtestCase {
  std::string suite;  // classname
  std::string name;
  bool failed = false;
  bool skipped = false;
  std::vector<std::string> failure_messages;
  // Every property the case recorded (name, value), in order, in either
  // format: a claim's verdict ("verdict:<id>") and measured values are read
  // per case (reports/report.cc, status_of).
  std::vector<std::pair<std::string, std::string>> properties;
};

struct GtestReport {
  int tests = 0;     // <testsuites tests=...>
  int failures = 0;  // failed test cases (counted, not read from attributes)
  std::vector<GtestCase> cases;
  std::vector<std::string> measured;  // every "measured" property, in order
  std::vector<std::string> refuted;   // every "refuted" property, in order
};

GtestReport parse_gtest_xml(absl::string_view xml);

}  // namespace fgbdl::report

#endif  // REPORTS_GTEST_XML_H_
