#!/usr/bin/env bash
# Submits the runs of a run table (run_list in tools/defs.bzl, e.g.
# bazel-bin/reports/paper_runs.tsv) to Slurm as one job array, one run per
# task, each task tools/cluster/run_task.sh on one line. Runs already complete
# in --results are not submitted again: a resubmission completes only what
# is missing (a cancelled or failed run is missing).
#
#   bazel build [--config=paper] //reports:paper_runs
#   tools/cluster/slurm_submit.sh --runs=bazel-bin/reports/paper_runs.tsv \
#       --results=/shared/fgbdl/paper [--partition=NAME] [--only=REGEX] [--wait]
#   bazel run [--config=paper] //reports:paper_from_results -- --results=/shared/fgbdl/paper
#
# Flags:
#   --runs=FILE       the run table (required)
#   --results=DIR     where run <name> is written, as DIR/<name>/ (required;
#                     created if missing; on a real cluster a directory every
#                     node sees at the same path). One directory per profile:
#                     a complete run made by another command line or another
#                     binary is refused, never mixed in.
#   --bin_root=DIR    where the table's binary paths start (default: the first
#                     directory above the table holding them, i.e. bazel-bin)
#   --only=REGEX      only the runs whose name matches (extended regex, whole name)
#   --partition=NAME  the Slurm partition (sbatch --partition)
#   --sbatch_arg=ARG  one more sbatch option, verbatim (repeatable), e.g.
#                     --sbatch_arg=--time=02:00:00 --sbatch_arg=--mem=2G
#   --wait            return when the array has ended; exit code 1 unless every
#                     submitted run is then complete in --results
#   --dry_run         print what would be submitted; submit and write nothing
#
# The binaries and the table are copied into DIR/.submit/<time>-<pid>/ (with
# run_task.sh), so a rebuild does not change the runs under way; task logs
# go to its logs/. Bad flags: one line naming the flag, exit 2, nothing
# written.
set -uo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

usage() { echo "slurm_submit: $1" >&2; exit 2; }

runs="" results="" bin_root="" only="" partition="" wait=no dry_run=no
sbatch_args=()
declare -A seen=()
for a in "$@"; do
  case "$a" in
    --wait=*|--dry_run=*) usage "${a%%=*}: takes no value (given '$a')" ;;
    --*=*) flag=${a%%=*}; value=${a#*=} ;;
    --wait|--dry_run) flag=$a; value="" ;;
    --*) usage "$a: needs a value (${a}=...)" ;;
    *) usage "'$a': not a flag; allowed: --runs --results --bin_root --only --partition --sbatch_arg --wait --dry_run" ;;
  esac
  if [ "$flag" != --sbatch_arg ] && [ -n "${seen[$flag]:-}" ]; then usage "$flag: given twice"; fi
  seen[$flag]=1
  case "$flag" in
    --runs) runs=$value ;;
    --results) results=$value ;;
    --bin_root) bin_root=$value ;;
    --only) only=$value ;;
    --partition) partition=$value ;;
    --sbatch_arg) sbatch_args+=("$value") ;;
    --wait) wait=yes ;;
    --dry_run) dry_run=yes ;;
    *) usage "$flag: unknown flag; allowed: --runs --results --bin_root --only --partition --sbatch_arg --wait --dry_run" ;;
  esac
done

