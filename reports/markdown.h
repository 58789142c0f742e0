// The literate text (paper/*.md): a small markdown subset, claim blocks and
// figure directives, turned into HTML with everything escaped.
//
// Blocks: `#`..`######` headings; paragraphs; `-`/`*` and `1.` lists (an
// item continues on lines indented by two or more spaces); ``` fenced code;
// `$$ ... $$` display math (one line or several); pipe tables (a header row,
// a `|---|` row, body rows); `---` rules. Inline: `code`, **strong**,
// *emphasis*, [text](url) (http, https, relative and #anchor links only),
// $math$ and $$math$$ kept verbatim for KaTeX auto-render, `\` escapes.
// Raw HTML is not interpreted: it is escaped like any other text.
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
// A figure directive is a line `@figure <name>`: the figure, its caption and
// the command that regenerates it are placed there.
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
    kFigure
  };
  Kind kind = Kind::kParagraph;
  int level = 0;                               // heading level
  std::string text;                            // heading, paragraph, code, math, figure name
  std::vector<std::string> items;              // list items
  std::vector<std::vector<std::string>> rows;  // table: header row first
  Claim claim;
  std::string source;  // file:line
  std::string anchor;  // heading: its HTML id (assign_anchors); empty: slug(text)
};

struct Document {
  std::string path;
  std::vector<Block> blocks;
};

// Throws BadInput (reports/inputs.h) naming <path>:<line> on a malformed
// claim block, an unterminated fence or an empty figure directive.
Document parse_markdown(const std::string& path, const std::string& text);

// HTML text with & < > " ' escaped.
std::string escape_html(absl::string_view s);

// One line of inline markdown as HTML (see the header comment).
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
