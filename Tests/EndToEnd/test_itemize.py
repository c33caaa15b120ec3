"""`-i/--itemize-changes`: for each scenario, rsync runs in world A and swiftsync in world B,
from identical starting states (cwd = the world, relative SRC/DST arguments, so every path in
every message is the same).  The multiset of stdout lines must be identical (order ignored),
and so must the resulting destinations.  With -n the lines must match too and DST must not
change at all."""
import os
import stat

import pytest

from helpers import (NOBODY_GID, NOBODY_UID, SEC, T0, assert_listings_equal, bpath, describe,
                     fix_dir_times, iter_tree, make_socket, rand_bytes, restore_dir_times,
                     run_rsync, run_swiftsync, snapshot_dir_times, symlink, tree_listing,
                     write_file)


def build_base(src):
    s = os.fsencode(src)
    write_file(bpath(s, "a.txt"), b"alpha alpha alpha\n", mtime_ns=T0 + 1 * SEC + 1)
    write_file(bpath(s, "b.txt"), b"bravo\n", mtime_ns=T0 + 2 * SEC + 2)
    write_file(bpath(s, "c.bin"), rand_bytes(50_000, 5), mtime_ns=T0 + 3 * SEC + 3)
    write_file(bpath(s, "empty"), b"", mtime_ns=T0 + 4 * SEC)
    write_file(bpath(s, "mode.txt"), b"mode\n", mode=0o640, mtime_ns=T0 + 5 * SEC)
    write_file(bpath(s, "owned.txt"), b"owned\n", uid=1234, gid=5678, mtime_ns=T0 + 6 * SEC)
    write_file(bpath(s, "sub", "d.txt"), b"delta\n", mtime_ns=T0 + 7 * SEC)
    write_file(bpath(s, "sub", "deep", "e.txt"), b"echo\n", mtime_ns=T0 + 8 * SEC)
    write_file(bpath(s, "sub", "gone-later.txt"), b"bye\n", mtime_ns=T0 + 9 * SEC)
    write_file(bpath(s, "becomes-dir"), b"file for now\n", mtime_ns=T0 + 10 * SEC)
    write_file(bpath(s, "becomes-dir-2", "x"), b"dir for now\n", mtime_ns=T0 + 11 * SEC)
    write_file(bpath(s, "becomes-link"), b"file for now\n", mtime_ns=T0 + 12 * SEC)
    write_file(bpath(s, "old tree", "one"), b"1", mtime_ns=T0 + 13 * SEC)
    write_file(bpath(s, "old tree", "two", "three"), b"3", mtime_ns=T0 + 14 * SEC)
    for i, name in enumerate([b"with space", b"new\nline", "ünï-日本".encode(), b"bad-\xff\xfe",
                              b"-dash", b"glob*?[x]", b"tab\tname", b"y" * 255]):
        write_file(bpath(s, "names", name), name, mtime_ns=T0 + (20 + i) * SEC + i)
    symlink("a.txt", bpath(s, "link"), mtime_ns=T0 + 30 * SEC)
    symlink("nowhere", bpath(s, "dangling"), mtime_ns=T0 + 31 * SEC)
    symlink("/abs/target", bpath(s, "abslink"), mtime_ns=T0 + 32 * SEC)
    symlink("b.txt", bpath(s, "becomes-file"), mtime_ns=T0 + 33 * SEC)
    os.mkfifo(bpath(s, "fifo"))
    os.utime(bpath(s, "fifo"), ns=(T0, T0 + 34 * SEC))
    os.mknod(bpath(s, "chardev"), stat.S_IFCHR | 0o600, os.makedev(1, 7))
    os.utime(bpath(s, "chardev"), ns=(T0, T0 + 35 * SEC))
    make_socket(bpath(s, "sock"))
    os.utime(bpath(s, "sock"), ns=(T0, T0 + 36 * SEC))
    h = write_file(bpath(s, "hl", "one"), b"hard link group\n", mtime_ns=T0 + 40 * SEC)
    os.link(h, bpath(s, "hl", "two"))
    write_file(bpath(s, "hl", "lonely"), b"lonely\n", mtime_ns=T0 + 41 * SEC)
    os.makedirs(bpath(s, "emptydir"))
    os.makedirs(bpath(s, "modedir"))
    os.chmod(bpath(s, "modedir"), 0o750)
    fix_dir_times(s)


