"""Faults: missing and unreadable sources (23), unwritable destinations, bad options (1),
files vanishing mid-run (24), and kill -9 at random points (never a torn file at a final
path; a rerun completes)."""
import hashlib
import os
import random
import shutil
import stat
import subprocess
import time
from pathlib import Path

import pytest

from helpers import (ENV, NOBODY_GID, NOBODY_UID, RSYNC, SEC, SWIFTSYNC, T0, as_nobody,
                     assert_listings_equal, assert_ok, describe, fix_dir_times, iter_tree,
                     kill_group, make_small_tree, rand_bytes, run, run_rsync, run_swiftsync,
                     symlink, tree_listing, trees_equal, write_file)


def content(p):
    return Path(p).read_bytes()


# --------------------------------------------------------------------------------------------
# missing source


def test_missing_source_among_several(tmp_path):
    make_small_tree(tmp_path / "s1", seed=1)
    make_small_tree(tmp_path / "s2", seed=2)
    write_file(tmp_path / "lone.txt", b"lone")
    cp = run_swiftsync(["-a", "s1", "does-not-exist", "s2/", "lone.txt", "dst/"], cwd=tmp_path)
    assert cp.returncode == 23, describe(cp)
    assert b"does-not-exist" in cp.stderr, "the message must name the missing path\n" + describe(cp)
    assert b"No such file or directory" in cp.stderr, describe(cp)
    assert b"does-not-exist" not in cp.stdout
    trees_equal(tmp_path / "s1", tmp_path / "dst" / "s1")
    assert content(tmp_path / "dst" / "top.txt") == content(tmp_path / "s2" / "top.txt")
    assert content(tmp_path / "dst" / "lone.txt") == b"lone"


def test_missing_only_source(tmp_path):
    cp = run_swiftsync(["-a", "nothing-here/", "dst/"], cwd=tmp_path)
    assert cp.returncode == 23, describe(cp)
    assert b"nothing-here" in cp.stderr, describe(cp)


def test_missing_source_exit_code_same_as_rsync(tmp_path):
    make_small_tree(tmp_path / "s1")
    cp_r = run_rsync(["-a", "s1/", "gone", "dst_r/"], cwd=tmp_path)
    cp_s = run_swiftsync(["-a", "s1/", "gone", "dst_s/"], cwd=tmp_path)
    assert cp_r.returncode == 23, describe(cp_r)
    assert cp_s.returncode == cp_r.returncode, describe(cp_s)
    assert_listings_equal(tree_listing(tmp_path / "dst_r"), tree_listing(tmp_path / "dst_s"))


# --------------------------------------------------------------------------------------------
# unreadable sources / unwritable destinations (run as uid 65534 via setpriv)


def nobody_world(base, *, dst_owner=NOBODY_UID):
    """SRC readable by everybody; DST owned by `dst_owner`."""
    src = Path(base) / "src"
    write_file(src / "ok1.txt", b"one\n", mode=0o644, mtime_ns=T0 + 1)
    write_file(src / "ok2.txt", rand_bytes(30_000, 9), mode=0o644, mtime_ns=T0 + 2)
    write_file(src / "sub" / "ok3.txt", b"three\n", mode=0o644, mtime_ns=T0 + 3)
    write_file(src / "zz-last.txt", b"last\n", mode=0o644, mtime_ns=T0 + 4)
    symlink("ok1.txt", src / "link", mtime_ns=T0 + 5)
    fix_dir_times(src)
    dst = Path(base) / "dst"
    os.makedirs(dst)
    os.chown(dst, dst_owner, dst_owner)
    return src, dst


def run_as_nobody(args, cwd):
    return run(as_nobody([SWIFTSYNC, *args]), cwd=cwd)


def readable_files(src):
    return ["ok1.txt", "ok2.txt", "sub/ok3.txt", "zz-last.txt"]


def test_as_nobody_baseline(world_tmp):
    """As an unprivileged user -a silently skips what only root may do (owners)."""
    src, dst = nobody_world(world_tmp)
    cp = run_as_nobody(["-a", "src/", "dst/"], world_tmp)
    assert cp.returncode == 0, describe(cp)
    for rel in readable_files(src):
        assert content(dst / rel) == content(src / rel)
    assert os.lstat(dst / "ok1.txt").st_uid == NOBODY_UID


