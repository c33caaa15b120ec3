"""`swiftsync s3 lifecycle put|get|delete` against moto_server, with the aws CLI as the oracle:
after a put, `aws s3api get-bucket-lifecycle-configuration` shows the rule as given; rules
with other ids (put by the aws CLI) are kept as they were; delete removes only its rule; a
rule S3 would refuse is refused before any request."""
import json

import pytest

from s3_support import aws, free_port, ours_command

pytestmark = pytest.mark.swiftsync_only

THEIRS = {"ID": "theirs", "Filter": {"And": {"Prefix": "tmp/", "Tags": [{"Key": "class", "Value": "scratch"}]}},
          "Status": "Enabled", "Expiration": {"Days": 3},
          "NoncurrentVersionTransitions": [{"NoncurrentDays": 10, "StorageClass": "GLACIER"}]}


def rules(moto, bucket):
    """The bucket's rules as the aws CLI reads them ([] when it has no configuration)."""
    r = aws(moto, "s3api", "get-bucket-lifecycle-configuration", "--bucket", bucket, check=False)
    if r.returncode != 0:
        assert b"NoSuchLifecycleConfiguration" in r.stderr, r.stderr
        return []
    return json.loads(r.stdout)["Rules"]


def by_id(moto, bucket):
    return {rule["ID"]: rule for rule in rules(moto, bucket)}


def lifecycle(moto, *args):
    return ours_command(moto, "s3", "lifecycle", *args)


def put_theirs(moto, bucket):
    aws(moto, "s3api", "put-bucket-lifecycle-configuration", "--bucket", bucket,
        "--lifecycle-configuration", json.dumps({"Rules": [THEIRS]}))


def test_put_shows_the_glacier_transition_to_the_aws_cli(moto, bucket):
    r = lifecycle(moto, "put", f"s3://{bucket}", "--prefix", "host/", "--id", "archive", "--glacier-after", "30",
                  "--deep-archive-after", "180", "--expire-after", "730", "--abort-incomplete-after", "7")
    assert r.returncode == 0, r.stderr
    assert r.stdout.decode().startswith(f"added lifecycle rule archive on s3://{bucket}: GLACIER after 30 d")
    assert by_id(moto, bucket) == {"archive": {
        "ID": "archive", "Filter": {"Prefix": "host/"}, "Status": "Enabled",
        "Transitions": [{"Days": 30, "StorageClass": "GLACIER"}, {"Days": 180, "StorageClass": "DEEP_ARCHIVE"}],
        "Expiration": {"Days": 730}, "AbortIncompleteMultipartUpload": {"DaysAfterInitiation": 7}}}


def test_other_rules_are_kept_and_the_same_id_is_replaced(moto, bucket):
    put_theirs(moto, bucket)
    before = by_id(moto, bucket)["theirs"]
    r = lifecycle(moto, "put", f"s3://{bucket}/logs/", "--glacier-ir-after", "10", "--noncurrent-expire-after", "30")
    assert r.returncode == 0, r.stderr
    now = by_id(moto, bucket)
    assert set(now) == {"theirs", "swiftsync-logs/"}, "the default id comes from the prefix"
    assert now["theirs"] == before
    assert now["swiftsync-logs/"]["Transitions"] == [{"Days": 10, "StorageClass": "GLACIER_IR"}]
    assert now["swiftsync-logs/"]["NoncurrentVersionExpiration"] == {"NoncurrentDays": 30}
    r = lifecycle(moto, "put", f"s3://{bucket}", "--prefix", "logs/", "--glacier-after", "60")
    assert r.returncode == 0 and r.stdout.startswith(b"replaced lifecycle rule swiftsync-logs/"), r
    now = by_id(moto, bucket)
    assert now["theirs"] == before
    assert now["swiftsync-logs/"]["Transitions"] == [{"Days": 60, "StorageClass": "GLACIER"}]
    assert "NoncurrentVersionExpiration" not in now["swiftsync-logs/"], "replaced, not merged into"
    assert [rule["ID"] for rule in rules(moto, bucket)] == ["theirs", "swiftsync-logs/"]