# --------------------------------------------------------------------------------------------
# mutations of SRC (deterministic: every time is set explicitly)

def m_noop(s):
    pass


def m_content_same_size(s):
    write_file(s / "a.txt", b"ALPHA ALPHA ALPHA\n", mtime_ns=T0 + 100 * SEC + 5)


def m_content_same_size_same_mtime(s):
    t = os.lstat(s / "a.txt").st_mtime_ns
    write_file(s / "a.txt", b"alpha ALPHA alpha\n", mtime_ns=t)


def m_size(s):
    write_file(s / "b.txt", b"bravo bravo bravo\n", mtime_ns=os.lstat(s / "b.txt").st_mtime_ns)


def m_size_and_time(s):
    write_file(s / "c.bin", rand_bytes(60_000, 6), mtime_ns=T0 + 101 * SEC)


def m_mtime(s):
    os.utime(s / "a.txt", ns=(T0, T0 + 102 * SEC + 7))
    os.utime(s / "empty", ns=(T0, T0 + 103 * SEC))


def m_chmod(s):
    os.chmod(s / "mode.txt", 0o604)
    os.chmod(s / "b.txt", 0o4755)


def m_chown(s):
    os.chown(s / "owned.txt", 4321, -1)


def m_chgrp(s):
    os.chown(s / "owned.txt", -1, 8765)


def m_chown_link(s):
    os.lchown(s / "link", NOBODY_UID, NOBODY_GID)


def m_add_remove(s):
    write_file(s / "new.txt", b"new\n", mtime_ns=T0 + 104 * SEC)
    write_file(s / "sub" / "deep" / "new2.txt", b"new2\n", mtime_ns=T0 + 105 * SEC)
    write_file(s / "brand" / "new" / "dir.txt", b"nd\n", mtime_ns=T0 + 106 * SEC)
    os.remove(s / "sub" / "gone-later.txt")
    os.remove(s / "empty")
    os.remove(s / "dangling")


def m_remove_tree(s):
    import shutil
    shutil.rmtree(s / "old tree")
    os.rmdir(s / "emptydir")


def m_file_to_dir(s):
    os.remove(s / "becomes-dir")
    write_file(s / "becomes-dir" / "inner.txt", b"now a dir\n", mtime_ns=T0 + 107 * SEC)


def m_dir_to_file(s):
    import shutil
    shutil.rmtree(s / "becomes-dir-2")
    write_file(s / "becomes-dir-2", b"now a file\n", mtime_ns=T0 + 108 * SEC)


def m_file_to_symlink(s):
    os.remove(s / "becomes-link")
    symlink("a.txt", s / "becomes-link", mtime_ns=T0 + 109 * SEC)


def m_symlink_to_file(s):
    os.remove(s / "becomes-file")
    write_file(s / "becomes-file", b"was a link\n", mtime_ns=T0 + 110 * SEC)


def m_symlink_target(s):
    os.remove(s / "link")
    symlink("b.txt", s / "link", mtime_ns=T0 + 30 * SEC)  # same mtime as before
    os.remove(s / "abslink")
    symlink("/other/abs", s / "abslink", mtime_ns=T0 + 111 * SEC)


def m_symlink_mtime(s):
    os.utime(s / "link", ns=(T0, T0 + 112 * SEC), follow_symlinks=False)


def m_new_hardlink(s):
    os.link(s / "hl" / "one", s / "hl" / "three")
    os.link(s / "hl" / "lonely", s / "hl" / "not-lonely")


