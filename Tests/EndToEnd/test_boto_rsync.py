"""swiftsync invoked as `boto-rsync` (a symlink): boto-rsync 0.8's grammar and defaults —
recursive, size-only, a source directory means its contents, "dir/" keys unless
--skip-dirkeys, --delete after the transfer — checked against moto_server with the aws CLI."""
import json
import os
import subprocess

import pytest

from helpers import SWIFTSYNC
from s3_support import ENV, aws, keys, make_tree

pytestmark = pytest.mark.swiftsync_only


@pytest.fixture(scope="module")
def boto_rsync(tmp_path_factory):
    link = tmp_path_factory.mktemp("bin") / "boto-rsync"
    os.symlink(SWIFTSYNC, link)
    return str(link)


def boto(exe, url, *args, env=None):
    return subprocess.run([exe, "--endpoint", url, *args], env=env or ENV, capture_output=True, timeout=300)


def lines(result):
    return sorted(l for l in result.stdout.decode().splitlines() if l)


def test_upload_with_directory_keys_size_only_and_delete(tmp_path, moto, bucket, boto_rsync):
    src = tmp_path / "src"
    files = make_tree(src)
    r = boto(boto_rsync, moto, str(src), f"s3://{bucket}/p")
    assert r.returncode == 0, r.stderr
    dirs = ["deep/", "deep/er/", "deep/er/still/", "with space/"]
    assert lines(r) == sorted(list(files) + dirs), r.stdout
    assert keys(moto, bucket) == sorted("p/" + k for k in list(files) + dirs), "the contents, with directory keys"
    # Size-only: same-sized new content is not sent; a rerun says nothing.
    (src / "a.txt").write_bytes(b"HELLO\n")
    assert lines(boto(boto_rsync, moto, str(src), f"s3://{bucket}/p")) == []
    # -v says what it skips; -w keeps what exists even when the size differs.
    (src / "a.txt").write_bytes(b"hello, world\n")
    assert "Skipping a.txt (not overwriting)" in lines(boto(boto_rsync, moto, "-v", "-w", str(src), f"s3://{bucket}/p"))
    r = boto(boto_rsync, moto, "-v", str(src), f"s3://{bucket}/p/")
    assert "a.txt" in lines(r) and "Skipping empty (size matches)" in lines(r), r.stdout
    # --delete (after the transfer), -n first.
    aws(moto, "s3api", "put-object", "--bucket", bucket, "--key", "p/stray")
    assert lines(boto(boto_rsync, moto, "-n", "--delete", str(src), f"s3://{bucket}/p")) == ["deleting stray"]
    assert "p/stray" in keys(moto, bucket)
    assert lines(boto(boto_rsync, moto, "--delete", str(src), f"s3://{bucket}/p")) == ["deleting stray"]
    assert "p/stray" not in keys(moto, bucket)


def test_skip_dirkeys_ignore_empty_glob_and_no_recurse(tmp_path, moto, bucket, boto_rsync):
    src = tmp_path / "src"
    make_tree(src)
    (src / "emptydir").mkdir()
    assert boto(boto_rsync, moto, "--skip-dirkeys", "--ignore-empty", str(src), f"s3://{bucket}/s/").returncode == 0
    got = keys(moto, bucket, "s/")
    assert not any(k.endswith("/") for k in got) and "s/empty" not in got and "s/a.txt" in got
    r = boto(boto_rsync, moto, "--glob", f"{src}/*.txt", f"s3://{bucket}/g/")
    assert r.returncode == 0, r.stderr
    assert keys(moto, bucket, "g/") == ["g/a.txt", "g/quote'and&amp.txt"]
    assert boto(boto_rsync, moto, "--no-recurse", str(src), f"s3://{bucket}/n/").returncode == 0
    assert keys(moto, bucket, "n/") == ["n/a.txt", "n/big.bin", "n/empty", "n/quote'and&amp.txt"]


def test_object_options(tmp_path, moto, bucket, boto_rsync):
    f = tmp_path / "song.mp3"
    f.write_bytes(b"ID3")
    r = boto(boto_rsync, moto, "-r", "-e", "-g", "public-read", "-m", "Content-Type: audio/mpeg", "Artist: Someone", "--",
             str(f), f"s3://{bucket}/o/")
    assert r.returncode == 0, r.stderr
    head = json.loads(aws(moto, "s3api", "head-object", "--bucket", bucket, "--key", "o/song.mp3").stdout)
    assert head["ContentType"] == "audio/mpeg"
    assert head["Metadata"]["artist"] == "Someone"
    assert head["StorageClass"] == "REDUCED_REDUNDANCY"
    assert head["ServerSideEncryption"] == "AES256"
    acl = json.loads(aws(moto, "s3api", "get-object-acl", "--bucket", bucket, "--key", "o/song.mp3").stdout)
    assert any(g["Grantee"].get("URI", "").endswith("/AllUsers") and g["Permission"] == "READ" for g in acl["Grants"]), acl


