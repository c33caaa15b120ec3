"""--out-format, --log-file and --log-file-format, and -v's lines, against rsync: the same
world synced by rsync and by swiftsync prints the same lines (and logs the same lines, less
their time and process stamp). %b, %c, %t and %p are left out: rsync counts the bytes of its
wire protocol, which a local swiftsync does not speak, and the time and process differ."""
import re

import pytest

from helpers import SEC, T0, describe, fix_dir_times, run, side_by_side, symlink, write_file, SWIFTSYNC


def changes_world(base):
    """Every kind of line: a new file, a changed one, a mode-only change, an unchanged file, a
    symlink whose time changed, a directory whose time changed, and a file to delete."""
    for side in ("src", "dst"):
        write_file(base / side / "same", b"same\n", mtime_ns=T0)
        write_file(base / side / "chg", b"old\n" if side == "dst" else b"changed\n", mtime_ns=T0 + (0 if side == "dst" else SEC))
        write_file(base / side / "perm", b"p\n", mode=0o644 if side == "dst" else 0o600, mtime_ns=T0)
        write_file(base / side / "x" / "f", b"f\n", mtime_ns=T0)
        symlink("same", base / side / "ln", mtime_ns=T0 + (5 * SEC if side == "dst" else 0))
    write_file(base / "src" / "new", b"new file\n", mtime_ns=T0)
    write_file(base / "src" / "sub" / "deep", b"deep\n", mtime_ns=T0)
    write_file(base / "dst" / "x" / "gone", b"gone\n", mtime_ns=T0)
    fix_dir_times(base / "src")
    fix_dir_times(base / "dst", base_ns=T0 + 90 * SEC)


def item_lines(output):
    """The lines about items: rsync's closing totals (bytes it sent over its wire) and -vv's
    notes on its delta engine left out."""
    return sorted(line for line in output.splitlines()
                  if line and not re.match(rb"(sent \d|total size is |delta-transmission disabled|total: matches=)", line))


FORMATS = ["%n%L", "%i %n%L", "[%o|%n|%l|%B|%U|%G|%M|%L]", "%'-10l|%5n|%''l", "%f", "%C %n", "%n %% %q %u [%m]", "%-14i|%3L"]


@pytest.mark.parametrize("fmt", FORMATS)
def test_out_format_prints_rsyncs_lines(tmp_path, fmt):
    _, r, _, s = side_by_side(tmp_path, ["-a", "--delete", f"--out-format={fmt}"], changes_world)
    assert r.returncode == 0 and s.returncode == 0, describe(r) + describe(s)
    assert item_lines(s.stdout) == item_lines(r.stdout), describe(r) + describe(s)


@pytest.mark.parametrize("args", [
    ["-v"], ["-vv"], ["-i"], ["-ii"], ["-v", "--out-format=[%n]"], ["-i", "--out-format=%n"], ["-v", "--out-format=%i %n"],
    ["-q", "--out-format=%n"], ["-vq"], ["-qi"], ["-ivv"], ["-vv", "--out-format=%n"], ["-v", "--log-format=<%n>"], ["-n", "-v"], ["-n", "--out-format=%o %n"],
], ids=lambda a: " ".join(a))
def test_verbose_itemize_and_out_format_together_print_rsyncs_lines(tmp_path, args):
    # Which lines a format shows depends on whether it shows %i, and -v's deletions read
    # "deleting NAME" unless the format itemizes; -v starts with "sending incremental file list".
    _, r, _, s = side_by_side(tmp_path, ["-a", "--delete", *args], changes_world)
    assert r.returncode == 0 and s.returncode == 0, describe(r) + describe(s)
    assert item_lines(s.stdout) == item_lines(r.stdout), describe(r) + describe(s)
    if "-v" in args and "-q" not in args and "-vq" not in args:
        assert s.stdout.splitlines()[0] == r.stdout.splitlines()[0] == b"sending incremental file list"


STAMP = re.compile(rb"^\d{4}/\d\d/\d\d \d\d:\d\d:\d\d \[(\d+)\] ")


def logged(path):
    """The log file's lines less their stamp, and the process ids the stamps name."""
    lines, pids = [], set()
    for line in path.read_bytes().splitlines():
        m = STAMP.match(line)
        assert m, f"unstamped log line {line!r}"
        pids.add(m.group(1))
        lines.append(line[m.end():])
    return lines, pids


