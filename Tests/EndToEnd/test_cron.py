"""`swiftsync cron install|list|remove` in a temporary --cron-dir."""
import json
import os
import subprocess

import pytest

from helpers import SWIFTSYNC

pytestmark = pytest.mark.swiftsync_only


def cron(*args):
    return subprocess.run([SWIFTSYNC, "cron", *args], capture_output=True, text=True, timeout=60)


def test_install_list_remove_round_trip(tmp_path):
    binary = os.path.realpath(SWIFTSYNC)
    d = str(tmp_path)
    r = cron("install", "--name", "nightly", "--schedule", "15 0 * * *", "--cron-dir", d, "--mailto", "ops@example.com",
             "--log", "/var/log/swiftsync-nightly.log", "--", "-a", "--delete", "--exclude=*.tmp", "/data/", "/backups/data/")
    assert r.returncode == 0, r.stderr
    line = (f"15 0 * * * root {binary} --lock /var/lock/swiftsync-nightly.lock --lock-wait 10 -a --delete '--exclude=*.tmp' "
            "/data/ /backups/data/ >>/var/log/swiftsync-nightly.log 2>&1")
    assert r.stdout.splitlines() == [f"writing {d}/nightly", line]
    with open(tmp_path / "nightly") as f:
        assert f.read() == (
            '# swiftsync cron job "nightly": written by `swiftsync cron install`, removed by `swiftsync cron remove --name nightly`.\n'
            "SHELL=/bin/sh\nPATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\nMAILTO=ops@example.com\n" + line + "\n")
    assert os.stat(tmp_path / "nightly").st_mode & 0o777 == 0o644

    r = cron("install", "--name", "nightly", "--schedule", "15 0 * * *", "--cron-dir", d, "--mailto", "ops@example.com",
             "--log", "/var/log/swiftsync-nightly.log", "--", "-a", "--delete", "--exclude=*.tmp", "/data/", "/backups/data/")
    assert r.returncode == 0 and r.stdout.splitlines()[0] == f"{d}/nightly is already up to date: nothing to do"

    # An S3 destination makes swiftsync hand over to swiftsync-s3; the file still names swiftsync.
    r = cron("install", "--name", "to-s3", "--schedule", "@daily", "--cron-dir", d, "--user", "backup", "--lock", "/run/lock/s3.lock",
             "--lock-wait", "60", "--", "-a", "/backups/", "s3://bucket/host/")
    assert r.returncode == 0, r.stderr
    s3_line = f"@daily backup {binary} --lock /run/lock/s3.lock --lock-wait 60 -a /backups/ s3://bucket/host/"
    assert r.stdout.splitlines()[-1] == s3_line

    (tmp_path / "not-ours").write_text("0 * * * * root /bin/true\n")
    r = cron("list", "--cron-dir", d)
    assert r.returncode == 0
    assert r.stdout.splitlines() == [f"nightly: {line}", f"to-s3: {s3_line}"]
    r = cron("list", "--cron-dir", d, "--json")
    jobs = json.loads(r.stdout)["jobs"]
    assert [(j["name"], j["schedule"], j["user"]) for j in jobs] == [("nightly", "15 0 * * *", "root"), ("to-s3", "@daily", "backup")]

    r = cron("remove", "--name", "not-ours", "--cron-dir", d)
    assert r.returncode == 1 and r.stderr.splitlines() == [f"swiftsync: {d}/not-ours was not written by swiftsync: not removing it"]
    for name in ("nightly", "to-s3"):
        r = cron("remove", "--name", name, "--cron-dir", d)
        assert r.returncode == 0 and r.stdout.splitlines() == [f"removing {d}/{name}"], r.stderr
    assert sorted(os.listdir(d)) == ["not-ours"]
    assert cron("list", "--cron-dir", d).stdout.splitlines() == [f"no swiftsync cron jobs in {d}"]
    r = cron("remove", "--name", "nightly", "--cron-dir", d)
    assert r.returncode == 1 and r.stderr.splitlines() == [f"swiftsync: no cron job \"nightly\": {d}/nightly does not exist"]


