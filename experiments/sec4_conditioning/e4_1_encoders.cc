// Experiments E4.1.1-E4.1.4 of the paper (Section 4.1, Figure 6): learning
// the encoding of piecewise-linear curves with a fully connected layer (fc),
// a 3-tap convolution (conv), the convolution on whitened patches
// (conv_whitened) and a deep autoencoder (autoencoder); pwl_encoders.h has
// the models. One run per (encoder, optimizer, data, seed), writing
//   <out>/e4_1_encoders/<config>/seed-<S>/metrics.csv  step,train_error,test_error,
//       test_error_near_kinks,test_error_away_from_kinks
//   <out>/e4_1_curves/<config>/seed-<S>/metrics.csv    step,curve,x,f,decoded
// (plus manifest.json each), with <config> = <encoder>[_relucode]_<optimizer>_<data>,
// e.g. fc_adam_script or autoencoder_sgd_paper. The errors are the mean over
// curves of ||decoded - f||^2 / n on the training pool and on held-out
// curves; the second table holds two held-out curves and their decoding at
// the paper's checkpoints (500, 10 000, 50 000 steps, those within the run)
// and at the last step. The kink columns split the held-out error by place:
// samples within 1 of a bend of f, and samples 3 or more away from every bend
// (pwl_encoders.h, kink_errors).
//
//   bazel run //experiments/sec4_conditioning:e4_1_encoders -- --out=$PWD/results
//   bazel run //experiments/sec4_conditioning:e4_1_encoders -- --out=/tmp/r --profile=paper
//   bazel run //experiments/sec4_conditioning:e4_1_encoders -- --out=/tmp/r --encoder=fc
//       --optimizer=adam --data=script --steps=2000   (one command line)
#include <cstdio>
#include <map>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "experiments/sec4_conditioning/pwl_encoders.h"
#include "lib/core/error.h"
#include "lib/core/flags.h"
#include "lib/io/progress.h"
#include "lib/io/results.h"

