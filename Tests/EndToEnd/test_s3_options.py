"""Every option works for every pair of backends or is refused up front (issue 14, item 3):
each option of the issue is run in each direction (local -> S3, S3 -> local, S3 -> S3) and its
effect checked with the aws CLI (what S3 holds) or on disk, or its refusal checked (exit 1, one
line naming the option and S3, nothing touched)."""
import os
import shutil
import subprocess
import time

import pytest

from helpers import mount_tmpfs, umount
from s3_support import ENV, SWIFTSYNC, aws, keys, ours, read_objects

pytestmark = pytest.mark.swiftsync_only

DIRECTIONS = ["upload", "download", "copy"]
OLD = 1_600_000_000


class World:
    """A source and a destination for one direction, with files put on either side and read
    back as {relative name: bytes} (S3 through botocore, the aws CLI's library: the oracle)."""

    def __init__(self, tmp_path, moto, bucket, direction):
        self.tmp, self.moto, self.bucket, self.direction = tmp_path, moto, bucket, direction
        self.local_src, self.local_dst = tmp_path / "src", tmp_path / "dst"
        self.src = f"{self.local_src}/" if direction == "upload" else f"s3://{bucket}/src/"
        self.dst = f"s3://{bucket}/dst/" if direction != "download" else f"{self.local_dst}/"
        self.staging = tmp_path / "staging"

    def _put(self, where, files, mtime):
        if where.startswith("s3://"):
            # Staged locally with its mtime, then uploaded by us (so the object keeps it).
            shutil.rmtree(self.staging, ignore_errors=True)
            self._write(self.staging, files, mtime)
            r = ours(self.moto, "-a", f"{self.staging}/", where)
            assert r.returncode == 0, r.stderr
        else:
            self._write(__import__("pathlib").Path(where), files, mtime)

    @staticmethod
    def _write(root, files, mtime):
        for name, data in files.items():
            p = root / name
            p.parent.mkdir(parents=True, exist_ok=True)
            p.write_bytes(data)
            os.utime(p, (mtime, mtime))

    def source(self, files, mtime=OLD):
        self._put(self.src, files, mtime)

    def destination(self, files, mtime=OLD - 1000):
        self._put(self.dst, files, mtime)

    def at(self, relative):
        """A place beside the destination (`../name`), as the URL or path it is."""
        return (f"s3://{self.bucket}/{relative}/" if self.dst.startswith("s3://") else f"{self.tmp / relative}/")

    def read(self, where):
        if where.startswith("s3://"):
            bucket, _, prefix = where[len("s3://"):].partition("/")
            return read_objects(self.moto, bucket, prefix)
        got = {}
        for d, _, names in os.walk(where):
            for n in names:
                with open(os.path.join(d, n), "rb") as f:
                    got[os.path.relpath(os.path.join(d, n), where)] = f.read()
        return got

    def run(self, *args):
        return ours(self.moto, "-a", *args, self.src, self.dst)


@pytest.fixture(params=DIRECTIONS)
def world(request, tmp_path, moto, bucket):
    return World(tmp_path, moto, bucket, request.param)


def ok(r):
    assert r.returncode == 0, r.stderr.decode(errors="replace")
    return r


@pytest.mark.parametrize("backup", [["-b"], ["-b", "--suffix=.bak"], ["--backup-dir=../old"]], ids=lambda a: " ".join(a))
def test_backups_keep_what_is_overwritten_or_deleted(world, backup):
    """-b/--suffix/--backup-dir: locally on a download, and on S3 as a server-side copy to the
    backup key before the object is overwritten or deleted."""
    world.source({"f": b"new\n", "same": b"same\n"})
    world.destination({"f": b"old version\n", "gone": b"deleted one\n"})
    ok(world.run("--delete", *backup))
    got = world.read(world.dst)
    if "--backup-dir=../old" in backup:
        assert world.read(world.at("old")) == {"f": b"old version\n", "gone": b"deleted one\n"}
        assert got == {"f": b"new\n", "same": b"same\n"}
    else:
        suffix = ".bak" if "--suffix=.bak" in backup else "~"
        assert got == {"f": b"new\n", "same": b"same\n", "f" + suffix: b"old version\n", "gone" + suffix: b"deleted one\n"}


