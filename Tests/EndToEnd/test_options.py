"""Option parsing against rsync: rsync applies options in command-line order (`--no-perms -a`
keeps perms, `-a --no-perms` drops them), and a few values it reads in its own way.  Each
case runs rsync and swiftsync on identical worlds and compares the output and the result."""
import os

import pytest

from helpers import (SEC, T0, assert_listings_equal, describe, fix_dir_times, rand_bytes, side_by_side,
                     symlink, tree_listing, write_file)


def changed_mode_and_time(base):
    """dst/f has src/f's contents but another mode and mtime, so -p and -t both show (the runs
    use -c, so the file is not sent again: only its attributes change)."""
    write_file(base / "src" / "f", b"same\n", mode=0o644, mtime_ns=T0)
    write_file(base / "dst" / "f", b"same\n", mode=0o600, mtime_ns=T0 + 5 * SEC)
    fix_dir_times(base)


@pytest.mark.parametrize("args", [
    ["--no-perms", "-a"], ["-a", "--no-perms"], ["--no-p", "-rlptgoD"], ["-rlptgoD", "--no-p"],
    ["--no-t", "-a"], ["-a", "--no-t"], ["--no-t", "--no-p", "--archive"], ["-a", "--no-t", "-t"],
    ["-r", "-p", "--no-p", "-t"], ["--no-p", "-ap", "--no-t"], ["--no-o", "--no-g", "-a", "--no-D", "--no-t"],
], ids=lambda a: " ".join(a))
def test_a_later_option_undoes_a_negation(tmp_path, args):
    r_base, r, s_base, s = side_by_side(tmp_path, ["-i", "-c", *args], changed_mode_and_time)
    assert r.returncode == 0, describe(r)
    assert s.returncode == 0, describe(s)
    assert s.stdout == r.stdout, f"rsync:\n{r.stdout!r}\nswiftsync:\n{s.stdout!r}"
    assert_listings_equal(tree_listing(r_base / "dst"), tree_listing(s_base / "dst"))


def stats_data_lines(cp):
    return [line for line in cp.stdout.splitlines() if line.startswith((b"Literal data", b"Matched data"))]


@pytest.mark.parametrize("args", [["--no-W"], ["-W", "--no-W"], ["--no-W", "-W"], ["--no-whole-file", "--whole-file"]],
                         ids=lambda a: " ".join(a))
def test_the_last_of_whole_file_and_no_whole_file_wins(tmp_path, args):
    data = rand_bytes(300_000, seed=14)

    def build(base):
        write_file(base / "src" / "big", data + b"x", mtime_ns=T0)
        write_file(base / "dst" / "big", data, mtime_ns=T0 - 9 * SEC)
        fix_dir_times(base)

    r_base, r, s_base, s = side_by_side(tmp_path, ["-a", "--stats", *args], build)
    assert r.returncode == 0 and s.returncode == 0, describe(r) + describe(s)
    assert stats_data_lines(s) == stats_data_lines(r)
    assert_listings_equal(tree_listing(r_base / "dst"), tree_listing(s_base / "dst"))


def test_files_from0_still_skips_comments(tmp_path):
    # rsync 3.5.0 sends only "b\r" and "c" from "#a\0b\r\0\0c\0;d\0".
    def build(base):
        for name in [b"#a", b"b\r", b"c", b";d", b"e"]:
            write_file(os.path.join(os.fsencode(base / "src"), name), name)
        (base / "list0").write_bytes(b"#a\0b\r\0\0c\0;d\0")
        fix_dir_times(base)

    r_base, r, s_base, s = side_by_side(tmp_path, ["-a", "--from0", "--files-from=list0"], build)
    assert r.returncode == 0 and s.returncode == 0, describe(r) + describe(s)
    # Directory times left out: with --files-from rsync leaves DST's own time alone, swiftsync
    # sets it (an engine difference, not one of parsing).
    assert_listings_equal(tree_listing(r_base / "dst", dir_times=False), tree_listing(s_base / "dst", dir_times=False))
    assert sorted(os.listdir(s_base / "dst")) == ["b\r", "c"]