def test_unreadable_file(world_tmp):
    src, dst = nobody_world(world_tmp)
    write_file(src / "secret.txt", b"top secret\n", mode=0o600)
    write_file(src / "sub" / "also-secret", b"x" * 10000, mode=0o000)
    fix_dir_times(src)
    cp = run_as_nobody(["-a", "src/", "dst/"], world_tmp)
    assert cp.returncode == 23, describe(cp)
    assert b"secret.txt" in cp.stderr and b"Permission denied" in cp.stderr, describe(cp)
    assert b"also-secret" in cp.stderr, describe(cp)
    for rel in readable_files(src):
        assert content(dst / rel) == content(src / rel), f"{rel} should still be copied"
    assert os.readlink(dst / "link") == "ok1.txt"
    assert not (dst / "secret.txt").exists() or content(dst / "secret.txt") == b"top secret\n"


def test_unreadable_directory(world_tmp):
    src, dst = nobody_world(world_tmp)
    write_file(src / "locked" / "inside.txt", b"inside\n")
    os.chmod(src / "locked", 0o700)
    fix_dir_times(src)
    cp = run_as_nobody(["-a", "src/", "dst/"], world_tmp)
    assert cp.returncode == 23, describe(cp)
    assert b"locked" in cp.stderr and b"Permission denied" in cp.stderr, describe(cp)
    for rel in readable_files(src):
        assert content(dst / rel) == content(src / rel), f"{rel} should still be copied"
    assert not (dst / "locked" / "inside.txt").exists()


def _locked_delete_world(base):
    src, dst = nobody_world(base)
    write_file(src / "locked" / "inside.txt", b"inside\n")
    os.chmod(src / "locked", 0o700)
    fix_dir_times(src)
    # DST holds last night's copy of locked/ and a file that is gone from SRC
    for rel, data in (("locked/inside.txt", b"inside\n"), ("locked/older.txt", b"older\n"),
                      ("gone-from-src.txt", b"gone\n")):
        write_file(dst / rel, data, mtime_ns=T0)
    for root, dirs, files in os.walk(dst):
        for x in dirs + files:
            os.lchown(os.path.join(root, x), NOBODY_UID, NOBODY_GID)
    return src, dst


def test_unreadable_directory_with_delete_loses_nothing(world_tmp):
    """An I/O error while reading SRC must not make --delete remove the DST copies of what
    could not be read (rsync: "IO error encountered -- skipping file deletion")."""
    src, dst = _locked_delete_world(world_tmp)
    cp = run_as_nobody(["-a", "--delete", "src/", "dst/"], world_tmp)
    assert cp.returncode == 23, describe(cp)
    assert content(dst / "locked" / "inside.txt") == b"inside\n"
    assert content(dst / "locked" / "older.txt") == b"older\n"
    for rel in readable_files(src):
        assert content(dst / rel) == content(src / rel)


def test_unreadable_directory_with_delete_same_as_rsync(world_tmp):
    results = {}
    for who, exe in (("rsync", RSYNC), ("swiftsync", SWIFTSYNC)):
        base = Path(world_tmp) / who
        base.mkdir()
        os.chmod(base, 0o755)
        _locked_delete_world(base)
        cp = run(as_nobody([exe, "-a", "--delete", "src/", "dst/"]), cwd=base)
        results[who] = (base, cp)
    (br, cr), (bs, cs) = results["rsync"], results["swiftsync"]
    assert cr.returncode == 23, describe(cr)
    assert cs.returncode == cr.returncode, describe(cs)
    assert_listings_equal(tree_listing(br / "dst", dir_times=False),
                          tree_listing(bs / "dst", dir_times=False), "DST")


def test_destination_not_writable(world_tmp):
    src, dst = nobody_world(world_tmp, dst_owner=0)  # DST owned by root, 0755
    write_file(dst / "existing.txt", b"keep me\n", mtime_ns=T0)
    before = tree_listing(dst)
    cp = run_as_nobody(["-a", "src/", "dst/"], world_tmp)
    assert cp.returncode != 0, describe(cp)
    assert b"Permission denied" in cp.stderr, describe(cp)
    assert b"dst" in cp.stderr, "the message should name the destination\n" + describe(cp)
    assert_listings_equal(before, tree_listing(dst), "DST before vs after", "before", "after")


