#!/usr/bin/env bash
# Drives one binary with bad command lines and checks the package's contract
# for bad input (paper/design.md): exit code 2, exactly one line on stderr naming
# the offending flag, and nothing written to the output directory.
#
#   check_bad_flags.sh BINARY 'FLAG|ARGS...' ...
# Each case is the flag name the error must mention, a '|', then the
# arguments joined by '+' (Bazel splits test args on spaces); '@OUT' stands
# for a fresh output directory, '@FILE' for a regular file, so a directory
# below it cannot exist.
set -u
bin=$1
shift
tmp=${TEST_TMPDIR:-$(mktemp -d)}
fails=0
n=0
for case in "$@"; do
  n=$((n + 1))
  flag=${case%%|*}
  args=${case#*|}
  out="$tmp/case$n/out"
  mkdir -p "$out"
  file="$tmp/case$n/file"
  : > "$file"
  args=${args//+/ }
  args=${args//@OUT/$out}
  args=${args//@FILE/$file}
  # shellcheck disable=SC2086
  "$bin" $args > "$tmp/case$n/stdout" 2> "$tmp/case$n/stderr"
  rc=$?
  lines=$(wc -l < "$tmp/case$n/stderr")
  written=$(find "$out" -mindepth 1 | head -n 1)
  if [ "$rc" -ne 2 ] || [ "$lines" -ne 1 ] || ! grep -q -- "$flag" "$tmp/case$n/stderr" || [ -n "$written" ]; then
    echo "FAIL: $(basename "$bin") $args: exit $rc, $lines stderr lines, wrote '${written}', stderr:"
    sed 's/^/    /' "$tmp/case$n/stderr"
    fails=$((fails + 1))
  fi
done
echo "$(basename "$bin"): $((n - fails)) passed, $fails failed"
[ "$fails" -eq 0 ]