[ -n "$runs" ] || usage "--runs: missing; allowed: a run table (bazel build //reports:paper_runs)"
[ -f "$runs" ] || usage "--runs: '$runs' is not a file"
[ -s "$runs" ] || usage "--runs: '$runs' is empty"
while IFS= read -r line; do
  IFS=$'\t' read -r -a f <<< "$line"
  [ "${#f[@]}" -ge 2 ] && [[ "${f[0]}" =~ ^[A-Za-z0-9_][A-Za-z0-9_.-]*$ ]] && [[ "${f[1]}" != /* ]] ||
    usage "--runs: '$runs' is not a run table (line '${line:0:60}')"
done < "$runs"
[ -n "$results" ] || usage "--results: missing; allowed: a directory to write the runs to"
if [ -e "$results" ] && [ ! -d "$results" ]; then usage "--results: '$results' exists and is not a directory"; fi
existing=$results
while [ ! -e "$existing" ]; do existing=$(dirname "$existing"); done
[ -d "$existing" ] && [ -w "$existing" ] || usage "--results: '$results' cannot be made: '$existing' is not a writable directory"
results=$(realpath -m "$results")
first_binary=$(head -n 1 "$runs" | cut -f2)
if [ -z "$bin_root" ]; then
  d=$(dirname "$(realpath "$runs")")
  while [ "$d" != / ] && [ ! -x "$d/$first_binary" ]; do d=$(dirname "$d"); done
  [ -x "$d/$first_binary" ] || usage "--bin_root: not given, and no directory above '$runs' holds '$first_binary'"
  bin_root=$d
fi
[ -d "$bin_root" ] || usage "--bin_root: '$bin_root' is not a directory"
bin_root=$(realpath "$bin_root")
if [ -n "${seen[--only]:-}" ]; then
  [ -n "$only" ] || usage "--only: empty; allowed: an extended regular expression over run names"
  printf '' | grep -Eq -- "$only" 2>/dev/null; [ $? -le 1 ] || usage "--only: '$only' is not an extended regular expression"
fi
if [ -n "${seen[--partition]:-}" ]; then
  [[ "$partition" =~ ^[A-Za-z0-9_.-]+$ ]] || usage "--partition: '$partition' is not a partition name"
fi
for s in "${sbatch_args[@]}"; do
  [[ "$s" == -* ]] || usage "--sbatch_arg: '$s' is not an sbatch option (-x or --name=value)"
done

# The runs to submit: selected, and not already complete.
total=0 selected=0 complete=0
todo=()
while IFS= read -r line; do
  total=$((total + 1))
  IFS=$'\t' read -r -a f <<< "$line"
  name=${f[0]} binary=${f[1]}
  if [ -n "$only" ] && ! [[ "$name" =~ ^($only)$ ]]; then continue; fi
  selected=$((selected + 1))
  exe="$bin_root/$binary"
  [ -x "$exe" ] || usage "--bin_root: '$exe' is not an executable (bazel build the run table's target)"
  if [ -d "$results/$name" ]; then
    recorded="$results/$name/run.tsv"
    sha=$(sha256sum "$exe" | cut -d' ' -f1)
    [ -f "$recorded" ] && [ "$(cat "$recorded")" == "$(printf '%s\t%s' "$line" "$sha")" ] ||
      usage "--results: '$results/$name' was made by another command line or binary (see its run.tsv); use another --results"
    complete=$((complete + 1))
    continue
  fi
  todo+=("$line")
done < "$runs"
[ "$selected" -gt 0 ] || usage "--only: '$only' matches none of the $total runs of '$runs'"

echo "slurm_submit: $total runs in $runs, $selected selected, $complete already complete in $results, ${#todo[@]} to submit"
if [ "${#todo[@]}" -eq 0 ]; then exit 0; fi
if [ "$dry_run" == yes ]; then
  printf '%s\n' "${todo[@]}" | cut -f1 | sed 's/^/slurm_submit: would submit /'
  exit 0
fi
command -v sbatch > /dev/null || { echo "slurm_submit: sbatch not found (Debian package slurm-client)" >&2; exit 1; }

sub="$results/.submit/$(date -u +%Y%m%dT%H%M%SZ)-$$"
mkdir -p "$sub/logs" "$sub/bin" || exit 1
printf '%s\n' "${todo[@]}" > "$sub/tasks.tsv"
cut -f2 "$sub/tasks.tsv" | sort -u | while IFS= read -r binary; do
  mkdir -p "$sub/bin/$(dirname "$binary")" && cp -p "$bin_root/$binary" "$sub/bin/$binary" || exit 1
done || exit 1
cp -p "$here/run_task.sh" "$sub/run_task.sh" || exit 1
cat > "$sub/job.sh" <<EOF
#!/bin/bash
# Written by tools/cluster/slurm_submit.sh: task \$SLURM_ARRAY_TASK_ID runs line \$SLURM_ARRAY_TASK_ID of tasks.tsv.
exec "$sub/run_task.sh" "$sub/tasks.tsv" "$sub/bin" "$results"
EOF
chmod +x "$sub/job.sh"

opts=(--parsable --job-name=fgbdl-runs --array="0-$((${#todo[@]} - 1))" --ntasks=1
      --cpus-per-task=1 --output="$sub/logs/%A_%a.log" --chdir="$sub")
[ -z "$partition" ] || opts+=(--partition="$partition")
opts+=("${sbatch_args[@]}")
echo "slurm_submit: sbatch ${opts[*]} $sub/job.sh"
job=$(sbatch "${opts[@]}" "$sub/job.sh") || exit 1
job=${job%%;*}
echo "slurm_submit: submitted job array $job: ${#todo[@]} tasks; logs in $sub/logs"
[ "$wait" == yes ] || exit 0
# Wait until no task is pending or running (squeue lists only those), then
# count what completed: a run is complete when --results holds it.
while [ -n "$(squeue -h -j "$job" -o %i 2> /dev/null)" ]; do sleep 2; done
missing=()
for line in "${todo[@]}"; do
  name=${line%%$'\t'*}
  [ -d "$results/$name" ] || missing+=("$name")
done
echo "slurm_submit: job array $job has ended: $((${#todo[@]} - ${#missing[@]})) of ${#todo[@]} runs complete${missing[*]:+; missing: ${missing[*]} (see $sub/logs)}"
[ "${#missing[@]}" -eq 0 ]
