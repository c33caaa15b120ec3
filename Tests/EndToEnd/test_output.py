"""What swiftsync prints: --stats (numbers equal to rsync's), -q, -v, --progress,
--info=progress2 (plain lines when stdout is not a terminal), and --json (swiftsync only)."""
import json
import os
import re
import stat

import pytest

from helpers import (SEC, T0, assert_ok, describe, fix_dir_times, iter_tree, make_odd_tree,
                     make_small_tree, regular_files, run_mktree, run_rsync, run_swiftsync,
                     symlink, trees_equal, write_file)

STATS_LINES = ["Number of files", "Number of regular files transferred", "Total file size",
               "Total transferred file size", "Literal data", "Matched data"]

NUM = re.compile(rb"\d{1,3}(?:,\d{3})+(?!\d)|\d+(?:\.\d+)?")


def _num(b):
    return int(b.replace(b",", b"")) if b"." not in b else float(b)


def parse_stats(out):
    """{line name: value}; "Number of files" -> {"total": N, "reg": .., "dir": .., ...}."""
    res = {}
    for line in out.split(b"\n"):
        for name in STATS_LINES:
            prefix = name.encode() + b":"
            if line.startswith(prefix):
                rest = line[len(prefix):]
                if name == "Number of files":
                    m = re.match(rb"\s*(\S+)", rest)
                    d = {"total": _num(m.group(1))}
                    for k, v in re.findall(rb"(\w+):\s*(\d{1,3}(?:,\d{3})+(?!\d)|\d+)", rest):
                        d[k.decode()] = _num(v)
                    res[name] = d
                else:
                    m = NUM.search(rest)
                    res[name] = _num(m.group(0)) if m else None
    return res


def build_world(base, *, odd=False):
    if odd:
        make_odd_tree(base / "src", big=False)
    else:
        run_mktree("small", base / "src", "--files", "400", "--seed", "11")
        fix_dir_times(base / "src")


def stats_pair(tmp_path, args, *, odd=False, prepare=None, between=None):
    """Run `X -a --stats ARGS src/ dst/` with rsync in world A and swiftsync in world B."""
    out = []
    for who, runner in (("rsync", run_rsync), ("swiftsync", run_swiftsync)):
        base = tmp_path / who
        if not base.exists():
            base.mkdir()
            build_world(base, odd=odd)
            if prepare:
                prepare(base)
        cp = runner(["-a", "--stats", *args, "src/", "dst/"], cwd=base)
        out.append(cp)
    cp_r, cp_s = out
    assert cp_r.returncode == 0, describe(cp_r)
    assert cp_s.returncode == 0, describe(cp_s)
    return parse_stats(cp_r.stdout), parse_stats(cp_s.stdout), cp_s


def assert_stats_equal(sr, ss, cp_s):
    missing = [n for n in STATS_LINES if n not in ss]
    assert not missing, f"--stats output lacks {missing}\n" + describe(cp_s)
    assert set(sr) == set(STATS_LINES), f"oracle output not understood: {sr}"
    diffs = {n: (sr[n], ss[n]) for n in STATS_LINES if sr[n] != ss[n]}
    assert not diffs, f"--stats values differ (rsync, swiftsync): {diffs}\n" + describe(cp_s)


@pytest.mark.parametrize("odd", [False, True], ids=["mktree", "odd-tree"])
@pytest.mark.parametrize("extra", [[], ["-H"]], ids=["plain", "H"])
def test_stats_fresh_and_noop(tmp_path, odd, extra):
    sr, ss, cp = stats_pair(tmp_path, extra, odd=odd)
    assert_stats_equal(sr, ss, cp)
    assert sr["Number of regular files transferred"] > 0
    sr, ss, cp = stats_pair(tmp_path, extra, odd=odd)  # second run: a no-op
    assert_stats_equal(sr, ss, cp)
    assert sr["Number of regular files transferred"] == 0


def test_stats_after_changes_and_deletes(tmp_path):
    def prepare(base):
        assert_ok(run_rsync(["-a", "src/", "dst/"], cwd=base))
        run_mktree("touch", base / "src", "--fraction", "0.05", "--seed", "5")
        # make the touched tree deterministic in time
        for i, (rel, p, st) in enumerate(sorted(iter_tree(base / "src"))):
            if not stat.S_ISDIR(st.st_mode):
                os.utime(p, ns=(T0, T0 + i * SEC), follow_symlinks=False)
        fix_dir_times(base / "src", T0 + 5000 * SEC)
    sr, ss, cp = stats_pair(tmp_path, ["--delete"], prepare=prepare)
    assert_stats_equal(sr, ss, cp)
    assert sr["Number of regular files transferred"] > 0