@pytest.mark.parametrize("value", ["-1", "0"])
def test_negative_max_delete_deletes_nothing(tmp_path, value):
    def build(base):
        write_file(base / "src" / "keep", b"k")
        write_file(base / "dst" / "keep", b"k")
        write_file(base / "dst" / "extra", b"e")

    r_base, r, s_base, s = side_by_side(tmp_path, ["-a", "--delete", "--max-delete", value], build)
    assert r.returncode == s.returncode == 25, describe(r) + describe(s)
    assert sorted(os.listdir(s_base / "dst")) == sorted(os.listdir(r_base / "dst")) == ["extra", "keep"]


@pytest.mark.parametrize("args", [["--bwlimit=511b"], ["--no-delete"], ["--no-u"], ["--no-update"], ["--no-L"],
                                  ["--no-copy-links"]], ids=lambda a: " ".join(a))
def test_options_rsync_refuses_are_usage_errors(tmp_path, args):
    def build(base):
        write_file(base / "src" / "f", b"f")

    r_base, r, s_base, s = side_by_side(tmp_path, ["-a", *args], build)
    assert r.returncode == s.returncode == 1, describe(r) + describe(s)
    assert not (s_base / "dst").exists()


@pytest.mark.parametrize("args", [["-a", "-L"], ["-rL"], ["-a", "--copy-links"]], ids=lambda a: " ".join(a))
def test_copy_links_copies_what_symlinks_point_to(tmp_path, args):
    """-L: a symlink to a file is copied as that file, one to a directory as that directory and
    what is in it; a dangling one is an error (23). Found broken: the file was opened without
    following the link and skipped as non-regular."""
    def build(base):
        write_file(base / "src" / "target.txt", b"target\n", mtime_ns=T0)
        write_file(base / "src" / "realdir" / "in", b"inside\n", mtime_ns=T0)
        os.symlink("target.txt", base / "src" / "link")
        os.symlink("realdir", base / "src" / "dirlink")
        os.symlink("missing", base / "src" / "dangling")
        write_file(base / "dst" / "link", b"old\n", mtime_ns=T0 - SEC)
        fix_dir_times(base)

    r_base, r, s_base, s = side_by_side(tmp_path, ["-i", *args], build)
    assert r.returncode == s.returncode == 23, describe(r) + describe(s)
    assert sorted(s.stdout.splitlines()) == sorted(r.stdout.splitlines()), describe(r) + describe(s)
    times = "-a" in args
    assert_listings_equal(tree_listing(r_base / "dst", times=times, dir_times=times),
                          tree_listing(s_base / "dst", times=times, dir_times=times))
    assert (s_base / "dst" / "link").read_bytes() == b"target\n" and not (s_base / "dst" / "link").is_symlink()


@pytest.mark.parametrize("kind", ["copy", "link", "compare"])
def test_alternate_destinations_as_rsync_has_them(tmp_path, kind):
    """--copy-dest (new in issue 14) copies a file found unchanged in DIR, --link-dest links it,
    --compare-dest leaves it out; a changed file is sent in each case."""
    def build(base):
        write_file(base / "prev" / "same", b"unchanged\n", mtime_ns=T0)
        write_file(base / "prev" / "changed", b"old\n", mtime_ns=T0)
        write_file(base / "src" / "same", b"unchanged\n", mtime_ns=T0)
        write_file(base / "src" / "changed", b"new!!\n", mtime_ns=T0 + SEC)
        fix_dir_times(base)

    r_base, r, s_base, s = side_by_side(tmp_path, ["-a", "-v", f"--{kind}-dest=../prev"], build)
    assert r.returncode == s.returncode == 0, describe(r) + describe(s)
    # The names sent (-v): rsync's -i would itemize them against the alternate's files, which
    # swiftsync does not (yet): it itemizes them as new.
    def names(cp):
        return sorted(l for l in cp.stdout.splitlines() if l and not l.startswith((b"sending", b"sent ", b"total size")))
    assert names(s) == names(r), describe(r) + describe(s)
    assert_listings_equal(tree_listing(r_base / "dst", nlink=True, dir_times=False),
                          tree_listing(s_base / "dst", nlink=True, dir_times=False))


