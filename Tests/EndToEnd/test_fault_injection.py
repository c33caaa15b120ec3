"""Fault injection across the local engine (issue 13): strace's --inject makes one class of system
call fail (ENOSPC, EIO), be interrupted (EINTR) or kill the run (SIGKILL) at its first, second or
every later invocation, under each of -b, --backup-dir, --inplace, --delete-before/during/after,
-H, --link-dest and --no-whole-file. After every faulted run:

* every destination name that existed still holds a whole old or whole new version (with
  --inplace, only the file being rewritten may be part old, part new: that is what it means);
* with -b/--backup-dir, the old version of every changed or deleted file is at its name or at its
  backup name, never lost; the --link-dest tree is never touched;
* nothing is written outside the destination and its backup directory; a leftover temp file
  (`.NAME.XXXXXX`, after a kill between giving it its temp name and its real one) holds a whole
  new version;
* EINTR changes nothing: the run succeeds with the result of an uninterrupted one;
* the same command run again exits 0 and rsync -c finds nothing left to do (with -H, hard links
  included).

swiftsync calls no fsync (as rsync without --fsync), so there is no fsync class here.
"""
import os
import re
import signal
import shutil
import stat
from pathlib import Path

import pytest

from helpers import RSYNC, SWIFTSYNC, T0, UNDER_TEST_IS_RSYNC, describe, rand_bytes, run, write_file

pytestmark = pytest.mark.skipif(UNDER_TEST_IS_RSYNC, reason="injects into swiftsync's own system calls")

STRACE = shutil.which("strace") or "/usr/bin/strace"
SEC = 1_000_000_000
BIG_OLD = rand_bytes(3 << 20, 41)
# A changed middle and a longer tail: the delta path copies most of it from the old version.
BIG_NEW = BIG_OLD[:1 << 20] + rand_bytes(200_000, 42) + BIG_OLD[(1 << 20) + 200_000:] + rand_bytes(300_000, 43)

# path -> (bytes, mtime offset in seconds)
OLD = {
    "unchanged.txt": (b"same in both\n", 0),
    "changed.txt": (b"old version of changed\n", 0),
    "big.bin": (BIG_OLD, 0),
    "hl1": (b"old hard-linked\n", 0),
    "sub/keep.txt": (b"kept\n", 0),
    "sub/edit.txt": (b"old edit\n" * 50, 0),
    "extra.txt": (b"only in the destination\n", 0),
    "gone/x": (b"a directory to delete\n", 0),
    "gone/deeper/y": (b"deeper\n", 0),
}
NEW = {
    "unchanged.txt": (b"same in both\n", 0),
    "changed.txt": (b"NEW version of changed, longer\n", 5),
    "big.bin": (BIG_NEW, 5),
    "hl1": (b"new hard-linked content\n", 5),
    "d/hl2": (b"new hard-linked content\n", 5),
    "sub/keep.txt": (b"kept\n", 0),
    "sub/edit.txt": (b"NEW edit\n" * 60, 5),
    "new.txt": (b"new file\n", 5),
    "d/new2.txt": (b"another new file\n", 5),
    "d/e/new3.txt": (rand_bytes(100_000, 44), 5),
}
LINKED = {"d/hl2": "hl1"}
# The --link-dest tree holds new.txt as the source has it (it gets linked, not copied) and an
# old changed.txt (it must be copied, and the link-dest file left alone).
PREV = {"new.txt": NEW["new.txt"], "changed.txt": OLD["changed.txt"]}

OPTION_SETS = {
    "plain": ["-a"],
    "backup": ["-a", "-b"],
    "backup-dir": ["-a", "-b", "--backup-dir=../bak", "--delete"],
    "inplace": ["-a", "--inplace"],
    "inplace-backup": ["-a", "--inplace", "-b"],
    "delete-before": ["-a", "--delete-before"],
    "delete-during": ["-a", "--delete-during"],
    "delete-after": ["-a", "--delete-after"],
    "hard-links": ["-a", "-H", "--delete"],
    "link-dest": ["-a", "--link-dest=../prev"],
    "no-whole-file": ["-a", "--no-whole-file", "-b"],
}

