"""Targets of the report for the extension "Beyond the paper" X5 (noisy
gradient descent on parities, paper/ext_noise.md): one experiment_run per
(target, seed) and one claim_verdict per claim test.

x5_noisy_gd_<target>_seed<S> writes x5_noisy_gd/<target>_tau<tau>/seed-<S>/
for every tau of the binary's grid (target parity or bit). Every target here
is tagged manual: `bazel run //reports:paper` runs them, `bazel test //...`
does not.
"""

load("//tools:defs.bzl", "claim_verdict", "experiment_run")

_NOISY = "//experiments/ext_noise:x5_noisy_gd"
_TESTS = "//proofs_checks/ext_noise:"

TARGETS = ["parity", "bit"]
QUICK_SEEDS = [1]
PAPER_SEEDS = [1, 2, 3]

EXT_NOISE_TESTS = [
    "x5_noisy_gd_test",
]

def _runs(seeds):
    return [":x5_noisy_gd_%s_seed%d" % (t, s) for t in TARGETS for s in seeds]

def ext_noise_runs():
    """Defines the X5 experiment runs.

    Returns:
      A select() over the run labels: seed 1 by default, seeds 1, 2, 3 under
      --config=paper, seed 1 under --config=paper_one_seed.
    """
    for s in PAPER_SEEDS:
        for t in TARGETS:
            experiment_run(
                name = "x5_noisy_gd_%s_seed%d" % (t, s),
                binary = _NOISY,
                args = ["--seeds=%d" % s, "--targets=%s" % t],
                tags = ["manual"],
            )
    return select({
        "//tools:profile_paper": _runs(PAPER_SEEDS),
        "//tools:profile_paper_one_seed": _runs([1]),
        "//conditions:default": _runs(QUICK_SEEDS),
    })

def ext_noise_verdicts():
    """Defines one claim_verdict per X5 claim test; returns their labels."""
    for t in EXT_NOISE_TESTS:
        claim_verdict(name = t + "_verdict", test = _TESTS + t, tags = ["manual"])
    return [":%s_verdict" % t for t in EXT_NOISE_TESTS]