@pytest.mark.parametrize("args", [
    [], ["--log-file-format=%n"], ["--log-file-format=%o %f %l"], ["--log-file-format="], ["-i"], ["-v"], ["-n"],
    ["--log-file-format=%i|%n|%L|%B"], ["--out-format=%n", "--log-file-format=[%i] %C"],
], ids=lambda a: " ".join(a) or "default")
def test_log_file_records_what_rsyncs_does(tmp_path, args):
    _, r, _, s = side_by_side(tmp_path, ["-a", "--delete", "--log-file=run.log", *args], changes_world)
    assert r.returncode == 0 and s.returncode == 0, describe(r) + describe(s)
    r_lines, _ = logged(tmp_path / "rsync" / "run.log")
    s_lines, s_pids = logged(tmp_path / "swiftsync" / "run.log")
    assert len(s_pids) == 1
    # rsync's byte counts are its wire's; the line's shape and the total size are the same.
    def comparable(lines):
        out = []
        for line in lines:
            m = re.match(rb"sent [\d,]+ bytes  received [\d,]+ bytes  total size ([\d,]+)$", line)
            out.append(b"sent N bytes  received N bytes  total size " + m.group(1) if m else line)
        # rsync logs -v's totals too; those lines are -v's, compared by the stdout tests.
        return [line for line in out if not re.match(rb"(sent [\d,]+ bytes .*bytes/sec|total size is )", line)]
    assert comparable(s_lines)[0] == comparable(r_lines)[0] == b"building file list"
    # The run's last line: the byte counts (or -v's totals), numbers aside.
    numbers = re.compile(rb"[\d,.]+")
    assert numbers.sub(b"N", s_lines[-1]) == numbers.sub(b"N", r_lines[-1])
    assert sorted(comparable(s_lines)) == sorted(comparable(r_lines)), describe(r) + describe(s)


def test_a_log_file_is_appended_to_and_keeps_errors(tmp_path):
    write_file(tmp_path / "src" / "a", b"a\n")
    log = tmp_path / "run.log"
    log.write_bytes(b"earlier line\n")
    r = run([SWIFTSYNC, "-a", f"--log-file={log}", tmp_path / "src" / "a", tmp_path / "missing", tmp_path / "dst/"])
    assert r.returncode == 23, describe(r)
    lines = log.read_bytes().splitlines()
    assert lines[0] == b"earlier line"
    body = [STAMP.sub(b"", line) for line in lines[1:]]
    assert body[0] == b"building file list"
    assert any(b"link_stat" in line and b"missing" in line for line in body), body
    assert b">f+++++++++ a" in body
    assert body[-1] == b"swiftsync error: some files/attrs were not transferred (see previous errors) (code 23)"


def test_a_log_file_that_cannot_be_opened_is_ignored_as_rsync_ignores_it(tmp_path):
    write_file(tmp_path / "src" / "a", b"a\n")
    _, r, _, s = side_by_side(tmp_path, ["-a", "--log-file=/nonexistent/dir/run.log"], lambda base: write_file(base / "src" / "a", b"a\n"))
    assert r.returncode == s.returncode == 0, describe(r) + describe(s)
    assert r.stdout == s.stdout == b'Ignoring "log file" setting.\n', describe(r) + describe(s)
    assert b"failed to open log-file /nonexistent/dir/run.log: No such file or directory (2)" in s.stderr
    assert (tmp_path / "swiftsync" / "dst" / "a").read_bytes() == b"a\n"


@pytest.mark.parametrize("sources", [["top/src/./d"], ["top/src"], ["top/src/"], ["./top//src/a", "top/src/d/"],
                                     ["top/src/../src/a"], ["top/src/a", "top/src/d"]], ids=lambda a: " ".join(a))
def test_the_full_path_escape_names_each_source_as_the_sender_does(tmp_path, sources):
    def world(base):
        write_file(base / "top" / "src" / "a", b"a\n")
        write_file(base / "top" / "src" / "d" / "b", b"b\n")
        fix_dir_times(base / "top")
    _, r, _, s = side_by_side(tmp_path, ["-a", "--out-format=%f|%n"], world, src=sources)
    assert r.returncode == 0 and s.returncode == 0, describe(r) + describe(s)
    assert sorted(s.stdout.splitlines()) == sorted(r.stdout.splitlines()), describe(r) + describe(s)
