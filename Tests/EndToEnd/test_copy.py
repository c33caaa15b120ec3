"""Copies: after `swiftsync -a SRC/ DST/` the oracle `rsync -a -c -n -i --delete SRC/ DST/`
prints nothing, for trees holding every file type, odd names, deep nesting, hard links, unusual
modes, owners, nanosecond times and sparse files."""
import os
import stat

import pytest

from helpers import (ODD_NAMES, SEC, T0, assert_listings_equal, assert_ok, bpath, describe,
                     fix_dir_times, iter_tree, make_odd_tree, make_small_tree, make_socket,
                     regular_files, run_mktree, run_swiftsync, side_by_side, slash, symlink,
                     tree_listing, trees_equal, write_file)


def sync(*args, **kw):
    return assert_ok(run_swiftsync([*map(os.fspath, args)], **kw))


# --------------------------------------------------------------------------------------------
# the big odd tree


@pytest.fixture
def odd_src(tmp_path):
    return make_odd_tree(tmp_path / "src")


def test_odd_tree_archive_copy(tmp_path, odd_src):
    dst = tmp_path / "dst"
    sync("-a", slash(odd_src), slash(dst))
    trees_equal(odd_src, dst)
    # hard links are not preserved without -H, everything else is
    assert_listings_equal(tree_listing(odd_src), tree_listing(dst), "SRC vs DST")


def test_odd_tree_hardlinks(tmp_path, odd_src):
    dst = tmp_path / "dst"
    sync("-a", "-H", slash(odd_src), slash(dst))
    trees_equal(odd_src, dst, hardlinks=True)
    assert_listings_equal(tree_listing(odd_src, nlink=True, hardlink_groups=True),
                          tree_listing(dst, nlink=True, hardlink_groups=True), "SRC vs DST (-H)")
    d = os.fsencode(dst)
    ino = lambda *p: os.lstat(bpath(d, *p)).st_ino
    assert ino("hl", "group1-a") == ino("hl", "sub", "group1-b") == ino("hl", "group1-c")
    assert ino("hl", "group2-x") == ino("names", b"group2 y with space")
    assert ino("hl", "group3-empty-a") == ino("hl", "group3-empty-b")
    assert len({ino("hl", "group1-a"), ino("hl", "group2-x"), ino("hl", "group3-empty-a"),
                ino("hl", "single")}) == 4, "distinct hard-link groups were merged"
    assert os.lstat(bpath(d, "hl", "single")).st_nlink == 1


def test_without_H_hardlinks_become_copies(tmp_path, odd_src):
    dst = tmp_path / "dst"
    sync("-a", slash(odd_src), slash(dst))
    d = os.fsencode(dst)
    for rel in (bpath("hl", "group1-a"), bpath("hl", "sub", "group1-b"), bpath("hl", "group1-c")):
        assert os.lstat(bpath(d, rel)).st_nlink == 1, rel


def test_nanosecond_mtimes(tmp_path, odd_src):
    dst = tmp_path / "dst"
    sync("-a", "-H", slash(odd_src), slash(dst))
    src_times = {rel: st.st_mtime_ns for rel, _, st in iter_tree(odd_src)}
    dst_times = {rel: st.st_mtime_ns for rel, _, st in iter_tree(dst)}
    wrong = {rel: (t, dst_times.get(rel)) for rel, t in src_times.items()
             if dst_times.get(rel) != t}
    assert not wrong, f"mtime_ns differs (src, dst) for {len(wrong)} entries: " \
                      f"{dict(list(wrong.items())[:20])}"
    # the fixture really has sub-second parts, for every kind of entry
    kinds = {}
    for rel, _, st in iter_tree(odd_src):
        kinds.setdefault(stat.S_IFMT(st.st_mode), set()).add(st.st_mtime_ns % SEC != 0)
    for k in (stat.S_IFREG, stat.S_IFDIR, stat.S_IFLNK):
        assert True in kinds[k]


def test_second_run_is_a_noop(tmp_path, odd_src):
    dst = tmp_path / "dst"
    sync("-a", "-H", slash(odd_src), slash(dst))
    before = tree_listing(dst, nlink=True)
    inodes = {rel: st.st_ino for rel, _, st in iter_tree(dst)}
    cp = sync("-a", "-H", "-i", slash(odd_src), slash(dst))
    assert cp.stdout == b"", "second run with -i should print nothing\n" + describe(cp)
    assert_listings_equal(before, tree_listing(dst, nlink=True), "DST before vs after no-op run")
    assert inodes == {rel: st.st_ino for rel, _, st in iter_tree(dst)}, \
        "a no-op run replaced files"