# System call classes, as strace names them. File data goes out by copy_file_range and pwrite64;
# write(2) carries the run's own messages, which a fault there would silence, not test.
WRITES = "copy_file_range,pwrite64"
RENAMES = "renameat,renameat2"
CLASSES = {
    "write": WRITES,
    "rename": RENAMES,
    "link": "linkat",
    "unlink": "unlinkat",
    "mkdir": "mkdirat",
    "truncate": "ftruncate",
    "attrs": "fchmod,fchown,utimensat",
}
# openat and getdents64 only for kills: an error there is an unreadable file or directory,
# which test_faults.py covers, and the dynamic loader's own openat calls come first.
KILL_CLASSES = dict(CLASSES, open="openat", list="getdents64")

FAULTS = (
    [(f"{c}-{e}-{w}", f"{CLASSES[c]}:error={e}:when={w}") for c in CLASSES for e in ("ENOSPC", "EIO") for w in ("1", "2+")]
    + [(f"{c}-EINTR", f"{CLASSES[c]}:error=EINTR:when=1..3") for c in CLASSES]
    + [(f"{c}-kill-{w}", f"{KILL_CLASSES[c]}:signal=SIGKILL:when={w}") for c in KILL_CLASSES for w in (
        ("12", "20", "30") if c == "open" else ("1", "2", "4"))]
)
TEMP_NAME = re.compile(r"^\.(.+)\.[A-Za-z0-9]{6}$")


def build(root):
    for rel, (data, offset) in OLD.items():
        write_file(root / "dst" / rel, data, mtime_ns=T0 + offset * SEC)
    for rel, (data, offset) in NEW.items():
        if rel in LINKED:
            (root / "src" / rel).parent.mkdir(parents=True, exist_ok=True)
            os.link(root / "src" / LINKED[rel], root / "src" / rel)
        else:
            write_file(root / "src" / rel, data, mtime_ns=T0 + offset * SEC)
    for rel, (data, offset) in PREV.items():
        write_file(root / "prev" / rel, data, mtime_ns=T0 + offset * SEC)
    (root / "outside").mkdir()


def files(root):
    """relative path -> bytes for every regular file under root (symlinks would be a finding)."""
    out = {}
    if not root.exists():
        return out
    for dirpath, dirnames, filenames in os.walk(root):
        for name in dirnames + filenames:
            p = Path(dirpath) / name
            st = os.lstat(p)
            rel = str(p.relative_to(root))
            assert not stat.S_ISLNK(st.st_mode), f"a symlink appeared at {rel}"
            if stat.S_ISREG(st.st_mode):
                out[rel] = p.read_bytes()
    return out


def prev_state(root):
    return {rel: (os.stat(root / "prev" / rel).st_mtime_ns, data) for rel, data in files(root / "prev").items()}


