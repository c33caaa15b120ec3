#!/usr/bin/env bash
# make fuzz: runs the libFuzzer executable (built by `make fuzz-build` into .build-fuzz) once per
# target for FUZZ_SECONDS each. Seeds come from fixtures/fuzz/<target>/ (read only); what the
# fuzzer learns is kept in .build-fuzz/corpus/<target>/ between runs; a crasher is written to
# fixtures/fuzz/<target>/ (crash-*, oom-*, timeout-*), where `make test` replays it, and the run
# fails. Usage: Fuzz/run.sh EXE SECONDS TARGET...
set -u
EXE=$1 SECONDS_EACH=$2; shift 2
export SWIFT_BACKTRACE=enable=no   # libFuzzer's own handler reports and saves the input
failed=()
for target in "$@"; do
  seeds=fixtures/fuzz/$target work=.build-fuzz/corpus/$target
  [ -d "$seeds" ] || { echo "fuzz: no seed corpus $seeds" >&2; exit 2; }
  mkdir -p "$work"
  before=$(ls "$seeds" | wc -l)
  echo "== fuzz $target: ${SECONDS_EACH}s =="
  FUZZ_TARGET=$target timeout $((SECONDS_EACH + 120)) "$EXE" -max_total_time="$SECONDS_EACH" -timeout=10 \
    -rss_limit_mb=2048 -detect_leaks=0 -print_final_stats=1 -artifact_prefix="$seeds/" "$work" "$seeds" \
    > ".build-fuzz/$target.log" 2>&1
  rc=$?
  grep -E '^(#[0-9]+ +DONE|stat::number_of_executed_units|stat::average_exec_per_sec|Done )' ".build-fuzz/$target.log"
  if [ $rc -ne 0 ] || [ "$(ls "$seeds" | wc -l)" != "$before" ]; then
    failed+=("$target")
    echo "fuzz: $target FAILED (exit $rc); crasher(s) saved in $seeds/, log in .build-fuzz/$target.log:" >&2
    grep -E -m 12 'Fatal error|ERROR|SUMMARY|#[0-9]+ 0x' ".build-fuzz/$target.log" >&2
  fi
done
if [ ${#failed[@]} -gt 0 ]; then echo "fuzz: FAILED: ${failed[*]}" >&2; exit 1; fi
echo "fuzz: no crash in $*"