def test_download_and_s3_to_s3(tmp_path, moto, bucket, boto_rsync):
    src = tmp_path / "src"
    files = make_tree(src)
    (src / "emptydir").mkdir()
    assert boto(boto_rsync, moto, str(src), f"s3://{bucket}/d").returncode == 0
    dst = tmp_path / "dst"
    r = boto(boto_rsync, moto, f"s3://{bucket}/d", str(dst))
    assert r.returncode == 0, r.stderr
    for name, data in files.items():
        assert (dst / name).read_bytes() == data
    assert (dst / "emptydir").is_dir(), "directory keys come back as directories"
    assert lines(boto(boto_rsync, moto, f"s3://{bucket}/d/", str(dst))) == []
    r = boto(boto_rsync, moto, f"s3://{bucket}/d/", f"s3://{bucket}/copy/")
    assert r.returncode == 0, r.stderr
    assert keys(moto, bucket, "copy/") == sorted("copy/" + k for k in list(files) + ["deep/", "deep/er/", "deep/er/still/", "emptydir/", "with space/"])
    # -p copies each object's ACL: GetObjectAcl on the source, PutObjectAcl of that policy on
    # the copy. moto_server ignores a PutObjectAcl body (the aws CLI's too) and fails
    # GetObjectAcl on multipart objects, so the requests are what can be checked here.
    aws(moto, "s3api", "put-object-acl", "--bucket", bucket, "--key", "d/a.txt", "--acl", "public-read")
    r = boto(boto_rsync, moto, "-p", "-d", "2", f"s3://{bucket}/d/a.txt", f"s3://{bucket}/acl/")
    assert r.returncode == 0, r.stderr
    err = r.stderr.decode()
    assert f"method=GET url={moto}/{bucket}/d/a.txt?acl=" in err and f"method=PUT url={moto}/{bucket}/acl/a.txt?acl=" in err, err[-2000:]


def test_credentials_flags_debug_and_usage(tmp_path, moto, bucket, boto_rsync):
    f = tmp_path / "f"
    f.write_bytes(b"x")
    bare = {k: v for k, v in ENV.items() if not k.startswith("AWS_ACCESS") and not k.startswith("AWS_SECRET")} | {"HOME": str(tmp_path)}
    r = boto(boto_rsync, moto, "-a", "AKIDFLAG", "-s", "flag-secret-value", "-d", "2", str(f), f"s3://{bucket}/c/", env=bare)
    assert r.returncode == 0, r.stderr
    assert b"flag-secret-value" not in r.stdout + r.stderr
    assert b"PUT" in r.stderr or b"request" in r.stderr, "-d 2 shows the requests"
    assert keys(moto, bucket, "c/") == ["c/f"]
    # A session token from the environment is sent, never shown.
    r = boto(boto_rsync, moto, "-d", "2", str(f), f"s3://{bucket}/t/", env=ENV | {"AWS_SESSION_TOKEN": "session-token-secret"})
    assert r.returncode == 0, r.stderr
    assert b"session-token-secret" not in r.stdout + r.stderr and b"testing-secret" not in r.stdout + r.stderr
    assert subprocess.run([boto_rsync, "--version"], capture_output=True).stdout.startswith(b"boto-rsync 0.8")
    r = subprocess.run([boto_rsync, "--no-such-option", str(f), f"s3://{bucket}/"], capture_output=True)
    assert r.returncode == 2 and b"boto-rsync:" in r.stderr
    r = subprocess.run([boto_rsync, str(f), str(tmp_path)], capture_output=True)
    assert r.returncode == 2 and b"s3://" in r.stderr
    # With a ~/.boto and nothing else, its keys are used.
    (tmp_path / ".boto").write_text("[Credentials]\naws_access_key_id = AKIDBOTO\naws_secret_access_key = boto-file-secret\n")
    r = boto(boto_rsync, moto, str(f), f"s3://{bucket}/b/", env=bare)
    assert r.returncode == 0, r.stderr
    assert keys(moto, bucket, "b/") == ["b/f"]


def test_errors_are_prefixed_with_the_invoked_name(tmp_path, moto, bucket, boto_rsync):
    """Every line boto-rsync prints on stderr names boto-rsync, also the engine's own errors."""
    src = tmp_path / "src"
    src.mkdir()
    (src / "f").write_bytes(b"x")
    os.symlink("nowhere", src / "dangling")
    r = boto(boto_rsync, moto, f"s3://no-such-bucket-{bucket}/p/", str(tmp_path / "dst"))
    err = r.stderr.decode().splitlines()
    assert r.returncode == 23 and any("NoSuchBucket" in l for l in err), err
    assert err and all(l.startswith("boto-rsync: ") for l in err), err
    r = boto(boto_rsync, moto, str(src), f"s3://{bucket}/w/")
    err = r.stderr.decode().splitlines()
    assert r.returncode == 0 and any("dangling" in l for l in err), err
    assert all(l.startswith("boto-rsync: ") for l in err), err