def test_destination_parent_not_writable(world_tmp):
    src, _ = nobody_world(world_tmp, dst_owner=0)
    os.makedirs(Path(world_tmp) / "ro")
    cp = run_as_nobody(["-a", "src/", "ro/newdst/"], world_tmp)
    assert cp.returncode != 0, describe(cp)
    assert b"newdst" in cp.stderr and b"Permission denied" in cp.stderr, describe(cp)
    assert not (Path(world_tmp) / "ro" / "newdst").exists()


@pytest.mark.parametrize("case", ["dst-not-writable", "dst-parent-not-writable",
                                  "dst-subdir-not-writable"])
def test_unwritable_destination_exit_code_same_as_rsync(world_tmp, case):
    codes = {}
    for who, exe in (("rsync", RSYNC), ("swiftsync", SWIFTSYNC)):
        base = Path(world_tmp) / who
        base.mkdir()
        os.chmod(base, 0o755)
        src, dst = nobody_world(base, dst_owner=0 if case == "dst-not-writable" else NOBODY_UID)
        target = "dst/"
        if case == "dst-parent-not-writable":
            os.makedirs(base / "ro")
            target = "ro/new/"
        elif case == "dst-subdir-not-writable":
            os.makedirs(dst / "sub")
        codes[who] = run(as_nobody([exe, "-a", "src/", target]), cwd=base)
    assert codes["rsync"].returncode != 0, describe(codes["rsync"])
    assert codes["swiftsync"].returncode == codes["rsync"].returncode, \
        f"rsync exits {codes['rsync'].returncode} here\n" + describe(codes["swiftsync"])


def test_destination_subdir_not_writable(world_tmp):
    """One unwritable directory in DST: 23, every other file still copied."""
    src, dst = nobody_world(world_tmp)
    os.makedirs(dst / "sub")  # owned by root: nobody cannot create sub/ok3.txt
    os.utime(dst / "sub", ns=(T0, T0))
    cp = run_as_nobody(["-a", "src/", "dst/"], world_tmp)
    assert cp.returncode == 23, describe(cp)
    assert b"Permission denied" in cp.stderr, describe(cp)
    for rel in ("ok1.txt", "ok2.txt", "zz-last.txt"):
        assert content(dst / rel) == content(src / rel)
    assert not (dst / "sub" / "ok3.txt").exists()


# --------------------------------------------------------------------------------------------
# usage errors


@pytest.mark.parametrize("args", [
    ["--no-such-option"],
    ["-Z"],
    ["--min-size=12q"],
    ["--max-size=lots"],
    ["--max-delete=abc"],
    ["--bwlimit=zz"],
    ["--chmod=Q+x"],
    ["--modify-window=soon"],
    ["--info=nonsense99"],
], ids=lambda a: a[0])
def test_bad_option(tmp_path, args):
    make_small_tree(tmp_path / "src")
    cp = run_swiftsync(["-a", *args, "src/", "dst/"], cwd=tmp_path)
    assert cp.returncode == 1, describe(cp)
    assert b"usage" in cp.stderr.lower(), "a usage line belongs on stderr\n" + describe(cp)
    assert not (tmp_path / "dst").exists(), "nothing may happen on a usage error"


def test_no_arguments(tmp_path):
    cp = run_swiftsync([], cwd=tmp_path)
    assert cp.returncode == 1, describe(cp)
    assert b"usage" in (cp.stdout + cp.stderr).lower(), describe(cp)


# --------------------------------------------------------------------------------------------
# vanished files (exit 24)


