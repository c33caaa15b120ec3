"""Secrets never printed (issue 13, item 10): a password in --endpoint-url is redacted in every
message, and an answer that is not an S3 error document (a proxy's page echoing our headers,
the session token among them) is reported by its status alone, its body only with -vv and
even then without our secrets."""
import subprocess

import pytest

from helpers import SWIFTSYNC
from s3_support import ENV, ours

pytestmark = pytest.mark.swiftsync_only

TOKEN = "FQoGZXIvYXdzEXAMPLEtoken-never-printed"


@pytest.mark.parametrize("url", [
    "https://alice:hunter2-pass@s3.example.invalid/",
    "http://alice:hunter2-pass@127.0.0.1:notaport/",
    "https://alice:hunter2/pass@s3.example.invalid/",
    "alice:hunter2-pass@s3.example.invalid",
])
def test_a_password_in_the_endpoint_url_is_never_printed(tmp_path, url):
    for args in (["-a", f"{tmp_path}/", "s3://bucket/p/"], ["s3", "lifecycle", "get", "s3://bucket"], ["ebs", "list"]):
        if args[0] == "-a":
            cmd = [SWIFTSYNC, "--endpoint-url", url, *args]
        else:
            cmd = [SWIFTSYNC, *args, "--endpoint-url", url]
        r = subprocess.run(cmd, env=ENV, capture_output=True, timeout=60)
        out = r.stdout + r.stderr
        assert r.returncode != 0, (cmd, out)
        assert b"hunter2" not in out and b"alice" not in out, (cmd, out)
        if args[0] != "ebs":
            assert b"***@" in out, (cmd, out)


def test_boto_rsync_endpoint_password_is_never_printed(tmp_path):
    link = tmp_path / "boto-rsync"
    link.symlink_to(SWIFTSYNC)
    r = subprocess.run([str(link), "--endpoint", "alice:hunter2-pass@s3.example.invalid", f"{tmp_path}/", "s3://bucket/p/"],
                       env=ENV, capture_output=True, timeout=60)
    assert r.returncode != 0
    assert b"hunter2" not in r.stdout + r.stderr, r.stderr


def test_a_non_xml_error_body_is_reported_by_status_only(tmp_path, moto, bucket, fault_proxy):
    port = fault_proxy("every=1:echo:400")
    env = ENV | {"AWS_SESSION_TOKEN": TOKEN}
    url = f"http://127.0.0.1:{port}"
    r = ours(url, "--retries", "0", "-a", f"s3://{bucket}/p/", f"{tmp_path}/dst/", env=env)
    err = r.stderr.decode()
    assert r.returncode != 0, err
    assert TOKEN not in err and "x-amz-security-token" not in err.lower() and "<html" not in err, err
    assert "HTTP 400" in err, err
    errors = [l for l in err.splitlines() if l.startswith("swiftsync: ")]
    assert len(errors) == 1 and "not an AWS error document" in errors[0], err
    # -vv shows the body, for debugging a proxy, but still not our secrets.
    r = ours(url, "--retries", "0", "-vv", "-a", f"s3://{bucket}/p/", f"{tmp_path}/dst/", env=env)
    err = r.stderr.decode()
    assert "Bad Gateway" in err, err
    assert TOKEN not in err and "testing-secret" not in err, err
