"""End-to-end tests for the swiftsync command line, with the real rsync as the oracle.

How to run (from the repository root, as root -- the tests make device nodes, chown files,
mount a tmpfs and switch to uid 65534 with setpriv):

    swift build -c release
    python3 -m pytest Tests/EndToEnd -q                     # tests .build/release/swiftsync
    SWIFTSYNC=/path/to/swiftsync python3 -m pytest Tests/EndToEnd -q

Validating the suite itself: let rsync stand in as the binary under test.  Every test of an
rsync-compatible behaviour must pass; tests marked `swiftsync_only` (--json, --jobs, --walkers)
are skipped with reason "swiftsync-only" in that mode and run otherwise:

    SWIFTSYNC=/usr/bin/rsync python3 -m pytest Tests/EndToEnd -x -q

Needs: python3 + pytest, rsync >= 3.2.3 (the oracle, /usr/bin/rsync), setpriv (util-linux),
root.  A missing tool is an error, never a skip.  The only skip besides swiftsync_only is the
-x/--one-file-system test when a tmpfs cannot be mounted.
"""
import os
import re
import shutil
import tempfile
import uuid

import pytest

import helpers
import s3_support


def pytest_configure(config):
    config.addinivalue_line(
        "markers", "swiftsync_only: tests of swiftsync-only flags (--json, --jobs, --walkers); "
                   "skipped when $SWIFTSYNC is rsync")


def _fail(msg):
    raise pytest.UsageError("swiftsync end-to-end tests cannot run: " + msg)


def pytest_sessionstart(session):
    if os.geteuid() != 0:
        _fail("they must run as root (device nodes, chown, tmpfs mount, setpriv to nobody)")
    rsync = helpers.RSYNC
    if not (os.path.isfile(rsync) and os.access(rsync, os.X_OK)):
        _fail(f"the oracle rsync was not found at {rsync!r}; install it (apt-get install rsync)")
    cp = helpers.run([rsync, "--version"], timeout=30)
    m = re.search(rb"version\s+(\d+)\.(\d+)\.(\d+)", cp.stdout)
    if not m or tuple(map(int, m.groups())) < (3, 2, 3):
        _fail(f"rsync >= 3.2.3 is needed as the oracle (for --mkpath), got: {cp.stdout[:80]!r}")
    sw = helpers.SWIFTSYNC
    if not (os.path.isfile(sw) and os.access(sw, os.X_OK)):
        _fail(f"binary under test not found or not executable: {sw!r} "
              "(build it with `swift build -c release`, or set SWIFTSYNC=...)")
    if not (os.path.isfile(helpers.SETPRIV) and os.access(helpers.SETPRIV, os.X_OK)):
        _fail("setpriv (util-linux) is needed for the unprivileged-user fault tests")
    if not helpers.MKTREE.exists():
        _fail(f"tree generator {helpers.MKTREE} not found (set MKTREE=...)")


def pytest_report_header(config):
    mode = " (rsync stands in: swiftsync_only tests are skipped)" if helpers.UNDER_TEST_IS_RSYNC else ""
    return [f"binary under test: {helpers.SWIFTSYNC}{mode}", f"oracle: {helpers.RSYNC}"]


def pytest_collection_modifyitems(config, items):
    if not helpers.UNDER_TEST_IS_RSYNC:
        return
    skip = pytest.mark.skip(reason="swiftsync-only")
    for item in items:
        if "swiftsync_only" in item.keywords:
            item.add_marker(skip)


@pytest.fixture
def world_tmp():
    """A scratch directory that uid 65534 can reach (pytest's tmp_path is mode 0700)."""
    d = tempfile.mkdtemp(prefix="swiftsync-e2e-", dir="/tmp")
    os.chmod(d, 0o755)
    try:
        yield d
    finally:
        # make everything removable again (tests chmod things to 0000)
        for root, dirs, files in os.walk(d):
            for x in dirs:
                p = os.path.join(root, x)
                if not os.path.islink(p):
                    os.chmod(p, 0o755)
        shutil.rmtree(d, ignore_errors=True)


@pytest.fixture(scope="session")
def moto():
    """One moto_server (S3 and EC2 APIs) on loopback for the whole session; its endpoint URL."""
    proc, url = s3_support.start_moto()
    yield url
    s3_support.stop_moto(proc)


@pytest.fixture
def fault_proxy(moto):
    """start(plan) -> port of a fault_proxy.py in front of the session's moto_server; every
    proxy started is stopped when the test ends."""
    procs = []

    def start(plan):
        proc, port = s3_support.start_fault_proxy(moto, plan)
        procs.append(proc)
        return port

    yield start
    for proc in procs:
        proc.kill()
        proc.wait()


@pytest.fixture
def bucket(moto):
    """A new, empty bucket on the session's moto_server."""
    name = "b-" + uuid.uuid4().hex[:12]
    s3_support.create_bucket(moto, name)
    return name
