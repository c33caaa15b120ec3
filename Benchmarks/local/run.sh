#!/usr/bin/env bash
# Local-sync benchmark harness: swiftsync vs `rsync -a` vs `cp -a` (DESIGN.md section 8, issue 2).
#
#   Benchmarks/local/run.sh [--binary PATH] [--out FILE] [--quick] [--scenarios 1,2,3,4,5]
#                           [--fresh-trees] [--keep] [--settle SECONDS]
#
#   --binary PATH     swiftsync binary to measure (default: .build/release/swiftsync, built with
#                     `swift build -c release` if missing). Any binary taking `-a SRC/ DEST/`
#                     works, e.g. `--binary /usr/bin/rsync` to validate the harness.
#   --out FILE        markdown file whose "## Local sync" section is (re)written
#                     (default: Benchmarks/RESULTS.md; other sections are kept).
#   --quick           fewer runs, and 50,000 instead of 200,000 files for the memory scenario.
#   --scenarios LIST  comma-separated subset of 1..5 (default: all).
#   --fresh-trees     regenerate the source trees even if cached ones match.
#   --keep            keep the destinations in $BENCH_DIR/dst afterwards (default: removed).
#   --settle SECONDS  how long after a bulk deletion to wait before a file-creating scenario
#                     (default: 365 on ext4 without a journal, else 0; see below).
#
# Environment: BENCH_DIR (scratch dir, default /tmp/swiftsync-bench), MKTREE (path of
# mktree.py, default fixtures/mktree.py in the repository).
#
# Scenarios (each one hyperfine invocation, warm cache, --warmup 1, medians, --export-json):
#   1. fresh copy of 20,000 small files          swiftsync -a, rsync -a, cp -a   (prepare: DEST moved away)
#   2. no-op resync of that tree                 swiftsync -a, rsync -a          (DEST synced by that tool)
#   3. resync after `mktree.py touch` (1%)       swiftsync -a --delete, rsync -a --delete
#                                                (prepare: restore DEST to the pre-touch synced copy)
#   4. fresh copy of 4 x 128 MiB files           swiftsync -a, rsync -a, cp -a   (prepare: rm -rf DEST)
#   5. peak memory of a no-op resync of 200,000 files (GNU time %M, plus summed per-process peaks)
# After each scenario every destination (swiftsync's first) is checked with
# `rsync -a -c -n -i --delete SRC/ DEST/`, which must print nothing; otherwise the run aborts.
#
# Deleting many files is kept away from the measured scenarios: on ext4 without a journal (this
# machine's /) the kernel will not reuse an inode freed in the last 60 s (60 + 300 s while its
# inode-table block is dirty, which creating files next to it makes it), and scans past every
# such inode on each file creation (recently_deleted() in fs/ext4/ialloc.c). A fresh copy of
# 20,000 files right after `rm -rf` of the previous copy measured up to 9x slower for every tool, and
# the penalty fades during a scenario, i.e. it hits the first tool hyperfine runs. So fresh-copy
# destinations are renamed into a trash dir (deleted at the end of the run), and scenarios that
# create many files first wait until --settle seconds after the last bulk deletion (rerunning
# right after a run therefore starts with a wait of up to 6 minutes on such a filesystem), and
# $BENCH_DIR/dst gets ext4's "top directory" flag (chattr +T) so that each destination is placed
# in a little-used block group, like a directory at the root of a backup volume. Deletions by
# other processes on a shared machine can still disturb fresh copies: check the load averages.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
INVOCATION=("$0" "$@")

die() { printf '\n\033[1;31mERROR: %s\033[0m\n' "$*" >&2; exit 1; }
log() { printf '\n\033[1;34m==> %s\033[0m\n' "$*" >&2; }
q() { printf '%q' "$1"; }

usage() { sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "$0"; }

