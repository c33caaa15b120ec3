#!/usr/bin/env python3
"""Runs two or more commands in alternation, N rounds, and prints each one's wall-time median
and mean CPU (user, system, from rusage).

Alternating cancels the drift a noisy machine adds over a long hyperfine series (one binary's
runs all early, the other's all late), which is what a small regression hides in.

    interleave.py [--prepare CMD] N "CMD1" "CMD2" ...

--prepare runs (through the shell, untimed) before every timed run, e.g. removing the
destination for a fresh copy.
"""
import argparse
import resource
import shlex
import statistics
import subprocess
import time


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--prepare", help="shell command run untimed before each run")
    parser.add_argument("rounds", type=int)
    parser.add_argument("commands", nargs="+")
    args = parser.parse_args()
    commands = [shlex.split(c) for c in args.commands]
    wall = [[] for _ in commands]
    cpu = [[] for _ in commands]
    for _ in range(args.rounds):
        for i, command in enumerate(commands):
            if args.prepare:
                subprocess.run(args.prepare, shell=True, check=True)
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            start = time.perf_counter()
            subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
            wall[i].append(time.perf_counter() - start)
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            cpu[i].append((after.ru_utime - before.ru_utime, after.ru_stime - before.ru_stime))
    for i, command in enumerate(args.commands):
        print(f"{command}: median {statistics.median(wall[i]) * 1000:.1f} ms, "
              f"mean {statistics.mean(wall[i]) * 1000:.1f} ms, "
              f"user {statistics.mean(u for u, _ in cpu[i]) * 1000:.1f} ms, "
              f"system {statistics.mean(s for _, s in cpu[i]) * 1000:.1f} ms")


if __name__ == "__main__":
    main()
