"""Shared helpers for the swiftsync end-to-end tests (see conftest.py for how to run).

Everything here is deliberately plain: subprocess + os + hashlib.  The real rsync is the
oracle; the binary under test is $SWIFTSYNC.  Paths inside trees are handled as bytes so that
names which are not valid UTF-8 survive.
"""
import hashlib
import os
import shutil
import signal
import socket
import stat
import subprocess
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
SWIFTSYNC = os.environ.get("SWIFTSYNC") or str(REPO / ".build" / "release" / "swiftsync")
RSYNC = os.environ.get("RSYNC_ORACLE") or shutil.which("rsync") or "/usr/bin/rsync"
MKTREE = Path(os.environ.get("MKTREE") or REPO / "fixtures" / "mktree.py")
SETPRIV = shutil.which("setpriv") or "/usr/bin/setpriv"
NOBODY_UID = 65534
NOBODY_GID = 65534

#: True when rsync itself stands in as the binary under test (validation mode).
UNDER_TEST_IS_RSYNC = os.path.basename(SWIFTSYNC) == "rsync"

DEFAULT_TIMEOUT = 60

# A fixed, deterministic base time with a non-zero nanosecond part.
T0 = 1_600_000_000_123_456_789
SEC = 1_000_000_000


def _env():
    env = dict(os.environ)
    # Make rsync's escaping of names in -i/-v output deterministic, and keep user config out.
    env["LC_ALL"] = "C.UTF-8"
    env.pop("LANG", None)
    for k in list(env):
        if k.startswith("RSYNC_") and k != "RSYNC_ORACLE":
            env.pop(k)
    return env


ENV = _env()


# --------------------------------------------------------------------------------------------
# running things


def run(cmd, *, cwd=None, timeout=DEFAULT_TIMEOUT, input=None, env=None):
    """Run a command, capture bytes stdout/stderr, fail the test (not skip) on timeout."""
    cmd = [os.fspath(c) if not isinstance(c, (str, bytes)) else c for c in cmd]
    try:
        return subprocess.run(cmd, cwd=cwd, input=input, capture_output=True,
                              timeout=timeout, env=env or ENV)
    except subprocess.TimeoutExpired as e:
        pytest.fail(f"timed out after {timeout}s: {cmd!r}\nstdout: {e.stdout!r}\n"
                    f"stderr: {e.stderr!r}")


def run_swiftsync(args, **kw):
    """Run the binary under test: `swiftsync ARGS...`."""
    return run([SWIFTSYNC, *args], **kw)


def run_rsync(args, **kw):
    """Run the oracle: `rsync ARGS...`."""
    return run([RSYNC, *args], **kw)


def as_nobody(cmd):
    """Prefix a command so that it runs as uid/gid 65534 with no supplementary groups."""
    return [SETPRIV, f"--reuid={NOBODY_UID}", f"--regid={NOBODY_GID}", "--clear-groups", *cmd]


def describe(cp):
    return (f"command: {cp.args!r}\nexit code: {cp.returncode}\n"
            f"stdout:\n{_show(cp.stdout)}\nstderr:\n{_show(cp.stderr)}")


def _show(b, limit=4000):
    s = b.decode("utf-8", "backslashreplace") if isinstance(b, bytes) else str(b)
    return s if len(s) <= limit else s[:limit] + f"\n... ({len(s) - limit} more chars)"


def assert_ok(cp, rc=0):
    assert cp.returncode == rc, f"expected exit code {rc}\n" + describe(cp)
    return cp


def slash(p):
    """`p` as a string with exactly one trailing slash (rsync 'contents of' syntax)."""
    p = os.fsdecode(os.fspath(p))
    return p.rstrip("/") + "/"


# --------------------------------------------------------------------------------------------
# oracle comparisons


def trees_equal(src, dst, *, hardlinks=False, extra=()):
    """Assert that rsync sees nothing to do between SRC/ and DST/ (content compared by checksum).

    Runs `rsync -a -c -n -i --delete SRC/ DST/`; with hardlinks=True also the `-H` variant.
    Both must print nothing and exit 0.
    """
    variants = [[]] + ([["-H"]] if hardlinks else [])
    for v in variants:
        cp = run_rsync(["-a", "-c", "-n", "-i", "--delete", *v, *extra, slash(src), slash(dst)])
        assert cp.returncode == 0, "oracle rsync failed\n" + describe(cp)
        assert cp.stdout == b"", (f"oracle rsync {' '.join(['-a', '-c', '-n', '-i', '--delete', *v])}"
                                  " found differences between SRC and DST:\n" + describe(cp))


