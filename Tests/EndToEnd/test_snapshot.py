"""`swiftsync snapshot`: rsnapshot-style hard-link snapshots with rotation.

Oracles: rsync (each snapshot equals the source as it was: `rsync -a -c -n -i --delete` finds
nothing), the inodes themselves (unchanged files shared, changed ones not), `du` (the space
`snapshot list` says each snapshot adds is what `du` counts for it after all the others), and
kill -9 at every rename of a rotation (strace's syscall fault injection stops the process just
before the N-th rename(2) of the thread that rotates, the thread's counter starting at 0).
"""
import json
import os
import shutil
import signal
import stat
import subprocess
import time

import pytest

from helpers import SEC, SWIFTSYNC, T0, assert_ok, describe, kill_group, rand_bytes, run_rsync, run_swiftsync, slash, tree_listing, write_file

pytestmark = pytest.mark.swiftsync_only

RETAIN = ["--retain", "daily=3", "--retain", "weekly=2"]


def snapshot(src, root, *args, **kw):
    return run_swiftsync(["snapshot", *args, f"{src}/", str(root), *RETAIN], **kw)


def take(src, root, n, *args, rc=0):
    """Writes run number `n` into the source and takes a snapshot. (The stamp's time is a
    second of its own: a quick check does not see a change of equal size within a second.)"""
    write_file(src / "stamp", f"run {n}\n", mtime_ns=T0 + (n + 1) * SEC)
    return assert_ok(snapshot(src, root, *args), rc)


def stamps(root):
    """Every directory in the root (snapshots, .in-progress, .expired.*) -> the run it holds."""
    out = {}
    for name in sorted(os.listdir(root)):
        p = root / name
        if p.is_dir() and not p.is_symlink():
            s = p / "stamp"
            out[name] = s.read_text().strip() if s.exists() else "?"
    return out


def same_as_source(src, snapshot_dir):
    """rsync finds nothing to do between the source and the snapshot, but for the time of the
    snapshot's own directory: that is the time it was taken (as rsnapshot sets it)."""
    cp = run_rsync(["-a", "-c", "-n", "-i", "--delete", slash(src), slash(snapshot_dir)])
    assert cp.returncode == 0, describe(cp)
    assert [line for line in cp.stdout.splitlines() if line != b".d..t...... ./"] == [], describe(cp)


def listing(path):
    return tree_listing(path, dir_times=False)


def make_source(src):
    write_file(src / "same.txt", b"never changes\n")
    write_file(src / "sub" / "deep.bin", rand_bytes(200_000, seed=3))
    write_file(src / "changes.txt", b"version 1\n")
    write_file(src / "goes-away.txt", b"deleted before run 3\n")


def test_unchanged_files_share_an_inode_changed_ones_do_not(tmp_path):
    src, root = tmp_path / "src", tmp_path / "snaps"
    make_source(src)
    copies = []
    for n in range(3):
        if n == 1:
            write_file(src / "changes.txt", b"version 2, longer\n", mtime_ns=T0 + 100 * SEC)
            write_file(src / "new.txt", b"added in run 1\n")
        if n == 2:
            os.unlink(src / "goes-away.txt")
        take(src, root, n)
        copies.append(tmp_path / f"copy{n}")
        shutil.copytree(src, copies[-1], symlinks=True, copy_function=shutil.copy2)
    assert stamps(root) == {"daily.0": "run 2", "daily.1": "run 1", "daily.2": "run 0"}
    # Each snapshot is the source as it was (rsync finds nothing to do)...
    for n, name in [(2, "daily.0"), (1, "daily.1"), (0, "daily.2")]:
        same_as_source(copies[n], root / name)
    # ...unchanged files are one inode in all of them, changed and new ones are not.
    ino = lambda name, rel: os.lstat(root / name / rel).st_ino
    assert ino("daily.0", "same.txt") == ino("daily.1", "same.txt") == ino("daily.2", "same.txt")
    assert ino("daily.0", "sub/deep.bin") == ino("daily.2", "sub/deep.bin")
    assert os.lstat(root / "daily.0" / "same.txt").st_nlink == 3
    assert ino("daily.1", "changes.txt") != ino("daily.2", "changes.txt")
    assert ino("daily.0", "changes.txt") == ino("daily.1", "changes.txt")
    assert ino("daily.0", "stamp") != ino("daily.1", "stamp")
    assert ino("daily.0", "new.txt") == ino("daily.1", "new.txt")
    assert (root / "daily.1" / "goes-away.txt").exists() and not (root / "daily.0" / "goes-away.txt").exists()
    assert sorted(os.listdir(root)) == [".lock", "daily.0", "daily.1", "daily.2"], "nothing left behind"


