"""Local sync with --no-whole-file against rsync: same trees, real Literal/Matched figures, and
no more literal bytes than rsync sends for the same change."""
import os
import re
import subprocess

from helpers import RSYNC, SWIFTSYNC, rand_bytes, trees_equal


def _stat(out, name):
    m = re.search(rb"^" + name.encode() + rb": ([\d,]+) bytes", out, re.M)
    assert m, out.decode(errors="replace")
    return int(m.group(1).replace(b",", b""))


def test_no_whole_file_matches_rsync(tmp_path):
    src, a, b = tmp_path / "src", tmp_path / "a", tmp_path / "b"
    for d in (src, a, b):
        d.mkdir()
    old = {f"f{i}.bin": rand_bytes(size, seed=i) for i, size in enumerate([4 << 20, 300_000, 5000, 1])}
    for name, data in old.items():
        (src / name).write_bytes(data)
        os.utime(src / name, (1_700_000_000, 1_700_000_000))
    for dst in (a, b):
        subprocess.run([RSYNC, "-a", f"{src}/", f"{dst}/"], check=True)
    # Edits: overwrite, insert, delete, append; one file replaced entirely; one new file.
    big = bytearray(old["f0.bin"])
    big[1000:1010] = b"X" * 10
    big[2_000_000:2_000_000] = b"inserted bytes"
    del big[3_000_000:3_000_400]
    (src / "f0.bin").write_bytes(bytes(big) + b"tail")
    (src / "f1.bin").write_bytes(rand_bytes(300_000, seed=99))
    (src / "f2.bin").write_bytes(old["f2.bin"][:2500] + b"middle" + old["f2.bin"][2500:])
    (src / "new.bin").write_bytes(b"brand new")
    for p in src.iterdir():  # a second apart from the first versions, so the quick check sees the change
        os.utime(p, (1_700_000_100, 1_700_000_100))
    ours = subprocess.run([SWIFTSYNC, "-a", "--no-whole-file", "--stats", f"{src}/", f"{a}/"], capture_output=True)
    theirs = subprocess.run([RSYNC, "-a", "--no-whole-file", "--stats", f"{src}/", f"{b}/"], capture_output=True)
    assert ours.returncode == 0, ours.stderr
    assert theirs.returncode == 0, theirs.stderr
    trees_equal(src, a)
    assert _stat(ours.stdout, "Matched data") > 4_000_000
    assert _stat(ours.stdout, "Literal data") <= _stat(theirs.stdout, "Literal data")
    total = sum(p.stat().st_size for p in src.iterdir())
    assert _stat(ours.stdout, "Literal data") + _stat(ours.stdout, "Matched data") <= total
