"""Whichever backends are paired, the same tree and the same options decide the same files.

One tree is synced, changed, and synced again with an option set: by rsync local → local (the
oracle), and by us local → local, local → S3, S3 → local and S3 → S3. The names sent and the
names deleted must be rsync's in every pairing: the rules (quick check, filters, deletion
protection, -u, --existing, --ignore-existing, size limits) are the engine's, not a second copy
that drifts. Only what a pairing cannot mean differs (S3 has no directories to itemize, so `d`
lines are left out of the comparison)."""
import os
import subprocess
import time

import pytest

from helpers import RSYNC, SWIFTSYNC
from s3_support import ENV, itemized, ours

pytestmark = pytest.mark.swiftsync_only

T0 = 1_700_000_000

BASE = {
    "a.txt": b"alpha\n",
    "keep.txt": b"unchanged\n",
    "touched.txt": b"same-size-1\n",
    "dir/c.txt": b"c\n",
    "dir/d.txt": b"d\n",
    "skip.tmp": b"temporary\n",
    "big/one.bin": b"x" * 5000,
}


def write(root, files, mtime):
    for name, data in files.items():
        p = root / name
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_bytes(data)
        os.utime(p, (mtime, mtime))


def build(root):
    write(root, BASE, T0)


def mutate(root):
    """A longer a.txt, a same-size rewrite of touched.txt, a bigger one.bin, a new file, a
    removed one; every change dated an hour ahead, so no time rule can call it up to date."""
    later = int(time.time()) + 3600
    write(root, {"a.txt": b"alpha, now longer\n", "touched.txt": b"same-size-2\n", "big/one.bin": b"y" * 6000,
                 "new/e.txt": b"e\n"}, later)
    (root / "dir" / "d.txt").unlink()


OPTION_SETS = {
    "archive": ["-a"],
    "delete-protects-excluded": ["-a", "--delete", "--exclude", "*.tmp"],
    "delete-excluded": ["-a", "--delete-excluded", "--exclude", "*.tmp"],
    "size-only": ["-a", "--size-only"],
    "checksum": ["-a", "-c"],
    "ignore-times": ["-a", "-I"],
    "ignore-existing": ["-a", "--ignore-existing"],
    "existing": ["-a", "--existing"],
    "update": ["-a", "-u"],
    "max-size": ["-a", "--max-size", "1000"],
    "min-size": ["-a", "--min-size", "11"],
    "exclude-dir": ["-a", "--delete", "--exclude", "dir/"],
}


def decisions(result):
    """(what, name) for every file sent or deleted in a run's -i lines."""
    assert result.returncode == 0, result.stderr.decode(errors="replace")
    out = set()
    for line in itemized(result):
        if line.startswith("*deleting"):
            out.add(("delete", line[12:].rstrip("/")))
        elif line[0] in "<>" and line[1] == "f":
            out.add(("send", line[12:]))
    return out


def rsync_decisions(tmp_path, options):
    src, dst = tmp_path / "rsrc", tmp_path / "rdst"
    build(src)
    subprocess.run([RSYNC, "-a", f"{src}/", f"{dst}/"], check=True)
    mutate(src)
    return decisions(subprocess.run([RSYNC, *options, "-i", f"{src}/", f"{dst}/"], capture_output=True))


def test_the_oracle_sees_every_kind_of_change(tmp_path):
    """The scenario is worth comparing: plain -a sends the three changed files and the new one."""
    assert rsync_decisions(tmp_path, ["-a", "--delete"]) == {
        ("send", "a.txt"), ("send", "touched.txt"), ("send", "big/one.bin"), ("send", "new/e.txt"), ("delete", "dir/d.txt")}


@pytest.mark.parametrize("case", OPTION_SETS)
def test_local_to_local(tmp_path, case):
    options = OPTION_SETS[case]
    src, dst = tmp_path / "src", tmp_path / "dst"
    build(src)
    assert subprocess.run([SWIFTSYNC, "-a", f"{src}/", f"{dst}/"]).returncode == 0
    mutate(src)
    got = decisions(subprocess.run([SWIFTSYNC, *options, "-i", f"{src}/", f"{dst}/"], capture_output=True))
    assert got == rsync_decisions(tmp_path, options)


@pytest.mark.parametrize("case", OPTION_SETS)
def test_local_to_s3(tmp_path, moto, bucket, case):
    options = OPTION_SETS[case]
    src = tmp_path / "src"
    build(src)
    assert ours(moto, "-a", f"{src}/", f"s3://{bucket}/t/").returncode == 0
    mutate(src)
    got = decisions(ours(moto, *options, "-i", f"{src}/", f"s3://{bucket}/t/"))
    assert got == rsync_decisions(tmp_path, options)


def _bucket_holding_the_change(tmp_path, moto, bucket, before_change):
    """The original tree uploaded to t/, `before_change()` run, then the changed tree uploaded
    over it, one second later (object times are whole seconds)."""
    src = tmp_path / "src"
    build(src)
    assert ours(moto, "-a", f"{src}/", f"s3://{bucket}/t/").returncode == 0
    before_change()
    time.sleep(1.1)
    mutate(src)
    assert ours(moto, "-a", "--delete", f"{src}/", f"s3://{bucket}/t/").returncode == 0


@pytest.mark.parametrize("case", OPTION_SETS)
def test_s3_to_local(tmp_path, moto, bucket, case):
    options = OPTION_SETS[case]
    dst = tmp_path / "dst"
    _bucket_holding_the_change(
        tmp_path, moto, bucket,
        lambda: (ours(moto, "-a", f"s3://{bucket}/t/", f"{dst}/").returncode == 0) or pytest.fail("first download"))
    got = decisions(ours(moto, *options, "-i", f"s3://{bucket}/t/", f"{dst}/"))
    assert got == rsync_decisions(tmp_path, options)


@pytest.mark.parametrize("case", OPTION_SETS)
def test_s3_to_s3(tmp_path, moto, bucket, case):
    options = OPTION_SETS[case]
    _bucket_holding_the_change(
        tmp_path, moto, bucket,
        lambda: (ours(moto, "-a", f"s3://{bucket}/t/", f"s3://{bucket}/copy/").returncode == 0) or pytest.fail("first copy"))
    got = decisions(ours(moto, *options, "-i", f"s3://{bucket}/t/", f"s3://{bucket}/copy/"))
    assert got == rsync_decisions(tmp_path, options)
