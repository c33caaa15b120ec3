"""Filters, deletes and transfer rules: the same options given to rsync and to swiftsync, on
identical copies of the same trees, must produce identical destinations (and exit codes).
Each case also states a few expectations of its own, so that a case that filters nothing
cannot pass by accident."""
import os
import shutil
import stat
import subprocess

import pytest

from helpers import (SEC, T0, assert_listings_equal, assert_ok, describe, fix_dir_times,
                     rand_bytes, run_rsync, run_swiftsync, side_by_side, slash, symlink,
                     tree_listing, write_file, mount_tmpfs, umount)

# --------------------------------------------------------------------------------------------
# trees

SIZES = {
    "a.txt": 100, "b.tmp": 1023, "c.log": 1024, "d.dat": 1025, "e.big": 5000,
    "huge.bin": 1_100_000, "empty.txt": 0, "x.txt": 10, "y.txt": 11, "z.txt": 12,
    "q1.log": 13, "q22.log": 14, "space name.tmp": 15, "new\nline.txt": 16,
    "build/out.o": 200, "build/out.txt": 201,
    "dir1/a.txt": 300, "dir1/x.tmp": 301, "dir1/build": 302,
    "dir1/sub/z.c": 2048, "dir1/sub/deep/w.txt": 303,
    "logs/app.log": 400, "logs/2024/jan.log": 401, "logs/2024/feb.txt": 402,
    "tmp/keep.txt": 500,
}


def build_src(root):
    root = os.fspath(root)
    for i, (rel, size) in enumerate(sorted(SIZES.items())):
        write_file(os.path.join(root, rel), rand_bytes(size, i), mtime_ns=T0 + i * SEC + i)
    os.makedirs(os.path.join(root, "emptydir"))
    os.makedirs(os.path.join(root, "dir1", "emptysub"))
    symlink("a.txt", os.path.join(root, "link.txt"), mtime_ns=T0 + 77)
    symlink("dir1", os.path.join(root, "linkdir"), mtime_ns=T0 + 78)
    fix_dir_times(root)


def with_src(extra=None):
    def build(base):
        build_src(base / "src")
        if extra:
            extra(base)
    return build


def entries(root):
    return set(tree_listing(root, times=False, owners=False, modes=False))


def check_presence(root, present=(), absent=()):
    have = entries(root)
    for p in present:
        assert os.fsencode(p) in have, f"expected {p!r} in DST; DST has {sorted(have)}"
    for p in absent:
        assert os.fsencode(p) not in have, f"expected {p!r} NOT in DST"


def compare(tmp_path, args, build, *, src="src/", dst="dst/", expect_rc=0, present=(),
            absent=(), also=(), root_time=True, loose=(), **listing_opts):
    """Run rsync and swiftsync side by side; compare exit codes and the trees under the first
    component of DST (+ the trees named in `also`).

    root_time=False  ignore the mtime of DST itself (when DST is a mere container)
    loose            relpaths (under DST) whose mtime legitimately is "now" (e.g. a directory
                     not in SRC that survives a delete because something in it is protected)
    present/absent   relpaths under DST that must / must not exist after the swiftsync run
    """
    base_r, cp_r, base_s, cp_s = side_by_side(tmp_path, args, build, src=src, dst=dst)
    assert cp_r.returncode == expect_rc, "the oracle itself behaved unexpectedly\n" + describe(cp_r)
    assert cp_s.returncode == expect_rc, describe(cp_s)
    dst_root = dst.split("/")[0]
    for rel in (dst_root, *also):
        lr = tree_listing(base_r / rel, **listing_opts)
        ls = tree_listing(base_s / rel, **listing_opts)
        if rel == dst_root:
            for k in ([b"."] if not root_time else []) + [os.fsencode(x) for x in loose]:
                for listing in (lr, ls):
                    if k in listing:
                        listing[k].pop("mtime_ns", None)
        assert_listings_equal(lr, ls, f"{rel} (rsync vs swiftsync)")
    check_presence(base_s / dst_root, present, absent)
    return base_r, cp_r, base_s, cp_s


# --------------------------------------------------------------------------------------------
# include / exclude / filter rules