# --------------------------------------------------------------------------------------------
# one thing at a time (clear failure messages)


@pytest.mark.parametrize("name", ODD_NAMES, ids=lambda n: repr(n)[2:40])
def test_odd_name(tmp_path, name):
    src = os.fsencode(tmp_path / "src")
    write_file(bpath(src, name), b"content of " + name)
    write_file(bpath(src, b"dir-" + name[:250], name), b"nested " + name)
    symlink(name, bpath(src, b"link-" + name[:250]))
    fix_dir_times(src)
    dst = tmp_path / "dst"
    sync("-a", slash(src), slash(dst))
    trees_equal(src, dst)
    assert_listings_equal(tree_listing(src), tree_listing(dst), "SRC vs DST")


def _mk_fifo(p):
    os.mkfifo(p, 0o640)


def _mk_chr(p):
    os.mknod(p, stat.S_IFCHR | 0o666, os.makedev(1, 5))


def _mk_blk(p):
    os.mknod(p, stat.S_IFBLK | 0o660, os.makedev(8, 17))


SPECIALS = {
    "fifo": _mk_fifo,
    "socket": make_socket,
    "chardev": _mk_chr,
    "blockdev": _mk_blk,
    "symlink-relative": lambda p: os.symlink(b"target", p),
    "symlink-dangling": lambda p: os.symlink(b"nowhere/at/all", p),
    "symlink-absolute": lambda p: os.symlink(b"/usr/bin/env", p),
    "symlink-to-dir": lambda p: os.symlink(b".", p),
    "empty-file": lambda p: open(p, "wb").close(),
    "empty-dir": lambda p: os.mkdir(p),
}


@pytest.mark.parametrize("kind", sorted(SPECIALS))
def test_file_type(tmp_path, kind):
    src = os.fsencode(tmp_path / "src")
    os.makedirs(src)
    write_file(bpath(src, "target"), b"t\n")
    p = bpath(src, "thing")
    SPECIALS[kind](p)
    os.utime(p, ns=(T0, T0 + 123), follow_symlinks=False)
    fix_dir_times(src)
    dst = tmp_path / "dst"
    sync("-a", slash(src), slash(dst))
    trees_equal(src, dst)
    assert_listings_equal(tree_listing(src), tree_listing(dst), "SRC vs DST")
    assert stat.S_IFMT(os.lstat(bpath(dst, "thing")).st_mode) == stat.S_IFMT(os.lstat(p).st_mode)


@pytest.mark.parametrize("mode", [0o000, 0o444, 0o600, 0o4755, 0o2755, 0o6711, 0o1755, 0o777])
def test_file_mode(tmp_path, mode):
    src = tmp_path / "src"
    write_file(src / "f", b"x", mode=mode)
    fix_dir_times(src)
    dst = tmp_path / "dst"
    sync("-a", slash(src), slash(dst))
    assert stat.S_IMODE(os.lstat(dst / "f").st_mode) == mode
    trees_equal(src, dst)


@pytest.mark.parametrize("mode", [0o1777, 0o700, 0o2775, 0o555, 0o000])
def test_dir_mode(tmp_path, mode):
    src = tmp_path / "src"
    write_file(src / "d" / "f", b"x")
    os.chmod(src / "d", mode)
    fix_dir_times(src)
    dst = tmp_path / "dst"
    sync("-a", slash(src), slash(dst))
    assert stat.S_IMODE(os.lstat(dst / "d").st_mode) == mode
    assert (dst / "d" / "f").read_bytes() == b"x"
    trees_equal(src, dst)


def test_owners_preserved(tmp_path):
    src = tmp_path / "src"
    write_file(src / "a", b"a", uid=1234, gid=5678)
    write_file(src / "b", b"b", uid=0, gid=65534)
    l = symlink("a", src / "l")
    os.lchown(l, 4321, 8765)
    os.makedirs(src / "d")
    os.chown(src / "d", 777, 778)
    fix_dir_times(src)
    dst = tmp_path / "dst"
    sync("-a", slash(src), slash(dst))
    for rel, ids in (("a", (1234, 5678)), ("b", (0, 65534)), ("l", (4321, 8765)),
                     ("d", (777, 778))):
        st = os.lstat(dst / rel)
        assert (st.st_uid, st.st_gid) == ids, rel
    trees_equal(src, dst)