def test_files_from_sends_only_the_listed_names(world):
    world.source({"f": b"listed\n", "sub/g": b"listed too\n", "h": b"not listed\n"})
    (world.tmp / "LIST").write_text("f\nsub/g\n")
    ok(world.run(f"--files-from={world.tmp / 'LIST'}"))
    assert world.read(world.dst) == {"f": b"listed\n", "sub/g": b"listed too\n"}


def test_chmod_sets_the_stored_mode(world):
    """--chmod on S3 sets the mode stored with the object: a download with -p gives it back."""
    world.source({"script": b"#!/bin/sh\n"})
    ok(world.run("--chmod=u+x,g-r,o-r"))
    back = world.tmp / "back"
    if world.dst.startswith("s3://"):
        ok(ours(world.moto, "-a", world.dst, f"{back}/"))
    else:
        back = world.local_dst
    assert os.stat(back / "script").st_mode & 0o777 == 0o700


@pytest.mark.parametrize("limits", [["--max-size=5"], ["--min-size=5"], ["--min-size=3", "--max-size=6"]], ids=lambda a: " ".join(a))
def test_size_limits_leave_files_out(world, limits):
    world.source({"two": b"22", "four": b"4444", "six!!!": b"666666", "eight...": b"88888888"})
    ok(world.run(*limits))
    sizes = sorted(len(v) for v in world.read(world.dst).values())
    assert sizes == {"--max-size=5": [2, 4], "--min-size=5": [6, 8], "--min-size=3": [4, 6]}[limits[0]]


def test_remove_source_files_removes_what_was_sent(world):
    world.source({"f": b"moved\n", "sub/g": b"moved too\n"})
    ok(world.run("--remove-source-files"))
    assert world.read(world.dst) == {"f": b"moved\n", "sub/g": b"moved too\n"}
    assert world.read(world.src) == {}, "the sent files are gone from the source"


def test_bwlimit_slows_what_goes_through_us(world):
    """--bwlimit limits the bytes we move; an S3 -> S3 copy stays on the server (no bytes pass
    through us), so there it changes nothing."""
    world.source({"big": os.urandom(600_000)})
    started = time.monotonic()
    ok(world.run("--bwlimit=200"))
    took = time.monotonic() - started
    assert len(world.read(world.dst)["big"]) == 600_000
    if world.direction != "copy":
        assert took >= 2.0, f"600 kB at 200 kB/s took {took:.2f} s"


@pytest.mark.parametrize("kind", ["link", "copy", "compare"])
def test_alternate_destinations(world, kind):
    """--link-dest/--copy-dest/--compare-dest=../prev: a file unchanged there is linked (S3: a
    server-side copy, as S3 has no hard links), copied, or left out; a changed one is sent."""
    world.source({"same": b"unchanged\n", "changed": b"new\n"})
    ok(ours(world.moto, "-a", world.src, world.at("prev")))
    world.source({"changed": b"newer, longer\n"}, mtime=OLD + 50)
    r = ok(world.run(f"--{kind}-dest=../prev", "--stats"))
    got = world.read(world.dst)
    expected = {"changed": b"newer, longer\n"} | ({} if kind == "compare" else {"same": b"unchanged\n"})
    assert got == expected
    # Only the changed file is sent (14 bytes; on S3 -> S3 by a server-side copy, counted as
    # sent): the unchanged one comes from the alternate.
    literal = [l for l in r.stdout.decode().splitlines() if l.startswith("Literal data")]
    assert literal == ["Literal data: 14 bytes"], literal
    if world.direction == "download" and kind == "link":
        assert os.stat(world.local_dst / "same").st_ino == os.stat(world.tmp / "prev" / "same").st_ino