FILTER_CASES = [
    # (id, args, present, absent)
    ("exclude-glob", ["--exclude=*.tmp"], ["a.txt", "dir1/a.txt", "link.txt"],
     ["b.tmp", "dir1/x.tmp", "space name.tmp"]),
    ("exclude-dir-only", ["--exclude=build/"], ["dir1/build"], ["build", "build/out.o"]),
    ("exclude-name-any-type", ["--exclude=build"], [], ["build", "dir1/build"]),
    ("include-then-exclude-all", ["--include=*.txt", "--exclude=*"],
     ["a.txt", "empty.txt", "x.txt", "new\nline.txt", "link.txt"], ["dir1", "b.tmp", "build",
                                                                   "linkdir"]),
    ("exclude-all-then-include", ["--exclude=*", "--include=*.txt"], ["."], ["a.txt", "dir1"]),
    ("filter-dirs-and-txt", ["-f", "+ */", "-f", "+ *.txt", "-f", "- *"],
     ["a.txt", "dir1/a.txt", "dir1/sub/deep/w.txt", "logs/2024/feb.txt", "build/out.txt",
      "emptydir", "link.txt"], ["c.log", "dir1/sub/z.c", "linkdir", "dir1/build"]),
    ("filter-dirs-minus-tmp", ["-f", "+ */", "-f", "- *.tmp"], ["a.txt", "tmp/keep.txt"],
     ["b.tmp", "dir1/x.tmp"]),
    ("filter-long-form", ["--filter=exclude *.log", "--filter=include *"], ["a.txt"],
     ["c.log", "logs/app.log"]),
    ("double-star", ["--exclude=logs/**"], ["logs"], ["logs/app.log", "logs/2024"]),
    ("double-star-middle", ["--exclude=dir1/**/w.txt"], ["dir1/a.txt", "dir1/sub/deep"],
     ["dir1/sub/deep/w.txt"]),
    ("double-star-suffix", ["--exclude=**.log"], ["a.txt"], ["c.log", "logs/2024/jan.log"]),
    ("question-mark", ["--exclude=q?.log"], ["q22.log"], ["q1.log"]),
    ("char-class", ["--exclude=[xy].txt"], ["z.txt", "a.txt"], ["x.txt", "y.txt"]),
    ("char-range-negated", ["--exclude=[!a-x].txt"], ["a.txt", "x.txt"], ["y.txt", "z.txt"]),
    ("anchored", ["--exclude=/a.txt"], ["dir1/a.txt"], ["a.txt"]),
    ("anchored-dir", ["--filter=- /build/"], ["dir1/build"], ["build"]),
    ("unanchored-name", ["--exclude=a.txt"], ["x.txt"], ["a.txt", "dir1/a.txt"]),
    ("path-with-slash", ["--exclude=sub/z.c"], ["dir1/sub/deep/w.txt"], ["dir1/sub/z.c"]),
    ("triple-star", ["--exclude=dir1/***"], ["a.txt"], ["dir1", "dir1/a.txt"]),
    ("include-triple-star", ["--include=dir1/***", "--exclude=*"],
     ["dir1/sub/z.c", "dir1/emptysub"], ["a.txt", "logs"]),
    ("exclude-all-dirs", ["--exclude=*/"], ["a.txt", "link.txt", "linkdir"], ["dir1", "build"]),
    ("first-match-wins", ["--include=dir1/x.tmp", "--exclude=*.tmp"], ["dir1/x.tmp"],
     ["b.tmp"]),
    ("first-match-wins-2", ["--exclude=*.tmp", "--include=dir1/x.tmp"], ["a.txt"],
     ["b.tmp", "dir1/x.tmp"]),
    ("exclude-symlink-by-name", ["--exclude=link*"], ["a.txt"], ["link.txt", "linkdir"]),
    ("exclude-newline-name", ["--exclude=new?line.txt"], ["a.txt"], ["new\nline.txt"]),
    ("exclude-space-name", ["--exclude=space name.tmp"], ["b.tmp"], ["space name.tmp"]),
]


@pytest.mark.parametrize("args,present,absent", [c[1:] for c in FILTER_CASES],
                         ids=[c[0] for c in FILTER_CASES])
def test_filter_rules(tmp_path, args, present, absent):
    compare(tmp_path, ["-a", *args], with_src(), present=present, absent=absent)


def _write(base, name, text):
    (base / name).write_bytes(text.encode() if isinstance(text, str) else text)


def test_exclude_from_file_with_comments(tmp_path):
    def extra(base):
        _write(base, "excl.txt", "# a comment\n; another comment\n\n*.tmp\nlogs/\n/x.txt\n")
    compare(tmp_path, ["-a", "--exclude-from=excl.txt"], with_src(extra),
            present=["a.txt", "dir1/a.txt", "dir1/build"],
            absent=["b.tmp", "logs", "x.txt", "dir1/x.tmp"])


def test_include_from_file_with_comments(tmp_path):
    def extra(base):
        _write(base, "incl.txt", "# keep directories and text files\n*/\n; comment\n*.txt\n")
    compare(tmp_path, ["-a", "--include-from=incl.txt", "--exclude=*"], with_src(extra),
            present=["a.txt", "dir1/sub/deep/w.txt", "emptydir"],
            absent=["c.log", "dir1/sub/z.c", "linkdir"])


