"""An S3 object `d` next to keys under `d/` (issue 13, item 12): S3 holds both, a local tree
cannot. Such a name is a conflict: reported (exit 23, one line naming the key) and left as it
is on both sides, run after run, instead of flipping between a file and a directory."""
import os
import subprocess

import pytest

from s3_support import ENV, keys, ours

pytestmark = pytest.mark.swiftsync_only


def put(moto, bucket, key, body=b"x"):
    subprocess.run(["aws", "--endpoint-url", moto, "s3", "cp", "-", f"s3://{bucket}/{key}"], input=body, env=ENV,
                   check=True, capture_output=True, timeout=60)


def state(root):
    """Every path below root with its kind and, for files, its bytes."""
    out = {}
    for d, dirs, files in os.walk(root):
        for n in dirs:
            out[os.path.relpath(os.path.join(d, n), root)] = "dir"
        for n in files:
            with open(os.path.join(d, n), "rb") as f:
                out[os.path.relpath(os.path.join(d, n), root)] = f.read()
    return out


def conflict_lines(result, name):
    return [l for l in result.stderr.decode().splitlines() if name in l and "conflict" in l]


@pytest.mark.parametrize("delete", [[], ["--delete"]])
def test_download_of_an_object_and_a_prefix_of_the_same_name_is_a_stable_conflict(tmp_path, moto, bucket, delete):
    put(moto, bucket, "c/d", b"the object d\n")
    put(moto, bucket, "c/d/x", b"a key under d/\n")
    put(moto, bucket, "c/other", b"unrelated\n")
    dst = tmp_path / "dst"
    seen = []
    for run in range(3):
        r = ours(moto, "-a", *delete, f"s3://{bucket}/c/", f"{dst}/")
        assert r.returncode == 23, r.stderr
        assert len(conflict_lines(r, f"s3://{bucket}/c/d")) == 1, r.stderr
        seen.append(state(dst))
    assert seen[0] == seen[1] == seen[2], "nothing flips between runs"
    assert seen[0]["other"] == b"unrelated\n", "the rest is synced"
    assert "d" not in seen[0], "neither the object nor the prefix is taken"
    assert keys(moto, bucket, "c/") == ["c/d", "c/d/x", "c/other"]


def test_download_leaves_what_the_destination_has_at_a_conflicting_name(tmp_path, moto, bucket):
    put(moto, bucket, "k/d", b"object\n")
    put(moto, bucket, "k/d/x", b"under\n")
    for local in ("file", "dir"):
        dst = tmp_path / local
        dst.mkdir()
        if local == "file":
            (dst / "d").write_bytes(b"mine\n")
        else:
            (dst / "d").mkdir()
            (dst / "d" / "y").write_bytes(b"mine too\n")
        before = state(dst)
        r = ours(moto, "-a", "--delete", f"s3://{bucket}/k/", f"{dst}/")
        assert r.returncode == 23 and conflict_lines(r, f"s3://{bucket}/k/d"), r.stderr
        assert state(dst) == before


@pytest.mark.parametrize("delete", [False, True])
def test_upload_next_to_an_object_named_like_a_local_directory(tmp_path, moto, bucket, delete):
    """S3 can hold an object `d` and keys under `d/` at once, so an upload has no conflict: the
    local directory goes under `d/`, and the object `d` stays unless --delete removes it, as it
    would a file `d` the source no longer has (the one engine's merge, issue 14)."""
    src = tmp_path / "src"
    (src / "d").mkdir(parents=True)
    (src / "d" / "x").write_bytes(b"local under d\n")
    (src / "e").write_bytes(b"local file e\n")
    put(moto, bucket, "u/d", b"object d\n")
    put(moto, bucket, "u/e/z", b"a key under e/\n")
    expected = ["u/d/x", "u/e"] if delete else ["u/d", "u/d/x", "u/e", "u/e/z"]
    for run in range(2):
        r = ours(moto, "-a", "-i", *(["--delete"] if delete else []), f"{src}/", f"s3://{bucket}/u/")
        assert r.returncode == 0, r.stderr
        assert keys(moto, bucket, "u/") == expected
        if run == 1:
            assert r.stdout == b"", "the second run has nothing to do"