@pytest.mark.parametrize("args", [["--link-dest=a", "--compare-dest=b"], ["--copy-dest=a", "--link-dest=b"]],
                         ids=lambda a: " ".join(a))
def test_one_kind_of_alternate_destination_per_run(tmp_path, args):
    def build(base):
        write_file(base / "src" / "f", b"f")

    r_base, r, s_base, s = side_by_side(tmp_path, ["-a", *args], build)
    assert r.returncode == s.returncode == 1, describe(r) + describe(s)
    assert b"conflicts with" in r.stderr and b"conflicts with" in s.stderr, describe(s)
    assert not (s_base / "dst").exists()


@pytest.mark.parametrize("name", ["ebs", "s3"])
def test_a_source_named_like_a_subcommand_is_synced(tmp_path, name):
    """`swiftsync ebs out` copies the file `ebs`, as rsync does: only `ebs`/`s3` followed by one
    of their own subcommands is handed to swiftsync-s3 (issue 14, item 5)."""
    def build(base):
        write_file(base / name, b"a file named like a subcommand\n", mtime_ns=T0)

    r_base, r, s_base, s = side_by_side(tmp_path, [], build, src=name, dst="out")
    assert r.returncode == s.returncode == 0, describe(r) + describe(s)
    assert (s_base / "out").read_bytes() == (r_base / "out").read_bytes() == b"a file named like a subcommand\n"


def small_world(base):
    write_file(base / "src" / "f", b"data\n", mtime_ns=T0)
    write_file(base / "src" / "d" / "g", b"more\n", mtime_ns=T0)
    fix_dir_times(base)


@pytest.mark.parametrize("args", [
    ["-avz"], ["-aiz"], ["-a", "--compress"], ["-azz"], ["-a", "--zc=zstd"], ["-a", "--compress-choice=LZ4"],
    ["-a", "--zc=none"], ["-az", "--compress-level=9"], ["-a", "--zl=-2"], ["-a", "--zl="], ["-a", "--zt=2"],
    ["-a", "--skip-compress=gz/jpg"], ["-az", "--no-compress"], ["-a", "--no-z", "-z"], ["-a", "--old-compress"],
    ["-a", "--new-compress"],
], ids=lambda a: " ".join(a))
def test_compression_options_are_accepted_and_copy_as_rsync_does(tmp_path, args):
    # rsync compresses only over a network: locally every one of these is a plain copy.
    r_base, r, s_base, s = side_by_side(tmp_path, [*args, "-i"], small_world)
    assert r.returncode == 0, describe(r)
    assert s.returncode == 0, describe(s)
    assert sorted(line for line in s.stdout.splitlines() if line[:1] in b".>c") == \
        sorted(line for line in r.stdout.splitlines() if line[:1] in b".>c")
    assert_listings_equal(tree_listing(r_base / "dst"), tree_listing(s_base / "dst"))


@pytest.mark.parametrize("args,message", [
    (["--zc=brotli"], b"unknown compress name: brotli"), (["--compress-choice=lz4,zstd"], b"unknown compress name: lz4,zstd"),
    (["--compress-level=x"], b"--compress-level=x: invalid numeric value"),
    (["--compress-threads=2k"], b"--compress-threads=2k: invalid numeric value"),
], ids=lambda a: " ".join(a) if isinstance(a, list) else "")
def test_a_bad_compression_value_fails_as_rsync_does(tmp_path, args, message):
    r_base, r, s_base, s = side_by_side(tmp_path, ["-a", *args], small_world)
    assert s.returncode == r.returncode != 0, describe(r) + describe(s)
    assert message in r.stderr and message in s.stderr, describe(r) + describe(s)
    assert not (s_base / "dst").exists() and not (r_base / "dst").exists(), "nothing written"


