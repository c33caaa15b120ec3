"""Whole syncs through a loopback proxy that injects 503 SlowDown and 500 answers, dropped
connections and answers cut in half (Tests/S3Tests/fault_proxy.py): uploads, downloads and
S3→S3 copies still complete, and what landed is checked against moto directly with the aws CLI."""
import subprocess
import sys
from pathlib import Path

import pytest

from s3_support import aws, free_port, keys, make_tree, ours

pytestmark = pytest.mark.swiftsync_only

PROXY = Path(__file__).resolve().parent.parent / "S3Tests" / "fault_proxy.py"


@pytest.fixture
def proxy(moto):
    """Starts fault_proxy.py in front of moto with a plan; yields a function plan -> URL."""
    procs = []

    def start(plan):
        port = free_port()
        proc = subprocess.Popen([sys.executable, str(PROXY), str(port), moto, plan], stdout=subprocess.PIPE,
                                stderr=subprocess.DEVNULL, text=True)
        procs.append(proc)
        assert proc.stdout.readline().strip() == "ready", "fault_proxy.py did not start"
        return f"http://127.0.0.1:{port}"

    yield start
    for proc in procs:
        proc.kill()
        proc.wait()


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