def test_deep_nesting(tmp_path):
    src = tmp_path / "src"
    parts = [f"level-{i:02d}" for i in range(60)]
    write_file(src.joinpath(*parts, "leaf"), b"leaf\n")
    write_file(src.joinpath(*parts[:30], "middle"), b"middle\n")
    fix_dir_times(src)
    dst = tmp_path / "dst"
    sync("-a", slash(src), slash(dst))
    assert dst.joinpath(*parts, "leaf").read_bytes() == b"leaf\n"
    trees_equal(src, dst)
    assert_listings_equal(tree_listing(src), tree_listing(dst), "SRC vs DST")


def test_sparse_file(tmp_path):
    src = tmp_path / "src"
    os.makedirs(src)
    size = 64 * 1024 * 1024 + 17
    p = src / "sparse.img"
    with open(p, "wb") as f:
        f.truncate(size)
        for off in (0, 5 * 1024 * 1024 + 3, 40 * 1024 * 1024, size - 10):
            f.seek(off)
            f.write(b"DATA" * 2 + bytes(range(2)))
    os.utime(p, ns=(T0, T0))
    fix_dir_times(src)
    st = os.stat(p)
    assert st.st_blocks * 512 < size // 8, "the source file system did not keep the file sparse"
    dst = tmp_path / "dst"
    sync("-a", "-S", slash(src), slash(dst))
    dst_st = os.stat(dst / "sparse.img")
    assert dst_st.st_size == size
    assert dst_st.st_blocks * 512 < size // 8, \
        f"-S copy is not sparse: {dst_st.st_blocks * 512} bytes allocated for {size}"
    with open(p, "rb") as a, open(dst / "sparse.img", "rb") as b:
        while True:
            x, y = a.read(1 << 22), b.read(1 << 22)
            assert x == y, "sparse copy content differs"
            if not x:
                break
    trees_equal(src, dst)


# --------------------------------------------------------------------------------------------
# argument shapes: trailing slashes, several sources, single files


def _two_level(root):
    make_small_tree(root)


@pytest.mark.parametrize("src_arg,dst_arg,dst_exists", [
    ("src/", "dst/", False),
    ("src/", "dst", False),
    ("src", "dst/", False),
    ("src", "dst", False),
    ("src", "dst/", True),
    ("src/", "dst", True),
    ("src/.", "dst", False),
    ("./src", "dst", True),
])
def test_trailing_slash_semantics(tmp_path, src_arg, dst_arg, dst_exists):
    def build(base):
        make_small_tree(base / "src")
        if dst_exists:
            os.makedirs(base / "dst")
            os.utime(base / "dst", ns=(T0, T0))
    base_r, cp_r, base_s, cp_s = side_by_side(tmp_path, ["-a"], build, src=src_arg, dst=dst_arg)
    assert_ok(cp_r)
    assert_ok(cp_s)
    lr, ls = tree_listing(base_r / "dst"), tree_listing(base_s / "dst")
    by_name = not src_arg.rstrip(".").endswith("/")
    if by_name:  # DST itself is just a container then, with a "now" mtime
        del lr[b"."]["mtime_ns"], ls[b"."]["mtime_ns"]
    assert_listings_equal(lr, ls, "DST")
    d = base_s / "dst"
    if not by_name:
        assert (d / "top.txt").is_file() and not (d / "src").exists()
    else:
        assert (d / "src" / "top.txt").is_file() and not (d / "top.txt").exists()


def test_several_sources_into_one_dest(tmp_path):
    def build(base):
        make_small_tree(base / "s1", seed=10)
        make_small_tree(base / "s2", seed=20)
        write_file(base / "s3" / "only-in-s3", b"3")
        write_file(base / "file.txt", b"a lone file\n", mode=0o640)
        symlink("file.txt", base / "alink")
        fix_dir_times(base / "s3")
    srcs = ["s1", "s2/", "s3/", "file.txt", "alink"]
    base_r, cp_r, base_s, cp_s = side_by_side(tmp_path, ["-a"], build, src=srcs, dst="dst/")
    assert_ok(cp_r)
    assert_ok(cp_s)
    d = base_s / "dst"
    assert (d / "s1" / "top.txt").is_file()          # s1 by name
    assert (d / "top.txt").is_file()                 # contents of s2
    assert (d / "only-in-s3").is_file()              # contents of s3
    assert (d / "file.txt").read_bytes() == b"a lone file\n"
    assert os.readlink(d / "alink") == "file.txt"
    assert_listings_equal(tree_listing(base_r / "dst", dir_times=False),
                          tree_listing(d, dir_times=False), "DST")


