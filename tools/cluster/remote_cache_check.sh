#!/usr/bin/env bash
# CI step (.ci/run, after the test suite): Bazel's HTTP remote cache
# (--remote_cache=http://...) against a real server, nginx with WebDAV PUT on
# 127.0.0.1. It starts a daemon and runs bazel itself (in an output base of
# its own, with no disk cache), so it is a script, not a `bazel test`:
#  1. three quick runs of the report (RUNS below) built with the cache:
#     everything executes and is uploaded (nginx logs the PUTs);
#  2. the same build in a second output base (a second machine, as far as
#     Bazel can tell: a new server, nothing built): Bazel's own summary line
#     counts only "remote cache hit" and "internal" processes, nothing
#     executed, and the runs are byte-identical to the first build's;
#  3. nginx stopped, a run not built yet: the build still completes, running
#     it locally, with Bazel's warning that the remote cache is unreachable.
#
#   tools/cluster/remote_cache_check.sh [WORKDIR]   # WORKDIR default: a new temporary directory
#
# Prints "remote_cache_check: N passed, M failed"; exit 0 when none failed.
# REMOTE_CACHE_CHECK_PORT sets nginx's port (default 28080). The first build
# compiles the E2.1 binary in the new output base: 34 s to 145 s measured on
# the shared 2-core machine.
set -uo pipefail
cd "$(dirname "$0")/../.."
work=$(realpath -m "${1:-$(mktemp -d /tmp/remote_cache_check.XXXXXX)}")
port=${REMOTE_CACHE_CHECK_PORT:-28080}
# Quick runs of the report (E2.1, ~1 s each). Not the fixture's stand-in
# runs: their output directories hold files of identical content, and Bazel
# 4.2.3 then now and then fails to download them from an HTTP cache
# ("WARNING: Reading from Remote Cache: 4 errors during bulk transfer",
# nginx having answered every request 200) and runs the action again.
# Measured here: 3 of 13 clean rebuilds of //reports:fake_x1_sharing and
# //reports:fake_e5_flat re-ran one of them; 0 of 13 clean rebuilds of five
# real runs (E2.1 and X1, no duplicate files) re-ran anything.
RUNS=(//reports:e2_1_parity_d5_seed1 //reports:e2_1_parity_d10_seed1 //reports:e2_1_parity_d15_seed1)
LATE_RUN=//reports:e2_1_parity_d20_seed1
mkdir -p "$work/cache" "$work/tmp" || exit 1
ob="$work/output_base"
# --symlink_prefix=/: no bazel-* links in the source tree to these output bases.
cache=(--disk_cache= --remote_cache="http://127.0.0.1:$port" --symlink_prefix=/)
bz() { bazel --output_base="$ob" "$@"; }
# A second output base: a second machine, as far as Bazel can tell.
bz2() { bazel --output_base="$ob-2" "$@"; }

passed=0 failed=0
check() {  # check NAME COMMAND...
  local name=$1
  shift
  if "$@"; then echo "remote_cache_check: ok: $name"; passed=$((passed + 1))
  else echo "remote_cache_check: FAIL: $name"; failed=$((failed + 1)); fi
}
stop_nginx() {
  [ -f "$work/nginx.pid" ] && nginx -c "$work/nginx.conf" -p "$work/" -s stop 2> /dev/null
  for _ in $(seq 50); do [ -f "$work/nginx.pid" ] || break; sleep 0.1; done
}
finish() {
  stop_nginx
  bz shutdown > /dev/null 2>&1
  bz2 shutdown > /dev/null 2>&1
  chmod -R u+w "$ob" "$ob-2" 2> /dev/null
  rm -rf "$ob" "$ob-2"
  echo "remote_cache_check: $passed passed, $failed failed"
  [ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
  exit $?
}
trap finish EXIT
command -v nginx > /dev/null || { check "nginx installed (tools/bootstrap.sh)" false; exit 1; }

cat > "$work/nginx.conf" <<EOF
# Written by tools/cluster/remote_cache_check.sh: a Bazel HTTP cache
# (GET and PUT of /ac/<hash> and /cas/<hash>) on loopback.
user root;
worker_processes 1;
pid $work/nginx.pid;
error_log $work/nginx_error.log;
events { worker_connections 64; }
http {
  access_log $work/nginx_access.log;
  client_body_temp_path $work/tmp/body;
  proxy_temp_path $work/tmp/proxy;
  fastcgi_temp_path $work/tmp/fastcgi;
  uwsgi_temp_path $work/tmp/uwsgi;
  scgi_temp_path $work/tmp/scgi;
  server {
    listen 127.0.0.1:$port;
    root $work/cache;
    client_max_body_size 0;
    location / {
      dav_methods PUT;
      create_full_put_path on;
      dav_access user:rw;
    }
  }
}
EOF
nginx -c "$work/nginx.conf" -p "$work/" || { check "nginx starts on 127.0.0.1:$port" false; exit 1; }
check "nginx starts on 127.0.0.1:$port" test -f "$work/nginx.pid"

summary() { grep -E '^INFO: [0-9]+ processes?: ' "$1" | tail -n 1; }
copy_runs() {  # copy_runs DEST BAZEL: the runs' output directories of that output base
  local bin
  bin=$($2 info bazel-bin 2> /dev/null)
  for r in "${RUNS[@]}"; do cp -rL "$bin/reports/${r#//reports:}" "$1/" || return 1; done
}

# 1. First build: executes and uploads.
t=$SECONDS
bz build "${cache[@]}" "${RUNS[@]}" > "$work/build1.log" 2>&1
rc=$?
check "first build (exit $rc)" test "$rc" -eq 0
tail -n 3 "$work/build1.log"
echo "remote_cache_check: first build in $((SECONDS - t)) s: $(summary "$work/build1.log")"
check "first build executed actions" grep -qE 'linux-sandbox|processwrapper-sandbox|local' <<< "$(summary "$work/build1.log")"
puts=$(grep -c '"PUT /' "$work/nginx_access.log")
check "uploaded to nginx ($puts PUTs)" test "$puts" -gt 0
mkdir -p "$work/first" && copy_runs "$work/first" bz
check "first build's runs copied" test "$?" -eq 0

# 2. A second output base: everything from the cache.
t=$SECONDS
bz2 build "${cache[@]}" "${RUNS[@]}" > "$work/build2.log" 2>&1
rc=$?
echo "remote_cache_check: second build in $((SECONDS - t)) s: $(summary "$work/build2.log")"
check "second build, second output base (exit $rc)" test "$rc" -eq 0
line=$(summary "$work/build2.log")
check "second build: remote cache hits" grep -qE '[0-9]+ remote cache hit' <<< "$line"
check "second build: nothing executed ('$line')" \
  grep -qE '^INFO: [0-9]+ processes?: [0-9]+ remote cache hit(, [0-9]+ internal)?\.$' <<< "$line"
mkdir -p "$work/second" && copy_runs "$work/second" bz2
for r in "${RUNS[@]}"; do
  n=${r#//reports:}
  check "$n: byte-identical after the cache round trip" diff -r "$work/first/$n" "$work/second/$n"
done
gets=$(grep -cE '"GET /(ac|cas)/[0-9a-f]+ HTTP/1.1" 200 ' "$work/nginx_access.log")
check "downloaded from nginx ($gets GETs answered 200)" test "$gets" -gt 0

# 3. Server stopped: a run not built yet still completes, locally, with a warning.
stop_nginx
check "nginx stopped" test ! -f "$work/nginx.pid"
t=$SECONDS
bz2 build "${cache[@]}" "$LATE_RUN" > "$work/build3.log" 2>&1
rc=$?
echo "remote_cache_check: build with the server stopped in $((SECONDS - t)) s: $(summary "$work/build3.log")"
grep -m 2 'WARNING' "$work/build3.log"
check "build with the server stopped completes (exit $rc)" test "$rc" -eq 0
warned() {
  grep -q '^WARNING: Reading from Remote Cache:' "$work/build3.log" &&
    grep -qF "Connection refused: /127.0.0.1:$port" "$work/build3.log"
}
check "... with Bazel's warning 'Reading from Remote Cache: Connection refused'" warned
check "... running the new run locally" grep -qE 'linux-sandbox|processwrapper-sandbox|local' <<< "$(summary "$work/build3.log")"
