"""Local → S3 sync against moto_server on loopback, with the real aws CLI as the oracle.

After our upload `aws s3 sync --dryrun` has nothing to do, `aws s3 cp --recursive` brings back
identical bytes, multipart ETags equal the locally computed ones; reruns upload nothing; filters,
--delete, -n, -L and the error exits behave as a user of rsync and the aws CLI expects."""
import base64
import hashlib
import json
import os
import signal
import subprocess
import time
import zlib

import pytest

from helpers import SWIFTSYNC
from s3_support import ENV, aws, free_port, itemized, keys, make_tree, ours

pytestmark = pytest.mark.swiftsync_only


def test_upload_matches_the_aws_cli(tmp_path, moto, bucket):
    src = tmp_path / "src"
    files = make_tree(src)
    r = ours(moto, "-a", "-i", "--stats", f"{src}/", f"s3://{bucket}/host/")
    assert r.returncode == 0, r.stderr
    assert sorted(l.split(" ", 1)[1] for l in itemized(r)) == sorted(files)
    assert all(l.startswith("<f+++++++++ ") for l in itemized(r))
    assert b"Number of regular files transferred: 6" in r.stdout
    # The oracle has nothing left to do...
    dry = aws(moto, "s3", "sync", "--dryrun", f"{src}/", f"s3://{bucket}/host/")
    assert dry.stdout.strip() == b"", dry.stdout
    # ...and brings back the same bytes.
    out = tmp_path / "out"
    aws(moto, "s3", "cp", "--recursive", "--quiet", f"s3://{bucket}/host/", str(out))
    for name, data in files.items():
        assert (out / name).read_bytes() == data, name
    # The multipart object's ETag is the one computed locally (8 MiB parts by default).
    data = files["big.bin"]
    parts = [hashlib.md5(data[i:i + 8 * 1024 * 1024]).digest() for i in range(0, len(data), 8 * 1024 * 1024)]
    expected = f'"{hashlib.md5(b"".join(parts)).hexdigest()}-{len(parts)}"'
    head = json.loads(aws(moto, "s3api", "head-object", "--bucket", bucket, "--key", "host/big.bin").stdout)
    assert head["ETag"] == expected
    # Its parts went up with CRC32s, which S3 checked and keeps as a COMPOSITE checksum.
    crcs = b"".join(zlib.crc32(data[i:i + 8 * 1024 * 1024]).to_bytes(4, "big") for i in range(0, len(data), 8 * 1024 * 1024))
    # (GetObject: moto's HeadObject leaves the "-N" off a COMPOSITE checksum.)
    checked = json.loads(aws(moto, "s3api", "get-object", "--checksum-mode", "ENABLED", "--bucket", bucket,
                             "--key", "host/big.bin", os.devnull).stdout)
    assert checked["ChecksumCRC32"] == f"{base64.b64encode(zlib.crc32(crcs).to_bytes(4, 'big')).decode()}-{len(parts)}", checked
    assert checked.get("ChecksumType") == "COMPOSITE", checked
    assert head["Metadata"]["mtime"].startswith("1700000000.")
    assert head["Metadata"]["mode"] == "644"
    uploads = json.loads(aws(moto, "s3api", "list-multipart-uploads", "--bucket", bucket).stdout or b"{}")
    assert not uploads.get("Uploads")


