#include "reports/markdown.h"

#include <algorithm>
#include <exception>
#include <set>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "md4c.h"
#include "reports/inputs.h"

namespace fgbdl::report {
namespace {

// CommonMark with pipe tables and $...$ / $$...$$ math; raw HTML is text
// (escaped) and indented lines are not code.
constexpr unsigned kFlags = MD_FLAG_TABLES | MD_FLAG_LATEXMATHSPANS | MD_FLAG_NOHTML |
                            MD_FLAG_NOINDENTEDCODEBLOCKS;

// A '$' that is not math: KaTeX's auto-render skips it.
constexpr char kNoMathDollar[] = "<span class=\"nomath\">$</span>";

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

// Escaped text in which every '$' is marked as not math.
std::string text_html(absl::string_view s) {
  return absl::StrReplaceAll(escape_html(s), {{"$", kNoMathDollar}});
}

// An attribute's text as written (entities are not decoded: they stay
// text, like everywhere else on the page).
std::string attribute(const MD_ATTRIBUTE& a) {
  std::string out;
  for (int i = 0; a.substr_offsets[i] < a.size; ++i) {
    if (a.substr_types[i] == MD_TEXT_NULLCHAR) continue;
    out.append(a.text + a.substr_offsets[i], a.substr_offsets[i + 1] - a.substr_offsets[i]);
  }
  return out;
}

// What opens and closes a span other than a link. Math keeps its delimiters
// for KaTeX auto-render; an image keeps its alt text only.
std::pair<const char*, const char*> span_marks(MD_SPANTYPE type) {
  switch (type) {
    case MD_SPAN_EM:
      return {"<em>", "</em>"};
    case MD_SPAN_STRONG:
      return {"<strong>", "</strong>"};
    case MD_SPAN_CODE:
      return {"<code>", "</code>"};
    case MD_SPAN_LATEXMATH:
      return {"$", "$"};
    case MD_SPAN_LATEXMATH_DISPLAY:
      return {"$$", "$$"};
    default:
      return {"", ""};
  }
}

// Turns md4c's callbacks into Blocks: one per top-level Markdown block,
// with its HTML (everything escaped); nested blocks are part of the HTML of
// the top-level block that holds them. Positions (file:line, raw table cells
// and headings) come from md4c's text pointers, which point into the input.
class Walker {
 public:
  // `blocks`: the text of a file, with claim blocks, figure directives and
  // display math; else one line of inline text (inline_html).
  Walker(const std::string& path, absl::string_view text, bool blocks)
      : path_(path), src_(text), blocks_mode_(blocks) {
    line_starts_.push_back(0);
    for (std::size_t i = 0; i < src_.size(); ++i)
      if (src_[i] == '\n') line_starts_.push_back(i + 1);
  }

  std::vector<Block> run() {
    MD_PARSER parser{};
    parser.flags = kFlags;
    // A callback's exception must not unwind through md4c's C frames (it
    // would skip md4c's cleanup and leak its buffers): it is kept, the
    // callback returns -1 so that md_parse aborts and frees its state, and
    // the exception is rethrown once md_parse has returned.
    parser.enter_block = [](MD_BLOCKTYPE t, void* d, void* self) {
      auto* w = static_cast<Walker*>(self);
      return w->guarded([&] { return w->enter_block(t, d); });
    };
    parser.leave_block = [](MD_BLOCKTYPE t, void* d, void* self) {
      auto* w = static_cast<Walker*>(self);
      return w->guarded([&] { return w->leave_block(t, d); });
    };
    parser.enter_span = [](MD_SPANTYPE t, void* d, void* self) {
      auto* w = static_cast<Walker*>(self);
      return w->guarded([&] { return w->enter_span(t, d); });
    };
    parser.leave_span = [](MD_SPANTYPE t, void* d, void* self) {
      auto* w = static_cast<Walker*>(self);
      return w->guarded([&] { return w->leave_span(t, d); });
    };
    parser.text = [](MD_TEXTTYPE t, const MD_CHAR* s, MD_SIZE n, void* self) {
      auto* w = static_cast<Walker*>(self);
      return w->guarded([&] { return w->text(t, absl::string_view(s, n)); });
    };
    const int status = md_parse(src_.data(), static_cast<MD_SIZE>(src_.size()), &parser, this);
    if (error_) std::rethrow_exception(error_);
    if (status != 0) bad(path_, "the Markdown parser failed (out of memory?)");
    return std::move(blocks_);
  }

