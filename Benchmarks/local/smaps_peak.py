#!/usr/bin/env python3
"""Peak RSS of a command, split into file-backed and anonymous memory (from smaps_rollup).

  python3 Benchmarks/local/smaps_peak.py COMMAND [ARGS...]
"""
import subprocess, sys, time, re
p = subprocess.Popen(sys.argv[1:], stdout=subprocess.DEVNULL)
peak = {}
while p.poll() is None:
    try:
        txt = open(f"/proc/{p.pid}/smaps_rollup").read()
        vals = {k: int(v) for k, v in re.findall(r"^(\w+):\s+(\d+) kB", txt, re.M)}
        if vals.get("Rss", 0) > peak.get("Rss", 0): peak = vals
    except Exception: pass
    time.sleep(0.005)
print({k: peak.get(k) for k in ["Rss", "Pss", "Shared_Clean", "Private_Clean", "Private_Dirty", "Anonymous"]})