def test_part_checksum_none_leaves_the_crc32s_out(tmp_path, moto, bucket):
    """For S3-compatible servers that reject S3's checksum headers: the parts go up with
    Content-MD5 only, and the object has the same multipart ETag."""
    src = tmp_path / "src"
    src.mkdir()
    data = os.urandom(11 * 1024 * 1024)
    (src / "big.bin").write_bytes(data)
    r = ours(moto, "-a", "--part-checksum", "none", f"{src}/", f"s3://{bucket}/plain/")
    assert r.returncode == 0, r.stderr
    got = json.loads(aws(moto, "s3api", "get-object", "--checksum-mode", "ENABLED", "--bucket", bucket,
                         "--key", "plain/big.bin", os.devnull).stdout)
    assert "ChecksumCRC32" not in got, got
    parts = [hashlib.md5(data[i:i + 8 * 1024 * 1024]).digest() for i in range(0, len(data), 8 * 1024 * 1024)]
    assert got["ETag"] == f'"{hashlib.md5(b"".join(parts)).hexdigest()}-{len(parts)}"'
    r = ours(moto, "-a", "--part-checksum", "sha1", f"{src}/", f"s3://{bucket}/plain/")
    # The message, then rsync's usage-error line.
    assert r.returncode == 1, r.stderr
    assert r.stderr.splitlines()[0] == b'swiftsync: invalid --part-checksum "sha1" (CRC32 or none)', r.stderr


def test_every_single_put_path_keeps_the_bytes(tmp_path, moto, bucket):
    """Files up to 1 MiB go up from a buffer, larger ones below the multipart threshold from a
    mapping: around both edges, the aws CLI brings back the same bytes and S3's ETag is their MD5."""
    src = tmp_path / "src"
    src.mkdir()
    sizes = {"zero": 0, "one": 1, "buffer-edge": 1 << 20, "mapped": (1 << 20) + 1, "below-multipart": (8 << 20) - 1}
    files = {name: os.urandom(size) for name, size in sizes.items()}
    for name, data in files.items():
        (src / name).write_bytes(data)
    r = ours(moto, "-a", f"{src}/", f"s3://{bucket}/edges/")
    assert r.returncode == 0, r.stderr
    out = tmp_path / "out"
    aws(moto, "s3", "cp", "--recursive", "--quiet", f"s3://{bucket}/edges/", str(out))
    for name, data in files.items():
        assert (out / name).read_bytes() == data, name
        head = json.loads(aws(moto, "s3api", "head-object", "--bucket", bucket, "--key", f"edges/{name}").stdout)
        assert head["ETag"] == f'"{hashlib.md5(data).hexdigest()}"', name


def test_rerun_uploads_only_what_changed(tmp_path, moto, bucket):
    src = tmp_path / "src"
    make_tree(src)
    assert ours(moto, "-a", f"{src}/", f"s3://{bucket}/p/").returncode == 0
    again = ours(moto, "-a", "-i", f"{src}/", f"s3://{bucket}/p/")
    assert again.returncode == 0 and itemized(again) == [], again.stdout
    (src / "a.txt").write_bytes(b"hello, longer\n")
    later = time.time() + 120
    os.utime(src / "empty", (later, later))
    r = ours(moto, "-a", "-i", f"{src}/", f"s3://{bucket}/p/")
    assert r.returncode == 0
    lines = sorted(itemized(r))
    # a.txt changed size; its new mtime may or may not fall after the object's LastModified second.
    assert lines[0] == "<f..t...... empty" and lines[1] in ("<f.s....... a.txt", "<f.st...... a.txt"), r.stdout
    # --size-only ignores the time; -c compares content (ETags) instead of times.
    os.utime(src / "empty", (later + 100, later + 100))
    assert itemized(ours(moto, "-a", "-i", "--size-only", f"{src}/", f"s3://{bucket}/p/")) == []
    old = os.stat(src / "deep/er/still/z.bin").st_mtime
    (src / "deep/er/still/z.bin").write_bytes(os.urandom(70_000))
    os.utime(src / "deep/er/still/z.bin", (old, old))
    assert itemized(ours(moto, "-a", "-i", "--size-only", f"{src}/", f"s3://{bucket}/p/")) == []
    r = ours(moto, "-a", "-i", "-c", f"{src}/", f"s3://{bucket}/p/")
    assert [l.split(" ", 1)[1] for l in itemized(r)] == ["deep/er/still/z.bin"], r.stdout


