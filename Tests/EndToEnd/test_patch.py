"""`swiftsync patch BASIS DELTA NEW` against the real rdiff: rdiff's deltas apply, bad deltas
give a one-line error, exit 12 (malformed) or 11 (file error), and no output file."""
import os
import subprocess

import pytest

from helpers import SWIFTSYNC, rand_bytes

pytestmark = pytest.mark.swiftsync_only

RDIFF = "/usr/bin/rdiff"


@pytest.fixture(autouse=True)
def _need_rdiff():
    assert os.access(RDIFF, os.X_OK), "rdiff is required (make test installs it)"


def _versions(tmp_path, size=400_000):
    basis = rand_bytes(size, seed=5)
    new = basis[:1000] + b"edited" + basis[1500:size // 2] + rand_bytes(3000, seed=6) + basis[size // 2:]
    (tmp_path / "basis").write_bytes(basis)
    (tmp_path / "new").write_bytes(new)
    subprocess.run([RDIFF, "signature", "basis", "sig"], cwd=tmp_path, check=True)
    subprocess.run([RDIFF, "delta", "sig", "new", "delta"], cwd=tmp_path, check=True)
    return new


def test_applies_rdiff_delta_with_stats(tmp_path):
    new = _versions(tmp_path)
    cp = subprocess.run([SWIFTSYNC, "patch", "--stats", "basis", "delta", "out"], cwd=tmp_path, capture_output=True)
    assert cp.returncode == 0, cp.stderr
    assert (tmp_path / "out").read_bytes() == new
    assert b"Literal data:" in cp.stderr and b"Matched data:" in cp.stderr


def test_stdin_and_stdout(tmp_path):
    new = _versions(tmp_path)
    with open(tmp_path / "delta", "rb") as delta:
        cp = subprocess.run([SWIFTSYNC, "patch", "basis", "-", "-"], cwd=tmp_path, stdin=delta, capture_output=True)
    assert cp.returncode == 0, cp.stderr
    assert cp.stdout == new


@pytest.mark.parametrize("name,data,code", [
    ("truncated", None, 12),
    ("wrong-magic", b"RS\x026\x00", 12),
    ("unknown-command", b"rs\x026\x60", 12),
    ("copy-past-end", b"rs\x026\x4f\x00\x00\x00\x00\x7f\xff\xff\xff\x00", 12),
])
def test_bad_delta_leaves_no_output(tmp_path, name, data, code):
    _versions(tmp_path)
    if data is None:
        data = (tmp_path / "delta").read_bytes()[:-7]
    (tmp_path / name).write_bytes(data)
    cp = subprocess.run([SWIFTSYNC, "patch", "basis", name, "out"], cwd=tmp_path, capture_output=True)
    assert cp.returncode == code, cp.stderr
    assert name.encode() in cp.stderr.splitlines()[0], "the message names the bad file"
    assert not (tmp_path / "out").exists()
    assert [n for n in os.listdir(tmp_path) if n.startswith(".")] == []


def test_missing_basis_is_a_file_error(tmp_path):
    _versions(tmp_path)
    cp = subprocess.run([SWIFTSYNC, "patch", "nope", "delta", "out"], cwd=tmp_path, capture_output=True)
    assert cp.returncode == 11, cp.stderr
    assert b"nope" in cp.stderr
    assert not (tmp_path / "out").exists()


def test_our_signature_and_delta_apply_with_rdiff_and_with_us(tmp_path):
    new = _versions(tmp_path)
    for args in (["signature", "basis", "our.sig"], ["delta", "--stats", "our.sig", "new", "our.delta"]):
        cp = subprocess.run([SWIFTSYNC, *args], cwd=tmp_path, capture_output=True)
        assert cp.returncode == 0, cp.stderr
    subprocess.run([RDIFF, "patch", "basis", "our.delta", "by-rdiff"], cwd=tmp_path, check=True)
    assert (tmp_path / "by-rdiff").read_bytes() == new
    cp = subprocess.run([SWIFTSYNC, "patch", "basis", "our.delta", "by-us"], cwd=tmp_path, capture_output=True)
    assert cp.returncode == 0, cp.stderr
    assert (tmp_path / "by-us").read_bytes() == new


def test_signature_options_and_pipes(tmp_path):
    new = _versions(tmp_path)
    with open(tmp_path / "basis", "rb") as basis:
        sig = subprocess.run([SWIFTSYNC, "signature", "--block-size", "4096", "--strong-len", "8", "-", "-"],
                             cwd=tmp_path, stdin=basis, capture_output=True)
    assert sig.returncode == 0, sig.stderr
    delta = subprocess.run([SWIFTSYNC, "delta", "-", "new", "-"], cwd=tmp_path, input=sig.stdout, capture_output=True)
    assert delta.returncode == 0, delta.stderr
    (tmp_path / "piped.delta").write_bytes(delta.stdout)
    subprocess.run([RDIFF, "patch", "basis", "piped.delta", "out"], cwd=tmp_path, check=True)
    assert (tmp_path / "out").read_bytes() == new


def test_bad_signature_and_bad_options(tmp_path):
    _versions(tmp_path)
    (tmp_path / "bad.sig").write_bytes(b"SSG1 not a signature")
    cp = subprocess.run([SWIFTSYNC, "delta", "bad.sig", "new", "out.delta"], cwd=tmp_path, capture_output=True)
    assert cp.returncode == 12, cp.stderr
    assert b"bad.sig" in cp.stderr.splitlines()[0]
    assert not (tmp_path / "out.delta").exists()
    cp = subprocess.run([SWIFTSYNC, "signature", "--strong-len", "0", "basis", "x.sig"], cwd=tmp_path, capture_output=True)
    assert cp.returncode == 1, cp.stderr
    assert not (tmp_path / "x.sig").exists()


def test_compressed_delta_round_trip(tmp_path):
    text = b"".join(b"line %d of a log-like file with repeated words\n" % (i % 50) for i in range(20000))
    (tmp_path / "basis").write_bytes(text)
    (tmp_path / "new").write_bytes(text + b"appended\n")
    for args in (["signature", "basis", "sig"], ["delta", "--compress", "sig", "new", "z.delta"],
                 ["patch", "basis", "z.delta", "out"]):
        cp = subprocess.run([SWIFTSYNC, *args], cwd=tmp_path, capture_output=True)
        assert cp.returncode == 0, cp.stderr
    assert (tmp_path / "out").read_bytes() == text + b"appended\n"
    assert (tmp_path / "z.delta").read_bytes()[:1] == b"\x78", "a zlib stream"