 private:
  // Runs a callback's body; an exception is kept in error_ and aborts md_parse.
  template <class F>
  int guarded(F body) {
    try {
      return body();
    } catch (...) {
      error_ = std::current_exception();
      return -1;
    }
  }

  // 0-based line of offset `at`.
  std::size_t line_of(std::size_t at) const {
    return std::upper_bound(line_starts_.begin(), line_starts_.end(), at) - line_starts_.begin() -
           1;
  }
  absl::string_view line(std::size_t n) const {
    const std::size_t from = line_starts_[n];
    const std::size_t to = n + 1 < line_starts_.size() ? line_starts_[n + 1] : src_.size();
    return absl::StripTrailingAsciiWhitespace(src_.substr(from, to - from));
  }
  std::string where(std::size_t n) const { return absl::StrCat(path_, ":", n + 1); }
  // Offset of `s` in the input, or npos if md4c made it up (a "\n").
  std::size_t offset(absl::string_view s) const {
    if (s.data() < src_.data() || s.data() + s.size() > src_.data() + src_.size())
      return absl::string_view::npos;
    return s.data() - src_.data();
  }

  int enter_block(MD_BLOCKTYPE type, void* detail) {
    ++depth_;
    if (depth_ == 1) return 0;  // the document
    if (depth_ == 2) {
      block_ = Block();
      html_.clear();
      first_ = last_ = absl::string_view::npos;
      code_.clear();
      info_line_ = absl::string_view::npos;
    }
    switch (type) {
      case MD_BLOCK_H:
        if (depth_ == 2) {
          block_.kind = Block::Kind::kHeading;
          block_.level = static_cast<MD_BLOCK_H_DETAIL*>(detail)->level;
        } else {
          html_ += "<p><strong>";  // a heading in a list or quote: not in the contents
        }
        break;
      case MD_BLOCK_P:
        if (depth_ > 2) html_ += "<p>";
        break;
      case MD_BLOCK_UL:
        if (depth_ == 2) block_.kind = Block::Kind::kList;
        html_ += "<ul>\n";
        break;
      case MD_BLOCK_OL: {
        if (depth_ == 2) block_.kind = Block::Kind::kOrderedList;
        const unsigned start = static_cast<MD_BLOCK_OL_DETAIL*>(detail)->start;
        html_ += start == 1 ? "<ol>\n" : absl::StrCat("<ol start=\"", start, "\">\n");
        break;
      }
      case MD_BLOCK_LI:
        html_ += "<li>";
        break;
      case MD_BLOCK_QUOTE:
        if (depth_ == 2) block_.kind = Block::Kind::kQuote;
        html_ += "<blockquote>\n";
        break;
      case MD_BLOCK_HR:
        if (depth_ == 2) block_.kind = Block::Kind::kRule;
        html_ += "<hr>\n";
        break;
      case MD_BLOCK_CODE: {
        const auto* d = static_cast<MD_BLOCK_CODE_DETAIL*>(detail);
        if (depth_ == 2) {
          block_.kind = Block::Kind::kCode;
          fence_ = d->fence_char;
          const std::size_t at = offset(absl::string_view(d->info.text, d->info.size));
          if (d->info.size > 0 && at != absl::string_view::npos) info_line_ = line_of(at);
          if (blocks_mode_ && attribute(d->info) == "claim") block_.kind = Block::Kind::kClaim;
        }
        in_code_ = true;
        break;
      }
      case MD_BLOCK_TABLE:
        if (depth_ == 2) block_.kind = Block::Kind::kTable;
        html_ += "<table class=\"md\">\n";
        break;
      case MD_BLOCK_THEAD:
        in_head_ = true;
        break;
      case MD_BLOCK_TBODY:
        in_head_ = false;
        break;
      case MD_BLOCK_TR:
        html_ += "<tr>";
        row_.clear();
        row_line_ = absl::string_view::npos;
        break;
      case MD_BLOCK_TH:
      case MD_BLOCK_TD:
        html_ += in_head_ ? "<th>" : "<td>";
        cell_first_ = cell_last_ = absl::string_view::npos;
        break;
      case MD_BLOCK_DOC:
      case MD_BLOCK_HTML:
        break;
    }
    return 0;
  }

