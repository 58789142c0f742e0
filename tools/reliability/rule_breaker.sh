#!/usr/bin/env bash
# A stand-in experiment binary that breaks every rule the reliability tests
# check, so that suite_can_fail_test can show each test failing on it:
#   * it accepts any flag value (no refusal, exit 0, writes results);
#   * it writes manifest.json first and metrics.csv row by row, in place
#     (a kill leaves a manifest next to a truncated metrics.csv);
#   * with RULE_BREAKER_RANDOM=1 its metrics do not depend on the seed only;
#   * with --lr=1e9 (its divergence flag) it crashes (SIGSEGV);
#   * it never writes the checkpoint it claims to have.
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
printf '{\n  "claim": "rule_breaker", "config": "c", "seed": %s, "profile": "quick", "status": "complete", "diverged_step": -1,\n  "git_commit": "x", "compiler": "x", "blas": "x", "threads": 1, "wall_time_s": 0, "peak_rss_mib": 0, "package_version": "0", "settings": {}\n}\n' "$seed" > "$d/manifest.json"
echo "step,loss" > "$d/metrics.csv"
for i in 1 2 3 4 5 6 7 8; do
  sleep 0.03
  if [ "${RULE_BREAKER_RANDOM:-0}" = 1 ]; then v=$RANDOM; else v=$((i * ${seed%%,*})); fi
  echo "$i,$v" >> "$d/metrics.csv"
done