def test_vanished_files(tmp_path):
    """Files listed but gone when they are to be read: exit 24, the rest copied.  The run is
    slowed with --bwlimit; once the first entry appears in DST (the listing is done), most
    files are deleted from SRC."""
    src, dst = tmp_path / "src", tmp_path / "dst"
    os.makedirs(src)
    n = 600
    for i in range(n):
        write_file(src / f"f{i:04d}", rand_bytes(4096, i), mtime_ns=T0 + i)
    os.makedirs(dst)
    p = subprocess.Popen([SWIFTSYNC, "-a", "--bwlimit=64", "src/", "dst/"], cwd=tmp_path,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=ENV,
                         start_new_session=True)
    try:
        deadline = time.monotonic() + 30
        while not os.listdir(dst):
            assert p.poll() is None, "finished before anything appeared in DST: " + \
                repr(p.communicate())
            assert time.monotonic() < deadline, "nothing appeared in DST within 30 s"
            time.sleep(0.002)
        keep = 5
        for i in range(keep, n):
            os.remove(src / f"f{i:04d}")
        out, err = p.communicate(timeout=60)
    except BaseException:
        kill_group(p)
        p.wait()
        raise
    assert p.returncode == 24, f"exit code {p.returncode}\nstdout: {out!r}\nstderr: {err[:2000]!r}"
    assert b"vanished" in err, err[:2000]
    for i in range(keep):
        assert content(dst / f"f{i:04d}") == content(src / f"f{i:04d}")
    # whatever made it is intact; nothing torn
    for name in os.listdir(dst):
        if not name.startswith("."):
            assert content(dst / name) == rand_bytes(4096, int(name[1:])), name


# --------------------------------------------------------------------------------------------
# kill -9


BIG_FILES = 20
BIG_SIZE = 8 * 1024 * 1024


def _make_kill_src(src, *, gen=0):
    for i in range(BIG_FILES):
        write_file(src / "big" / f"big{i:02d}.bin", rand_bytes(BIG_SIZE, 1000 * gen + i),
                   mtime_ns=T0 + gen * 1000 * SEC + i * SEC)
    for i in range(300):
        write_file(src / "small" / f"d{i % 7}" / f"s{i:03d}.txt", rand_bytes(i * 37 % 5000, i),
                   mtime_ns=T0 + i)
    fix_dir_times(src)


def _hashes(root):
    out = {}
    for rel, p, st in iter_tree(root):
        if stat.S_ISREG(st.st_mode):
            with open(p, "rb") as f:
                out[rel] = hashlib.sha1(f.read()).hexdigest()
    return out


def _assert_nothing_torn(dst, allowed, src_dirs, label):
    """Every regular file at a path that is a regular file in SRC has one of the allowed
    contents; every other leftover is a dot-named temporary (or inside one)."""
    if not os.path.exists(dst):
        return
    for rel, p, st in iter_tree(dst):
        if rel == b".":
            continue
        if rel in allowed:
            assert stat.S_ISREG(st.st_mode), f"{label}: {rel!r} is not a regular file"
            with open(p, "rb") as f:
                h = hashlib.sha1(f.read()).hexdigest()
            assert h in allowed[rel], f"{label}: torn file at final path {rel!r} " \
                                      f"(size {st.st_size})"
        elif rel in src_dirs:
            assert stat.S_ISDIR(st.st_mode), f"{label}: {rel!r} is not a directory"
        else:
            assert any(c.startswith(b".") for c in rel.split(b"/")), \
                f"{label}: unexpected leftover {rel!r} (temporaries should be dot-named)"


def _dirs(root):
    return {rel for rel, _, st in iter_tree(root) if stat.S_ISDIR(st.st_mode)}


def _run_and_kill(args, delay, cwd):
    """Start swiftsync, SIGKILL its process group after `delay` seconds.  True if it was
    still running (killed mid-run)."""
    p = subprocess.Popen([SWIFTSYNC, *args], cwd=cwd, stdout=subprocess.DEVNULL,
                         stderr=subprocess.DEVNULL, env=ENV, start_new_session=True)
    try:
        time.sleep(delay)
    finally:
        kill_group(p)
        p.wait(timeout=30)
    return p.returncode == -9


def _timed_full_run(args, cwd):
    t = time.monotonic()
    assert_ok(run_swiftsync(args, cwd=cwd, timeout=120))
    return time.monotonic() - t