  int leave_block(MD_BLOCKTYPE type, void*) {
    --depth_;
    switch (type) {
      case MD_BLOCK_H:
        if (depth_ > 1) html_ += "</strong></p>\n";
        break;
      case MD_BLOCK_P:
        if (depth_ > 1) html_ += "</p>\n";
        break;
      case MD_BLOCK_UL:
        html_ += "</ul>\n";
        break;
      case MD_BLOCK_OL:
        html_ += "</ol>\n";
        break;
      case MD_BLOCK_LI:
        html_ += "</li>\n";
        break;
      case MD_BLOCK_QUOTE:
        html_ += "</blockquote>\n";
        break;
      case MD_BLOCK_CODE:
        in_code_ = false;
        if (depth_ > 1) {
          absl::StrAppend(&html_, "<pre><code>", escape_html(code_), "</code></pre>\n");
          code_.clear();
        }
        break;
      case MD_BLOCK_TABLE:
        html_ += "</table>\n";
        break;
      case MD_BLOCK_TR:
        html_ += "</tr>\n";
        end_row();
        break;
      case MD_BLOCK_TH:
      case MD_BLOCK_TD:
        html_ += in_head_ ? "</th>" : "</td>";
        end_cell();
        break;
      default:
        break;
    }
    if (depth_ == 1) finish_block();
    return 0;
  }

  int enter_span(MD_SPANTYPE type, void* detail) {
    if (type == MD_SPAN_A) {
      const std::string url = attribute(static_cast<MD_SPAN_A_DETAIL*>(detail)->href);
      const bool safe = relative_or_safe_url(url);
      // An unsafe link (javascript:, data:, ...) keeps its text only.
      if (safe) absl::StrAppend(&html_, "<a href=\"", escape_html(url), "\">");
      links_.push_back(safe);
    } else {
      html_ += span_marks(type).first;
    }
    return 0;
  }

  int leave_span(MD_SPANTYPE type, void*) {
    if (type == MD_SPAN_A) {
      if (links_.back()) html_ += "</a>";
      links_.pop_back();
    } else {
      html_ += span_marks(type).second;
    }
    return 0;
  }

  int text(MD_TEXTTYPE type, absl::string_view s) {
    if (const std::size_t at = offset(s); at != absl::string_view::npos && !s.empty()) {
      if (first_ == absl::string_view::npos) first_ = at;
      last_ = at + s.size();
      if (cell_first_ == absl::string_view::npos) cell_first_ = at;
      cell_last_ = at + s.size();
    }
    switch (type) {
      case MD_TEXT_CODE:
        if (in_code_) {
          code_.append(s.data(), s.size());
        } else {
          html_ += escape_html(s);  // a code span: '$' is not math in <code>
        }
        break;
      case MD_TEXT_LATEXMATH:
        html_ += escape_html(s);  // kept verbatim (escaped) for KaTeX
        break;
      case MD_TEXT_BR:
        html_ += "<br>";
        break;
      case MD_TEXT_SOFTBR:
        html_ += " ";
        break;
      case MD_TEXT_NULLCHAR:
        html_ += "\xEF\xBF\xBD";  // U+FFFD
        break;
      default:  // normal text, entities (kept as text) and raw HTML (escaped)
        html_ += text_html(s);
        break;
    }
    return 0;
  }

  void end_cell() {
    std::string raw;
    if (cell_first_ != absl::string_view::npos) {
      // The cell's source: from the '|' before its first text to the '|'
      // after its last (an escaped "\|" belongs to the cell).
      const std::size_t begin = line_starts_[line_of(cell_first_)];
      std::size_t from = cell_first_, to = cell_last_;
      while (from > begin && !pipe_at(from - 1)) --from;
      while (to < src_.size() && src_[to] != '\n' && !pipe_at(to)) ++to;
      raw = absl::StrReplaceAll(strip(src_.substr(from, to - from)), {{"\\|", "|"}});
      row_line_ = line_of(cell_first_);
      row_end_ = to;
    }
    row_.push_back(raw);
  }

