#include "experiments/sec3_decomposition/tuple_training.h"

#include <chrono>
#include <cmath>
#include <filesystem>
#include <stdexcept>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace fgbdl {
namespace {

constexpr std::uint64_t kInitStream = 1, kDataStream = 2, kEvalStream = 3, kExampleStream = 4;
std::uint64_t stream(int k, std::uint64_t purpose) { return static_cast<std::uint64_t>(k) * 16 + purpose; }

// The shortest of %.15g, %.16g, %.17g that reads back as v.
std::string format_double(double v) {
  for (const int digits : {15, 16}) {
    const std::string s = absl::StrFormat("%.*g", digits, v);
    if (std::strtod(s.c_str(), nullptr) == v) return s;
  }
  return absl::StrFormat("%.17g", v);
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

std::vector<Parameter> TupleModel::parameters() {
  std::vector<Parameter> params;
  const auto add = [&](const std::string& layer, auto& l) {
    params.push_back({layer + ".W", l.W.data(), l.dW.data(), l.W.size()});
    params.push_back({layer + ".b", l.b.data(), l.db.data(), l.b.size()});
  };
  add("conv1", net_.conv1);
  add("conv2", net_.conv2);
  add("fc1", net_.fc1);
  add("fc2", net_.fc2);
  add("score", net_.score);
  add("mid", net_.mid);
  add("out", net_.out);
  return params;
}

namespace {

TupleModel make_model(const TupleSettings& s, std::uint64_t seed) {
  if (s.batch < 1 || s.eval_tuples < 1 || s.steps < 0 || s.eval_every < 1)
    throw std::invalid_argument("TupleTrainer: batch, eval_tuples, eval_every must be >= 1");
  Engine init_rng = derive_engine(seed, stream(s.k, kInitStream));
  return TupleModel(tuple_network_init<float>(s.k, s.conv_init, init_rng), s.approach);
}

}  // namespace

TupleTrainer::TupleTrainer(const TupleSettings& s, std::uint64_t seed)
    : s_(s),
      model_(make_model(s, seed)),
      data_rng_(derive_engine(seed, stream(s.k, kDataStream))),
      adam_(s.lr, s.beta1, s.beta2, s.eps) {
  // Held-out tuples, drawn once, in chunks of at most `batch` tuples (the
  // draws do not depend on the chunking: tuples are drawn one after another).
  Engine eval_rng = derive_engine(seed, stream(s.k, kEvalStream));
  const LineTupleSpec spec{s.k, s.rasterizer, s.label_rule};
  for (std::int64_t done = 0; done < s.eval_tuples; done += s.batch) {
    eval_set_.emplace_back();
    sample_line_tuples(static_cast<std::size_t>(std::min(s.batch, s.eval_tuples - done)), spec,
                       eval_rng, eval_set_.back());
  }
  run_.model = &model_;
  run_.gradient = &backprop_;
  run_.optimizer = &adam_;
  run_.draw = [this](LineTupleBatch<float>& b) {
    sample_line_tuples(static_cast<std::size_t>(s_.batch),
                       LineTupleSpec{s_.k, s_.rasterizer, s_.label_rule}, data_rng_, b);
  };
  run_.engines = {&data_rng_};
  refs_ = param_refs(model_.parameters());
}

TupleEvaluation TupleTrainer::evaluate() {
  TupleEvaluation total;
  for (const LineTupleBatch<float>& chunk : eval_set_) total.add(model_.evaluate(chunk));
  return total;
}

namespace {

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
  TrainingRun<LineTupleBatch<float>>& run = trainer.run();
  // Step 0: the objective on the held-out tuples; later rows: the mean
  // training objective since the previous row (at a divergence, the
  // non-finite objective itself).
  run.evaluate = [&](const StepLoss& l) {
    const TupleEvaluation e = trainer.evaluate();
    result.metrics.add_row({static_cast<double>(l.step), e.accuracy(),
                            l.step == 0 ? e.objective(s.approach) : l.mean_loss});
    return true;
  };
  run.tables = {&result.metrics};
  LoopSettings loop = periodic_loop(s.steps, s.eval_every, control.on_progress,
                                    {control.checkpoint_path, s.canonical(seed), 0});
  loop.checkpoint_every = control.checkpoint_every;
  loop.stop_after = control.stop_after;
  loop.on_resume = control.on_resume;
  const LoopResult r = train(run, loop);
  result.status = r.status;
  result.resumed_from = r.resumed_from;
  result.completed = r.completed;
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