def _sha1(path):
    h = hashlib.sha1()
    with open(path, "rb") as f:
        while True:
            b = f.read(1 << 20)
            if not b:
                break
            h.update(b)
    return h.hexdigest()


def iter_tree(root):
    """Yield (relpath_bytes, abspath_bytes, lstat) for root ('.') and everything below it."""
    root = os.fsencode(os.fspath(root))
    st = os.lstat(root)
    yield b".", root, st
    stack = [b""]
    while stack:
        rel = stack.pop()
        d = os.path.join(root, rel) if rel else root
        with os.scandir(d) as it:
            entries = sorted(it, key=lambda e: e.name)
        for e in entries:
            r = os.path.join(rel, e.name) if rel else e.name
            p = os.path.join(root, r)
            st = os.lstat(p)
            yield r, p, st
            if stat.S_ISDIR(st.st_mode):
                stack.append(r)


def _type_char(mode):
    for test, c in ((stat.S_ISREG, "f"), (stat.S_ISDIR, "d"), (stat.S_ISLNK, "l"),
                    (stat.S_ISCHR, "c"), (stat.S_ISBLK, "b"), (stat.S_ISFIFO, "p"),
                    (stat.S_ISSOCK, "s")):
        if test(mode):
            return c
    return "?"


def tree_listing(root, *, times=True, dir_times=True, owners=True, modes=True,
                 nlink=False, hardlink_groups=False, ignore=None):
    """A comparable description of a tree: {relpath: {type, mode, size, sha1, target, ...}}.

    times      compare mtime_ns of files, symlinks, devices/specials
    dir_times  also compare mtime_ns of directories (off where a run legitimately creates
               directories with "now" times, e.g. --backup-dir or --mkpath parents)
    hardlink_groups  record, for regular files with nlink > 1, the smallest relpath in the tree
               sharing the same inode (so two trees have the same hard-link structure)
    ignore     optional callable(relpath_bytes) -> bool to leave entries out
    """
    out = {}
    inode_first = {}
    entries = list(iter_tree(root))
    if hardlink_groups:
        for rel, _, st in entries:
            if stat.S_ISREG(st.st_mode) and st.st_nlink > 1:
                key = (st.st_dev, st.st_ino)
                if key not in inode_first or rel < inode_first[key]:
                    inode_first[key] = rel
    for rel, p, st in entries:
        if ignore and ignore(rel):
            continue
        t = _type_char(st.st_mode)
        d = {"type": t}
        if modes:
            d["mode"] = oct(stat.S_IMODE(st.st_mode)) if t != "l" else None
        if owners:
            d["uid"], d["gid"] = st.st_uid, st.st_gid
        if t == "f":
            d["size"] = st.st_size
            d["sha1"] = _sha1(p)
            if nlink:
                d["nlink"] = st.st_nlink
            if hardlink_groups and st.st_nlink > 1:
                d["group"] = inode_first.get((st.st_dev, st.st_ino))
        elif t == "l":
            d["target"] = os.readlink(p)
        elif t in "cb":
            d["rdev"] = (os.major(st.st_rdev), os.minor(st.st_rdev))
        if times and (t != "d" or dir_times):
            d["mtime_ns"] = st.st_mtime_ns
        out[rel] = d
    return out


def assert_listings_equal(expected, actual, what="trees", exp_name="rsync", act_name="swiftsync"):
    """Assert two tree_listing() results are equal, with a readable difference report."""
    if expected == actual:
        return
    only_e = sorted(set(expected) - set(actual))
    only_a = sorted(set(actual) - set(expected))
    differ = sorted(k for k in set(expected) & set(actual) if expected[k] != actual[k])
    lines = [f"{what} differ:"]
    for k in only_e[:30]:
        lines.append(f"  only in {exp_name}: {k!r} {expected[k]}")
    for k in only_a[:30]:
        lines.append(f"  only in {act_name}: {k!r} {actual[k]}")
    for k in differ[:30]:
        diffs = {f: (expected[k].get(f), actual[k].get(f))
                 for f in set(expected[k]) | set(actual[k]) if expected[k].get(f) != actual[k].get(f)}
        lines.append(f"  differs: {k!r} ({exp_name}, {act_name}): {diffs}")
    n = len(only_e) + len(only_a) + len(differ)
    if n > 90:
        lines.append(f"  ... {n} differences in all")
    pytest.fail("\n".join(lines))


