"""Local sync with --no-whole-file --inplace against rsync.

With --inplace the destination file is updated where it lies (same inode) from a delta against
itself: data that is already at the right offset is left alone, blocks that moved are copied
within the file, the rest is written as literals.  rsync is the oracle: the same old tree is
synced by rsync in one world and by swiftsync in another, and both must leave the source's bytes,
keep the inode, and swiftsync must not send more literal bytes than rsync.

rsync's own --inplace matcher only uses basis blocks at or after the current write offset (data
before it may already be overwritten), so when every block moves forward (an insert near the
front) it sends almost everything as literals.  swiftsync orders the copies instead; the tests
that hold it to that are swiftsync_only (rsync standing in cannot pass them).
"""
import os
import random
import re

import pytest

from helpers import (SEC, T0, assert_ok, assert_same_tree, describe, rand_bytes, run_rsync,
                     run_swiftsync, trees_equal, write_file)

MiB = 1 << 20
OLD_T = T0
NEW_T = T0 + 100 * SEC  # newer mtime on the source, so the quick check always sees a change


# --------------------------------------------------------------------------------------------
# helpers


def rsync_block_len(size):
    """rsync's default block length for a basis of `size` bytes (generator.c sum_sizes_sqroot):
    700 up to 700*700 bytes, else about sqrt(size) rounded down to a multiple of 8, max 128 KiB."""
    if size <= 700 * 700:
        return 700
    c, l = 1, size
    while True:
        l >>= 2
        if not l:
            break
        c <<= 1
    if c >= 1 << 17:
        return 1 << 17
    b = 0
    while True:
        b |= c
        if size < b * b:
            b &= ~c
        c >>= 1
        if c < 8:
            break
    return max(b, 700)


def stat_value(cp, name):
    """A byte figure from --stats output, e.g. stat_value(cp, "Literal data")."""
    m = re.search(rb"^" + re.escape(name.encode()) + rb": ([\d,]+) bytes", cp.stdout, re.M)
    assert m, f"no {name!r} line in --stats output\n" + describe(cp)
    return int(m.group(1).replace(b",", b""))


def mutate(data, rate, seed):
    """Scattered overwrites, inserts and deletes: the logic of mktree.py mutate on bytes."""
    rng = random.Random(seed)
    data = bytearray(data)
    for _ in range(max(1, int(len(data) * rate / 64))):
        pos = rng.randrange(len(data))
        kind = rng.random()
        n = rng.randrange(1, 128)
        if kind < 0.6:
            data[pos:pos + n] = rng.randbytes(len(data[pos:pos + n]))
        elif kind < 0.8:
            data[pos:pos] = rng.randbytes(n)
        else:
            del data[pos:pos + n]
    return bytes(data)


def overwrite(data, pos, new):
    return data[:pos] + new + data[pos + len(new):]


UNCHANGED = rand_bytes(3001, 77)  # a second file that must not be transferred


def build_worlds(tmp_path, old, new, worlds=("rsync", "swiftsync")):
    """tmp_path/src holds the new version of `f` (and an unchanged file); each world directory
    holds the old version (same bytes, mode and times).  Returns the world paths."""
    write_file(tmp_path / "src" / "f", new, mtime_ns=NEW_T, mode=0o640)
    write_file(tmp_path / "src" / "unchanged", UNCHANGED, mtime_ns=OLD_T, mode=0o644)
    os.utime(tmp_path / "src", ns=(OLD_T, OLD_T))
    out = []
    for w in worlds:
        write_file(tmp_path / w / "f", old, mtime_ns=OLD_T, mode=0o640)
        write_file(tmp_path / w / "unchanged", UNCHANGED, mtime_ns=OLD_T, mode=0o644)
        os.utime(tmp_path / w, ns=(OLD_T, OLD_T))
        out.append(tmp_path / w)
    return out