def test_exclude_from_commented_out_pattern(tmp_path):
    def extra(base):
        _write(base, "excl.txt", "*.tmp\n\n#*.log\nq1.log\n")
    compare(tmp_path, ["-a", "--exclude-from=excl.txt"], with_src(extra),
            present=["c.log", "q22.log"], absent=["b.tmp", "q1.log"])


@pytest.mark.parametrize("extra_args", [[], ["-r"]], ids=["no-r", "with-r"])
def test_files_from(tmp_path, extra_args):
    def extra(base):
        _write(base, "list.txt", "a.txt\n# comment line\ndir1/sub/z.c\nlogs\n\nbuild/\n"
                                 "/tmp/keep.txt\n")
    present = ["a.txt", "dir1/sub/z.c", "logs", "build/out.o", "tmp/keep.txt"]
    absent = ["b.tmp", "dir1/a.txt"] + ([] if extra_args else ["logs/app.log"])
    compare(tmp_path, ["-a", *extra_args, "--files-from=list.txt"], with_src(extra),
            present=present, absent=absent, root_time=False)


def test_files_from_null_separated(tmp_path):
    def extra(base):
        _write(base, "list0", b"new\nline.txt\0space name.tmp\0dir1/sub/deep/w.txt\0")
    compare(tmp_path, ["-a", "-0", "--files-from=list0"], with_src(extra),
            present=["new\nline.txt", "space name.tmp", "dir1/sub/deep/w.txt"],
            absent=["a.txt", "dir1/a.txt"], root_time=False)


def test_files_from_with_exclude(tmp_path):
    def extra(base):
        _write(base, "list.txt", "dir1\nlogs\n")
    compare(tmp_path, ["-a", "-r", "--files-from=list.txt", "--exclude=*.log"], with_src(extra),
            present=["dir1/sub/z.c", "logs/2024/feb.txt"], absent=["logs/app.log", "a.txt"],
            root_time=False)


SIZE_CASES = [
    (["--min-size=1k"], ["c.log", "d.dat", "e.big", "huge.bin", "link.txt"],
     ["a.txt", "b.tmp", "empty.txt"]),
    (["--max-size=1k"], ["a.txt", "b.tmp", "c.log", "empty.txt", "emptydir"],
     ["d.dat", "e.big"]),
    (["--max-size=1K"], ["c.log"], ["d.dat"]),
    (["--max-size=1M"], ["e.big"], ["huge.bin"]),
    (["--min-size=1025", "--max-size=4K"], ["d.dat", "dir1/sub/z.c"], ["c.log", "e.big"]),
    (["--min-size=2.5k"], ["e.big"], ["dir1/sub/z.c"]),
    (["--max-size=1kb"], ["a.txt"], ["c.log"]),  # kb = 1000
]


@pytest.mark.parametrize("args,present,absent", SIZE_CASES,
                         ids=["_".join(c[0]) for c in SIZE_CASES])
def test_size_limits(tmp_path, args, present, absent):
    compare(tmp_path, ["-a", *args], with_src(), present=present, absent=absent)


# --------------------------------------------------------------------------------------------
# deletes


def with_extras(base):
    """SRC plus a DST that has extra (and stale) entries."""
    build_src(base / "src")
    d = base / "dst"
    write_file(d / "a.txt", b"stale a", mtime_ns=T0 - 5 * SEC)
    write_file(d / "extra.txt", b"extra", mtime_ns=T0)
    write_file(d / "extra.tmp", b"extra tmp", mtime_ns=T0)
    write_file(d / "extradir" / "f", b"f", mtime_ns=T0)
    write_file(d / "extradir" / "sub" / "g.tmp", b"g", mtime_ns=T0)
    write_file(d / "dir1" / "extra2.txt", b"e2", mtime_ns=T0)
    write_file(d / "dir1" / "sub" / "old.tmp", b"old", mtime_ns=T0)
    write_file(d / "logs" / "2024" / "dec.log", b"dec", mtime_ns=T0)
    symlink("nowhere", d / "extralink", mtime_ns=T0)
    os.makedirs(d / "emptyextra")
    fix_dir_times(d, T0 + 300 * SEC)


EXTRAS = ["extra.txt", "extra.tmp", "extradir", "dir1/extra2.txt", "dir1/sub/old.tmp",
          "logs/2024/dec.log", "extralink", "emptyextra"]