  void end_row() {
    // md4c gives every row as many cells as the header: fewer are padded
    // with empty cells, more are dropped. A dropped cell is refused.
    if (row_line_ != absl::string_view::npos && !row_.back().empty() && row_end_ < src_.size() &&
        src_[row_end_] == '|') {
      const std::size_t end = line_starts_[row_line_] + line(row_line_).size();
      if (!strip(src_.substr(row_end_ + 1, end - row_end_ - 1)).empty()) {
        bad(where(row_line_), absl::StrCat("a table row has more cells than its header (",
                                           row_.size(), ")"));
      }
    }
    if (block_.source.empty() && row_line_ != absl::string_view::npos) {
      // Rows follow the header and the separator line.
      const std::size_t r = block_.rows.size();
      block_.source = where(r == 0 ? row_line_ : row_line_ - r - 1);
    }
    block_.rows.push_back(row_);
  }

  bool pipe_at(std::size_t i) const { return src_[i] == '|' && (i == 0 || src_[i - 1] != '\\'); }

  // Lines [first_, last_) of the block, stripped and joined by spaces.
  std::string raw_lines() const {
    std::vector<std::string> lines;
    for (std::size_t n = line_of(first_); n <= line_of(last_ - 1); ++n) lines.push_back(strip(line(n)));
    return absl::StrJoin(lines, " ");
  }

  void finish_block() {
    const bool located = first_ != absl::string_view::npos;
    if (block_.source.empty()) {
      if (block_.kind == Block::Kind::kClaim || block_.kind == Block::Kind::kCode) {
        if (info_line_ != absl::string_view::npos) {
          block_.source = where(info_line_);
        } else if (located) {
          block_.source = where(line_of(first_) - 1);
        }
      } else if (located) {
        block_.source = where(line_of(first_));
      }
      if (block_.source.empty()) block_.source = path_;
    }
    switch (block_.kind) {
      case Block::Kind::kHeading: {
        block_.html = html_;
        if (located) {
          std::string raw = raw_lines();
          const std::size_t hashes = std::min(raw.find_first_not_of('#'), raw.size());
          if (hashes >= 1 && hashes <= 6 && (hashes == raw.size() || raw[hashes] == ' ')) {
            // ATX: drop the opening and closing #s
            raw = strip(raw.substr(hashes));
            const std::size_t close = raw.find_last_not_of('#');
            if (close != std::string::npos && close + 1 < raw.size() && raw[close] == ' ') {
              raw = strip(raw.substr(0, close));
            }
          }
          block_.text = raw;
        }
        break;
      }
      case Block::Kind::kParagraph: {
        const std::string raw = located ? raw_lines() : "";
        if (!blocks_mode_) {
          block_.text = raw;
          block_.html = absl::StrCat("<p>", html_, "</p>\n");
          break;
        }
        // Figure directives: a paragraph of "@figure <name>" lines, one
        // figure each; a directive among other lines is refused.
        if (located && absl::StrContains(raw, "@figure")) {
          std::vector<Block> figures;
          for (std::size_t n = line_of(first_); n <= line_of(last_ - 1); ++n) {
            const std::string t = strip(line(n));
            if (!absl::StartsWith(t, "@figure")) continue;
            Block f;
            f.kind = Block::Kind::kFigure;
            f.source = where(n);
            f.text = strip(t.substr(7));
            if (!valid_name(f.text, "_"))
              bad(f.source, "a figure directive is '@figure <name>', name [a-z0-9_]+");
            figures.push_back(std::move(f));
          }
          if (!figures.empty()) {
            if (figures.size() != line_of(last_ - 1) - line_of(first_) + 1) {
              bad(figures[0].source, "a figure directive needs a blank line between it and text");
            }
            for (Block& f : figures) blocks_.push_back(std::move(f));
            return;
          }
        }
        if (display_math_only()) {
          // The lines as written, between the $$ delimiters included.
          block_.kind = Block::Kind::kMath;
          const std::size_t from = src_.rfind("$$", first_);
          const std::size_t to = src_.find("$$", last_) + 2;
          block_.text = std::string(src_.substr(from, to - from));
          block_.html = absl::StrCat("<div class=\"math-display\">", escape_html(block_.text),
                                     "</div>\n");
        } else {
          block_.text = raw;
          block_.html = absl::StrCat("<p>", html_, "</p>\n");
        }
        break;
      }
      case Block::Kind::kCode:
      case Block::Kind::kClaim: {
        if (fence_ != 0 && blocks_mode_) check_closed();
        std::string body = code_;
        if (absl::EndsWith(body, "\n")) body.pop_back();
        if (block_.kind == Block::Kind::kClaim) {
          block_.claim = parse_claim(absl::StrSplit(body, '\n'), block_.source);
        } else {
          block_.text = body;
          block_.html = absl::StrCat("<pre><code>", escape_html(body), "</code></pre>\n");
        }
        break;
      }
      default:
        block_.html = html_;
        break;
    }
    blocks_.push_back(std::move(block_));
  }

