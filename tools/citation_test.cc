// CITATION.cff is well-formed Citation File Format 1.2.0
// (https://github.com/citation-file-format/citation-file-format, schema.json):
// the required keys are present, every key is one the schema knows, and the
// values have the schema's shapes (dates, URLs, SPDX license, person and
// entity authors, reference types). It also cites what it must: the ICML
// paper and the authors' repository under `references`.
//
// The file is read with a parser for the YAML subset it uses (block
// mappings and sequences, plain and double-quoted scalars, folded `>-`
// blocks); anything outside that subset is an error, so a later edit that
// needs more YAML fails here instead of being misread.
#include <cctype>
#include <fstream>
#include <map>
#include <memory>
#include <regex>
#include <set>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "gtest/gtest.h"

namespace {

struct Node {
  enum Kind { kScalar, kMap, kList } kind = kScalar;
  std::string scalar;
  std::vector<std::pair<std::string, Node>> map;  // in file order
  std::vector<Node> list;

  const Node* get(const std::string& key) const {
    for (const auto& [k, v] : map)
      if (k == key) return &v;
    return nullptr;
  }
};

struct Line {
  int number, indent;
  std::string text;  // without indentation
};

class Parser {
 public:
  explicit Parser(const std::string& yaml) {
    std::istringstream in(yaml);
    std::string raw;
    int number = 0;
    while (std::getline(in, raw)) {
      ++number;
      if (raw.find('\t') != std::string::npos) fail(number, "tab character");
      const std::size_t first = raw.find_first_not_of(' ');
      if (first == std::string::npos || raw[first] == '#') continue;
      std::string text = raw.substr(first);
      while (!text.empty() && text.back() == ' ') text.pop_back();
      lines_.push_back({number, static_cast<int>(first), text});
    }
  }

  Node document() {
    Node root = block(0);
    if (pos_ != lines_.size()) fail(lines_[pos_].number, "unexpected indentation");
    return root;
  }

 private:
  [[noreturn]] static void fail(int line, const std::string& what) {
    throw std::runtime_error("CITATION.cff:" + std::to_string(line) + ": " + what);
  }

  // A mapping or a sequence whose entries start at column `indent`.
  Node block(int indent) {
    if (pos_ >= lines_.size() || lines_[pos_].indent != indent) {
      fail(pos_ < lines_.size() ? lines_[pos_].number : 0, "expected a block");
    }
    Node node;
    const bool is_list = lines_[pos_].text.rfind("- ", 0) == 0;
    node.kind = is_list ? Node::kList : Node::kMap;
    while (pos_ < lines_.size() && lines_[pos_].indent == indent) {
      Line& l = lines_[pos_];
      if (is_list != (l.text.rfind("- ", 0) == 0)) fail(l.number, "mixed sequence and mapping");
      if (is_list) {
        // "- key: value" opens a mapping whose keys sit at indent + 2.
        l.text = l.text.substr(2);
        l.indent = indent + 2;
        node.list.push_back(l.text.find(": ") != std::string::npos || l.text.back() == ':'
                                ? block(indent + 2)
                                : scalar_line());
      } else {
        node.map.push_back(entry(indent));
      }
    }
    return node;
  }

  Node scalar_line() {
    Node n;
    n.scalar = scalar(lines_[pos_].text, lines_[pos_].number);
    ++pos_;
    return n;
  }

  std::pair<std::string, Node> entry(int indent) {
    const Line l = lines_[pos_++];
    const std::size_t colon = l.text.find(':');
    if (colon == std::string::npos || colon == 0) fail(l.number, "expected 'key: value'");
    const std::string key = l.text.substr(0, colon);
    for (char c : key)
      if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-') fail(l.number, "bad key");
    std::string rest = l.text.substr(colon + 1);
    Node value;
    if (rest.empty()) {  // a nested block
      if (pos_ >= lines_.size() || lines_[pos_].indent <= indent) fail(l.number, "empty value");
      value = block(lines_[pos_].indent);
    } else if (rest[0] != ' ') {
      fail(l.number, "expected a space after ':'");
    } else if (rest == " >-") {  // folded block: lines joined by spaces
      while (pos_ < lines_.size() && lines_[pos_].indent > indent) {
        value.scalar += (value.scalar.empty() ? "" : " ") + lines_[pos_++].text;
      }
      if (value.scalar.empty()) fail(l.number, "empty folded block");
    } else {
      value.scalar = scalar(rest.substr(1), l.number);
    }
    return {key, value};
  }

  static std::string scalar(const std::string& s, int line) {
    if (s.empty()) fail(line, "empty scalar");
    if (s[0] != '"') {
      if (std::string("'&*!|>%@`{[").find(s[0]) != std::string::npos || s.find(" #") != std::string::npos ||
          s.find(": ") != std::string::npos) {
        fail(line, "scalar outside the supported YAML subset: " + s);
      }
      return s;
    }
    std::string out;
    std::size_t i = 1;
    for (; i < s.size() && s[i] != '"'; ++i) {
      if (s[i] == '\\') {
        if (++i >= s.size() || (s[i] != '"' && s[i] != '\\')) fail(line, "unsupported escape");
      }
      out += s[i];
    }
    if (i != s.size() - 1) fail(line, "text after the closing quote");
    return out;
  }

