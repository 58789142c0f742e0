"""Targets of the report for the section "Where each failure begins"
(paper/boundaries.md): the grids of B2.1 (parities), B3.1 (tuples) and B3.2
(stocks), one experiment_run per (setting, seed), and one claim_verdict per
claim test.

The runs are those of the Section 2 and 3 binaries with --claim=b<...>, so
that they land in folders of their own: b2_1_parity_d<D>_seed<S> writes
b2_1_parity/d<D>/seed-<S>/, b3_1_tuples_k<K>_<approach>_seed<S> writes
b3_1_tuples/k<K>_<approach>/seed-<S>/ (and the example images
e3_1_examples/grid/seed-<S>/, identical to Section 3's),
b3_2_stocks_k<K>_<estimator>_seed<S> writes b3_2_stocks/k<K>_<estimator>/seed-<S>/.

By default (and under --config=paper) each grid is a reduced one at the
binaries' quick profile; under --config=boundaries (//tools:profile_boundaries)
every grid is the full one at the paper's settings, seeds 1 to 10; under
--config=boundaries_quick_tuples the tuples' grid stays reduced, and under
--config=boundaries_tuples it alone is full. Every
target here is tagged manual: `bazel run //reports:paper` runs them,
`bazel test //...` does not. On a Slurm cluster, //reports:paper_runs lists
them with the report's other runs (tools/cluster/).
"""

load("//tools:defs.bzl", "claim_verdict", "experiment_run")

_PARITY = "//experiments/sec2_parity:e2_1_parity"
_TUPLES = "//experiments/sec3_decomposition:e3_1_tuples"
_STOCKS = "//experiments/sec3_decomposition:e3_2_stocks"
_TESTS = "//proofs_checks/boundaries:"

# B2.1: every d from 5 to 30 at the paper's 50 000 steps, seeds 1..10;
# reduced: six d's at the quick profile's 20 000 steps, seeds 1, 2.
PARITY_DS = list(range(5, 31))
QUICK_PARITY_DS = [5, 10, 15, 20, 25, 30]

# B3.1: k = 1..4, both approaches, at the paper's 20 000 (e2e) and 2 500
# (dec) steps, seeds 1..10; reduced: the quick profile's 600 and 400 steps,
# k = 1..3, seeds 1, 2.
TUPLE_KS = [1, 2, 3, 4]
QUICK_TUPLE_KS = [1, 2, 3]
APPROACHES = ["e2e", "dec"]

# B3.2: eight k's from 10 to 2 000, both estimators, the paper's 2 500
# steps, seeds 1..10; reduced: three k's at the quick profile's 1 500 steps,
# seeds 1..3.
STOCK_KS = [10, 20, 50, 100, 200, 500, 1000, 2000]
QUICK_STOCK_KS = [10, 100, 1000]
ESTIMATORS = ["e2e", "dec"]

SEEDS = list(range(1, 11))
QUICK_SEEDS = [1, 2]
QUICK_STOCK_SEEDS = [1, 2, 3]

BOUNDARIES_TESTS = [
    "b2_1_parity_test",
    "b3_1_tuples_test",
    "b3_2_stocks_test",
]

def _parity(d, s):
    return "b2_1_parity_d%d_seed%d" % (d, s)

def _tuples(k, a, s):
    return "b3_1_tuples_k%d_%s_seed%d" % (k, a, s)

def _stocks(k, e, s):
    return "b3_2_stocks_k%d_%s_seed%d" % (k, e, s)

def _labels(names):
    return [":" + n for n in names]

def boundaries_runs():
    """Defines the runs of the three grids.

    Returns:
      A select() over the run labels: the reduced grids by default, the full
      grids under --config=boundaries (the tuples' reduced under
      --config=boundaries_quick_tuples, the tuples' alone full under
      --config=boundaries_tuples).
    """
    full = select({
        "//tools:profile_boundaries_tuples": "quick",
        "//tools:profile_boundaries": "paper",
        "//conditions:default": "quick",
    })
    tuples_full = select({
        "//tools:profile_boundaries_quick_tuples": "quick",
        "//tools:profile_boundaries": "paper",
        "//conditions:default": "quick",
    })
    for d in PARITY_DS:
        for s in SEEDS:
            experiment_run(
                name = _parity(d, s),
                binary = _PARITY,
                args = ["--claim=b2_1_parity", "--seeds=%d" % s, "--d=%d" % d],
                profile = full,
                tags = ["manual"],
            )
    for k in TUPLE_KS:
        for a in APPROACHES:
            for s in SEEDS:
                experiment_run(
                    name = _tuples(k, a, s),
                    binary = _TUPLES,
                    args = ["--claim=b3_1_tuples", "--seeds=%d" % s, "--k=%d" % k, "--approach=%s" % a],
                    profile = tuples_full,
                    tags = ["manual"],
                )
    for k in STOCK_KS:
        for e in ESTIMATORS:
            for s in SEEDS:
                experiment_run(
                    name = _stocks(k, e, s),
                    binary = _STOCKS,
                    args = ["--claim=b3_2_stocks", "--seeds=%d" % s, "--k=%d" % k, "--estimator=%s" % e],
                    profile = full,
                    tags = ["manual"],
                )
    parity = [_parity(d, s) for d in PARITY_DS for s in SEEDS]
    quick_parity = [_parity(d, s) for d in QUICK_PARITY_DS for s in QUICK_SEEDS]
    tuples = [_tuples(k, a, s) for k in TUPLE_KS for a in APPROACHES for s in SEEDS]
    quick_tuples = [_tuples(k, a, s) for k in QUICK_TUPLE_KS for a in APPROACHES for s in QUICK_SEEDS]
    stocks = [_stocks(k, e, s) for k in STOCK_KS for e in ESTIMATORS for s in SEEDS]
    quick_stocks = [_stocks(k, e, s) for k in QUICK_STOCK_KS for e in ESTIMATORS for s in QUICK_STOCK_SEEDS]
    return select({
        "//tools:profile_boundaries_quick_tuples": _labels(parity + quick_tuples + stocks),
        "//tools:profile_boundaries_tuples": _labels(quick_parity + tuples + quick_stocks),
        "//tools:profile_boundaries": _labels(parity + tuples + stocks),
        "//conditions:default": _labels(quick_parity + quick_tuples + quick_stocks),
    })

def boundaries_grid(family):
    """The full grid's run labels of one family ("parity", "tuples", "stocks").

    For `bazel build --config=boundaries` of one family's runs alone
    (//reports:b2_1_parity_grid, ...).
    """
    if family == "parity":
        return _labels([_parity(d, s) for d in PARITY_DS for s in SEEDS])
    if family == "tuples":
        return _labels([_tuples(k, a, s) for k in TUPLE_KS for a in APPROACHES for s in SEEDS])
    if family == "stocks":
        return _labels([_stocks(k, e, s) for k in STOCK_KS for e in ESTIMATORS for s in SEEDS])
    fail("unknown family " + family)

def boundaries_verdicts():
    """Defines one claim_verdict per claim test of the section; returns their labels."""
    for t in BOUNDARIES_TESTS:
        claim_verdict(name = t + "_verdict", test = _TESTS + t, tags = ["manual"])
    return [":%s_verdict" % t for t in BOUNDARIES_TESTS]
