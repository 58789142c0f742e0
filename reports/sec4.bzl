"""Section 4 targets of the report (paper/sec4_conditioning.md): one
experiment_run per (experiment, encoder, seed) and one claim_verdict per claim
test.

c4_conditioning_seed<S> writes c4_conditioning/sweep/seed-<S>/;
e4_1_encoders_<encoder>_seed<S> writes e4_1_encoders/<config>/seed-<S>/ and
e4_1_curves/<config>/seed-<S>/ for the four configs
<encoder>_<adam|sgd>_<paper|script> of that encoder. Every target here is
tagged manual: `bazel run //reports:paper` runs them, `bazel test //...` does
not.
"""

load("//tools:defs.bzl", "claim_verdict", "experiment_run")

_CONDITIONING = "//experiments/sec4_conditioning:c4_conditioning"
_ENCODERS = "//experiments/sec4_conditioning:e4_1_encoders"
_TESTS = "//proofs_checks/sec4_conditioning:"

ENCODERS = ["fc", "conv", "conv_whitened", "autoencoder"]
QUICK_SEEDS = [1]
PAPER_SEEDS = [1, 2, 3]

SEC4_TESTS = [
    "c4_0_curve_encoding_test",
    "l1_inverse_test",
    "l2_expected_sgd_test",
    "t3_conditioning_test",
    "a5_linear_regression_test",
    "a6_patch_conditioning_test",
    "whitening_test",
    "e4_1_encoders_test",
]

def _runs(seeds):
    return [":c4_conditioning_seed%d" % s for s in seeds] + [
        ":e4_1_encoders_%s_seed%d" % (e, s)
        for e in ENCODERS
        for s in seeds
    ]

def sec4_runs():
    """Defines the Section 4 experiment runs.

    Returns:
      A select() over the run labels: seed 1 by default, seeds 1, 2, 3 under
      --config=paper, seed 1 under --config=paper_one_seed.
    """
    for s in PAPER_SEEDS:
        experiment_run(
            name = "c4_conditioning_seed%d" % s,
            binary = _CONDITIONING,
            args = ["--seeds=%d" % s],
            tags = ["manual"],
        )
        for e in ENCODERS:
            experiment_run(
                name = "e4_1_encoders_%s_seed%d" % (e, s),
                binary = _ENCODERS,
                args = ["--seeds=%d" % s, "--encoder=%s" % e],
                tags = ["manual"],
            )
    return select({
        "//tools:profile_paper": _runs(PAPER_SEEDS),
        "//tools:profile_paper_one_seed": _runs([1]),
        "//conditions:default": _runs(QUICK_SEEDS),
    })

def sec4_verdicts():
    """Defines one claim_verdict per Section 4 claim test; returns their labels."""
    for t in SEC4_TESTS:
        claim_verdict(name = t + "_verdict", test = _TESTS + t, tags = ["manual"])
    return [":%s_verdict" % t for t in SEC4_TESTS]