  std::vector<Line> lines_;
  std::size_t pos_ = 0;
};

Node read_citation() {
  std::ifstream in("CITATION.cff");
  if (!in) throw std::runtime_error("cannot open CITATION.cff (a data dependency of the test)");
  std::stringstream ss;
  ss << in.rdbuf();
  return Parser(ss.str()).document();
}

// Keys of CFF 1.2.0 (schema.json: root properties, reference properties,
// person, entity, identifier).
const std::set<std::string> kRootKeys = {
    "abstract", "authors", "cff-version", "commit", "contact", "date-released", "doi",
    "identifiers", "keywords", "license", "license-url", "message", "preferred-citation",
    "references", "repository", "repository-artifact", "repository-code", "title", "type",
    "url", "version"};
const std::set<std::string> kReferenceKeys = {
    "abbreviation", "abstract", "authors", "collection-doi", "collection-title",
    "collection-type", "commit", "conference", "contact", "copyright", "data-type",
    "database", "database-provider", "date-accessed", "date-downloaded", "date-published",
    "date-released", "department", "doi", "edition", "editors", "editors-series", "end",
    "entry", "filename", "format", "identifiers", "institution", "isbn", "issn", "issue",
    "issue-date", "issue-title", "journal", "keywords", "languages", "license",
    "license-url", "loc-end", "loc-start", "location", "medium", "month", "nihmsid", "notes",
    "number", "number-volumes", "pages", "patent-states", "pmcid", "publisher", "recipients",
    "repository", "repository-artifact", "repository-code", "scope", "section", "senders",
    "start", "status", "term", "thesis-type", "title", "translators", "type", "url",
    "version", "volume", "volume-title", "year", "year-original"};
const std::set<std::string> kPersonKeys = {
    "address", "affiliation", "alias", "city", "country", "email", "family-names", "fax",
    "given-names", "name-particle", "name-suffix", "orcid", "post-code", "region", "tel",
    "website"};
const std::set<std::string> kEntityKeys = {
    "address", "alias", "city", "country", "date-end", "date-start", "email", "fax",
    "location", "name", "orcid", "post-code", "region", "tel", "website"};
const std::set<std::string> kReferenceTypes = {
    "art", "article", "audiovisual", "bill", "blog", "book", "catalogue", "conference",
    "conference-paper", "data", "database", "dictionary", "edited-work", "encyclopedia",
    "film-broadcast", "generic", "government-document", "grant", "hearing",
    "historical-work", "legal-case", "legal-rule", "magazine-article", "manual", "map",
    "multimedia", "music", "newspaper-article", "pamphlet", "patent", "personal-communication",
    "proceedings", "report", "serial", "slides", "software", "software-code",
    "software-container", "software-executable", "software-virtual-machine",
    "sound-recording", "standard", "statute", "thesis", "unpublished", "video", "website"};
// SPDX identifiers the package could plausibly carry (the schema allows all
// of SPDX; a typo is what this catches).
const std::set<std::string> kLicenses = {"MIT", "Apache-2.0", "BSD-3-Clause", "BSD-2-Clause",
                                         "GPL-3.0-only", "GPL-3.0-or-later", "MPL-2.0"};

void expect_keys(const Node& n, const std::set<std::string>& allowed, const std::string& where) {
  ASSERT_EQ(n.kind, Node::kMap) << where << " must be a mapping";
  for (const auto& [k, v] : n.map) EXPECT_TRUE(allowed.count(k)) << where << ": unknown key " << k;
}

bool is_url(const std::string& s) { return std::regex_match(s, std::regex(R"(https?://[^\s]+)")); }

void expect_date(const std::string& s, const std::string& where) {
  std::smatch m;
  ASSERT_TRUE(std::regex_match(s, m, std::regex(R"((\d{4})-(\d{2})-(\d{2}))"))) << where << ": " << s;
  const int month = std::stoi(m[2]), day = std::stoi(m[3]);
  EXPECT_TRUE(month >= 1 && month <= 12 && day >= 1 && day <= 31) << where << ": " << s;
}

void expect_authors(const Node* authors, const std::string& where) {
  ASSERT_NE(authors, nullptr) << where << ": authors missing";
  ASSERT_EQ(authors->kind, Node::kList) << where << ": authors must be a list";
  ASSERT_FALSE(authors->list.empty()) << where << ": no authors";
  for (const Node& a : authors->list) {
    ASSERT_EQ(a.kind, Node::kMap) << where << ": an author must be a mapping";
    if (a.get("name") != nullptr) {  // an entity
      expect_keys(a, kEntityKeys, where + " entity author");
      EXPECT_FALSE(a.get("name")->scalar.empty());
    } else {  // a person
      expect_keys(a, kPersonKeys, where + " person author");
      ASSERT_NE(a.get("family-names"), nullptr) << where << ": a person needs family-names";
      EXPECT_FALSE(a.get("family-names")->scalar.empty());
    }
  }
}

TEST(Citation, IsWellFormedCff120) {
  const Node root = read_citation();
  expect_keys(root, kRootKeys, "top level");
  for (const char* key : {"cff-version", "message", "title", "authors"})
    ASSERT_NE(root.get(key), nullptr) << "required key " << key << " missing";
  EXPECT_EQ(root.get("cff-version")->scalar, "1.2.0");
  EXPECT_FALSE(root.get("message")->scalar.empty());
  expect_authors(root.get("authors"), "top level");
  ASSERT_NE(root.get("type"), nullptr);
  EXPECT_TRUE(root.get("type")->scalar == "software" || root.get("type")->scalar == "dataset");
  ASSERT_NE(root.get("version"), nullptr);
  EXPECT_TRUE(std::regex_match(root.get("version")->scalar, std::regex(R"(\d+\.\d+\.\d+)")));
  ASSERT_NE(root.get("date-released"), nullptr);
  expect_date(root.get("date-released")->scalar, "date-released");
  ASSERT_NE(root.get("license"), nullptr);
  EXPECT_TRUE(kLicenses.count(root.get("license")->scalar)) << root.get("license")->scalar;
  if (const Node* k = root.get("keywords")) {
    EXPECT_EQ(k->kind, Node::kList);
  }
}

TEST(Citation, ReferencesThePaperAndTheAuthorsScripts) {
  const Node root = read_citation();
  const Node* refs = root.get("references");
  ASSERT_NE(refs, nullptr);
  ASSERT_EQ(refs->kind, Node::kList);
  bool paper = false, scripts = false;
  for (std::size_t i = 0; i < refs->list.size(); ++i) {
    const Node& r = refs->list[i];
    const std::string where = "references[" + std::to_string(i) + "]";
    expect_keys(r, kReferenceKeys, where);
    ASSERT_NE(r.get("type"), nullptr) << where;
    ASSERT_NE(r.get("title"), nullptr) << where;
    EXPECT_TRUE(kReferenceTypes.count(r.get("type")->scalar)) << where << ": type";
    expect_authors(r.get("authors"), where);
    for (const char* url_key : {"url", "repository-code"}) {
      if (const Node* u = r.get(url_key)) {
        EXPECT_TRUE(is_url(u->scalar)) << where << " " << url_key;
      }
    }
    if (const Node* ids = r.get("identifiers")) {
      ASSERT_EQ(ids->kind, Node::kList) << where;
      for (const Node& id : ids->list) {
        ASSERT_NE(id.get("type"), nullptr) << where;
        ASSERT_NE(id.get("value"), nullptr) << where;
        EXPECT_TRUE(std::set<std::string>({"doi", "url", "swh", "other"}).count(id.get("type")->scalar));
      }
    }
    for (const char* int_key : {"year", "volume", "start", "end"}) {
      if (const Node* v = r.get(int_key)) {
        EXPECT_TRUE(std::regex_match(v->scalar, std::regex(R"(\d+)"))) << where << " " << int_key;
      }
    }
    if (r.get("title")->scalar == "Failures of Gradient-Based Deep Learning") {
      paper = r.get("type")->scalar == "conference-paper" && r.get("year") != nullptr &&
              r.get("year")->scalar == "2017" && r.get("authors")->list.size() == 3 &&
              r.get("authors")->list[0].get("family-names")->scalar == "Shalev-Shwartz";
    }
    if (const Node* code = r.get("repository-code")) {
      scripts |= code->scalar == "https://github.com/shakedshammah/failures_of_DL";
    }
  }
  EXPECT_TRUE(paper) << "no conference-paper reference to the ICML 2017 paper (3 authors)";
  EXPECT_TRUE(scripts) << "no reference to the authors' repository";
}

TEST(Citation, TheParserRejectsYamlOutsideItsSubset) {
  // The parser must not silently misread: each of these is refused.
  for (const std::string bad :
       {"a: 1\n\tb: 2\n", "a: [1, 2]\n", "a: 'x'\n", "a:1\n", "- a\nb: 1\n", "a: \"x\" y\n",
        "a: b: c\n", "a:\n"}) {
    EXPECT_THROW(Parser(bad).document(), std::runtime_error) << bad;
  }
  const Node ok = Parser("a: 1\nb:\n  - c: \"x \\\"y\\\"\"\n    d: >-\n      e\n      f\n").document();
  EXPECT_EQ(ok.get("a")->scalar, "1");
  EXPECT_EQ(ok.get("b")->list.at(0).get("c")->scalar, "x \"y\"");
  EXPECT_EQ(ok.get("b")->list.at(0).get("d")->scalar, "e f");
}

}  // namespace
