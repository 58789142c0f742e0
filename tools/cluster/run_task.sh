#!/usr/bin/env bash
# One line of a run table (run_list in tools/defs.bzl) as one run: the task
# of a Slurm job array (tools/cluster/slurm_submit.sh), or by hand.
#
#   run_task.sh TABLE BIN_ROOT RESULTS [INDEX]
#
# INDEX (0-based line of TABLE) defaults to $SLURM_ARRAY_TASK_ID. The line
# `<name> <binary> <args...>` (tab-separated) runs, in the environment of
# the experiment_run action (nothing but OPENBLAS_NUM_THREADS=1), as
#
#   BIN_ROOT/<binary> --out=RESULTS/.partial/<name> <args...>
#
# and, once it exits 0, RESULTS/.partial/<name> is renamed to RESULTS/<name>
# (rename(2): one step). Inside, the binary writes the layout of
# lib/io/results.h (<claim>/<config>/seed-<S>/, metrics.csv then
# manifest.json, each atomically), plus run.tsv: the table line and the
# SHA-256 of the binary that made it. So RESULTS/<name> exists only for a run
# that completed; a cancelled or failed run leaves RESULTS/.partial/<name>,
# which nothing reads, and a rerun starts again there, resuming from the
# run's checkpoint where the experiment keeps one. RESULTS/<name> already
# there: nothing to do (exit 0).
#
# Exit codes: 0 done (or already done), 2 bad arguments, otherwise the
# binary's exit code (128 + signal when it was killed).
set -uo pipefail

usage() { echo "run_task.sh: $1" >&2; exit 2; }
[ $# -ge 3 ] && [ $# -le 4 ] || usage "usage: run_task.sh TABLE BIN_ROOT RESULTS [INDEX]"
table=$1 bin_root=$2 results=$3
index=${4:-${SLURM_ARRAY_TASK_ID:-}}
[ -f "$table" ] || usage "TABLE: '$table' is not a file"
[ -d "$bin_root" ] || usage "BIN_ROOT: '$bin_root' is not a directory"
[ -d "$results" ] || usage "RESULTS: '$results' is not a directory"
[[ "$index" =~ ^[0-9]+$ ]] || usage "INDEX: '$index' is not a line number (0, 1, ...; or set SLURM_ARRAY_TASK_ID)"

line=$(sed -n "$((index + 1))p" "$table")
[ -n "$line" ] || usage "INDEX: $index: '$table' has $(wc -l < "$table") lines"
IFS=$'\t' read -r -a fields <<< "$line"
[ "${#fields[@]}" -ge 2 ] || usage "TABLE: line $((index + 1)) has no binary"
name=${fields[0]} binary=${fields[1]}
args=("${fields[@]:2}")
[[ "$name" =~ ^[A-Za-z0-9_][A-Za-z0-9_.-]*$ ]] || usage "TABLE: line $((index + 1)): '$name' is not a run name"
exe="$bin_root/$binary"
[ -x "$exe" ] || usage "BIN_ROOT: '$exe' is not an executable"

final="$results/$name"
partial="$results/.partial/$name"
if [ -d "$final" ]; then
  echo "run_task: $name: already complete in $final"
  exit 0
fi
mkdir -p "$partial" || exit 1

# Cancelled (scancel sends SIGTERM to the whole step): stop without renaming.
child=0
trap '[ "$child" -ne 0 ] && kill -TERM "$child" 2>/dev/null; echo "run_task: $name: cancelled; $partial is not a result" >&2; exit 143' TERM INT

echo "run_task: $name: $exe --out=$partial ${args[*]}"
env -i OPENBLAS_NUM_THREADS=1 "$exe" --out="$partial" "${args[@]}" &
child=$!
wait "$child"
rc=$?
child=0
if [ "$rc" -ne 0 ]; then
  echo "run_task: $name: exit $rc; $partial is not a result" >&2
  exit "$rc"
fi
printf '%s\t%s\n' "$line" "$(sha256sum "$exe" | cut -d' ' -f1)" > "$partial/run.tsv.tmp" &&
  mv "$partial/run.tsv.tmp" "$partial/run.tsv" || exit 1
# rename(2) of the whole directory: RESULTS/<name> appears complete or not at all.
mv -T "$partial" "$final" || exit 1
echo "run_task: $name: complete in $final"
