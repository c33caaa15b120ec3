"""S3 → local never writes through a symlink in the destination (issue 13, item 1).

Every directory of a download is reached from its parent's descriptor without following a
symlink. A symlink where a directory should be is replaced; when it cannot be (a 0555 parent
for an unprivileged user, `chattr +i`), the files under it are an error (exit 23) and nothing
lands where it points. A symlink swapped in for a directory during the run sends nothing out."""
import os
import subprocess
import threading
import time
from pathlib import Path

import pytest

from helpers import SWIFTSYNC, as_nobody
from s3_support import ENV, ours

pytestmark = pytest.mark.swiftsync_only


def put(moto, bucket, key, body=b"x"):
    subprocess.run(["aws", "--endpoint-url", moto, "s3", "cp", "-", f"s3://{bucket}/{key}"], input=body, env=ENV,
                   check=True, capture_output=True, timeout=60)


def everything_below(root):
    return sorted(os.path.relpath(os.path.join(d, n), root) for d, dirs, files in os.walk(root) for n in dirs + files)


def hostile_world(base):
    """`base/dst/sub -> ../outside`, `outside` writable by anyone (so a write through the link would succeed)."""
    dst, outside = Path(base) / "dst", Path(base) / "outside"
    outside.mkdir()
    os.chmod(outside, 0o777)
    dst.mkdir()
    os.symlink("../outside", dst / "sub")
    return dst, outside


def test_unremovable_symlink_in_a_read_only_destination_is_not_followed(world_tmp, moto, bucket):
    put(moto, bucket, "p/sub/f", b"must not escape\n")
    put(moto, bucket, "p/sub/deeper/g", b"nor this\n")
    dst, outside = hostile_world(world_tmp)
    os.chmod(dst, 0o555)
    r = subprocess.run(as_nobody([SWIFTSYNC, "--endpoint-url", moto, "-a", f"s3://{bucket}/p/", f"{dst}/"]),
                       env=ENV, capture_output=True, timeout=120)
    assert r.returncode == 23, r.stderr
    assert everything_below(outside) == [], "nothing is written where the symlink points"
    assert os.readlink(dst / "sub") == "../outside"
    # As rsync says it locally: the symlink cannot be removed, so the directory is not made
    # and nothing below it is written anywhere.
    err = r.stderr.decode()
    assert 'dst/sub" failed: Permission denied' in err and "could not make way for new directory: sub" in err, err


def test_immutable_destination_with_a_symlink_is_not_followed(tmp_path, moto, bucket):
    put(moto, bucket, "i/sub/f", b"must not escape\n")
    put(moto, bucket, "i/top", b"top\n")
    dst, outside = hostile_world(tmp_path)
    # Even root cannot unlink in an immutable directory.
    subprocess.run(["chattr", "+i", str(dst)], check=True)
    try:
        r = ours(moto, "-a", "--delete", f"s3://{bucket}/i/", f"{dst}/")
    finally:
        subprocess.run(["chattr", "-i", str(dst)], check=True)
    assert r.returncode == 23, r.stderr
    assert everything_below(outside) == []
    assert os.readlink(dst / "sub") == "../outside"
    assert b'dst/sub" failed: Operation not permitted' in r.stderr, r.stderr


def test_replaceable_symlink_becomes_a_directory(tmp_path, moto, bucket):
    put(moto, bucket, "r/sub/f", b"inside\n")
    dst, outside = hostile_world(tmp_path)
    r = ours(moto, "-a", f"s3://{bucket}/r/", f"{dst}/")
    assert r.returncode == 0, r.stderr
    assert (dst / "sub").is_dir() and not (dst / "sub").is_symlink()
    assert (dst / "sub" / "f").read_bytes() == b"inside\n"
    assert everything_below(outside) == []


def test_symlink_swapped_in_during_the_run_sends_nothing_outside(tmp_path, moto, bucket):
    src = tmp_path / "src"
    for i in range(300):
        p = src / "a" / "b" / f"f{i:03}"
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_bytes(b"%d\n" % i)
    assert ours(moto, "-a", f"{src}/", f"s3://{bucket}/s/").returncode == 0
    dst, outside = tmp_path / "dst", tmp_path / "outside"
    outside.mkdir()
    (outside / "b").mkdir()
    hits = 0
    for attempt in range(3):
        proc = subprocess.Popen([SWIFTSYNC, "--endpoint-url", moto, "--s3-concurrency", "4", "-a", f"s3://{bucket}/s/", f"{dst}/"],
                                env=ENV, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        stop = threading.Event()

        def swap():
            # Once `dst/a` exists, keep putting a symlink to `outside` in its place and taking it out again.
            nonlocal hits
            while not stop.is_set():
                a = dst / "a"
                try:
                    if a.is_dir() and not a.is_symlink():
                        os.rename(a, dst / "a.real")
                        os.symlink(str(outside), a)
                        hits += 1
                        time.sleep(0.002)
                        os.unlink(a)
                        os.rename(dst / "a.real", a)
                except OSError:
                    pass
                time.sleep(0.0005)

        swapper = threading.Thread(target=swap)
        swapper.start()
        proc.communicate(timeout=120)
        stop.set()
        swapper.join()
        assert everything_below(outside) == ["b"], f"files were written outside the destination (attempt {attempt})"
        subprocess.run(["rm", "-rf", str(dst)], check=True)
    assert hits > 0, "the swap never happened: the test proved nothing"
