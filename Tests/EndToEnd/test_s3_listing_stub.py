"""Benchmarks/s3/listing_stub.py (the endpoint of the 200,000-object memory benchmark) lists
what moto_server lists after swiftsync uploaded the same tree, in every paging and delimiter
form, and fails a run that is not a no-op instead of letting it be measured."""
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from s3_support import list_objects, ours, s3_client

STUB = Path(__file__).resolve().parent.parent.parent / "Benchmarks" / "s3" / "listing_stub.py"


@pytest.fixture
def stub(tmp_path):
    """start(tree, bucket, prefix) -> endpoint URL of a listing_stub.py serving `tree`."""
    procs = []

    def start(tree, bucket, prefix):
        port_file = tmp_path / f"stub-port-{len(procs)}"
        proc = subprocess.Popen([sys.executable, str(STUB), str(tree), "--bucket", bucket, "--prefix", prefix,
                                 "--port-file", str(port_file)], stderr=subprocess.PIPE, text=True)
        procs.append(proc)
        deadline = time.time() + 30
        while not port_file.exists():
            assert proc.poll() is None and time.time() < deadline, "listing_stub.py did not start"
            time.sleep(0.05)
        return f"http://127.0.0.1:{port_file.read_text()}"

    yield start
    for proc in procs:
        proc.kill()
        proc.wait()


def small_tree(root):
    names = ["a.txt", "b/c.txt", "b/d/e.txt", "b-c.txt", "b0", "with space/ü+b~c.txt", "quote'and&amp.txt",
             "deep/er/still/z.bin", "empty"]
    for i, name in enumerate(names):
        p = root / name
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_bytes(os.urandom(i * 37))
        os.utime(p, (1_700_000_000 + i, 1_700_000_000 + i))
    (root / "link").symlink_to("a.txt")
    (root / "empty-dir").mkdir()


def listing(url, bucket, **kwargs):
    """Every page of a ListObjectsV2 as (keys with sizes, common prefixes)."""
    contents, prefixes = [], []
    for page in s3_client(url).get_paginator("list_objects_v2").paginate(Bucket=bucket, **kwargs):
        contents += [(o["Key"], o["Size"]) for o in page.get("Contents", [])]
        prefixes += [p["Prefix"] for p in page.get("CommonPrefixes", [])]
    return contents, prefixes


def test_the_stub_lists_what_moto_lists_after_an_upload(moto, bucket, stub, tmp_path):
    src = tmp_path / "src"
    small_tree(src)
    assert ours(moto, "-a", f"{src}/", f"s3://{bucket}/p/").returncode == 0
    url = stub(src, bucket, "p/")
    forms = [dict(Prefix="p/"), dict(Prefix="p/", PaginationConfig={"PageSize": 2}),
             dict(Prefix="p/", Delimiter="/"), dict(Prefix="p/b", Delimiter="/", PaginationConfig={"PageSize": 1}),
             dict(Prefix="p/deep/", Delimiter="/"), dict(Prefix="p/nothing"), dict(Prefix="p/b/", StartAfter="p/b/c.txt")]
    for form in forms:
        assert listing(url, bucket, **form) == listing(moto, bucket, **form), form
    assert len(list_objects(url, bucket, "p/")) == 9


def test_a_no_op_against_the_stub_succeeds_and_any_transfer_fails(bucket, stub, tmp_path):
    src = tmp_path / "src"
    small_tree(src)
    url = stub(src, bucket, "p/")
    for args in ([f"{src}/", f"s3://{bucket}/p/"], [f"s3://{bucket}/p/", f"{src}/"]):
        r = ours(url, "-a", "--stats", *args)
        assert r.returncode == 0, r.stderr.decode()
        assert "Number of regular files transferred: 0" in r.stdout.decode()
    (src / "a.txt").write_bytes(b"changed, so an upload has something to send")
    r = ours(url, "-a", f"{src}/", f"s3://{bucket}/p/")
    assert r.returncode != 0 and b"a.txt" in r.stderr, r.stderr.decode()
