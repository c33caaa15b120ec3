"""-E/--executability against rsync: without -p an existing regular file keeps its mode but for
the execute bits, which follow the source's (all cleared for a non-executable source; execute
wherever there is read for an executable one, unless someone could execute already); new files
get the usual default mode; with -p it changes nothing. Updated and unchanged files alike."""
import os

import pytest

from helpers import SEC, T0, assert_listings_equal, describe, fix_dir_times, side_by_side, tree_listing, write_file

# (source mode, destination mode): every rule of rsync's dest_mode() and the set-id bits beside it.
PAIRS = {
    "x-to-none": (0o755, 0o644), "x-to-some": (0o700, 0o714), "x-to-private": (0o711, 0o600),
    "x-to-writeonly": (0o755, 0o200), "none-to-x": (0o644, 0o755), "none-to-setuid": (0o600, 0o4751),
    "x-to-group-read": (0o100, 0o640), "same": (0o755, 0o755),
}


def world(base, *, changed):
    for name, (src_mode, dst_mode) in PAIRS.items():
        write_file(base / "src" / name, b"new\n", mode=src_mode)
        # changed: other bytes and time, so the file is sent; else only the mode may differ.
        write_file(base / "dst" / name, b"old\n" if changed else b"new\n",
                   mtime_ns=T0 - SEC if changed else T0, mode=dst_mode)
    write_file(base / "src" / "fresh-x", b"x\n", mode=0o751)
    write_file(base / "src" / "fresh-plain", b"p\n", mode=0o640)
    fix_dir_times(base / "src")
    fix_dir_times(base / "dst")


@pytest.mark.parametrize("changed", [True, False], ids=["updated", "unchanged"])
@pytest.mark.parametrize("args", [["-rtEi"], ["-rtE", "--chmod=u+x"], ["-rtpEi"], ["-rti", "--executability"]],
                         ids=lambda a: " ".join(a))
def test_executability_as_rsync(tmp_path, args, changed):
    r_base, r, s_base, s = side_by_side(tmp_path, args, lambda b: world(b, changed=changed))
    assert r.returncode == s.returncode == 0, describe(r) + describe(s)
    assert sorted(s.stdout.splitlines()) == sorted(r.stdout.splitlines()), describe(r) + describe(s)
    assert_listings_equal(tree_listing(r_base / "dst"), tree_listing(s_base / "dst"))


def test_executability_from_a_umask(tmp_path):
    """New files take the source's mode less the umask, as without -E (rsync's default perms)."""
    def build(base):
        world(base, changed=True)
    old = os.umask(0o077)
    try:
        r_base, r, s_base, s = side_by_side(tmp_path, ["-rtE"], build)
    finally:
        os.umask(old)
    assert r.returncode == s.returncode == 0, describe(r) + describe(s)
    assert_listings_equal(tree_listing(r_base / "dst"), tree_listing(s_base / "dst"))
    assert (s_base / "dst" / "fresh-x").stat().st_mode & 0o777 == 0o700


@pytest.mark.parametrize("negation", ["--no-E", "--no-executability"])
def test_executability_has_no_negation(tmp_path, negation):
    """rsync 3.5.0 knows no --no-E: a usage error (exit 1) naming it, nothing copied."""
    r_base, r, s_base, s = side_by_side(tmp_path, ["-rtE", negation], lambda b: world(b, changed=True))
    assert r.returncode == s.returncode == 1, describe(r) + describe(s)
    assert negation.encode() in s.stderr, describe(s)
    assert not (s_base / "dst" / "fresh-x").exists()
