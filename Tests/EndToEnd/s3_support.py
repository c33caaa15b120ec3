"""What every end-to-end test against the S3/EC2 API shares: a moto_server on a free loopback
port (one per test session), the aws CLI pointed at it (the oracle), and swiftsync run against it.

The fixtures `moto` and `bucket` are registered in conftest.py; import the helpers from here."""
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

from helpers import SWIFTSYNC

ENV = dict(os.environ, AWS_ACCESS_KEY_ID="testing", AWS_SECRET_ACCESS_KEY="testing-secret",
           AWS_DEFAULT_REGION="us-east-1", AWS_EC2_METADATA_DISABLED="true")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


FAULT_PROXY = Path(__file__).resolve().parent.parent / "S3Tests" / "fault_proxy.py"


def start_fault_proxy(upstream, plan):
    """Tests/S3Tests/fault_proxy.py in front of `upstream` with `plan` (its docstring has the
    faults); returns (process, port) once it listens. Its stdout has a line per request."""
    port = free_port()
    proc = subprocess.Popen([sys.executable, str(FAULT_PROXY), str(port), upstream, plan], stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL, text=True)
    assert proc.stdout.readline().strip() == "ready", "fault_proxy.py did not start"
    return proc, port


def start_moto():
    """Starts moto_server on a free port; returns (process, endpoint URL). Fails loudly when
    moto_server or the aws CLI is missing (make test installs both)."""
    exe = shutil.which("moto_server")
    assert exe, "moto_server is required (make test installs it: pip install 'moto[server]')"
    assert shutil.which("aws"), "the aws CLI is required (make test installs it: pip install awscli)"
    port = free_port()
    proc = subprocess.Popen([exe, "-H", "127.0.0.1", "-p", str(port)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 30
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            break
        except OSError:
            assert proc.poll() is None and time.time() < deadline, "moto_server did not start"
            time.sleep(0.1)
    return proc, f"http://127.0.0.1:{port}"


def stop_moto(proc):
    # moto_server's web server outlives SIGTERM while requests linger: end it for sure.
    proc.kill()
    proc.wait()


def aws(url, *args, check=True, env=None):
    """The aws CLI against `url`; asserts a zero exit unless check=False."""
    r = subprocess.run(["aws", "--endpoint-url", url, "--output", "json", *args], env=env or ENV, capture_output=True, timeout=120)
    if check:
        assert r.returncode == 0, r.stderr.decode(errors="replace")
    return r


_clients = {}


def s3_client(url):
    """An in-process botocore S3 client for `url`: botocore is the library the aws CLI runs on,
    so it is the same oracle, without the CLI's start-up (about a second of CPU per call) for
    the buckets, listings and reads that nearly every S3 test makes."""
    if url not in _clients:
        import botocore.session
        _clients[url] = botocore.session.get_session().create_client(
            "s3", endpoint_url=url, region_name=ENV["AWS_DEFAULT_REGION"],
            aws_access_key_id=ENV["AWS_ACCESS_KEY_ID"], aws_secret_access_key=ENV["AWS_SECRET_ACCESS_KEY"])
    return _clients[url]


def create_bucket(url, name):
    s3_client(url).create_bucket(Bucket=name)


def list_objects(url, bucket, prefix=""):
    """Every object under `prefix` (all pages), as ListObjectsV2 gives them."""
    objects = []
    for page in s3_client(url).get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
        objects += page.get("Contents", [])
    return objects


def read_objects(url, bucket, prefix=""):
    """{key relative to `prefix`: bytes} of every object under it."""
    client = s3_client(url)
    return {o["Key"][len(prefix):]: client.get_object(Bucket=bucket, Key=o["Key"])["Body"].read()
            for o in list_objects(url, bucket, prefix)}


def ours(url, *args, env=None, timeout=300):
    """swiftsync with --endpoint-url `url` and the test credentials."""
    return subprocess.run([SWIFTSYNC, "--endpoint-url", url, *args], env=env or ENV, capture_output=True, timeout=timeout)


def make_tree(root):
    """A small tree with odd names, an empty file and an 11 MiB file (multipart at the default 8 MiB)."""
    files = {
        "a.txt": b"hello\n",
        "with space/ü+b~c.txt": b"odd name\n",
        "deep/er/still/z.bin": os.urandom(70_000),
        "empty": b"",
        "quote'and&amp.txt": b"q",
        "big.bin": os.urandom(11 * 1024 * 1024 + 17),
    }
    for name, data in files.items():
        p = root / name
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_bytes(data)
        os.utime(p, (1_700_000_000, 1_700_000_000))
    return files


ITEMIZE = re.compile(r"^([<>ch.][fdLDS][.+csStTpogua ]{9} |\*deleting   )")


def itemized(result):
    """The -i lines of a run (transfers, directories, deletions)."""
    return [line for line in result.stdout.decode().splitlines() if ITEMIZE.match(line)]


def names(result):
    """The paths of a run's -i lines."""
    return sorted(line[12:] for line in itemized(result))


def keys(url, bucket, prefix=""):
    """The keys under `prefix`, sorted."""
    return sorted(o["Key"] for o in list_objects(url, bucket, prefix))


def ours_command(url, *args, env=None, timeout=120):
    """A swiftsync subcommand (`s3 lifecycle put ...`) with --endpoint-url `url` after its
    arguments (options before a subcommand's name belong to the top level)."""
    return subprocess.run([SWIFTSYNC, *args, "--endpoint-url", url], env=env or ENV, capture_output=True, timeout=timeout)
