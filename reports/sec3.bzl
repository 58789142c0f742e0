"""Section 3 targets of the report (paper/sec3_decomposition.md): one
experiment_run per (experiment, config, seed) and one claim_verdict per claim
test.

Target names follow the result folders: e3_1_tuples_k<K>_<approach>_seed<S>
writes e3_1_tuples/k<K>_<approach>/seed-<S>/ (and, like every run of that
binary, the example images e3_1_examples/grid/seed-<S>/; the report reads
identical copies once). Every target here is tagged manual: `bazel build
//...` and `bazel test //...` do not run experiments; `bazel run
//reports:paper` does.
"""

load("//tools:defs.bzl", "claim_verdict", "experiment_run")

_TUPLES = "//experiments/sec3_decomposition:e3_1_tuples"
_SNR = "//experiments/sec3_decomposition:e3_1_snr"
_STOCKS = "//experiments/sec3_decomposition:e3_2_stocks"
_TESTS = "//proofs_checks/sec3_decomposition:"

# Figure e3_1_tuples (paper Figure 3): every k, both approaches. An
# end-to-end run of the quick profile takes minutes, so the quick report
# runs one seed and the paper report three.
TUPLE_KS = [1, 2, 3, 4]
APPROACHES = ["e2e", "dec"]
QUICK_TUPLE_SEEDS = [1]
PAPER_TUPLE_SEEDS = [1, 2, 3]

# Figure e3_2_stocks (paper Figure 4): the paper's k's, both estimators.
STOCK_KS = [10, 1000, 2000]
ESTIMATORS = ["e2e", "dec"]
STOCK_SEEDS = [1, 2, 3]

SEC3_TESTS = [
    "e3_1_tuples_test",
    "e3_1_snr_test",
    "e3_2_stocks_test",
    "c3_3_estimators_test",
]

def _tuples_name(k, approach, seed):
    return "e3_1_tuples_k%d_%s_seed%d" % (k, approach, seed)

def _stocks_name(k, estimator, seed):
    return "e3_2_stocks_k%d_%s_seed%d" % (k, estimator, seed)

def _tuples(seeds):
    return [":" + _tuples_name(k, a, s) for k in TUPLE_KS for a in APPROACHES for s in seeds]

def sec3_runs():
    """Defines the Section 3 experiment runs.

    Returns:
      A select() over the run labels: one seed of e3_1_tuples by default,
      three under --config=paper, one seed of everything under
      --config=paper_one_seed.
    """
    for k in TUPLE_KS:
        for a in APPROACHES:
            for s in PAPER_TUPLE_SEEDS:
                experiment_run(
                    name = _tuples_name(k, a, s),
                    binary = _TUPLES,
                    args = ["--seeds=%d" % s, "--k=%d" % k, "--approach=%s" % a],
                    tags = ["manual"],
                )
    for k in STOCK_KS:
        for e in ESTIMATORS:
            for s in STOCK_SEEDS:
                experiment_run(
                    name = _stocks_name(k, e, s),
                    binary = _STOCKS,
                    args = ["--seeds=%d" % s, "--k=%d" % k, "--estimator=%s" % e],
                    tags = ["manual"],
                )
    experiment_run(name = "e3_1_snr_seed1", binary = _SNR, args = ["--seeds=1"], tags = ["manual"])
    common = [":" + _stocks_name(k, e, s) for k in STOCK_KS for e in ESTIMATORS for s in STOCK_SEEDS]
    common.append(":e3_1_snr_seed1")
    one_seed = [":" + _stocks_name(k, e, 1) for k in STOCK_KS for e in ESTIMATORS]
    one_seed.append(":e3_1_snr_seed1")
    return select({
        "//tools:profile_paper": _tuples(PAPER_TUPLE_SEEDS) + common,
        "//tools:profile_paper_one_seed": _tuples([1]) + one_seed,
        "//conditions:default": _tuples(QUICK_TUPLE_SEEDS) + common,
    })

def sec3_verdicts():
    """Defines one claim_verdict per Section 3 claim test; returns their labels."""
    for t in SEC3_TESTS:
        claim_verdict(name = t + "_verdict", test = _TESTS + t, tags = ["manual"])
    return [":%s_verdict" % t for t in SEC3_TESTS]
