"""`swiftsync ebs` against moto_server's EC2 API, through fault_proxy.py (which checks every
request's SigV4 signature with botocore), with the aws CLI as the oracle."""
import json
import subprocess

import pytest

import ec2_support
from helpers import SWIFTSYNC

pytestmark = pytest.mark.swiftsync_only


@pytest.fixture
def instance(moto):
    """A fresh instance (so volumes of other tests do not count) and metadata naming it."""
    instance_id, zone = ec2_support.run_instance(moto)
    metadata = ec2_support.Metadata(instance_id, zone)
    yield instance_id, zone, metadata
    metadata.close()


def ebs(url, *args, env):
    """`swiftsync ebs ARGS --endpoint-url URL` (swiftsync hands ebs over to swiftsync-s3)."""
    return subprocess.run([SWIFTSYNC, "ebs", *args, "--endpoint-url", url], env=env, capture_output=True, timeout=300)


def attached_to(moto, instance_id):
    volumes = ec2_support.describe_volumes(moto, f"attachment.instance-id={instance_id}")
    return {a["Device"]: v for v in volumes for a in v["Attachments"] if a["InstanceId"] == instance_id}


def assert_signed_correctly(log):
    lines = log()
    assert lines and not [line for line in lines if line.endswith("sigv4-mismatch")], lines


def test_create_two_volumes_for_the_instance_from_metadata_then_rerun_changes_nothing(moto, instance):
    instance_id, zone, metadata = instance
    env = ec2_support.environment(metadata)
    with ec2_support.proxy(moto) as (url, log):
        r = ebs(url, "create-volumes", "--count", "2", "--size", "10", "--tag", "Name=backups", "--json", env=env)
        assert r.returncode == 0, r.stderr.decode()
        result = json.loads(r.stdout)
        assert result["instance_id"] == instance_id and result["availability_zone"] == zone
        assert [(v["device"], v["size_gib"], v["type"], v["created"]) for v in result["volumes"]] == [
            ("/dev/sdf", 10, "gp3", True), ("/dev/sdg", 10, "gp3", True)]
        steps = r.stderr.decode()
        assert "asking instance metadata" in steps and "attaching vol-" in steps, steps
        assert_signed_correctly(log)
    # IMDSv2: a token first, and every read carries it.
    assert metadata.requests[0] == ("PUT", "/latest/api/token", None)
    assert ("GET", "/latest/meta-data/instance-id", ec2_support.Metadata.TOKEN) in metadata.requests

    # The oracle: the aws CLI sees both volumes attached where we said.
    attached = attached_to(moto, instance_id)
    mapping = {v["device"]: v["volume_id"] for v in result["volumes"]}
    for device, volume_id in mapping.items():
        volume = attached[device]
        assert volume["VolumeId"] == volume_id
        assert (volume["Size"], volume["VolumeType"], volume["State"]) == (10, "gp3", "in-use")
        assert volume["Attachments"][0]["State"] == "attached"
        tags = {t["Key"]: t["Value"] for t in volume["Tags"]}
        assert tags["Name"] == "backups" and tags["swiftsync:device"] == device and tags["swiftsync:instance"] == instance_id
        assert len(tags["swiftsync:spec"]) == 32

    # A re-run finds the same volumes: nothing is created or attached.
    with ec2_support.proxy(moto) as (url, log):
        r = ebs(url, "create-volumes", "--count", "2", "--size", "10", "--tag", "Name=backups", "--instance-id", instance_id, env=env)
        assert r.returncode == 0, r.stderr.decode()
        out = r.stdout.decode().splitlines()
        lines = out[-2:]
        assert [line.split()[:2] for line in lines] == [[d, v] for d, v in mapping.items()], out
        assert all(line.endswith("existing") for line in lines), out
        assert f"ok: {mapping['/dev/sdf']} (from an earlier run) is attached to {instance_id} as /dev/sdf" in out, out
        requests = log()
        assert not [line for line in requests if " CreateVolume " in line or " AttachVolume " in line], requests
        assert not [line for line in requests if line.endswith("sigv4-mismatch")], requests
    assert len(ec2_support.describe_volumes(moto, f"tag:swiftsync:instance={instance_id}")) == 2

    # ebs list shows them, as text and JSON.
    r = ebs(moto, "list", "--instance-id", instance_id, "--json", env=env)
    assert r.returncode == 0, r.stderr.decode()
    listed = {v["device"]: (v["volume_id"], v["made_by_swiftsync"]) for v in json.loads(r.stdout)["volumes"]}
    assert {d: listed[d] for d in mapping} == {d: (v, True) for d, v in mapping.items()}
    r = ebs(moto, "list", "--instance-id", instance_id, env=env)
    assert any(line.startswith("/dev/sdf ") and mapping["/dev/sdf"] in line for line in r.stdout.decode().splitlines()), r.stdout


