"""Targets of the report for the extension "Beyond the paper I" (X2,
paper/ext_gating.md): one experiment_run per (part, seed), the memorization
part once per (optimizer, d, seed), and one claim_verdict per claim test.

x2_gating_memorize_<optimizer>_d<D>_seed<S> writes
x2_gating/memorize_d<D>_k<K>_m<M>/seed-<S>/ for every k and m of the profile
(Adam: memorize_d<D>_k<K>_m<M>_adam); x2_gating_parity_seed<S> writes
x2_gating/parity_d5/ and parity_d10/, x2_gating_tuples_seed<S>
x2_gating/tuples_k1/ and tuples_k2/, x2_gating_curves_seed<S> x2_gating/curves_n25/
(and curves_n50/ in the paper profile), x2_gating_step_seed<S>
x2_gating/step_d100/, x2_gating_fashion_seed<S> x2_gating/fashion/, each
under seed-<S>/. The quick profile has d in {8, 16}, the paper profile (the
source's memorization grid) d in {8, 16, 24, 32}. The Fashion-MNIST run
reads the files of the Debian package dataset-fashion-mnist (installed by
tools/bootstrap.sh) where x2_gating_test reads them. Every target here is
tagged manual: `bazel run //reports:paper` runs them, `bazel test //...`
does not.
"""

load("//tools:defs.bzl", "claim_verdict", "experiment_run")

_GATING = "//experiments/ext_gating:x2_gating"
_TESTS = "//proofs_checks/ext_gating:"
_FASHION_DIR = "/usr/share/datasets/fashion-mnist"

OPTIMIZERS = ["sgd", "adam"]
QUICK_DS = [8, 16]
PAPER_DS = [8, 16, 24, 32]
PARTS = ["parity", "tuples", "curves", "step", "fashion"]
QUICK_SEEDS = [1]
PAPER_SEEDS = [1, 2, 3]

EXT_GATING_TESTS = [
    "x2_gating_test",
]

def _runs(ds, seeds):
    return [
        ":x2_gating_memorize_%s_d%d_seed%d" % (o, d, s)
        for o in OPTIMIZERS
        for d in ds
        for s in seeds
    ] + [":x2_gating_%s_seed%d" % (p, s) for p in PARTS for s in seeds]

def ext_gating_runs():
    """Defines the X2 experiment runs.

    Returns:
      A select() over the run labels: seed 1 and d in {8, 16} by default,
      seeds 1, 2, 3 and d in {8, 16, 24, 32} under --config=paper, seed 1
      and d in {8, 16, 24, 32} under --config=paper_one_seed.
    """
    for s in PAPER_SEEDS:
        for o in OPTIMIZERS:
            for d in PAPER_DS:
                experiment_run(
                    name = "x2_gating_memorize_%s_d%d_seed%d" % (o, d, s),
                    binary = _GATING,
                    args = [
                        "--seeds=%d" % s,
                        "--parts=memorize",
                        "--optimizer=%s" % o,
                        "--d=%d" % d,
                    ],
                    tags = ["manual"],
                )
        for p in PARTS:
            experiment_run(
                name = "x2_gating_%s_seed%d" % (p, s),
                binary = _GATING,
                args = ["--seeds=%d" % s, "--parts=%s" % p] + (
                    ["--fashion_dir=" + _FASHION_DIR] if p == "fashion" else []
                ),
                tags = ["manual"],
            )
    return select({
        "//tools:profile_paper": _runs(PAPER_DS, PAPER_SEEDS),
        "//tools:profile_paper_one_seed": _runs(PAPER_DS, [1]),
        "//conditions:default": _runs(QUICK_DS, QUICK_SEEDS),
    })

def ext_gating_verdicts():
    """Defines one claim_verdict per X2 claim test; returns their labels."""
    for t in EXT_GATING_TESTS:
        claim_verdict(name = t + "_verdict", test = _TESTS + t, tags = ["manual"])
    return [":%s_verdict" % t for t in EXT_GATING_TESTS]
