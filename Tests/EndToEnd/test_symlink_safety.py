"""--safe-links, --copy-unsafe-links and --munge-links against rsync 3.5.0: which symlinks count
as pointing outside the transfer (measured over many targets at several depths, with and
without the trailing slash that moves the transfer's top), what each option then does with
them, and the lines -v and -i print."""
import os

import pytest

from helpers import T0, assert_listings_equal, describe, fix_dir_times, side_by_side, symlink, tree_listing, write_file

TARGETS = ["x", "../x", "../../x", "../../../x", "./x", "./../x", "sub/..", "sub/../x", "sub/../..", "..", "../..",
           ".", "a//../../x", "a/./b", "..//x", "../a/../x", ".../x", "a/b/../../..", "..a/x", "../.", "./..", "x/",
           "../", "../../", "a/../b", "//x", "a//b", "../../a/b", "./.", "...", "/etc/hostname", "../../../."]


def many_links(base):
    src = base / "src"
    for depth, sub in enumerate(["", "d1/", "d1/d2/"]):
        (src / sub).mkdir(parents=True, exist_ok=True)
        for n, target in enumerate(TARGETS):
            symlink(target, src / f"{sub}l{n}")
    fix_dir_times(src)


def tree(base):
    write_file(base / "outside", b"outside\n")
    write_file(base / "src" / "files" / "f", b"f\n")
    symlink("../files/f", base / "src" / "links" / "safe")
    symlink("../../outside", base / "src" / "links" / "unsafe")
    symlink("/rsyncd-munged/../files/f", base / "src" / "links" / "munged")
    symlink("../src/files/f", base / "src" / "up")
    (base / "src" / "dirs").mkdir()
    symlink("../../src/files", base / "src" / "dirs" / "unsafe-dir")
    fix_dir_times(base / "src")


def lines(cp):
    return sorted(cp.stdout.splitlines())


@pytest.mark.parametrize("src", ["src/", "src"])
def test_which_links_are_unsafe_as_rsync(tmp_path, src):
    r_base, r, s_base, s = side_by_side(tmp_path, ["-rlv", "--safe-links"], many_links, src=src)
    assert r.returncode == s.returncode == 0, describe(r) + describe(s)
    ignored = [l for l in lines(r) if l.startswith(b"ignoring unsafe symlink")]
    assert len(ignored) > 30, describe(r)
    assert [l for l in lines(s) if l.startswith(b"ignoring")] == ignored, describe(r) + describe(s)
    assert_listings_equal(tree_listing(r_base / "dst", times=False, dir_times=False),
                          tree_listing(s_base / "dst", times=False, dir_times=False))


@pytest.mark.parametrize("args", [["-ai", "--safe-links"], ["-ai", "--copy-unsafe-links"], ["-ai", "--munge-links"],
                                  ["-ai", "--copy-unsafe-links", "--safe-links"], ["-ai", "--munge-links", "--safe-links"],
                                  ["-ai", "--munge-links", "--no-munge-links"], ["-aiq", "--safe-links", "-v"]],
                         ids=lambda a: " ".join(a))
@pytest.mark.parametrize("src", ["src/", "src"])
def test_link_options_as_rsync(tmp_path, args, src):
    r_base, r, s_base, s = side_by_side(tmp_path, args, tree, src=src)
    assert r.returncode == s.returncode, describe(r) + describe(s)
    assert lines(s) == lines(r), describe(r) + describe(s)
    # The munged link dangles once followed: rsync's error names it (by its absolute path).
    assert (b"symlink has no referent" in r.stderr) == (b"symlink has no referent" in s.stderr), describe(r) + describe(s)
    # dst/ itself is made by the run (its time is the run's) when SRC has no trailing slash.
    top = (lambda p: p == b".") if not src.endswith("/") else None
    assert_listings_equal(tree_listing(r_base / "dst", ignore=top), tree_listing(s_base / "dst", ignore=top))


def test_safe_links_never_make_a_link_out_of_the_destination(tmp_path):
    """Whatever a source holds, --safe-links leaves no symlink in the destination that leads out."""
    s_base = tmp_path
    many_links(s_base)
    from helpers import run_swiftsync
    cp = run_swiftsync(["-rl", "--safe-links", "src/", "dst/"], cwd=s_base)
    assert cp.returncode == 0, describe(cp)
    top = os.path.realpath(s_base / "dst")
    for dirpath, dirnames, filenames in os.walk(s_base / "dst"):
        for name in dirnames + filenames:
            path = os.path.join(dirpath, name)
            if os.path.islink(path):
                target = os.readlink(path)
                assert not target.startswith("/"), path
                resolved = os.path.normpath(os.path.join(dirpath, target))
                assert resolved == top or resolved.startswith(top + "/"), f"{path} -> {target}"