def test_inplace_and_partial_dir_work_into_a_local_destination(tmp_path, moto, bucket):
    w = World(tmp_path, moto, bucket, "download")
    w.source({"f": b"new contents\n"})
    w.destination({"f": b"old\n"})
    inode = os.stat(w.local_dst / "f").st_ino
    ok(w.run("--inplace"))
    assert (w.local_dst / "f").read_bytes() == b"new contents\n"
    assert os.stat(w.local_dst / "f").st_ino == inode, "rewritten in place"
    w.source({"g": b"via a partial dir\n"})
    ok(w.run("--partial-dir=.part"))
    assert w.read(w.dst) == {"f": b"new contents\n", "g": b"via a partial dir\n"}


REFUSED = [
    (["--inplace"], "--inplace", ["upload", "copy"]),
    (["--partial-dir=.part"], "--partial-dir", ["upload", "copy"]),
    (["--no-whole-file"], "--no-whole-file", DIRECTIONS),
    (["--backup-dir=/tmp/old"], "--backup-dir=/tmp/old", ["upload", "copy"]),
    (["--link-dest=/tmp/prev"], "--link-dest=/tmp/prev", ["upload", "copy"]),
    (["-E", "--no-p"], "-E/--executability", ["upload", "copy"]),
]


REFUSALS = [(extra, name, direction) for extra, name, directions in REFUSED for direction in directions]


@pytest.mark.parametrize("extra,name,direction", REFUSALS, ids=[f"{r[1]}-{r[2]}" for r in REFUSALS])
def test_an_option_s3_cannot_honour_is_refused_by_name(tmp_path, moto, bucket, extra, name, direction):
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "f").write_bytes(b"local\n")
    aws(moto, "s3", "cp", str(tmp_path / "src" / "f"), f"s3://{bucket}/there/f")
    src, dst = {
        "upload": (f"{tmp_path}/src/", f"s3://{bucket}/up/"),
        "download": (f"s3://{bucket}/there/", f"{tmp_path}/dst/"),
        "copy": (f"s3://{bucket}/there/", f"s3://{bucket}/copy/"),
    }[direction]
    r = ours(moto, "-a", *extra, src, dst)
    err = r.stderr.decode()
    assert r.returncode == 1, err
    # One line naming it and S3 (and rsync's closing "error: syntax or usage error (code 1)").
    lines = [l for l in err.splitlines() if not l.startswith("swiftsync error:")]
    assert len(lines) == 1 and name in lines[0] and "S3" in lines[0] and "not supported" in lines[0], err
    assert keys(moto, bucket, "") == ["there/f"], "nothing may be uploaded or copied"
    assert not os.path.exists(tmp_path / "dst"), "nothing may be downloaded"


def test_partial_to_s3_is_warned_of(tmp_path, moto, bucket):
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "f").write_bytes(b"x")
    r = ok(ours(moto, "-a", "-P", f"{tmp_path}/src/", f"s3://{bucket}/p/"))
    assert b"--partial: S3 keeps no partial object" in r.stderr
    assert keys(moto, bucket, "p/") == ["p/f"]


@pytest.mark.parametrize("one_file_system", [True, False], ids=["-x", "no-x"])
def test_one_file_system_keeps_an_upload_on_the_source_filesystem(tmp_path, moto, bucket, one_file_system):
    """rsync's -x: a filesystem mounted inside the source is not entered (the mount point itself
    is kept, as an empty directory, which S3 only holds as a key with directory keys)."""
    src = tmp_path / "src"
    (src / "d").mkdir(parents=True)
    (src / "d" / "f").write_bytes(b"here\n")
    mnt = src / "d" / "mnt"
    mount_tmpfs(mnt)
    try:
        (mnt / "sub").mkdir()
        (mnt / "sub" / "other-fs.txt").write_bytes(b"other\n")
        r = ours(moto, "-a", *(["-x"] if one_file_system else []), f"{src}/", f"s3://{bucket}/up/")
        assert r.returncode == 0, r.stderr
        expected = ["up/d/f"] + ([] if one_file_system else ["up/d/mnt/sub/other-fs.txt"])
        assert keys(moto, bucket, "") == expected
    finally:
        umount(mnt)


