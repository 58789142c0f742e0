#!/usr/bin/env bash
# The reliability tests can fail: each of them, given rule_breaker.sh as its
# only experiment, must exit non-zero with the message of the rule it checks.
#   suite_can_fail_test.sh RULE_BREAKER INTERRUPTED DETERMINISM BAD_ARGV DIVERGENCE
set -u
# The tests below are run as commands, not as this test: keep their XML out
# of this test's result.
unset XML_OUTPUT_FILE TEST_PREMATURE_EXIT_FILE
breaker=$(realpath "$1")
arg="name=rule_breaker|bin=$breaker|quick=--steps=5|diverge=--lr=1e9|bad=--steps=0|checkpoint=checkpoint.bin"
fails=0
expect_failure() {  # NAME PATTERN COMMAND...
  local name=$1 pattern=$2
  shift 2
  local log="${TEST_TMPDIR:-/tmp}/$name.log"
  if "$@" "$arg" > "$log" 2>&1; then
    echo "FAIL: $name passed on the rule breaker"
    fails=$((fails + 1))
  elif ! grep -q -- "$pattern" "$log"; then
    echo "FAIL: $name failed without '$pattern':"
    tail -n 20 "$log" | sed 's/^/    /'
    fails=$((fails + 1))
  else
    echo "ok: $name fails with: $(grep -m1 -- "$pattern" "$log")"
  fi
}
expect_failure interrupted_truncated "rows, expected" "$2" --gtest_filter='*NoHalfWritten*'
expect_failure interrupted_lost "SIGKILLs at random moments over 1 binaries, [1-9][0-9]* results lost" "$2" --gtest_filter='*NoHalfWritten*'
expect_failure interrupted_temporaries "stale temporaries after a completed rerun" "$2" --gtest_filter='*NoHalfWritten*'
expect_failure interrupted_resume "no rerun resumed from a checkpoint" "$2" --gtest_filter='*Resume*'
RULE_BREAKER_RANDOM=1 expect_failure determinism "same seed, different metrics.csv" "$3"
expect_failure bad_argv "exit code 0, expected 2" "$4"
expect_failure divergence "crashed on divergence" "$5"
[ "$fails" -eq 0 ]
