// A small JSON reader for the report generator: manifests (lib/io/results.h)
// and the inputs file written by paper_report (tools/defs.bzl).
//
// RFC 8259 values: objects keep their key order; numbers are doubles; string
// escapes including \uXXXX (with surrogate pairs) are decoded to UTF-8.
// Errors throw std::runtime_error with the byte offset; callers add the file.
#ifndef REPORTS_JSON_H_
#define REPORTS_JSON_H_

#include <string>
#include <utility>
#include <vector>

#include "absl/strings/string_view.h"

namespace fgbdl::report {

struct Json {
  enum class Kind { kNull, kBool, kNumber, kString, kArray, kObject };
  Kind kind = Kind::kNull;
  bool boolean = false;
  double number = 0;
  std::string string;
  std::vector<Json> array;
  std::vector<std::pair<std::string, Json>> object;

  // The member `key` of an object, or nullptr (also when not an object).
  const Json* find(absl::string_view key) const;
};

// Parses one JSON value (surrounding whitespace allowed, nothing else).
Json parse_json(absl::string_view text);

// Appends the UTF-8 encoding of code point `cp` (also used for XML
// character references, reports/gtest_xml.cc).
void append_utf8(unsigned long cp, std::string& out);

}  // namespace fgbdl::report

#endif  // REPORTS_JSON_H_
