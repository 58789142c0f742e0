#!/usr/bin/env bash
# CI step (.ci/run, after the test suite): the report's runs through a real
# Slurm cluster, a one-node cluster on loopback (slurm_local.sh). Needs root
# (it starts munged, slurmctld and slurmd) and runs bazel itself, so it is a
# script, not a `bazel test`. Checks, on quick runs of the report:
#  1. a job array of real runs (RUNS below) writes results byte-identical to
#     Bazel's experiment_run actions of the same targets (same_results.sh:
#     manifests but for wall_time_s and peak_rss_mib);
#  2. the stand-in runs of //reports:paper_fixture through Slurm, and the
#     report from them (//reports:paper_fixture_from_results --results=...)
#     has the same claims.json as //reports:paper_fixture built by Bazel;
#  3. a task cancelled mid-run (scancel) leaves no result that reads as
#     complete, and a resubmission of the array submits and completes only
#     the missing run, leaving the completed ones untouched;
#  4. a task that fails leaves no result, and --wait names it and exits 1.
#
#   tools/cluster/slurm_check.sh [WORKDIR]    # as root; WORKDIR default: a new temporary directory
#
# Prints "slurm_check: N passed, M failed"; exit 0 when none failed.
# SLURM_CHECK_PORT sets slurmctld's port (default 26817; slurmd the next).
set -uo pipefail
cd "$(dirname "$0")/../.."
ws=$PWD
work=$(realpath -m "${1:-$(mktemp -d /tmp/slurm_check.XXXXXX)}")
mkdir -p "$work" || exit 1
cluster="$work/cluster"
port=${SLURM_CHECK_PORT:-26817}
# Quick runs of the report with different binaries (X1 ~6 s, E2.1 ~1 s).
RUNS=(x1_sharing_mixed_seed1 x1_sharing_no_low_seed1 e2_1_parity_d5_seed1)
CANCELLED=x1_sharing_mixed_seed1
only=$(IFS='|'; echo "${RUNS[*]}")

