#!/bin/bash
# Checks a generated report (reports/report.h) in a real browser, Debian's
# headless Chromium, without network access:
#   - every <img> (the figures' SVG files) has loaded (naturalWidth > 0);
#   - KaTeX rendered every formula: as many .katex elements as the text has
#     TeX delimiter pairs before rendering (> 0), no .katex-error, no raw TeX
#     ($, \(, \[, \command) left in the text outside <code>, <pre>, .nomath;
#   - no console.error, uncaught exception, unhandled rejection or failed
#     resource; no in-page link to a missing id.
# The page is checked through a COPY of the report directory whose
# index.html gets reports/browser_check.js as its first <script>; the
# report itself is only read. Prints one "FAIL ..." line per finding and
# exits 1 if there is any (0 if none, 2 on bad usage).
#
#   reports/browser_check.sh [--screenshot=FILE.png] REPORT_DIR
#   e.g. reports/browser_check.sh --screenshot=/tmp/report.png reports/out
#
# --screenshot also saves a full-page screenshot of the (uninstrumented)
# page, 1280 px wide. $CHROMIUM overrides /usr/bin/chromium.
set -euo pipefail

usage() {
  echo "usage: $0 [--screenshot=FILE.png] REPORT_DIR" >&2
  exit 2
}
screenshot=""
report=""
for arg in "$@"; do
  case "$arg" in
    --screenshot=?*) screenshot="${arg#--screenshot=}" ;;
    -*) usage ;;
    *) [[ -z "$report" ]] || usage; report="$arg" ;;
  esac
done
[[ -n "$report" ]] || usage
if [[ ! -f "$report/index.html" ]]; then
  echo "browser_check: no $report/index.html" >&2
  exit 2
fi

chromium="${CHROMIUM:-/usr/bin/chromium}"
if [[ ! -x "$chromium" ]]; then
  echo "browser_check: $chromium not found: install the Debian package chromium (tools/bootstrap.sh)" >&2
  exit 1
fi

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
work="$(mktemp -d "${TEST_TMPDIR:-${TMPDIR:-/tmp}}/browser_check.XXXXXX")"
[[ -n "${TEST_TMPDIR:-}" ]] || trap 'rm -rf "$work"' EXIT

# Headless Chromium with a fresh profile and no network: every host name
# fails to resolve and every request, loopback included, goes to a proxy
# on the discard port. Its own files (crash reports, caches) stay in $work.
run_chromium() {
  local profile
  profile="$(mktemp -d "$work/profile.XXXXXX")"
  HOME="$work/home" XDG_CONFIG_HOME="$work/home/.config" XDG_CACHE_HOME="$work/home/.cache" \
    timeout -k 5 40 "$chromium" --headless=new --no-sandbox --disable-gpu \
    --user-data-dir="$profile" --no-first-run --no-default-browser-check \
    --disable-extensions --disable-background-networking --disable-component-update \
    --disable-sync --disable-breakpad --disable-dev-shm-usage \
    --proxy-server=127.0.0.1:9 --proxy-bypass-list='<-loopback>' \
    --host-resolver-rules='MAP * ~NOTFOUND' \
    --virtual-time-budget=15000 --hide-scrollbars "$@" 2>>"$work/chromium.log"
}
mkdir -p "$work/home"

page="$work/page"
cp -R "$report" "$page"
cp "$here/browser_check.js" "$page/__browser_check.js"
if ! grep -q '<head>' "$page/index.html"; then
  echo "FAIL index.html has no <head> tag"
  exit 1
fi
sed -i '0,/<head>/s//<head>\n<script src="__browser_check.js"><\/script>/' "$page/index.html"

status=0
run_chromium --dump-dom "file://$page/index.html" >"$work/dom.html" || status=$?
if [[ $status -ne 0 ]]; then
  echo "FAIL chromium failed (exit $status); the end of its log:" >&2
  tail -n 20 "$work/chromium.log" >&2
  exit 1
fi
# The findings, one a line, between the <pre> tag and END.
sed -n '/<pre id="browser-check-result">/,/^END$/p' "$work/dom.html" |
  sed -e '1d' -e '$d' -e 's/&lt;/</g' -e 's/&gt;/>/g' -e 's/&nbsp;/ /g' -e 's/&amp;/\&/g' \
    >"$work/findings.txt"
if ! grep -q '^INFO ' "$work/findings.txt"; then
  echo "FAIL the check script did not report (no #browser-check-result in the page after load)"
  exit 1
fi
cat "$work/findings.txt"

if [[ -n "$screenshot" ]]; then
  height="$(sed -n 's/^INFO .*, height \([0-9]*\)$/\1/p' "$work/findings.txt")"
  [[ "$height" =~ ^[0-9]+$ && "$height" -gt 0 ]] || height=2000
  # Chromium fails to save a screenshot of a very tall window (Debian's 156
  # at 1280 px wide, measured on a 68 548 px report: 48 000 px saved,
  # 50 000 px failed): above 32 768 px the screenshot shows the first
  # 32 768 px (title, provenance, claims table, the first sections); the
  # checks above covered the whole page.
  max_height=${BROWSER_CHECK_MAX_HEIGHT:-32768}
  if [[ "$height" -gt "$max_height" ]]; then
    echo "INFO page is $height px tall: the screenshot shows its first $max_height px"
    height=$max_height
  fi
  abs="$(cd "$report" && pwd)"
  run_chromium --window-size="1280,$height" --screenshot="$screenshot" \
    "file://$abs/index.html" >/dev/null || {
    echo "FAIL chromium could not save the screenshot $screenshot" >&2
    exit 1
  }
  [[ -s "$screenshot" ]] || {
    echo "FAIL no screenshot written to $screenshot" >&2
    exit 1
  }
  echo "INFO screenshot $screenshot (1280x$height)"
fi

if grep -q '^FAIL ' "$work/findings.txt"; then
  echo "browser_check: $(grep -c '^FAIL ' "$work/findings.txt") finding(s) in $report"
  exit 1
fi
echo "browser_check: OK: $report"