DELETE_CASES = [
    ("delete", ["--delete"], [], EXTRAS),
    ("delete-before", ["--delete-before"], [], EXTRAS),
    ("delete-during", ["--delete-during"], [], EXTRAS),
    ("delete-after", ["--delete-after"], [], EXTRAS),
    ("no-delete", [], EXTRAS, []),
    ("excluded-protected", ["--delete", "--exclude=*.tmp"],
     ["extra.tmp", "dir1/sub/old.tmp"], ["extra.txt", "extradir/f", "b.tmp"]),
    ("excluded-dir-protected", ["--delete-after", "--exclude=extradir/"], ["extradir/sub/g.tmp"],
     ["extra.txt"]),
    ("delete-excluded", ["--delete", "--delete-excluded", "--exclude=*.tmp"], ["a.txt"],
     ["extra.tmp", "dir1/sub/old.tmp", "b.tmp", "extra.txt"]),
    ("delete-excluded-alone", ["--delete-excluded", "--exclude=*.log"], ["a.txt"],
     ["logs/2024/dec.log", "c.log", "extra.txt"]),
    ("delete-protect-rule", ["--delete", "-f", "P extra*"], ["extra.txt", "extradir"],
     ["dir1/sub/old.tmp"]),
    ("delete-with-include-exclude", ["--delete", "--include=*/", "--include=*.txt",
                                     "--exclude=*"], ["extra.tmp", "a.txt"],
     ["extra.txt", "dir1/extra2.txt"]),
]


@pytest.mark.parametrize("args,present,absent", [c[1:] for c in DELETE_CASES],
                         ids=[c[0] for c in DELETE_CASES])
def test_delete_modes(tmp_path, args, present, absent):
    # a directory that is not in SRC but survives (something in it is protected) gets "now"
    base_r, cp_r, base_s, cp_s = compare(tmp_path, ["-a", *args], with_extras,
                                         present=present, absent=absent,
                                         loose=["extradir", "extradir/sub"])
    assert (base_s / "dst" / "a.txt").read_bytes() == (base_s / "src" / "a.txt").read_bytes()


def test_delete_replaces_types(tmp_path):
    """DST has a dir where SRC has a file and vice versa; --delete lets both be replaced."""
    def build(base):
        build_src(base / "src")
        d = base / "dst"
        write_file(d / "a.txt" / "inner", b"a dir in the way")
        write_file(d / "emptydir", b"a file in the way")
        symlink("x", d / "dir1")
        fix_dir_times(d)
    compare(tmp_path, ["-a", "--delete"], build, present=["a.txt", "dir1/a.txt", "emptydir"],
            absent=["a.txt/inner"])


def _max_delete_world(base):
    build_src(base / "src")
    d = base / "dst"
    for i in range(5):
        write_file(d / f"extra{i}", b"x", mtime_ns=T0)
    for i in range(3):
        write_file(d / "dir1" / f"extra-in-dir1-{i}", b"y", mtime_ns=T0)
    fix_dir_times(d)


@pytest.mark.parametrize("mode", ["--delete", "--delete-before", "--delete-after"])
def test_max_delete_stops_deletions(tmp_path, mode):
    """--max-delete=3 with 8 extraneous files: exactly 3 deleted, exit 25, rest synced."""
    base_s = tmp_path / "w"
    base_s.mkdir()
    _max_delete_world(base_s)
    cp = run_swiftsync(["-a", mode, "--max-delete=3", "src/", "dst/"], cwd=base_s)
    assert cp.returncode == 25, describe(cp)
    left = [n for n in entries(base_s / "dst") if b"extra" in n]
    assert len(left) == 5, f"expected 5 of 8 extraneous files left, got {sorted(left)}"
    assert (base_s / "dst" / "huge.bin").exists(), "the transfer itself must still complete"
    assert cp.stderr, "a warning about skipped deletions belongs on stderr"


@pytest.mark.parametrize("mode", ["--delete", "--delete-before", "--delete-during",
                                  "--delete-after", "--delete-delay", "--del"])
def test_max_delete_same_as_rsync(tmp_path, mode):
    compare(tmp_path, ["-a", mode, "--max-delete=3"], _max_delete_world, expect_rc=25)


def test_max_delete_zero_deletes_nothing(tmp_path):
    compare(tmp_path, ["-a", "--delete", "--max-delete=0"], _max_delete_world, expect_rc=25,
            present=["extra0", "dir1/extra-in-dir1-2"])


def test_max_delete_not_reached(tmp_path):
    compare(tmp_path, ["-a", "--delete", "--max-delete=100"], _max_delete_world, expect_rc=0,
            absent=["extra0"])


# --------------------------------------------------------------------------------------------
# which files are transferred


