"""Ctrl-C (SIGINT) and SIGTERM mid-transfer: exit 20, no temp files, nothing torn; --partial
keeps what was written, as rsync does; a rerun completes. rsync behaves the same, so these run
against rsync too."""
import os
import signal
import subprocess
import time

import pytest

from helpers import SWIFTSYNC, rand_bytes, regular_files, trees_equal, write_file


def _big_tree(src, files=3, size=24 << 20):
    for i in range(files):
        write_file(src / f"big{i}.bin", rand_bytes(size, seed=i))


def _start(args, cwd):
    return subprocess.Popen([SWIFTSYNC, *args], cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def _interrupt_after(proc, seconds, sig):
    time.sleep(seconds)
    assert proc.poll() is None, "the sync finished before it could be interrupted"
    proc.send_signal(sig)
    out, err = proc.communicate(timeout=30)
    return proc.returncode, err


def _leftovers(root):
    """Names that are neither source files nor directories: temp files."""
    names = [os.fsdecode(p) for p in regular_files(root)]
    return sorted(p for p in names if os.path.basename(p).startswith("."))


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_interrupt_leaves_no_temp_files(tmp_path, sig):
    src, dst = tmp_path / "src", tmp_path / "dst"
    _big_tree(src)
    proc = _start(["-a", "--bwlimit=16m", "src/", "dst/"], tmp_path)
    code, err = _interrupt_after(proc, 1.5, sig)
    assert code == 20, err.decode(errors="replace")
    assert _leftovers(dst) == []
    for name in os.listdir(dst):
        assert (dst / name).read_bytes() == (src / name).read_bytes(), f"torn file {name}"
    rerun = subprocess.run([SWIFTSYNC, "-a", "src/", "dst/"], cwd=tmp_path, capture_output=True, timeout=120)
    assert rerun.returncode == 0, rerun.stderr
    trees_equal(src, dst)


def test_partial_keeps_the_partial_file(tmp_path):
    src, dst = tmp_path / "src", tmp_path / "dst"
    _big_tree(src, files=1, size=48 << 20)
    proc = _start(["-a", "--partial", "--bwlimit=16m", "src/", "dst/"], tmp_path)
    code, err = _interrupt_after(proc, 1.5, signal.SIGINT)
    assert code == 20, err.decode(errors="replace")
    kept = dst / "big0.bin"
    assert kept.exists(), "--partial should keep the partial file"
    data = kept.read_bytes()
    assert 0 < len(data) < 48 << 20
    assert data == (src / "big0.bin").read_bytes()[: len(data)]
    rerun = subprocess.run([SWIFTSYNC, "-a", "src/", "dst/"], cwd=tmp_path, capture_output=True, timeout=120)
    assert rerun.returncode == 0, rerun.stderr
    trees_equal(src, dst)
