#!/usr/bin/env bash
# The summary of //bench:paper on one cheap step (E4.1.3): with the twin, a
# row with the package's ms, PyTorch's ms, their ratio and a verdict; with a
# Python that cannot run the twin, the package's ms only, no verdict, and a
# line saying why.
#   summary_test.sh BENCH_BINARY
set -uo pipefail
bin=$1
filter='--benchmark_filter=BM_E4_1_TrainingStep/encoder:2'
fails=0
out=$("$bin" "$filter" --benchmark_min_time=0.01 2>&1)
if ! grep -q "^PyTorch twin (twin/bench.py, torch [0-9]" <<<"$out" ||
   ! grep -Eq '^E4\.1\.3 whitened conv\. +[0-9.]+ +[0-9.]+ +[0-9.]+ +<=0\.5 +(yes|NO) ' <<<"$out" ||
   ! grep -q "^. of 1 steps timed against the twin meet their target" <<<"$out"; then
  echo "FAIL: with the twin:"; echo "$out" | tail -n 8; fails=$((fails + 1))
fi
out=$(TWIN_PYTHON=/bin/false "$bin" "$filter" --benchmark_min_time=0.01 2>&1)
if ! grep -q "^PyTorch twin not timed (/bin/false .*no verdicts" <<<"$out" ||
   ! grep -Eq '^E4\.1\.3 whitened conv\. +[0-9.]+ +- +- +<=0\.5 +- ' <<<"$out" ||
   ! grep -q "^1 steps measured; no verdicts without the twin" <<<"$out"; then
  echo "FAIL: without the twin:"; echo "$out" | tail -n 8; fails=$((fails + 1))
fi
echo "summary_test: $((2 - fails)) passed, $fails failed"
[ "$fails" -eq 0 ]
