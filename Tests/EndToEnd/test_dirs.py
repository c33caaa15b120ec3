"""-d/--dirs against rsync: directories are made but not walked, a SRC/'s contents are sent;
without -r or -d, a SRC/ is "skipping directory ." and nothing of it is sent."""
import pytest

from helpers import (SEC, T0, assert_listings_equal, describe, fix_dir_times, side_by_side, symlink, tree_listing,
                     write_file)


def world(base):
    write_file(base / "src" / "f", b"f\n")
    symlink("f", base / "src" / "l")
    write_file(base / "src" / "sub" / "g", b"g\n")
    (base / "src" / "sub" / "deep").mkdir()
    (base / "src" / "e").mkdir()
    fix_dir_times(base / "src")


def world_with_destination(base):
    world(base)
    write_file(base / "dst" / "x" / "y", b"extra\n")
    write_file(base / "dst" / "zz", b"extra\n")
    write_file(base / "dst" / "sub" / "keep", b"not walked, so kept\n", mtime_ns=T0 - SEC)
    fix_dir_times(base / "dst", base_ns=T0 + 40 * SEC)


def item_lines(cp):
    return sorted(line for line in cp.stdout.splitlines() if not line.startswith(b"created directory"))


@pytest.mark.parametrize("args,src,build", [
    (["-dlti"], "src/", world), (["-dlti"], "src", world), (["-dlti", "--delete"], "src/", world_with_destination),
    (["-dlti"], "src/", world_with_destination), (["-ti"], "src/", world), (["-lti"], "src", world),
    (["-dri"], "src/", world), (["-ai", "--no-d"], "src/", world), (["-ai", "-d"], "src/", world),
    (["-dlti", "--no-dirs"], "src/", world), (["-dlti"], ["src/f", "src/sub"], world),
], ids=lambda a: " ".join(a) if isinstance(a, list) else (a if isinstance(a, str) else a.__name__))
def test_dirs_and_no_recursion_copy_as_rsync_does(tmp_path, args, src, build):
    r_base, r, s_base, s = side_by_side(tmp_path, args, build, src=src)
    assert r.returncode == s.returncode == 0, describe(r) + describe(s)
    assert item_lines(s) == item_lines(r), describe(r) + describe(s)
    assert (r_base / "dst").exists() == (s_base / "dst").exists()
    if (r_base / "dst").exists():
        # A directory made but not walked keeps "now" for its time on both sides, a moment apart.
        # Without -t (-dri) every file's time is "now" too.
        times = any(a[:2] != "--" and ("t" in a or "a" in a) for a in args)
        assert_listings_equal(tree_listing(r_base / "dst", times=times, dir_times=False),
                              tree_listing(s_base / "dst", times=times, dir_times=False))