def m_hardlink_to_existing(s):
    """An existing separate file becomes a hard link of another (same content/attrs)."""
    os.remove(s / "hl" / "lonely")
    os.link(s / "hl" / "one", s / "hl" / "lonely")


def m_break_hardlink(s):
    os.remove(s / "hl" / "two")
    write_file(s / "hl" / "two", b"hard link group\n", mtime_ns=T0 + 40 * SEC)


def m_dir_mtime(s):
    os.utime(s / "sub", ns=(T0, T0 + 113 * SEC + 9))


def m_dir_chmod(s):
    os.chmod(s / "modedir", 0o1777)
    os.chmod(s / "sub" / "deep", 0o700)


def m_specials(s):
    os.mkfifo(s / "fifo2")
    os.utime(s / "fifo2", ns=(T0, T0 + 114 * SEC))
    os.mknod(s / "blockdev", stat.S_IFBLK | 0o660, os.makedev(7, 99))
    os.utime(s / "blockdev", ns=(T0, T0 + 115 * SEC))
    os.remove(s / "chardev")
    os.mknod(s / "chardev", stat.S_IFCHR | 0o600, os.makedev(1, 8))  # new rdev
    os.utime(s / "chardev", ns=(T0, T0 + 35 * SEC))


def m_odd_names(s):
    for i, name in enumerate([b"more space", b"more\nnewline", b"\xe9t\xe9", "日本".encode(),
                              b"--opt-like", b"[brackets]"]):
        write_file(bpath(os.fsencode(s), name), name, mtime_ns=T0 + (200 + i) * SEC)
    write_file(bpath(os.fsencode(s), "names", b"new\nline"), b"changed\n", mtime_ns=T0 + 210 * SEC)


def m_everything(s):
    for m in (m_content_same_size, m_size, m_mtime, m_chmod, m_chown, m_add_remove,
              m_file_to_dir, m_symlink_target, m_new_hardlink, m_dir_chmod, m_specials):
        m(s)


# (id, extra args, mutation, keep dir times)
STEPS = [
    ("noop", [], m_noop),
    ("content-same-size", [], m_content_same_size),
    ("content-same-size-same-mtime-checksum", ["-c"], m_content_same_size_same_mtime),
    ("content-same-size-same-mtime-ignore-times", ["-I"], m_content_same_size_same_mtime),
    ("size-same-mtime", [], m_size),
    ("size-and-mtime", [], m_size_and_time),
    ("mtime-only", [], m_mtime),
    ("chmod-only", [], m_chmod),
    ("chown-only", [], m_chown),
    ("chgrp-only", [], m_chgrp),
    ("chown-symlink", [], m_chown_link),
    ("add-remove-with-delete", ["--delete"], m_add_remove),
    ("add-remove-without-delete", [], m_add_remove),
    ("add-remove-delete-after", ["--delete-after"], m_add_remove),
    ("remove-tree-with-delete", ["--delete"], m_remove_tree),
    ("file-to-dir", ["--delete"], m_file_to_dir),
    ("file-to-dir-no-delete", [], m_file_to_dir),
    ("dir-to-file", ["--delete"], m_dir_to_file),
    ("file-to-symlink", [], m_file_to_symlink),
    ("symlink-to-file", [], m_symlink_to_file),
    ("symlink-target", [], m_symlink_target),
    ("symlink-mtime", [], m_symlink_mtime),
    ("new-hardlink", ["-H"], m_new_hardlink),
    ("hardlink-to-existing-file", ["-H"], m_hardlink_to_existing),
    ("break-hardlink", ["-H"], m_break_hardlink),
    ("dir-mtime", [], m_dir_mtime),
    ("dir-chmod", [], m_dir_chmod),
    ("specials-and-devices", [], m_specials),
    ("odd-names", [], m_odd_names),
    ("everything-at-once", ["--delete", "-H"], m_everything),
]


