#!/usr/bin/env bash
# Runs the kernel micro benchmarks (package-benchmark) and prints one row per benchmark:
# median wall time of one iteration and GB/s (10^9 bytes/s) = buffer size / median, the buffer
# size being read from the benchmark's name ("... 64 MiB"; MiB = 2^20 bytes).
#
#   Benchmarks/Kernels/run.sh                      # whole suite (~2 minutes on 2 cores)
#   Benchmarks/Kernels/run.sh --filter 'delta.*'   # extra arguments go to `swift package benchmark`
#
# KERNELS_BUILD_PATH: build directory (default /tmp/kernels-build, apart from the root package's).
# KERNELS_TMPDIR: where the patch benchmarks put their files (default /dev/shm, else $TMPDIR).
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
build="${KERNELS_BUILD_PATH:-/tmp/kernels-build}"
results="$(mktemp -d)"
trap 'rm -rf "$results"' EXIT

cd "$here"
# package-benchmark's JMH export: per benchmark, the wall-clock percentiles in µs (from the
# histogram's nanoseconds), unlike the text/markdown tables, which round to the display unit.
swift package --build-path "$build" benchmark --no-progress --format jmh --path "$results" "$@" >&2

shopt -s nullglob
files=("$results"/*.jmh.json)
if [ ${#files[@]} -eq 0 ]; then
    echo "run.sh: package-benchmark wrote no JMH results in $results" >&2
    exit 1
fi

python3 - "${files[@]}" <<'PY'
import json, re, sys

units = {"B": 1, "KiB": 1 << 10, "MiB": 1 << 20, "GiB": 1 << 30}
rows = []
for path in sys.argv[1:]:
    for element in json.load(open(path)):
        # "package.benchmark.<target>.<name with spaces as underscores>"
        name = element["benchmark"].split(".", 3)[3].replace("_", " ")
        wall = element["secondaryMetrics"]["Time (wall clock)"]
        assert wall["scoreUnit"] == "μs", wall["scoreUnit"]
        p = wall["scorePercentiles"]
        median_s = p["50.0"] / 1e6
        size = re.search(r"(\d+(?:\.\d+)?) (B|KiB|MiB|GiB)\b", name)
        nbytes = float(size.group(1)) * units[size.group(2)] if size else None
        rows.append((name, median_s, p["0.0"] / 1e6, p["100.0"] / 1e6,
                     element["measurementIterations"], nbytes / median_s / 1e9 if nbytes else None))

rows.sort(key=lambda r: r[0])
header = ("Benchmark", "Median (ms)", "Min–max (ms)", "Runs", "GB/s (median)")
print("| " + " | ".join(header) + " |")
print("|---|---:|---:|---:|---:|")
for name, median, lo, hi, n, gbs in rows:
    print(f"| {name} | {median * 1e3:.2f} | {lo * 1e3:.2f}–{hi * 1e3:.2f} | {n} | "
          + (f"{gbs:.3f}" if gbs is not None else "n/a") + " |")
PY