def test_get_prints_a_table_and_the_aws_clis_json(moto, bucket):
    r = lifecycle(moto, "get", f"s3://{bucket}")
    assert r.returncode == 0 and r.stdout.decode().strip() == f"no lifecycle rules on s3://{bucket}", r
    put_theirs(moto, bucket)
    assert lifecycle(moto, "put", f"s3://{bucket}", "--glacier-after", "30").returncode == 0
    table = lifecycle(moto, "get", f"s3://{bucket}").stdout.decode().splitlines()
    assert table[0].split() == ["ID", "STATUS", "APPLIES", "TO", "ACTIONS"]
    assert table[1].split()[:2] == ["theirs", "Enabled"] and "expire after 3 d" in table[1]
    assert table[2].split()[:5] == ["swiftsync", "Enabled", "all", "objects", "GLACIER"]
    r = lifecycle(moto, "get", f"s3://{bucket}", "--json")
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["Rules"] == rules(moto, bucket)


def test_delete_removes_only_its_rule_and_the_last_rule_takes_the_configuration(moto, bucket):
    put_theirs(moto, bucket)
    assert lifecycle(moto, "put", f"s3://{bucket}", "--id", "mine", "--expire-after", "9").returncode == 0
    r = lifecycle(moto, "delete", f"s3://{bucket}", "--id", "mine")
    assert r.returncode == 0 and r.stdout.strip() == f"deleted lifecycle rule mine from s3://{bucket}".encode(), r
    assert list(by_id(moto, bucket)) == ["theirs"] and by_id(moto, bucket)["theirs"]["Expiration"] == {"Days": 3}
    r = lifecycle(moto, "delete", f"s3://{bucket}", "--id", "mine")
    assert r.returncode == 1 and b"has no lifecycle rule mine; nothing was changed" in r.stderr, r
    assert lifecycle(moto, "delete", f"s3://{bucket}", "--id", "theirs").returncode == 0
    assert rules(moto, bucket) == []


INVALID = [
    (["--glacier-after", "90", "--expire-after", "30"], b"--expire-after 30 must be later than --glacier-after 90"),
    (["--glacier-after", "-1"], b"--glacier-after -1: days must not be negative"),
    (["--expire-after=-5"], b"--expire-after -5: days must not be negative"),
    (["--glacier-after", "90", "--deep-archive-after", "30"], b"--deep-archive-after 30 must be later than --glacier-after 90"),
    (["--glacier-ir-after", "40", "--glacier-after", "40"], b"--glacier-after 40 must be later than --glacier-ir-after 40"),
    (["--noncurrent-expire-after", "0"], b"--noncurrent-expire-after 0: must be at least 1 day"),
    (["--abort-incomplete-after", "0"], b"--abort-incomplete-after 0: must be at least 1 day"),
    ([], b"nothing to do"),
]


def test_invalid_rules_are_refused_before_any_request(moto, bucket):
    put_theirs(moto, bucket)
    before = rules(moto, bucket)
    nowhere = f"http://127.0.0.1:{free_port()}"
    for args, message in INVALID:
        r = lifecycle(moto, "put", f"s3://{bucket}", *args)
        assert r.returncode == 1 and message in r.stderr, (args, r)
        # No request at all: against an endpoint where nothing listens the answer is the same
        # usage error, not "no answer" (10).
        r = ours_command(nowhere, "s3", "lifecycle", "put", f"s3://{bucket}", *args, "--retries", "0")
        assert r.returncode == 1 and message in r.stderr, (args, r)
    assert rules(moto, bucket) == before


def test_a_refusal_by_s3_is_rsyncs_code_11(moto):
    r = lifecycle(moto, "get", "s3://no-such-bucket-here")
    assert r.returncode == 11 and b"NoSuchBucket" in r.stderr, r
    r = lifecycle(moto, "put", "s3://no-such-bucket-here", "--expire-after", "1")
    assert r.returncode == 11 and b"NoSuchBucket" in r.stderr, r
