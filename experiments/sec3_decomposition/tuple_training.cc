#include "experiments/sec3_decomposition/tuple_training.h"

#include <chrono>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <type_traits>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "lib/core/error.h"

namespace fgbdl {
namespace {

constexpr std::uint64_t kInitStream = 1, kDataStream = 2, kEvalStream = 3, kExampleStream = 4;
std::uint64_t stream(int k, std::uint64_t purpose) { return static_cast<std::uint64_t>(k) * 16 + purpose; }

constexpr char kCheckpointMagic[] = "FGBDL e3_1_tuples checkpoint 1\n";
constexpr char kStateMagic[] = "tuple trainer state 1\n";

// Little binary writer/reader (host byte order: a checkpoint is read back
// by the same binary on the same machine).
class Writer {
 public:
  template <class V>
  void put(V v) {
    static_assert(std::is_trivially_copyable_v<V>);
    out_.append(reinterpret_cast<const char*>(&v), sizeof v);
  }
  void put_bytes(const std::string& s) {
    put<std::uint64_t>(s.size());
    out_ += s;
  }
  template <class V>
  void put_array(const V* p, std::size_t n) {
    put<std::uint64_t>(n);
    out_.append(reinterpret_cast<const char*>(p), n * sizeof(V));
  }
  void put_raw(const char* s) { out_ += s; }
  std::string take() { return std::move(out_); }

 private:
  std::string out_;
};

class Reader {
 public:
  Reader(const std::string& in, std::string source) : in_(in), source_(std::move(source)) {}
  template <class V>
  V get() {
    V v;
    need(sizeof v);
    std::memcpy(&v, in_.data() + pos_, sizeof v);
    pos_ += sizeof v;
    return v;
  }
  std::string get_bytes() {
    const auto n = get<std::uint64_t>();
    need(n);
    std::string s = in_.substr(pos_, n);
    pos_ += n;
    return s;
  }
  template <class V>
  void get_array(V* p, std::size_t n) {
    const auto stored = get<std::uint64_t>();
    if (stored != n) fail(absl::StrCat("an array of ", stored, " values where ", n, " were expected"));
    need(n * sizeof(V));
    std::memcpy(p, in_.data() + pos_, n * sizeof(V));
    pos_ += n * sizeof(V);
  }
  void expect_raw(const char* s) {
    const std::size_t n = std::strlen(s);
    need(n);
    if (in_.compare(pos_, n, s) != 0) fail("an unknown format");
    pos_ += n;
  }
  void expect_end() {
    if (pos_ != in_.size()) fail("trailing bytes");
  }
  [[noreturn]] void fail(const std::string& what) const {
    throw std::runtime_error(absl::StrCat("checkpoint ", source_, " is unreadable (", what,
                                          "); delete it to start the run afresh"));
  }