def stale(kind):
    """A SRC and a DST that is a copy of SRC with one deliberate difference on a.txt and
    c.log (c.log: DST copy older; a.txt: see kind)."""
    def build(base):
        build_src(base / "src")
        s, d = base / "src", base / "dst"
        run_rsync(["-a", slash(s), slash(d)])  # exact copy (oracle)
        a = (s / "a.txt").read_bytes()
        a_t = os.lstat(s / "a.txt").st_mtime_ns
        other = bytes(reversed(a))  # same size, different content
        if kind == "newer-dest":
            write_file(d / "a.txt", b"newer dest content", mtime_ns=a_t + 100 * SEC)
        elif kind == "same-size-same-time":
            write_file(d / "a.txt", other, mtime_ns=a_t)
        elif kind == "same-size-other-time":
            write_file(d / "a.txt", other, mtime_ns=a_t - 100 * SEC)
        elif kind == "one-second-off":
            write_file(d / "a.txt", other, mtime_ns=a_t + SEC)
        elif kind == "other-size-same-time":
            write_file(d / "a.txt", a + b"more", mtime_ns=a_t)
        write_file(d / "c.log", b"older", mtime_ns=T0 - 1000 * SEC)
        os.remove(d / "b.tmp")
        os.remove(d / "dir1" / "sub" / "z.c")
        fix_dir_times(d)
    return build


def dst_bytes(base, rel="a.txt"):
    return (base / "dst" / rel).read_bytes()


def src_bytes(base, rel="a.txt"):
    return (base / "src" / rel).read_bytes()


@pytest.mark.parametrize("kind,args,updated", [
    ("same-size-same-time", [], False),          # the quick check trusts size+mtime
    ("same-size-same-time", ["-c"], True),
    ("same-size-same-time", ["--checksum"], True),
    ("same-size-same-time", ["-I"], True),
    ("same-size-same-time", ["--ignore-times"], True),
    ("same-size-other-time", [], True),
    ("same-size-other-time", ["--size-only"], False),
    ("other-size-same-time", ["--size-only"], True),
    ("one-second-off", [], True),
    ("one-second-off", ["--modify-window=2"], False),
    ("one-second-off", ["--modify-window=1"], False),
    ("newer-dest", [], True),
    ("newer-dest", ["-u"], False),
    ("newer-dest", ["--update"], False),
    ("same-size-other-time", ["-u"], True),
    ("newer-dest", ["--ignore-existing"], False),
    ("newer-dest", ["--existing"], True),
])
def test_quick_check_and_update_rules(tmp_path, kind, args, updated):
    base_r, _, base_s, _ = compare(tmp_path, ["-a", *args], stale(kind))
    assert (dst_bytes(base_s) == src_bytes(base_s)) == updated, \
        f"a.txt should {'' if updated else 'not '}have been updated"
    assert dst_bytes(base_s, "c.log") == src_bytes(base_s, "c.log") or "--ignore-existing" in args


def test_existing_creates_nothing_new(tmp_path):
    compare(tmp_path, ["-a", "--existing"], stale("same-size-other-time"),
            absent=["b.tmp", "dir1/sub/z.c"], present=["c.log"])


def test_ignore_existing_creates_new_only(tmp_path):
    base_r, _, base_s, _ = compare(tmp_path, ["-a", "--ignore-existing"],
                                   stale("same-size-other-time"), present=["b.tmp", "dir1/sub/z.c"])
    assert dst_bytes(base_s, "c.log") == b"older"


def test_existing_into_empty_dest(tmp_path):
    def build(base):
        build_src(base / "src")
        os.makedirs(base / "dst")
        os.utime(base / "dst", ns=(T0, T0))
    compare(tmp_path, ["-a", "--existing"], build, absent=["a.txt", "dir1"])


@pytest.mark.parametrize("args", [["-W"], ["--whole-file"], ["--inplace"], ["--partial"],
                                  ["--partial-dir=.part"], ["--bwlimit=100000"], ["-h"],
                                  ["-v"], ["--stats"], ["--progress"], ["-q"], ["-S"],
                                  ["--numeric-ids"], ["-n"], ["--dry-run"]],
                         ids=lambda a: a[0])
def test_misc_options_same_result(tmp_path, args):
    compare(tmp_path, ["-a", "--delete", *args], with_extras)


def test_inplace_keeps_inode(tmp_path):
    build = stale("same-size-other-time")
    base = tmp_path / "w"
    base.mkdir()
    build(base)
    ino = os.lstat(base / "dst" / "a.txt").st_ino
    assert_ok(run_swiftsync(["-a", "--inplace", "src/", "dst/"], cwd=base))
    assert dst_bytes(base) == src_bytes(base)
    assert os.lstat(base / "dst" / "a.txt").st_ino == ino, "--inplace must rewrite the file in place"


