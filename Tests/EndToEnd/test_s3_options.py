"""An option an S3 sync cannot honour yet is refused by name before anything is touched (exit 1,
one line), never silently ignored (issue 14, item 3, first slice): a download with -b used to
overwrite and delete local files with no backup, --files-from uploaded the whole tree. Options
honoured since (-x) are tested here too."""
import os
import shutil
import subprocess

import pytest

from helpers import mount_tmpfs, umount
from s3_support import ENV, SWIFTSYNC, aws, keys, ours

pytestmark = pytest.mark.swiftsync_only

REFUSED = [
    (["-b"], "-b/--backup"),
    (["--backup-dir=../old"], "--backup-dir"),
    (["--suffix=.bak"], "-b/--backup"),
    (["--link-dest=../prev"], "--link-dest"),
    (["--compare-dest=../prev"], "--compare-dest"),
    (["--files-from=LIST"], "--files-from"),
    (["--chmod=u+x"], "--chmod"),
    (["--inplace"], "--inplace"),
    (["--partial-dir=.part"], "--partial-dir"),
    (["--no-whole-file"], "--no-whole-file"),
    (["--remove-source-files"], "--remove-source-files"),
    (["--bwlimit=1m"], "--bwlimit"),
]


@pytest.mark.parametrize("direction", ["upload", "download", "copy"])
@pytest.mark.parametrize("extra,name", REFUSED, ids=[r[1] + ("-" + r[0][0] if r[0][0].startswith("--suffix") else "") for r in REFUSED])
def test_an_option_s3_cannot_honour_is_refused_by_name(tmp_path, moto, bucket, direction, extra, name):
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "f").write_bytes(b"local\n")
    (tmp_path / "LIST").write_text("f\n")
    aws(moto, "s3", "cp", str(tmp_path / "src" / "f"), f"s3://{bucket}/there/f")
    src, dst = {
        "upload": (f"{tmp_path}/src/", f"s3://{bucket}/up/"),
        "download": (f"s3://{bucket}/there/", f"{tmp_path}/dst/"),
        "copy": (f"s3://{bucket}/there/", f"s3://{bucket}/copy/"),
    }[direction]
    extra = [e.replace("LIST", str(tmp_path / "LIST")) for e in extra]
    r = ours(moto, "-a", *extra, src, dst)
    err = r.stderr.decode()
    assert r.returncode == 1, err
    # One line naming it (and rsync's closing "error: syntax or usage error (code 1)").
    lines = [l for l in err.splitlines() if not l.startswith("swiftsync error:")]
    assert len(lines) == 1 and name in lines[0] and "not supported" in lines[0], err
    assert keys(moto, bucket, "") == ["there/f"], "nothing may be uploaded or copied"
    assert not os.path.exists(tmp_path / "dst"), "nothing may be downloaded"


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