# steps where rsync rightly sees nothing to do (a same-content, same-time file replacing a
# hard link is not a change for the quick check; the link in DST stays)
NOTHING_TO_DO = {"break-hardlink"}


def lines(out):
    return sorted(out.split(b"\n")[:-1] if out.endswith(b"\n") else out.split(b"\n"))


def assert_same_lines(cp_r, cp_s):
    assert cp_s.returncode == cp_r.returncode, \
        f"exit codes differ: rsync {cp_r.returncode}, swiftsync {cp_s.returncode}\n" + describe(cp_s)
    a, b = lines(cp_r.stdout), lines(cp_s.stdout)
    if a != b:
        only_r = [l for l in a if l not in b]
        only_s = [l for l in b if l not in a]
        msg = ["-i lines differ (order ignored)"]
        msg += [f"  only from rsync:     {l!r}" for l in only_r[:40]]
        msg += [f"  only from swiftsync: {l!r}" for l in only_s[:40]]
        if not only_r and not only_s:
            msg.append("  (same lines, different multiplicity)")
        msg.append("rsync said:\n" + cp_r.stdout.decode("utf-8", "backslashreplace"))
        msg.append("swiftsync said:\n" + cp_s.stdout.decode("utf-8", "backslashreplace"))
        pytest.fail("\n".join(msg))


def prepare(base, mutate, *, with_dst=True):
    src = base / "src"
    build_base(src)
    if with_dst:
        cp = run_rsync(["-a", "-H", "src/", "dst/"], cwd=base)
        assert cp.returncode == 0, describe(cp)
    if mutate:
        snap = snapshot_dir_times(src)
        mutate(src)
        restore_dir_times(src, snap)
        if mutate is m_dir_mtime:
            m_dir_mtime(src)


def worlds(tmp_path, mutate, *, with_dst=True):
    a, b = tmp_path / "A", tmp_path / "B"
    for w in (a, b):
        w.mkdir()
        prepare(w, mutate, with_dst=with_dst)
    assert_listings_equal(tree_listing(a / "src"), tree_listing(b / "src"),
                          "the two starting SRCs (test set-up)", "A", "B")
    if with_dst:
        assert_listings_equal(tree_listing(a / "dst"), tree_listing(b / "dst"),
                              "the two starting DSTs (test set-up)", "A", "B")
    return a, b


def run_both(a, b, args):
    cp_r = run_rsync(args, cwd=a)
    cp_s = run_swiftsync(args, cwd=b)
    return cp_r, cp_s


# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("extra", [[], ["-H"], ["--delete"]], ids=["plain", "H", "delete"])
def test_fresh_copy_lines(tmp_path, extra):
    a, b = worlds(tmp_path, None, with_dst=False)
    cp_r, cp_s = run_both(a, b, ["-a", "-i", *extra, "src/", "dst/"])
    assert_same_lines(cp_r, cp_s)
    assert b"cd+++++++++ ./" in cp_r.stdout  # sanity of the scenario
    assert_listings_equal(tree_listing(a / "dst", hardlink_groups=True),
                          tree_listing(b / "dst", hardlink_groups=True), "DST")


def test_fresh_copy_into_existing_empty_dir(tmp_path):
    a, b = worlds(tmp_path, None, with_dst=False)
    for w in (a, b):
        os.makedirs(w / "dst")
        os.utime(w / "dst", ns=(T0, T0))
    cp_r, cp_s = run_both(a, b, ["-a", "-i", "src/", "dst/"])
    assert_same_lines(cp_r, cp_s)


def test_fresh_copy_by_name(tmp_path):
    a, b = worlds(tmp_path, None, with_dst=False)
    cp_r, cp_s = run_both(a, b, ["-a", "-i", "src", "dst"])
    assert_same_lines(cp_r, cp_s)