namespace fgbdl {
namespace {

// Quick profile: steps per encoder that take a few seconds at most (fc 5000
// and conv 5000 steps, conv_whitened the script's 500, autoencoder 1000).
std::int64_t quick_steps(PwlEncoder e) {
  switch (e) {
    case PwlEncoder::kConvWhitened:
      return 500;
    case PwlEncoder::kAutoEncoder:
      return 1000;
    default:
      return 5000;
  }
}

// Largest pool * n accepted: the pool is sampled in float64 (8 bytes per
// value) before it is kept in float32; 2^25 values = 256 MiB.
constexpr std::int64_t kMaxPoolValues = std::int64_t{1} << 25;

int run(int argc, char** argv) {
  Flags flags(argc, argv,
              "E4.1.1-E4.1.4 (paper Figure 6): learn the encoding of piecewise-linear curves "
              "(n samples, k = 3 kinks) with a fully connected layer (fc), a 3-tap convolution "
              "(conv), the convolution on whitened patches (conv_whitened) or an autoencoder, "
              "by SGD or Adam, float32. Writes <out>/e4_1_encoders/<config>/seed-<S>/ "
              "(step,train_error,test_error,test_error_near_kinks,test_error_away_from_kinks) and <out>/e4_1_curves/<config>/seed-<S>/ "
              "(step,curve,x,f,decoded), config = <encoder>[_relucode]_<optimizer>_<data>.");
  const std::string out = flags.get_string("out", "", "output directory (required)");
  const std::string profile = flags.get_choice(
      "profile", "quick", {"quick", "paper"},
      "quick: fc and conv 5000 steps, conv_whitened 500, autoencoder 1000, seed 1; paper: "
      "the scripts' 50000, 50000, 500, 10000 steps, seeds 1,2,3");
  const bool paper = profile == "paper";
  const auto encoders = flags.get_choice_list(
      "encoder", "fc,conv,conv_whitened,autoencoder",
      {"fc", "conv", "conv_whitened", "autoencoder"}, "encoders to train");
  const auto optimizers = flags.get_choice_list(
      "optimizer", "adam,sgd", {"adam", "sgd"},
      "adam: TensorFlow defaults as the scripts; sgd: plain SGD as the paper's analysis");
  const auto datas = flags.get_choice_list(
      "data", "paper,script", {"paper", "script"},
      "curves: paper (kinks uniform on the grid, slopes changes U[-1,1]); script (the "
      "script's kink and slope patterns; for the autoencoder its continuous kinks)");
  const auto seeds = flags.get_int_list("seeds", paper ? "1,2,3" : "1", 0, 1LL << 40, 1000,
                                        "seeds, one run per (encoder, optimizer, data, seed)");
  const std::int64_t steps_flag = flags.get_int(
      "steps", 0, 0, 100000000,
      "steps of every run; 0 = by encoder and profile (paper 50000/50000/500/10000, quick "
      "5000/5000/500/1000)");
  const double lr_flag = flags.get_double(
      "lr", 0, 0, 100,
      "learning rate of every run; 0 = by encoder and optimizer: Adam the scripts' 1e-4, "
      "0.05, 0.99, 1e-3; SGD 1/(2 lambda_max(Hessian)) for fc/conv/conv_whitened, 1e-4 for "
      "the autoencoder");
  const std::int64_t batch_flag = flags.get_int(
      "batch", 0, 0, 100000, "batch size; 0 = by encoder (the scripts': 100, conv_whitened 10)");
  const std::string code = flags.get_choice(
      "code", "linear", {"linear", "relu"},
      "autoencoder code layer (2k units): linear as the paper, relu as the script");
  const std::int64_t n = flags.get_int("n", 100, 9, 1000, "samples per curve n");
  const std::int64_t pool = flags.get_int("pool", 10000, 1, 10000000,
                                          "training curves (a fixed pool, as the scripts)");
  const std::int64_t held_out = flags.get_int("held_out", 1000, 2, 100000,
                                              "held-out curves (the first two are recorded)");
  if (!flags.finish()) return 0;
  if (out.empty()) throw UsageError("--out: got ''; allowed: a writable directory (required)");
  if (pool * n > kMaxPoolValues)
    throw UsageError(absl::StrCat("--pool: got ", pool, " with --n=", n,
                                  "; allowed: pool * n <= ", kMaxPoolValues));
  if (held_out * n > kMaxPoolValues)
    throw UsageError(absl::StrCat("--held_out: got ", held_out, " with --n=", n,
                                  "; allowed: held_out * n <= ", kMaxPoolValues));
  check_output_dir("out", out);
  set_blas_threads(1);

  for (const std::string& encoder_name : encoders) {
    for (const std::string& optimizer_name : optimizers) {
      for (const std::string& data_name : datas) {
        for (const std::int64_t seed : seeds) {
          PwlSettings s;
          s.encoder = parse_pwl_encoder(encoder_name);
          s.optimizer = parse_pwl_optimizer(optimizer_name);
          s.data = pwl_curve_distribution(s.encoder, data_name == "script");
          s.relu_code = code == "relu";
          s.n = static_cast<int>(n);
          s.pool = pool;
          s.held_out = held_out;
          s.batch = batch_flag > 0 ? batch_flag : pwl_script_batch(s.encoder);
          s.steps = steps_flag > 0
                        ? steps_flag
                        : (paper ? pwl_script_steps(s.encoder) : quick_steps(s.encoder));
          s.lr = lr_flag;
          const bool ae = s.encoder == PwlEncoder::kAutoEncoder;
          const std::string config =
              absl::StrCat(encoder_name, ae && s.relu_code ? "_relucode" : "", "_",
                           optimizer_name, "_", data_name);
          const RunId id{"e4_1_encoders", config, static_cast<std::uint64_t>(seed), profile};
          const std::string label = absl::StrCat("e4_1_encoders ", config, " seed=", seed);
          Progress progress(label, s.steps);
          // The manifest's settings; those fixed before training are also
          // the identity of the run's checkpoint (with the flags that enter
          // training), those training derives are added after it.
          std::map<std::string, std::string> settings = {
              {"encoder", json_quote(encoder_name)},
              {"optimizer", json_quote(optimizer_name)},
              {"data", json_quote(to_string(s.data))},
              {"n", absl::StrCat(s.n)},
              {"k", absl::StrCat(s.k)},
              {"pool", absl::StrCat(s.pool)},
              {"held_out", absl::StrCat(s.held_out)},
              {"batch", absl::StrCat(s.batch)},
              {"steps", absl::StrCat(s.steps)},
              {"error", json_quote(ae ? "mean over curves of ||M(N(f)) - f||^2 / n"
                                      : "mean over curves of ||W p_hat - f||^2 / n")},
          };
          if (s.optimizer == PwlOptimizer::kAdam) {
            settings["beta1"] = absl::StrCat(s.beta1);
            settings["beta2"] = absl::StrCat(s.beta2);
            settings["eps"] = absl::StrCat(s.eps);
          }
          if (ae) settings["code"] = json_quote(code);
          std::map<std::string, std::string> identity = settings;
          identity["lr_flag"] = absl::StrCat(s.lr);
          identity["curve_steps"] = absl::StrJoin(s.curve_steps, ",");
          identity["curves_recorded"] = absl::StrCat(s.curves_recorded);
          const RunCheckpoint checkpoint = run_checkpoint(out, id, identity);
          const PwlRun r =
              train_pwl(s, id.seed, [&](std::int64_t t) { progress.update(t); }, checkpoint);
          settings["lr"] = absl::StrCat(r.lr);
          settings["lr_rule"] =
              json_quote(lr_flag > 0 ? "--lr"
                         : s.optimizer == PwlOptimizer::kAdam
                             ? "the script's Adam learning rate"
                         : ae ? "SGD: kAutoEncoderSgdLr (measured stable)"
                              : "SGD: 1 / (2 lambda_max), lambda_max the largest Hessian "
                                "eigenvalue of the pool's loss");
          settings["hessian_max_eigenvalue"] = absl::StrCat(r.hessian_max_eigenvalue);
          write_run(out, id, r.metrics, settings, r.status, progress.elapsed_s());
          RunId curves_id = id;
          curves_id.claim = "e4_1_curves";
          settings["curves"] = json_quote("the first 2 held-out curves");
          write_run(out, curves_id, r.curves, settings, r.status, progress.elapsed_s());
          remove_checkpoint(checkpoint);
          const auto& last = r.metrics.rows().back();
          std::fprintf(stderr, "%s: lr %.3g, test error %.4g after %lld steps%s (%.1f s)\n",
                       label.c_str(), r.lr, last[2], static_cast<long long>(last[0]),
                       r.status.diverged ? " DIVERGED" : "", progress.elapsed_s());
        }
      }
    }
  }
  return 0;
}

}  // namespace
}  // namespace fgbdl

int main(int argc, char** argv) {
  return fgbdl::run_main("e4_1_encoders", [&] { return fgbdl::run(argc, argv); });
}
