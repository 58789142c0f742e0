"""Targets of the report for the extension on perturbation learners (X4,
paper/ext_perturbation.md): one experiment_run per (config, seed) and one
claim_verdict per claim test.

x4_perturbation_<family>_seed<S> writes x4_perturbation/<config>/seed-<S>/
for every config of the family (parity: parity_d5, parity_d20; tuples:
tuples_k1, tuples_k2; curves: curves_n16; flat; smooth). Every target here is
tagged manual: `bazel run //reports:paper` runs them, `bazel test //...` does
not.
"""

load("//tools:defs.bzl", "claim_verdict", "experiment_run")

_PERTURBATION = "//experiments/ext_perturbation:x4_perturbation"
_TESTS = "//proofs_checks/ext_perturbation:"

FAMILIES = ["parity", "tuples", "curves", "flat", "smooth"]
QUICK_SEEDS = [1]
PAPER_SEEDS = [1, 2, 3]

EXT_PERTURBATION_TESTS = [
    "x4_perturbation_test",
]

def _runs(seeds):
    return [":x4_perturbation_%s_seed%d" % (f, s) for f in FAMILIES for s in seeds]

def ext_perturbation_runs():
    """Defines the X4 experiment runs.

    Returns:
      A select() over the run labels: seed 1 by default, seeds 1, 2, 3 under
      --config=paper, seed 1 under --config=paper_one_seed.
    """
    for s in PAPER_SEEDS:
        for f in FAMILIES:
            experiment_run(
                name = "x4_perturbation_%s_seed%d" % (f, s),
                binary = _PERTURBATION,
                args = ["--seeds=%d" % s, "--families=%s" % f],
                tags = ["manual"],
            )
    return select({
        "//tools:profile_paper": _runs(PAPER_SEEDS),
        "//tools:profile_paper_one_seed": _runs([1]),
        "//conditions:default": _runs(QUICK_SEEDS),
    })

def ext_perturbation_verdicts():
    """Defines one claim_verdict per X4 claim test; returns their labels."""
    for t in EXT_PERTURBATION_TESTS:
        claim_verdict(name = t + "_verdict", test = _TESTS + t, tags = ["manual"])
    return [":%s_verdict" % t for t in EXT_PERTURBATION_TESTS]
