#!/usr/bin/env bash
# The Slurm path without Slurm (tools/cluster/BUILD, run_task_test): every line
# of //reports:paper_fixture_runs run by run_task.sh as a Slurm task would,
# then checked against Bazel's own runs of the same targets and reports:
#  1. each results/<name> is the same as the experiment_run output (same_results.sh);
#  2. //reports:paper_fixture_from_results --results=<dir> writes the same
#     claims.json as //reports:paper_fixture (but for its date and name);
#  3. a task killed mid-run (SIGTERM to its process group, as scancel does)
#     leaves no results/<name>, and the rerun completes it;
#  4. slurm_submit.sh --dry_run submits only the runs that are missing, and
#     refuses a results directory made by another command line.
# tools/cluster/slurm_check.sh does 1-4 through a real Slurm cluster.
set -uo pipefail
ws="$TEST_SRCDIR/$TEST_WORKSPACE"
cluster="$ws/tools/cluster"
table="$ws/reports/paper_fixture_runs.tsv"
tmp="$TEST_TMPDIR"
results="$tmp/results"
mkdir -p "$results"
fails=0
check() {  # check NAME COMMAND...: runs COMMAND, counts a failure
  local name=$1
  shift
  if "$@"; then echo "ok: $name"; else echo "FAIL: $name"; fails=$((fails + 1)); fi
}

lines=$(wc -l < "$table")
[ "$lines" -ge 10 ] || { echo "FAIL: $table has $lines lines"; exit 1; }
for i in $(seq 0 $((lines - 1))); do
  SLURM_ARRAY_TASK_ID=$i "$cluster/run_task.sh" "$table" "$ws" "$results" > "$tmp/task$i.log" 2>&1 ||
    { echo "FAIL: task $i"; cat "$tmp/task$i.log"; fails=$((fails + 1)); }
done

# 1. The same results as Bazel's experiment_run actions.
while IFS=$'\t' read -r name _; do
  check "$name equals Bazel's run" "$cluster/same_results.sh" "$ws/reports/$name" "$results/$name"
done < "$table"
check "no partial results left" test -z "$(ls -A "$results/.partial")"

# 2. The report from the results directory.
check "report from --results" "$ws/reports/paper_fixture_from_results" --results="$results" --out="$tmp/from_results"
check "report built by Bazel" "$ws/reports/paper_fixture" --out="$tmp/from_bazel"
strip() { grep -Ev '^  "(generated|report)": ' "$1"; }
check "same claims.json" cmp <(strip "$tmp/from_results/claims.json") <(strip "$tmp/from_bazel/claims.json")
check "the page names --results" grep -q -- "--results=$results" "$tmp/from_results/index.html"
check "report without --results refused" bash -c \
  "! '$ws/reports/paper_fixture_from_results' --out='$tmp/r3' 2> '$tmp/r3.err' && grep -q -- '^report: error: --results: missing' '$tmp/r3.err' && [ ! -e '$tmp/r3' ]"
check "--results refused for a report that builds its runs" bash -c \
  "! '$ws/reports/paper_fixture' --results='$results' --out='$tmp/r4' 2> '$tmp/r4.err' && grep -q -- '--results:' '$tmp/r4.err' && [ ! -e '$tmp/r4' ]"
mv "$results/fake_t1_variance" "$tmp/held"
check "a missing run refused, naming it" bash -c \
  "! '$ws/reports/paper_fixture_from_results' --results='$results' --out='$tmp/r5' 2> '$tmp/r5.err' && grep -q 'fake_t1_variance: missing results directory' '$tmp/r5.err'"
mv "$tmp/held" "$results/fake_t1_variance"

# A rerun of a complete run does nothing.
before=$(stat -c %i "$results/fake_x1_sharing")
x1_index=$(( $(cut -f1 "$table" | grep -nx fake_x1_sharing | cut -d: -f1) - 1 ))
check "rerun of a complete run" bash -c "'$cluster/run_task.sh' '$table' '$ws' '$results' $x1_index | grep -q 'already complete'"
check "complete run untouched" test "$(stat -c %i "$results/fake_x1_sharing")" == "$before"