def test_default_replaces_file_by_rename(tmp_path):
    """Without --inplace an updated file is a new inode (written aside, then renamed)."""
    build = stale("same-size-other-time")
    base = tmp_path / "w"
    base.mkdir()
    build(base)
    ino = os.lstat(base / "dst" / "a.txt").st_ino
    keep = os.open(base / "dst" / "a.txt", os.O_RDONLY)  # pin the old inode
    try:
        assert_ok(run_swiftsync(["-a", "src/", "dst/"], cwd=base))
        assert os.lstat(base / "dst" / "a.txt").st_ino != ino
        assert os.pread(keep, 1000, 0) == bytes(reversed(src_bytes(base))), \
            "the old file was modified in place"
    finally:
        os.close(keep)


# --------------------------------------------------------------------------------------------
# --link-dest / --compare-dest / backups


def make_prev(base, name, change=("a.txt",)):
    """base/NAME = exact copy of base/src, then the files in `change` rewritten."""
    run_rsync(["-a", slash(base / "src"), slash(base / name)])
    for rel in change:
        write_file(base / name / rel, b"changed in " + name.encode())
    fix_dir_times(base / name)


def with_prev(*prev_names, change=("a.txt",)):
    def build(base):
        build_src(base / "src")
        for name in prev_names:
            make_prev(base, name, change)
    return build


def _ino(p):
    return os.lstat(p).st_ino


def test_link_dest(tmp_path):
    base_r, _, base_s, _ = compare(tmp_path, ["-a", "--link-dest=../prev"], with_prev("prev"),
                                   nlink=True, also=["prev", "src"])
    s, d, p = base_s / "src", base_s / "dst", base_s / "prev"
    for rel in ("c.log", "dir1/sub/z.c", "huge.bin", "empty.txt"):
        assert _ino(d / rel) == _ino(p / rel), f"{rel} unchanged: should be a hard link into prev"
    assert _ino(d / "a.txt") != _ino(p / "a.txt")
    assert (d / "a.txt").read_bytes() == (s / "a.txt").read_bytes()
    assert (p / "a.txt").read_bytes() == b"changed in prev", "link-dest dir must not be modified"


@pytest.mark.parametrize("option", ["--link-dest", "--compare-dest"])
def test_alternate_dest_with_checksum(tmp_path, option):
    """-c with --link-dest/--compare-dest: files whose bytes (and attributes) match the
    alternate's are linked or left out; same bytes with another time, or other bytes, are
    copied, as rsync does."""
    def build(base):
        with_prev("prev")(base)
        # Same bytes, another mtime: only a checksum can tell it is unchanged.
        t = os.stat(base / "prev" / "c.log").st_mtime_ns + 5 * 1_000_000_000
        os.utime(base / "prev" / "c.log", ns=(t, t))
        fix_dir_times(base / "prev")
    base_r, _, base_s, _ = compare(tmp_path, ["-a", "-c", f"{option}=../prev"], build, nlink=True, also=["prev", "src"])
    d, p = base_s / "dst", base_s / "prev"
    if option == "--link-dest":
        assert _ino(d / "dir1/sub/z.c") == _ino(p / "dir1/sub/z.c"), "same bytes and attributes: linked"
        assert _ino(d / "a.txt") != _ino(p / "a.txt"), "changed bytes are copied"
    else:
        assert not (d / "dir1/sub/z.c").exists(), "same bytes and attributes: left out"


def test_link_dest_absolute_and_repeated(tmp_path):
    out = {}
    for who, runner in (("rsync", run_rsync), ("swiftsync", run_swiftsync)):
        base = tmp_path / who
        base.mkdir()
        build_src(base / "src")
        make_prev(base, "prev1", change=("a.txt", "c.log"))
        make_prev(base, "prev2", change=("d.dat",))
        # absolute paths differ between the two worlds, so the arguments are made per world
        args = ["-a", f"--link-dest={base / 'prev1'}", f"--link-dest={base / 'prev2'}",
                "src/", "dst/"]
        assert_ok(runner(args, cwd=base))
        out[who] = base
    assert_listings_equal(tree_listing(out["rsync"] / "dst", nlink=True),
                          tree_listing(out["swiftsync"] / "dst", nlink=True), "DST")
    b = out["swiftsync"]
    assert _ino(b / "dst" / "a.txt") == _ino(b / "prev2" / "a.txt")   # changed in prev1 only
    assert _ino(b / "dst" / "d.dat") == _ino(b / "prev1" / "d.dat")   # changed in prev2 only
    assert _ino(b / "dst" / "e.big") == _ino(b / "prev1" / "e.big")   # first match wins
    assert (b / "dst" / "c.log").read_bytes() == (b / "src" / "c.log").read_bytes()