def assert_same_tree(expected_root, actual_root, **listing_opts):
    assert_listings_equal(tree_listing(expected_root, **listing_opts),
                          tree_listing(actual_root, **listing_opts),
                          what=f"{expected_root} vs {actual_root}")


# --------------------------------------------------------------------------------------------
# building trees (deterministic: same calls, same bytes, same attributes, same times)


def bpath(*parts):
    return os.path.join(*[os.fsencode(os.fspath(p)) for p in parts])


def write_file(path, data=b"", *, mtime_ns=T0, mode=None, uid=None, gid=None):
    path = os.fsencode(os.fspath(path))
    os.makedirs(os.path.dirname(path), exist_ok=True)
    if isinstance(data, str):
        data = data.encode()
    with open(path, "wb") as f:
        f.write(data)
    if uid is not None or gid is not None:
        os.chown(path, -1 if uid is None else uid, -1 if gid is None else gid)
    if mode is not None:
        os.chmod(path, mode)
    os.utime(path, ns=(mtime_ns, mtime_ns))
    return path


def symlink(target, path, *, mtime_ns=T0):
    path = os.fsencode(os.fspath(path))
    os.makedirs(os.path.dirname(path), exist_ok=True)
    os.symlink(os.fsencode(os.fspath(target)), path)
    os.utime(path, ns=(mtime_ns, mtime_ns), follow_symlinks=False)
    return path


def make_socket(path):
    """Create a unix socket file (bind relative to its directory to dodge the 108-byte limit)."""
    path = os.fsencode(os.fspath(path))
    d, name = os.path.split(path)
    old = os.getcwd()
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        os.chdir(d)
        s.bind(name)
    finally:
        os.chdir(old)
        s.close()
    return path


def fix_dir_times(root, base_ns=T0 + 7 * SEC):
    """Give every directory (root included) a deterministic mtime with a nanosecond part."""
    root = os.fsencode(os.fspath(root))
    dirs = [p for _, p, st in iter_tree(root) if stat.S_ISDIR(st.st_mode)]
    # deepest first, so setting a child's time never disturbs its parent afterwards
    for i, p in enumerate(sorted(dirs, key=lambda p: -p.count(b"/"))):
        t = base_ns + i * 1_000_003_001
        os.utime(p, ns=(t, t))


def snapshot_dir_times(root):
    return {rel: st.st_mtime_ns for rel, _, st in iter_tree(root) if stat.S_ISDIR(st.st_mode)}


def restore_dir_times(root, snap, new_ns=T0 + 900 * SEC):
    """Restore directory mtimes from snapshot_dir_times(); new directories get new_ns."""
    root = os.fsencode(os.fspath(root))
    dirs = [(rel, p) for rel, p, st in iter_tree(root) if stat.S_ISDIR(st.st_mode)]
    for rel, p in sorted(dirs, key=lambda x: -x[1].count(b"/")):
        t = snap.get(rel, new_ns)
        os.utime(p, ns=(t, t))


def rand_bytes(n, seed):
    import random
    return random.Random(seed).randbytes(n)


ODD_NAMES = [
    b"with space",
    b"  leading and trailing spaces  ",
    b"tab\there",
    b"new\nline",
    b"carriage\rreturn",
    "ünïcödé-日本語-😀".encode(),
    "e\u0301-combining".encode(),
    b"latin1-\xe9\xff-not-utf8",
    b"\x01\x7f-control-bytes",
    b"-leading-dash",
    b"--double-dash",
    b"glob*star",
    b"glob?question",
    b"glob[bracket]",
    b"glob*?[]all",
    b"back\\slash",
    b"quote'single",
    b'quote"double',
    b"arrow -> not a link",
    b"name => not a hardlink",
    b"percent%d%s",
    b".hidden",
    b"..double-dot-prefix",
    b"~tilde",
    b"x" * 255,
    "ü".encode() * 127 + b"x",  # 255 bytes of mostly 2-byte characters
]


