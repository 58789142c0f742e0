"""Targets of the report for "Where the failures of Sections 4 and 5 begin"
(claims B4.1 and B5, paper/boundaries_sec45.md): one experiment_run per
(setting, seed) and one claim_verdict per claim test.

  b4_1_<encoder>_n<N>_seed<S>          b4_1_steps/<encoder>_n<N>/seed-<S>/
  b5_sharpness_approx_c<c>_seed<S>     b5_sharpness/approx_c<c>/seed-<S>/
  b5_sharpness_forward_only_seed<S>    b5_sharpness/forward_only/seed-<S>/
  b5_thresholds_<approach>_k<K>_seed<S>  b5_thresholds/<approach>_k<K>/seed-<S>/

The full grids run under --config=boundaries (//tools:profile_boundaries);
the default, --config=boundaries_tuples (the tuples' grid alone) and
--config=paper (which is about the paper's own settings) run a reduced grid
with the same levels and caps. Every run passes its steps and seed
explicitly, so the profile a run records (quick, the default of
experiment_run, also in the full grids) only names the defaults those flags
override; its manifest's settings are the run's. Every target here is
tagged manual: `bazel run //reports:paper` runs them, `bazel test //...`
does not.
"""

load("//tools:defs.bzl", "claim_verdict", "experiment_run")

_B4_1 = "//experiments/boundaries_sec45:b4_1_steps"
_B5 = "//experiments/boundaries_sec45:b5_sweep"
_TESTS = "//proofs_checks/boundaries_sec45:"

ENCODERS = ["fc", "conv", "conv_whitened"]
APPROACHES = ["approx", "e2e", "multiclass", "forward_only"]

# B4.1: the cap of every run (paper/boundaries_sec45.md, stated before the grid ran).
B4_1_CAP = 20000

# The full grids (--config=boundaries) and the reduced ones (default): the
# same levels, caps and step budgets, fewer settings and seeds, so every
# reduced run is also a run of the full grid.
FULL = struct(
    n = [25, 50, 100, 200, 400],
    seeds = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10],
    c = ["1", "2", "5", "10", "20", "50", "100"],
    k = [7, 14, 28, 55, 110],
)
QUICK = struct(
    n = [25, 50, 100],
    seeds = [1, 2],
    c = ["1", "5", "100"],
    k = [7, 55],
)

# Adam steps: the script's 10 000 for the approximation, 5 000 for the
# forward-only update; 5 000 for every learner of the thresholds family.
SHARPNESS_STEPS = {"approx": 10000, "forward_only": 5000}
THRESHOLD_STEPS = 5000

BOUNDARIES_SEC45_TESTS = [
    "b4_1_steps_test",
    "b5_sweep_test",
]

def _runs(grid):
    """(name, binary, args) of every run of a grid."""
    runs = []
    for e in ENCODERS:
        for n in grid.n:
            for s in grid.seeds:
                runs.append(("b4_1_%s_n%d_seed%d" % (e, n, s), _B4_1, [
                    "--encoder=" + e,
                    "--n=%d" % n,
                    "--seeds=%d" % s,
                    "--steps=%d" % B4_1_CAP,
                ]))
    for s in grid.seeds:
        for c in grid.c:
            runs.append(("b5_sharpness_approx_c%s_seed%d" % (c, s), _B5, [
                "--family=sharpness",
                "--approach=approx",
                "--c=" + c,
                "--seeds=%d" % s,
                "--steps=%d" % SHARPNESS_STEPS["approx"],
            ]))
        runs.append(("b5_sharpness_forward_only_seed%d" % s, _B5, [
            "--family=sharpness",
            "--approach=forward_only",
            "--seeds=%d" % s,
            "--steps=%d" % SHARPNESS_STEPS["forward_only"],
        ]))
        for a in APPROACHES:
            for k in grid.k:
                runs.append(("b5_thresholds_%s_k%d_seed%d" % (a, k, s), _B5, [
                    "--family=thresholds",
                    "--approach=" + a,
                    "--thresholds=%d" % k,
                    "--seeds=%d" % s,
                    "--steps=%d" % THRESHOLD_STEPS,
                ]))
    return runs

def boundaries_sec45_runs():
    """Defines the runs of B4.1 and B5.

    Returns:
      A select() over the run labels: the full grids under
      --config=boundaries (and --config=boundaries_quick_tuples), the reduced
      ones otherwise.
    """
    for name, binary, args in _runs(FULL):
        experiment_run(name = name, binary = binary, args = args, tags = ["manual"])
    return select({
        "//tools:profile_boundaries_tuples": [":" + r[0] for r in _runs(QUICK)],
        "//tools:profile_boundaries": [":" + r[0] for r in _runs(FULL)],
        "//conditions:default": [":" + r[0] for r in _runs(QUICK)],
    })

def boundaries_sec45_verdicts():
    """Defines one claim_verdict per B4.1/B5 claim test; returns their labels."""
    for t in BOUNDARIES_SEC45_TESTS:
        claim_verdict(name = t + "_verdict", test = _TESTS + t, tags = ["manual"])
    return [":%s_verdict" % t for t in BOUNDARIES_SEC45_TESTS]
