"""What every end-to-end test against the S3/EC2 API shares: a moto_server on a free loopback
port (one per test session), the aws CLI pointed at it (the oracle), and swiftsync run against it.

The fixtures `moto` and `bucket` are registered in conftest.py; import the helpers from here."""
import os
import shutil
import socket
import subprocess
import time

from helpers import SWIFTSYNC

ENV = dict(os.environ, AWS_ACCESS_KEY_ID="testing", AWS_SECRET_ACCESS_KEY="testing-secret",
           AWS_DEFAULT_REGION="us-east-1", AWS_EC2_METADATA_DISABLED="true")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


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


def ours(url, *args, env=None, timeout=300):
    """swiftsync with --endpoint-url `url` and the test credentials."""
    return subprocess.run([SWIFTSYNC, "--endpoint-url", url, *args], env=env or ENV, capture_output=True, timeout=timeout)


def ours_command(url, *args, env=None, timeout=120):
    """A swiftsync subcommand (`s3 lifecycle put ...`) with --endpoint-url `url` after its
    arguments (options before a subcommand's name belong to the top level)."""
    return subprocess.run([SWIFTSYNC, *args, "--endpoint-url", url], env=env or ENV, capture_output=True, timeout=timeout)
