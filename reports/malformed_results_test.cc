// Malformed results as a property of the report generator (//reports:report,
// reports/report.h): from a valid minimal set of inputs (every figure's runs,
// with only the columns the figures read), one generated corruption of one
// metrics.csv or manifest.json — truncated at a random byte (a metrics.csv
// also exactly at a row end), emptied, deleted, a number replaced by a word,
// a column dropped, a ragged row, a whole row dropped, one digit changed, a
// required manifest key removed, JSON syntax broken — makes generate() throw
// BadInput naming that file and the target that made it, and leaves no
// report (the output directory is not created, no partial sibling left).
// A metrics.csv that is still a well-formed table (cut at a row end, a row
// dropped, a digit changed) is refused because it no longer matches the row
// count and FNV-1a/64 hash its manifest.json records (lib/io/results.h).
//
// Plan-only: the generator is given a gnuplot that does not exist, so inputs
// it accepts fail at the first drawing with std::runtime_error, which this
// test reports as a corruption accepted. The valid inputs themselves are
// checked to get that far (AcceptsTheUncorruptedInputs).
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "gtest/gtest.h"
#include "lib/io/results.h"
#include "rapidcheck.h"
#include "rapidcheck/gtest.h"
#include "reports/inputs.h"
#include "reports/report.h"

namespace fgbdl::report {
namespace {
namespace fs = std::filesystem;

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// One result file of the fixture and the target that makes it.
struct ResultFile {
  std::string path, target;
};

struct Fixture {
  std::string dir, inputs, out;
  std::vector<std::string> run_entries;
  std::vector<ResultFile> files;