def check_whole(root, options, fault, before=None):
    """The invariants every faulted run must leave. `before`: the destination's files before
    this run, when it is the run after a faulted one (a backup then holds what was at the name
    before it, which an interrupted --inplace may have left part new; -b keeps one version)."""
    dst, backup_dir = files(root / "dst"), files(root / "bak")
    suffix = "~" if "-b" in options and not any(o.startswith("--backup-dir") for o in options) else None
    inplace = "--inplace" in options
    old = {rel: data for rel, (data, _) in OLD.items()}
    new = {rel: data for rel, (data, _) in NEW.items()}
    for rel, data in dst.items():
        name = os.path.basename(rel)
        where = f"{fault}: dst/{rel}"
        if suffix and rel.endswith(suffix) and rel[:-1] in old:
            earlier = {old[rel[:-1]]} | ({before.get(rel[:-1]), before.get(rel)} if before else set())
            assert data in earlier, f"{where}: a backup that is not a whole earlier version"
            continue
        m = TEMP_NAME.match(name)
        if m and rel not in old and rel not in new:
            original = str(Path(rel).parent / m.group(1)) if "/" in rel else m.group(1)
            assert data == new.get(original), f"{where}: a leftover temp file that is not a whole new version"
            continue
        assert rel in old or rel in new, f"{where}: a name that belongs to neither version"
        if inplace and rel in old and rel in new and old[rel] != new[rel]:
            continue  # rewritten in place: part old, part new is what --inplace gives up
        assert data in (old.get(rel), new.get(rel)), f"{where}: neither the whole old nor the whole new version"
    for rel in old:
        if rel in new:
            assert rel in dst, f"{fault}: dst/{rel} is missing: the name must always hold a whole file"
    if suffix or backup_dir or "--backup-dir=../bak" in options:
        # What was at each name when this run began is at the name or at its backup name.
        earlier = before if before is not None else old
        for rel, data in earlier.items():
            if new.get(rel) == data or rel not in old:
                continue
            kept = dst.get(rel) == data or (suffix and dst.get(rel + suffix) == data) or backup_dir.get(rel) == data
            assert kept, f"{fault}: the old version of {rel} was lost (neither at its name nor at its backup name)"
    assert files(root / "outside") == {}, f"{fault}: written outside the destination"
    assert sorted(os.listdir(root)) == sorted({"src", "dst", "prev", "outside"} | ({"bak"} if (root / "bak").exists() else set())), \
        f"{fault}: {sorted(os.listdir(root))}"


def oracle_finds_nothing(root, options):
    """rsync -c (with -H, --delete, --exclude of backups as the run had them) has nothing to do."""
    args = ["-a", "-c", "-n", "-i"]
    if "-H" in options:
        args.append("-H")
    if any(o.startswith("--delete") for o in options):
        args.append("--delete")
    if "-b" in options:
        args.append("--exclude=*~")
    cp = run([RSYNC, *args, "src/", "dst/"], cwd=root)
    assert cp.returncode == 0, describe(cp)
    return cp.stdout


@pytest.mark.parametrize("fault", [f for _, f in FAULTS], ids=[n for n, _ in FAULTS])
@pytest.mark.parametrize("name", list(OPTION_SETS))
def test_fault_leaves_whole_versions_and_next_run_repairs(tmp_path, name, fault):
    assert os.access(STRACE, os.X_OK), "strace is needed for fault injection (apt-get install strace)"
    options = OPTION_SETS[name]
    build(tmp_path)
    before_prev = prev_state(tmp_path)
    calls = fault.split(":", 1)[0]
    cp = run([STRACE, "-f", "-qq", "-o", "/dev/null", "-e", f"trace={calls}", "-e", f"inject={fault}",
              SWIFTSYNC, *options, "src/", "dst/"], cwd=tmp_path, timeout=60)
    # strace exits with the tracee's status; a killed tracee makes it kill itself the same way.
    killed = "SIGKILL" in fault
    allowed = {0, 11, 12, 23, 24} | ({-signal.SIGKILL, 128 + signal.SIGKILL} if killed else set())
    assert cp.returncode in allowed, f"{fault}: {describe(cp)}"
    if "EINTR" in fault:
        assert cp.returncode == 0, f"EINTR must be retried, not reported: {describe(cp)}"
    if cp.returncode in (11, 12, 23):
        assert cp.stderr.strip(), f"{fault}: a failure with nothing said"
    check_whole(tmp_path, options, fault)
    assert prev_state(tmp_path) == before_prev, f"{fault}: the --link-dest tree was changed"
    if "EINTR" in fault:
        assert oracle_finds_nothing(tmp_path, options) == b"", f"{fault}: EINTR changed the result"
    faulted = files(tmp_path / "dst")
    again = run([SWIFTSYNC, *options, "src/", "dst/"], cwd=tmp_path)
    assert again.returncode == 0, f"the run after {fault}: {describe(again)}"
    check_whole(tmp_path, options, fault + " (then a clean run)", before=faulted)
    assert oracle_finds_nothing(tmp_path, options) == b"", f"the run after {fault} did not repair everything"
    assert prev_state(tmp_path) == before_prev
