#!/usr/bin/env bash
# What moto_server itself needs: the issue tree's 2,001 small regular files (no symlinks, no
# large files) uploaded by swiftsync, by aws s3 sync and by curl --parallel (C, SigV4, minimal
# headers, 16 transfers at once), each into a new moto_server, the tools' runs interleaved.
# Reports each tool's wall time, client CPU and moto_server's CPU over the upload
# (/proc/PID/stat before and after). A client that keeps moto busy takes as long as moto's CPU.
#
#   Benchmarks/s3/floor.sh [--binary PATH] [--runs N]
set -euo pipefail
cd "$(dirname "$0")/../.."
HERE=$PWD/Benchmarks/s3
ROOT=$PWD
BIN=$ROOT/.build/release/swiftsync
RUNS=3
while [ $# -gt 0 ]; do
  case "$1" in
    --binary) BIN=$(realpath "$2"); shift 2 ;;
    --runs) RUNS=$2; shift 2 ;;
    *) echo "floor.sh: unknown option $1" >&2; exit 2 ;;
  esac
done
MKTREE=${MKTREE:-$ROOT/fixtures/mktree.py}
DIR=${BENCH_DIR:-/tmp/swiftsync-s3-floor}
for tool in moto_server aws curl python3 /usr/bin/time; do
  command -v "$tool" >/dev/null || { echo "floor.sh: $tool is required" >&2; exit 1; }
done
mkdir -p "$DIR" && cd "$DIR"
if [ ! -d small ]; then
  python3 "$MKTREE" small small --files 2000
  find small -type l -delete
fi
source "$HERE/moto.sh"
files=$(find small -type f | wc -l)
rm -f floor.*
for run in $(seq "$RUNS"); do
  for tool in swiftsync aws curl; do
    start_moto
    aws --endpoint-url "$url" s3api create-bucket --bucket floor >/dev/null
    case $tool in
      swiftsync) cmd="$BIN -a --endpoint-url $url small/ s3://floor/p/" ;;
      aws) cmd="aws --endpoint-url $url s3 sync --only-show-errors small/ s3://floor/p/" ;;
      curl)
        (cd small && find . -type f | sed 's#^\./##') | while read -r f; do
          printf 'url = "%s/floor/p/%s"\nupload-file = "small/%s"\n' "$url" "$f" "$f"
        done > curl.cfg
        cmd="curl -s -o /dev/null --parallel --parallel-max 16 --aws-sigv4 aws:amz:us-east-1:s3 --user $AWS_ACCESS_KEY_ID:$AWS_SECRET_ACCESS_KEY -K curl.cfg" ;;
    esac
    before=$(moto_cpu)
    /usr/bin/time -f "%e %U %S" -o t.out $cmd >/dev/null 2>&1 || true
    after=$(moto_cpu)
    objects=$(aws --endpoint-url "$url" s3 ls --recursive s3://floor/p/ | wc -l)
    [ "$objects" -eq "$files" ] || { echo "floor.sh: $tool left $objects of $files objects" >&2; exit 1; }
    stop_moto
    tail -1 t.out | awk -v m="$(echo "$after - $before" | bc)" '{ printf "%.2f %.2f %.2f\n", $1, $2 + $3, m }' >> "floor.$tool"
  done
done
median() { sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }
echo "| client ($files files) | wall s | client CPU s | moto CPU s | runs (wall) |"
echo "|---|---:|---:|---:|---|"
for tool in swiftsync aws curl; do
  printf "| %s | %s | %s | %s | %s |\n" "$tool" "$(awk '{print $1}' floor.$tool | median)" "$(awk '{print $2}' floor.$tool | median)" \
    "$(awk '{print $3}' floor.$tool | median)" "$(awk '{print $1}' floor.$tool | paste -sd' ')"
done