def test_kill9_fresh_copy_never_leaves_torn_files(tmp_path):
    src = tmp_path / "src"
    _make_kill_src(src)
    want = {rel: {h} for rel, h in _hashes(src).items()}
    duration = _timed_full_run(["-a", "src/", "calib/"], tmp_path)
    shutil.rmtree(tmp_path / "calib")
    rng = random.Random(90125)
    killed = 0
    for it in range(6):
        dst = f"dst{it}"
        delay = rng.uniform(0.0, 1.1) * max(duration, 0.05)
        killed += _run_and_kill(["-a", "src/", dst + "/"], delay, tmp_path)
        _assert_nothing_torn(tmp_path / dst, want, _dirs(src),
                             f"iteration {it} (killed after {delay:.3f}s)")
        assert_ok(run_swiftsync(["-a", "--delete", "src/", dst + "/"], cwd=tmp_path, timeout=120))
        trees_equal(src, tmp_path / dst)
        shutil.rmtree(tmp_path / dst)
    assert killed >= 2, f"only {killed} of 6 runs were still going when killed: test is vacuous"


def test_kill9_repeatedly_on_the_same_destination(tmp_path):
    """Several kills in a row on one DST (each run resumes the previous one's leftovers)."""
    src = tmp_path / "src"
    _make_kill_src(src)
    want = {rel: {h} for rel, h in _hashes(src).items()}
    duration = _timed_full_run(["-a", "src/", "calib/"], tmp_path)
    shutil.rmtree(tmp_path / "calib")
    rng = random.Random(4711)
    killed = 0
    for it in range(5):
        delay = rng.uniform(0.05, 0.5) * max(duration, 0.05)
        killed += _run_and_kill(["-a", "src/", "dst/"], delay, tmp_path)
        _assert_nothing_torn(tmp_path / "dst", want, _dirs(src),
                             f"kill {it} (after {delay:.3f}s)")
    # Each resumed run has less left to do, so on a fast or a busy machine (where the timed run
    # was slow) the later ones may finish before their kill: add earlier kills until at least
    # two landed mid-run, giving a run that finished a destination to start again from.
    for it in range(5, 25):
        if killed >= 2:
            break
        delay = rng.uniform(0.0, 0.2) * max(duration, 0.05)
        landed = _run_and_kill(["-a", "src/", "dst/"], delay, tmp_path)
        killed += landed
        _assert_nothing_torn(tmp_path / "dst", want, _dirs(src),
                             f"kill {it} (after {delay:.3f}s)")
        if not landed:
            shutil.rmtree(tmp_path / "dst", ignore_errors=True)
    assert killed >= 2, f"only {killed} runs were still going when killed: test is vacuous"
    assert_ok(run_swiftsync(["-a", "--delete", "src/", "dst/"], cwd=tmp_path, timeout=120))
    trees_equal(src, tmp_path / "dst")


def test_kill9_during_update_keeps_old_or_new(tmp_path):
    """DST holds the old version of every big file; SRC has new ones.  Killed at any point,
    each file at a final path is entirely old or entirely new."""
    old, src = tmp_path / "old", tmp_path / "src"
    _make_kill_src(old, gen=0)
    _make_kill_src(src, gen=1)
    old_h, new_h = _hashes(old), _hashes(src)
    want = {rel: {h, old_h.get(rel)} - {None} for rel, h in new_h.items()}
    assert_ok(run_rsync(["-a", "old/", "calib/"], cwd=tmp_path))
    duration = _timed_full_run(["-a", "src/", "calib/"], tmp_path)
    shutil.rmtree(tmp_path / "calib")
    rng = random.Random(8086)
    killed = 0
    for it in range(4):
        assert_ok(run_rsync(["-a", "--delete", "old/", "dst/"], cwd=tmp_path))
        delay = rng.uniform(0.0, 1.0) * max(duration, 0.05)
        killed += _run_and_kill(["-a", "src/", "dst/"], delay, tmp_path)
        _assert_nothing_torn(tmp_path / "dst", want, _dirs(src),
                             f"update {it} (killed after {delay:.3f}s)")
    assert killed >= 2, f"only {killed} runs were still going when killed: test is vacuous"
    assert_ok(run_swiftsync(["-a", "--delete", "src/", "dst/"], cwd=tmp_path, timeout=120))
    trees_equal(src, tmp_path / "dst")
