"""Section 5 targets of the report (paper/sec5_flat.md): one experiment_run
per (approach, seed) and one claim_verdict per claim test.

e5_flat_<approach>_seed<S> writes e5_flat/<approach>/, e5_fit/<approach>/,
e5_fit/<approach>_zoom/ and e5_cost/<approach>/ under seed-<S>/; the approx
run also writes the bias sweep, e5_bias_sweep/sweep/seed-<S>/. Every target
here is tagged manual: `bazel run //reports:paper` runs them, `bazel test
//...` does not.
"""

load("//tools:defs.bzl", "claim_verdict", "experiment_run")

_FLAT = "//experiments/sec5_flat:e5_flat"
_TESTS = "//proofs_checks/sec5_flat:"

APPROACHES = ["approx", "e2e", "multiclass", "forward_only"]
QUICK_SEEDS = [1]
PAPER_SEEDS = [1, 2, 3]

SEC5_TESTS = [
    "e5_flat_test",
    "a7_forward_only_convergence_test",
]

def _runs(seeds):
    return [":e5_flat_%s_seed%d" % (a, s) for a in APPROACHES for s in seeds]

def sec5_runs():
    """Defines the Section 5 experiment runs.

    Returns:
      A select() over the run labels: seed 1 by default, seeds 1, 2, 3 under
      --config=paper, seed 1 under --config=paper_one_seed.
    """
    for s in PAPER_SEEDS:
        for a in APPROACHES:
            experiment_run(
                name = "e5_flat_%s_seed%d" % (a, s),
                binary = _FLAT,
                args = [
                    "--seeds=%d" % s,
                    "--approach=%s" % a,
                    "--bias_sweep=%s" % ("yes" if a == "approx" else "no"),
                ],
                tags = ["manual"],
            )
    return select({
        "//tools:profile_paper": _runs(PAPER_SEEDS),
        "//tools:profile_paper_one_seed": _runs([1]),
        "//conditions:default": _runs(QUICK_SEEDS),
    })

def sec5_verdicts():
    """Defines one claim_verdict per Section 5 claim test; returns their labels."""
    for t in SEC5_TESTS:
        claim_verdict(name = t + "_verdict", test = _TESTS + t, tags = ["manual"])
    return [":%s_verdict" % t for t in SEC5_TESTS]
