"""The binaries under the reliability tests (tools/reliability).

EXPERIMENTS: the experiment binaries (every test). OTHER_BINARIES: the
report generator and the benchmark binaries, which bad_argv_test also drives
with bad command lines (all_binary_args / all_binaries).

One entry per binary; add a Section 4/5 binary with one line:
  label: (quick flags, divergence flags, extra bad elements, checkpoint file)
  * quick: a short run (0.2-1 s in the opt build; several run dirs if the
    binary makes them), without --out and --seeds (the tests add both);
  * diverge: flags added to quick that make a run's loss non-finite ("" if
    no accepted flag value does: then no divergence test, and
    divergence_test.cc must state the reason);
  * bad: elements this binary must refuse beyond the generic ones the tests
    derive from its --help (empty, negative, huge, non-numeric, duplicate
    lists, unknown words, unknown flags, missing or unwritable --out);
  * checkpoint: the file name of its checkpoint in a run dir ("" if none).
Flags within a field are separated by spaces.

Assumptions a new binary must meet (else give the tests a new field): no
flag accepts "-1", "nan", "fast", an empty value or its default listed
twice (the generic bad values); every run dir's metrics depend on the seed
(determinism_test asks another seed to change every metrics.csv).
"""

load("//tools:bench_bad_flags.bzl", "BENCH_BAD_FLAGS")

EXPERIMENTS = {
    "//experiments/sec2_parity:e2_1_parity": ("--d=4,6,8,10 --steps=10000 --batch=32 --eval_every=100 --eval_samples=200", "--lr=1e6", "--d=0 --d=65 --steps=0 --batch=0 --lr=0 --lr=1e7 --eval_every=0 --eval_samples=0 --width_factor=0 --width_factor=1001 --claim=b3_2_stocks", ""),
    "//experiments/sec2_parity:t1_variance": ("--d=2,3,4,5,6,7,8,9,10,11,12,13 --width=32", "", "--d=0 --d=19 --width=0 --width=4097", ""),
    "//experiments/sec2_parity:t2_linear_periodic": ("--d=3,4 --r=0.5:2:0.5 --exact_r=0.5,1,2 --width=8 --batches=4 --directions=16 --samples_per_half=1000 --train_d=3 --steps=6000 --batch=32 --eval_every=200 --eval_samples=200", "--lr=1000", "--d=0 --d=1001 --r=4:1:0.5 --r=0:4:0 --r=101 --exact_r=1,,2 --width=0 --batches=1 --directions=1 --samples_per_half=0 --train_d=0 --train_r=1e9 --steps=0 --batch=0 --lr=0 --lr=1e4 --eval_every=0 --eval_samples=0", ""),
    "//experiments/sec3_decomposition:e3_1_tuples": ("--k=1 --approach=e2e,dec --steps=60 --batch=8 --eval_every=10 --eval_tuples=16 --checkpoint_every=10", "", "--k=0 --k=17 --approach=sgd --approach=E2E --batch=0 --batch=10001 --lr=0 --lr=1e7 --eval_every=0 --eval_tuples=0 --rasterizer=round --tuple_label=parity --conv_init=he --claim=e2_1_parity", "checkpoint.bin"),
    "//experiments/sec3_decomposition:e3_1_snr": ("--k=1,2 --inits=4 --tuples=2000 --pool=512 --groups=4 --batch_script=10", "", "--k=0 --k=17 --inits=0 --inits=10001 --tuples=0 --tuples=100 --pool=0 --pool=100 --groups=2 --groups=1025 --tuples_script=100 --batch_script=0 --rasterizer=exact --tuple_label=sum --conv_init=he", "checkpoint.txt"),
    "//experiments/sec3_decomposition:e3_2_stocks": ("--k=10,50,100 --d=200 --steps=800 --batch=50 --eval_every=100", "", "--k=0 --k=1 --k=100001 --estimator=sgd --estimator=E2E --d=0 --d=1000001 --steps=0 --batch=0 --lr=0 --lr=1e4 --eval_every=0 --claim=b2_1_parity", ""),
    "//experiments/sec4_conditioning:c4_conditioning": ("--n=25,50 --curves=200", "", "--n=2 --n=25,25 --curves=0", ""),
    "//experiments/sec4_conditioning:e4_1_encoders": ("--encoder=fc,conv --optimizer=sgd --data=paper --steps=300 --pool=500 --held_out=50", "--lr=100", "--encoder=dense --optimizer=rmsprop --data=uniform --lr=101 --code=tanh", ""),
    "//experiments/sec5_flat:e5_flat": ("--approach=forward_only,e2e --steps=300 --bias_sweep=no --test_samples=500 --fit_points=200", "", "--approach=sgd --thresholds=exact --bias_sweep=maybe --batch=0 --lr_e2e=0", ""),
    "//experiments/ext_sharing:x1_sharing": ("--targets=mixed,high_only --steps=300 --eval_every=100 --eval_samples=256", "--optimizer=sgd --lr=1000", "--targets=low --positions=2 --positions=17 --mid_degree=1 --optimizer=rmsprop --lr=1e4 --filters=0 --hidden=0", ""),
    "//experiments/ext_gating:x2_gating": ("--parts=memorize,parity,step --d=4 --k=4 --m=32 --steps=300 --eval_every=100 --parity_d=4 --parity_steps=300 --parity_eval_every=100 --step_width=8 --step_steps=100 --step_eval_every=50 --eval_samples=200", "--lr=1000 --parity_lr=1000 --step_lr=1000", "--parts=mnist --optimizer=rmsprop --d=257 --m=8193 --width_factor=101 --step_width=4097 --lr=1e4", ""),
    "//experiments/ext_perturbation:x4_perturbation": ("--families=parity,curves,flat --parity_d=4 --curves_n=5 --steps=40 --pairs=2 --eval_every=20 --eval_samples=200", "--optimizer=sgd --lr=1000", "--families=step --parity_d=65 --tuples_k=9 --curves_n=2 --optimizer=rmsprop --lr=1e4 --sigma=0 --pairs=0 --beta=1 --width=0 --width_factor=101", ""),
    "//experiments/ext_feedback:x3_feedback": ("--parts=parity,step --parity_d=4 --parity_steps=300 --parity_eval_every=100 --step_steps=100 --eval_samples=200", "--parity_lr=1000 --step_lr=1000", "--parts=memorize --parity_d=65 --tuples_k=9 --curves_n=2 --tuples_width=4097 --curves_width=4097 --step_lr=1e4 --eval_samples=2000000", ""),
    "//experiments/ext_noise:x5_noisy_gd": ("--taus=0,1e-1 --d=8 --k=3 --steps=200 --batch=64 --eval_every=50 --eval_samples=200", "--lr=1e6", "--targets=majority --taus=0.1 --taus=100 --d=1 --d=65 --k=1 --k=65 --width_factor=0 --width_factor=1001 --batch=0 --lr=0 --lr=1e7 --eval_every=0 --eval_samples=0", ""),
    "//experiments/boundaries_sec45:b4_1_steps": ("--encoder=fc,conv --n=9,12 --steps=300 --pool=500 --held_out=50", "", "--encoder=autoencoder --n=8 --n=1001 --steps=0 --level=0 --level=1 --pool=0 --held_out=1", ""),
    "//experiments/boundaries_sec45:b5_sweep": ("--family=thresholds --approach=forward_only,e2e --thresholds=7 --steps=300 --test_samples=500", "", "--family=sharp --approach=plain --c=0 --c=20000 --thresholds=1 --thresholds=10001 --eval_every=0 --test_samples=1", ""),
    "//experiments/ext_sparse_parity:x6_sparse_parity": ("--n=10,14 --k=2,3 --max_steps=300 --eval_samples=256", "--loss=square --lr=1000", "--n=0 --n=1001 --k=0 --k=17 --loss=logistic --lr=1e4 --width=0 --batch=0 --max_steps=0 --eval_every=0 --eval_samples=0", ""),
}

