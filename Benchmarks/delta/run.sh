#!/usr/bin/env bash
# Delta-engine benchmark (issue 3), side by side in one run, warm cache, hyperfine means:
#   file level:  swiftsync signature / delta / patch   vs  rdiff signature / delta / patch
#   local sync:  swiftsync -a --no-whole-file [--inplace]  vs  rsync -a --no-whole-file [--inplace]
# on a 512 MiB file from `mktree.py large` and its copies made by `mktree.py mutate` with 0.01%
# and 0.1% edits (overwrites, inserts and deletes, so most blocks also move).
#
#   Benchmarks/delta/run.sh [--binary PATH] [--runs N] [--mib N]
#
# Every output is checked: each patch result and each synced file equals the new file, and
# `rdiff patch` applies our delta. Prints a markdown table (seconds, ratio) and the
# Literal/Matched figures both sync tools report. Scratch: $BENCH_DIR (default /tmp/swiftsync-delta-bench).
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD
BIN=$ROOT/.build/release/swiftsync
RUNS=5
MIB=512
while [ $# -gt 0 ]; do
  case "$1" in
    --binary) BIN=$(realpath "$2"); shift 2 ;;
    --runs) RUNS=$2; shift 2 ;;
    --mib) MIB=$2; shift 2 ;;
    *) echo "run.sh: unknown option $1" >&2; exit 2 ;;
  esac
done
MKTREE=${MKTREE:-$ROOT/fixtures/mktree.py}
DIR=${BENCH_DIR:-/tmp/swiftsync-delta-bench}
for tool in hyperfine rdiff rsync python3; do command -v $tool >/dev/null || { echo "run.sh: $tool is required (make deps)" >&2; exit 1; }; done
[ -x "$BIN" ] || swift build -c release --static-swift-stdlib
mkdir -p "$DIR" && cd "$DIR"
# A private copy: rebuilding the repository during a run must not change what is measured.
cp "$BIN" ./swiftsync

if [ ! -f "L/big00.bin" ] || [ "$(stat -c %s L/big00.bin)" != $((MIB << 20)) ]; then
  rm -rf L && python3 "$MKTREE" large L --files 1 --mib "$MIB"
fi
for rate in 0.0001 0.001; do
  [ -f "new-$rate.bin" ] || python3 "$MKTREE" mutate L/big00.bin "new-$rate.bin" --rate "$rate"
done

# Each measured run starts with no dirty pages left by the one before (each writes up to 512 MiB).
printf '#!/bin/sh\nsync\n' > flush.sh && chmod +x flush.sh
results=()
measure() {  # name, then hyperfine arguments; appends the JSON file name
  local name=$1; shift
  hyperfine -N --warmup 1 --runs "$RUNS" --prepare ./flush.sh --export-json "$name.json" "$@" >/dev/null
  results+=("$name.json")
}

./swiftsync signature L/big00.bin s.sig && rdiff -f signature L/big00.bin r.sig
measure signature 'rdiff -f signature L/big00.bin r.sig' './swiftsync signature L/big00.bin s.sig'
for rate in 0.0001 0.001; do
  measure "delta-$rate" "rdiff -f delta r.sig new-$rate.bin r-$rate.delta" "./swiftsync delta s.sig new-$rate.bin s-$rate.delta"
  measure "patch-$rate" "rdiff -f patch L/big00.bin r-$rate.delta out-r" "./swiftsync patch L/big00.bin s-$rate.delta out-s"
  cmp out-r "new-$rate.bin" && cmp out-s "new-$rate.bin"
  rdiff -f patch L/big00.bin "s-$rate.delta" out-x && cmp out-x "new-$rate.bin"
done

# Local sync: the destination starts as the old file (dated in the past) for every run.
rate=0.001
mkdir -p sync/src sync/dst && cp "new-$rate.bin" sync/src/big.bin
printf '#!/bin/sh\ncp L/big00.bin sync/dst/big.bin && touch -d 2020-01-01 sync/dst/big.bin && sync\n' > reset.sh && chmod +x reset.sh
stats() {  # tool, options: Literal/Matched lines of one run
  ./reset.sh && "$@" --stats sync/src/ sync/dst/ | grep -E "^(Literal|Matched) data" | tr '\n' ' '
  cmp sync/src/big.bin sync/dst/big.bin && echo
}
for mode in "--inplace" ""; do
  name="sync${mode:---tempfile}"
  hyperfine -N --warmup 1 --runs "$RUNS" --prepare ./reset.sh --export-json "$name.json" "rsync -a --no-whole-file $mode sync/src/ sync/dst/" "./swiftsync -a --no-whole-file $mode sync/src/ sync/dst/" >/dev/null
  results+=("$name.json")
  echo "$name literal/matched: rsync: $(stats rsync -a --no-whole-file $mode)"
  echo "$name literal/matched: swiftsync: $(stats ./swiftsync -a --no-whole-file $mode)"
done

python3 - "${results[@]}" <<'PY'
import json, sys
print("| measurement | peer | peer s | swiftsync s | ratio |")
print("|---|---|---:|---:|---:|")
for path in sys.argv[1:]:
    peer, ours = json.load(open(path))["results"]
    print(f"| {path[:-5]} | `{peer['command'].split()[0]}` | {peer['mean']:.3f} | {ours['mean']:.3f} | {peer['mean'] / ours['mean']:.2f}x faster |")
PY