def sync_both(tmp_path, args, old, new):
    """Run rsync ARGS src/ rsync/ and swiftsync ARGS src/ swiftsync/ from the same old tree.
    Returns (cp_rsync, cp_swiftsync, {world: (inode before, inode after)})."""
    r, s = build_worlds(tmp_path, old, new)
    before = {w: os.stat(w / "f").st_ino for w in (r, s)}
    cp_r = run_rsync([*args, "src/", "rsync/"], cwd=tmp_path, timeout=120)
    cp_s = run_swiftsync([*args, "src/", "swiftsync/"], cwd=tmp_path, timeout=120)
    assert_ok(cp_r)
    assert_ok(cp_s)
    inodes = {w.name: (before[w], os.stat(w / "f").st_ino) for w in (r, s)}
    return cp_r, cp_s, inodes


def check_stats(cp, size):
    """Exactly `f` (of `size` bytes) was transferred, and Literal + Matched account for all of it."""
    lit, mat = stat_value(cp, "Literal data"), stat_value(cp, "Matched data")
    assert stat_value(cp, "Total transferred file size") == size, describe(cp)
    assert lit + mat == size, f"Literal {lit} + Matched {mat} != {size}\n" + describe(cp)
    return lit, mat


# --------------------------------------------------------------------------------------------
# the cases: id -> (old bytes, new bytes), built lazily (some are several MiB)


def _insert_front(n, k=5, seed=1):
    old = rand_bytes(n, seed)
    return old, rand_bytes(k, seed + 1000) + old


def _delete_front(n, k=5, seed=1):
    old = rand_bytes(n, seed)
    return old, old[k:]


