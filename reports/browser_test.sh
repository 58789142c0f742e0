#!/bin/bash
# The fixture report (//reports:paper_fixture, written here with --out) in
# headless Chromium through reports/browser_check.sh: every figure loads,
# KaTeX renders every formula, no console error or exception. Saves a
# full-page screenshot, paper_fixture.png, in the test's outputs
# (bazel-testlogs/reports/browser_test/test.outputs/outputs.zip).
#
# Then the check must reject broken copies of the same report:
#   A: a missing and an invalid SVG, a formula KaTeX cannot parse, TeX that
#      is left raw (\(..\) is not a delimiter of the page), a link to a
#      missing id, console.error, a thrown exception, a rejected promise,
#      KaTeX's fonts missing;
#   B: KaTeX never runs (katex/render-math.js missing);
#   C: no Chromium ($CHROMIUM points nowhere): one line naming the package.
set -euo pipefail

chromium=/usr/bin/chromium
if [[ ! -x "$chromium" ]]; then
  echo "browser_test: $chromium not found: install the Debian package chromium (tools/bootstrap.sh)"
  exit 1
fi

here="$TEST_SRCDIR/$TEST_WORKSPACE/reports"
check="$here/browser_check.sh"
out="$TEST_TMPDIR/out"
RUNFILES_DIR="$TEST_SRCDIR" "$here/paper_fixture" --out="$out" >"$TEST_TMPDIR/generate.log" 2>&1 || {
  cat "$TEST_TMPDIR/generate.log"
  echo "browser_test: //reports:paper_fixture failed"
  exit 1
}

echo "== the fixture report"
mkdir -p "${TEST_UNDECLARED_OUTPUTS_DIR:=$TEST_TMPDIR/outputs}"
"$check" --screenshot="$TEST_UNDECLARED_OUTPUTS_DIR/paper_fixture.png" "$out"

failures=0
# expect_failure NAME DIR [ENV=VALUE...] -- FINDING...: the check of DIR
# exits 1 and prints every FINDING (a fixed string).
expect_failure() {
  local name="$1" dir="$2" log="$TEST_TMPDIR/case_$1.log" status=0
  shift 2
  local env=()
  while [[ "$1" != "--" ]]; do env+=("$1"); shift; done
  shift
  env "${env[@]}" "$check" "$dir" >"$log" 2>&1 || status=$?
  echo "== case $name: exit $status, $(grep -c '^FAIL ' "$log") findings"
  local ok=1
  if [[ "$status" -ne 1 ]]; then
    echo "case $name: browser_check exited $status, expected 1"
    ok=0
  fi
  for finding in "$@"; do
    if ! grep -qF -- "$finding" "$log"; then
      echo "case $name: no finding containing: $finding"
      ok=0
    fi
  done
  if [[ "$ok" -ne 1 ]]; then
    cat "$log"
    failures=$((failures + 1))
  fi
}

# A copy of the fixture with `html` put at the start of <main>.
broken_copy() {
  local dir="$TEST_TMPDIR/$1" html="$2"
  cp -R "$out" "$dir"
  local marker='<main>'
  grep -qF "$marker" "$dir/index.html"
  sed -i "0,/$marker/s||$marker$html|" "$dir/index.html"
}

broken_copy a '<p>Bad \\frac: $\\frac{1}$, raw \\(x^2\\), <a href="#no-such-id">a link</a>.</p><script>console.error("planted error"); Promise.reject(new Error("planted rejection"));</script><script>throw new Error("planted exception");</script>'
grep -qF 'planted exception' "$TEST_TMPDIR/a/index.html"
rm "$TEST_TMPDIR/a/figures/e2_1_parity.svg"
echo '<svg' >"$TEST_TMPDIR/a/figures/t1_variance.svg"
rm -r "$TEST_TMPDIR/a/katex/fonts"
expect_failure a "$TEST_TMPDIR/a" -- \
  'FAIL failed to load: <img> figures/e2_1_parity.svg' \
  'FAIL broken image: <img src="figures/e2_1_parity.svg">' \
  'FAIL broken image: <img src="figures/t1_variance.svg">' \
  'FAIL KaTeX error: "\\frac{1}"' \
  'FAIL KaTeX rendered ' \
  'FAIL raw TeX left in the text: \( \)' \
  'FAIL broken in-page link: #no-such-id' \
  'FAIL console.error: planted error' \
  'FAIL uncaught exception: Uncaught Error: planted exception' \
  'FAIL unhandled promise rejection: Error: planted rejection' \
  'FAIL font failed to load: KaTeX_Main'

broken_copy b ''
rm "$TEST_TMPDIR/b/katex/render-math.js"
expect_failure b "$TEST_TMPDIR/b" -- \
  'FAIL failed to load: <script> katex/render-math.js' \
  'FAIL no KaTeX formula on the page' \
  'FAIL KaTeX rendered 0 formulas; the text has ' \
  'FAIL raw TeX left in the text: $'

expect_failure c "$out" CHROMIUM=/nonexistent/chromium -- \
  'install the Debian package chromium'
[[ "$(wc -l <"$TEST_TMPDIR/case_c.log")" -eq 1 ]] || {
  echo "case c: the message is not one line"
  failures=$((failures + 1))
}

if [[ "$failures" -ne 0 ]]; then
  echo "browser_test: $failures broken copies were not rejected as expected"
  exit 1
fi
echo "browser_test: OK"