def make_odd_tree(root, *, devices=True, hardlinks=True, owners=True, big=True):
    """Build a tree with every file type, odd names, deep nesting, hard-link groups,
    unusual modes, owners and nanosecond mtimes.  Deterministic (but a unix socket's
    inode/times are fresh each time, which does not matter for comparisons)."""
    root = os.fsencode(os.fspath(root))
    os.makedirs(root, exist_ok=True)
    n = [0]

    def t():
        n[0] += 1
        return T0 + n[0] * 1_000_000_007 + n[0] * 13  # varied seconds and nanoseconds

    # --- every file type
    write_file(bpath(root, "types", "regular"), b"hello, world\n", mtime_ns=t())
    write_file(bpath(root, "types", "empty"), b"", mtime_ns=t())
    write_file(bpath(root, "types", "medium"), rand_bytes(70_001, 1), mtime_ns=t())
    if big:
        write_file(bpath(root, "types", "big"), rand_bytes(3 * 1024 * 1024 + 7, 2), mtime_ns=t())
    os.makedirs(bpath(root, "types", "emptydir"))
    os.makedirs(bpath(root, "types", "emptydir2", "nested-empty"))
    os.mkfifo(bpath(root, "types", "fifo"), 0o644)
    os.utime(bpath(root, "types", "fifo"), ns=(t(), t()))
    make_socket(bpath(root, "types", "socket"))
    os.utime(bpath(root, "types", "socket"), ns=(T0, T0 + 5))
    if devices:
        os.mknod(bpath(root, "types", "chardev"), stat.S_IFCHR | 0o640, os.makedev(1, 3))
        os.mknod(bpath(root, "types", "blockdev"), stat.S_IFBLK | 0o600, os.makedev(7, 201))
        os.utime(bpath(root, "types", "chardev"), ns=(T0, t()))
        os.utime(bpath(root, "types", "blockdev"), ns=(T0, t()))
    # --- symlinks
    symlink("../types/regular", bpath(root, "links", "relative"), mtime_ns=t())
    symlink("does/not/exist", bpath(root, "links", "dangling"), mtime_ns=t())
    symlink("/etc/hostname", bpath(root, "links", "absolute"), mtime_ns=t())
    symlink("/nonexistent/absolute/dangling", bpath(root, "links", "absolute-dangling"),
            mtime_ns=t())
    symlink("../types", bpath(root, "links", "to-dir"), mtime_ns=t())
    symlink("self-loop", bpath(root, "links", "self-loop"), mtime_ns=t())
    symlink(b"target with space\nand newline", bpath(root, "links", "odd-target"), mtime_ns=t())
    symlink(b"\xe9-latin1-target", bpath(root, "links", "latin1-target"), mtime_ns=t())
    # --- odd names: each as a file, and as a directory holding a file
    for i, name in enumerate(ODD_NAMES):
        write_file(bpath(root, "names", name), name + b"\n", mtime_ns=t())
        write_file(bpath(root, "namedirs", name, "inside"), b"%d\n" % i, mtime_ns=t())
    # --- deep nesting: 60 levels
    deep = bpath(root, "deep", *[f"level{i:02d}" for i in range(60)])
    write_file(bpath(deep, "leaf.txt"), b"deep\n", mtime_ns=t())
    # --- unusual modes
    write_file(bpath(root, "modes", "m0000"), b"nobody may read me\n", mode=0o000, mtime_ns=t())
    write_file(bpath(root, "modes", "m4755-setuid"), b"#!/bin/sh\n", mode=0o4755, mtime_ns=t())
    write_file(bpath(root, "modes", "m2755-setgid"), b"#!/bin/sh\n", mode=0o2755, mtime_ns=t())
    write_file(bpath(root, "modes", "m0444"), b"read only\n", mode=0o444, mtime_ns=t())
    write_file(bpath(root, "modes", "m0777"), b"everything\n", mode=0o777, mtime_ns=t())
    write_file(bpath(root, "modes", "m0604"), b"odd\n", mode=0o604, mtime_ns=t())
    for name, mode in (("d1777-sticky", 0o1777), ("d0700", 0o700), ("d2775-setgid", 0o2775),
                       ("d0555", 0o555)):
        d = bpath(root, "modes", name)
        os.makedirs(d)
        write_file(bpath(d, "f"), name.encode(), mtime_ns=t())
        os.chmod(d, mode)
    # --- owners (numeric ids without names, and nobody)
    if owners:
        write_file(bpath(root, "owners", "u1234-g5678"), b"a\n", uid=1234, gid=5678, mtime_ns=t())
        write_file(bpath(root, "owners", "nobody"), b"b\n", uid=NOBODY_UID, gid=NOBODY_GID,
                   mtime_ns=t())
        l = symlink("u1234-g5678", bpath(root, "owners", "link-4321"), mtime_ns=t())
        os.lchown(l, 4321, 8765)
        d = bpath(root, "owners", "dir-777")
        os.makedirs(d)
        os.chown(d, 777, 778)
    # --- hard-link groups
    if hardlinks:
        a = write_file(bpath(root, "hl", "group1-a"), b"group one\n", mtime_ns=t())
        os.makedirs(bpath(root, "hl", "sub"))
        os.link(a, bpath(root, "hl", "sub", "group1-b"))
        os.link(a, bpath(root, "hl", "group1-c"))
        x = write_file(bpath(root, "hl", "group2-x"), rand_bytes(5000, 3), mtime_ns=t())
        os.link(x, bpath(root, "names", b"group2 y with space"))
        e = write_file(bpath(root, "hl", "group3-empty-a"), b"", mtime_ns=t())
        os.link(e, bpath(root, "hl", "group3-empty-b"))
        write_file(bpath(root, "hl", "single"), b"not linked\n", mtime_ns=t())
    fix_dir_times(root)
    return root


