// Experiment E3.1-SNR of the paper (Section 3.1, Figure 5): the
// signal-to-noise ratio of the gradient of N1's last layer at random
// initialization, end-to-end versus decomposition, for tuples of k line
// images, in float64 (definitions and estimators: e3_1_snr_lib.h). One run
// per seed, all k and all initializations: <out>/e3_1_snr/init/seed-<S>/
// with metrics.csv (k,snr_e2e,snr_dec,snr_e2e_script,snr_dec_script, then
// standard errors, signals and noises) and manifest.json.
//
//   bazel run //experiments/sec3_decomposition:e3_1_snr -- --out=$PWD/results
//   bazel run //experiments/sec3_decomposition:e3_1_snr -- --out=/tmp/r --profile=paper
//   bazel run //experiments/sec3_decomposition:e3_1_snr -- --out=/tmp/r --k=1,2,3 --inits=2
#include <algorithm>
#include <cstdio>
#include <stdexcept>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "experiments/sec3_decomposition/e3_1_snr_lib.h"
#include "experiments/sec3_decomposition/tuple_flags.h"
#include "lib/core/error.h"
#include "lib/core/flags.h"
#include "lib/io/progress.h"
#include "lib/io/results.h"
#include "lib/train/checkpoint.h"

namespace fgbdl {
namespace {

int run(int argc, char** argv) {
  Flags flags(argc, argv,
              "E3.1-SNR (paper Figure 5): at random initialization of the E3.1 networks, the "
              "signal-to-noise ratio of the gradient of N1's last layer (float64), end-to-end "
              "(tuple hinge) and decomposition (image hinge), by the paper's definition "
              "(per-tuple gradients) and by the script's formula (batches). Writes "
              "<out>/e3_1_snr/init/seed-<S>/{metrics.csv,manifest.json}.");
  const std::string out = flags.get_string("out", "", "output directory (required)");
  const std::string profile = flags.get_choice(
      "profile", "quick", {"quick", "paper"},
      "quick: 4 inits, 2^16 images and 2^20 tuples per init; paper: 8 inits, 2^20 images "
      "and 2^21 tuples per init");
  const bool paper = profile == "paper";
  SnrSettings s;
  const auto ks = flags.get_int_list("k", "1,2,3,4,5,6", 1, 16, 16, "tuple sizes k");
  const auto seeds = flags.get_int_list("seeds", "1", 0, 1LL << 40, 1000,
                                        "seeds, one run per seed (all k, all inits)");
  s.inits = static_cast<int>(
      flags.get_int("inits", paper ? 8 : 4, 1, 10000, "random initializations per seed"));
  s.tuples = flags.get_int("tuples", paper ? (1LL << 21) : (1LL << 20), 1, 100000000000LL,
                           "Monte Carlo tuples per (initialization, k)");
  s.pool = flags.get_int("pool", paper ? (1 << 20) : (1 << 16), 1, 4000000,
                         "images per initialization (through N1 once, shared by all k; "
                         "0.8 KB each)");
  s.groups = static_cast<int>(flags.get_int(
      "groups", 8, 3, 1024, "independent groups of the pool (unbiased signal, jackknife)"));
  const std::int64_t tuples_script_flag = flags.get_int(
      "tuples_script", 0, 0, 100000000000LL,
      "tuples of the script's estimate; 0 = min(500000, tuples) (the script's N = 500000)");
  s.batch_script = static_cast<int>(
      flags.get_int("batch_script", 100, 1, 100000, "tuples per batch of the script's estimate"));
  const TupleVersionFlags versions = get_tuple_version_flags(flags);
  s.rasterizer = versions.rasterizer;
  s.label_rule = versions.label_rule;
  s.conv_init = versions.conv_init;
  if (!flags.finish()) return 0;
  if (out.empty()) throw UsageError("--out: got ''; allowed: a writable directory (required)");
  s.ks.assign(ks.begin(), ks.end());
  s.tuples_script = tuples_script_flag > 0 ? tuples_script_flag : std::min<std::int64_t>(500000, s.tuples);
  try {
    validate(s);
  } catch (const std::invalid_argument& e) {
    // "<setting>: got ...; allowed: ..."; the flag has the setting's name (ks: --k).
    const std::string what = e.what();
    const std::string name = what.substr(0, what.find(':'));
    throw UsageError(absl::StrCat("--", name == "ks" ? "k" : name, what.substr(name.size())));
  }
  check_output_dir("out", out);
  set_blas_threads(1);

  for (const std::int64_t seed : seeds) {
    const RunId id{"e3_1_snr", "init", static_cast<std::uint64_t>(seed), profile};
    const std::int64_t per_init_work = work_per_init(s);
    Progress progress(absl::StrCat("e3_1_snr seed=", seed), per_init_work * s.inits);
    // Resume from the checkpoint of an interrupted run (one per finished
    // initialization), if any.
    const std::string checkpoint = run_dir(out, id) + "/checkpoint.txt";
    std::vector<std::vector<InitSnr>> per_init;
    std::string saved;
    if (read_checkpoint_file(checkpoint, saved)) {
      try {
        per_init = parse_snr_checkpoint(saved, s, id.seed);
      } catch (const std::invalid_argument& e) {
        throw UsageError(absl::StrCat("--out: ", checkpoint, " holds ", e.what(),
                                      "; remove it or rerun with its flags"));
      }
      std::fprintf(stderr, "e3_1_snr seed=%lld: resuming after %zu finished initializations\n",
                   static_cast<long long>(seed), per_init.size());
    }
    std::int64_t before = per_init_work * static_cast<std::int64_t>(per_init.size());
    for (int init = static_cast<int>(per_init.size()); init < s.inits; ++init) {
      per_init.push_back(snr_one_init(s, id.seed, init,
                                      [&](std::int64_t t) { progress.update(before + t); }));
      for (const InitSnr& r : per_init.back()) {
        std::fprintf(stderr,
                     "e3_1_snr seed=%lld init=%d k=%d: snr e2e %.3e ± %.1e (mc %.3e ± %.1e), "
                     "dec %.3e ± %.1e, script e2e %.3e, dec %.3e; out in [%.3f, %.3f], "
                     "hinge off on %.2g of the tuples\n",
                     static_cast<long long>(seed), init, r.k, r.e2e.snr, r.e2e.snr_se,
                     r.e2e_mc.snr, r.e2e_mc.snr_se, r.dec.snr, r.dec.snr_se, r.e2e_script.snr,
                     r.dec_script.snr, r.out_min, r.out_max, r.hinge_off);
      }
      before += per_init_work;
      write_file_atomically(checkpoint, snr_checkpoint_text(s, id.seed, per_init));
    }
    const Table metrics = snr_table(s, per_init);
    write_run(out, id, metrics,
              {{"k", absl::StrCat("[", absl::StrJoin(s.ks, ","), "]")},
               {"inits", absl::StrCat(s.inits)},
               {"tuples", absl::StrCat(s.tuples)},
               {"pool", absl::StrCat(s.pool)},
               {"groups", absl::StrCat(s.groups)},
               {"tuples_script", absl::StrCat(s.tuples_script)},
               {"batch_script", absl::StrCat(s.batch_script)},
               {"bins", absl::StrCat(s.bins)},
               {"e2e_mean", "\"exact integration of the active-hinge gradient plus a Monte "
                            "Carlo hinge-off correction\""},
               {"rasterizer", json_quote(to_string(s.rasterizer))},
               {"tuple_label", json_quote(to_string(s.label_rule))},
               {"conv_init", json_quote(to_string(s.conv_init))},
               {"precision", "\"float64\""},
               {"parameters", "\"N1 score layer weights W (100); *_with_bias: W and b\""},
               {"average", "\"mean over inits of the per-init snr\""}},
              {}, progress.elapsed_s());
    std::remove(checkpoint.c_str());
    for (const auto& row : metrics.rows()) {
      std::fprintf(stderr,
                   "e3_1_snr seed=%lld k=%g: snr e2e %.3e dec %.3e | script e2e %.3e dec %.3e\n",
                   static_cast<long long>(seed), row[0], row[1], row[2], row[3], row[4]);
    }
    std::fprintf(stderr, "e3_1_snr seed=%lld: %.1f s\n", static_cast<long long>(seed),
                 progress.elapsed_s());
  }
  return 0;
}

}  // namespace
}  // namespace fgbdl

int main(int argc, char** argv) {
  return fgbdl::run_main("e3_1_snr", [&] { return fgbdl::run(argc, argv); });
}