@pytest.mark.parametrize("extra", [["-n"], ["-c"], ["-I"], ["--size-only"],
                                   ["--exclude=*.dat"], ["--max-size=10k"]], ids=" ".join)
def test_stats_with_options(tmp_path, extra):
    sr, ss, cp = stats_pair(tmp_path, extra)
    assert_stats_equal(sr, ss, cp)


def test_stats_human_readable_numbers_parse(tmp_path):
    """rsync prints thousands separators (1,234,567); swiftsync's figures must parse to the
    same values whatever grouping it uses (this parser accepts both)."""
    sr, ss, cp = stats_pair(tmp_path, [])
    assert sr["Total file size"] > 1000
    assert ss["Total file size"] == sr["Total file size"]


# --------------------------------------------------------------------------------------------
# -q / -v


def test_quiet_prints_nothing(tmp_path):
    make_small_tree(tmp_path / "src")
    for _ in range(2):  # fresh, then no-op
        cp = run_swiftsync(["-a", "-q", "src/", "dst/"], cwd=tmp_path)
        assert cp.returncode == 0, describe(cp)
        assert cp.stdout == b"" and cp.stderr == b"", describe(cp)
    trees_equal(tmp_path / "src", tmp_path / "dst")


def test_quiet_with_delete_prints_nothing(tmp_path):
    make_small_tree(tmp_path / "src")
    write_file(tmp_path / "dst" / "extra", b"x")
    cp = run_swiftsync(["-a", "-q", "--delete", "src/", "dst/"], cwd=tmp_path)
    assert cp.returncode == 0 and cp.stdout == b"" and cp.stderr == b"", describe(cp)


def test_quiet_still_reports_errors(tmp_path):
    make_small_tree(tmp_path / "src")
    cp = run_swiftsync(["-a", "-q", "src/", "missing-src", "dst/"], cwd=tmp_path)
    assert cp.returncode == 23, describe(cp)
    assert b"missing-src" in cp.stderr, describe(cp)


def test_default_prints_nothing(tmp_path):
    make_small_tree(tmp_path / "src")
    cp = run_swiftsync(["-a", "src/", "dst/"], cwd=tmp_path)
    assert cp.returncode == 0 and cp.stdout == b"" and cp.stderr == b"", describe(cp)


def test_verbose_lists_what_rsync_lists(tmp_path):
    """-v names every transferred file; the name lines are rsync's (only the byte-count
    summary at the end is implementation specific)."""
    outs = {}
    for who, runner in (("rsync", run_rsync), ("swiftsync", run_swiftsync)):
        (tmp_path / who).mkdir()
        make_small_tree(tmp_path / who / "src")
        outs[who] = assert_ok(runner(["-a", "-v", "src/", "dst/"], cwd=tmp_path / who))
    out = set(outs["swiftsync"].stdout.split(b"\n"))
    for rel in regular_files(tmp_path / "swiftsync" / "src"):
        assert rel in out, f"-v should list {rel!r}\n" + describe(outs["swiftsync"])
    names_r = {l for l in outs["rsync"].stdout.split(b"\n")
               if l and not l.startswith((b"sent ", b"total size", b"sending "))}
    assert names_r <= out, f"rsync -v also lists {sorted(names_r - out)}\n" + \
        describe(outs["swiftsync"])


# --------------------------------------------------------------------------------------------
# progress (stdout is a pipe here, not a terminal)

ANSI = re.compile(rb"\x1b\[")


def _chunks(out):
    return [c for c in re.split(rb"[\r\n]", out) if c.strip()]


def _assert_plain(cp):
    assert not ANSI.search(cp.stdout), "escape sequences on a non-terminal\n" + describe(cp)
    for c in _chunks(cp.stdout):
        assert all(32 <= ch < 127 or ch == 9 or ch >= 128 for ch in c), \
            f"non-printable bytes in {c!r}"
    assert cp.stdout.endswith(b"\n"), "output should end with a complete line\n" + describe(cp)


def _progress_world(tmp_path):
    src = tmp_path / "src"
    make_small_tree(src)
    write_file(src / "bigger.bin", os.urandom(3 * 1024 * 1024), mtime_ns=T0)
    fix_dir_times(src)
    return src


