"""S3 → S3 sync against moto_server: server-side copies (CopyObject; UploadPartCopy above the
multipart copy threshold), metadata carried along, reruns that copy nothing, --delete, and the
aws CLI as the oracle for what landed."""
import hashlib
import json
import os

import pytest

from s3_support import aws, itemized, keys, make_tree, names, ours

pytestmark = pytest.mark.swiftsync_only


def head(url, bucket, key):
    return json.loads(aws(url, "s3api", "head-object", "--bucket", bucket, "--key", key).stdout)


def body(url, bucket, key, tmp_path):
    out = tmp_path / "got"
    aws(url, "s3api", "get-object", "--bucket", bucket, "--key", key, str(out))
    return out.read_bytes()


def test_copy_between_buckets(tmp_path, moto, bucket):
    src = tmp_path / "src"
    files = make_tree(src)
    assert ours(moto, "-a", f"{src}/", f"s3://{bucket}/from/").returncode == 0
    other = "copy-" + bucket
    aws(moto, "s3api", "create-bucket", "--bucket", other)
    r = ours(moto, "-a", "-i", "--stats", f"s3://{bucket}/from/", f"s3://{other}/to/")
    assert r.returncode == 0, r.stderr
    assert names(r) == sorted(files), r.stdout
    assert keys(moto, other) == sorted("to/" + k for k in files)
    for name, data in files.items():
        assert body(moto, other, "to/" + name, tmp_path) == data, name
    assert head(moto, other, "to/a.txt")["Metadata"]["mtime"].startswith("1700000000.")
    # The oracle has nothing to copy either; a rerun copies nothing.
    dry = aws(moto, "s3", "sync", "--dryrun", "--size-only", f"s3://{bucket}/from/", f"s3://{other}/to/")
    assert dry.stdout.strip() == b"", dry.stdout
    assert itemized(ours(moto, "-a", "-i", f"s3://{bucket}/from/", f"s3://{other}/to/")) == []
    # --delete removes what the source lacks; -c compares ETags.
    aws(moto, "s3api", "put-object", "--bucket", other, "--key", "to/stray")
    r = ours(moto, "-a", "-i", "-c", "--delete", f"s3://{bucket}/from/", f"s3://{other}/to/")
    assert itemized(r) == ["*deleting   stray"], r.stdout
    assert "to/stray" not in keys(moto, other)


def test_multipart_copies_keep_bytes_metadata_and_etags(tmp_path, moto, bucket):
    big = tmp_path / "big.bin"
    data = os.urandom(12 * 1024 * 1024 + 5)
    big.write_bytes(data)
    os.utime(big, (1_650_000_000, 1_650_000_000))
    # A multipart source (8 MiB parts) is copied part for part: the same ETag.
    assert ours(moto, "-a", "--metadata", "owner=ops", str(big), f"s3://{bucket}/m/big.bin").returncode == 0
    assert ours(moto, "-a", f"s3://{bucket}/m/", f"s3://{bucket}/n/").returncode == 0
    assert head(moto, bucket, "n/big.bin")["ETag"] == head(moto, bucket, "m/big.bin")["ETag"]
    assert itemized(ours(moto, "-a", "-i", "-c", f"s3://{bucket}/m/", f"s3://{bucket}/n/")) == [], "-c sees equal ETags"
    # A single-part source above --multipart-copy-threshold goes as UploadPartCopy ranges.
    assert ours(moto, "-a", "--multipart-threshold", "64M", "--metadata", "owner=ops", str(big), f"s3://{bucket}/s/big.bin").returncode == 0
    assert "-" not in head(moto, bucket, "s/big.bin")["ETag"]
    r = ours(moto, "-a", "--multipart-copy-threshold", "5M", "--part-size", "5M", f"s3://{bucket}/s/", f"s3://{bucket}/t/")
    assert r.returncode == 0, r.stderr
    h = head(moto, bucket, "t/big.bin")
    parts = [hashlib.md5(data[i:i + 5 * 1024 * 1024]).digest() for i in range(0, len(data), 5 * 1024 * 1024)]
    assert h["ETag"] == f'"{hashlib.md5(b"".join(parts)).hexdigest()}-3"', "three UploadPartCopy parts"
    for key in ("n/big.bin", "t/big.bin"):
        got = head(moto, bucket, key)["Metadata"]
        assert got["mtime"].startswith("1650000000.") and got["owner"] == "ops", key
        assert body(moto, bucket, key, tmp_path) == data, key
    uploads = json.loads(aws(moto, "s3api", "list-multipart-uploads", "--bucket", bucket).stdout or b"{}")
    assert not uploads.get("Uploads")


def test_copy_with_new_storage_class_and_metadata(tmp_path, moto, bucket):
    f = tmp_path / "f"
    f.write_bytes(b"data")
    assert ours(moto, "-a", str(f), f"s3://{bucket}/a/f").returncode == 0
    r = ours(moto, "-a", "--storage-class", "STANDARD_IA", "--metadata", "team=backup", f"s3://{bucket}/a/", f"s3://{bucket}/b/")
    assert r.returncode == 0, r.stderr
    h = head(moto, bucket, "b/f")
    assert h.get("StorageClass") == "STANDARD_IA"
    assert h["Metadata"]["team"] == "backup" and "mtime" in h["Metadata"], "the source's metadata stays, ours is added"
