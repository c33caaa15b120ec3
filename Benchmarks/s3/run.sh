#!/usr/bin/env bash
# S3 upload benchmark (issue 4), side by side on one moto_server, same tree, one run:
#   swiftsync -a SRC/ s3://bucket/p/   vs   aws s3 sync SRC/ s3://bucket/p/   (rclone, s3cmd when installed)
# Tree: mktree.py small --files 2000 plus large --files 2 --mib 64. Scenarios: fresh upload
# (a new bucket per run), no-op resync. Reports wall time and client CPU (user+sys) per tool,
# medians of --runs (default 3). moto_server is single-process Python and bounds every tool.
#
#   Benchmarks/s3/run.sh [--binary PATH] [--runs N]
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD
BIN=$ROOT/.build/release/swiftsync
RUNS=3
while [ $# -gt 0 ]; do
  case "$1" in
    --binary) BIN=$(realpath "$2"); shift 2 ;;
    --runs) RUNS=$2; shift 2 ;;
    *) echo "run.sh: unknown option $1" >&2; exit 2 ;;
  esac
done
MKTREE=${MKTREE:-$ROOT/../shared/bench/mktree.py}
DIR=${BENCH_DIR:-/tmp/swiftsync-s3-bench}
for tool in moto_server aws python3; do command -v $tool >/dev/null || { echo "run.sh: $tool is required (make deps)" >&2; exit 1; }; done
mkdir -p "$DIR" && cd "$DIR"
cp "$BIN" ./swiftsync && cp "$BIN-s3" ./swiftsync-s3
if [ ! -d src ]; then
  python3 "$MKTREE" small src --files 2000
  python3 "$MKTREE" large src/large --files 2 --mib 64
fi
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
moto_server -H 127.0.0.1 -p "$port" >/dev/null 2>&1 &
moto=$!
trap 'kill $moto 2>/dev/null' EXIT
url=http://127.0.0.1:$port
export AWS_ACCESS_KEY_ID=bench AWS_SECRET_ACCESS_KEY=bench-secret AWS_DEFAULT_REGION=us-east-1 AWS_EC2_METADATA_DISABLED=true
for _ in $(seq 50); do curl -s "$url" >/dev/null && break; sleep 0.2; done

declare -A commands=(
  # aws follows symlinks by default: -L does the same.
  [swiftsync]="./swiftsync -a -L --endpoint-url $url src/ s3://BUCKET/p/"
  [aws]="aws --endpoint-url $url s3 sync --only-show-errors src/ s3://BUCKET/p/"
)
measure() {  # tool bucket -> "wall cpu"
  local cmd=${commands[$1]//BUCKET/$2}
  /usr/bin/time -f "%e %U %S" -o t.out $cmd >/dev/null 2>&1 || true
  tail -1 t.out | awk '{ printf "%.3f %.3f\n", $1, $2 + $3 }'
}
median() { sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }
echo "| tool | fresh wall s | fresh CPU s | no-op wall s | no-op CPU s |"
echo "|---|---:|---:|---:|---:|"
for tool in swiftsync aws; do
  fresh=(); fcpu=(); noop=(); ncpu=()
  for run in $(seq "$RUNS"); do
    bucket="bench-$tool-$run-$RANDOM"
    aws --endpoint-url "$url" s3api create-bucket --bucket "$bucket" >/dev/null
    read -r w c < <(measure "$tool" "$bucket"); fresh+=("$w"); fcpu+=("$c")
    read -r w c < <(measure "$tool" "$bucket"); noop+=("$w"); ncpu+=("$c")
    # The oracle: after either tool, aws has nothing left to upload.
    [ -z "$(aws --endpoint-url "$url" s3 sync --dryrun --no-progress src/ "s3://$bucket/p/" 2>/dev/null)" ] || { echo "run.sh: $tool left work for aws s3 sync" >&2; exit 1; }
  done
  printf "| %s | %s | %s | %s | %s |\n" "$tool" \
    "$(printf '%s\n' "${fresh[@]}" | median)" "$(printf '%s\n' "${fcpu[@]}" | median)" \
    "$(printf '%s\n' "${noop[@]}" | median)" "$(printf '%s\n' "${ncpu[@]}" | median)"
done