def test_progress_plain_lines(tmp_path):
    src = _progress_world(tmp_path)
    cp = run_swiftsync(["-a", "--progress", "src/", "dst/"], cwd=tmp_path)
    assert_ok(cp)
    _assert_plain(cp)
    chunks = _chunks(cp.stdout)
    for rel in regular_files(src):
        assert any(c.strip() == rel for c in chunks), f"--progress should name {rel!r}\n" + describe(cp)
    assert any(b"100%" in c for c in chunks), describe(cp)
    trees_equal(src, tmp_path / "dst")


def test_progress_noop(tmp_path):
    src = _progress_world(tmp_path)
    assert_ok(run_swiftsync(["-a", "src/", "dst/"], cwd=tmp_path))
    cp = run_swiftsync(["-a", "--progress", "src/", "dst/"], cwd=tmp_path)
    assert_ok(cp)
    assert not ANSI.search(cp.stdout)


def test_info_progress2_plain_lines(tmp_path):
    src = _progress_world(tmp_path)
    cp = run_swiftsync(["-a", "--info=progress2", "src/", "dst/"], cwd=tmp_path)
    assert_ok(cp)
    _assert_plain(cp)
    assert any(b"%" in c for c in _chunks(cp.stdout)), describe(cp)
    trees_equal(src, tmp_path / "dst")
    cp = run_swiftsync(["-a", "--info=progress2", "src/", "dst/"], cwd=tmp_path)
    assert_ok(cp)
    assert not ANSI.search(cp.stdout)


def test_progress_with_stats_and_human_readable(tmp_path):
    src = _progress_world(tmp_path)
    cp = run_swiftsync(["-a", "-h", "--progress", "--stats", "src/", "dst/"], cwd=tmp_path)
    assert_ok(cp)
    assert not ANSI.search(cp.stdout)
    for name in STATS_LINES:
        assert name.encode() + b":" in cp.stdout, name


# --------------------------------------------------------------------------------------------
# --json (swiftsync only)

JSON_KEYS = ["exit_code", "elapsed_seconds", "files", "regular_files_transferred",
             "total_file_size", "total_transferred_size", "literal_data", "matched_data",
             "deleted", "throughput_bytes_per_second"]


def _json(cp):
    try:
        obj = json.loads(cp.stdout)
    except ValueError as e:
        pytest.fail(f"stdout is not one JSON object ({e})\n" + describe(cp))
    assert isinstance(obj, dict), "stdout must be a JSON object\n" + describe(cp)
    missing = [k for k in JSON_KEYS if k not in obj]
    assert not missing, f"--json lacks keys {missing}\n" + describe(cp)
    for k in JSON_KEYS:
        assert isinstance(obj[k], (int, float)) and not isinstance(obj[k], bool), \
            f"{k} should be a number: {obj[k]!r}"
        assert obj[k] >= 0, f"{k} is negative: {obj[k]!r}"
    return obj


def _plain_tree(root):
    """Regular files and directories only, so sizes are unambiguous."""
    for i in range(30):
        write_file(root / f"d{i % 4}" / f"f{i:02d}", os.urandom(i * 1000 + 1), mtime_ns=T0 + i)
    write_file(root / "empty", b"", mtime_ns=T0)
    os.makedirs(root / "emptydir")
    fix_dir_times(root)


@pytest.mark.swiftsync_only
def test_json_fresh_copy(tmp_path):
    src = tmp_path / "src"
    _plain_tree(src)
    sizes = regular_files(src)
    cp = run_swiftsync(["-a", "--json", "src/", "dst/"], cwd=tmp_path)
    assert cp.returncode == 0, describe(cp)
    j = _json(cp)
    entries = sum(1 for _ in iter_tree(src))  # including the top directory
    assert j["exit_code"] == 0
    assert len(sizes) <= j["files"] <= entries, j
    assert j["regular_files_transferred"] == len(sizes), j
    assert j["total_file_size"] == sum(sizes.values()), j
    assert j["total_transferred_size"] == sum(sizes.values()), j
    assert j["literal_data"] + j["matched_data"] == j["total_transferred_size"], j
    assert j["deleted"] == 0
    assert j["elapsed_seconds"] > 0
    if j["elapsed_seconds"] > 0:
        rate = j["total_transferred_size"] / j["elapsed_seconds"]
        assert j["throughput_bytes_per_second"] == pytest.approx(rate, rel=0.25, abs=1), j
    trees_equal(src, tmp_path / "dst")