def times_world(base):
    """dst holds src's items with other directory and symlink times, and one extra file."""
    for side in ("src", "dst"):
        write_file(base / side / "d" / "f", b"data\n", mtime_ns=T0)
        symlink("f", base / side / "d" / "l", mtime_ns=T0 if side == "src" else T0 + 50 * SEC)
    write_file(base / "dst" / "extra", b"x")
    fix_dir_times(base / "src")
    fix_dir_times(base / "dst", base_ns=T0 + 90 * SEC)


@pytest.mark.parametrize("args", [
    ["-aO"], ["-aJ"], ["-aOJ"], ["-a", "--omit-dir-times", "--omit-link-times"], ["-aO", "--no-O"], ["-aJ", "--no-omit-link-times"],
    ["-a", "--del"], ["-a", "--rsync-path=/nowhere/rsync"], ["-a", "--no-i-r"], ["-a", "--no-inc-recursive"], ["-a", "--i-r"],
], ids=lambda a: " ".join(a))
def test_omitted_times_and_options_local_syncs_do_not_use_are_as_rsync(tmp_path, args):
    # --del is --delete-during; --rsync-path and incremental recursion do not change a local sync.
    delete = [] if "--del" in args else ["--delete"]
    r_base, r, s_base, s = side_by_side(tmp_path, [*args, *delete, "-i"], times_world)
    assert r.returncode == 0, describe(r)
    assert s.returncode == 0, describe(s)
    assert sorted(s.stdout.splitlines()) == sorted(r.stdout.splitlines()), describe(r) + describe(s)
    # With -O the root's time is the deletion's ("now"), on each side a moment apart.
    omits_dir_times = any(a in ("-aO", "-aOJ", "--omit-dir-times") for a in args) and "--no-O" not in args
    assert_listings_equal(tree_listing(r_base / "dst", dir_times=not omits_dir_times),
                          tree_listing(s_base / "dst", dir_times=not omits_dir_times))


@pytest.mark.parametrize("args", [["--delete-delay", "--delete-after"], ["--delete-before", "--del"],
                                  ["--delete-after", "--delete-during"]], ids=lambda a: " ".join(a))
def test_two_delete_timings_are_refused_as_rsync_refuses_them(tmp_path, args):
    r_base, r, s_base, s = side_by_side(tmp_path, ["-a", *args], small_world)
    assert s.returncode == r.returncode == 1, describe(r) + describe(s)
    message = b"You may not combine multiple --delete-WHEN options."
    assert message in r.stderr and message in s.stderr, describe(r) + describe(s)


def updated_private_file(base):
    """dst/f is an older, private (0600) version of src/f, which is 0755; dst/g a 0640 one of 0600 src/g."""
    write_file(base / "src" / "f", b"new version\n", mode=0o755, mtime_ns=T0 + 9 * SEC)
    write_file(base / "dst" / "f", b"old\n", mode=0o600, mtime_ns=T0)
    write_file(base / "src" / "g", b"new g\n", mode=0o600, mtime_ns=T0 + 9 * SEC)
    write_file(base / "dst" / "g", b"old g\n", mode=0o640, mtime_ns=T0)
    write_file(base / "src" / "new", b"new file\n", mode=0o751, mtime_ns=T0)
    fix_dir_times(base)


@pytest.mark.parametrize("args", [["-rti"], ["-rti", "--inplace"], ["-rti", "--no-whole-file"],
                                  ["-rti", "--chmod=a+rwx"], ["-a", "--no-p", "-i"], ["-rtpi"]], ids=lambda a: " ".join(a))
def test_without_perms_an_updated_file_keeps_its_permissions(tmp_path, args):
    # rsync: existing files, updated ones included, keep their permissions without -p; a new
    # file gets the source's less the umask. (swiftsync gave an updated 0600 file the source's 0755.)
    r_base, r, s_base, s = side_by_side(tmp_path, args, updated_private_file)
    assert r.returncode == 0 and s.returncode == 0, describe(r) + describe(s)
    assert sorted(s.stdout.splitlines()) == sorted(r.stdout.splitlines()), describe(r) + describe(s)
    assert_listings_equal(tree_listing(r_base / "dst"), tree_listing(s_base / "dst"))