@pytest.mark.parametrize("schedule, reason", [
    ("15 0 * *", "expected 5 fields (minute hour day-of-month month day-of-week), got 4"),
    ("60 0 * * *", "minute field \"60\": 60 is out of range 0-59"),
    ("15 0 * * 8", "day of week field \"8\": 8 is out of range 0-7"),
    ("*/0 * * * *", "minute field \"*/0\": step \"0\" must be a number from 1 to 60"),
    ("0 0 31-1 * *", "day of month field \"31-1\": range \"31-1\" runs backwards"),
    ("0 0 * smarch *", "month field \"smarch\": \"smarch\" is not a number or a name (jan…dec)"),
    ("@fortnightly", "the @ forms are"),
])
def test_invalid_schedules_are_refused_and_nothing_is_written(tmp_path, schedule, reason):
    r = cron("install", "--name", "x", "--schedule", schedule, "--cron-dir", str(tmp_path), "--", "-a", "/a/", "/b/")
    assert r.returncode == 1
    assert len(r.stderr.splitlines()) == 1 and r.stderr.startswith(f"swiftsync: invalid schedule \"{schedule}\": {reason}"), r.stderr
    assert os.listdir(tmp_path) == []


def test_other_refusals(tmp_path):
    d = str(tmp_path)
    cases = [
        (["--name", "night.ly", "--schedule", "@daily", "--cron-dir", d, "--", "-a", "/a/", "/b/"], "swiftsync: invalid --name \"night.ly\""),
        (["--name", "n", "--schedule", "@daily", "--cron-dir", d], "swiftsync: no sync arguments: give them after --"),
        (["--name", "n", "--schedule", "@daily", "--cron-dir", d, "--", "--lock", "/x", "/a/", "/b/"],
         "swiftsync: --lock belongs to cron install (--lock FILE, --lock-wait SECONDS), not to the sync arguments"),
        (["--name", "n", "--schedule", "@daily", "--cron-dir", d + "/missing", "--", "/a/", "/b/"],
         f"swiftsync: cron directory {d}/missing does not exist (is cron installed?)"),
        (["--schedule", "@daily", "--cron-dir", d, "--", "/a/", "/b/"], "swiftsync: Missing expected argument '--name <NAME>' (see swiftsync cron install --help)"),
    ]
    for args, message in cases:
        r = cron("install", *args)
        assert r.returncode == 1 and len(r.stderr.splitlines()) == 1 and r.stderr.startswith(message), (args, r.stderr)
    assert os.listdir(tmp_path) == []


@pytest.mark.parametrize("secret", [
    ["--secret-key", "S3CR3T-value"], ["--secret-key=S3CR3T-value"], ["--access-key", "AKIAS3CR3T-value"],
    ["--access-key=AKIAS3CR3T-value"], ["--endpoint-url", "https://alice:S3CR3T-value@s3.example.com/"],
    ["--endpoint-url=https://alice:S3CR3T-value@s3.example.com/"],
])
def test_secrets_are_refused_on_a_cron_line(tmp_path, secret):
    """A cron file is world-readable (0644) and `cron list` prints it: a secret never goes in."""
    r = cron("install", "--name", "n", "--schedule", "@daily", "--cron-dir", str(tmp_path), "--", "-a", *secret, "/a/", "s3://b/p/")
    assert r.returncode == 1, r.stderr
    assert len(r.stderr.splitlines()) == 1 and "--profile" in r.stderr and "environment" in r.stderr, r.stderr
    assert "S3CR3T" not in r.stdout + r.stderr
    assert os.listdir(tmp_path) == []


def test_cron_list_never_prints_a_secret_in_an_older_file(tmp_path):
    """A job written before secrets were refused (or by hand) is listed with its secret masked."""
    binary = os.path.realpath(SWIFTSYNC)
    (tmp_path / "old").write_text(
        '# swiftsync cron job "old": written by `swiftsync cron install`, removed by `swiftsync cron remove --name old`.\n'
        f"@daily root {binary} --lock /var/lock/swiftsync-old.lock --lock-wait 10 -a --secret-key S3CR3T-value "
        "--access-key=AKIAS3CR3T '--endpoint-url=https://alice:S3CR3T@h/' /a/ s3://b/p/\n")
    for args in ([], ["--json"]):
        r = cron("list", "--cron-dir", str(tmp_path), *args)
        assert r.returncode == 0, r.stderr
        assert "S3CR3T" not in r.stdout + r.stderr and "--secret-key" in r.stdout, r.stdout
