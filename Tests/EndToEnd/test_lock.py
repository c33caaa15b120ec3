"""`--lock FILE --lock-wait SECONDS`: a run lock for any sync, local or to S3. A second run waits up to the
limit, then exits 75 naming the lock, touching nothing. util-linux's flock(1) is the peer: the
lock is the same flock(2) lock, so `flock FILE cmd` and swiftsync keep each other out."""
import json
import shutil
import subprocess
import time

import pytest

from helpers import SWIFTSYNC, assert_ok, kill_group, rand_bytes, run_swiftsync, trees_equal, write_file
from s3_support import aws, ours

pytestmark = pytest.mark.swiftsync_only


def make_source(src, size=12 << 20):
    write_file(src / "small.txt", b"small\n")
    write_file(src / "big.bin", rand_bytes(size, seed=5))


def start_slow_sync(src, dst, lock):
    """A sync that holds `lock` for 4 s at least (12 MiB at 3 MiB/s), however loaded the machine."""
    return subprocess.Popen([SWIFTSYNC, "-a", "--bwlimit=3m", "--lock", str(lock), f"{src}/", f"{dst}/"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def wait_for_holder(lock, proc):
    """Until the first run has the lock (it writes its pid into the file)."""
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        if lock.exists() and lock.read_text().strip() == str(proc.pid):
            return
        time.sleep(0.02)
    pytest.fail("the first run never took the lock")


def test_two_concurrent_syncs_with_one_lock_file_the_second_waits_then_gives_up_cleanly(tmp_path):
    src, lock = tmp_path / "src", tmp_path / "run.lock"
    make_source(src)
    first = start_slow_sync(src, tmp_path / "dst1", lock)
    try:
        wait_for_holder(lock, first)
        started = time.monotonic()
        second = run_swiftsync(["-a", "--lock", str(lock), "--lock-wait", "1.5", f"{src}/", f"{tmp_path}/dst2/"])
        waited = time.monotonic() - started
        assert second.returncode == 75, second
        assert 1.5 <= waited < 10, waited
        assert f"swiftsync: another run holds the lock {lock} (pid {first.pid}); gave up after waiting 1.5 s".encode() in second.stderr
        assert b"(code 75)" in second.stderr
        assert not (tmp_path / "dst2").exists(), "the second run touched nothing"
        # A third run that may wait long enough gets the lock when the first is done.
        third = run_swiftsync(["-a", "--lock", str(lock), "--lock-wait", "60", f"{src}/", f"{tmp_path}/dst3/"], timeout=90)
        assert_ok(third)
        assert first.poll() is not None, "the third run started only after the first ended"
    finally:
        assert first.wait(timeout=60) == 0, first.stderr.read()
    trees_equal(src, tmp_path / "dst1")
    trees_equal(src, tmp_path / "dst3")


def test_the_lock_is_flock1s_and_dies_with_its_holder(tmp_path):
    flock = shutil.which("flock")
    assert flock, "flock(1) from util-linux is required (make test installs util-linux)"
    src, lock = tmp_path / "src", tmp_path / "run.lock"
    make_source(src, size=1000)
    # -o: the lock is flock's own, not inherited by sleep, so killing flock frees it.
    holder = subprocess.Popen([flock, "-o", str(lock), "sleep", "30"], start_new_session=True)
    try:
        deadline = time.monotonic() + 10
        while subprocess.run([flock, "-n", str(lock), "true"]).returncode == 0:
            assert time.monotonic() < deadline, "flock(1) never took the lock"
            time.sleep(0.02)
        r = run_swiftsync(["-a", "--lock", str(lock), f"{src}/", f"{tmp_path}/dst/"])
        assert r.returncode == 75 and b"did not wait (--lock-wait 0)" in r.stderr, r
        assert not (tmp_path / "dst").exists()
    finally:
        kill_group(holder)
        holder.wait()
    # kill -9 of the holder frees the lock at once: nothing stale is left.
    assert_ok(run_swiftsync(["-a", "--lock", str(lock), f"{src}/", f"{tmp_path}/dst/"]))
    trees_equal(src, tmp_path / "dst")
    # And flock(1) is kept out while swiftsync holds it.
    make_source(src)
    slow = start_slow_sync(src, tmp_path / "dst-slow", lock)
    try:
        wait_for_holder(lock, slow)
        assert subprocess.run([flock, "-n", str(lock), "true"]).returncode == 1
    finally:
        slow.kill()
        slow.wait()


def test_lock_option_errors(tmp_path):
    src = tmp_path / "src"
    make_source(src, size=10)
    r = run_swiftsync(["-a", "--lock-wait", "5", f"{src}/", f"{tmp_path}/dst/"])
    assert r.returncode == 1 and b"--lock-wait needs --lock FILE" in r.stderr, r
    r = run_swiftsync(["-a", "--lock", str(tmp_path / "lock"), "--lock-wait", "-1", f"{src}/", f"{tmp_path}/dst/"])
    assert r.returncode == 1, r
    r = run_swiftsync(["-a", "--lock", str(tmp_path / "no" / "such" / "lock"), f"{src}/", f"{tmp_path}/dst/"])
    assert r.returncode == 11 and b"cannot use the lock file" in r.stderr and b"No such file or directory" in r.stderr, r
    assert not (tmp_path / "dst").exists()


def test_a_sync_to_s3_takes_the_lock_before_anything_is_touched(tmp_path, moto, bucket):
    src, lock = tmp_path / "src", tmp_path / "lock"
    write_file(src / "a.txt", b"a")
    holder = subprocess.Popen(["flock", "-o", str(lock), "sleep", "30"], start_new_session=True)
    try:
        while subprocess.run(["flock", "-n", str(lock), "true"]).returncode == 0:
            time.sleep(0.02)
        r = ours(moto, "-a", "--lock", str(lock), "--lock-wait", "0.5", f"{src}/", f"s3://{bucket}/x/")
        assert r.returncode == 75 and b"gave up after waiting 0.5 s" in r.stderr, r
    finally:
        kill_group(holder)
        holder.wait()
    listed = json.loads(aws(moto, "s3api", "list-objects-v2", "--bucket", bucket).stdout or b"{}")
    assert listed.get("Contents", []) == [], "nothing uploaded"
    r = ours(moto, "-a", "--lock", str(lock), f"{src}/", f"s3://{bucket}/x/")
    assert r.returncode == 0, r.stderr
