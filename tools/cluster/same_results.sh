#!/usr/bin/env bash
# Whether two results roots (lib/io/results.h layout, e.g. an experiment_run
# output under bazel-bin and the same run written by run_task.sh) hold the
# same results: the same run directories and files; every metrics.csv byte
# for byte; every manifest.json byte for byte except the two lines that
# measure the process, "wall_time_s" and "peak_rss_mib". run.tsv (written by
# run_task.sh) is not compared.
#
#   same_results.sh A B     # exit 0 same, 1 different (what differs on stderr), 2 bad arguments
set -uo pipefail
[ $# -eq 2 ] || { echo "same_results: usage: same_results.sh A B" >&2; exit 2; }
a=$1 b=$2
for d in "$a" "$b"; do
  [ -d "$d" ] || { echo "same_results: '$d' is not a directory" >&2; exit 2; }
done
list() { (cd "$1" && find -L . -type f ! -name run.tsv | LC_ALL=C sort); }
if ! diff <(list "$a") <(list "$b") > /dev/null; then
  echo "same_results: $a and $b hold different files:" >&2
  diff <(list "$a") <(list "$b") | sed 's/^/  /' >&2
  exit 1
fi
files=$(list "$a")
[ -n "$files" ] || { echo "same_results: $a holds no files" >&2; exit 1; }
measured='^  "(wall_time_s|peak_rss_mib)": '
status=0
while IFS= read -r f; do
  case "$f" in
    */manifest.json)
      if ! cmp -s <(grep -Ev "$measured" "$a/$f") <(grep -Ev "$measured" "$b/$f"); then
        echo "same_results: $f differs beyond wall_time_s and peak_rss_mib:" >&2
        diff <(grep -Ev "$measured" "$a/$f") <(grep -Ev "$measured" "$b/$f") | sed 's/^/  /' >&2
        status=1
      fi
      ;;
    *)
      if ! cmp -s "$a/$f" "$b/$f"; then
        echo "same_results: $f differs" >&2
        status=1
      fi
      ;;
  esac
done <<< "$files"
[ "$status" -ne 0 ] || echo "same_results: $a and $b: $(wc -l <<< "$files") files, the same"
exit "$status"