def test_compare_dest(tmp_path):
    base_r, _, base_s, _ = compare(tmp_path, ["-a", "--compare-dest=../cmp"],
                                   with_prev("cmp", change=("a.txt", "dir1/sub/z.c")),
                                   present=["a.txt", "dir1/sub/z.c"],
                                   absent=["c.log", "huge.bin", "dir1/a.txt"])


BACKUP_CASES = [
    ("b", ["-b"], ["a.txt~", "c.log~"], []),
    ("suffix", ["-b", "--suffix=.bak"], ["a.txt.bak"], ["a.txt~"]),
    ("backup-dir", ["-b", "--backup-dir=../bk"], [], ["a.txt~"]),
    ("backup-dir-implies-b", ["--backup-dir=../bk"], [], ["a.txt~"]),
    ("backup-dir-suffix", ["--backup-dir=../bk", "--suffix=.old"], [], []),
    ("delete-backup", ["--delete", "-b"], ["extra.txt~"], ["extra.txt"]),
    ("delete-backup-dir", ["--delete", "--backup-dir=../bk"], [], ["extra.txt", "extradir"]),
]


@pytest.mark.parametrize("args,present,absent", [c[1:] for c in BACKUP_CASES],
                         ids=[c[0] for c in BACKUP_CASES])
def test_backups(tmp_path, args, present, absent):
    def build(base):
        stale("same-size-other-time")(base)
        write_file(base / "dst" / "extra.txt", b"extra")
        write_file(base / "dst" / "extradir" / "f", b"f")
        fix_dir_times(base / "dst")
    uses_dir = any("backup-dir" in a for a in args)
    base_r, _, base_s, _ = compare(tmp_path, ["-a", *args], build, present=present,
                                   absent=absent, dir_times=False,
                                   also=["bk"] if uses_dir else [])
    old = bytes(reversed(src_bytes(base_s)))
    if uses_dir:
        suffix = "".join(a.split("=", 1)[1] for a in args if a.startswith("--suffix="))
        assert (base_s / "bk" / ("a.txt" + suffix)).read_bytes() == old
    else:
        suffix = "".join(a.split("=", 1)[1] for a in args if a.startswith("--suffix=")) or "~"
        assert (base_s / "dst" / ("a.txt" + suffix)).read_bytes() == old


def test_remove_source_files(tmp_path):
    def build(base):
        stale("same-size-other-time")(base)
    base_r, _, base_s, _ = compare(tmp_path, ["-a", "--remove-source-files"], build,
                                   also=["src"], dir_times=False)
    left = [r for r, d in tree_listing(base_s / "src").items() if d["type"] != "d"]
    assert left == [], f"files left in SRC: {left}"


def test_remove_source_files_with_exclude(tmp_path):
    compare(tmp_path, ["-a", "--remove-source-files", "--exclude=*.log"],
            stale("same-size-other-time"), also=["src"], dir_times=False)


# --------------------------------------------------------------------------------------------
# attributes


def with_modes(base):
    s = base / "src"
    write_file(s / "private", b"p", mode=0o600)
    write_file(s / "exec", b"#!/bin/sh\n", mode=0o700)
    write_file(s / "odd", b"o", mode=0o4751)
    write_file(s / "d" / "f", b"f", mode=0o640)
    write_file(s / "d" / "sub" / "g", b"g", mode=0o666)
    os.chmod(s / "d", 0o700)
    os.chmod(s / "d" / "sub", 0o777)
    symlink("private", s / "link")
    fix_dir_times(s)


@pytest.mark.parametrize("chmod", ["D755,F644", "Du=rwx,Dgo=rx,Fu=rw,Fgo=r", "go-w",
                                   "a+rX", "u+s,g-x", "Fo-rwx,D2775", "ugo=rwX", "644"])
def test_chmod(tmp_path, chmod):
    compare(tmp_path, ["-a", f"--chmod={chmod}"], with_modes)


def test_chmod_d755_f644_values(tmp_path):
    _, _, base_s, _ = compare(tmp_path, ["-a", "--chmod=D755,F644"], with_modes)
    for rel, d in tree_listing(base_s / "dst").items():
        if d["type"] == "f":
            assert d["mode"] == oct(0o644), rel
        elif d["type"] == "d":
            assert d["mode"] == oct(0o755), rel


