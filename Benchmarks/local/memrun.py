#!/usr/bin/env python3
"""Run one command under GNU time and report its memory and wall time.

  memrun.py CMD [ARGS...]

Prints one tab-separated line on stdout:

  elapsed_s  maxrss_kib  sum_hwm_kib  nprocs  exit_code

* elapsed_s, maxrss_kib: from `/usr/bin/time -f '%e %M'`. %M is the kernel's ru_maxrss of the
  waited-for child, i.e. the peak RSS of the single *largest* process of the tree (it is not
  summed over processes).
* sum_hwm_kib: the sum over every process of the tree (GNU time itself excluded) of its own
  peak RSS (VmHWM), sampled from /proc every few milliseconds until the process exits. This is
  what a multi-process tool such as rsync (sender + generator + receiver) really costs; for a
  single-process tool it equals maxrss_kib within sampling error. Sampling can only
  under-estimate it (a process's last few milliseconds may be missed).
* nprocs: how many processes were seen (excluding GNU time).

The command's own stdout/stderr are passed through to stderr, so stdout carries only the line.
"""
import os, subprocess, sys, tempfile, time

POLL = 0.004


def ppid_of(pid):
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            s = f.read()
        return int(s[s.rindex(b")") + 2:].split()[1])
    except (OSError, ValueError, IndexError):
        return None


def hwm_of(pid):
    try:
        with open(f"/proc/{pid}/status", "rb") as f:
            for line in f:
                if line.startswith(b"VmHWM:"):
                    return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return None


def main():
    cmd = sys.argv[1:]
    if not cmd:
        sys.exit(__doc__)
    fd, tfile = tempfile.mkstemp(prefix="memrun.")
    os.close(fd)
    try:
        p = subprocess.Popen(["/usr/bin/time", "-f", "%e %M", "-o", tfile, *cmd],
                             stdout=sys.stderr, stderr=sys.stderr)
        root = p.pid
        tree = {root}          # pids known to belong to the tree
        parent = {}            # pid -> ppid cache (only for pids not in the tree)
        hwm = {}               # pid -> last VmHWM seen (KiB)
        while p.poll() is None:
            for name in os.listdir("/proc"):
                if not name.isdigit():
                    continue
                pid = int(name)
                if pid not in tree:
                    if pid not in parent:
                        parent[pid] = ppid_of(pid)
                    if parent[pid] in tree:
                        tree.add(pid)
                if pid in tree and pid != root:
                    v = hwm_of(pid)
                    if v is not None:
                        hwm[pid] = max(v, hwm.get(pid, 0))
            # children may have been created since the last scan: re-check unknowns next round
            parent = {k: v for k, v in parent.items() if v is not None and v not in tree}
            time.sleep(POLL)
        rc = p.returncode
        with open(tfile) as f:
            last = [l for l in f.read().splitlines() if l.strip()][-1]
        elapsed, maxrss = last.split()
        print(f"{float(elapsed):.3f}\t{int(maxrss)}\t{sum(hwm.values())}\t{len(hwm)}\t{rc}")
        sys.exit(0 if rc == 0 else rc)
    finally:
        os.unlink(tfile)


if __name__ == "__main__":
    main()