BINARY=""
OUT="$REPO/Benchmarks/RESULTS.md"
QUICK=0
SCENARIOS="1,2,3,4,5"
FRESH_TREES=0
KEEP=0
SETTLE=""
while (($#)); do
    case $1 in
        --binary) BINARY=${2:?--binary needs a path}; shift 2 ;;
        --binary=*) BINARY=${1#*=}; shift ;;
        --out) OUT=${2:?--out needs a file}; shift 2 ;;
        --out=*) OUT=${1#*=}; shift ;;
        --quick) QUICK=1; shift ;;
        --scenarios) SCENARIOS=${2:?--scenarios needs a list}; shift 2 ;;
        --scenarios=*) SCENARIOS=${1#*=}; shift ;;
        --fresh-trees) FRESH_TREES=1; shift ;;
        --keep) KEEP=1; shift ;;
        --settle) SETTLE=${2:?--settle needs seconds}; shift 2 ;;
        --settle=*) SETTLE=${1#*=}; shift ;;
        -h|--help) usage; exit 0 ;;
        *) usage >&2; die "unknown argument: $1" ;;
    esac
done
want() { [[ ",$SCENARIOS," == *",$1,"* ]]; }

# ---------------------------------------------------------------- prerequisites
need_pkgs=()
command -v hyperfine >/dev/null || need_pkgs+=(hyperfine)
command -v rsync >/dev/null || need_pkgs+=(rsync)
command -v python3 >/dev/null || need_pkgs+=(python3)
[[ -x /usr/bin/time ]] || need_pkgs+=(time)
if ((${#need_pkgs[@]})); then
    log "installing missing packages: ${need_pkgs[*]}"
    sudo_=""; [[ $(id -u) -eq 0 ]] || sudo_=sudo
    $sudo_ apt-get update -qq && $sudo_ apt-get install -y -qq "${need_pkgs[@]}" >/dev/null \
        || die "could not install ${need_pkgs[*]}; install them and rerun"
fi

MKTREE=${MKTREE:-$REPO/fixtures/mktree.py}
[[ -f $MKTREE ]] || die "mktree.py not found at $MKTREE (set MKTREE=...)"
MKTREE=$(cd "$(dirname "$MKTREE")" && pwd)/$(basename "$MKTREE")

if [[ -z $BINARY ]]; then
    BINARY=$REPO/.build/release/swiftsync
    if [[ ! -x $BINARY ]]; then
        log "building swiftsync (swift build -c release)"
        (cd "$REPO" && swift build -c release) || die "build failed; or pass --binary PATH"
    fi
fi
[[ -x $BINARY ]] || BINARY=$(command -v "$BINARY" || true)
[[ -n $BINARY && -x $BINARY ]] || die "binary not executable: $BINARY"
BINARY=$(cd "$(dirname "$BINARY")" && pwd)/$(basename "$BINARY")
OUT_DIR=$(dirname "$OUT"); mkdir -p "$OUT_DIR"
OUT=$(cd "$OUT_DIR" && pwd)/$(basename "$OUT")

# ---------------------------------------------------------------- parameters
SMALL_FILES=20000
LARGE_FILES=4 LARGE_MIB=128
if ((QUICK)); then
    MEM_FILES=50000
    RUNS_FRESH=3 RUNS_NOOP=5 RUNS_TOUCH=5 RUNS_LARGE=3 RUNS_MEM=3
else
    MEM_FILES=200000
    RUNS_FRESH=5 RUNS_NOOP=10 RUNS_TOUCH=10 RUNS_LARGE=10 RUNS_MEM=5
fi

BENCH_DIR=${BENCH_DIR:-/tmp/swiftsync-bench}
mkdir -p "$BENCH_DIR"
BENCH_DIR=$(cd "$BENCH_DIR" && pwd)
[[ $BENCH_DIR != / ]] || die "BENCH_DIR must not be /"
# ext4 without a journal? (see the header comment)
FS_JOURNAL=""
if [[ $(findmnt -n -T "$BENCH_DIR" -o FSTYPE 2>/dev/null) == ext4 ]]; then
    fsdev=$(findmnt -n -T "$BENCH_DIR" -o SOURCE 2>/dev/null || true)
    jt=$(cat "/sys/fs/ext4/${fsdev##*/}/journal_task" 2>/dev/null || true)
    if [[ $jt == "<none>" ]]; then FS_JOURNAL=no; elif [[ -n $jt ]]; then FS_JOURNAL=yes; fi
fi
if [[ -z $SETTLE ]]; then
    if [[ $FS_JOURNAL == no ]]; then SETTLE=365; else SETTLE=0; fi
fi
[[ $SETTLE =~ ^[0-9]+$ ]] || die "--settle wants whole seconds"

TREES=$BENCH_DIR/trees   # cached, deterministic source trees
DST=$BENCH_DIR/dst       # destinations, wiped at every run
TRASH=$DST/trash         # fresh-copy destinations of earlier runs, deleted at the end
RES=$BENCH_DIR/results   # hyperfine JSON + side files read by report.py, wiped at every run
LAST_DELETE=$BENCH_DIR/.last-bulk-delete

# bulk_delete PATH...: rm -rf, remembering when (see settle)
bulk_delete() {
    local p any=0
    for p in "$@"; do [[ -e $p ]] && any=1; done
    ((any)) || return 0
    rm -rf "$@"
    sync
    date +%s >"$LAST_DELETE"
}
# settle: wait until inodes freed by the last bulk deletion are cheap to skip again (ext4 without
# a journal skips inodes deleted < 60 s ago, < 360 s if their inode-table block is dirty).
settle() {
    local last now wait
    last=$(cat "$LAST_DELETE" 2>/dev/null || echo 0)
    now=$(date +%s)
    wait=$((last + SETTLE - now))
    if ((wait > 0)); then
        log "waiting ${wait}s: inodes freed by the last bulk deletion slow down file creation on this filesystem until then (--settle)"
        sleep "$wait"
    fi
    sync
}

bulk_delete "$DST"
rm -rf "$RES"
mkdir -p "$TREES" "$DST" "$TRASH" "$RES"
# Make ext4 place every destination like a directory at a filesystem root (Orlov spreads those
# over little-used block groups), i.e. away from inodes recently freed by other processes (see
# above). Harmless elsewhere.
chattr +T "$DST" 2>/dev/null || true
exec > >(tee "$RES/run.log") 2>&1

# ---------------------------------------------------------------- record the run
{
    printf 'invocation\t%s\n' "$(printf '%q ' "${INVOCATION[@]}")"
    printf 'bench_dir\t%s\n' "$BENCH_DIR"
    printf 'binary\t%s\n' "$BINARY"
    printf 'binary_version\t%s\n' "$(timeout 10 "$BINARY" --version 2>&1 </dev/null | head -1 || true)"
    printf 'quick\t%s\n' "$QUICK"
    printf 'scenarios\t%s\n' "$SCENARIOS"
    printf 'settle\t%s\n' "$SETTLE"
    printf 'mktree\t%s\n' "$MKTREE"
    printf 'mktree_sha256\t%s\n' "$(sha256sum "$MKTREE" | cut -d' ' -f1)"
    printf 'date\t%s\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)"
    printf 'git\t%s\n' "$(git -C "$REPO" rev-parse --short HEAD 2>/dev/null || echo none)$(
        [[ -n $(git -C "$REPO" status --porcelain 2>/dev/null) ]] && echo ' (uncommitted changes)')"
} >"$RES/run.tsv"
{
    printf 'cpu\t%s\n' "$(lscpu 2>/dev/null | sed -n 's/^Model name: *//p' | head -1)"
    printf 'nproc\t%s\n' "$(nproc)"
    printf 'memory\t%s\n' "$(awk '/^MemTotal/ {printf "%.1f GiB", $2/1048576}' /proc/meminfo)"
    printf 'kernel\t%s\n' "$(uname -srm)"
    printf 'os\t%s\n' "$( (. /etc/os-release && echo "$PRETTY_NAME") 2>/dev/null || echo unknown)"
    printf 'bench_fs\t%s\n' "$(findmnt -n -T "$BENCH_DIR" -o FSTYPE,SOURCE,OPTIONS 2>/dev/null \
        || df -T "$BENCH_DIR" | awk 'NR==2 {print $2, $1}')"
    [[ -z $FS_JOURNAL ]] || printf 'bench_fs_journal\t%s\n' "$FS_JOURNAL"
    printf 'loadavg_start\t%s\n' "$(cut -d' ' -f1-3 /proc/loadavg)"
    printf 'rsync\t%s\n' "$(rsync --version | head -1)"
    printf 'cp\t%s\n' "$(cp --version | head -1)"
    printf 'hyperfine\t%s\n' "$(hyperfine --version | head -1)"
    printf 'python\t%s\n' "$(python3 --version 2>&1)"
} >"$RES/machine.tsv"
: >"$RES/scenarios.tsv"

# scenario ID TITLE NOTE: describe a scenario for the report
scenario() { printf '%s\t%s\t%s\n' "$1" "$2" "$3" >>"$RES/scenarios.tsv"; }

# ---------------------------------------------------------------- trees
# tree NAME ARGS...: $TREES/NAME = `mktree.py ARGS` (ARGS use @ for the path), cached by stamp.
tree() {
    local name=$1; shift
    local dir=$TREES/$name stamp
    stamp="$(sha256sum "$MKTREE" | cut -c1-16) $*"
    if ((FRESH_TREES)) || [[ ! -d $dir || $(cat "$TREES/$name.stamp" 2>/dev/null) != "$stamp" ]]; then
        log "generating tree $name: mktree.py $*"
        bulk_delete "$dir" "$TREES/$name.stamp"
        local args=() a
        for a in "$@"; do [[ $a == @ ]] && args+=("$dir") || args+=("$a"); done
        python3 "$MKTREE" "${args[@]}"
        echo "$stamp" >"$TREES/$name.stamp"
    else
        log "reusing cached tree $name (mktree.py $*)"
    fi
}
# touched_tree NAME BASE: $TREES/NAME = copy of $TREES/BASE after `mktree.py touch` (1%).
touched_tree() {
    local name=$1 base=$2 stamp
    stamp="$(cat "$TREES/$base.stamp") + touch --fraction 0.01 --seed 1"
    if ((FRESH_TREES)) || [[ ! -d $TREES/$name || $(cat "$TREES/$name.stamp" 2>/dev/null) != "$stamp" ]]; then
        log "generating tree $name: copy of $base + mktree.py touch"
        bulk_delete "${TREES:?}/$name" "$TREES/$name.stamp"
        cp -a "$TREES/$base" "$TREES/$name"
        python3 "$MKTREE" touch "$TREES/$name" --fraction 0.01 --seed 1
        echo "$stamp" >"$TREES/$name.stamp"
    fi
}

# ---------------------------------------------------------------- helpers
# sync_cmd TOOL SRC DEST [EXTRA...]: the exact shell command line for one tool.
sync_cmd() {
    local tool=$1 src=$2 dst=$3; shift 3
    local extra=""; (($#)) && extra=" $*"
    case $tool in
        swiftsync) echo "$(q "$BINARY") -a$extra $(q "$src")/ $(q "$dst")/" ;;
        rsync) echo "rsync -a$extra $(q "$src")/ $(q "$dst")/" ;;
        cp) echo "cp -a $(q "$src") $(q "$dst")" ;;   # DEST must not exist
    esac
}

# guard TOOL SRC DEST: the destination must be identical to the source (content by checksum,
# attributes, no extra or missing entries), judged by the real rsync.
guard() {
    local tool=$1 src=$2 dst=$3 out
    out=$(rsync -a -c -n -i --delete "$src/" "$dst/" 2>&1) \
        || { printf '%s\n' "$out" >&2; die "correctness guard could not run for $tool: $dst"; }
    if [[ -n $out ]]; then
        printf '\033[1;31m' >&2
        printf '%s\n' "$out" | head -40 >&2
        printf '... (%s lines)\033[0m\n' "$(printf '%s\n' "$out" | wc -l)" >&2
        die "CORRECTNESS GUARD FAILED: after '$tool', \`rsync -a -c -n -i --delete $src/ $dst/\` is not empty (see above). Benchmark aborted; its figures would be meaningless."
    fi
    echo "guard ok: $tool -> $dst" >&2
}

# bench ID RUNS then (NAME PREPARE COMMAND)...: one hyperfine invocation for the scenario.
bench() {
    local id=$1 runs=$2; shift 2
    local args=(--warmup 1 --runs "$runs" --export-json "$RES/s$id.json")
    : >"$RES/s$id.cmds.tsv"
    while (($#)); do
        args+=(-n "$1")
        [[ -n $2 ]] && args+=(--prepare "$2")
        args+=("$3")
        printf '%s\t%s\t%s\n' "$1" "$3" "$2" >>"$RES/s$id.cmds.tsv"
        shift 3
    done
    # hyperfine wants either one --prepare for all commands or one per command
    local n_prep n_cmd
    n_prep=$(cut -f3 "$RES/s$id.cmds.tsv" | grep -c . || true)
    n_cmd=$(wc -l <"$RES/s$id.cmds.tsv")
    ((n_prep == 0 || n_prep == n_cmd)) || die "internal: scenario $id needs a prepare for every command"
    hyperfine "${args[@]}"
}

TOOLS_SYNC=(swiftsync rsync)       # resync scenarios: cp -a has no incremental mode
TOOLS_COPY=(swiftsync rsync cp)    # fresh copies

# ---------------------------------------------------------------- source trees
if want 1 || want 2 || want 3; then tree small20k small @ --files "$SMALL_FILES"; fi
if want 3; then touched_tree small20k-touched small20k; fi
if want 4; then tree large4x128 large @ --files "$LARGE_FILES" --mib "$LARGE_MIB"; fi
if want 5; then tree "small$MEM_FILES" small @ --files "$MEM_FILES"; fi
sync   # do not let the trees' write-back disturb the first measurements

# ---------------------------------------------------------------- 1. fresh copy, small files
if want 1; then
    log "scenario 1: fresh copy of $SMALL_FILES small files"
    src=$TREES/small20k
    set --
    for t in "${TOOLS_COPY[@]}"; do
        d=$DST/s1-$t
        set -- "$@" "$t" "if [ -e $(q "$d") ]; then mv $(q "$d") \"\$(mktemp -d -p $(q "$TRASH"))/\"; fi && sync" \
            "$(sync_cmd "$t" "$src" "$d")"
    done
    settle
    bench 1 "$RUNS_FRESH" "$@"
    for t in "${TOOLS_COPY[@]}"; do guard "$t" "$src" "$DST/s1-$t"; done
    scenario 1 "Fresh copy, $SMALL_FILES small files (mktree.py small --files $SMALL_FILES, $(du -sh "$src" | cut -f1))" \
        "destination moved out of the way before every run (prepare, not timed: mv DEST into a trash dir, then sync; no deletion, see the note on ext4 below)"
fi

# ---------------------------------------------------------------- 2. no-op resync
if want 2; then
    log "scenario 2: no-op resync of $SMALL_FILES small files"
    src=$TREES/small20k
    set --
    for t in "${TOOLS_SYNC[@]}"; do
        d=$DST/s2-$t
        # the destination is the tree that tool itself synced (scenario 1's, else a fresh sync)
        [[ -d $DST/s1-$t && ! -e $d ]] && mv "$DST/s1-$t" "$d"
        eval "$(sync_cmd "$t" "$src" "$d")"
        set -- "$@" "$t" "" "$(sync_cmd "$t" "$src" "$d")"
    done
    bench 2 "$RUNS_NOOP" "$@"
    for t in "${TOOLS_SYNC[@]}"; do guard "$t" "$src" "$DST/s2-$t"; done
    scenario 2 "No-op resync, $SMALL_FILES small files" \
        "destination already synced by the same tool; nothing to transfer"
fi

# ---------------------------------------------------------------- 3. resync after 1% touched
if want 3; then
    log "scenario 3: resync after mktree.py touch (1% changed)"
    base=$TREES/small20k src=$TREES/small20k-touched
    set --
    for t in "${TOOLS_SYNC[@]}"; do
        pristine=$DST/s3-pristine-$t d=$DST/s3-$t
        # pristine = the pre-touch tree as synced by this tool (scenario 2's dest, else a fresh sync)
        [[ -d $DST/s2-$t && ! -e $pristine ]] && mv "$DST/s2-$t" "$pristine"
        eval "$(sync_cmd "$t" "$base" "$pristine")"
        guard "$t" "$base" "$pristine"
        cp -a "$pristine" "$d"
        restore="rsync -a --delete $(q "$pristine")/ $(q "$d")/ && sync"
        eval "$restore"
        guard "restore for $t" "$pristine" "$d"
        set -- "$@" "$t" "$restore" "$(sync_cmd "$t" "$src" "$d" --delete)"
    done
    changes=$(rsync -a -n -i --delete "$src/" "$DST/s3-rsync/" | wc -l)
    settle
    bench 3 "$RUNS_TOUCH" "$@"
    for t in "${TOOLS_SYNC[@]}"; do guard "$t" "$src" "$DST/s3-$t"; done
    # one more restore + re-check proves the timed runs really started from the pre-touch state
    eval "rsync -a --delete $(q "$DST/s3-pristine-rsync")/ $(q "$DST/s3-rsync")/"
    guard "restore check" "$DST/s3-pristine-rsync" "$DST/s3-rsync"
    scenario 3 "Resync after mktree.py touch (1% of files changed/added/removed; $changes itemized changes)" \
        "source = touched copy of the 20k tree; before every run the destination is restored to the tool's own pre-touch synced copy (prepare: rsync -a --delete PRISTINE/ DEST/ && sync, not timed); --delete so removed files are removed"
fi

# ---------------------------------------------------------------- 4. fresh copy, large files
if want 4; then
    log "scenario 4: fresh copy of $LARGE_FILES x $LARGE_MIB MiB"
    src=$TREES/large4x128
    set --
    for t in "${TOOLS_COPY[@]}"; do
        d=$DST/s4-$t
        set -- "$@" "$t" "rm -rf $(q "$d") && sync" "$(sync_cmd "$t" "$src" "$d")"
    done
    settle
    bench 4 "$RUNS_LARGE" "$@"
    for t in "${TOOLS_COPY[@]}"; do guard "$t" "$src" "$DST/s4-$t"; done
    rm -rf "$DST"/s4-*   # 12 inodes: no settle needed
    scenario 4 "Fresh copy, $LARGE_FILES x $LARGE_MIB MiB incompressible files (mktree.py large --files $LARGE_FILES --mib $LARGE_MIB)" \
        "destination removed before every run (prepare: rm -rf DEST && sync, not timed)"
fi

# ---------------------------------------------------------------- 5. peak memory, no-op resync
if want 5; then
    log "scenario 5: peak memory of a no-op resync of $MEM_FILES files"
    src=$TREES/small$MEM_FILES
    printf 'tool\trun\telapsed_s\tmaxrss_kib\tsum_hwm_kib\tnprocs\tcommand\n' >"$RES/s5.mem.tsv"
    for t in "${TOOLS_SYNC[@]}"; do
        d=$DST/s5-$t
        cmd=$(sync_cmd "$t" "$src" "$d")
        log "initial sync by $t (not measured): $cmd"
        settle
        eval "$cmd"
        sync
        for ((r = 0; r <= RUNS_MEM; r++)); do   # run 0 is the warm-up
            line=$(eval "python3 $(q "$HERE/memrun.py") $cmd")
            printf '%s run %d: elapsed %s s, maxrss %s KiB, summed peaks %s KiB, %s procs\n' \
                "$t" "$r" $(cut -f1-4 <<<"$line") >&2
            ((r == 0)) || printf '%s\t%d\t%s\t%s\n' "$t" "$r" "$(cut -f1-4 <<<"$line")" "$cmd" >>"$RES/s5.mem.tsv"
        done
        guard "$t" "$src" "$d"
    done
    scenario 5 "Peak memory, no-op resync of $MEM_FILES files (mktree.py small --files $MEM_FILES)" \
        "GNU time %M = peak RSS of the largest single process; summed peaks = sum of every process's VmHWM (rsync runs 3 processes); median of $RUNS_MEM runs after 1 warm-up"
fi

# ---------------------------------------------------------------- report
printf 'loadavg_end\t%s\n' "$(cut -d' ' -f1-3 /proc/loadavg)" >>"$RES/machine.tsv"
log "writing report to $OUT"
python3 "$HERE/report.py" --results "$RES" --out "$OUT"
if ((KEEP)); then
    log "done; raw results in $RES, destinations kept in $DST, trees cached in $TREES"
else
    log "removing destinations"
    bulk_delete "$DST"
    log "done; raw results in $RES (trees cached in $TREES; rm -rf $BENCH_DIR to reclaim space)"
fi