@pytest.mark.swiftsync_only
def test_json_second_run_transfers_nothing(tmp_path):
    src = tmp_path / "src"
    _plain_tree(src)
    assert_ok(run_swiftsync(["-a", "src/", "dst/"], cwd=tmp_path))
    j = _json(assert_ok(run_swiftsync(["-a", "--json", "src/", "dst/"], cwd=tmp_path)))
    assert j["exit_code"] == 0
    assert j["regular_files_transferred"] == 0, j
    assert j["total_transferred_size"] == 0 and j["literal_data"] == 0, j
    assert j["total_file_size"] == sum(regular_files(src).values()), j
    assert j["deleted"] == 0


@pytest.mark.swiftsync_only
def test_json_matches_rsync_stats(tmp_path):
    """The JSON counts agree with rsync's --stats for the same run (odd tree: symlinks,
    devices, hard links)."""
    for who in ("rsync", "swiftsync"):
        (tmp_path / who).mkdir()
        build_world(tmp_path / who, odd=True)
    cp_r = assert_ok(run_rsync(["-a", "-H", "--stats", "src/", "dst/"], cwd=tmp_path / "rsync"))
    cp_s = assert_ok(run_swiftsync(["-a", "-H", "--json", "src/", "dst/"], cwd=tmp_path / "swiftsync"))
    sr, j = parse_stats(cp_r.stdout), _json(cp_s)
    assert j["files"] == sr["Number of files"]["total"], (j, sr)
    assert j["regular_files_transferred"] == sr["Number of regular files transferred"], (j, sr)
    assert j["total_file_size"] == sr["Total file size"], (j, sr)
    assert j["total_transferred_size"] == sr["Total transferred file size"], (j, sr)
    assert j["literal_data"] == sr["Literal data"] and j["matched_data"] == sr["Matched data"]


@pytest.mark.swiftsync_only
def test_json_counts_deletions(tmp_path):
    got = {}
    for who, runner in (("rsync", run_rsync), ("swiftsync", run_swiftsync)):
        base = tmp_path / who
        _plain_tree(base / "src")
        assert_ok(run_rsync(["-a", "src/", "dst/"], cwd=base))
        for name in ("x1", "x2", "x3"):
            write_file(base / "dst" / "gone" / name, b"x")
        write_file(base / "dst" / "x4", b"x")
        symlink("x4", base / "dst" / "x5")
        flag = "--stats" if who == "rsync" else "--json"
        got[who] = assert_ok(runner(["-a", "--delete", flag, "src/", "dst/"], cwd=base))
    j = _json(got["swiftsync"])
    m = re.search(rb"Number of deleted files: (\d+)", got["rsync"].stdout)
    assert j["deleted"] == int(m.group(1)) == 6, j  # 5 files + 1 directory
    assert j["regular_files_transferred"] == 0


@pytest.mark.swiftsync_only
def test_json_partial_transfer_exit_code(tmp_path):
    src = tmp_path / "src"
    _plain_tree(src)
    cp = run_swiftsync(["-a", "--json", "src/", "no-such-source", "dst/"], cwd=tmp_path)
    assert cp.returncode == 23, describe(cp)
    j = _json(cp)
    assert j["exit_code"] == 23
    assert b"no-such-source" in cp.stderr


@pytest.mark.swiftsync_only
def test_json_max_delete_exit_code(tmp_path):
    src = tmp_path / "src"
    _plain_tree(src)
    for i in range(4):
        write_file(tmp_path / "dst" / f"extra{i}", b"x")
    cp = run_swiftsync(["-a", "--json", "--delete", "--max-delete=1", "src/", "dst/"],
                       cwd=tmp_path)
    assert cp.returncode == 25, describe(cp)
    j = _json(cp)
    assert j["exit_code"] == 25 and j["deleted"] == 1, j


@pytest.mark.swiftsync_only
def test_json_dry_run(tmp_path):
    src = tmp_path / "src"
    _plain_tree(src)
    j = _json(assert_ok(run_swiftsync(["-a", "-n", "--json", "src/", "dst/"], cwd=tmp_path)))
    assert j["regular_files_transferred"] == len(regular_files(src))
    assert not (tmp_path / "dst").exists()


@pytest.mark.swiftsync_only
def test_json_with_jobs_and_walkers(tmp_path):
    src = tmp_path / "src"
    run_mktree("small", src, "--files", "500", "--seed", "2")
    j = _json(assert_ok(run_swiftsync(["-a", "--jobs", "4", "--walkers", "2", "--json",
                                       "src/", "dst/"], cwd=tmp_path)))
    assert j["regular_files_transferred"] == len(regular_files(src))
    trees_equal(src, tmp_path / "dst")