passed=0 failed=0
check() {  # check NAME COMMAND...
  local name=$1
  shift
  if "$@"; then echo "slurm_check: ok: $name"; passed=$((passed + 1))
  else echo "slurm_check: FAIL: $name"; failed=$((failed + 1)); fi
}
finish() {
  bash tools/cluster/slurm_local.sh stop "$cluster" > /dev/null 2>&1
  echo "slurm_check: $passed passed, $failed failed"
  [ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
  exit $?
}
trap finish EXIT

t0=$SECONDS
targets=(//reports:paper_runs //reports:paper_fixture_runs //reports:paper_fixture
         //reports:paper_fixture_from_results)
for r in "${RUNS[@]}"; do targets+=("//reports:$r"); done
bazel build "${targets[@]}" 2>&1 | tail -n 3
[ "${PIPESTATUS[0]}" -eq 0 ] || { check "bazel build ${targets[*]}" false; exit 1; }
bin=$(bazel info bazel-bin 2> /dev/null)
echo "slurm_check: built in $((SECONDS - t0)) s"

bash tools/cluster/slurm_local.sh start "$cluster" "$port" || { check "start the cluster" false; exit 1; }
export SLURM_CONF="$cluster/slurm.conf"

# 1. Real runs: byte-identical to Bazel's.
t=$SECONDS
bash tools/cluster/slurm_submit.sh --runs="$bin/reports/paper_runs.tsv" --results="$work/real" \
  --only="$only" --partition=local --wait
check "job array of ${RUNS[*]} (exit 0)" test $? -eq 0
for r in "${RUNS[@]}"; do
  check "$r: the same as Bazel's run" bash tools/cluster/same_results.sh "$bin/reports/$r" "$work/real/$r"
done
echo "slurm_check: real runs in $((SECONDS - t)) s"

# 2. The fixture's runs and its report.
t=$SECONDS
bash tools/cluster/slurm_submit.sh --runs="$bin/reports/paper_fixture_runs.tsv" --results="$work/fixture" --wait
check "job array of the fixture's runs (exit 0)" test $? -eq 0
while IFS=$'\t' read -r name _; do
  check "$name: the same as Bazel's run" bash tools/cluster/same_results.sh "$bin/reports/$name" "$work/fixture/$name"
done < "$bin/reports/paper_fixture_runs.tsv"
"$bin/reports/paper_fixture_from_results" --results="$work/fixture" --out="$work/report_slurm"
check "report from the Slurm results" test $? -eq 0
"$bin/reports/paper_fixture" --out="$work/report_bazel"
check "report from Bazel's runs" test $? -eq 0
strip() { grep -Ev '^  "(generated|report)": ' "$1"; }
check "the same claims.json" cmp <(strip "$work/report_slurm/claims.json") <(strip "$work/report_bazel/claims.json")
echo "slurm_check: fixture in $((SECONDS - t)) s"

# 3. Cancel one task mid-run, then resubmit.
t=$SECONDS
out=$(bash tools/cluster/slurm_submit.sh --runs="$bin/reports/paper_runs.tsv" --results="$work/cancel" --only="$only")
echo "$out"
job=$(sed -n 's/^slurm_submit: submitted job array \([0-9]*\):.*/\1/p' <<< "$out")
sub=$(ls -d "$work/cancel/.submit/"*/ | head -n 1)
index=$(( $(cut -f1 "$sub/tasks.tsv" | grep -nx "$CANCELLED" | cut -d: -f1) - 1 ))
check "submitted (job '$job', task $index is $CANCELLED)" test -n "$job" -a "$index" -ge 0
# Running, and its binary started: cancel it 1 s later (the run takes ~6 s).
for _ in $(seq 600); do
  state=$(squeue -h -j "${job}_$index" -o %T 2> /dev/null)
  [ "$state" == RUNNING ] && [ -d "$work/cancel/.partial/$CANCELLED" ] && break
  sleep 0.1
done
sleep 1
scancel "${job}_$index"
check "scancel ${job}_$index while $state" test "$state" == RUNNING
for _ in $(seq 600); do
  [ -z "$(squeue -h -j "$job" 2> /dev/null)" ] && break
  sleep 0.2
done
check "the array has ended" test -z "$(squeue -h -j "$job")"
check "cancelled: no $CANCELLED result" test ! -e "$work/cancel/$CANCELLED"
check "cancelled: no manifest.json in its partial directory" \
  test -z "$(find "$work/cancel/.partial/$CANCELLED" -name manifest.json)"
check "cancelled: the log says so" grep -q "cancelled\|CANCELLED" "$sub/logs/${job}_$index.log"
declare -A inode=()
for r in "${RUNS[@]}"; do
  [ "$r" == "$CANCELLED" ] && continue
  check "$r completed beside the cancelled task" test -d "$work/cancel/$r"
  inode[$r]=$(stat -c %i "$work/cancel/$r/run.tsv" 2> /dev/null)
done
out=$(bash tools/cluster/slurm_submit.sh --runs="$bin/reports/paper_runs.tsv" --results="$work/cancel" \
  --only="$only" --wait)
rc=$?
echo "$out"
check "resubmission (exit $rc)" test "$rc" -eq 0
check "resubmission submits only the missing run" \
  grep -q ", ${#RUNS[@]} selected, $((${#RUNS[@]} - 1)) already complete in .*, 1 to submit" <<< "$out"
for r in "${RUNS[@]}"; do
  check "$r after the resubmission: the same as Bazel's run" \
    bash tools/cluster/same_results.sh "$bin/reports/$r" "$work/cancel/$r"
  [ "$r" == "$CANCELLED" ] ||
    check "$r untouched by the resubmission" test "$(stat -c %i "$work/cancel/$r/run.tsv")" == "${inode[$r]}"
done
echo "slurm_check: cancel and resubmit in $((SECONDS - t)) s"

# 4. A task that fails (the stand-in experiment with a bad flag): no result,
# and --wait says which run is missing.
printf 'failing_run\treports/fake_experiment\t--profile=quick\t--no_such_flag=1\n' > "$work/failing.tsv"
out=$(bash tools/cluster/slurm_submit.sh --runs="$work/failing.tsv" --bin_root="$bin" --results="$work/failing" --wait)
rc=$?
echo "$out"
check "a failing task: --wait exits 1 (got $rc)" test "$rc" -eq 1
check "a failing task: named as missing" grep -q "0 of 1 runs complete; missing: failing_run" <<< "$out"
check "a failing task: no result" test ! -e "$work/failing/failing_run"
