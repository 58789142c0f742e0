// A stand-in for the experiment binaries, for the tests of the report glue
// (//reports:paper_glue_test): the result formats of
// //experiments/sec2_parity:{e2_1_parity,t1_variance,t2_linear_periodic} and
// //experiments/sec3_decomposition:{e3_1_tuples,e3_1_snr,e3_2_stocks},
// //experiments/sec4_conditioning:{c4_conditioning,e4_1_encoders},
// //experiments/sec5_flat:e5_flat, //experiments/ext_sharing:x1_sharing,
// //experiments/ext_gating:x2_gating, //experiments/ext_feedback:x3_feedback,
// //experiments/ext_perturbation:x4_perturbation,
// //experiments/ext_noise:x5_noisy_gd,
// //experiments/ext_sparse_parity:x6_sparse_parity, the boundaries' grids
// (b2_1_parity, b3_1_tuples, b3_2_stocks: a small grid each, with a budget
// in the settings' "steps") and
// //experiments/boundaries_sec45:{b4_1_steps,b5_sweep} (b5_sweep writes both
// of its families, b5_sharpness and b5_thresholds)
// (--claim picks one; e3_1_tuples also writes e3_1_examples, e4_1_encoders
// e4_1_curves and e5_flat e5_fit, e5_cost and e5_bias_sweep, as the real
// binaries do with every run; x2_gating writes every part, memorization with
// both optimizers; x3_feedback every family), made-up numbers, no training. Not a result of the
// package.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <string>

#include "absl/strings/str_cat.h"
#include "lib/core/error.h"
#include "lib/core/flags.h"
#include "lib/io/results.h"

namespace {

// Deterministic noise in [-1, 1) from (seed, i).
double noise(std::uint64_t seed, std::uint64_t i) {
  std::uint64_t z = seed * 0x9e3779b97f4a7c15ULL + i * 0xbf58476d1ce4e5b9ULL + 1;
  z = (z ^ (z >> 31)) * 0x94d049bb133111ebULL;
  return static_cast<double>(z >> 11) / 4503599627370496.0 - 1.0;
}

}  // namespace

