// Exports one model of the package for its PyTorch twin (twin/*.py): the
// initial parameters, one training batch, and what the package computes on
// it: the forward values, the loss, every parameter's gradient, the loss of
// each of `--steps` optimizer steps on that same batch and the parameters
// after them. twin/check.py runs the twin on the same parameters and batch
// and compares (twin/README.md).
//
// Models (the experiments' own trainers, at the settings of their
// benchmarks, seed --seed):
//   e2_1          E2.1 (Section 2.1): the parity network d = 10, 10d ReLU, 1;
//                 hinge loss; SGD 0.01; batch 128.
//   t2            T2 (Section 2, Theorem 2): the training network of T2,
//                 d = 10, width 16, 1 (the same Mlp as E2.1's) on y =
//                 cos(<v*, x>), ||v*|| = 5; squared loss (p - y)^2 / 2;
//                 SGD 0.01; batch 128.
//   e3_1_e2e, e3_1_dec
//                 E3.1 (Section 3.1): the tuple network of k = --k (default
//                 4) line images, end-to-end or with the decomposition's
//                 image losses; batch 200 tuples; Adam (TensorFlow 1).
//   e3_2_e2e, e3_2_dec
//                 E3.2 (Section 3.2): the stocks model d = 1000, k = --k
//                 outputs (default 1000), the end-to-end or the
//                 decomposition estimator; batch 100; Adam (TensorFlow 1).
//   e4_1_fc, e4_1_conv, e4_1_conv_whitened, e4_1_autoencoder
//                 E4.1.1-E4.1.4 (Section 4.1): the scripts' data, batch and
//                 Adam (TensorFlow 1) learning rate.
//   e5_e2e, e5_multiclass, e5_forward_only
//                 E5.3-E5.5 (Section 5): batch 256; Adam (TensorFlow 1),
//                 beta2 0.99, eps 1e-5.
//
// The file: one line of JSON, then the arrays' raw little-endian bytes in
// the order the JSON lists them:
//   {"model": ..., "settings": {...}, "arrays": [{"name": ..., "dtype":
//    "float32"|"float64", "shape": [...]}, ...]}
// Array names: "param/<name>" (initial), "batch/<name>", "forward",
// "loss" [1], "grad/<name>", "losses" [steps] (the loss each step
// computed, before its update), "final/<name>", and "const/<name>" for
// what the model holds fixed (the whitening map, the step thresholds).
// "forward" is the network's output at the initial parameters for the
// dense networks (E2.1, T2, E4.1.4, E5), and the decoded curves (float64) at
// the final parameters for the three linear encoders of E4.1, whose
// initial parameters are zero.
//
//   bazel run //twin:export -- --model=e2_1 --out=/tmp/e2_1.twin
#include <cblas.h>

#include <cstdint>
#include <cstdio>
#include <fstream>
#include <string>
#include <sys/stat.h>
#include <vector>

#include "experiments/sec2_parity/parity_training.h"
#include "experiments/sec2_parity/t2_linear_periodic_lib.h"
#include "experiments/sec3_decomposition/stocks_training.h"
#include "experiments/sec3_decomposition/tuple_training.h"
#include "experiments/sec4_conditioning/pwl_encoders.h"
#include "experiments/sec5_flat/flat_training.h"
#include "lib/analysis/conditioning.h"
#include "lib/core/error.h"
#include "lib/core/flags.h"
#include "nlohmann/json.hpp"

namespace fgbdl {
namespace {

// The arrays of one export, in order.
class Export {
 public:
  void add(const std::string& name, const float* v, std::vector<std::size_t> shape) {
    add_bytes(name, "float32", reinterpret_cast<const char*>(v), std::move(shape), sizeof(float));
  }
  void add(const std::string& name, const double* v, std::vector<std::size_t> shape) {
    add_bytes(name, "float64", reinterpret_cast<const char*>(v), std::move(shape), sizeof(double));
  }
  void add_scalar(const std::string& name, double v) {
    const float f = static_cast<float>(v);
    add(name, &f, {1});
  }
  void add_params(const std::string& prefix, const std::vector<Parameter>& params, bool grads) {
    for (const Parameter& p : params) add(prefix + p.name, grads ? p.dw : p.w, {p.n});
  }
  void write(const std::string& path, const nlohmann::json& head) const {
    nlohmann::json j = head;
    j["arrays"] = index_;
    std::ofstream out(path, std::ios::binary);
    out << j.dump() << '\n';
    out.write(bytes_.data(), static_cast<std::streamsize>(bytes_.size()));
    out.close();
    if (!out) throw std::runtime_error("cannot write " + path);
  }

