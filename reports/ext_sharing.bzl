"""Targets of the report for the extension "Beyond the paper I" (X1,
paper/ext_sharing.md): one experiment_run per (target, seed) and one
claim_verdict per claim test.

x1_sharing_<target>_seed<S> writes x1_sharing/<target>/seed-<S>/ (target
mixed, no_low or high_only). Every target here is tagged manual: `bazel run
//reports:paper` runs them, `bazel test //...` does not.
"""

load("//tools:defs.bzl", "claim_verdict", "experiment_run")

_SHARING = "//experiments/ext_sharing:x1_sharing"
_TESTS = "//proofs_checks/ext_sharing:"

TARGETS = ["mixed", "no_low", "high_only"]
QUICK_SEEDS = [1]
PAPER_SEEDS = [1, 2, 3]

EXT_SHARING_TESTS = [
    "x1_sharing_test",
]

def _runs(seeds):
    return [":x1_sharing_%s_seed%d" % (t, s) for t in TARGETS for s in seeds]

def ext_sharing_runs():
    """Defines the X1 experiment runs.

    Returns:
      A select() over the run labels: seed 1 by default, seeds 1, 2, 3 under
      --config=paper, seed 1 under --config=paper_one_seed.
    """
    for s in PAPER_SEEDS:
        for t in TARGETS:
            experiment_run(
                name = "x1_sharing_%s_seed%d" % (t, s),
                binary = _SHARING,
                args = ["--seeds=%d" % s, "--targets=%s" % t],
                tags = ["manual"],
            )
    return select({
        "//tools:profile_paper": _runs(PAPER_SEEDS),
        "//tools:profile_paper_one_seed": _runs([1]),
        "//conditions:default": _runs(QUICK_SEEDS),
    })

def ext_sharing_verdicts():
    """Defines one claim_verdict per X1 claim test; returns their labels."""
    for t in EXT_SHARING_TESTS:
        claim_verdict(name = t + "_verdict", test = _TESTS + t, tags = ["manual"])
    return [":%s_verdict" % t for t in EXT_SHARING_TESTS]