def make_small_tree(root, *, seed=1):
    """A little tree of regular files, dirs and symlinks (no specials) with fixed times."""
    root = os.fsencode(os.fspath(root))
    os.makedirs(root, exist_ok=True)
    for i in range(12):
        write_file(bpath(root, f"d{i % 3}", f"f{i:02d}.txt"), rand_bytes(100 + 137 * i, seed + i),
                   mtime_ns=T0 + i * SEC + i)
    write_file(bpath(root, "top.txt"), b"top\n", mtime_ns=T0 + 3)
    write_file(bpath(root, "zero"), b"", mtime_ns=T0 + 4)
    symlink("top.txt", bpath(root, "link"), mtime_ns=T0 + 5)
    os.makedirs(bpath(root, "d1", "empty"))
    fix_dir_times(root)
    return root


def run_mktree(*args, timeout=120):
    assert MKTREE.exists(), f"tree generator not found: {MKTREE} (set MKTREE=...)"
    cp = run([sys.executable, str(MKTREE), *map(str, args)], timeout=timeout)
    assert cp.returncode == 0, "mktree.py failed\n" + describe(cp)


def regular_files(root):
    """{relpath: size} of the regular files under root."""
    return {rel: st.st_size for rel, _, st in iter_tree(root) if stat.S_ISREG(st.st_mode)}


# --------------------------------------------------------------------------------------------
# rsync vs swiftsync side by side


def side_by_side(tmp_path, args, build, *, before=None, src="src/", dst="dst/", timeout=90):
    """Build identical worlds in tmp_path/rsync and tmp_path/swiftsync with build(base), then run
    `rsync ARGS SRC DST` in the first and `swiftsync ARGS SRC DST` in the second (cwd = the
    world, so relative paths and messages are identical).  Returns (base_rsync, cp_rsync,
    base_swiftsync, cp_swiftsync)."""
    out = []
    for who, exe in (("rsync", RSYNC), ("swiftsync", SWIFTSYNC)):
        base = Path(tmp_path) / who
        base.mkdir()
        build(base)
        srcs = src if isinstance(src, (list, tuple)) else [src]
        cp = run([exe, *args, *srcs, dst], cwd=base, timeout=timeout)
        out += [base, cp]
    return tuple(out)


def kill_group(proc):
    """SIGKILL the process group of a Popen started with start_new_session=True."""
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


def mount_tmpfs(path):
    """Mount a small tmpfs at path.  The one acceptable skip in this suite: the kernel or the
    container does not let us mount.  A missing `mount` program is a failure, not a skip."""
    os.makedirs(path, exist_ok=True)
    mount = shutil.which("mount")
    assert mount, "the `mount` program (util-linux) is needed for the -x tests"
    cp = subprocess.run([mount, "-t", "tmpfs", "-o", "size=8m,mode=0755", "tmpfs",
                         os.fspath(path)], capture_output=True, timeout=30)
    if cp.returncode != 0:
        err = cp.stderr.decode(errors="replace").strip()
        if any(w in err.lower() for w in ("permission denied", "not permitted", "only root",
                                          "must be superuser")):
            pytest.skip(f"-x needs a second file system, and mounting a tmpfs is not "
                        f"permitted here: {err}")
        pytest.fail(f"mounting a tmpfs for the -x test failed: {err}")


def umount(path):
    subprocess.run(["umount", os.fspath(path)], capture_output=True, timeout=30)
    if os.path.ismount(path):
        subprocess.run(["umount", "-l", os.fspath(path)], capture_output=True, timeout=30)