@pytest.mark.parametrize("step_id,extra,mutate", STEPS, ids=[s[0] for s in STEPS])
def test_itemize_step(tmp_path, step_id, extra, mutate):
    a, b = worlds(tmp_path, mutate)
    cp_r, cp_s = run_both(a, b, ["-a", "-i", *extra, "src/", "dst/"])
    assert_same_lines(cp_r, cp_s)
    if step_id == "noop":
        assert cp_s.stdout == b""
    elif step_id not in NOTHING_TO_DO:
        assert cp_r.stdout != b"", "scenario set-up error: rsync saw nothing to do"
    assert_listings_equal(tree_listing(a / "dst", hardlink_groups="-H" in extra),
                          tree_listing(b / "dst", hardlink_groups="-H" in extra), "DST")


@pytest.mark.parametrize("step_id,extra,mutate", STEPS, ids=[s[0] for s in STEPS])
def test_dry_run_step(tmp_path, step_id, extra, mutate):
    a, b = worlds(tmp_path, mutate)
    before = tree_listing(b / "dst", nlink=True)
    inodes = {rel: st.st_ino for rel, _, st in iter_tree(b / "dst")}
    cp_r, cp_s = run_both(a, b, ["-a", "-n", "-i", *extra, "src/", "dst/"])
    assert_same_lines(cp_r, cp_s)
    assert_listings_equal(before, tree_listing(b / "dst", nlink=True),
                          "DST before vs after a dry run", "before", "after")
    assert inodes == {rel: st.st_ino for rel, _, st in iter_tree(b / "dst")}


def test_dry_run_fresh(tmp_path):
    a, b = worlds(tmp_path, None, with_dst=False)
    cp_r, cp_s = run_both(a, b, ["-a", "-n", "-i", "-H", "src/", "dst/"])
    assert_same_lines(cp_r, cp_s)
    assert not (b / "dst").exists(), "a dry run created the destination"


def test_dry_run_then_real_run(tmp_path):
    """After a dry run, the real run still has everything to do (and prints the same lines
    as rsync's real run)."""
    a, b = worlds(tmp_path, m_everything)
    run_both(a, b, ["-a", "-n", "-i", "--delete", "-H", "src/", "dst/"])
    cp_r, cp_s = run_both(a, b, ["-a", "-i", "--delete", "-H", "src/", "dst/"])
    assert_same_lines(cp_r, cp_s)
    assert_listings_equal(tree_listing(a / "dst", hardlink_groups=True),
                          tree_listing(b / "dst", hardlink_groups=True), "DST")


@pytest.mark.parametrize("extra", [["--existing"], ["--ignore-existing"], ["-u"], ["--size-only"],
                                   ["--exclude=*.txt", "--delete"],
                                   ["--delete", "--delete-excluded", "--exclude=sub/"],
                                   ["--max-delete=1", "--delete"], ["--chmod=F600"],
                                   ["-b"], ["--inplace"], ["--remove-source-files"]],
                         ids=" ".join)
def test_itemize_with_options(tmp_path, extra):
    a, b = worlds(tmp_path, m_everything)
    cp_r, cp_s = run_both(a, b, ["-a", "-i", *extra, "src/", "dst/"])
    assert_same_lines(cp_r, cp_s)
    # backups are made after directory times were set: those times are "now"
    assert_listings_equal(tree_listing(a / "dst", dir_times="-b" not in extra),
                          tree_listing(b / "dst", dir_times="-b" not in extra), "DST")


def test_itemize_combined_with_verbose(tmp_path):
    """-v adds file names to -i: compare only the itemized (YXcstpoguax) lines."""
    a, b = worlds(tmp_path, m_everything)
    cp_r, cp_s = run_both(a, b, ["-a", "-i", "-v", "--delete", "src/", "dst/"])
    assert cp_r.returncode == cp_s.returncode == 0, describe(cp_s)

    def itemized(out):
        return sorted(l for l in out.split(b"\n")
                      if len(l) > 12 and l[11:12] == b" " and l[:1] in b"<>ch.*")
    assert itemized(cp_r.stdout) == itemized(cp_s.stdout)
