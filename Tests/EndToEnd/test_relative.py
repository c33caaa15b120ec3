"""-R/--relative against rsync: each SRC keeps its path under DEST, `/./` marks where the kept
path starts, the directories on the way are sent with their attributes (or, with
--no-implied-dirs, not at all), and --delete reaches only into what was named."""
import os

import pytest

from helpers import (RSYNC, SEC, SWIFTSYNC, T0, assert_listings_equal, describe, fix_dir_times, run, symlink,
                     tree_listing, write_file)


def world(base):
    """w/ holds a small tree with odd modes and times on the implied directories."""
    w = base / "w"
    write_file(w / "a" / "b" / "c" / "f", b"f\n")
    write_file(w / "a" / "b" / "c" / "g", b"g\n")
    write_file(w / "a" / "b" / "side", b"side\n")
    write_file(w / "a" / "top", b"top\n")
    write_file(w / "d" / "g", b"dg\n")
    write_file(w / "d" / "e" / "h", b"deh\n")
    symlink("g", w / "d" / "link")
    fix_dir_times(w)
    os.chmod(w / "a", 0o750)
    os.chmod(w / "a" / "b", 0o700)


def world_with_destination(base):
    """As world(), and DEST holds older copies, extras to delete and other modes."""
    world(base)
    dst = base / "dst"
    write_file(dst / "a" / "b" / "c" / "f", b"old f\n", mtime_ns=T0 - 9 * SEC)
    write_file(dst / "a" / "b" / "c" / "extra", b"x\n")
    write_file(dst / "a" / "stays", b"implied dirs are not walked\n")
    write_file(dst / "d" / "gone", b"x\n")
    fix_dir_times(dst, base_ns=T0 + 50 * SEC)
    os.chmod(dst / "a", 0o755)


def item_lines(cp):
    return sorted(line for line in cp.stdout.splitlines() if line[:1] in b".>ch*" and not line.startswith(b"created directory"))


def both(tmp_path, build, arguments, cwd="w"):
    """Builds the same world in tmp_path/rsync and tmp_path/swiftsync and runs each tool there
    with arguments(base) (absolute paths may differ between the worlds) from base/cwd; returns
    (rsync's base, its run, swiftsync's base, its run)."""
    out = []
    for who, exe in (("rsync", RSYNC), ("swiftsync", SWIFTSYNC)):
        base = tmp_path / who
        base.mkdir()
        build(base)
        out += [base, run([exe, *arguments(base)], cwd=base / cwd)]
    return tuple(out)


CASES = [
    (["a/b/c", "d"], world),
    (["a/b/c/f"], world),
    (["./a/top"], world),
    (["a/./b", "d/"], world),
    (["d/./"], world),
    (["a/b/c", "d/e", "a/top"], world),
    (["a/b/c", "d"], world_with_destination),
    (["a/b/./c/f", "a/b/c/g"], world_with_destination),
]


@pytest.mark.parametrize("extra", [["-aRi"], ["-aRi", "--delete"], ["-aRi", "--no-implied-dirs"], ["-rlRi"],
                                   ["-aRi", "--no-implied-dirs", "--delete"], ["-aRin", "--delete"]],
                         ids=lambda a: " ".join(a))
@pytest.mark.parametrize("sources,build", CASES, ids=lambda c: " ".join(c) if isinstance(c, list) else c.__name__)
def test_relative_copies_as_rsync_does(tmp_path, sources, build, extra):
    # The sources are read from w/, so a kept path never starts with w/.
    r_base, r, s_base, s = both(tmp_path, build, lambda base: [*extra, *sources, base / "dst/"])
    assert r.returncode == 0, describe(r)
    assert s.returncode == 0, describe(s)
    assert item_lines(s) == item_lines(r), describe(r) + describe(s)
    if "-aRin" in extra:
        # A dry run: the destination is as it was, on both sides.
        assert (r_base / "dst").exists() == (s_base / "dst").exists()
        if not (r_base / "dst").exists():
            return
    # --no-implied-dirs makes the directories on the way "now", a moment apart on each side; and
    # DEST's own time is the last change in it unless a source sends its anchor (./x, dir/./).
    implied_now = "--no-implied-dirs" in extra
    sends_anchor = any(p.endswith("/./") or (p.startswith("./") and not implied_now) for p in sources)
    unsent_root = None if sends_anchor else (lambda rel: rel == b".")
    # Without -t (-rlRi) every time is "now".
    times = "-rlRi" not in extra
    assert_listings_equal(tree_listing(r_base / "dst", times=times, dir_times=times and not implied_now, ignore=unsent_root),
                          tree_listing(s_base / "dst", times=times, dir_times=times and not implied_now, ignore=unsent_root))