def test_rotation_counts_and_promotion_follow_rsnapshot(tmp_path):
    src, root = tmp_path / "src", tmp_path / "snaps"
    make_source(src)
    take(src, root, 0)
    take(src, root, 1)
    r = take(src, root, 2, "--level", "weekly")
    assert b"--level weekly: no daily.2 yet, nothing to promote" in r.stdout, r.stdout
    assert stamps(root) == {"daily.0": "run 2", "daily.1": "run 1", "daily.2": "run 0"}
    take(src, root, 3)
    assert stamps(root) == {"daily.0": "run 3", "daily.1": "run 2", "daily.2": "run 1"}, "three dailies kept"
    take(src, root, 4, "--level", "weekly")
    assert stamps(root) == {"daily.0": "run 4", "daily.1": "run 3", "daily.2": "run 2", "weekly.0": "run 1"}, \
        "the oldest daily became weekly.0"
    take(src, root, 5)
    take(src, root, 6, "--level", "weekly")
    take(src, root, 7, "--level", "weekly")
    assert stamps(root) == {"daily.0": "run 7", "daily.1": "run 6", "daily.2": "run 5", "weekly.0": "run 4", "weekly.1": "run 3"}
    same_as_source(src, root / "daily.0")


def test_list_shows_dates_and_the_space_du_counts(tmp_path):
    src, root = tmp_path / "src", tmp_path / "snaps"
    make_source(src)
    for n in range(3):
        write_file(src / f"big{n}.bin", rand_bytes(300_000 + n, seed=10 + n))
        take(src, root, n)
        time.sleep(0.05)
    r = assert_ok(run_swiftsync(["snapshot", "list", "--json", str(root)]))
    survey = json.loads(r.stdout)
    names = [s["name"] for s in survey["snapshots"]]
    assert names == ["daily.0", "daily.1", "daily.2"], "newest first"
    times = [s["time_seconds"] for s in survey["snapshots"]]
    assert times == sorted(times, reverse=True) and abs(times[0] - time.time()) < 120

    def du(*names):
        out = subprocess.run(["du", "-s", "-B1", *[str(root / n) for n in names]], capture_output=True, check=True).stdout
        return [int(line.split()[0]) for line in out.decode().splitlines()]

    for s in survey["snapshots"]:
        others = [n for n in names if n != s["name"]]
        assert s["bytes"] == du(s["name"])[0], s
        assert s["added_bytes"] == du(*others, s["name"])[-1], f"du after the others: {s}"
    assert survey["total_bytes"] == sum(du(*names))
    assert survey["snapshots"][2]["added_bytes"] < 300_000 < survey["snapshots"][0]["added_bytes"]
    table = assert_ok(run_swiftsync(["snapshot", "list", str(root)])).stdout.decode().splitlines()
    assert table[0].split() == ["SNAPSHOT", "DATE", "SIZE", "ADDS"]
    assert [line.split()[0] for line in table[1:]] == names + ["total"]


def test_a_reused_in_progress_never_changes_the_snapshot_it_links_to(tmp_path):
    """An interrupted run leaves .in-progress full of hard links to daily.0; the source's mode
    changes meanwhile. The next run must not chmod daily.0's file through the shared inode."""
    src, root = tmp_path / "src", tmp_path / "snaps"
    make_source(src)
    take(src, root, 0)
    subprocess.run(["cp", "-al", str(root / "daily.0"), str(root / ".in-progress")], check=True)
    os.chmod(src / "same.txt", 0o600)
    before = listing(root / "daily.0")
    take(src, root, 1)
    assert stat.S_IMODE(os.lstat(root / "daily.1" / "same.txt").st_mode) == 0o644
    assert listing(root / "daily.1") == before
    assert stat.S_IMODE(os.lstat(root / "daily.0" / "same.txt").st_mode) == 0o600
    same_as_source(src, root / "daily.0")
    assert os.lstat(root / "daily.0" / "sub" / "deep.bin").st_ino == os.lstat(root / "daily.1" / "sub" / "deep.bin").st_ino


