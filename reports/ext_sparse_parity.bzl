"""Targets of the report for the extension "Beyond the paper VI" (X6,
paper/ext_sparse_parity.md): one experiment_run per (n, k, seed) and one
claim_verdict per claim test.

x6_sparse_parity_n<N>_k<K>_seed<S> writes x6_sparse_parity/n<N>_k<K>/seed-<S>/.
Every target here is tagged manual: `bazel run //reports:paper` runs them,
`bazel test //...` does not.
"""

load("//tools:defs.bzl", "claim_verdict", "experiment_run")

_PARITY = "//experiments/ext_sparse_parity:x6_sparse_parity"
_TESTS = "//proofs_checks/ext_sparse_parity:"

KS = [2, 3, 4]
QUICK_NS = [10, 14, 20, 28]
PAPER_NS = [10, 14, 20, 28, 40, 56, 80]
QUICK_SEEDS = [1]
PAPER_SEEDS = [1, 2, 3, 4, 5]

EXT_SPARSE_PARITY_TESTS = [
    "x6_sparse_parity_test",
]

def _name(n, k, s):
    return "x6_sparse_parity_n%d_k%d_seed%d" % (n, k, s)

def _runs(ns, seeds):
    return [":" + _name(n, k, s) for k in KS for n in ns for s in seeds]

def ext_sparse_parity_runs():
    """Defines the X6 experiment runs.

    Returns:
      A select() over the run labels: n 10, 14, 20, 28 and seed 1 by default;
      n 10 ... 80 and seeds 1 to 5 under --config=paper; n 10 ... 80 and seed 1
      under --config=paper_one_seed (k 2, 3, 4 in all three).
    """
    for s in PAPER_SEEDS:
        for k in KS:
            for n in PAPER_NS:
                experiment_run(
                    name = _name(n, k, s),
                    binary = _PARITY,
                    args = ["--seeds=%d" % s, "--n=%d" % n, "--k=%d" % k],
                    tags = ["manual"],
                )
    return select({
        "//tools:profile_paper": _runs(PAPER_NS, PAPER_SEEDS),
        "//tools:profile_paper_one_seed": _runs(PAPER_NS, [1]),
        "//conditions:default": _runs(QUICK_NS, QUICK_SEEDS),
    })

def ext_sparse_parity_verdicts():
    """Defines one claim_verdict per X6 claim test; returns their labels."""
    for t in EXT_SPARSE_PARITY_TESTS:
        claim_verdict(name = t + "_verdict", test = _TESTS + t, tags = ["manual"])
    return [":%s_verdict" % t for t in EXT_SPARSE_PARITY_TESTS]