# 3. Cancelled mid-run: a stand-in experiment that writes a finished-looking
# run directory, then waits to be killed (or, with GO set, finishes).
mkdir -p "$tmp/bin"
cat > "$tmp/bin/slow" <<'EOF'
#!/bin/bash
out=${1#--out=}
mkdir -p "$out/slow/a/seed-1"
printf 'x\n1\n' > "$out/slow/a/seed-1/metrics.csv"
[ -e "$2" ] && exit 0
touch "$out/started"
sleep 30
EOF
chmod +x "$tmp/bin/slow"
printf 'slow_run\tslow\t%s\n' "$tmp/go" > "$tmp/slow.tsv"
setsid "$cluster/run_task.sh" "$tmp/slow.tsv" "$tmp/bin" "$results" 0 > "$tmp/slow.log" 2>&1 &
task=$!
for _ in $(seq 100); do [ -e "$results/.partial/slow_run/started" ] && break; sleep 0.1; done
check "the stand-in started" test -e "$results/.partial/slow_run/started"
kill -TERM -- "-$task"
wait "$task"
rc=$?
check "cancelled task exits 143 (got $rc)" test "$rc" -eq 143
check "cancelled task leaves no result" test ! -e "$results/slow_run"
touch "$tmp/go"
check "rerun completes it" "$cluster/run_task.sh" "$tmp/slow.tsv" "$tmp/bin" "$results" 0
check "now complete" test -f "$results/slow_run/slow/a/seed-1/metrics.csv"
sed 's/^sleep 30/exit 3/' "$tmp/bin/slow" > "$tmp/bin/fail"
chmod +x "$tmp/bin/fail"
printf 'failed_run\tfail\t/none\n' > "$tmp/fail.tsv"
"$cluster/run_task.sh" "$tmp/fail.tsv" "$tmp/bin" "$results" 0 > "$tmp/fail.log" 2>&1
rc=$?
check "a failed run passes on its exit code (got $rc)" test "$rc" -eq 3
check "a failed run leaves no result" test ! -e "$results/failed_run"

# 4. Resubmission: only what is missing.
rm -rf "$results/fake_e5_flat" "$results/fake_t1_variance"
"$cluster/slurm_submit.sh" --runs="$table" --results="$results" --bin_root="$ws" --dry_run > "$tmp/dry.log" 2>&1
check "dry run exits 0" test $? -eq 0
check "dry run counts" grep -q "$lines runs in .*, $lines selected, $((lines - 2)) already complete in .*, 2 to submit" "$tmp/dry.log"
check "dry run lists the missing" test "$(grep 'would submit' "$tmp/dry.log" | cut -d' ' -f4 | sort | tr '\n' ' ')" == "fake_e5_flat fake_t1_variance "
"$cluster/slurm_submit.sh" --runs="$table" --results="$results" --bin_root="$ws" --only='fake_e2_1.*' --dry_run > "$tmp/only.log" 2>&1
check "--only selects" grep -q "$lines runs in .*, 2 selected, 2 already complete in .*, 0 to submit" "$tmp/only.log"
check "dry run wrote nothing" test ! -e "$results/.submit"
sed -i 's/--seeds=1,2/--seeds=1,2,3/' "$results/fake_x1_sharing/run.tsv"
"$cluster/slurm_submit.sh" --runs="$table" --results="$results" --bin_root="$ws" --dry_run > "$tmp/other.log" 2> "$tmp/other.err"
rc=$?
check "results of another command refused (exit $rc)" test "$rc" -eq 2
check "... naming --results" grep -q -- "^slurm_submit: --results: '.*fake_x1_sharing' was made by another command line" "$tmp/other.err"

echo "run_task_test: $fails failed"
[ "$fails" -eq 0 ]