def test_a_run_killed_during_the_sync_leaves_the_snapshots_alone_and_the_next_run_completes(tmp_path):
    src, root = tmp_path / "src", tmp_path / "snaps"
    make_source(src)
    take(src, root, 0)
    take(src, root, 1)
    before = {name: listing(root / name) for name in ["daily.0", "daily.1"]}
    for i in range(3):
        write_file(src / f"big{i}.bin", rand_bytes(8 << 20, seed=i))
    write_file(src / "stamp", "run 2\n", mtime_ns=T0 + 3 * SEC)
    proc = subprocess.Popen([SWIFTSYNC, "snapshot", "--bwlimit=8m", f"{src}/", str(root), *RETAIN],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(1.2)
    assert proc.poll() is None, "the snapshot finished before it could be killed"
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    assert (root / ".in-progress").is_dir()
    assert {name: listing(root / name) for name in ["daily.0", "daily.1"]} == before, "finished snapshots untouched"
    assert sorted(stamps(root)) == [".in-progress", "daily.0", "daily.1"]
    r = assert_ok(snapshot(src, root))
    assert b"completing" in r.stdout, r.stdout
    assert stamps(root) == {"daily.0": "run 2", "daily.1": "run 1", "daily.2": "run 0"}
    same_as_source(src, root / "daily.0")
    assert listing(root / "daily.1") == before["daily.0"] and listing(root / "daily.2") == before["daily.1"]


def strace():
    exe = shutil.which("strace")
    assert exe, "strace is required for the kill-mid-rotation tests (make test installs it: apt-get install strace)"
    return exe


@pytest.mark.parametrize("kill_at", range(0, 7))
def test_a_run_killed_at_any_rename_of_its_rotation_loses_nothing(tmp_path, kill_at):
    """daily.0-2 and weekly.0-1, a --level weekly run: the journal is renamed into place
    (renameat), then 6 steps (renameat2, RENAME_NOREPLACE). Killed just before the journal's
    rename (kill_at 0) or before step `kill_at`; every snapshot is still there (under its old name, its new
    one, or an .expired. one while the journal says so); the next run ends exactly as an
    uninterrupted run would have."""
    src, root = tmp_path / "src", tmp_path / "snaps"
    make_source(src)
    for n in range(3):
        take(src, root, n)
    take(src, root, 3, "--level", "weekly")
    take(src, root, 4, "--level", "weekly")
    assert stamps(root) == {"daily.0": "run 4", "daily.1": "run 3", "daily.2": "run 2", "weekly.0": "run 1", "weekly.1": "run 0"}
    contents = {stamps(root)[name]: listing(root / name) for name in stamps(root)}
    reference = tmp_path / "reference"
    subprocess.run(["cp", "-a", str(root), str(reference)], check=True)
    write_file(src / "stamp", "run 5\n", mtime_ns=T0 + 6 * SEC)
    assert_ok(snapshot(src, reference, "--level", "weekly"))
    expected = stamps(reference)
    assert expected == {"daily.0": "run 5", "daily.1": "run 4", "daily.2": "run 3", "weekly.0": "run 2", "weekly.1": "run 1"}

    syscall, when = ("renameat", 1) if kill_at == 0 else ("renameat2", kill_at)
    killed = subprocess.run([strace(), "-f", "-qq", "-o", "/dev/null", "-e", f"trace={syscall}",
                             "-e", f"inject={syscall}:signal=KILL:when={when}",
                             SWIFTSYNC, "snapshot", "--level", "weekly", f"{src}/", str(root), *RETAIN], capture_output=True, timeout=120)
    assert killed.returncode in (-9, 137), f"not killed: {killed.returncode} {killed.stderr!r}"
    journal = (root / ".rotation").exists()
    assert journal or (kill_at == 0 and (root / ".rotation.tmp").exists()), f"killed outside the rotation: {os.listdir(root)}"
    # Nothing is lost: every snapshot is somewhere, unchanged.
    now = stamps(root)
    assert sorted(now.values()) == sorted(list(contents) + ["run 5"]), now
    for name, run in now.items():
        if run in contents:
            assert listing(root / name) == contents[run], name
    assert_ok(snapshot(src, root, "--level", "weekly"))
    assert stamps(root) == expected
    assert not (root / ".rotation").exists() and not [n for n in os.listdir(root) if n.startswith(".expired.")]
    for name, run in expected.items():
        if run in contents:
            assert listing(root / name) == contents[run], name
    same_as_source(src, root / "daily.0")


def test_a_run_killed_while_deleting_an_expired_snapshot_finishes_the_deletion_next_time(tmp_path):
    src, root = tmp_path / "src", tmp_path / "snaps"
    make_source(src)
    for n in range(3):
        take(src, root, n)
    write_file(src / "stamp", "run 3\n", mtime_ns=T0 + 4 * SEC)
    # The rotating thread unlinks the journal (1), then the expired daily.2's files.
    killed = subprocess.run([strace(), "-f", "-qq", "-o", "/dev/null", "-e", "trace=unlinkat",
                             "-e", "inject=unlinkat:signal=KILL:when=3",
                             SWIFTSYNC, "snapshot", f"{src}/", str(root), *RETAIN], capture_output=True, timeout=120)
    assert killed.returncode in (-9, 137), killed.stderr
    assert [n for n in os.listdir(root) if n.startswith(".expired.")] == [".expired.daily.2"]
    assert stamps(root)["daily.0"] == "run 3", "the rotation was committed before the deletion"
    take(src, root, 4)
    assert stamps(root) == {"daily.0": "run 4", "daily.1": "run 3", "daily.2": "run 2"}


def test_the_default_lock_keeps_a_second_snapshot_out(tmp_path):
    """DEST_ROOT/.lock, held here by util-linux's flock(1) as another run would hold it."""
    src, root = tmp_path / "src", tmp_path / "snaps"
    make_source(src)
    take(src, root, 0)
    holder = subprocess.Popen(["flock", "-o", str(root / ".lock"), "sleep", "30"], start_new_session=True)
    try:
        while subprocess.run(["flock", "-n", str(root / ".lock"), "true"]).returncode == 0:
            time.sleep(0.02)
        before = {name: listing(root / name) for name in os.listdir(root) if name != ".lock"}
        started = time.monotonic()
        second = take(src, root, 1, "--lock-wait", "1", rc=75)
        assert time.monotonic() - started >= 1
        assert f"another run holds the lock {root}/.lock; gave up after waiting 1 s".encode() in second.stderr, second.stderr
        assert {name: listing(root / name) for name in os.listdir(root) if name != ".lock"} == before, "touched nothing"
    finally:
        kill_group(holder)
        holder.wait()
    take(src, root, 1)
    assert stamps(root) == {"daily.0": "run 1", "daily.1": "run 0"}


def test_the_global_lock_form_that_cron_install_writes_works_for_snapshots(tmp_path):
    """`swiftsync --lock F --lock-wait N snapshot ...`: the lock is F, taken before DEST_ROOT is made."""
    src, root, lock = tmp_path / "src", tmp_path / "snaps", tmp_path / "cron.lock"
    make_source(src)
    holder = subprocess.Popen(["flock", "-o", str(lock), "sleep", "30"], start_new_session=True)
    try:
        while subprocess.run(["flock", "-n", str(lock), "true"]).returncode == 0:
            time.sleep(0.02)
        r = run_swiftsync(["--lock", str(lock), "--lock-wait", "0.5", "snapshot", f"{src}/", str(root), *RETAIN])
        assert r.returncode == 75 and f"the lock {lock}; gave up after waiting 0.5 s".encode() in r.stderr, r
        assert not root.exists(), "nothing made, the snapshot root included"
    finally:
        kill_group(holder)
        holder.wait()
    assert_ok(run_swiftsync(["--lock", str(lock), "--lock-wait", "5", "snapshot", f"{src}/", str(root), *RETAIN]))
    assert sorted(os.listdir(root)) == ["daily.0"], "its own lock, not DEST_ROOT/.lock"


def test_dry_run_changes_nothing_and_says_what_it_would_do(tmp_path):
    src, root = tmp_path / "src", tmp_path / "snaps"
    make_source(src)
    for n in range(3):
        take(src, root, n)
    os.unlink(root / ".lock")
    before = {name: listing(root / name) for name in os.listdir(root)}
    r = assert_ok(snapshot(src, root, "-n", "--level", "weekly"))
    out = r.stdout.decode()
    assert "snapshot: would rename daily.2 -> weekly.0" in out and "snapshot: would rename .in-progress -> daily.0" in out, out
    assert {name: listing(root / name) for name in os.listdir(root)} == before
    assert_ok(run_swiftsync(["snapshot", "-n", f"{src}/", str(tmp_path / "none"), *RETAIN]))
    assert not (tmp_path / "none").exists()


@pytest.mark.parametrize("args, message", [
    ([], b"give at least one --retain"),
    (["--retain", "daily"], b"invalid --retain \"daily\""),
    (["--retain", "daily=0"], b"the count must be between 1 and 9999"),
    (["--retain", "daily=3", "--retain", "daily=4"], b"level \"daily\" is given twice"),
    (["--retain", "daily=3", "--level", "weekly"], b"--level weekly is not one of the --retain levels (daily)"),
    (["--retain", "daily=3", "--inplace"], b"--inplace cannot be used with snapshots"),
    (["--retain", "daily=3", "--link-dest=/x"], b"snapshot sets --link-dest itself"),
])
def test_bad_options_are_usage_errors_that_touch_nothing(tmp_path, args, message):
    src = tmp_path / "src"
    make_source(src)
    r = run_swiftsync(["snapshot", *args, f"{src}/", str(tmp_path / "snaps")])
    assert r.returncode == 1 and message in r.stderr, r
    assert b"Usage: swiftsync snapshot" in r.stderr
    assert not (tmp_path / "snaps").exists()
