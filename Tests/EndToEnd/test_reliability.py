"""Reliability under faults and hostile input (issue 13): the destination name always holds a
whole old or whole new version, nothing is written outside it, and nothing crashes or hangs.

Faults are injected deterministically where possible: strace's --inject makes a chosen system
call fail (ENOSPC on copy_file_range) or pause (madvise, called exactly once per mapping right
after it is made, so the test can shrink the mapped file during the pause).  Races that cannot
be injected (a file or FIFO swapped in between listing and open) are run many times over.
"""
import contextlib
import os
import shutil
import signal
import subprocess
import threading
import time
from pathlib import Path

import pytest

from helpers import (ENV, SWIFTSYNC, T0, assert_ok, describe, kill_group, rand_bytes, run,
                     run_rsync, run_swiftsync, trees_equal, write_file)

STRACE = shutil.which("strace") or "/usr/bin/strace"
SEC_ONE = 1_000_000_000


def _strace_command(injects, args):
    assert os.access(STRACE, os.X_OK), "strace is needed for fault injection (apt-get install strace)"
    injects = [injects] if isinstance(injects, str) else list(injects)
    calls = ",".join(i.split(":", 1)[0] for i in injects)
    rules = [a for i in injects for a in ("-e", f"inject={i}")]
    return [STRACE, "-f", "-qq", "-o", "/dev/null", "-e", f"trace={calls}", *rules, SWIFTSYNC, *args]


def strace(injects, args, **kw):
    """Run swiftsync ARGS under strace with --inject rules (tracing only those calls)."""
    return run(_strace_command(injects, args), **kw)


def strace_popen(injects, args, cwd):
    return subprocess.Popen(_strace_command(injects, args), cwd=cwd, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, env=ENV, start_new_session=True)


# --------------------------------------------------------------------------------------------
# item 7: host:path is remote, never a local directory


@pytest.mark.parametrize("dest", ["host:data/", "user@host:data", "host::module/x", "rsync://host/module/"])
def test_remote_destination_is_refused_not_made_local(tmp_path, dest):
    write_file(tmp_path / "src" / "f", b"x")
    cp = run_swiftsync(["-a", "src/", dest], cwd=tmp_path)
    assert cp.returncode == 1, describe(cp)
    assert b"remote" in cp.stderr and dest.encode() in cp.stderr, describe(cp)
    assert sorted(os.listdir(tmp_path)) == ["src"], "nothing may be created for a remote argument"


def test_remote_source_is_refused(tmp_path):
    cp = run_swiftsync(["-a", "host:src/", "dst/"], cwd=tmp_path)
    assert cp.returncode == 1, describe(cp)
    assert not (tmp_path / "dst").exists()


def test_dot_slash_names_a_local_file_with_a_colon(tmp_path):
    write_file(tmp_path / "src" / "f", b"x")
    assert_ok(run_swiftsync(["-a", "src/", "./host:data/"], cwd=tmp_path))
    assert (tmp_path / "host:data" / "f").read_bytes() == b"x"


# --------------------------------------------------------------------------------------------
# item 8: suffixes that would lose the old version


@pytest.mark.parametrize("args", [["-b", "--suffix", ""], ["--suffix", ""], ["-b", "--suffix", "a/b"],
                                  ["-b", "--backup-dir", "bk", "--suffix", "x/"]])
def test_unsafe_backup_suffix_refused_as_rsync(tmp_path, args):
    write_file(tmp_path / "src" / "f", b"new")
    write_file(tmp_path / "dst" / "f", b"old")
    cp_r = run_rsync(["-a", *args, "src/", "dst/"], cwd=tmp_path)
    cp_s = run_swiftsync(["-a", *args, "src/", "dst/"], cwd=tmp_path)
    assert cp_r.returncode == 1, describe(cp_r)
    assert cp_s.returncode == cp_r.returncode, describe(cp_s)
    assert b"--suffix" in cp_s.stderr, describe(cp_s)
    assert (tmp_path / "dst" / "f").read_bytes() == b"old"


