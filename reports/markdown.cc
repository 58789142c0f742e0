#include "reports/markdown.h"

#include <set>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "reports/inputs.h"

namespace fgbdl::report {
namespace {

const std::set<std::string>& claim_kinds() {
  static const auto* kinds = new std::set<std::string>{"theorem",    "lemma",    "corollary",
                                                       "experiment", "equation", "extension"};
  return *kinds;
}

[[noreturn]] void bad(const std::string& where, const std::string& problem) {
  throw BadInput(absl::StrCat(where, ": ", problem));
}

std::string strip(absl::string_view s) { return std::string(absl::StripAsciiWhitespace(s)); }

bool is_indented(absl::string_view line) {
  return absl::StartsWith(line, "  ") || absl::StartsWith(line, "\t");
}

// "- item", "* item" -> 1; "12. item" -> 2; else 0. `rest` gets the item text.
int list_marker(absl::string_view line, std::string* rest) {
  if ((absl::StartsWith(line, "- ") || absl::StartsWith(line, "* "))) {
    *rest = strip(line.substr(2));
    return 1;
  }
  std::size_t i = 0;
  while (i < line.size() && absl::ascii_isdigit(line[i])) ++i;
  if (i > 0 && i + 1 < line.size() && line[i] == '.' && line[i + 1] == ' ') {
    *rest = strip(line.substr(i + 2));
    return 2;
  }
  return 0;
}

bool is_heading(absl::string_view t, int* level, std::string* text) {
  int n = 0;
  while (n < static_cast<int>(t.size()) && t[n] == '#') ++n;
  if (n < 1 || n > 6 || n >= static_cast<int>(t.size()) || t[n] != ' ') return false;
  *level = n;
  *text = strip(t.substr(n));
  return true;
}

bool is_table_separator(absl::string_view t) {
  if (!absl::StartsWith(t, "|") || t.find('-') == absl::string_view::npos) return false;
  for (char c : t) {
    if (c != '|' && c != '-' && c != ':' && c != ' ') return false;
  }
  return true;
}

std::vector<std::string> table_cells(absl::string_view t) {
  std::string line = strip(t);
  if (absl::StartsWith(line, "|")) line.erase(0, 1);
  if (absl::EndsWith(line, "|") && !absl::EndsWith(line, "\\|")) line.pop_back();
  std::vector<std::string> cells;
  std::string cell;
  bool in_code = false;
  for (std::size_t i = 0; i < line.size(); ++i) {
    if (line[i] == '\\' && i + 1 < line.size() && line[i + 1] == '|') {
      cell += '|';
      ++i;
    } else if (line[i] == '`') {
      in_code = !in_code;
      cell += '`';
    } else if (line[i] == '|' && !in_code) {
      cells.push_back(strip(cell));
      cell.clear();
    } else {
      cell += line[i];
    }
  }
  cells.push_back(strip(cell));
  return cells;
}

bool starts_block(absl::string_view line) {
  const std::string t = strip(line);
  int level;
  std::string rest;
  return absl::StartsWith(t, "```") || absl::StartsWith(t, "$$") ||
         absl::StartsWith(t, "@figure") || is_heading(t, &level, &rest) ||
         list_marker(line, &rest) != 0;
}

bool valid_name(absl::string_view s, absl::string_view extra) {
  if (s.empty()) return false;
  for (char c : s) {
    if (!absl::ascii_isalnum(c) && extra.find(c) == absl::string_view::npos) return false;
  }
  return true;
}

Claim parse_claim(const std::vector<std::string>& lines, const std::string& where) {
  Claim c;
  c.source = where;
  std::string figures;
  std::string* last = nullptr;
  std::set<std::string> seen;
  for (const std::string& line : lines) {
    if (strip(line).empty()) continue;
    if (is_indented(line) && last != nullptr) {
      absl::StrAppend(last, " ", strip(line));
      continue;
    }
    const std::size_t colon = line.find(':');
    if (colon == std::string::npos)
      bad(where, absl::StrCat("claim block line '", line, "' is not 'key: value'"));
    const std::string key = strip(line.substr(0, colon));
    const std::string value = strip(line.substr(colon + 1));
    if (!seen.insert(key).second) bad(where, absl::StrCat("claim block has '", key, "' twice"));
    if (key == "id")
      last = &c.id;
    else if (key == "kind")
      last = &c.kind;
    else if (key == "statement")
      last = &c.statement;
    else if (key == "test")
      last = &c.test;
    else if (key == "cases")
      last = &c.cases;
    else if (key == "figures")
      last = &figures;
    else if (key == "precision")
      last = &c.precision;
    else {
      bad(where, absl::StrCat(
                     "unknown key '", key,
                     "' in a claim block; allowed: id, kind, statement, test, cases, figures, "
                     "precision"));
    }
    *last = value;
  }
  if (c.id.empty() || c.kind.empty() || c.statement.empty()) {
    bad(where, "a claim block needs id, kind and statement");
  }
  if (!valid_name(c.id, ".-"))
    bad(where, absl::StrCat("claim id '", c.id, "' is not like E2.1 or E3.1-SNR"));
  if (!claim_kinds().count(c.kind)) {
    bad(where,
        absl::StrCat("claim kind '", c.kind, "'; allowed: ", absl::StrJoin(claim_kinds(), ", ")));
  }
  if (!c.test.empty() &&
      (!absl::StartsWith(c.test, "//") || c.test.find(':') == std::string::npos ||
       c.test.find(' ') != std::string::npos)) {
    bad(where, absl::StrCat("claim test '", c.test, "' is not a full label //package:name"));
  }
  for (absl::string_view f : absl::StrSplit(figures, ',', absl::SkipWhitespace())) {
    const std::string name = strip(f);
    if (!valid_name(name, "_"))
      bad(where, absl::StrCat("figure name '", name, "' is not [a-z0-9_]+"));
    c.figures.push_back(name);
  }
  return c;
}

bool relative_or_safe_url(absl::string_view url) {
  if (url.empty()) return false;
  if (absl::StartsWith(url, "http://") || absl::StartsWith(url, "https://") || url[0] == '#')
    return true;
  const std::size_t colon = url.find(':');
  const std::size_t stop = url.find_first_of("/?#");
  return colon == absl::string_view::npos || (stop != absl::string_view::npos && stop < colon);
}

}  // namespace

std::string stem(absl::string_view id) {
  std::string out;
  for (char c : id) out += (c == '.' || c == '-') ? '_' : absl::ascii_tolower(c);
  return out;
}

std::string escape_html(absl::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string slug(absl::string_view text) {
  std::string out;
  for (char c : text) {
    if (absl::ascii_isalnum(c)) {
      out += absl::ascii_tolower(c);
    } else if (!out.empty() && out.back() != '-') {
      out += '-';
    }
  }
  while (!out.empty() && out.back() == '-') out.pop_back();
  return out.empty() ? "section" : out;
}

std::string inline_html(absl::string_view s) {
  static constexpr char kNoMathDollar[] = "<span class=\"nomath\">$</span>";
  std::string out;
  std::size_t i = 0;
  while (i < s.size()) {
    const char c = s[i];
    if (c == '\\' && i + 1 < s.size() && absl::ascii_ispunct(s[i + 1])) {
      out += s[i + 1] == '$' ? std::string(kNoMathDollar) : escape_html(s.substr(i + 1, 1));
      i += 2;
      continue;
    }
    if (c == '`') {
      const std::size_t j = s.find('`', i + 1);
      if (j != absl::string_view::npos) {
        absl::StrAppend(&out, "<code>", escape_html(s.substr(i + 1, j - i - 1)), "</code>");
        i = j + 1;
        continue;
      }
    }
    if (c == '$') {
      // Math is kept verbatim (escaped) for KaTeX; an unmatched $ is literal.
      const bool display = s.substr(i, 2) == "$$";
      std::size_t j = display ? s.find("$$", i + 2) : i + 1;
      while (!display && j < s.size() && !(s[j] == '$' && s[j - 1] != '\\')) ++j;
      if (j != absl::string_view::npos && j < s.size() && j > i + (display ? 2 : 1)) {
        const std::size_t end = j + (display ? 2 : 1);
        out += escape_html(s.substr(i, end - i));
        i = end;
        continue;
      }
      out += kNoMathDollar;
      ++i;
      continue;
    }
    if (s.substr(i, 2) == "**") {
      const std::size_t j = s.find("**", i + 2);
      if (j != absl::string_view::npos && j > i + 2) {
        absl::StrAppend(&out, "<strong>", inline_html(s.substr(i + 2, j - i - 2)), "</strong>");
        i = j + 2;
        continue;
      }
    }
    if (c == '*' && i + 1 < s.size() && s[i + 1] != ' ') {
      const std::size_t j = s.find('*', i + 1);
      if (j != absl::string_view::npos && j > i + 1) {
        absl::StrAppend(&out, "<em>", inline_html(s.substr(i + 1, j - i - 1)), "</em>");
        i = j + 1;
        continue;
      }
    }
    if (c == '[') {
      const std::size_t mid = s.find("](", i + 1);
      const std::size_t end = mid == absl::string_view::npos ? mid : s.find(')', mid + 2);
      if (end != absl::string_view::npos) {
        const absl::string_view url = s.substr(mid + 2, end - mid - 2);
        if (relative_or_safe_url(url)) {
          absl::StrAppend(&out, "<a href=\"", escape_html(url), "\">",
                          inline_html(s.substr(i + 1, mid - i - 1)), "</a>");
          i = end + 1;
          continue;
        }
      }
    }
    out += escape_html(s.substr(i, 1));
    ++i;
  }
  return out;
}

void assign_anchors(std::vector<Document>& docs, const std::vector<std::string>& reserved) {
  std::set<std::string> used(reserved.begin(), reserved.end());
  for (Document& doc : docs) {
    for (Block& b : doc.blocks) {
      if (b.kind != Block::Kind::kHeading) continue;
      const std::string base = slug(b.text);
      b.anchor = base;
      for (int n = 2; !used.insert(b.anchor).second; ++n) b.anchor = absl::StrCat(base, "-", n);
    }
  }
}

Document parse_markdown(const std::string& path, const std::string& text) {
  std::vector<std::string> lines = absl::StrSplit(text, '\n');
  for (std::string& line : lines) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
  }
  Document doc;
  doc.path = path;
  std::size_t i = 0;
  while (i < lines.size()) {
    const std::string& line = lines[i];
    const std::string t = strip(line);
    const std::string where = absl::StrCat(path, ":", i + 1);
    Block b;
    b.source = where;
    int level;
    std::string rest;
    if (t.empty()) {
      ++i;
      continue;
    }
    if (absl::StartsWith(t, "```")) {
      const std::string info = strip(t.substr(3));
      std::vector<std::string> body;
      ++i;
      while (i < lines.size() && strip(lines[i]) != "```") body.push_back(lines[i++]);
      if (i == lines.size()) bad(where, "fenced block never closed with ```");
      ++i;
      if (info == "claim") {
        b.kind = Block::Kind::kClaim;
        b.claim = parse_claim(body, where);
      } else {
        b.kind = Block::Kind::kCode;
        b.text = absl::StrJoin(body, "\n");
      }
    } else if (absl::StartsWith(t, "$$")) {
      b.kind = Block::Kind::kMath;
      std::vector<std::string> body = {t};
      const bool one_line = t.size() >= 4 && absl::EndsWith(t, "$$");
      ++i;
      if (!one_line) {
        while (i < lines.size() && !absl::EndsWith(strip(lines[i]), "$$"))
          body.push_back(lines[i++]);
        if (i == lines.size()) bad(where, "display math never closed with $$");
        body.push_back(lines[i++]);
      }
      b.text = absl::StrJoin(body, "\n");
    } else if (is_heading(t, &level, &rest)) {
      b.kind = Block::Kind::kHeading;
      b.level = level;
      b.text = rest;
      ++i;
    } else if (absl::StartsWith(t, "@figure")) {
      b.kind = Block::Kind::kFigure;
      b.text = strip(t.substr(7));
      if (!valid_name(b.text, "_"))
        bad(where, "a figure directive is '@figure <name>', name [a-z0-9_]+");
      ++i;
    } else if (t == "---" || t == "***") {
      b.kind = Block::Kind::kRule;
      ++i;
    } else if (absl::StartsWith(t, "|") && i + 1 < lines.size() &&
               is_table_separator(strip(lines[i + 1]))) {
      b.kind = Block::Kind::kTable;
      b.rows.push_back(table_cells(t));
      i += 2;
      while (i < lines.size() && absl::StartsWith(strip(lines[i]), "|"))
        b.rows.push_back(table_cells(lines[i++]));
    } else if (const int marker = list_marker(line, &rest); marker != 0) {
      b.kind = marker == 1 ? Block::Kind::kList : Block::Kind::kOrderedList;
      b.items.push_back(rest);
      ++i;
      while (i < lines.size() && !strip(lines[i]).empty()) {
        if (list_marker(lines[i], &rest) == marker) {
          b.items.push_back(rest);
        } else if (is_indented(lines[i])) {
          absl::StrAppend(&b.items.back(), " ", strip(lines[i]));
        } else {
          break;
        }
        ++i;
      }
    } else {
      b.kind = Block::Kind::kParagraph;
      b.text = t;
      ++i;
      while (i < lines.size() && !strip(lines[i]).empty() && !starts_block(lines[i]) &&
             !absl::StartsWith(strip(lines[i]), "|")) {
        absl::StrAppend(&b.text, " ", strip(lines[i++]));
      }
    }
    doc.blocks.push_back(std::move(b));
  }
  return doc;
}

std::string render_html(const Document& doc, int heading_shift,
                        const std::function<std::string(const Block&)>& special) {
  std::string out;
  for (const Block& b : doc.blocks) {
    switch (b.kind) {
      case Block::Kind::kHeading: {
        const int h = std::min(6, b.level + heading_shift);
        absl::StrAppend(&out, "<h", h, " id=\"", b.anchor.empty() ? slug(b.text) : b.anchor, "\">",
                        inline_html(b.text), "</h", h, ">\n");
        break;
      }
      case Block::Kind::kParagraph:
        absl::StrAppend(&out, "<p>", inline_html(b.text), "</p>\n");
        break;
      case Block::Kind::kList:
      case Block::Kind::kOrderedList: {
        const char* tag = b.kind == Block::Kind::kList ? "ul" : "ol";
        absl::StrAppend(&out, "<", tag, ">\n");
        for (const std::string& item : b.items)
          absl::StrAppend(&out, "<li>", inline_html(item), "</li>\n");
        absl::StrAppend(&out, "</", tag, ">\n");
        break;
      }
      case Block::Kind::kCode:
        absl::StrAppend(&out, "<pre><code>", escape_html(b.text), "</code></pre>\n");
        break;
      case Block::Kind::kMath:
        absl::StrAppend(&out, "<div class=\"math-display\">", escape_html(b.text), "</div>\n");
        break;
      case Block::Kind::kTable: {
        out += "<table class=\"md\">\n";
        for (std::size_t r = 0; r < b.rows.size(); ++r) {
          const char* cell = r == 0 ? "th" : "td";
          out += "<tr>";
          for (const std::string& c : b.rows[r])
            absl::StrAppend(&out, "<", cell, ">", inline_html(c), "</", cell, ">");
          out += "</tr>\n";
        }
        out += "</table>\n";
        break;
      }
      case Block::Kind::kRule:
        out += "<hr>\n";
        break;
      case Block::Kind::kClaim:
      case Block::Kind::kFigure:
        out += special(b);
        break;
    }
  }
  return out;
}

}  // namespace fgbdl::report