def test_failure_on_the_second_attach_rolls_back_the_first_volume(moto, instance):
    instance_id, _, metadata = instance
    env = ec2_support.environment(metadata)
    with ec2_support.proxy(moto, "action=AttachVolume:ok,ec2:400:AttachmentLimitExceeded") as (url, log):
        r = ebs(url, "create-volumes", "--count", "2", "--size", "12", env=env)
        requests = log()
    assert r.returncode == 11, (r.returncode, r.stderr.decode())
    err = r.stderr.decode().strip().splitlines()
    assert err[-1].startswith("swiftsync: AttachVolume failed: HTTP 400 AttachmentLimitExceeded: injected by fault_proxy; rolled back: deleted vol-"), err
    assert "detached vol-" in err[-1] and err[-1].count("deleted vol-") == 2, err[-1]
    assert len([line for line in requests if line.endswith("AttachVolume ok")]) == 1, requests
    assert [line for line in requests if " DetachVolume " in line] and len([line for line in requests if " DeleteVolume " in line]) == 2
    # Nothing this run made is left: no volume attached to the instance but its root, none tagged for it.
    assert ec2_support.describe_volumes(moto, f"tag:swiftsync:instance={instance_id}") == []
    assert "/dev/sdf" not in attached_to(moto, instance_id)


def test_keep_on_failure_keeps_what_was_created(moto, instance):
    instance_id, _, metadata = instance
    env = ec2_support.environment(metadata)
    with ec2_support.proxy(moto, "action=AttachVolume:ok,ec2:400:AttachmentLimitExceeded") as (url, _):
        r = ebs(url, "create-volumes", "--count", "2", "--size", "12", "--keep-on-failure", env=env)
    assert r.returncode == 11
    assert "as --keep-on-failure asks" in r.stderr.decode()
    kept = ec2_support.describe_volumes(moto, f"tag:swiftsync:instance={instance_id}")
    assert sorted(v["State"] for v in kept) == ["available", "in-use"]


def test_errors_are_one_line_and_change_nothing(moto, instance):
    instance_id, _, metadata = instance
    env = ec2_support.environment(metadata)
    cases = [
        (["create-volumes", "--size", "0"], 1, "swiftsync: --size 0 is out of range for gp3: 1-16384 GiB"),
        (["create-volumes", "--size", "10", "--type", "io2"], 1, "swiftsync: io2 volumes need --iops"),
        (["create-volumes", "--size", "10", "--tag", "aws:x=1"], 1, "swiftsync: --tag aws:x: the aws: and swiftsync: prefixes are reserved"),
        (["create-volumes", "--size", "10", "--instance-id", "i-0000000000000dead"], 11,
         "swiftsync: DescribeInstances failed: HTTP 400 InvalidInstanceID.NotFound"),
        (["create-volumes", "--size", "10", "--availability-zone", "us-east-1z"], 1, "swiftsync: --availability-zone us-east-1z is not the instance's zone"),
        (["create-volumes"], 1, "swiftsync: Missing expected argument '--size <GIB>' (see swiftsync ebs create-volumes --help)"),
    ]
    for args, code, message in cases:
        r = ebs(moto, *args, env=env)
        err = r.stderr.decode().strip().splitlines()
        assert r.returncode == code and len(err) == 1 and err[0].startswith(message), (args, r.returncode, err)
    r = ebs("http://127.0.0.1:9", "list", "--instance-id", instance_id, "--retries", "0", env=env)
    assert r.returncode == 10 and r.stderr.decode().startswith("swiftsync: DescribeVolumes failed: no answer from 127.0.0.1:9"), r.stderr
    assert ec2_support.describe_volumes(moto, f"tag:swiftsync:instance={instance_id}") == []


def test_without_metadata_the_instance_id_must_be_given(moto):
    r = ebs(moto, "create-volumes", "--size", "10", env=ec2_support.environment())
    assert r.returncode == 1
    assert r.stderr.decode().strip() == "swiftsync: no --instance-id, and instance metadata is disabled (AWS_EC2_METADATA_DISABLED): give --instance-id"