 private:
  void need(std::size_t n) const {
    if (in_.size() - pos_ < n) fail("truncated");
  }
  const std::string& in_;
  std::string source_;
  std::size_t pos_ = 0;
};

// The shortest of %.15g, %.16g, %.17g that reads back as v.
std::string format_double(double v) {
  for (const int digits : {15, 16}) {
    const std::string s = absl::StrFormat("%.*g", digits, v);
    if (std::strtod(s.c_str(), nullptr) == v) return s;
  }
  return absl::StrFormat("%.17g", v);
}

// The first key whose value differs between two canonical strings.
std::string first_difference(const std::string& a, const std::string& b) {
  std::vector<std::string> pa = absl::StrSplit(a, ' '), pb = absl::StrSplit(b, ' ');
  for (std::size_t i = 0; i < std::max(pa.size(), pb.size()); ++i) {
    const std::string x = i < pa.size() ? pa[i] : "(none)", y = i < pb.size() ? pb[i] : "(none)";
    if (x != y) return absl::StrCat("checkpoint has ", x, ", this run ", y);
  }
  return "identical";
}

}  // namespace

std::string TupleSettings::canonical(std::uint64_t seed) const {
  return absl::StrCat("claim=e3_1_tuples k=", k, " approach=", to_string(approach), " seed=", seed,
                      " steps=", steps, " batch=", batch, " lr=", format_double(lr),
                      " beta1=", format_double(beta1), " beta2=", format_double(beta2),
                      " eps=", format_double(eps), " eval_every=", eval_every,
                      " eval_tuples=", eval_tuples, " rasterizer=", to_string(rasterizer),
                      " tuple_label=", to_string(label_rule), " conv_init=", to_string(conv_init),
                      " scalar=float");
}

TupleTrainer::TupleTrainer(const TupleSettings& s, std::uint64_t seed)
    : s_(s), data_rng_(derive_engine(seed, stream(s.k, kDataStream))) {
  if (s.batch < 1 || s.eval_tuples < 1 || s.steps < 0 || s.eval_every < 1)
    throw std::invalid_argument("TupleTrainer: batch, eval_tuples, eval_every must be >= 1");
  Engine init_rng = derive_engine(seed, stream(s.k, kInitStream));
  net_ = tuple_network_init<float>(s.k, s.conv_init, init_rng);
  params_ = tuple_parameters(net_);
  // Held-out tuples, drawn once, in chunks of at most `batch` tuples (the
  // draws do not depend on the chunking: tuples are drawn one after another).
  Engine eval_rng = derive_engine(seed, stream(s.k, kEvalStream));
  const LineTupleSpec spec{s.k, s.rasterizer, s.label_rule};
  for (std::int64_t done = 0; done < s.eval_tuples; done += s.batch) {
    eval_set_.emplace_back();
    sample_line_tuples(static_cast<std::size_t>(std::min(s.batch, s.eval_tuples - done)), spec,
                       eval_rng, eval_set_.back());
  }
}

float TupleTrainer::step() {
  sample_line_tuples(static_cast<std::size_t>(s_.batch), LineTupleSpec{s_.k, s_.rasterizer, s_.label_rule},
                     data_rng_, batch_);
  const float loss = tuple_loss_and_gradients(net_, batch_, s_.approach, ws_);
  adam_step(adam_, s_.lr, s_.beta1, s_.beta2, s_.eps, params_);
  return loss;
}

TupleEvaluation TupleTrainer::evaluate() {
  TupleEvaluation total;
  for (const LineTupleBatch<float>& chunk : eval_set_) total.add(tuple_evaluate(net_, chunk, eval_ws_));
  return total;
}

std::string TupleTrainer::save_state() const {
  Writer w;
  w.put_raw(kStateMagic);
  std::ostringstream engine;
  engine << data_rng_;
  w.put_bytes(engine.str());
  w.put<std::uint64_t>(params_.size());
  for (std::size_t k = 0; k < params_.size(); ++k) {
    w.put_array(params_[k].w, params_[k].n);
    const bool has_moments = !adam_.m.empty();
    w.put<std::uint8_t>(has_moments);
    if (has_moments) {
      w.put_array(adam_.m[k].data(), adam_.m[k].size());
      w.put_array(adam_.v[k].data(), adam_.v[k].size());
    }
  }
  w.put<float>(adam_.beta1_power);
  w.put<float>(adam_.beta2_power);
  w.put<std::int64_t>(adam_.t);
  return w.take();
}

void TupleTrainer::load_state(const std::string& bytes, const std::string& source) {
  Reader r(bytes, source);
  r.expect_raw(kStateMagic);
  std::istringstream engine(r.get_bytes());
  Engine restored;
  engine >> restored;
  if (engine.fail()) r.fail("a bad random engine state");
  const auto count = r.get<std::uint64_t>();
  if (count != params_.size()) r.fail(absl::StrCat(count, " parameters, expected ", params_.size()));
  AdamState<float> adam;
  for (std::size_t k = 0; k < params_.size(); ++k) {
    r.get_array(params_[k].w, params_[k].n);
    if (r.get<std::uint8_t>() != 0) {
      adam.m.emplace_back(params_[k].n);
      adam.v.emplace_back(params_[k].n);
      r.get_array(adam.m.back().data(), params_[k].n);
      r.get_array(adam.v.back().data(), params_[k].n);
    }
  }
  if (!adam.m.empty() && adam.m.size() != params_.size()) r.fail("incomplete optimizer state");
  adam.beta1_power = r.get<float>();
  adam.beta2_power = r.get<float>();
  adam.t = r.get<std::int64_t>();
  r.expect_end();
  adam_ = std::move(adam);
  data_rng_ = restored;
}

namespace {

// Everything a checkpoint holds.
struct Checkpoint {
  std::string settings;
  std::int64_t step = 0;
  double loss_sum = 0;
  std::int64_t loss_count = 0;
  std::vector<std::vector<double>> rows;
  std::string trainer_state;
};

std::string encode(const Checkpoint& c) {
  Writer w;
  w.put_raw(kCheckpointMagic);
  w.put_bytes(c.settings);
  w.put<std::int64_t>(c.step);
  w.put<double>(c.loss_sum);
  w.put<std::int64_t>(c.loss_count);
  w.put<std::uint64_t>(c.rows.size());
  for (const auto& row : c.rows) w.put_array(row.data(), row.size());
  w.put_bytes(c.trainer_state);
  return w.take();
}

Checkpoint decode(const std::string& bytes, const std::string& source, const std::string& settings) {
  Reader r(bytes, source);
  r.expect_raw(kCheckpointMagic);
  Checkpoint c;
  c.settings = r.get_bytes();
  if (c.settings != settings) {
    throw UsageError(absl::StrCat("checkpoint ", source, " belongs to another run (",
                                  first_difference(c.settings, settings),
                                  "); delete it or rerun with its settings"));
  }
  c.step = r.get<std::int64_t>();
  c.loss_sum = r.get<double>();
  c.loss_count = r.get<std::int64_t>();
  const auto rows = r.get<std::uint64_t>();
  if (rows > static_cast<std::uint64_t>(c.step) + 2) r.fail("too many metric rows");
  for (std::uint64_t i = 0; i < rows; ++i) {
    std::vector<double> row(3);
    r.get_array(row.data(), 3);
    c.rows.push_back(row);
  }
  c.trainer_state = r.get_bytes();
  r.expect_end();
  return c;
}

bool read_file(const std::string& path, std::string& out) {
  std::ifstream f(path, std::ios::binary);
  if (!f) return false;
  std::ostringstream ss;
  ss << f.rdbuf();
  out = ss.str();
  if (f.bad()) throw std::runtime_error("cannot read checkpoint " + path);
  return true;
}

std::map<std::string, std::string> manifest_settings(const TupleSettings& s,
                                                     const TupleRunControl& c,
                                                     std::int64_t resumed_from) {
  return {{"k", absl::StrCat(s.k)},
          {"approach", json_quote(to_string(s.approach))},
          {"steps", absl::StrCat(s.steps)},
          {"batch", absl::StrCat(s.batch)},
          {"lr", format_double(s.lr)},
          {"beta1", format_double(s.beta1)},
          {"beta2", format_double(s.beta2)},
          {"eps", format_double(s.eps)},
          {"eval_every", absl::StrCat(s.eval_every)},
          {"eval_tuples", absl::StrCat(s.eval_tuples)},
          {"rasterizer", json_quote(to_string(s.rasterizer))},
          {"tuple_label", json_quote(to_string(s.label_rule))},
          {"conv_init", json_quote(to_string(s.conv_init))},
          {"loss", json_quote(s.approach == TupleApproach::kEndToEnd
                                  ? "tuple hinge"
                                  : "tuple hinge + mean image hinge")},
          {"optimizer", "\"adam\""},
          {"checkpoint_every", absl::StrCat(c.checkpoint_every)},
          {"resumed_from_step", absl::StrCat(resumed_from)}};
}

}  // namespace

TupleTrainingResult train_tuples(const TupleSettings& s, std::uint64_t seed,
                                 const TupleRunControl& control) {
  TupleTrainer trainer(s, seed);
  TupleTrainingResult result;
  const std::string settings = s.canonical(seed);
  std::int64_t start = 0;
  double loss_sum = 0;
  std::int64_t loss_count = 0;
  std::string bytes;
  if (!control.checkpoint_path.empty() && read_file(control.checkpoint_path, bytes)) {
    const Checkpoint c = decode(bytes, control.checkpoint_path, settings);
    trainer.load_state(c.trainer_state, control.checkpoint_path);
    start = c.step;
    loss_sum = c.loss_sum;
    loss_count = c.loss_count;
    for (const auto& row : c.rows) result.metrics.add_row(row);
    result.resumed_from = start;
    if (control.on_resume) control.on_resume(start);
  } else {
    const TupleEvaluation e = trainer.evaluate();
    result.metrics.add_row({0.0, e.accuracy(), e.objective(s.approach)});
  }
  for (std::int64_t t = start + 1; t <= s.steps; ++t) {
    const float loss = trainer.step();
    if (!std::isfinite(loss)) {
      result.status.diverged = true;
      result.status.diverged_step = t;
      result.metrics.add_row({static_cast<double>(t), trainer.evaluate().accuracy(), static_cast<double>(loss)});
      result.completed = true;
      return result;
    }
    loss_sum += loss;
    ++loss_count;
    if (t % s.eval_every == 0 || t == s.steps) {
      result.metrics.add_row({static_cast<double>(t), trainer.evaluate().accuracy(),
                              loss_sum / static_cast<double>(loss_count)});
      loss_sum = 0;
      loss_count = 0;
      if (control.on_progress) control.on_progress(t);
    }
    if (!control.checkpoint_path.empty() && control.checkpoint_every > 0 &&
        t % control.checkpoint_every == 0 && t < s.steps) {
      Checkpoint c{settings, t, loss_sum, loss_count, result.metrics.rows(), trainer.save_state()};
      write_file_atomically(control.checkpoint_path, encode(c));
    }
    if (control.stop_after > 0 && t == control.stop_after && t < s.steps) return result;
  }
  result.completed = true;
  return result;
}

TupleTrainingResult run_tuple_experiment(const std::string& root, const RunId& id,
                                         const TupleSettings& s, TupleRunControl control) {
  const auto start = std::chrono::steady_clock::now();
  control.checkpoint_path = run_dir(root, id) + "/checkpoint.bin";
  TupleTrainingResult r = train_tuples(s, id.seed, control);
  if (!r.completed) return r;
  const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  write_run(root, id, r.metrics, manifest_settings(s, control, r.resumed_from), r.status, wall);
  std::error_code ec;
  std::filesystem::remove(control.checkpoint_path, ec);
  return r;
}

Table line_examples(std::uint64_t seed, LineRasterizer rasterizer, int per_label) {
  Engine rng = derive_engine(seed, stream(0, kExampleStream));
  std::vector<std::vector<std::pair<int, int>>> positive, negative;
  while (static_cast<int>(positive.size()) < per_label || static_cast<int>(negative.size()) < per_label) {
    const LineSegment segment = draw_line_segment(rng);
    auto pixels = line_pixels(segment, rasterizer);
    if (pixels.empty()) continue;
    auto& bucket = line_label(segment) > 0 ? positive : negative;
    if (static_cast<int>(bucket.size()) < per_label) bucket.push_back(std::move(pixels));
  }
  Table table({"image", "label", "row", "col"});
  int image = 0;
  for (const auto* bucket : {&positive, &negative}) {
    const double label = bucket == &positive ? 1.0 : -1.0;
    for (const auto& pixels : *bucket) {
      for (const auto& [r, c] : pixels) table.add_row({double(image), label, double(r), double(c)});
      ++image;
    }
  }
  return table;
}

}  // namespace fgbdl