def test_one_file_system_on_an_s3_source_changes_nothing(tmp_path, moto, bucket):
    """An S3 source has no filesystems to stay on: -x changes nothing there, as rsync's -x on a
    tree without mount points."""
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "f").write_bytes(b"x")
    r = ours(moto, "-a", f"{tmp_path}/src/", f"s3://{bucket}/up/")
    assert r.returncode == 0, r.stderr
    r = ours(moto, "-a", "-x", f"s3://{bucket}/up/", f"{tmp_path}/dst/")
    assert r.returncode == 0, r.stderr
    assert (tmp_path / "dst" / "f").read_bytes() == b"x"


def test_hard_links_upload_with_one_warning(tmp_path, moto, bucket):
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "a").write_bytes(b"linked\n")
    os.link(tmp_path / "src" / "a", tmp_path / "src" / "b")
    r = ours(moto, "-a", "-H", f"{tmp_path}/src/", f"s3://{bucket}/h/")
    assert r.returncode == 0, r.stderr
    warnings = r.stderr.decode().splitlines()
    assert len(warnings) == 1 and "-H/--hard-links" in warnings[0], warnings
    assert keys(moto, bucket, "h/") == ["h/a", "h/b"]


def test_hand_over_to_swiftsync_s3_is_decided_by_the_parsed_paths(tmp_path):
    """swiftsync hands a sync to swiftsync-s3 because a parsed path is s3://, not because an
    argument anywhere starts with s3:// (issue 14, item 5): a copy of swiftsync with no
    swiftsync-s3 beside it still runs a local sync that excludes 's3://*', and says what is
    missing for a real S3 path."""
    lone = tmp_path / "bin" / "swiftsync"
    lone.parent.mkdir()
    shutil.copy2(SWIFTSYNC, lone)
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "f").write_bytes(b"x")
    r = subprocess.run([str(lone), "-a", "--exclude", "s3://*", "src/", "dst/"], cwd=tmp_path, env=ENV,
                       capture_output=True, timeout=60)
    assert r.returncode == 0, r.stderr
    assert (tmp_path / "dst" / "f").read_bytes() == b"x"
    r = subprocess.run([str(lone), "-a", "src/", "s3://bucket/p/"], cwd=tmp_path, env=ENV, capture_output=True, timeout=60)
    assert r.returncode == 1 and b"swiftsync-s3" in r.stderr and b"could not be started" in r.stderr, r.stderr


def test_relative_keeps_paths_under_an_s3_prefix_and_is_refused_from_s3(tmp_path, moto, bucket):
    # -R to S3: each SRC's kept path becomes part of the key; from S3 it is refused by name.
    w = tmp_path / "w"
    (w / "a" / "b" / "c").mkdir(parents=True)
    (w / "a" / "b" / "c" / "f").write_bytes(b"f\n")
    (w / "a" / "top").write_bytes(b"top\n")
    r = subprocess.run([SWIFTSYNC, "--endpoint-url", moto, "-aR", "a/b/c", f"s3://{bucket}/p/"], cwd=w, env=ENV,
                       capture_output=True, timeout=120)
    assert r.returncode == 0, r.stderr.decode()
    assert keys(moto, bucket) == ["p/a/b/c/f"]
    r = ours(moto, "-aR", f"s3://{bucket}/p/a/./b", f"{tmp_path}/down/")
    assert r.returncode == 1 and b"-R/--relative is not supported with S3 as the source" in r.stderr, r.stderr.decode()
    assert not (tmp_path / "down").exists()