def test_single_file_to_new_name(tmp_path):
    src = tmp_path / "src"
    write_file(src / "data.bin", b"\x00\x01payload" * 1000, mode=0o640, mtime_ns=T0 + 42)
    dst = tmp_path / "renamed.bin"
    sync("-a", src / "data.bin", dst)
    assert dst.is_file()
    assert dst.read_bytes() == (src / "data.bin").read_bytes()
    st = os.lstat(dst)
    assert st.st_mtime_ns == T0 + 42 and stat.S_IMODE(st.st_mode) == 0o640


def test_single_file_into_existing_dir(tmp_path):
    src = tmp_path / "src"
    write_file(src / "data.bin", b"payload", mtime_ns=T0 + 42)
    os.makedirs(tmp_path / "dir")
    sync("-a", src / "data.bin", tmp_path / "dir")
    assert (tmp_path / "dir" / "data.bin").read_bytes() == b"payload"
    assert os.lstat(tmp_path / "dir" / "data.bin").st_mtime_ns == T0 + 42


def test_single_file_overwrites_file(tmp_path):
    src = tmp_path / "src"
    write_file(src / "data.bin", b"new payload", mtime_ns=T0 + 42)
    write_file(tmp_path / "old.bin", b"old", mtime_ns=T0)
    sync("-a", src / "data.bin", tmp_path / "old.bin")
    assert (tmp_path / "old.bin").read_bytes() == b"new payload"


def test_update_existing_dest(tmp_path):
    """A stale destination (changed, added, removed files) is brought up to date."""
    src = tmp_path / "src"
    dst = tmp_path / "dst"
    make_small_tree(src)
    sync("-a", slash(src), slash(dst))
    write_file(src / "d0" / "f00.txt", b"changed content", mtime_ns=T0 + 99 * SEC)
    write_file(src / "d2" / "new.txt", b"new", mtime_ns=T0 + 98 * SEC)
    os.chmod(src / "top.txt", 0o600)
    os.remove(src / "zero")
    fix_dir_times(src, T0 + 50 * SEC)
    sync("-a", "--delete", slash(src), slash(dst))
    trees_equal(src, dst)


# --------------------------------------------------------------------------------------------
# a generated tree of ~2000 files


def test_mktree_small_tree(tmp_path):
    src = tmp_path / "src"
    run_mktree("small", src, "--files", "2000", "--seed", "7")
    fix_dir_times(src)
    dst = tmp_path / "dst"
    sync("-a", "-H", slash(src), slash(dst))
    trees_equal(src, dst, hardlinks=True)
    assert len(regular_files(dst)) == len(regular_files(src)) >= 2000
    cp = sync("-a", "-H", "-i", slash(src), slash(dst))
    assert cp.stdout == b"", "second run should be a no-op\n" + describe(cp)


# --------------------------------------------------------------------------------------------
# swiftsync-only knobs: results must not depend on them


@pytest.mark.swiftsync_only
@pytest.mark.parametrize("knobs", [["--jobs", "1"], ["--jobs", "8"], ["--walkers", "1"],
                                   ["--walkers", "6"], ["--jobs", "3", "--walkers", "2"],
                                   ["--jobs=2", "--walkers=3"]])
def test_jobs_and_walkers_same_result(tmp_path, odd_src, knobs):
    dst = tmp_path / "dst"
    sync("-a", "-H", *knobs, slash(odd_src), slash(dst))
    trees_equal(odd_src, dst, hardlinks=True)
    cp = sync("-a", "-H", "-i", *knobs, slash(odd_src), slash(dst))
    assert cp.stdout == b"", describe(cp)


@pytest.mark.swiftsync_only
@pytest.mark.parametrize("knobs", [["--jobs", "1"], ["--jobs", "16"], ["--walkers", "8"]])
def test_jobs_and_walkers_mktree(tmp_path, knobs):
    src = tmp_path / "src"
    run_mktree("small", src, "--files", "1500", "--seed", "3")
    dst = tmp_path / "dst"
    sync("-a", "-H", *knobs, slash(src), slash(dst))
    trees_equal(src, dst, hardlinks=True)


@pytest.mark.swiftsync_only
@pytest.mark.parametrize("bad", [["--jobs", "abc"], ["--walkers", "x"], ["--jobs", "-3"]])
def test_jobs_and_walkers_bad_values(tmp_path, bad):
    src = tmp_path / "src"
    make_small_tree(src)
    cp = run_swiftsync(["-a", *bad, slash(src), slash(tmp_path / "dst")])
    assert cp.returncode == 1, describe(cp)
    assert b"usage" in cp.stderr.lower(), describe(cp)