# The report generator and the *_bench binaries (bad command lines only):
#   label: (kind, output flag[/file], output optional, always, bad, no_generic)
#   * always: elements every command line needs (the report's --inputs);
#   * bad: elements beyond the generic ones (experiments' "bad" above); @OUT
#     is the test's output directory, @FILE a regular file next to it;
#   * no_generic: flags that accept some generic bad value ("-1", "fast",
#     ...), e.g. a benchmark filter (a regular expression): they get only
#     their own bad values.
_REPORT_BAD = [
    "--inputs=@OUT/missing.json",
    "--inputs=@OUT",
    "--inputs=@FILE/sub.json",
    "--out=@FILE",
    "--out=@FILE/a/b",
    "--katex=@OUT",
    "--katex=@FILE",
    "--gnuplot=@FILE",
    "--gnuplot=no-such-gnuplot-program",
    "--gnuplot=@OUT/bin/gnuplot",
    "--dot=no-such-dot-program",
    "--dot=@OUT",
    "--workspace=@FILE",
    "--workspace=@OUT/none",
    "--results=@FILE",
    "--results=@OUT/none",
]

_BENCH_OUT = "--benchmark_out=@OUT/bench.json+"

def _bench_bad():
    """The one-element cases of tools/bench_bad_flags.bzl."""
    out = []
    for case in BENCH_BAD_FLAGS:
        args = case.split("|", 1)[1]
        if args.startswith(_BENCH_OUT):
            args = args[len(_BENCH_OUT):]
        if "+" not in args and args.startswith("--"):
            out.append(args)
    return out

_BENCHES = [
    "//experiments/sec2_parity:e2_1_parity_bench",
    "//experiments/sec3_decomposition:e3_1_tuples_bench",
    "//experiments/sec3_decomposition:e3_2_stocks_bench",
    "//experiments/sec4_conditioning:e4_1_encoders_bench",
    "//experiments/sec5_flat:e5_flat_bench",
    "//bench:paper",
]

OTHER_BINARIES = dict(
    [("//reports:report", ("report", "--out", "no", "--inputs=@FILE", _REPORT_BAD, ""))] +
    [(b, ("bench", "--benchmark_out/bench.json", "yes", "", _bench_bad(), "benchmark_filter")) for b in _BENCHES],
)

def _plus(flags):
    return "+".join(flags.split(" ")) if flags else ""

def experiment_args():
    """The tests' arguments: one per binary (format: reliability.h)."""
    return [
        "name=%s|bin=$(location %s)|quick=%s|diverge=%s|bad=%s|checkpoint=%s" % (
            label.split(":")[1],
            label,
            _plus(quick),
            _plus(diverge),
            _plus(bad),
            checkpoint,
        )
        for label, (quick, diverge, bad, checkpoint) in EXPERIMENTS.items()
    ]

def experiment_binaries():
    return EXPERIMENTS.keys()

def all_binary_args():
    """experiment_args() plus the report generator and the benchmarks."""
    return experiment_args() + [
        "name=%s|bin=$(location %s)|kind=%s|out=%s|out_optional=%s|always=%s|bad=%s|no_generic=%s" % (
            label.split(":")[1],
            label,
            kind,
            out,
            optional,
            always,
            "+".join(bad),
            no_generic,
        )
        for label, (kind, out, optional, always, bad, no_generic) in OTHER_BINARIES.items()
    ]

def all_binaries():
    return list(EXPERIMENTS.keys()) + list(OTHER_BINARIES.keys())