  // Writes the runs of `claim` under runs/<root> (lib/io's writer) and lists
  // the root as made by `target`.
  void add(const std::string& root, const std::string& target, const std::string& claim,
           const std::vector<std::pair<std::string, Table>>& configs) {
    const std::string path = dir + "/runs/" + root;
    for (const auto& [config, table] : configs) {
      const RunId id{claim, config, 1, "quick"};
      write_run(path, id, table, {{"steps", "100"}}, {}, 1.0);
      files.push_back({run_dir(path, id) + "/metrics.csv", target});
      files.push_back({run_dir(path, id) + "/manifest.json", target});
    }
    const bool listed = std::any_of(run_entries.begin(), run_entries.end(), [&](const std::string& e) {
      return absl::StrContains(e, json_quote(path));
    });
    if (!listed) {
      run_entries.push_back(absl::StrCat("{\"target\": ", json_quote(target),
                                         ", \"binary\": \"//x:y\", \"dir\": ", json_quote(path),
                                         ", \"args\": [], \"profile\": \"quick\"}"));
    }
  }
  Options options() const {
    Options o;
    o.inputs = inputs;
    o.out = out;
    o.katex = dir + "/katex";
    o.gnuplot = dir + "/no/gnuplot";  // plan only: drawing fails (runtime_error)
    o.dot = dir + "/no/dot";
    return o;
  }
};

Table table(const std::vector<std::string>& columns, const std::vector<std::vector<double>>& rows) {
  Table t(columns);
  for (const auto& r : rows) t.add_row(r);
  return t;
}

// Rows x = 1..n of f(x) for every column after the first.
Table curve(const std::vector<std::string>& columns, int n,
            const std::function<std::vector<double>(double)>& f) {
  Table t(columns);
  for (int i = 1; i <= n; ++i) {
    std::vector<double> row = {double(i)};
    for (double v : f(i)) row.push_back(v);
    t.add_row(row);
  }
  return t;
}

// The smallest inputs every figure planner accepts: one config per figure
// where one suffices, only the columns the planners read.
Fixture make_fixture() {
  Fixture f;
  f.dir = absl::StrCat(std::getenv("TEST_TMPDIR"), "/malformed");
  fs::remove_all(f.dir);
  f.inputs = f.dir + "/inputs.json";
  f.out = f.dir + "/report/out";
  const auto training = [](double acc) {
    return curve({"step", "accuracy"}, 3, [acc](double s) { return std::vector<double>{acc + 0.01 * s}; });
  };
  f.add("e21", "//reports:m_e2_1", "e2_1_parity", {{"d5", training(0.6)}});
  f.add("t1", "//reports:m_t1", "t1_variance",
        {{"fixed_net", curve({"d", "var_square", "var_hinge", "G2", "bound"}, 3, [](double d) {
            return std::vector<double>{0.1 / d, 0.2 / d, 2, 1 / d};
          })}});
  f.add("t2", "//reports:m_t2", "t2_linear_periodic",
        {{"d5", curve({"r", "variance", "variance_se"}, 3,
                      [](double r) { return std::vector<double>{std::exp(-r), 0.01 * std::exp(-r)}; })},
         {"exact_d5", curve({"r", "variance"}, 3, [](double r) { return std::vector<double>{std::exp(-r)}; })},
         {"train", curve({"step", "loss", "trivial_loss"}, 3,
                         [](double s) { return std::vector<double>{0.6 - 0.01 * s, 0.5}; })}});
  f.add("e31", "//reports:m_e3_1", "e3_1_tuples",
        {{"k1_e2e", training(0.6)}, {"k1_dec", training(0.7)}});
  f.add("e31", "//reports:m_e3_1", "e3_1_examples",
        {{"grid", table({"image", "label", "row", "col"}, {{0, 1, 3, 4}, {0, 1, 4, 4}, {1, -1, 5, 5}})}});
  f.add("snr", "//reports:m_snr", "e3_1_snr",
        {{"init", curve({"k", "snr_e2e", "snr_dec", "snr_e2e_script", "snr_dec_script"}, 3,
                        [](double k) { return std::vector<double>{0.1 / k, 0.05, 0.2 / k, 0.06}; })}});
  f.add("stocks", "//reports:m_stocks", "e3_2_stocks",
        {{"k10_e2e", curve({"step", "loss"}, 3, [](double s) { return std::vector<double>{-s / 4}; })},
         {"k10_dec", curve({"step", "loss"}, 3, [](double s) { return std::vector<double>{-s / 3}; })}});
  f.add("c4", "//reports:m_c4", "c4_conditioning",
        {{"sweep", curve({"n", "cond_W", "cond_patch_paper", "cond_patch_script",
                          "cond_patch_appendix", "cond_whitened_fresh_paper",
                          "cond_whitened_fresh_script", "cond_whitened_fresh_appendix"},
                         3, [](double n) {
                           return std::vector<double>{std::pow(n, 4), std::pow(n, 3),
                                                      2 * std::pow(n, 3), 1.5 * std::pow(n, 3),
                                                      1.1, 1.2, 1.3};
                         })}});
  f.add("e41", "//reports:m_e4_1", "e4_1_encoders",
        {{"fc_adam_script", curve({"step", "test_error"}, 3, [](double s) { return std::vector<double>{1 / s}; })}});
  Table curves({"step", "curve", "x", "f", "decoded"});
  for (int x = 1; x <= 4; ++x) curves.add_row({100, 0, double(x), std::max(0.0, x - 2.0), x - 1.9});
  f.add("e41", "//reports:m_e4_1", "e4_1_curves", {{"fc_adam_script", curves}});
  f.add("e5", "//reports:m_e5", "e5_flat",
        {{"e2e", curve({"step", "test_error"}, 3, [](double s) { return std::vector<double>{1 / s}; })}});
  f.add("e5", "//reports:m_e5", "e5_fit",
        {{"approx", curve({"r", "y", "prediction"}, 3,
                          [](double r) { return std::vector<double>{r > 1 ? 1.0 : 0.0, 0.5}; })}});
  f.add("e5", "//reports:m_e5", "e5_bias_sweep",
        {{"sweep", curve({"b_init", "final_error"}, 3, [](double) { return std::vector<double>{0.1}; })}});
  f.add("x2", "//reports:m_x2", "x2_gating",
        {{"memorize_d8_k8_m64",
          curve({"step", "relu_train_mse", "galu_train_mse", "exact_train_mse", "kd_over_m"}, 3,
                [](double s) { return std::vector<double>{1 / s, 0.9 / s, 0.5, 1}; })},
         {"parity_d5", curve({"step", "relu_accuracy", "galu_accuracy"}, 3,
                             [](double s) { return std::vector<double>{0.5 + 0.1 * s, 0.6 + 0.1 * s}; })},
         {"tuples_k1", curve({"step", "relu_accuracy", "galu_accuracy"}, 3,
                             [](double s) { return std::vector<double>{0.5 + 0.1 * s, 0.6 + 0.1 * s}; })},
         {"curves_n25",
          curve({"step", "relu_test_mse", "galu_test_mse", "target_variance"}, 3,
                [](double s) { return std::vector<double>{0.01 / s, 0.02 / s, 0.04}; })},
         {"step_d100",
          curve({"step", "relu_test_mse", "galu_test_mse", "target_variance"}, 3,
                [](double s) { return std::vector<double>{0.1 / s, 0.2 / s, 0.3}; })},
         {"fashion", curve({"step", "relu_test_error", "galu_test_error"}, 3,
                           [](double s) { return std::vector<double>{0.2 / s, 0.25 / s}; })}});
  f.add("x4", "//reports:m_x4", "x4_perturbation",
        {{"flat", curve({"step", "backprop_test_mse", "gaussian_test_mse", "cauchy_test_mse",
                         "target_variance"},
                        3, [](double s) { return std::vector<double>{0.5, 0.2 / s, 0.1 / s, 0.04}; })},
         {"parity_d5",
          curve({"step", "backprop_accuracy", "gaussian_accuracy", "cauchy_accuracy"}, 3,
                [](double s) { return std::vector<double>{0.5 + 0.1 * s, 0.6, 0.5}; })}});
  f.add("x3", "//reports:m_x3", "x3_feedback",
        {{"parity_d5", curve({"step", "bp_accuracy", "fa_accuracy", "fa_angle_deg"}, 3,
                             [](double s) { return std::vector<double>{0.5 + 0.1 * s, 0.5 + 0.05 * s, 80 - s}; })}});
  f.add("x5", "//reports:m_x5", "x5_noisy_gd",
        {{"parity_tau1e-1", curve({"step", "accuracy", "loss", "tau"}, 3, [](double s) {
            return std::vector<double>{0.5 + 0.01 * s, 1 - 0.01 * s, 0.1};
          })}});
  f.add("x1", "//reports:m_x1", "x1_sharing",
        {{"mixed", curve({"step", "shared_mse", "shared_low", "shared_mid", "shared_high",
                          "unshared_mse", "unshared_low", "unshared_mid", "unshared_high",
                          "target_low", "target_mid", "target_high"},
                         3, [](double s) {
                           return std::vector<double>{1 / s, 0.1 / s, 0.2 / s, 0.3 / s, 1 / s,
                                                      0.1 / s, 0.2 / s, 0.33, 1.0 / 3, 1.0 / 3,
                                                      1.0 / 3};
                         })}});
  const auto accuracy = [](double learned) {
    return curve({"step", "accuracy", "loss"}, 3,
                 [learned](double s) { return std::vector<double>{learned * s / 3 + 0.5, 1 / s}; });
  };
  f.add("b2", "//reports:m_b2", "b2_1_parity", {{"d5", accuracy(0.45)}, {"d30", accuracy(0)}});
  f.add("b31", "//reports:m_b31", "b3_1_tuples",
        {{"k1_e2e", accuracy(0.45)}, {"k3_e2e", accuracy(0)}, {"k3_dec", accuracy(0.45)}});
  f.add("b32", "//reports:m_b32", "b3_2_stocks",
        {{"k10_e2e", curve({"step", "loss"}, 3, [](double s) { return std::vector<double>{-0.3 * s}; })},
         {"k10_dec", curve({"step", "loss"}, 3, [](double s) { return std::vector<double>{-0.31 * s}; })}});
  f.add("x6", "//reports:m_x6", "x6_sparse_parity",
        {{"n10_k3", curve({"step", "accuracy", "relevant_mean", "irrelevant_mean", "solved",
                           "solved_step"},
                          3, [](double s) {
                            return std::vector<double>{0.5 + 0.1 * s, 0.1 * s, 0.05 * s, 1, 3};
                          })}});
  f.add("b41", "//reports:m_b4_1", "b4_1_steps",
        {{"fc_n25", curve({"step", "test_error", "relative_error", "steps_to_level", "reached"}, 3,
                          [](double s) { return std::vector<double>{1 / s, 0.1 / s, 2.5, 1}; })}});
  f.add("b5s", "//reports:m_b5s", "b5_sharpness",
        {{"approx_c5", curve({"step", "test_error", "fvu", "target_variance"}, 3,
                             [](double s) { return std::vector<double>{0.04 / s, 1 / s, 0.04}; })}});
  f.add("b5k", "//reports:m_b5k", "b5_thresholds",
        {{"e2e_k7", curve({"step", "test_error", "fvu", "target_variance"}, 3,
                          [](double s) { return std::vector<double>{0.04 / s, 1 / s, 0.04}; })}});
  for (const char* k : {"katex.min.js", "katex.min.css", "contrib/auto-render.js", "fonts/x.woff2"})
    write_file_atomically(absl::StrCat(f.dir, "/katex/", k), "/* stand-in */\n");
  write_file_atomically(f.inputs, absl::StrCat("{\"report\": \"//reports:m\", \"runs\": [",
                                               absl::StrJoin(f.run_entries, ",\n"),
                                               "],\n\"verdicts\": [], \"papers\": []}\n"));
  return f;
}

const Fixture& fixture() {
  static const Fixture f = make_fixture();
  return f;
}

// The outcome of generate() on the fixture: "" if it got as far as drawing.
struct Outcome {
  bool refused = false;   // BadInput
  std::string message;    // its message, or what else was thrown
};
Outcome run_generate(const Fixture& f) {
  Outcome o;
  try {
    generate(f.options());
    o.message = "generate() returned";
  } catch (const BadInput& e) {
    o.refused = true;
    o.message = e.what();
  } catch (const std::exception& e) {
    o.message = e.what();
  }
  return o;
}

TEST(MalformedResults, AcceptsTheUncorruptedInputs) {
  const Fixture& f = fixture();
  const Outcome o = run_generate(f);
  EXPECT_FALSE(o.refused) << o.message;
  EXPECT_TRUE(absl::StrContains(o.message, "gnuplot")) << o.message;  // got to drawing
  EXPECT_FALSE(fs::exists(f.out));
  EXPECT_EQ(f.files.size(), 2u * 39);
}

// Corruptions (the names RC_CLASSIFY counts).
enum Kind {
  kTruncate,
  kEmpty,
  kDelete,
  kNonNumeric,
  kDropColumn,
  kRaggedRow,
  kDropManifestKey,
  kBreakJson,
  kDropRow,
  kChangeDigit,
  kCutAtRowEnd,
};
const char* kKindNames[] = {"truncate",   "empty",      "delete",           "non-numeric",
                            "drop column", "ragged row", "drop manifest key", "break JSON",
                            "drop row",    "change digit", "cut at row end"};

// Applies corruption `kind` to `text` (a metrics.csv or manifest.json) with
// the generated choices `pick`; returns false if it does not apply (the
// property then draws another).
bool corrupt(Kind kind, bool csv, std::string* text, const std::vector<std::size_t>& pick,
             std::string* what) {
  const std::string& t = *text;
  std::vector<std::string> lines = absl::StrSplit(t, '\n');
  lines.pop_back();  // after the final newline
  switch (kind) {
    case kTruncate: {
      // Keeps the first n bytes, n < size; a cut after a manifest's closing
      // brace only drops whitespace, so manifests are cut before it.
      const std::size_t limit = csv ? t.size() : t.rfind('}');
      const std::size_t n = pick[0] % limit;
      *what = absl::StrCat("truncated to ", n, " of ", t.size(), " bytes");
      *text = t.substr(0, n);
      return true;
    }
    case kEmpty:
      *what = "emptied";
      text->clear();
      return true;
    case kNonNumeric: {
      if (!csv) {  // a number field of the manifest becomes a word
        const std::vector<std::string> fields = {
            "\"seed\": ",         "\"threads\": ",       "\"wall_time_s\": ",
            "\"peak_rss_mib\": ", "\"diverged_step\": ", "\"metrics_rows\": "};
        const std::string key = fields[pick[0] % fields.size()];
        const std::size_t at = t.find(key);
        if (at == std::string::npos) return false;
        const std::size_t from = at + key.size(), to = t.find_first_of(",\n}", from);
        *what = absl::StrCat("manifest ", key, "set to \"abc\"");
        text->replace(from, to - from, "\"abc\"");
        return true;
      }
      const std::size_t line = 1 + pick[0] % (lines.size() - 1);
      std::vector<std::string> cells = absl::StrSplit(lines[line], ',');
      const std::size_t cell = pick[1] % cells.size();
      const std::vector<std::string> words = {"abc", "", "1.5.2", "0x", "--", "NaNa", "1e", "one"};
      cells[cell] = words[pick[2] % words.size()];
      *what = absl::StrCat("line ", line + 1, " cell ", cell + 1, " -> '", cells[cell], "'");
      lines[line] = absl::StrJoin(cells, ",");
      break;
    }
    case kDropColumn: {
      if (!csv) return false;
      const std::size_t columns = std::vector<std::string>(absl::StrSplit(lines[0], ',')).size();
      const std::size_t col = pick[0] % columns;
      *what = absl::StrCat("column ", col + 1, " dropped");
      for (std::string& l : lines) {
        std::vector<std::string> cells = absl::StrSplit(l, ',');
        cells.erase(cells.begin() + col);
        l = absl::StrJoin(cells, ",");
      }
      break;
    }
    case kRaggedRow: {
      if (!csv) return false;
      const std::size_t line = 1 + pick[0] % (lines.size() - 1);
      if (pick[1] % 2 == 0) {
        lines[line] += ",1";
        *what = absl::StrCat("line ", line + 1, " one cell more");
      } else {
        lines[line].erase(lines[line].rfind(','));
        *what = absl::StrCat("line ", line + 1, " one cell fewer");
      }
      break;
    }
    case kDropManifestKey: {
      if (csv) return false;
      const std::vector<std::string> required = {
          "claim",        "config",       "seed",         "profile",
          "status",       "diverged_step", "git_commit",  "compiler",
          "blas",         "threads",      "wall_time_s",  "peak_rss_mib",
          "package_version", "metrics_rows", "metrics_fnv1a64", "settings"};
      const std::string key = required[pick[0] % required.size()];
      const auto line = std::find_if(lines.begin(), lines.end(), [&](const std::string& l) {
        return absl::StartsWith(l, absl::StrCat("  \"", key, "\": "));
      });
      if (line == lines.end()) return false;
      *what = absl::StrCat("key \"", key, "\" removed");
      lines.erase(line);
      // Keep the JSON valid: the new last field has no comma.
      std::string& last = lines[lines.size() - 2];
      if (!last.empty() && last.back() == ',') last.pop_back();
      break;
    }
    case kBreakJson: {
      if (csv) return false;
      const std::size_t brace = t.rfind('}');
      // The first ':' or '"' at or after a drawn byte (there is one after
      // the first field's start, byte 4).
      const std::size_t from = 4 + pick[1] % (t.rfind('"') - 4);
      const std::size_t colon = t.find(':', std::min(from, t.rfind(':')));
      const std::size_t quote = t.find('"', from);
      switch (pick[0] % 6) {
        case 0:
          *what = "closing brace removed";
          text->erase(brace, 1);
          return true;
        case 1:
          *what = "comma before the closing brace";
          text->insert(brace, ",");
          return true;
        case 2:
          *what = absl::StrCat("':' at byte ", colon, " -> '='");
          (*text)[colon] = '=';
          return true;
        case 3:
          *what = absl::StrCat("'\"' at byte ", quote, " removed");
          text->erase(quote, 1);
          return true;
        case 4:
          *what = "garbage after the object";
          text->insert(brace + 1, " x");
          return true;
        default:
          *what = "second object after the first";
          text->insert(brace + 1, "{}");
          return true;
      }
    }
    case kDropRow: {
      // A whole data row removed: still a well-formed table.
      if (!csv || lines.size() < 3) return false;
      const std::size_t line = 1 + pick[0] % (lines.size() - 1);
      *what = absl::StrCat("line ", line + 1, " of ", lines.size(), " removed");
      lines.erase(lines.begin() + line);
      break;
    }
    case kChangeDigit: {
      // One digit of a data row becomes another: same shape, other numbers.
      if (!csv) return false;
      const std::size_t body = t.find('\n') + 1;
      std::vector<std::size_t> digits;
      for (std::size_t i = body; i < t.size(); ++i)
        if (t[i] >= '0' && t[i] <= '9') digits.push_back(i);
      if (digits.empty()) return false;
      const std::size_t at = digits[pick[0] % digits.size()];
      const char to = static_cast<char>('0' + (t[at] - '0' + 1 + pick[1] % 9) % 10);
      *what = absl::StrCat("byte ", at, " '", std::string(1, t[at]), "' -> '", std::string(1, to), "'");
      (*text)[at] = to;
      return true;
    }
    case kCutAtRowEnd: {
      // Keeps the header and 1 to rows-1 rows: a shorter well-formed table.
      if (!csv || lines.size() < 3) return false;
      const std::size_t keep = 2 + pick[0] % (lines.size() - 2);  // lines kept
      *what = absl::StrCat("cut after line ", keep, " of ", lines.size());
      lines.resize(keep);
      break;
    }
    case kDelete:
      return false;  // handled by the caller
  }
  *text = absl::StrCat(absl::StrJoin(lines, "\n"), "\n");
  return true;
}

// Corruptions tried and refused as asked, by kind (printed by the next test).
std::map<std::string, int> tried, refused, not_applicable;

// Each run of the property applies every kind of corruption once (to a file
// drawn for it, restored afterwards): 100 runs, 1100 corruptions.
RC_GTEST_PROP(MalformedResults,
              AnyCorruptedResultFileIsRefusedNamingTheFileAndItsTargetAndNothingIsWritten, ()) {
  const Fixture& f = fixture();
  // rc::gen::resize: uniform choices at every run, not only the later ones.
  const auto uniform = [](std::size_t n) {
    return *rc::gen::resize(100, rc::gen::inRange<std::size_t>(0, n));
  };
  for (int k = kTruncate; k <= kCutAtRowEnd; ++k) {
    const Kind kind = static_cast<Kind>(k);
    const bool csv_only = kind == kDropColumn || kind == kRaggedRow || kind == kDropRow ||
                          kind == kChangeDigit || kind == kCutAtRowEnd;
    const bool manifest_only = kind == kDropManifestKey || kind == kBreakJson;
    // f.files alternates metrics.csv, manifest.json.
    const std::size_t i = csv_only        ? 2 * uniform(f.files.size() / 2)
                          : manifest_only ? 2 * uniform(f.files.size() / 2) + 1
                                          : uniform(f.files.size());
    const ResultFile& file = f.files[i];
    const bool csv = absl::EndsWith(file.path, ".csv");
    const std::vector<std::size_t> pick = {uniform(1 << 20), uniform(1 << 20), uniform(1 << 20)};
    const std::string original = slurp(file.path);
    std::string text = original, what = "deleted";
    if (kind != kDelete && !corrupt(kind, csv, &text, pick, &what)) {
      // Only a table of one data row has no row to drop or cut at.
      RC_ASSERT(kind == kDropRow || kind == kCutAtRowEnd);
      ++not_applicable[kKindNames[kind]];
      continue;
    }
    ++tried[kKindNames[kind]];
    // A random cut that lands exactly after a row leaves a well-formed table.
    if (kind == kTruncate && csv && !text.empty() && text.back() == '\n' &&
        std::count(text.begin(), text.end(), '\n') >= 2) {
      ++tried["truncate (at a row end)"];
    }
    if (kind == kDelete) {
      fs::remove(file.path);
    } else {
      write_file_atomically(file.path, text);
    }
    fs::remove_all(fs::path(f.out).parent_path());  // as if never generated
    const Outcome o = run_generate(f);
    write_file_atomically(file.path, original);  // restore before asserting
    RC_LOG() << file.path << ": " << what << "\n" << o.message << "\n";
    RC_ASSERT(o.refused);
    RC_ASSERT(absl::StartsWith(o.message, file.path + ": "));
    RC_ASSERT(absl::StrContains(
        o.message, absl::StrCat("(made by ", file.target, ": bazel build ", file.target, ")")));
    RC_ASSERT(o.message.find('\n') == std::string::npos);
    RC_ASSERT(!fs::exists(f.out));
    RC_ASSERT(!fs::exists(fs::path(f.out).parent_path()));  // nor a partial sibling
    ++refused[kKindNames[kind]];
    if (kind == kTruncate && csv && !text.empty() && text.back() == '\n' &&
        std::count(text.begin(), text.end(), '\n') >= 2) {
      ++refused["truncate (at a row end)"];
    }
  }
}

// Runs after the property (GoogleTest keeps the order of definition; run
// alone, it finds no corruption and checks nothing).
TEST(MalformedResults, CountsOfTheProperty) {
  int total = 0, ok = 0;
  for (const auto& [kind, n] : tried) {
    std::printf("%-24s tried %4d refused as asked %4d (not applicable %d)\n", kind.c_str(), n,
                refused[kind], not_applicable[kind]);
    if (kind == "truncate (at a row end)") continue;  // also counted under "truncate"
    total += n;
    ok += refused[kind];
  }
  const int row_end = tried["cut at row end"] + tried["truncate (at a row end)"];
  const int row_end_refused = refused["cut at row end"] + refused["truncate (at a row end)"];
  RecordProperty("measured",
                 absl::StrCat(ok, " of ", total, " corruptions refused as asked, among them ",
                              row_end_refused, " of ", row_end,
                              " metrics.csv cut exactly at a row end, ", refused["drop row"],
                              " with a row dropped and ", refused["change digit"],
                              " with a digit changed (row count and hash in the manifest)"));
  EXPECT_EQ(ok, total);
  EXPECT_GT(row_end, 0);
  EXPECT_EQ(row_end_refused, row_end);
}

}  // namespace
}  // namespace fgbdl::report