def test_empty_suffix_with_backup_dir_is_fine(tmp_path):
    write_file(tmp_path / "src" / "f", b"new", mtime_ns=T0 + 10 * SEC_ONE)
    write_file(tmp_path / "dst" / "f", b"old", mtime_ns=T0)
    assert_ok(run_swiftsync(["-a", "-b", "--backup-dir", "../bk", "--suffix", "", "src/", "dst/"], cwd=tmp_path))
    assert (tmp_path / "dst" / "f").read_bytes() == b"new"
    assert (tmp_path / "bk" / "f").read_bytes() == b"old"


def test_backup_dir_that_is_the_destination_itself_never_unlinks_the_file(tmp_path):
    """--backup-dir=. (the destination directory, and an empty suffix): the backup name is the
    file itself; "backing it up" must not unlink or rename the only copy: refused per file."""
    write_file(tmp_path / "src" / "f", b"new\n", mtime_ns=T0 + 5 * SEC_ONE)
    write_file(tmp_path / "dst" / "f", b"old\n", mtime_ns=T0)
    cp = run_swiftsync(["-a", "-b", "--backup-dir=.", "src/", "dst/"], cwd=tmp_path)
    assert cp.returncode == 23, describe(cp)
    assert (tmp_path / "dst" / "f").read_bytes() == b"old\n"
    assert os.listdir(tmp_path / "dst") == ["f"]


# --------------------------------------------------------------------------------------------
# item 2: -b keeps the name whole when the new version cannot be written


def _backup_world(tmp_path, size=300_000):
    old = rand_bytes(size, 1)
    new = rand_bytes(size + 1000, 2)
    write_file(tmp_path / "src" / "f", new, mtime_ns=T0 + 100)
    write_file(tmp_path / "dst" / "f", old, mtime_ns=T0)
    return old, new


@pytest.mark.parametrize("extra", [["-b"], ["-b", "--backup-dir", "../bk"], ["-b", "--no-whole-file"],
                                   ["-b", "-S"]])
def test_backup_with_enospc_keeps_the_old_version_at_its_name(tmp_path, extra):
    old, _ = _backup_world(tmp_path)
    # Every way the new file's bytes are written (kernel copy, positioned and plain writes)
    # fails with ENOSPC; stdout and stderr are not written to before the failure.
    cp = strace([f"{call}:error=ENOSPC" for call in ("copy_file_range", "pwrite64", "write")],
                ["-a", *extra, "src/", "dst/"], cwd=tmp_path, timeout=60)
    assert cp.returncode in (11, 23), describe(cp)
    assert (tmp_path / "dst" / "f").read_bytes() == old, "the name must still hold the old version"
    leftovers = [n for n in os.listdir(tmp_path / "dst") if n != "f" and n != "f~"]
    assert leftovers == [], f"temp files left: {leftovers}"
    # And the next run, without the fault, completes with the backup in place.
    assert_ok(run_swiftsync(["-a", *extra, "src/", "dst/"], cwd=tmp_path))
    assert (tmp_path / "dst" / "f").read_bytes() == (tmp_path / "src" / "f").read_bytes()
    backup = tmp_path / "bk" / "f" if "--backup-dir" in extra else tmp_path / "dst" / "f~"
    assert backup.read_bytes() == old