def _swap_halves(n, seed=1):
    old = rand_bytes(n, seed)
    return old, old[n // 2:] + old[:n // 2]


def _rotate(n, k, seed=1):
    old = rand_bytes(n, seed)
    return old, old[k:] + old[:k]


def _swap_middle(n, seed=1):
    """old = A B C D, new = A C B D with B and C of different, unaligned lengths."""
    old = rand_bytes(n, seed)
    a, b, c = n // 7, n // 7 + n // 5 + 13, n // 7 + n // 5 + 13 + n // 4 + 101
    return old, old[:a] + old[b:c] + old[a:b] + old[c:]


def _grow(n, extra, seed=1):
    old = rand_bytes(n, seed)
    return old, old + rand_bytes(extra, seed + 1000)


def _shrink_edit(n, keep, seed=1):
    old = rand_bytes(n, seed)
    new = old[:keep]
    return old, overwrite(new, keep // 3, b"edited!") if keep > 20 else new[:-1] + b"!"


def _mid(n, seed=1, k=10):
    old = rand_bytes(n, seed)
    return old, overwrite(old, n // 2, b"X" * min(k, n))


def _zeros(n, edit):
    old = bytes(n)
    if edit == "overwrite":
        return old, overwrite(old, n // 2 + 3, b"\x01" * 100)
    if edit == "insert-front":
        return old, b"hello" + old
    if edit == "grow":
        return old, old + bytes(n // 3) + b"tail"
    raise AssertionError(edit)


def _pattern(n, period, edit, seed=1):
    unit = rand_bytes(period, seed)
    old = (unit * (n // period + 1))[:n]
    if edit == "overwrite":
        return old, overwrite(old, n // 2 + 11, b"Z" * 300)
    if edit == "insert-front":
        return old, b"prefix!" + old
    if edit == "delete-front":
        return old, old[123:]
    raise AssertionError(edit)


B4 = 4 * MiB  # rsync's block for 4 MiB is 2048, so a 4 MiB file has 2048 whole blocks
CASES = {
    # overwrite in the middle, sizes around the 700-byte block and multi-MiB
    "mid-1B": lambda: (b"a", b"b"),
    "mid-699B": lambda: _mid(699),
    "mid-700B": lambda: _mid(700),
    "mid-701B": lambda: _mid(701),
    "mid-1400B": lambda: _mid(1400),
    "mid-1401B": lambda: _mid(1401),
    "mid-64KiB+3": lambda: _mid(65539),
    "mid-4MiB": lambda: _mid(B4),
    "mid-6MiB+5": lambda: _mid(6 * MiB + 5, seed=2),
    "same-bytes-new-mtime-1MiB": lambda: (rand_bytes(MiB, 3), rand_bytes(MiB, 3)),
    # empty and one byte
    "0B-to-1B": lambda: (b"", b"x"),
    "0B-to-5000B": lambda: (b"", rand_bytes(5000, 4)),
    "0B-to-2MiB": lambda: (b"", rand_bytes(2 * MiB, 4)),
    "1B-to-0B": lambda: (b"q", b""),
    "1B-to-2B": lambda: (b"q", b"qr"),
    "5000B-to-0B": lambda: (rand_bytes(5000, 5), b""),
    # every block moves forward / back
    "insert-front-700B": lambda: _insert_front(700),
    "insert-front-701B": lambda: _insert_front(701),
    "insert-front-100KB": lambda: _insert_front(100_000),
    "insert-front-4MiB": lambda: _insert_front(B4),
    "insert-front-block-4MiB": lambda: _insert_front(B4, k=2048),
    "delete-front-700B": lambda: _delete_front(700),
    "delete-front-701B": lambda: _delete_front(701),
    "delete-front-100KB": lambda: _delete_front(100_000),
    "delete-front-4MiB": lambda: _delete_front(B4),
    "delete-front-block-4MiB": lambda: _delete_front(B4, k=2048),
    # moved blocks whose sources overlap each other's destinations
    "swap-halves-1400B": lambda: _swap_halves(1400),
    "swap-halves-100KB": lambda: _swap_halves(100_000),
    "swap-halves-4MiB": lambda: _swap_halves(B4),
    "rotate-third-4MiB": lambda: _rotate(B4, B4 // 3 + 17),
    "rotate-1-block-1MiB": lambda: _rotate(MiB, 1024),
    "swap-middle-3MiB": lambda: _swap_middle(3 * MiB + 333),
    # grows and shrinks
    "append-1B-700B": lambda: _grow(700, 1),
    "append-1MiB": lambda: _grow(MiB, 100_000),
    "append-doubles-2MiB": lambda: _grow(2 * MiB, 2 * MiB),
    "truncate-701B-to-699B": lambda: _shrink_edit(701, 699),
    "truncate-edit-3MiB": lambda: _shrink_edit(3 * MiB, 2 * MiB + 12345),
    "truncate-to-1B": lambda: _shrink_edit(100_000, 1),
    # scattered overwrites, inserts and deletes (mktree.py mutate, rate 0.001)
    "scattered-4MiB-seed1": lambda: (lambda o: (o, mutate(o, 0.001, 1)))(rand_bytes(B4 + 123, 11)),
    "scattered-6MiB-seed2": lambda: (lambda o: (o, mutate(o, 0.001, 2)))(rand_bytes(6 * MiB, 12)),
    "scattered-8MiB-seed3": lambda: (lambda o: (o, mutate(o, 0.001, 3)))(rand_bytes(8 * MiB - 77, 13)),
    "scattered-dense-200KB": lambda: (lambda o: (o, mutate(o, 0.02, 4)))(rand_bytes(200_000, 14)),
    # every block the same
    "zeros-overwrite-1MiB": lambda: _zeros(MiB, "overwrite"),
    "zeros-insert-front-1MiB": lambda: _zeros(MiB, "insert-front"),
    "zeros-grow-1MiB": lambda: _zeros(MiB, "grow"),
    "pattern-block-overwrite-4MiB": lambda: _pattern(B4, 2048, "overwrite"),
    "pattern-block-insert-front-4MiB": lambda: _pattern(B4, 2048, "insert-front"),
    "pattern-odd-delete-front-1MiB": lambda: _pattern(MiB, 1000, "delete-front"),
    "pattern-700-insert-front-100KB": lambda: _pattern(100_000, 700, "insert-front"),
}

#: cases where blocks change offset: compared with the temp-file (no --inplace) delta as well
MOVED = ["insert-front-100KB", "insert-front-4MiB", "insert-front-block-4MiB",
         "delete-front-100KB", "delete-front-4MiB", "swap-halves-100KB", "swap-halves-4MiB",
         "rotate-third-4MiB", "rotate-1-block-1MiB", "swap-middle-3MiB", "scattered-4MiB-seed1",
         "scattered-8MiB-seed3"]
#: moves that keep the order of the data, where rsync's in-place matcher sends most of the file
#: as literals (it measured 100%, 100%, 100%, 89% and 78% of it).  No two copies need each
#: other's source, so a safe order exists without turning any copy into literals.
ORDERED_MOVES = ["insert-front-100KB", "insert-front-4MiB", "insert-front-block-4MiB",
                 "scattered-4MiB-seed1", "scattered-6MiB-seed2"]

INPLACE = ["-a", "--no-whole-file", "--inplace", "--stats"]


# --------------------------------------------------------------------------------------------
# tests


@pytest.mark.parametrize("case", list(CASES))
def test_inplace_delta_matches_rsync(tmp_path, case):
    old, new = CASES[case]()
    assert old != new or case.startswith("same-bytes")
    cp_r, cp_s, inodes = sync_both(tmp_path, INPLACE, old, new)
    trees_equal(tmp_path / "src", tmp_path / "rsync")
    trees_equal(tmp_path / "src", tmp_path / "swiftsync")
    for w, (a, b) in inodes.items():
        assert a == b, f"{w}: --inplace replaced the file (inode {a} -> {b})"
    lit_r, _ = check_stats(cp_r, len(new))
    lit_s, mat_s = check_stats(cp_s, len(new))
    assert lit_s <= lit_r, (f"swiftsync sent {lit_s} literal bytes ({mat_s} matched), "
                            f"rsync {lit_r}, for {len(old)} -> {len(new)} bytes")


@pytest.mark.swiftsync_only
@pytest.mark.parametrize("case", ORDERED_MOVES)
def test_inplace_copies_moved_blocks(tmp_path, case):
    """Blocks that moved are copied within the file (in an order that never reads an overwritten
    source), so --inplace sends no more than a normal --no-whole-file delta, plus a couple of
    blocks: far less than rsync's in-place matcher, which cannot look behind the write offset."""
    old, new = CASES[case]()
    # the reference: rsync's ordinary (temp file) delta for the same change
    build_worlds(tmp_path / "ref", old, new, worlds=("rsync",))
    cp_ref = assert_ok(run_rsync(["-a", "--no-whole-file", "--stats", "src/", "rsync/"],
                                 cwd=tmp_path / "ref", timeout=120))
    lit_ref, _ = check_stats(cp_ref, len(new))
    cp_r, cp_s, inodes = sync_both(tmp_path, INPLACE, old, new)
    trees_equal(tmp_path / "src", tmp_path / "swiftsync")
    assert inodes["swiftsync"][0] == inodes["swiftsync"][1], "--inplace replaced the file"
    lit_r, _ = check_stats(cp_r, len(new))
    lit_s, mat_s = check_stats(cp_s, len(new))
    # margin: a block length that differs a little from rsync's changes the literal per edit
    allowed = int(lit_ref * 1.1) + 2 * rsync_block_len(len(old))
    assert lit_s <= allowed, (
        f"in place: {lit_s} literal bytes ({mat_s} matched); rsync's temp-file delta needs "
        f"{lit_ref}, rsync --inplace {lit_r} (allowed: {allowed})")


@pytest.mark.parametrize("case", MOVED)
def test_no_whole_file_without_inplace_moved_blocks(tmp_path, case):
    """The same moves without --inplace: a new file (new inode) renamed over the old one."""
    old, new = CASES[case]()
    cp_r, cp_s, inodes = sync_both(tmp_path, ["-a", "--no-whole-file", "--stats"], old, new)
    trees_equal(tmp_path / "src", tmp_path / "rsync")
    trees_equal(tmp_path / "src", tmp_path / "swiftsync")
    for w, (a, b) in inodes.items():
        assert a != b, f"{w}: without --inplace the file must be replaced, not rewritten (inode {a})"
    lit_r, _ = check_stats(cp_r, len(new))
    lit_s, mat_s = check_stats(cp_s, len(new))
    assert lit_s <= lit_r, f"swiftsync sent {lit_s} literal bytes ({mat_s} matched), rsync {lit_r}"


DRY_CASES = ["mid-4MiB", "insert-front-100KB", "swap-halves-100KB", "0B-to-5000B",
             "5000B-to-0B", "truncate-edit-3MiB", "append-1MiB"]


@pytest.mark.parametrize("case", DRY_CASES)
def test_inplace_dry_run_changes_nothing(tmp_path, case):
    old, new = CASES[case]()
    r, s = build_worlds(tmp_path, old, new)
    snap = {w: os.stat(w / "f") for w in (r, s)}
    args = ["-n", "-i", "-a", "--no-whole-file", "--inplace", "src/"]
    cp_r = assert_ok(run_rsync([*args, "rsync/"], cwd=tmp_path))
    cp_s = assert_ok(run_swiftsync([*args, "swiftsync/"], cwd=tmp_path))
    for w in (r, s):
        st = os.stat(w / "f")
        assert (st.st_ino, st.st_size, st.st_mtime_ns, st.st_mode) == \
            (snap[w].st_ino, snap[w].st_size, snap[w].st_mtime_ns, snap[w].st_mode), w
        assert (w / "f").read_bytes() == old, f"{w.name}: the dry run changed the file"
        assert sorted(os.listdir(w)) == ["f", "unchanged"], f"{w.name}: left something behind"
    assert_same_tree(r, s)
    assert cp_s.stdout == cp_r.stdout, "itemized output differs\n" + describe(cp_s)


BACKUP_CASES = ["mid-64KiB+3", "insert-front-100KB", "delete-front-4MiB", "swap-halves-100KB",
                "truncate-edit-3MiB", "0B-to-5000B"]


@pytest.mark.parametrize("backup", [["--backup"], ["--backup", "--suffix=.old"],
                                    ["--backup-dir=bak"]],
                         ids=["backup", "suffix", "backup-dir"])
@pytest.mark.parametrize("case", BACKUP_CASES)
def test_inplace_with_backup(tmp_path, case, backup):
    """rsync backs the old file up, then updates the destination in place: same tree."""
    old, new = CASES[case]()
    cp_r, cp_s, inodes = sync_both(tmp_path, [*INPLACE, *backup], old, new)
    r, s = tmp_path / "rsync", tmp_path / "swiftsync"
    name = {"--backup": "f~", "--suffix=.old": "f.old", "--backup-dir=bak": "bak/f"}[backup[-1]]
    for w in (r, s):
        assert (w / name).is_file(), f"{w.name}: no backup {name}: {sorted(os.listdir(w))}"
        assert (w / name).read_bytes() == old, f"{w.name}: backup {name} does not hold the old bytes"
        assert (w / "f").read_bytes() == new, f"{w.name}: f does not hold the new bytes"
    # making the backup touches a directory after its time was set: directories get "now"
    assert_same_tree(r, s, dir_times=False)
    excl = ["-O", "--exclude=/bak/", "--exclude=*~", "--exclude=*.old"]
    trees_equal(tmp_path / "src", s, extra=excl)
    for w, (a, b) in inodes.items():
        assert a == b, f"{w}: the file was replaced (inode {a} -> {b}), not updated in place"
    lit_r, _ = check_stats(cp_r, len(new))
    lit_s, _ = check_stats(cp_s, len(new))
    assert lit_s <= lit_r

