#!/usr/bin/env bash
# S3 upload benchmark (issue 4), side by side on one moto_server, same tree, one run:
#   swiftsync -a -L --delete SRC/ s3://bucket/p/   vs   aws s3 sync --delete, s5cmd sync --delete, rclone sync -L,
#   s3cmd sync --delete-removed
# Tree: mktree.py small --files 2000 plus large --files 2 --mib 64. Per tool and run, in a new
# bucket: a fresh upload, a no-op resync, then `mktree.py touch --fraction 0.01` (1% of the
# files modified, added or removed) and a resync. Reports wall time, client CPU (user+sys) and
# peak RSS per tool, medians of --runs (default 3), the tools' runs interleaved. After every
# tool the aws CLI is the oracle: `aws s3 sync --dryrun` has nothing left to do. moto_server is single-process Python and bounds
# every tool; the tools run one after another, never at once, each against a new moto_server.
#
#   Benchmarks/s3/run.sh [--binary PATH] [--baseline PATH] [--runs N] [--tools "swiftsync aws s5cmd rclone s3cmd"]
#
# --baseline adds another build of swiftsync as the tool "baseline" (an older commit, to show a
# change is no regression side by side).
set -euo pipefail
cd "$(dirname "$0")/../.."
HERE=$PWD/Benchmarks/s3
ROOT=$PWD
BIN=$ROOT/.build/release/swiftsync
RUNS=3
TOOLS="swiftsync aws s5cmd rclone s3cmd"
while [ $# -gt 0 ]; do
  case "$1" in
    --binary) BIN=$(realpath "$2"); shift 2 ;;
    --baseline) BASELINE=$(realpath "$2"); shift 2 ;;
    --runs) RUNS=$2; shift 2 ;;
    --tools) TOOLS=$2; shift 2 ;;
    *) echo "run.sh: unknown option $1" >&2; exit 2 ;;
  esac
done
MKTREE=${MKTREE:-$ROOT/fixtures/mktree.py}
DIR=${BENCH_DIR:-/tmp/swiftsync-s3-bench}
for tool in moto_server aws python3 /usr/bin/time $TOOLS; do
  case "$tool" in swiftsync|baseline) continue ;; esac
  command -v "$tool" >/dev/null || { echo "run.sh: $tool is required (make bench-deps installs the peers)" >&2; exit 1; }
done
mkdir -p "$DIR" && cd "$DIR"
cp "$BIN" ./swiftsync && cp "$BIN-s3" ./swiftsync-s3
if [ -n "${BASELINE:-}" ]; then
  mkdir -p baseline-bin && cp "$BASELINE" baseline-bin/swiftsync && cp "$BASELINE-s3" baseline-bin/swiftsync-s3
fi
if [ ! -d base ]; then
  python3 "$MKTREE" small base --files 2000
  python3 "$MKTREE" large base/large --files 2 --mib 64
fi
# s5cmd gives up on the rest of a sync at a dangling symlink ("given object not found"), so no
# tool gets one: the same tree for all, the valid symlinks kept (and followed by every tool).
find base -xtype l -delete
source "$HERE/moto.sh"
# rclone and s3cmd pointed at the server start_moto started, with the same keys.
point_peers() {
  export RCLONE_CONFIG_MOTO_TYPE=s3 RCLONE_CONFIG_MOTO_PROVIDER=Other RCLONE_CONFIG_MOTO_ENDPOINT=$url \
    RCLONE_CONFIG_MOTO_ACCESS_KEY_ID=$AWS_ACCESS_KEY_ID RCLONE_CONFIG_MOTO_SECRET_ACCESS_KEY=$AWS_SECRET_ACCESS_KEY
  printf '[default]\naccess_key = %s\nsecret_key = %s\nhost_base = 127.0.0.1:%s\nhost_bucket = 127.0.0.1:%s\nuse_https = False\n' \
    "$AWS_ACCESS_KEY_ID" "$AWS_SECRET_ACCESS_KEY" "$port" "$port" > s3cfg
}

# Every tool follows symlinks (aws does by default; the others are told to) and deletes
# what the source no longer has.
command_for() {  # tool bucket
  case "$1" in
    swiftsync) echo "./swiftsync -a -L --delete --endpoint-url $url src/ s3://$2/p/" ;;
    baseline) echo "./baseline-bin/swiftsync -a -L --delete --endpoint-url $url src/ s3://$2/p/" ;;
    aws) echo "aws --endpoint-url $url s3 sync --delete --only-show-errors src/ s3://$2/p/" ;;
    # s5cmd follows symlinks unless told not to.
    s5cmd) echo "s5cmd --endpoint-url $url sync --delete src/ s3://$2/p/" ;;
    # rclone's AWS SDK refuses to start when AWS_CA_BUNDLE is set (this machine sets it).
    rclone) echo "env -u AWS_CA_BUNDLE rclone sync -L -q src/ moto:$2/p/" ;;
    s3cmd) echo "s3cmd -c $DIR/s3cfg -q --follow-symlinks --delete-removed sync src/ s3://$2/p/" ;;
  esac
}
measure() {  # tool bucket -> "wall cpu peak_rss_mib"
  # aws exits 2 for mktree's dangling symlinks; every tool's result is checked by the oracle below.
  /usr/bin/time -f "%e %U %S %M" -o t.out $(command_for "$1" "$2") >/dev/null 2>&1 || true
  tail -1 t.out | awk '{ printf "%.3f %.3f %.1f\n", $1, $2 + $3, $4 / 1024 }'
}
check() {  # tool bucket: the aws CLI has nothing left to upload
  local left
  left=$(aws --endpoint-url "$url" s3 sync --dryrun --size-only --no-progress src/ "s3://$2/p/" 2>/dev/null | grep -v "warning:" || true)
  [ -z "$left" ] || { echo "run.sh: $1 left work for aws s3 sync: $left" | head -5 >&2; exit 1; }
}
median() { sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }

# Runs are interleaved (run 1 of every tool, then run 2...): this host's speed drifts by tens of
# percent over minutes, and measuring one tool's runs after another's would fold that drift
# into the ratios. Each tool's figures go to a file of its own, one line per run.
rm -f results.*
for run in $(seq "$RUNS"); do
  for tool in $TOOLS; do
    rm -rf src && cp -a base src
    start_moto
    point_peers
    bucket="bench-$tool-$run-$RANDOM"
    aws --endpoint-url "$url" s3api create-bucket --bucket "$bucket" >/dev/null
    read -r fw fc fm < <(measure "$tool" "$bucket")
    check "$tool" "$bucket"
    read -r nw nc _ < <(measure "$tool" "$bucket")
    python3 "$MKTREE" touch src --fraction 0.01 --seed "$run" >/dev/null
    read -r tw tc _ < <(measure "$tool" "$bucket")
    check "$tool" "$bucket"
    stop_moto
    echo "$fw $fc $fm $nw $nc $tw $tc" >> "results.$tool"
  done
done
column_median() { awk -v c="$2" '{ print $c }' "$1" | median; }
echo "| tool | fresh wall s | fresh CPU s | fresh peak MiB | no-op wall s | no-op CPU s | 1% changed wall s | 1% changed CPU s |"
echo "|---|---:|---:|---:|---:|---:|---:|---:|"
for tool in $TOOLS; do
  printf "| %s |" "$tool"
  for c in 1 2 3 4 5 6 7; do printf " %s |" "$(column_median "results.$tool" "$c")"; done
  echo
done