def test_backup_kill9_mid_copy_keeps_the_name_whole(tmp_path):
    old = rand_bytes(1 << 20, 3)
    new = rand_bytes(8 << 20, 4)
    write_file(tmp_path / "src" / "f", new, mtime_ns=T0 + 100)
    write_file(tmp_path / "dst" / "f", old, mtime_ns=T0)
    p = subprocess.Popen([SWIFTSYNC, "-a", "-b", "--bwlimit=1m", "src/", "dst/"], cwd=tmp_path, env=ENV,
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    time.sleep(1.5)
    assert p.poll() is None, "the copy should still be running (bandwidth-limited)"
    kill_group(p)
    p.wait(timeout=30)
    assert (tmp_path / "dst" / "f").read_bytes() == old, "killed mid-copy: the name must hold the old version"


def test_backup_rename_failure_keeps_the_name(tmp_path):
    old, _ = _backup_world(tmp_path)
    cp = strace(["renameat:error=EIO", "renameat2:error=EIO", "rename:error=EIO"], ["-a", "-b", "src/", "dst/"], cwd=tmp_path)
    assert cp.returncode in (11, 23), describe(cp)
    assert (tmp_path / "dst" / "f").read_bytes() == old


# --------------------------------------------------------------------------------------------
# item 3: a file that shrinks while mapped is an error, not SIGBUS


def _shrink_during_pause(cmd_args, victim, cwd, expected_codes, *, mapping=1):
    """Shrink `victim` while the `mapping`-th file mapping of the run is paused: every mapping
    is followed by one madvise(MADV_SEQUENTIAL), which strace delays; its trace shows when."""
    trace = Path(cwd) / "strace.out"
    cmd = [STRACE, "-f", "-qq", "-o", str(trace), "-e", "trace=madvise", "-e", "inject=madvise:delay_exit=1500000",
           SWIFTSYNC, *cmd_args]
    p = subprocess.Popen(cmd, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=ENV, start_new_session=True)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if trace.exists() and trace.read_bytes().count(b"MADV_SEQUENTIAL") >= mapping:
            break
        time.sleep(0.01)
    else:
        kill_group(p)
        pytest.fail("the mapping was never made")
    with open(victim, "r+b") as f:
        f.truncate(4096)
    try:
        out, err = p.communicate(timeout=60)
    except subprocess.TimeoutExpired:
        kill_group(p)
        pytest.fail("hung after the file shrank")
    trace.unlink()
    assert p.returncode != -signal.SIGBUS and p.returncode != 128 + signal.SIGBUS, \
        f"crashed with SIGBUS\nstderr: {err!r}"
    assert p.returncode in expected_codes, f"exit {p.returncode}\nstderr: {err!r}"
    assert b"read errors mapping" in err, err
    return out, err


def test_signature_of_a_shrinking_file_is_an_error(tmp_path):
    write_file(tmp_path / "basis", rand_bytes(32 << 20, 5))
    _shrink_during_pause(["signature", "basis", "sig"], tmp_path / "basis", tmp_path, (11,))
    assert not (tmp_path / "sig").exists(), "no signature may be written from a torn read"


def test_delta_of_a_shrinking_file_is_an_error(tmp_path):
    write_file(tmp_path / "basis", rand_bytes(1 << 20, 6))
    assert_ok(run_swiftsync(["signature", "basis", "sig"], cwd=tmp_path))
    write_file(tmp_path / "new", rand_bytes(32 << 20, 7))
    _shrink_during_pause(["delta", "sig", "new", "delta"], tmp_path / "new", tmp_path, (11,))
    assert not (tmp_path / "delta").exists()


def test_no_whole_file_sync_of_a_shrinking_source_keeps_the_old_file(tmp_path):
    old = rand_bytes(16 << 20, 8)
    write_file(tmp_path / "dst" / "big", old, mtime_ns=T0)
    write_file(tmp_path / "dst" / "other", b"old other", mtime_ns=T0)
    write_file(tmp_path / "src" / "big", old[:1 << 20] + rand_bytes(16 << 20, 9), mtime_ns=T0 + 5 * SEC_ONE)
    write_file(tmp_path / "src" / "other", b"new other", mtime_ns=T0 + 5 * SEC_ONE)
    # Two mappings (basis, then source): pause at both; the source shrinks during the pauses.
    _shrink_during_pause(["-a", "--no-whole-file", "src/", "dst/"], tmp_path / "src" / "big", tmp_path, (23, 24),
                         mapping=2)
    assert (tmp_path / "dst" / "big").read_bytes() == old, "a torn source must not replace the old file"
    assert (tmp_path / "dst" / "other").read_bytes() == b"new other", "the other files go on"


def test_whole_file_copy_of_a_source_that_shrinks_is_discarded(tmp_path):
    old = b"old version\n"
    write_file(tmp_path / "dst" / "f", old, mtime_ns=T0)
    write_file(tmp_path / "src" / "f", rand_bytes(4 << 20, 10), mtime_ns=T0 + 5)
    # copy_file_range copies nothing after the first chunk: as if the file ended there.
    cp = strace("copy_file_range:retval=0:when=1+", ["-a", "src/", "dst/"], cwd=tmp_path)
    # A read fallback would still find the bytes; then the copy is whole and exit 0 is right.
    if cp.returncode == 0:
        assert (tmp_path / "dst" / "f").read_bytes() == (tmp_path / "src" / "f").read_bytes()
    else:
        assert cp.returncode == 23, describe(cp)
        assert (tmp_path / "dst" / "f").read_bytes() == old


# --------------------------------------------------------------------------------------------
# items 9 and 11: a file replaced between listing and open


class Swapper(threading.Thread):
    """Keeps replacing `target` atomically with each of `versions` in turn (hard links made
    elsewhere and renamed over it), until stopped."""

    def __init__(self, target, versions):
        super().__init__(daemon=True)
        self.target, self.versions = Path(target), [Path(v) for v in versions]
        self.stop = threading.Event()

    def run(self):
        tmp = self.versions[0].parent / "swap.tmp"
        i = 0
        while not self.stop.is_set():
            try:
                os.unlink(tmp)
            except FileNotFoundError:
                pass
            os.link(self.versions[i % len(self.versions)], tmp)
            os.rename(tmp, self.target)
            i += 1


@contextlib.contextmanager
def swapping_source(tmp_path, first, second):
    """src/ with 200 small files and `f`, which a Swapper keeps replacing with versions/`first`
    and versions/`second` (made by the caller) while the block runs."""
    for i in range(200):
        write_file(tmp_path / "src" / f"pad{i:03d}", b"p" * i, mtime_ns=T0)
    os.link(tmp_path / "versions" / first, tmp_path / "src" / "f")
    swapper = Swapper(tmp_path / "src" / "f", [tmp_path / "versions" / first, tmp_path / "versions" / second])
    swapper.start()
    try:
        yield
    finally:
        swapper.stop.set()
        swapper.join()


@pytest.mark.parametrize("mode", [["--no-whole-file"], ["-S"], []])
def test_replaced_source_arrives_as_one_whole_version(tmp_path, mode):
    short = b"A" * 1000
    long = b"B" * 300_000
    write_file(tmp_path / "versions" / "short", short, mtime_ns=T0)
    write_file(tmp_path / "versions" / "long", long, mtime_ns=T0 + SEC_ONE)
    with swapping_source(tmp_path, "short", "long"):
        for attempt in range(40):
            cp = run_swiftsync(["-a", "-I", *mode, "src/", "dst/"], cwd=tmp_path, timeout=30)
            assert cp.returncode in (0, 24), describe(cp)
            got = (tmp_path / "dst" / "f").read_bytes()
            assert got in (short, long), f"attempt {attempt}: a torn copy of {len(got)} bytes"



def test_fifo_swapped_in_after_listing_never_blocks(tmp_path):
    write_file(tmp_path / "versions" / "regular", b"regular file\n", mtime_ns=T0)
    os.mkfifo(tmp_path / "versions" / "fifo")
    with swapping_source(tmp_path, "regular", "fifo"):
        for attempt in range(40):
            # A run blocked opening a FIFO would hang here and fail on the timeout.
            cp = run_swiftsync(["-a", "-I", "src/", "dst/"], cwd=tmp_path, timeout=20)
            assert cp.returncode in (0, 24), describe(cp)


def test_sigterm_ends_a_run_promptly_with_exit_20(tmp_path):
    write_file(tmp_path / "src" / "big", rand_bytes(8 << 20, 11))
    p = subprocess.Popen([SWIFTSYNC, "-a", "--bwlimit=1m", "src/", "dst/"], cwd=tmp_path, env=ENV,
                         stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True)
    time.sleep(1.0)
    p.send_signal(signal.SIGTERM)
    try:
        p.wait(timeout=5)
    except subprocess.TimeoutExpired:
        kill_group(p)
        pytest.fail("SIGTERM did not end the run within 5 s")
    assert p.returncode == 20
    assert [n for n in os.listdir(tmp_path / "dst") if n.startswith(".")] == []


# --------------------------------------------------------------------------------------------
# item 13: two runs creating one destination at once


def test_two_syncs_into_one_new_destination_both_succeed(tmp_path):
    for d in range(30):
        for f in range(5):
            write_file(tmp_path / "src" / f"d{d:02d}" / f"s{f}" / "file", b"x" * (d * 10 + f), mtime_ns=T0)
    for attempt in range(5):
        dst = tmp_path / f"dst{attempt}"
        procs = [subprocess.Popen([SWIFTSYNC, "-a", "src/", f"{dst.name}/"], cwd=tmp_path, env=ENV,
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE) for _ in range(2)]
        for p in procs:
            out, err = p.communicate(timeout=60)
            assert p.returncode == 0, f"exit {p.returncode}\nstderr: {err!r}"
        trees_equal(tmp_path / "src", dst)


# --------------------------------------------------------------------------------------------
# item 14: rsync's "skipping" lines without -v


def test_skipping_lines_printed_without_verbose_as_rsync(tmp_path):
    write_file(tmp_path / "src" / "a", b"a")
    os.makedirs(tmp_path / "src" / "sub")
    os.mkfifo(tmp_path / "src" / "fifo")
    os.symlink("a", tmp_path / "src" / "link")
    args = ["src/a", "src/sub", "src/fifo", "src/link"]
    cp_r = run_rsync([*args, "dst_r/"], cwd=tmp_path)
    cp_s = run_swiftsync([*args, "dst_s/"], cwd=tmp_path)
    assert cp_r.returncode == 0 and cp_s.returncode == 0, describe(cp_s)
    assert sorted(cp_s.stdout.splitlines()) == sorted(cp_r.stdout.splitlines()), describe(cp_s)
    assert_ok(run_swiftsync(["-q", *args, "dst_q/"], cwd=tmp_path))
    assert run_swiftsync(["-q", *args, "dst_q/"], cwd=tmp_path).stdout == b""


def test_destination_that_vanishes_is_a_transfer_error_not_a_vanished_source(tmp_path):
    """ENOENT from the destination (its directory removed under us, here injected on the
    renameat2/linkat that give a new file its name) is exit 23 naming the destination, as rsync's
    receiver reports it; "file has vanished" (24) is for sources only."""
    write_file(tmp_path / "src" / "new", b"new\n")
    write_file(tmp_path / "src" / "changed", b"changed\n", mtime_ns=T0 + 5 * SEC_ONE)
    write_file(tmp_path / "dst" / "changed", b"old\n", mtime_ns=T0)
    cp = strace(["renameat2:error=ENOENT", "linkat:error=ENOENT"], ["-a", "src/", "dst/"], cwd=tmp_path)
    assert cp.returncode == 23, describe(cp)
    assert b"vanished" not in cp.stderr, describe(cp)
    assert b"dst/" in cp.stderr or b"changed" in cp.stderr, describe(cp)
    assert (tmp_path / "dst" / "changed").read_bytes() == b"old\n"
    assert sorted(os.listdir(tmp_path / "dst")) == ["changed"], "no temp file is left"
    assert_ok(run_swiftsync(["-a", "src/", "dst/"], cwd=tmp_path))
    assert (tmp_path / "dst" / "new").read_bytes() == b"new\n"


# --------------------------------------------------------------------------------------------
# item 4: -H never links through a symlink swapped into the destination


class DirectorySymlinkSwapper(threading.Thread):
    """Keeps swapping directory `target` for a symlink to `outside` and back, until stopped."""

    def __init__(self, target, outside):
        super().__init__(daemon=True)
        self.target, self.outside = Path(target), Path(outside)
        self.stop = threading.Event()
        self.swaps = 0

    def run(self):
        real = self.target.with_name(self.target.name + ".real")
        tmp = self.target.with_name(self.target.name + ".tmp")
        while not self.stop.is_set():
            try:
                os.rename(self.target, real)
            except (FileNotFoundError, NotADirectoryError, OSError):
                time.sleep(0.0005)
                continue
            os.symlink(self.outside, tmp)
            try:
                os.rename(tmp, self.target)
            except OSError:  # the run made a new directory there meanwhile
                os.unlink(tmp)
            time.sleep(0.0002)
            # The run may have replaced the symlink (with a directory of its own) meanwhile.
            if os.path.islink(self.target):
                try:
                    os.unlink(self.target)
                except (FileNotFoundError, IsADirectoryError):  # ...or removed or replaced it just now
                    pass
            try:
                os.rename(real, self.target)
            except OSError:
                shutil.rmtree(real, ignore_errors=True)
            self.swaps += 1


def test_hard_link_follower_never_links_outside_through_a_symlink(tmp_path):
    """rsync 3.5 refuses symlinked components on the way to a link target; so must we."""
    outside = tmp_path / "outside"
    count = 300
    for i in range(count):
        write_file(outside / f"leader{i:03d}", b"outside %d\n" % i, mtime_ns=T0)
        write_file(tmp_path / "src" / "a" / f"leader{i:03d}", b"inside %d\n" % i, mtime_ns=T0)
    os.makedirs(tmp_path / "src" / "b")
    for i in range(count):
        os.link(tmp_path / "src" / "a" / f"leader{i:03d}", tmp_path / "src" / "b" / f"follower{i:03d}")
    outside_inodes = {os.stat(outside / n).st_ino for n in os.listdir(outside)}
    # A race: against the build before the fix, one attempt in eight or so caught an escape, so
    # 30 attempts catch it with a chance of about 98%.
    for attempt in range(30):
        shutil.rmtree(tmp_path / "dst", ignore_errors=True)
        os.makedirs(tmp_path / "dst" / "a")
        swapper = DirectorySymlinkSwapper(tmp_path / "dst" / "a", outside)
        swapper.start()
        try:
            cp = run_swiftsync(["-rH", "src/", "dst/"], cwd=tmp_path, timeout=60)
        finally:
            swapper.stop.set()
            swapper.join()
        assert cp.returncode in (0, 23), describe(cp)
        escaped = [n for n in os.listdir(outside) if os.stat(outside / n).st_nlink != 1]
        assert escaped == [], f"attempt {attempt}: links to files outside appeared: {escaped[:5]}"
        b = tmp_path / "dst" / "b"
        if b.is_dir():
            linked_out = [n for n in os.listdir(b) if os.lstat(b / n).st_ino in outside_inodes]
            assert linked_out == [], f"attempt {attempt}: followers linked outside: {linked_out[:5]}"
        for i in range(count):
            assert (outside / f"leader{i:03d}").read_bytes() == b"outside %d\n" % i


def test_link_dest_never_reaches_through_a_symlink(tmp_path):
    outside = tmp_path / "outside"
    write_file(outside / "f", b"same\n", mtime_ns=T0)
    write_file(tmp_path / "src" / "sub" / "f", b"same\n", mtime_ns=T0)
    os.makedirs(tmp_path / "prev")
    os.symlink(outside, tmp_path / "prev" / "sub")
    assert_ok(run_swiftsync(["-a", "--link-dest", "../prev", "src/", "dst/"], cwd=tmp_path))
    assert os.stat(outside / "f").st_nlink == 1, "linked to a file outside the --link-dest tree"
    assert (tmp_path / "dst" / "sub" / "f").read_bytes() == b"same\n"


# --------------------------------------------------------------------------------------------
# items 5 and 6: hostile delta files


def test_hostile_twenty_byte_signature_exits_12(tmp_path):
    import struct
    # A header whose basis size makes the block count overflow any multiplication.
    (tmp_path / "sig").write_bytes(struct.pack(">IIBBBBQ", 0x53534731, 1, 16, 1, 1, 0, 2**64 - 1))
    write_file(tmp_path / "new", b"new file\n")
    cp = run_swiftsync(["delta", "sig", "new", "delta"], cwd=tmp_path)
    assert cp.returncode == 12, describe(cp)
    assert b"signature" in cp.stderr and len(cp.stderr.splitlines()) <= 2, describe(cp)
    assert not (tmp_path / "delta").exists()


def test_compressed_literal_bomb_patches_in_bounded_memory(tmp_path):
    import struct
    import zlib
    size = 512 << 20
    z = zlib.compressobj(9)
    with open(tmp_path / "delta", "wb") as f:
        f.write(z.compress(struct.pack(">IBI", 0x72730236, 0x43, size)))
        zeros = bytes(1 << 20)
        for _ in range(size >> 20):
            f.write(z.compress(zeros))
        f.write(z.compress(b"\x00"))
        f.write(z.flush())
    assert (tmp_path / "delta").stat().st_size < 2 << 20
    write_file(tmp_path / "basis", b"")
    # Peak RSS by /usr/bin/time: a child forked from this (large) Python process inherits its
    # high-water mark in ru_maxrss, so os.wait4 here would measure pytest, not patch.
    cp = subprocess.run(["/usr/bin/time", "-f", "%M", "-o", "rss", SWIFTSYNC, "patch", "basis", "delta", "new"],
                        cwd=tmp_path, env=ENV, capture_output=True)
    assert cp.returncode == 0, describe(cp)
    assert (tmp_path / "new").stat().st_size == size
    peak_kib = int((tmp_path / "rss").read_text().split()[-1])
    assert peak_kib < 64 * 1024, f"patch used {peak_kib} KiB"