def test_delete_filters_and_dry_run(tmp_path, moto, bucket):
    src = tmp_path / "src"
    make_tree(src)
    (src / "skip.log").write_bytes(b"log")
    assert ours(moto, "-a", "--exclude=*.log", f"{src}/", f"s3://{bucket}/d/").returncode == 0
    keys = lambda: sorted(o["Key"] for o in json.loads(aws(moto, "s3api", "list-objects-v2", "--bucket", bucket).stdout or b"{}").get("Contents", []))
    assert "d/skip.log" not in keys()
    aws(moto, "s3api", "put-object", "--bucket", bucket, "--key", "d/extra.txt")
    aws(moto, "s3api", "put-object", "--bucket", bucket, "--key", "d/kept.log")
    dry = ours(moto, "-a", "-n", "-i", "--delete", "--exclude=*.log", f"{src}/", f"s3://{bucket}/d/")
    assert dry.returncode == 0
    assert itemized(dry) == ["*deleting   extra.txt"], dry.stdout
    assert "d/extra.txt" in keys(), "-n deletes nothing"
    r = ours(moto, "-a", "-i", "--delete", "--exclude=*.log", f"{src}/", f"s3://{bucket}/d/")
    assert r.returncode == 0
    assert "d/extra.txt" not in keys()
    assert "d/kept.log" in keys(), "excluded files are not deleted without --delete-excluded"


def test_symlinks_are_skipped_with_a_warning_or_followed(tmp_path, moto, bucket):
    src = tmp_path / "src"
    src.mkdir()
    (src / "target.txt").write_bytes(b"target")
    os.symlink("target.txt", src / "link")
    os.symlink("missing", src / "dangling")
    r = ours(moto, "-a", f"{src}/", f"s3://{bucket}/s/")
    assert r.returncode == 0, r.stderr
    assert r.stderr.decode().count("skipping symlink") == 2
    # -L means what it means to rsync whatever the destination: what a link points to is
    # copied, and a link that points nowhere is a failed file (rsync's 23).
    r = ours(moto, "-a", "-L", "-i", f"{src}/", f"s3://{bucket}/s/")
    assert r.returncode == 23, r.stderr
    assert [l.split(" ", 1)[1] for l in itemized(r)] == ["link"]
    assert b"symlink has no referent" in r.stderr and b"dangling" in r.stderr
    got = aws(moto, "s3", "cp", f"s3://{bucket}/s/link", "-").stdout
    assert got == b"target"


def test_errors_are_one_line_with_rsync_exit_codes(tmp_path, moto, bucket):
    src = tmp_path / "src"
    src.mkdir()
    (src / "f").write_bytes(b"x")
    dead = f"http://127.0.0.1:{free_port()}"
    r = subprocess.run([SWIFTSYNC, "--endpoint-url", dead, "--retries", "0", "-a", f"{src}/", f"s3://{bucket}/x/"],
                       env=ENV, capture_output=True, timeout=60)
    assert r.returncode == 10, r.stderr
    assert b"ListObjectsV2" in r.stderr
    r = ours(moto, "-a", f"{src}/", "s3://no-such-bucket-here/x/")
    assert r.returncode == 11 and b"NoSuchBucket" in r.stderr, r.stderr
    r = ours(moto, "-a", "--sse", "rot13", f"{src}/", f"s3://{bucket}/x/")
    assert r.returncode == 1 and b"--sse" in r.stderr
    r = ours(moto, "-a", f"{src}/", f"{src}/", f"s3://{bucket}/x/")
    assert r.returncode == 1 and b"one source" in r.stderr
    r = subprocess.run([SWIFTSYNC, "--endpoint-url", moto, "-a", f"{src}/", f"s3://{bucket}/x/"],
                       env={k: v for k, v in ENV.items() if not k.startswith("AWS_ACCESS") and not k.startswith("AWS_SECRET")}
                       | {"HOME": str(tmp_path), "AWS_EC2_METADATA_DISABLED": "true"},
                       capture_output=True, timeout=60)
    assert r.returncode == 1 and b"no AWS credentials" in r.stderr, r.stderr
    assert b"testing-secret" not in r.stderr