int main(int argc, char** argv) {
  return fgbdl::run_main("fake_experiment", [&] {
    fgbdl::Flags flags(argc, argv,
                       "Writes made-up Section 2 results in the package's result format.");
    const std::string out = flags.get_string("out", "", "results root");
    const std::string profile = flags.get_choice("profile", "quick", {"quick", "paper"}, "profile");
    const auto seeds = flags.get_int_list("seeds", "1", 1, 1000, 10, "seeds");
    const std::string claim = flags.get_choice("claim", "e2_1_parity",
                                               {"e2_1_parity", "t1_variance", "t2_linear_periodic",
                                                "e3_1_tuples", "e3_1_snr", "e3_2_stocks",
                                                "c4_conditioning", "e4_1_encoders", "e5_flat",
                                                "x1_sharing", "x2_gating", "x3_feedback",
                                                "x4_perturbation", "x5_noisy_gd",
                                                "x6_sparse_parity", "b2_1_parity", "b3_1_tuples",
                                                "b3_2_stocks", "b4_1_steps", "b5_sweep"},
                                               "which experiment");
    const auto ds = flags.get_int_list("d", "5", 1, 100, 10, "bits (e2_1_parity)");
    const auto ks = flags.get_int_list("k", "1", 1, 5000, 10,
                                       "tuple size or outputs (e3_1_tuples, e3_2_stocks)");
    const auto approaches =
        flags.get_choice_list("approach", "e2e,dec", {"e2e", "dec"}, "e3_1_tuples training");
    const auto estimators =
        flags.get_choice_list("estimator", "e2e,dec", {"e2e", "dec"}, "e3_2_stocks estimator");
    const auto encoders = flags.get_choice_list(
        "encoder", "fc,conv,conv_whitened,autoencoder",
        {"fc", "conv", "conv_whitened", "autoencoder"}, "e4_1_encoders encoders");
    if (!flags.finish()) return 0;
    if (out.empty()) throw fgbdl::UsageError("--out: missing");
    fgbdl::check_output_dir("out", out);
    for (const std::int64_t seed : seeds) {
      auto write_as = [&](const std::string& as, const std::string& config, const fgbdl::Table& t) {
        fgbdl::write_run(out, {as, config, static_cast<std::uint64_t>(seed), profile}, t,
                         {{"fake", "true"}}, {}, 0.01);
      };
      auto write = [&](const std::string& config, const fgbdl::Table& t) {
        write_as(claim, config, t);
      };
      // A run of the boundaries' grids: its budget in the settings.
      auto write_budget = [&](const std::string& config, const fgbdl::Table& t, int steps) {
        fgbdl::write_run(out, {claim, config, static_cast<std::uint64_t>(seed), profile}, t,
                         {{"fake", "true"}, {"steps", absl::StrCat(steps)}}, {}, 0.01);
      };
      // A curve of held-out accuracy reaching 0.95 at `learn_at` (never if < 0).
      auto curve = [&](int learn_at, int last) {
        fgbdl::Table t({"step", "accuracy", "loss"});
        for (int step = 0; step <= last; step += 100) {
          const bool learned = learn_at >= 0 && step >= learn_at;
          t.add_row({double(step), learned ? 0.95 : 0.5 + 0.02 * noise(seed, step),
                     learned ? 0.1 : 1.0});
        }
        return t;
      };
      if (claim == "b2_1_parity") {
        // d = 5..30 by 5: learned up to d = 15, at d = 20 on seed 1 only.
        for (int d = 5; d <= 30; d += 5) {
          const int learn_at = d <= 15 ? 100 * d : (d == 20 && seed == 1) ? 1800 : -1;
          write_budget(absl::StrCat("d", d), curve(learn_at, 2000), 2000);
        }
      } else if (claim == "b3_1_tuples") {
        // k = 1..4: end to end learns k = 1, k = 2 on seed 2 only;
        // decomposition learns every k.
        for (int k = 1; k <= 4; ++k) {
          write_budget(absl::StrCat("k", k, "_e2e"),
                       curve(k == 1 ? 300 : (k == 2 && seed == 2) ? 1500 : -1, 2000), 2000);
          write_budget(absl::StrCat("k", k, "_dec"), curve(100 * k, 500), 500);
        }
      } else if (claim == "b3_2_stocks") {
        // k = 10, 100, 1000: the end-to-end objective behind by 0, 0.1, 0.5.
        for (const int k : {10, 100, 1000}) {
          const double gap = k == 10 ? 0 : k == 100 ? 0.1 : 0.5;
          for (const char* e : {"e2e", "dec"}) {
            fgbdl::Table t({"step", "loss"});
            for (int step = 0; step <= 1000; step += 500)
              t.add_row({double(step), -0.9 * step / 1000.0 + (e == std::string("e2e") ? gap * step / 1000.0 : 0) +
                                           0.002 * noise(seed + k, step)});
            write_budget(absl::StrCat("k", k, "_", e), t, 1000);
          }
        }
      } else if (claim == "x3_feedback") {
        for (const char* config : {"parity_d5", "parity_d10", "tuples_k1", "tuples_k2"}) {
          const bool learns = config != std::string("tuples_k2");
          fgbdl::Table t({"step", "bp_accuracy", "fa_accuracy", "fa_angle_deg"});
          for (int step = 0; step <= 2000; step += 100) {
            const double learned = learns ? 1 - std::exp(-step / 300.0) : 0.0;
            t.add_row({double(step), std::min(1.0, 0.5 + 0.5 * learned + 0.02 * noise(seed, step)),
                       std::min(1.0, 0.5 + 0.45 * learned + 0.02 * noise(seed + 1, step)),
                       90 - 40 * learned + noise(seed + 2, step)});
          }
          write(config, t);
        }
        for (const char* config : {"curves_n25", "step_d100"}) {
          fgbdl::Table t({"step", "bp_test_mse", "fa_test_mse", "fa_angle_deg", "target_variance"});
          for (int s = 0; s <= 1000; s += 100) {
            const double e = std::exp(-s / 100.0);
            t.add_row({double(s), 0.002 + 0.04 * e + 1e-4 * noise(seed, s),
                       0.01 + 0.04 * e + 1e-4 * noise(seed + 1, s), 90 - 20 * (1 - e), 0.04});
          }
          write(config, t);
        }
      } else if (claim == "x5_noisy_gd") {
        // The parity learned up to tau 1e-2, the bit up to 1; one run per
        // (target, tau), as the real binary.
        for (const char* target : {"parity", "bit"}) {
          for (const char* tau : {"0", "1e-2", "1e-1", "1"}) {
            const double t = std::stod(tau);
            const bool learns = target == std::string("parity") ? t <= 1e-2 : t <= 1;
            fgbdl::Table table({"step", "accuracy", "loss", "tau"});
            for (int step = 0; step <= 2000; step += 100) {
              const double learned = learns ? 1 - std::exp(-step / 400.0) : 0.0;
              table.add_row({double(step),
                             std::min(1.0, 0.5 + 0.5 * learned + 0.01 * noise(seed, step)),
                             1 - 0.9 * learned, t});
            }
            write(absl::StrCat(target, "_tau", tau), table);
          }
        }
      } else if (claim == "b4_1_steps") {
        // fc reaches the level in about 60 steps at every n, conv is
        // censored at its cap of 2000 at n = 100 and 200, conv_whitened
        // reaches it in about 4 steps.
        for (const char* encoder : {"fc", "conv", "conv_whitened"}) {
          for (const int n : {25, 50, 100, 200}) {
            const double tau = encoder == std::string("fc")    ? 13 * (1 + 0.1 * noise(seed, n))
                               : encoder == std::string("conv") ? n * n * 0.06
                                                                : 0.9 + 0.1 * noise(seed, n);
            fgbdl::Table t({"step", "test_error", "relative_error", "steps_to_level", "reached"});
            const double reach = tau * std::log(100.0);
            const bool reached = reach <= 2000;
            for (const int step : {0, 1, 2, 3, 4, 5, 6, 8, 10, 13, 16, 20, 25, 32, 40, 50, 63, 79,
                                   100, 126, 158, 200, 251, 316, 398, 501, 631, 794, 1000, 1259,
                                   1585, 1995, 2000}) {
              const double e = std::exp(-step / tau);
              t.add_row({double(step), n * e, e, reached ? reach : 2000, reached ? 1.0 : 0.0});
            }
            write(absl::StrCat(encoder, "_n", n), t);
          }
        }
      } else if (claim == "b5_sweep") {
        // The approximation's FVU rises with c past 0.1 near c = 10; the
        // forward-only update's is 0.01; on K thresholds every learner's
        // FVU grows like K^0.5.
        auto fvu_table = [&](double fvu) {
          fgbdl::Table t({"step", "test_error", "fvu", "target_variance"});
          for (int step = 0; step <= 1000; step += 250) {
            const double f = fvu + (1 - fvu) * std::exp(-step / 100.0);
            t.add_row({double(step), 0.04 * f, f, 0.04});
          }
          return t;
        };
        for (const double c : {1.0, 5.0, 20.0, 100.0})
          write_as("b5_sharpness", absl::StrCat("approx_c", c),
                   fvu_table(0.02 * c * (1 + 0.2 * noise(seed, static_cast<std::uint64_t>(c)))));
        write_as("b5_sharpness", "forward_only", fvu_table(0.01 * (1 + 0.1 * noise(seed, 7))));
        int i = 0;
        for (const char* approach : {"approx", "e2e", "multiclass", "forward_only"}) {
          ++i;
          for (const int k : {7, 55}) {
            write_as("b5_thresholds", absl::StrCat(approach, "_k", k),
                     fvu_table(0.005 * i * std::sqrt(double(k)) * (1 + 0.1 * noise(seed, k + i))));
          }
        }
      } else if (claim == "x6_sparse_parity") {
        for (const int k : {2, 3}) {
          for (const int n : {10, 20, 40}) {
            const int solved_at = static_cast<int>(std::pow(n, k - 1) * 10 * (1.2 + 0.2 * noise(seed, n)));
            fgbdl::Table t({"step", "accuracy", "loss", "relevant", "irrelevant", "relevant_mean",
                            "irrelevant_mean", "solved", "solved_step"});
            for (int step = 0; step <= solved_at; step += std::max(1, solved_at / 20)) {
              const double at = step >= solved_at ? 1.0 : 0.5 + 0.5 * std::pow(double(step) / solved_at, 8);
              t.add_row({double(step), at, 1 - at / 2, 0.01 * step, 0.005 * step, 0.008 * step,
                         0.002 * step, 1, double(solved_at)});
            }
            if (t.rows().back()[0] != solved_at)
              t.add_row({double(solved_at), 1.0, 0.5, 0.01 * solved_at, 0.005 * solved_at,
                         0.008 * solved_at, 0.002 * solved_at, 1, double(solved_at)});
            write(absl::StrCat("n", n, "_k", k), t);
          }
        }
      } else if (claim == "x1_sharing") {
        for (const char* target : {"mixed", "no_low", "high_only"}) {
          const bool learns = target == std::string("mixed");
          fgbdl::Table t({"step", "shared_mse", "shared_low", "shared_mid", "shared_high",
                          "unshared_mse", "unshared_low", "unshared_mid", "unshared_high",
                          "target_low", "target_mid", "target_high"});
          for (int step = 0; step <= 2000; step += 100) {
            const double low = learns ? 0.33 * std::exp(-step / 100.0) + 1e-3 : 1e-3;
            const double high = learns ? 0.33 * std::exp(-step / 800.0) + 1e-3 : 0.33;
            const double n = 1e-4 * (1 + noise(seed, step));
            t.add_row({double(step), low + 2 * high, low + n, low + n, high + n, low + 0.33 + 0.33,
                       low + n, low + n, 0.33 + n, learns ? 0.33 : 1e-3, learns ? 0.33 : 1e-3,
                       0.33});
          }
          write(target, t);
        }
      } else if (claim == "x2_gating") {
        for (const char* optimizer : {"", "_adam"}) {
          for (const int d : {8, 16}) {
            for (const int k : {8, 16}) {
              for (const int m : {64, 128, 256}) {
                const double x = double(k * d) / m;
                const double exact = x >= 1 ? 0 : 1 - x;
                const double reach = optimizer[0] == 0 ? 0.5 : 0.9;
                fgbdl::Table t({"step", "relu_train_mse", "galu_train_mse", "exact_train_mse",
                                "kd_over_m"});
                for (int step = 0; step <= 1000; step += 250) {
                  const double learned = 1 - std::exp(-step / 300.0);
                  t.add_row({double(step),
                             1 - reach * learned * std::min(1.0, x) + 0.01 * noise(seed, step),
                             1 - (1 - exact) * learned * reach + 0.01 * noise(seed + 1, step),
                             exact, x});
                }
                write(absl::StrCat("memorize_d", d, "_k", k, "_m", m, optimizer), t);
              }
            }
          }
        }
        for (const int d : {5, 10}) {
          fgbdl::Table t({"step", "relu_accuracy", "galu_accuracy"});
          for (int step = 0; step <= 2000; step += 100) {
            const double learned = 1 - std::exp(-step / (40.0 * d));
            t.add_row({double(step), std::min(1.0, 0.5 + 0.5 * learned + 0.02 * noise(seed, step)),
                       std::min(1.0, 0.5 + 0.5 * learned + 0.02 * noise(seed + 1, step))});
          }
          write(absl::StrCat("parity_d", d), t);
        }
        for (const int k : {1, 2}) {
          fgbdl::Table t({"step", "relu_accuracy", "galu_accuracy"});
          for (int step = 0; step <= 2000; step += 100) {
            const double learned = k == 1 ? 1 - std::exp(-step / 300.0) : 0.0;
            t.add_row({double(step), std::min(1.0, 0.5 + 0.45 * learned + 0.02 * noise(seed, step)),
                       std::min(1.0, 0.5 + 0.44 * learned + 0.02 * noise(seed + 1, step))});
          }
          write(absl::StrCat("tuples_k", k), t);
        }
        fgbdl::Table curves({"step", "relu_test_mse", "galu_test_mse", "target_variance"});
        for (int s = 0; s <= 1000; s += 100) {
          curves.add_row({double(s), 0.002 + 0.04 * std::exp(-s / 100.0) + 1e-4 * noise(seed, s),
                          0.004 + 0.04 * std::exp(-s / 100.0) + 1e-4 * noise(seed + 1, s), 0.04});
        }
        write("curves_n25", curves);
        fgbdl::Table step({"step", "relu_test_mse", "galu_test_mse", "target_variance"});
        for (int s = 0; s <= 1000; s += 100) {
          step.add_row({double(s), 0.02 + 0.3 * std::exp(-s / 100.0) + 0.001 * noise(seed, s),
                        0.03 + 0.3 * std::exp(-s / 100.0) + 0.001 * noise(seed + 1, s), 0.33});
        }
        write("step_d100", step);
        fgbdl::Table fashion({"step", "relu_test_error", "galu_test_error"});
        for (int s = 0; s <= 3000; s += 500) {
          fashion.add_row({double(s), 0.13 + 0.77 * std::exp(-s / 200.0) + 0.003 * noise(seed, s),
                           0.15 + 0.75 * std::exp(-s / 200.0) + 0.003 * noise(seed + 1, s)});
        }
        write("fashion", fashion);
      } else if (claim == "x4_perturbation") {
        for (const char* config : {"parity_d5", "parity_d20", "tuples_k1", "tuples_k2"}) {
          const bool learns = config == std::string("parity_d5") || config == std::string("tuples_k1");
          fgbdl::Table t({"step", "backprop_accuracy", "gaussian_accuracy", "cauchy_accuracy"});
          for (int step = 0; step <= 2000; step += 100) {
            const double learned = learns ? 1 - std::exp(-step / 300.0) : 0.0;
            t.add_row({double(step), std::min(1.0, 0.5 + 0.5 * learned + 0.02 * noise(seed, step)),
                       std::min(1.0, 0.5 + 0.3 * learned + 0.02 * noise(seed + 1, step)),
                       0.5 + 0.02 * noise(seed + 2, step)});
          }
          write(config, t);
        }
        for (const char* config : {"curves_n16", "flat", "smooth"}) {
          const bool flat = config == std::string("flat");
          fgbdl::Table t({"step", "backprop_test_mse", "gaussian_test_mse", "cauchy_test_mse",
                          "target_variance"});
          for (int s = 0; s <= 2000; s += 100) {
            const double decay = std::exp(-s / 300.0);
            t.add_row({double(s), flat ? 0.5 : 0.01 + 0.5 * decay + 1e-3 * noise(seed, s),
                       0.02 + 0.5 * decay * decay + 1e-3 * noise(seed + 1, s),
                       0.04 + 0.46 * decay + 1e-3 * noise(seed + 2, s), 0.04});
          }
          write(config, t);
        }
      } else if (claim == "e5_flat") {
        auto u = [](double r) { return std::floor(4 * r) / 4; };
        for (const char* a : {"approx", "e2e", "multiclass", "forward_only"}) {
          const double scale = a == std::string("forward_only") ? 0.01 : 0.1;
          fgbdl::Table t({"step", "train_error", "test_error", "train_loss"});
          for (int step = 0; step <= 1000; step += 100) {
            const double err = scale * std::exp(-step / 300.0) + 1e-4;
            t.add_row({double(step), step == 0 ? std::nan("") : err, 1.1 * err, err});
          }
          write(a, t);
          for (const char* zoom : {"", "_zoom"}) {
            const bool approx = a == std::string("approx");
            fgbdl::Table fit = approx ? fgbdl::Table({"r", "y", "prediction", "u_tilde"})
                                      : fgbdl::Table({"r", "y", "prediction"});
            const double width = zoom[0] == 0 ? 1.0 : 0.03;
            for (int i = 0; i <= 40; ++i) {
              const double r = -width + i * width / 20;
              const double pred = u(r) + scale * noise(seed, i);
              if (approx)
                fit.add_row({r, u(r), pred, u(r) + 0.01});
              else
                fit.add_row({r, u(r), pred});
            }
            write_as("e5_fit", absl::StrCat(a, zoom), fit);
          }
          fgbdl::Table cost({"steps", "train_seconds", "train_ms_per_step", "test_ns_per_sample",
                             "final_test_error", "final_error_200k"});
          cost.add_row({1000, 1, 1, 100, scale, scale});
          write_as("e5_cost", a, cost);
        }
        fgbdl::Table sweep({"b_init", "b_init_abs", "final_error"});
        for (const double b : {-1.0, -0.5, 0.0, 0.5, 1.0})
          sweep.add_row({b, b + 0.3, b > 0.3 ? 0.1 : 0.01 + 0.001 * noise(seed, b + 2)});
        write_as("e5_bias_sweep", "sweep", sweep);
      } else if (claim == "c4_conditioning") {
        fgbdl::Table t({"n", "cond_W", "cond_patch_paper", "cond_patch_script",
                        "cond_patch_appendix", "cond_whitened_fresh_paper",
                        "cond_whitened_fresh_script", "cond_whitened_fresh_appendix"});
        for (const double n : {25.0, 50.0, 100.0, 200.0}) {
          t.add_row({n, 0.1 * std::pow(n, 4), 2 * std::pow(n, 3) * (1 + 0.05 * noise(seed, n)),
                     3 * std::pow(n, 3.1), 1.5 * std::pow(n, 3) * (1 + 0.05 * noise(seed, n + 3)),
                     1 + 0.05 * std::abs(noise(seed, n + 1)),
                     1 + 0.03 * std::abs(noise(seed, n + 2)),
                     1 + 0.04 * std::abs(noise(seed, n + 4))});
        }
        write("sweep", t);
      } else if (claim == "e4_1_encoders") {
        for (const std::string& e : encoders) {
          for (const char* opt : {"adam", "sgd"}) {
            for (const char* data : {"paper", "script"}) {
              const std::string config = absl::StrCat(e, "_", opt, "_", data);
              const double rate = e == "conv_whitened" ? 0.05 : e == "fc" ? 0.001 : 0.003;
              fgbdl::Table t({"step", "train_error", "test_error", "test_error_near_kinks",
                              "test_error_away_from_kinks"});
              for (const double step : {0.0, 10.0, 100.0, 1000.0, 5000.0}) {
                const double err = 10 * std::exp(-rate * step) + 1e-4;
                t.add_row({step, err, 1.1 * err, 3 * err, 0.5 * err});
              }
              write(config, t);
              fgbdl::Table c({"step", "curve", "x", "f", "decoded"});
              for (const double step : {500.0, 5000.0}) {
                for (const double curve : {0.0, 1.0}) {
                  for (int x = 1; x <= 20; ++x) {
                    const double f = std::max(0.0, x - 5.0 - 3 * curve) -
                                     2 * std::max(0.0, x - 12.0);
                    c.add_row({step, curve, double(x), f,
                               f + 2 * std::exp(-rate * step) * noise(seed, x)});
                  }
                }
              }
              write_as("e4_1_curves", config, c);
            }
          }
        }
      } else if (claim == "e3_1_tuples") {
        for (const std::int64_t k : ks) {
          for (const std::string& a : approaches) {
            fgbdl::Table t({"step", "accuracy", "loss"});
            const int last = a == "dec" ? 500 : 2000;
            for (int step = 0; step <= last; step += 100) {
              const double learned = a == "dec" ? 1 - std::exp(-step / 150.0)
                                     : k <= 2   ? 1 - std::exp(-step / (300.0 * k))
                                                : 0;
              const double acc =
                  std::min(1.0, 0.5 + 0.48 * learned + 0.015 * noise(seed + k, step));
              t.add_row({double(step), acc, 1 - learned});
            }
            write(absl::StrCat("k", k, "_", a), t);
          }
        }
        // The example images depend on the seed only, as in the real binary.
        fgbdl::Table ex({"image", "label", "row", "col"});
        for (int i = 0; i < 16; ++i) {
          const double label = i < 8 ? 1 : -1;
          const double theta = (label > 0 ? 0.15 : 1.72) + 0.18 * (i % 8) + 0.01 * noise(seed, i);
          const double cr = 14 + 6 * noise(seed, 100 + i), cc = 14 + 6 * noise(seed, 200 + i);
          for (int t = -7; t <= 7; ++t) {
            const double r = std::round(cr - t * std::sin(theta));
            const double c = std::round(cc + t * std::cos(theta));
            if (r >= 0 && r < 28 && c >= 0 && c < 28) ex.add_row({double(i), label, r, c});
          }
        }
        write_as("e3_1_examples", "grid", ex);
      } else if (claim == "e3_1_snr") {
        fgbdl::Table t({"k", "snr_e2e", "snr_dec", "snr_e2e_script", "snr_dec_script"});
        for (int k = 1; k <= 6; ++k) {
          const double e2e = 0.05 * std::pow(10.0, -2.5 * (k - 1)), dec = 0.04 * (1 + 0.05 * k);
          t.add_row({double(k), e2e, dec, 1.4 * e2e, 1.3 * dec});
        }
        write("init", t);
      } else if (claim == "e3_2_stocks") {
        for (const std::int64_t k : ks) {
          for (const std::string& e : estimators) {
            fgbdl::Table t({"step", "loss"});
            const double tau = e == "dec" ? 40 : 40 + 0.5 * k;
            for (int step = 0; step <= 1000; step += 50) {
              t.add_row({double(step), -1 + (1 - 1.0 / k) * std::exp(-step / tau) +
                                           0.002 * noise(seed + k, step)});
            }
            write(absl::StrCat("k", k, "_", e), t);
          }
        }
      } else if (claim == "e2_1_parity") {
        for (const std::int64_t d : ds) {
          fgbdl::Table t({"step", "accuracy", "loss"});
          for (int step = 0; step <= 2000; step += 100) {
            const double learned = d < 20 ? 1 - std::exp(-step / (40.0 * d)) : 0;
            const double acc = std::min(1.0, 0.5 + 0.5 * learned + 0.02 * noise(seed, step));
            t.add_row({double(step), acc, 1 - learned + 0.01 * noise(seed + 7, step)});
          }
          write(absl::StrCat("d", d), t);
        }
      } else if (claim == "t1_variance") {
        fgbdl::Table t({"d", "var_square", "var_hinge", "G2", "bound"});
        for (int d = 2; d <= 12; ++d) {
          const double g2 = 3 + 0.1 * d, bound = g2 / std::ldexp(1.0, d);
          t.add_row({double(d), 0.5 * bound, 0.3 * bound, g2, bound});
        }
        write("fixed_net", t);
      } else {
        for (const int d : {5, 10}) {
          fgbdl::Table t({"r", "variance", "variance_se"});
          for (int r = 1; r <= 10; ++r) {
            const double v = std::exp(-0.8 * r - 0.1 * d);
            t.add_row({double(r), v, (r == 10 ? 2.0 : 0.1) * v});
          }
          write(absl::StrCat("d", d), t);
          fgbdl::Table exact({"r", "variance"});
          for (const double r : {0.5, 1.0, 2.0, 4.0, 8.0, 16.0}) {
            exact.add_row({r, std::exp(-0.1 * d) * std::pow(1 + r, -(d + 1.0))});
          }
          write(absl::StrCat("exact_d", d), exact);
        }
        fgbdl::Table t({"step", "loss", "trivial_loss"});
        for (int step = 0; step <= 1000; step += 50) {
          t.add_row(
              {double(step), 0.5 + 0.1 * std::exp(-step / 100.0) + 0.005 * noise(seed, step), 0.5});
        }
        write("train", t);
      }
    }
    return 0;
  });
}
