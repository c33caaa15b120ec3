"""`swiftsync raid1 create` on loop devices. This kernel has no md driver, so no array is built
here: the tests check the plan line by line (--dry-run) and the preflight, which runs for real
(blkid, mounts, holders) and must refuse a device that holds a filesystem or is in use."""
import os
import subprocess

import pytest

from helpers import SWIFTSYNC

pytestmark = pytest.mark.swiftsync_only


def sh(*args):
    r = subprocess.run(args, capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, f"{args}: {r.stderr}"
    return r.stdout.strip()


@pytest.fixture
def loops(tmp_path):
    """A factory of loop devices over 64 MiB image files in /tmp, detached at teardown."""
    assert os.path.exists("/dev/loop-control"), "loop devices are required for the RAID1 tests (no /dev/loop-control)"
    made = []

    def make():
        image = tmp_path / f"disk{len(made)}.img"
        with open(image, "wb") as f:
            f.truncate(64 << 20)
        device = sh("losetup", "-f", "--show", str(image))
        made.append(device)
        return device, str(image)

    yield make
    for device in made:
        subprocess.run(["umount", device], capture_output=True)
        subprocess.run(["losetup", "-d", device], capture_output=True)


def raid1(tmp_path, *args):
    return subprocess.run([SWIFTSYNC, "raid1", "create", "--fstab", str(tmp_path / "fstab"), "--mdadm-conf", str(tmp_path / "mdadm.conf"), *args],
                          capture_output=True, text=True, timeout=120)


def test_dry_run_plans_every_step_and_changes_nothing(tmp_path, loops):
    (a, _), (b, _) = loops(), loops()
    mount = tmp_path / "backups"
    r = raid1(tmp_path, "--devices", f"{a},{b}", "--mount", str(mount), "--label", "backups", "--dry-run")
    assert r.returncode == 0, r.stderr
    assert r.stdout.splitlines() == [
        f"+ blkid -p -o export {a}",
        f"+ blkid -p -o export {b}",
        f"would run: mdadm --create /dev/md0 --level=1 --raid-devices=2 --metadata=1.2 --run --name=backups {a} {b}",
        "would run: mkfs.ext4 -L backups /dev/md0",
        "would run: blkid -s UUID -o value /dev/md0",
        f"would run: mdadm --detail --scan, and append its ARRAY line for /dev/md0 to {tmp_path}/mdadm.conf",
        f"would append to {tmp_path}/fstab: UUID=<UUID read by blkid> {mount} ext4 defaults,nofail 0 2",
        f"would run: mkdir -p {mount}",
        f"would run: mount --fstab {tmp_path}/fstab {mount}",
        "dry run: nothing was changed",
    ]
    assert r.stderr == ""
    assert not mount.exists() and not (tmp_path / "fstab").exists() and not (tmp_path / "mdadm.conf").exists()
    for device in (a, b):
        assert subprocess.run(["blkid", "-p", device], capture_output=True).returncode == 2, "still blank"

    r = raid1(tmp_path, "--devices", f"{a},{b}", "--mount", str(mount), "--filesystem", "xfs", "--md", "/dev/md/backups", "--dry-run")
    assert r.returncode == 0, r.stderr
    assert "would run: mkfs.xfs /dev/md/backups" in r.stdout.splitlines()
    assert f"would append to {tmp_path}/fstab: UUID=<UUID read by blkid> {mount} xfs defaults,nofail 0 0" in r.stdout.splitlines()


def test_a_device_with_a_filesystem_is_refused_without_force(tmp_path, loops):
    (a, _), (b, _) = loops(), loops()
    sh("mkfs.ext4", "-q", "-L", "precious", a)
    uuid = sh("blkid", "-p", "-s", "UUID", "-o", "value", a)
    r = raid1(tmp_path, "--devices", f"{a},{b}", "--mount", str(tmp_path / "backups"))
    assert r.returncode == 1
    assert r.stderr.splitlines() == [f"swiftsync: {a} has an ext4 filesystem (UUID={uuid}, LABEL=precious); use --force to overwrite it"]
    assert sh("blkid", "-p", "-s", "UUID", "-o", "value", a) == uuid, "untouched"
    assert not (tmp_path / "backups").exists() and not (tmp_path / "fstab").exists()

    r = raid1(tmp_path, "--devices", f"{a},{b}", "--mount", str(tmp_path / "backups"), "--force", "--dry-run")
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    assert lines[2:5] == [f"would run: wipefs -a {a}",
                          f"would run: mdadm --create /dev/md0 --level=1 --raid-devices=2 --metadata=1.2 --run {a} {b}",
                          "would run: mkfs.ext4 -F /dev/md0"], lines


def test_devices_in_use_are_refused_even_with_force(tmp_path, loops):
    (a, _), (b, image) = loops(), loops()
    sh("mkfs.ext4", "-q", a)
    mounted = tmp_path / "mounted"
    mounted.mkdir()
    sh("mount", a, str(mounted))
    try:
        r = raid1(tmp_path, "--devices", f"{a},{b}", "--mount", str(tmp_path / "backups"), "--force", "--dry-run")
        assert r.returncode == 1
        assert r.stderr.splitlines() == [f"swiftsync: {a} is mounted at {mounted}"]
    finally:
        sh("umount", str(mounted))
    cases = [
        ([f"{image},{a}"], f"swiftsync: {image} is not a block device (it is a regular file)"),
        ([f"{a},{a}"], f"swiftsync: --devices names {a} twice"),
        ([f"{a}"], "swiftsync: --devices takes exactly two devices (A,B), got 1"),
        ([f"{a},/dev/does-not-exist"], "swiftsync: /dev/does-not-exist does not exist"),
    ]
    for devices, message in cases:
        r = raid1(tmp_path, "--devices", *devices, "--mount", str(tmp_path / "backups"), "--dry-run")
        assert r.returncode == 1 and r.stderr.splitlines() == [message], (devices, r.stderr)
    r = subprocess.run([SWIFTSYNC, "raid1", "create", "--devices", f"{a},{b}"], capture_output=True, text=True)
    assert r.returncode == 1
    assert r.stderr.splitlines() == ["swiftsync: Missing expected argument '--mount <DIR>' (see swiftsync raid1 create --help)"]
