#!/usr/bin/env bash
# Peak memory of an S3 no-op resync against the number of objects (issue 14): the listing is
# read page by page and cut into directories as it arrives, so peak RSS must stay flat as the
# bucket grows. For each count: mktree.py small --files N, uploaded once to a new moto_server,
# then `swiftsync -a SRC/ s3://bucket/p/` again (nothing to do) under GNU time; --runs no-op runs
# per count, the median reported. A download no-op (S3 -> local) is measured the same way.
# With --server stub the bucket is listing_stub.py serving the tree as if uploaded (moto_server
# cannot hold 200,000 objects in a session; see that script), and the download no-op goes
# into the tree itself; any request but a listing fails the run.
#
#   Benchmarks/s3/memory.sh [--binary PATH] [--counts "20000 200000"] [--runs N] [--server moto|stub]
set -euo pipefail
cd "$(dirname "$0")/../.."
HERE=$PWD/Benchmarks/s3
ROOT=$PWD
BIN=$ROOT/.build/release/swiftsync
COUNTS="20000 200000"
RUNS=3
SERVER=moto
while [ $# -gt 0 ]; do
  case "$1" in
    --binary) BIN=$(realpath "$2"); shift 2 ;;
    --counts) COUNTS=$2; shift 2 ;;
    --runs) RUNS=$2; shift 2 ;;
    --server) SERVER=$2; shift 2 ;;
    *) echo "memory.sh: unknown option $1" >&2; exit 2 ;;
  esac
done
MKTREE=$ROOT/fixtures/mktree.py
DIR=${BENCH_DIR:-/tmp/swiftsync-s3-memory}
for tool in moto_server aws python3 /usr/bin/time curl; do
  command -v "$tool" >/dev/null || { echo "memory.sh: $tool is required (make deps installs it)" >&2; exit 1; }
done
mkdir -p "$DIR" && cd "$DIR"
cp "$BIN" ./swiftsync && cp "$BIN-s3" ./swiftsync-s3
source "$HERE/moto.sh"
stub=
start_stub() {
  rm -f stub.port
  python3 "$HERE/listing_stub.py" "$1" --bucket mem --prefix p/ --port-file stub.port 2>stub.log &
  stub=$!
  while [ ! -s stub.port ]; do kill -0 "$stub" || { cat stub.log >&2; exit 1; }; sleep 0.2; done
  url=http://127.0.0.1:$(cat stub.port)
}
stop_stub() { [ -n "$stub" ] && kill -9 "$stub" 2>/dev/null; wait "$stub" 2>/dev/null || true; stub=; }
trap 'stop_moto; stop_stub' EXIT
median() { sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }

echo "| objects | server | direction | no-op wall s | peak RSS MiB | runs | command |"
echo "|---:|---|---|---:|---:|---:|---|"
for n in $COUNTS; do
  [ -d "tree$n" ] || python3 "$MKTREE" small "tree$n" --files "$n" >/dev/null
  if [ "$SERVER" = stub ]; then
    start_stub "tree$n"
    down=tree$n
  else
    start_moto
    aws --endpoint-url "$url" s3api create-bucket --bucket mem >/dev/null
    ./swiftsync -a --endpoint-url "$url" "tree$n/" s3://mem/p/ 2>/dev/null
    down=down$n
    rm -rf "$down" && ./swiftsync -a --endpoint-url "$url" s3://mem/p/ "$down/" 2>/dev/null
  fi
  for direction in upload download; do
    if [ "$direction" = upload ]; then args=("tree$n/" s3://mem/p/); else args=(s3://mem/p/ "$down/"); fi
    : > runs.txt
    for _ in $(seq "$RUNS"); do
      /usr/bin/time -f "%e %M" -o t.out ./swiftsync -a --stats --endpoint-url "$url" "${args[@]}" > stats.out 2>/dev/null
      # A no-op: nothing may have been sent.
      grep -q "Number of regular files transferred: 0" stats.out || { echo "memory.sh: the $direction resync of $n was no no-op" >&2; exit 1; }
      tail -1 t.out >> runs.txt
    done
    wall=$(awk '{ print $1 }' runs.txt | median)
    peak=$(awk '{ printf "%.1f\n", $2 / 1024 }' runs.txt | median)
    echo "| $n | $SERVER | $direction | $wall | $peak | $RUNS | \`swiftsync -a ${args[*]}\` |"
  done
  stop_moto
  stop_stub
done
