#!/usr/bin/env bash
# One model's twin check: the package exports (twin/export.cc), the twin
# compares (twin/check.py). PyTorch is Debian's python3-torch, importable by
# /usr/bin/python3 (tools/bootstrap.sh installs it); $TWIN_PYTHON overrides.
#   twin_test.sh EXPORT_BINARY EXPORT_FLAGS...
set -euo pipefail
export_bin=$1
shift
python=${TWIN_PYTHON:-/usr/bin/python3}
tmp=${TEST_TMPDIR:-$(mktemp -d)}
here=$(dirname "$0")
"$export_bin" "$@" --out="$tmp/model.twin"
OMP_NUM_THREADS=1 "$python" "$here/check.py" "$tmp/model.twin"
