#!/usr/bin/env bash
# A stand-in experiment binary that breaks every rule the reliability tests
# check, so that suite_can_fail_test can show each test failing on it:
#   * it accepts any flag value (no refusal, exit 0, writes results);
#   * it writes manifest.json first and metrics.csv row by row, in place
#     (a kill leaves a manifest next to a truncated metrics.csv);
#   * with RULE_BREAKER_RANDOM=1 its metrics do not depend on the seed only;
#   * with --lr=1e9 (its divergence flag) it crashes (SIGSEGV);
#   * it never writes the checkpoint it claims to have;
#   * it leaves a temporary file (metrics.csv.tmp.<pid>) behind on every run
#     and never removes those of earlier runs.
out=""
seed=1
for a in "$@"; do
  case $a in
    --help) printf 'rule_breaker\n\nsummary\n\nFlags:\n  --out: out (default: none)\n  --seeds: s (default: 1)\n  --steps: n (default: 5)\n  --lr: r (default: 0.1)\n'; exit 0 ;;
    --out=*) out=${a#--out=} ;;
    --seeds=*) seed=${a#--seeds=} ;;
    --lr=1e9) kill -SEGV $$ ;;
  esac
done
[ -n "$out" ] || out=.
d="$out/rule_breaker/c/seed-$seed"
mkdir -p "$d"
: > "$d/metrics.csv.tmp.$$"
# The table it will write, decided first so that the manifest describes it
# (row count and FNV-1a/64, as lib/io records them): only the rules above
# are broken.
rows=()
for i in 1 2 3 4 5 6 7 8; do
  if [ "${RULE_BREAKER_RANDOM:-0}" = 1 ]; then v=$RANDOM; else v=$((i * ${seed%%,*})); fi
  rows+=("$i,$v")
done
table="step,loss"$'\n'
for r in "${rows[@]}"; do table+="$r"$'\n'; done
# FNV-1a/64 in 64-bit shell arithmetic (wraps like uint64; the offset
# basis 14695981039346656037 written as a signed number).
h=-3750763034362895579
for ((k = 0; k < ${#table}; k++)); do
  printf -v c '%d' "'${table:k:1}"
  [ "${table:k:1}" = $'\n' ] && c=10
  h=$(( (h ^ c) * 1099511628211 ))
done
printf -v hash '%016x' "$h"
printf '{\n  "claim": "rule_breaker", "config": "c", "seed": %s, "profile": "quick", "status": "complete", "diverged_step": -1,\n  "git_commit": "x", "compiler": "x", "blas": "x", "threads": 1, "wall_time_s": 0, "peak_rss_mib": 0, "package_version": "0",\n  "metrics_rows": %s, "metrics_fnv1a64": "%s", "settings": {}\n}\n' "$seed" "${#rows[@]}" "$hash" > "$d/manifest.json"
echo "step,loss" > "$d/metrics.csv"
for r in "${rows[@]}"; do
  sleep 0.03
  echo "$r" >> "$d/metrics.csv"
done