 private:
  void add_bytes(const std::string& name, const char* dtype, const char* v,
                 std::vector<std::size_t> shape, std::size_t size) {
    std::size_t n = 1;
    for (std::size_t s : shape) n *= s;
    index_.push_back({{"name", name}, {"dtype", dtype}, {"shape", shape}});
    bytes_.insert(bytes_.end(), v, v + n * size);
  }
  nlohmann::json index_ = nlohmann::json::array();
  std::vector<char> bytes_;
};

std::vector<std::size_t> shape2(const Matrix& m) { return {m.shape(0), m.shape(1)}; }

// The common part: the initial parameters, the batch's gradient, then
// `steps` optimizer steps on that batch (the first with that gradient).
// `forward_init` adds the forward values after the first gradient.
template <class Batch>
void export_training(TrainingRun<Batch>& run, const Batch& batch, int steps, Export& e,
                     const std::function<void()>& forward_init) {
  const std::vector<Parameter> params = run.model->parameters();
  const std::vector<ParamRef<float>> refs = param_refs(params);
  e.add_params("param/", params, false);
  std::vector<float> losses;
  losses.push_back(static_cast<float>(run.gradient->gradient(*run.model, batch)));
  if (forward_init) forward_init();
  e.add_scalar("loss", losses[0]);
  e.add_params("grad/", params, true);
  run.optimizer->step(refs);
  for (int t = 1; t < steps; ++t) {
    losses.push_back(static_cast<float>(run.gradient->gradient(*run.model, batch)));
    run.optimizer->step(refs);
  }
  e.add("losses", losses.data(), {losses.size()});
  e.add_params("final/", params, false);
}

// E2.1 and T2: an MlpModel on one drawn batch x, y; "forward" is the
// network's output at the initial parameters.
void export_mlp(TrainingRun<XYBatch>& run, int steps, Export& e) {
  XYBatch batch;
  run.draw(batch);
  e.add("batch/x", batch.x.data(), shape2(batch.x));
  e.add("batch/y", batch.y.data(), shape2(batch.y));
  const Mlp& mlp = dynamic_cast<MlpModel&>(*run.model).net();
  export_training(run, batch, steps, e,
                  [&] { e.add("forward", mlp.output().data(), shape2(mlp.output())); });
}

void export_parity(std::uint64_t seed, int steps, Export& e, nlohmann::json& head) {
  ParitySettings s;
  ParityTrainer trainer(s, seed);
  export_mlp(trainer.run(), steps, e);
  head["settings"] = {{"d", s.d}, {"width_factor", s.width_factor}, {"batch", s.batch},
                      {"optimizer", "sgd"}, {"lr", s.lr}};
}

void export_t2(std::uint64_t seed, int steps, Export& e, nlohmann::json& head) {
  T2TrainSettings s;
  T2Trainer trainer(s, seed);
  export_mlp(trainer.run(), steps, e);
  head["settings"] = {{"d", s.d},         {"width", s.width}, {"r", s.r}, {"batch", s.batch},
                      {"optimizer", "sgd"}, {"lr", s.lr}};
}

void export_tuples(TupleApproach approach, int k, std::uint64_t seed, int steps, Export& e,
                   nlohmann::json& head) {
  TupleSettings s;
  s.k = k;
  s.approach = approach;
  s.eval_tuples = 1;
  TupleTrainer trainer(s, seed);
  TrainingRun<LineTupleBatch<float>>& run = trainer.run();
  LineTupleBatch<float> batch;
  run.draw(batch);
  const auto& im = batch.images;
  e.add("batch/images", im.data(), {im.shape(0), im.shape(1), im.shape(2), im.shape(3)});
  e.add("batch/image_labels", batch.image_labels.data(), shape2(batch.image_labels));
  e.add("batch/tuple_labels", batch.tuple_labels.data(), shape2(batch.tuple_labels));
  export_training(run, batch, steps, e, {});
  // The tuple scores and the image scores at the final parameters.
  TupleWorkspace<float> ws;
  tuple_forward(trainer.network(), batch.images, ws);
  e.add("forward", ws.out.data(), shape2(ws.out));
  e.add("forward_images", ws.score.data(), shape2(ws.score));
  head["settings"] = {{"approach", to_string(approach)}, {"k", k}, {"batch", s.batch},
                      {"optimizer", "adam_tf1"}, {"lr", s.lr}, {"beta1", s.beta1},
                      {"beta2", s.beta2}, {"eps", s.eps}};
}

void export_stocks(StocksEstimator estimator, int k, std::uint64_t seed, int steps, Export& e,
                   nlohmann::json& head) {
  StocksSettings s;
  s.k = k;
  s.estimator = estimator;
  StocksTrainer trainer(s, seed);
  TrainingRun<StocksBatch>& run = trainer.run();
  StocksBatch batch;
  run.draw(batch);
  std::vector<float> j(batch.j.begin(), batch.j.end()), label(batch.j.size());
  for (std::size_t r = 0; r < j.size(); ++r)
    label[r] = static_cast<float>(trainer.problem().label[static_cast<std::size_t>(batch.j[r])]);
  e.add("batch/j", j.data(), {j.size()});
  e.add("batch/label", label.data(), {label.size()});
  if (estimator == StocksEstimator::kEndToEnd) e.add("batch/z", batch.z.data(), shape2(batch.z));
  export_training(run, batch, steps, e, {});
  // N_w(e_j) of the batch's inputs at the final parameters (float64).
  std::vector<double> out;
  for (const std::int32_t r : batch.j) {
    const std::vector<double> o = stocks_output(trainer.model(), static_cast<std::size_t>(r));
    out.insert(out.end(), o.begin(), o.end());
  }
  e.add("forward", out.data(), {batch.j.size(), static_cast<std::size_t>(k)});
  head["settings"] = {{"estimator", stocks_estimator_name(estimator)}, {"d", s.d}, {"k", k},
                      {"batch", s.batch}, {"optimizer", "adam_tf1"}, {"lr", s.lr},
                      {"beta1", s.beta1}, {"beta2", s.beta2}, {"eps", s.eps}};
}

void export_pwl(PwlEncoder encoder, std::uint64_t seed, int steps, Export& e,
                nlohmann::json& head) {
  PwlSettings s;
  s.encoder = encoder;
  s.optimizer = PwlOptimizer::kAdam;
  s.data = pwl_curve_distribution(encoder, true);
  s.batch = pwl_script_batch(encoder);
  PwlTrainer trainer(s, seed);
  TrainingRun<PwlBatch>& run = trainer.run();
  PwlBatch batch;
  run.draw(batch);
  e.add("batch/f", batch.f.data(), shape2(batch.f));
  e.add("batch/p", batch.p.data(), shape2(batch.p));
  if (encoder == PwlEncoder::kConvWhitened) {
    // The map the model was built with (make_pwl_model), from the same pool.
    MatrixD pool = MatrixD::from_shape({trainer.pool_f().shape(0), trainer.pool_f().shape(1)});
    std::copy(trainer.pool_f().begin(), trainer.pool_f().end(), pool.begin());
    const MatrixD M = inverse_sqrt(second_moment(patch_matrix(pool)));
    e.add("const/M", M.data(), {M.shape(0), M.shape(1)});
  }
  export_training(run, batch, steps, e, {});
  const MatrixD decoded = trainer.model().decode(batch.f);
  e.add("forward", decoded.data(), {decoded.shape(0), decoded.shape(1)});
  head["settings"] = {{"encoder", to_string(encoder)}, {"n", s.n}, {"k", s.k},
                      {"batch", s.batch}, {"relu_code", s.relu_code},
                      {"optimizer", "adam_tf1"}, {"lr", trainer.lr()}, {"beta1", s.beta1},
                      {"beta2", s.beta2}, {"eps", s.eps}};
}

void export_flat(FlatApproach approach, std::uint64_t seed, int steps, Export& e,
                 nlohmann::json& head) {
  FlatSettings s;
  s.approach = approach;
  s.lr = script_learning_rate(approach);
  s.test_samples = 1;
  FlatTrainer trainer(s, seed);
  TrainingRun<StepBatch> run = trainer.run();
  StepBatch batch;
  run.draw(batch);
  e.add("batch/x", batch.x.data(), shape2(batch.x));
  e.add("batch/y", batch.y.data(), shape2(batch.y));
  e.add("batch/r", batch.r.data(), {batch.r.size()});
  std::vector<float> label(batch.r.size());
  for (std::size_t i = 0; i < label.size(); ++i)
    label[i] = static_cast<float>(step_index(trainer.target().z, batch.r[i]));
  e.add("batch/label", label.data(), {label.size()});
  e.add("const/z", trainer.target().z.data(), {trainer.target().z.size()});
  const Mlp& mlp = trainer.model().mlp();
  export_training(run, batch, steps, e,
                  [&] { e.add("forward", mlp.output().data(), shape2(mlp.output())); });
  head["settings"] = {{"approach", to_string(approach)}, {"batch", s.batch},
                      {"hidden", s.hidden}, {"optimizer", "adam_tf1"}, {"lr", s.lr},
                      {"beta1", s.beta1}, {"beta2", s.beta2}, {"eps", s.eps}};
}

int run(int argc, char** argv) {
  Flags flags(argc, argv,
              "Writes one model's initial parameters, one batch, its forward values, loss, "
              "gradients and the parameters after --steps optimizer steps on that batch, for "
              "the PyTorch twin's check (twin/check.py).");
  const std::string model = flags.get_choice(
      "model", "e2_1",
      {"e2_1", "t2", "e3_1_e2e", "e3_1_dec", "e3_2_e2e", "e3_2_dec", "e4_1_fc", "e4_1_conv", "e4_1_conv_whitened", "e4_1_autoencoder", "e5_e2e",
       "e5_multiclass", "e5_forward_only"},
      "the model");
  const std::string out = flags.get_string("out", "", "output file (required)");
  const auto steps = static_cast<int>(flags.get_int("steps", 10, 1, 1000, "optimizer steps"));
  const auto seed =
      static_cast<std::uint64_t>(flags.get_int("seed", 1, 0, 1LL << 40, "the trainer's seed"));
  const std::int64_t k_flag = flags.get_int(
      "k", 0, 0, 4000,
      "E3.1: images per tuple, 1..4 (0: 4); E3.2: outputs (stocks), 2..4000 (0: 1000)");
  if (!flags.finish()) return 0;
  const bool tuples = model.rfind("e3_1_", 0) == 0, stocks = model.rfind("e3_2_", 0) == 0;
  if (tuples && k_flag > 4)
    throw UsageError("--k: got " + std::to_string(k_flag) + "; allowed for E3.1: 1..4");
  if (stocks && k_flag == 1)
    throw UsageError("--k: got 1; allowed for E3.2: 2..4000");
  if (!tuples && !stocks && k_flag != 0)
    throw UsageError("--k: got " + std::to_string(k_flag) + "; allowed only with E3.1 and E3.2");
  const int k = static_cast<int>(k_flag != 0 ? k_flag : tuples ? 4 : 1000);
  if (out.empty()) throw UsageError("--out: got ''; allowed: a file in an existing directory");
  const std::size_t slash = out.rfind('/');
  const std::string dir = slash == std::string::npos ? "." : out.substr(0, slash + 1);
  struct stat st;
  if (stat(dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode))
    throw UsageError("--out: got '" + out + "'; allowed: a file in an existing directory");
  openblas_set_num_threads(1);
  Export e;
  nlohmann::json head = {{"model", model}, {"seed", seed}, {"steps", steps}};
  if (model == "e2_1") export_parity(seed, steps, e, head);
  if (model == "t2") export_t2(seed, steps, e, head);
  if (model == "e3_1_e2e") export_tuples(TupleApproach::kEndToEnd, k, seed, steps, e, head);
  if (model == "e3_1_dec") export_tuples(TupleApproach::kDecomposition, k, seed, steps, e, head);
  if (model == "e3_2_e2e") export_stocks(StocksEstimator::kEndToEnd, k, seed, steps, e, head);
  if (model == "e3_2_dec") export_stocks(StocksEstimator::kDecomposition, k, seed, steps, e, head);
  if (model == "e4_1_fc") export_pwl(PwlEncoder::kFullyConnected, seed, steps, e, head);
  if (model == "e4_1_conv") export_pwl(PwlEncoder::kConv, seed, steps, e, head);
  if (model == "e4_1_conv_whitened") export_pwl(PwlEncoder::kConvWhitened, seed, steps, e, head);
  if (model == "e4_1_autoencoder") export_pwl(PwlEncoder::kAutoEncoder, seed, steps, e, head);
  if (model == "e5_e2e") export_flat(FlatApproach::kEndToEnd, seed, steps, e, head);
  if (model == "e5_multiclass") export_flat(FlatApproach::kMulticlass, seed, steps, e, head);
  if (model == "e5_forward_only") export_flat(FlatApproach::kForwardOnly, seed, steps, e, head);
  e.write(out, head);
  return 0;
}

}  // namespace
}  // namespace fgbdl

int main(int argc, char** argv) {
  return fgbdl::run_main("export", [&] { return fgbdl::run(argc, argv); });
}
