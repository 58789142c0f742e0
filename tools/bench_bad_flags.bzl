"""Bad command lines for every *_bench binary (main(): //tools:bench_main).

The cases of //tools:check_bad_flags.sh ("FLAG|args+joined+by+plus"): each
Google Benchmark flag with bad values, next to a valid --benchmark_out in the
fresh output directory (which must stay empty), plus unknown flags, stray
words and flags given twice. Used by the *_bench_bad_flags_test targets.
"""

_OUT = "--benchmark_out=@OUT/bench.json+"

def _cases(flag, values):
    return ["%s|%s%s=%s" % (flag, _OUT, flag, v) for v in values]

BENCH_BAD_FLAGS = (
    _cases("--benchmark_filter", ["", "[", "(a", "*x"]) +
    _cases("--benchmark_list_tests", ["", "maybe", "2", "TRUE"]) +
    _cases("--benchmark_min_time", ["", "abc", "0", "-1", "nan", "inf", "1e9", "0.5s", "1,2"]) +
    _cases("--benchmark_min_warmup_time", ["", "x", "-0.5", "nan", "3601"]) +
    _cases("--benchmark_repetitions", ["", "0", "-3", "x", "2.5", "10001", "99999999999"]) +
    _cases("--benchmark_enable_random_interleaving", ["", "yes!"]) +
    _cases("--benchmark_report_aggregates_only", ["", "sometimes"]) +
    _cases("--benchmark_display_aggregates_only", ["", "1x"]) +
    _cases("--benchmark_format", ["", "xml", "JSON"]) +
    _cases("--benchmark_out_format", ["", "tsv"]) +
    _cases("--benchmark_color", ["", "blue"]) +
    _cases("--benchmark_counters_tabular", ["", "maybe"]) +
    _cases("--benchmark_time_unit", ["", "h", "MS"]) +
    _cases("--benchmark_context", ["", "a", "=b", "a=1,a=2"]) +
    _cases("--v", ["", "-1", "11", "x"]) + [
        "--benchmark_out|--benchmark_out=",
        "--benchmark_out|--benchmark_out=@FILE/sub.json",
        "--benchmark_out|--benchmark_out=@OUT",
        "--benchmark_min_time|%s--benchmark_min_time" % _OUT,
        "--benchmark_min_time|%s--benchmark_min_time=0.1+--benchmark_min_time=0.2" % _OUT,
        "--benchmark_perf_counters|%s--benchmark_perf_counters=CYCLES" % _OUT,
        "--benchmark_mintime|%s--benchmark_mintime=1" % _OUT,
        "--foo|%s--foo=1" % _OUT,
        "extra|%sextra" % _OUT,
        "-x|%s-x" % _OUT,
    ]
)