  // A paragraph that is one $$...$$ span and nothing else.
  bool display_math_only() const {
    return absl::StartsWith(html_, "$$") && absl::EndsWith(html_, "$$") &&
           html_.find("$$", 2) == html_.size() - 2;
  }

  // md4c ends an unclosed fenced block at the end of the file; the package
  // refuses it (a forgotten fence would swallow the rest of the text).
  void check_closed() const {
    std::size_t next;
    if (first_ != absl::string_view::npos) {
      next = line_of(last_ - 1) + 1;
    } else if (info_line_ != absl::string_view::npos) {
      next = info_line_ + 1;
    } else {
      return;  // an empty block without an info string: nothing to locate
    }
    const std::string t = next < line_starts_.size() ? strip(line(next)) : "";
    if (t.size() < 3 || t.find_first_not_of(fence_) != std::string::npos) {
      bad(block_.source, "fenced block never closed with ```");
    }
  }

  const std::string path_;
  const absl::string_view src_;
  const bool blocks_mode_;
  std::vector<std::size_t> line_starts_;
  std::vector<Block> blocks_;
  std::exception_ptr error_;  // a callback's exception, rethrown after md_parse
  int depth_ = 0;
  Block block_;       // the top-level block being read
  std::string html_;  // its HTML so far
  std::size_t first_ = absl::string_view::npos, last_ = absl::string_view::npos;
  bool in_code_ = false;
  std::string code_;  // a fenced block's text
  char fence_ = 0;
  std::size_t info_line_ = absl::string_view::npos;
  std::vector<bool> links_;  // open links: whether an <a> was written
  bool in_head_ = false;
  std::vector<std::string> row_;
  std::size_t row_line_ = absl::string_view::npos, row_end_ = 0;
  std::size_t cell_first_ = absl::string_view::npos, cell_last_ = absl::string_view::npos;
};

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
  const std::string text = strip(s);
  if (text.empty()) return "";
  // One paragraph, unless the text starts like a block ("# ", "- ", "1. ",
  // "> ", "```"): then its first punctuation character is escaped.
  for (int attempt = 0; attempt < 2; ++attempt) {
    std::string input = text;
    if (attempt == 1) {
      const auto punct = std::find_if(input.begin(), input.end(), absl::ascii_ispunct);
      if (punct == input.end()) break;
      input.insert(punct, '\\');
    }
    const std::vector<Block> blocks = Walker("", input, false).run();
    if (blocks.size() == 1 && blocks[0].kind == Block::Kind::kParagraph) {
      const std::string& html = blocks[0].html;
      return html.substr(3, html.size() - 3 - 5);  // inside <p>...</p>\n
    }
  }
  return text_html(text);
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
  Document doc;
  doc.path = path;
  doc.blocks = Walker(path, text, true).run();
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
                        b.html, "</h", h, ">\n");
        break;
      }
      case Block::Kind::kClaim:
      case Block::Kind::kFigure:
        out += special(b);
        break;
      default:
        out += b.html;
        break;
    }
  }
  return out;
}

}  // namespace fgbdl::report