def test_json_summary(tmp_path, moto, bucket):
    src = tmp_path / "src"
    make_tree(src)
    r = ours(moto, "-a", "--json", f"{src}/", f"s3://{bucket}/j/")
    assert r.returncode == 0
    summary = json.loads(r.stdout)
    assert summary["regular_files_transferred"] == 6
    assert summary["exit_code"] == 0


def test_progress_lines(tmp_path, moto, bucket):
    src = tmp_path / "src"
    make_tree(src)
    r = ours(moto, "-a", "--progress", f"{src}/", f"s3://{bucket}/pr/")
    assert r.returncode == 0, r.stderr
    out = r.stdout.decode()
    assert "big.bin" in out and "100%" in out and "(xfr#6)" in out, out
    r = ours(moto, "-a", "-I", "--info=progress2", f"{src}/", f"s3://{bucket}/pr/")
    assert r.returncode == 0, r.stderr
    last = r.stdout.decode().strip().splitlines()[-1]
    assert "100%" in last and "xfr#6" in last, r.stdout


def test_interrupted_multipart_upload_is_aborted(tmp_path, moto, bucket):
    big = tmp_path / "big"
    big.write_bytes(os.urandom(40 * 1024 * 1024))
    # Paced to ~10 s, so that the interrupt lands mid-upload however busy the machine is (at
    # full speed, a loaded CI machine once saw the upload complete while the aws CLI polled).
    proc = subprocess.Popen([SWIFTSYNC, "--endpoint-url", moto, "--part-size", "5M", "--s3-concurrency", "2", "--bwlimit=4000",
                             "-a", str(big), f"s3://{bucket}/int/big"], env=ENV, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    # Interrupt once the multipart upload exists.
    deadline = time.time() + 60
    while time.time() < deadline and proc.poll() is None:
        listing = json.loads(aws(moto, "s3api", "list-multipart-uploads", "--bucket", bucket).stdout or b"{}")
        if listing.get("Uploads"):
            break
        time.sleep(0.05)
    assert proc.poll() is None, "the upload finished before it could be interrupted"
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 20, err
    listing = json.loads(aws(moto, "s3api", "list-multipart-uploads", "--bucket", bucket).stdout or b"{}")
    assert not listing.get("Uploads"), "the interrupted upload was aborted: no orphan parts"
    assert "int/big" not in [o["Key"] for o in json.loads(aws(moto, "s3api", "list-objects-v2", "--bucket", bucket).stdout or b"{}").get("Contents", [])]


def test_vvv_logs_requests_but_no_secret(tmp_path, moto, bucket):
    src = tmp_path / "src"
    make_tree(src)
    env = ENV | {"AWS_SESSION_TOKEN": "a-session-token-secret"}
    r = ours(moto, "-a", "-vvv", f"{src}/", f"s3://{bucket}/v/", env=env)
    assert r.returncode == 0, r.stderr
    out = r.stdout + r.stderr
    assert b"method=PUT" in out and b"trace" in out, "-vvv shows the requests"
    for secret in (b"testing-secret", b"a-session-token-secret", b"Signature="):
        assert secret not in out, secret


def test_an_upload_holds_few_descriptors_however_many_directories(tmp_path, moto, bucket):
    # 200 directories with a file each, under a hard limit of 64 descriptors: the transfer
    # queue once kept every job it handed out until it ran dry, and with it each job's
    # directory, so such an upload ran out of descriptors (and swiftsync-s3 crashed).
    src = tmp_path / "src"
    for i in range(200):
        d = src / f"a{i % 20:02d}" / f"b{i:04d}"
        d.mkdir(parents=True)
        (d / "f").write_bytes(b"%d\n" % i)
    r = subprocess.run(["prlimit", "--nofile=64:64", SWIFTSYNC, "--endpoint-url", moto, "--s3-concurrency", "2", "-a",
                        f"{src}/", f"s3://{bucket}/many/"], env=ENV, capture_output=True, timeout=300)
    assert r.returncode == 0, r.stderr
    assert len(keys(moto, bucket, "many/")) == 200
