"""Targets of the report for the extension "Beyond the paper III" (X3,
paper/ext_feedback.md): one experiment_run per (family, seed) and one
claim_verdict per claim test.

x3_feedback_<part>_seed<S> writes x3_feedback/<config>/seed-<S>/ for every
configuration of the part in the profile: parity parity_d5, parity_d10
(paper: also parity_d15, parity_d20), tuples tuples_k1, tuples_k2 (paper:
also tuples_k3), curves curves_n25 (paper: also curves_n50), step
step_d100. Every target here is tagged manual: `bazel run //reports:paper`
runs them, `bazel test //...` does not.
"""

load("//tools:defs.bzl", "claim_verdict", "experiment_run")

_FEEDBACK = "//experiments/ext_feedback:x3_feedback"
_TESTS = "//proofs_checks/ext_feedback:"

PARTS = ["parity", "tuples", "curves", "step"]
QUICK_SEEDS = [1]
PAPER_SEEDS = [1, 2, 3]

EXT_FEEDBACK_TESTS = [
    "x3_feedback_test",
]

def _runs(seeds):
    return [":x3_feedback_%s_seed%d" % (p, s) for p in PARTS for s in seeds]

def ext_feedback_runs():
    """Defines the X3 experiment runs.

    Returns:
      A select() over the run labels: seed 1 by default, seeds 1, 2, 3 under
      --config=paper, seed 1 under --config=paper_one_seed.
    """
    for s in PAPER_SEEDS:
        for p in PARTS:
            experiment_run(
                name = "x3_feedback_%s_seed%d" % (p, s),
                binary = _FEEDBACK,
                args = ["--seeds=%d" % s, "--parts=%s" % p],
                tags = ["manual"],
            )
    return select({
        "//tools:profile_paper": _runs(PAPER_SEEDS),
        "//tools:profile_paper_one_seed": _runs([1]),
        "//conditions:default": _runs(QUICK_SEEDS),
    })

def ext_feedback_verdicts():
    """Defines one claim_verdict per X3 claim test; returns their labels."""
    for t in EXT_FEEDBACK_TESTS:
        claim_verdict(name = t + "_verdict", test = _TESTS + t, tags = ["manual"])
    return [":%s_verdict" % t for t in EXT_FEEDBACK_TESTS]