@pytest.mark.parametrize("args", [["-r"], ["-rl"], ["-rlp"], ["-rlpt"], ["-rlptg"],
                                  ["-rlpto"], ["-rlptD"], ["-rlpt", "--devices"],
                                  ["-rlpt", "--specials"], ["-rlpt", "--devices", "--specials"],
                                  ["-rltgoD"], ["-rlpgoD"], ["-rptgoD"], ["-rlptgo"],
                                  ["-rlptD", "-g"]], ids=" ".join)
def test_attribute_flags(tmp_path, args):
    def build(base):
        s = base / "src"
        write_file(s / "f", b"data", mode=0o640, uid=1234, gid=5678, mtime_ns=T0 + 5)
        write_file(s / "d" / "g", b"more", mode=0o604, uid=4321, gid=8765, mtime_ns=T0 + 6)
        symlink("f", s / "link", mtime_ns=T0 + 7)
        os.mkfifo(s / "fifo")
        os.mknod(s / "null", stat.S_IFCHR | 0o666, os.makedev(1, 3))
        os.utime(s / "fifo", ns=(T0, T0 + 8))
        os.utime(s / "null", ns=(T0, T0 + 9))
        os.chown(s / "d", 555, 556)
        os.chmod(s / "d", 0o750)
        fix_dir_times(s)
    flags = "".join(a[1:] for a in args if not a.startswith("--"))
    times = "t" in flags or "a" in flags
    compare(tmp_path, args, build, times=times, dir_times=times,
            present=["f", "d/g"])


def test_numeric_ids(tmp_path):
    def build(base):
        s = base / "src"
        write_file(s / "unnamed", b"u", uid=4321, gid=8765)
        write_file(s / "nobody", b"n", uid=65534, gid=65534)
        write_file(s / "root", b"r", uid=0, gid=0)
        l = symlink("root", s / "link")
        os.lchown(l, 999, 998)
        fix_dir_times(s)
    _, _, base_s, _ = compare(tmp_path, ["-a", "--numeric-ids"], build)
    assert os.lstat(base_s / "dst" / "unnamed").st_uid == 4321
    assert os.lstat(base_s / "dst" / "link").st_gid == 998


# --------------------------------------------------------------------------------------------
# destination paths


def test_mkpath(tmp_path):
    base_r, _, base_s, _ = compare(tmp_path, ["-a", "--mkpath"], with_src(), dst="dst/a/b/c/",
                                   dir_times=False, present=["a/b/c/a.txt"])
    # the transferred tree itself keeps its times
    assert_listings_equal(tree_listing(base_r / "dst/a/b/c"), tree_listing(base_s / "dst/a/b/c"))


def test_mkpath_single_file_new_name(tmp_path):
    compare(tmp_path, ["-a", "--mkpath"], with_src(), src="src/a.txt", dst="dst/x/y/renamed.txt",
            present=["x/y/renamed.txt"], dir_times=False, root_time=False)


def test_missing_dest_parents_without_mkpath_is_an_error(tmp_path):
    base = tmp_path / "w"
    base.mkdir()
    build_src(base / "src")
    cp = run_swiftsync(["-a", "src/", "dst/a/b/c/"], cwd=base)
    assert cp.returncode != 0, describe(cp)
    assert cp.stderr.strip(), "an error message belongs on stderr\n" + describe(cp)
    assert not (base / "dst").exists()


def test_last_dest_component_is_created(tmp_path):
    compare(tmp_path, ["-a"], with_src(), dst="dst/", present=["a.txt"])


# --------------------------------------------------------------------------------------------
# -x / --one-file-system


@pytest.mark.parametrize("args", [["-a", "-x"], ["-a", "--one-file-system"], ["-a"]],
                         ids=" ".join)
def test_one_file_system(tmp_path, args):
    mounts = []
    try:
        def build(base):
            build_src(base / "src")
            m = base / "src" / "dir1" / "mnt"
            mount_tmpfs(m)
            mounts.append(m)
            write_file(m / "on-tmpfs.txt", b"other fs", mtime_ns=T0)
            write_file(m / "sub" / "deeper.txt", b"deeper", mtime_ns=T0)
            os.utime(m / "sub", ns=(T0, T0))
            os.utime(m, ns=(T0 + 1, T0 + 1))
            os.utime(m.parent, ns=(T0 + 2, T0 + 2))
        crosses = args == ["-a"]
        kw = {"present": ["dir1/mnt/on-tmpfs.txt"]} if crosses else {
            "absent": ["dir1/mnt/on-tmpfs.txt"], "present": ["dir1/a.txt"]}
        compare(tmp_path, args, build, **kw)
    finally:
        for m in mounts:
            umount(m)
