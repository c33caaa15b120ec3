"""Whole syncs through a loopback proxy that injects 503 SlowDown and 500 answers, dropped
connections and answers cut in half (Tests/S3Tests/fault_proxy.py): uploads, downloads and
S3→S3 copies still complete, and what landed is checked against moto directly with the aws CLI."""
import json
import os
import signal
import subprocess

import pytest

from s3_support import ENV, SWIFTSYNC, aws, keys, make_tree, ours, start_fault_proxy

pytestmark = pytest.mark.swiftsync_only


@pytest.fixture
def proxy(fault_proxy):
    """plan -> the URL of a fault_proxy.py in front of moto with that plan."""
    return lambda plan: f"http://127.0.0.1:{fault_proxy(plan)}"


def test_upload_download_and_copy_survive_faults(tmp_path, moto, bucket, proxy):
    src = tmp_path / "src"
    files = make_tree(src)
    faulty = proxy("every=4:503")
    r = ours(faulty, "-a", "--retries", "8", f"{src}/", f"s3://{bucket}/f/")
    assert r.returncode == 0, r.stderr
    dry = aws(moto, "s3", "sync", "--dryrun", f"{src}/", f"s3://{bucket}/f/")
    assert dry.stdout.strip() == b"", dry.stdout
    # Downloads through dropped connections and answers cut mid-body: ranges start again.
    for plan in ("every=3:cut", "every=4:drop", "every=5:500"):
        dst = tmp_path / ("dst-" + plan.replace(":", "-").replace("=", "-"))
        r = ours(proxy(plan), "-a", "--retries", "8", f"s3://{bucket}/f/", f"{dst}/")
        assert r.returncode == 0, (plan, r.stderr)
        for name, data in files.items():
            assert (dst / name).read_bytes() == data, (plan, name)
    r = ours(proxy("every=3:drop"), "-a", "--retries", "8", f"s3://{bucket}/f/", f"s3://{bucket}/g/")
    assert r.returncode == 0, r.stderr
    assert keys(moto, bucket, "g/") == sorted("g/" + k for k in files)


def test_exhausted_retries_fail_cleanly(tmp_path, moto, bucket, proxy):
    src = tmp_path / "src"
    files = make_tree(src)
    assert ours(moto, "-a", f"{src}/", f"s3://{bucket}/x/").returncode == 0
    dst = tmp_path / "dst"
    # The listing passes, then every answer is cut: only the empty file (nothing to cut) arrives,
    # and nothing is left half-written.
    r = ours(proxy("ok," + ",".join(["cut"] * 80)), "-a", "--retries", "1", f"s3://{bucket}/x/", f"{dst}/")
    assert r.returncode == 23, r.stderr
    assert b"GetObject" in r.stderr and b"failed" in r.stderr, r.stderr
    arrived = {str(p.relative_to(dst)): p.read_bytes() for p in dst.rglob("*") if p.is_file()}
    assert arrived == {"empty": b""}, sorted(arrived)
    assert files["empty"] == b""


def test_multipart_upload_of_a_shrinking_file_is_a_file_error_and_aborts(tmp_path, moto, bucket):
    """A source that shrinks while its parts are mapped reads as zeros, never SIGBUS: the file is
    a per-file error (rsync's "read errors mapping"), the other files go up, no object is made
    of the torn bytes and no multipart upload is left behind (issue 13, item 3)."""
    src = tmp_path / "src"
    src.mkdir()
    (src / "big").write_bytes(os.urandom(40 << 20))
    (src / "small").write_bytes(b"small\n")
    # Every request is held a second, so the source can shrink while the first part is in flight.
    held, port = start_fault_proxy(moto, "every=1:sleep:1")
    try:
        run = subprocess.Popen([SWIFTSYNC, "--endpoint-url", f"http://127.0.0.1:{port}", "-a", "--s3-concurrency", "1",
                                "--part-size", "5M", "--multipart-threshold", "5M", f"{src}/", f"s3://{bucket}/t/"],
                               env=ENV, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        for line in held.stdout:
            if "partNumber=" in line:
                break
        os.truncate(src / "big", 1 << 20)
        out, err = run.communicate(timeout=120)
    finally:
        held.kill()
        held.wait()
    assert run.returncode != -signal.SIGBUS and run.returncode in (23, 24), (run.returncode, err)
    assert b"read errors mapping" in err and b"big" in err, err
    assert keys(moto, bucket, "t/") == ["t/small"]
    uploads = json.loads(aws(moto, "s3api", "list-multipart-uploads", "--bucket", bucket).stdout or b"{}")
    assert not uploads.get("Uploads"), uploads
