// The literate text (paper/*.md): Markdown, claim blocks and figure
// directives, turned into HTML with everything escaped.
//
// The Markdown is CommonMark as read by md4c, with its pipe tables and
// $math$ / $$math$$ spans; indented lines are not code blocks. Math is kept
// verbatim (escaped) between its delimiters for KaTeX auto-render; any
// other '$' is marked as not math. A paragraph that is one $$...$$ span is
// display math. Links: http, https, relative and #anchor only (others keep
// their text); images keep their alt text. Raw HTML is not interpreted: it
// is escaped like any other text, and so are entities.
//
// A claim block is a fenced block with the info string `claim`:
//
//   ```claim
//   id: E2.1
//   kind: experiment
//   statement: A ReLU network trained with SGD learns parities of 5 and 10
//     bits but stays at chance level for 30 bits within 50 000 steps.
//   test: //proofs_checks/sec2_parity:e2_1_parity_test
//   figures: e2_1_parity, e2_1_parity_sweep
//   precision: float32
//   ```
//
// `id`, `kind` and `statement` are required; `test` (a Bazel label
// //pkg:name), `cases` (which test cases of `test` decide the claim: a
// GoogleTest filter of Suite.Name patterns with * and ?, separated by ':'),
// `figures` (comma-separated figure names) and `precision` are optional. A line indented by two or more spaces continues the previous
// value. Kinds: theorem, lemma, corollary, experiment, equation, extension.
//
// A figure directive is a line `@figure <name>` (a paragraph of such lines,
// not mixed with text): the figure, its caption and the command that
// regenerates it are placed there.
#ifndef REPORTS_MARKDOWN_H_
#define REPORTS_MARKDOWN_H_

#include <functional>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"

namespace fgbdl::report {

struct Claim {
  std::string id, kind, statement, test, precision;
  std::string cases;  // the test cases that decide it (a filter); empty: all
  std::vector<std::string> figures;
  std::string source;  // file:line of the block
};

// Target stem of a claim id (paper/design.md, Conventions): "E3.1-SNR" -> "e3_1_snr".
std::string stem(absl::string_view id);

struct Block {
  enum class Kind {
    kHeading,
    kParagraph,
    kList,
    kOrderedList,
    kCode,
    kMath,
    kTable,
    kRule,
    kClaim,
    kFigure,
    kQuote
  };
  Kind kind = Kind::kParagraph;
  int level = 0;  // heading level
  // Heading and paragraph: the Markdown source (lines joined by spaces);
  // code and math: the text as written; figure: its name.
  std::string text;
  // Table: the Markdown source of each cell ("\|" read as "|"), header row
  // first; every row has the header's number of cells (padded with "").
  std::vector<std::vector<std::string>> rows;
  // Heading: its content as HTML; claim, figure: empty; else the block's HTML.
  std::string html;
  Claim claim;
  std::string source;  // file:line
  std::string anchor;  // heading: its HTML id (assign_anchors); empty: slug(text)
};

struct Document {
  std::string path;
  std::vector<Block> blocks;
};

// Throws BadInput (reports/inputs.h) naming <path>:<line> on a malformed
// claim block, an unterminated fence, a malformed figure directive or a
// table row with more cells than its header.
Document parse_markdown(const std::string& path, const std::string& text);

// HTML text with & < > " ' escaped.
std::string escape_html(absl::string_view s);

// One line of inline Markdown as HTML (see the header comment), also when it
// starts like a block ("# ", "- ", "1. ").
std::string inline_html(absl::string_view s);

// Anchor for a heading text: lowercase letters, digits and '-'.
std::string slug(absl::string_view text);

// Gives every heading of `docs` an anchor unique on the page: its slug, or
// the slug with "-2", "-3", ... when an earlier heading or `reserved` has it.
void assign_anchors(std::vector<Document>& docs, const std::vector<std::string>& reserved);

// The document as HTML. Headings are shifted down by `heading_shift` levels;
// claim and figure blocks are rendered by `special`.
std::string render_html(const Document& doc, int heading_shift,
                        const std::function<std::string(const Block&)>& special);

}  // namespace fgbdl::report

#endif  // REPORTS_MARKDOWN_H_
