"""Section 2 targets of the report (paper/sec2_parity.md): one experiment_run
per (experiment, config, seed) and one claim_verdict per claim test.

Target names follow the result folders: e2_1_parity_d<D>_seed<S> writes
e2_1_parity/d<D>/seed-<S>/. Every target here is tagged manual: `bazel build
//...` and `bazel test //...` do not run experiments; `bazel run
//reports:paper` does.
"""

load("//tools:defs.bzl", "claim_verdict", "experiment_run")

_PARITY = "//experiments/sec2_parity:e2_1_parity"
_T1 = "//experiments/sec2_parity:t1_variance"
_T2 = "//experiments/sec2_parity:t2_linear_periodic"
_TESTS = "//proofs_checks/sec2_parity:"

# Figure e2_1_parity (paper Figure 1): these d's, every seed.
FIGURE_DS = [5, 10, 30]
FIGURE_SEEDS = [1, 2, 3]

# Figure e2_1_parity_sweep: these d's with seed 1 (and the figure's seeds).
QUICK_SWEEP = list(range(5, 41, 5))
PAPER_SWEEP = list(range(5, 41))

SEC2_TESTS = [
    "e2_1_parity_test",
    "t1_variance_bound_test",
    "c2_2_parity_orthogonality_test",
    "l3_parity_network_test",
    "t2_linear_periodic_test",
]

def _parity_name(d, seed):
    return "e2_1_parity_d%d_seed%d" % (d, seed)

def sec2_runs():
    """Defines the Section 2 experiment runs.

    Returns:
      A select() over the run labels: the quick sweep by default, every
      integer d under --config=paper (seed 1 only under
      --config=paper_one_seed).
    """
    figure = [(d, s) for d in FIGURE_DS for s in FIGURE_SEEDS]
    quick = figure + [(d, 1) for d in QUICK_SWEEP if (d, 1) not in figure]
    paper = figure + [(d, 1) for d in PAPER_SWEEP if (d, 1) not in figure]
    for d, s in paper:
        experiment_run(
            name = _parity_name(d, s),
            binary = _PARITY,
            args = ["--seeds=%d" % s, "--d=%d" % d],
            tags = ["manual"],
        )
    experiment_run(name = "t1_variance_seed1", binary = _T1, args = ["--seeds=1"], tags = ["manual"])
    experiment_run(name = "t2_linear_periodic_seed1", binary = _T2, args = ["--seeds=1"], tags = ["manual"])
    common = [":t1_variance_seed1", ":t2_linear_periodic_seed1"]
    one_seed = [(d, s) for d, s in paper if s == 1]
    return select({
        "//tools:profile_paper": [":" + _parity_name(d, s) for d, s in paper] + common,
        "//tools:profile_paper_one_seed": [":" + _parity_name(d, s) for d, s in one_seed] + common,
        "//conditions:default": [":" + _parity_name(d, s) for d, s in quick] + common,
    })

def sec2_verdicts():
    """Defines one claim_verdict per Section 2 claim test; returns their labels."""
    for t in SEC2_TESTS:
        claim_verdict(name = t + "_verdict", test = _TESTS + t, tags = ["manual"])
    return [":%s_verdict" % t for t in SEC2_TESTS]