def test_an_absolute_path_keeps_everything_but_its_slash_and_a_dot_marks_the_start(tmp_path):
    # Kept from /./: the same kept path on both sides, though the anchors differ.
    r_base, r, s_base, s = both(tmp_path, world, lambda base: ["-aRi", f"{base}/w/./a/b/c", f"{base}/w/./d", base / "dst/"],
                                cwd=".")
    assert r.returncode == 0 and s.returncode == 0, describe(r) + describe(s)
    assert item_lines(s) == item_lines(r), describe(r) + describe(s)
    # DEST itself is not sent: its time is its last change's, a moment apart on each side.
    assert_listings_equal(tree_listing(r_base / "dst", ignore=lambda rel: rel == b"."),
                          tree_listing(s_base / "dst", ignore=lambda rel: rel == b"."))
    # Without the marker, the whole absolute path (less its /) is kept.
    s2 = run([SWIFTSYNC, "-aR", f"{s_base}/w/d/e", s_base / "dst2/"])
    assert s2.returncode == 0, describe(s2)
    assert (s_base / "dst2" / str(s_base).lstrip("/") / "w" / "d" / "e" / "h").read_bytes() == b"deh\n"


@pytest.mark.parametrize("source", ["../w/a/top", "a/../d", "./a/.."])
def test_dot_dot_in_a_kept_path_is_refused_as_rsync_refuses_it(tmp_path, source):
    world(tmp_path)
    cwd = tmp_path / "w" / "d" if source.startswith("..") else tmp_path / "w"
    s = run([SWIFTSYNC, "-aR", source, tmp_path / "dst/"], cwd=cwd)
    r = run([RSYNC, "-aR", source, tmp_path / "rdst/"], cwd=cwd)
    assert r.returncode == s.returncode == 1, describe(r) + describe(s)
    assert f'found ".." dir in relative path: {source}'.encode() in s.stderr, describe(s)
    assert not (tmp_path / "dst").exists()


def test_a_missing_kept_path_is_an_error_and_the_rest_is_copied(tmp_path):
    r_base, r, s_base, s = both(tmp_path, world, lambda base: ["-aRi", "a/b/nothing", "d", base / "dst/"])
    assert r.returncode == s.returncode == 23, describe(r) + describe(s)
    assert b'link_stat "' in s.stderr and b'/w/a/b/nothing" failed: No such file or directory (2)' in s.stderr, describe(s)
    assert item_lines(s) == item_lines(r), describe(r) + describe(s)
    # DEST itself is not sent: its time is its last change's, a moment apart on each side.
    assert_listings_equal(tree_listing(r_base / "dst", ignore=lambda rel: rel == b"."),
                          tree_listing(s_base / "dst", ignore=lambda rel: rel == b"."))


def test_no_relative_undoes_relative_and_files_from_refuses_it(tmp_path):
    world(tmp_path)
    s = run([SWIFTSYNC, "-aR", "--no-R", "a/b/c", tmp_path / "dst/"], cwd=tmp_path / "w")
    assert s.returncode == 0, describe(s)
    assert (tmp_path / "dst" / "c" / "f").exists() and not (tmp_path / "dst" / "a").exists()
    (tmp_path / "list").write_text("a/top\n")
    s = run([SWIFTSYNC, "-a", "--files-from", tmp_path / "list", "--no-relative", ".", tmp_path / "dst2/"], cwd=tmp_path / "w")
    assert s.returncode == 1 and b"--no-relative with --files-from is not supported" in s.stderr, describe(s)


@pytest.mark.parametrize("implied", [[], ["--no-implied-dirs"]], ids=["implied", "no-implied"])
def test_a_symlink_on_the_way_in_dest_is_never_followed(tmp_path, implied):
    # DEST/a is a symlink to a directory outside DEST. rsync replaces it with the directory it
    # sends; with --no-implied-dirs, rsync 3.5.0 refuses to make a/b through it (exit 23).
    # Either way nothing may be written outside DEST.
    def world_with_a_symlink_out(base):
        world(base)
        (base / "outside").mkdir()
        (base / "dst").mkdir()
        os.symlink(base / "outside", base / "dst" / "a")
    r_base, r, s_base, s = both(tmp_path, world_with_a_symlink_out, lambda base: ["-aRi", *implied, "a/b/c", base / "dst/"])
    assert r.returncode == s.returncode == (23 if implied else 0), describe(r) + describe(s)
    assert os.listdir(r_base / "outside") == os.listdir(s_base / "outside") == []
    # rsync still itemizes the directory it then fails to make ("cd+++++++++ a/b/c/"); ours
    # reports only what it did.
    assert item_lines(s) == ([] if implied else item_lines(r)), describe(r) + describe(s)
    assert os.path.islink(s_base / "dst" / "a") == os.path.islink(r_base / "dst" / "a")
    if implied:
        assert b'mkdir "' in s.stderr and b'/dst/a" failed: Too many levels of symbolic links (40)' in s.stderr, describe(s)
