"""Property tests of the delta engine: `swiftsync signature`, `delta` and `patch` over many
sizes, block lengths, kinds of change and seeds, with the real rdiff (librsync) on both sides.

For every (basis, new) pair:
  * patch(basis, delta(signature(basis), new)) == new, byte for byte;
  * `rdiff patch` applies our delta (unless it is --compress'ed, which rdiff cannot read);
  * our patch applies `rdiff delta` made from rdiff's own signature;
  * the signature header describes the basis (block length, size, one entry per block);
  * delta --stats accounts for every byte of new (Literal + Matched).
The weak-sum collision cases build blocks with equal rsync rolling sums but different bytes, so
the matcher's weak lookup hits and only the strong sum can tell them apart.
"""
import os
import random
import re
import struct
import zlib

import pytest

from helpers import assert_ok, describe, rand_bytes, run, run_swiftsync

pytestmark = pytest.mark.swiftsync_only

RDIFF = "/usr/bin/rdiff"
MiB = 1 << 20
SIG_HEADER = 20  # "SSG1", u32 block, u8 strong len, u8 weak alg, u8 strong alg, u8 0, u64 size


@pytest.fixture(autouse=True)
def _need_rdiff():
    assert os.access(RDIFF, os.X_OK), "rdiff is required (librsync's rdiff, apt-get install rdiff)"


# --------------------------------------------------------------------------------------------
# running the three commands


def sw(tmp, *args, **kw):
    return assert_ok(run_swiftsync(list(args), cwd=tmp, timeout=120, **kw))


def rdiff(tmp, *args):
    return assert_ok(run([RDIFF, *args], cwd=tmp, timeout=120))


def stat_value(text, name):
    m = re.search(re.escape(name.encode()) + rb": ([\d,]+) bytes", text)
    assert m, f"no {name!r} in --stats output: {text!r}"
    return int(m.group(1).replace(b",", b""))


def first_difference(a, b):
    for i, (x, y) in enumerate(zip(a, b)):
        if x != y:
            return i
    return min(len(a), len(b))


def assert_bytes(path, expected, what):
    got = path.read_bytes()
    assert got == expected, (f"{what}: {len(got)} bytes, expected {len(expected)}; "
                             f"first difference at offset {first_difference(got, expected)}")


def parse_sig(data):
    assert data[:4] == b"SSG1", data[:20]
    block, strong, weak_alg, strong_alg, zero, size = struct.unpack(">IBBBBQ", data[4:20])
    entries = []
    pos = SIG_HEADER
    while pos < len(data):
        weak, = struct.unpack(">I", data[pos:pos + 4])
        entries.append((weak, data[pos + 4:pos + 4 + strong]))
        pos += 4 + strong
    return {"block": block, "strong": strong, "weak_alg": weak_alg, "strong_alg": strong_alg,
            "zero": zero, "size": size, "entries": entries, "length": len(data)}


def round_trip(tmp, basis, new, *, block=None, strong=None, compress=False, patch_to_stdout=False):
    """Run all the properties for one (basis, new) pair; returns (literal, matched, delta size)."""
    (tmp / "basis").write_bytes(basis)
    (tmp / "new").write_bytes(new)
    opts = (["--block-size", str(block)] if block else []) + \
           (["--strong-len", str(strong)] if strong else [])
    sw(tmp, "signature", *opts, "basis", "sig")
    sig = parse_sig((tmp / "sig").read_bytes())
    if block:
        assert sig["block"] == block, sig
    assert 1 <= sig["block"] <= 1 << 30
    assert sig["strong"] == (strong or 16) and sig["zero"] == 0 and sig["size"] == len(basis), sig
    nblocks = -(-len(basis) // sig["block"])
    assert sig["length"] == SIG_HEADER + nblocks * (4 + sig["strong"]), \
        f"{sig['length']} byte signature for {nblocks} blocks of {sig['block']}"

    cp = sw(tmp, "delta", "--stats", *(["--compress"] if compress else []), "sig", "new", "delta")
    literal, matched = stat_value(cp.stderr, "Literal data"), stat_value(cp.stderr, "Matched data")
    assert literal + matched == len(new), describe(cp)
    delta = (tmp / "delta").read_bytes()
    raw = zlib.decompress(delta) if compress else delta
    assert raw[:4] == b"rs\x026" and raw[-1:] == b"\x00", f"not a librsync delta: {raw[:8]!r}"
    assert len(raw) >= literal, "the delta is shorter than its literal data"

    if patch_to_stdout:
        cp = sw(tmp, "patch", "basis", "delta", "-")
        (tmp / "out").write_bytes(cp.stdout)
    else:
        sw(tmp, "patch", "basis", "delta", "out")
    assert_bytes(tmp / "out", new, "swiftsync patch of swiftsync's delta")
    if not compress:
        rdiff(tmp, "patch", "basis", "delta", "out.rdiff")
        assert_bytes(tmp / "out.rdiff", new, "rdiff patch of swiftsync's delta")
    # rdiff's own signature (its format, its block length) and delta, applied by us
    rdiff(tmp, "signature", *(["-b", str(block)] if block else []), "basis", "rdiff.sig")
    rdiff(tmp, "delta", "rdiff.sig", "new", "rdiff.delta")
    sw(tmp, "patch", "basis", "rdiff.delta", "out.from-rdiff")
    assert_bytes(tmp / "out.from-rdiff", new, "swiftsync patch of rdiff's delta")
    return literal, matched, len(delta)


# --------------------------------------------------------------------------------------------
# kinds of change: (basis size, rng) -> (basis, new)


def _edit_mid(rng, data):
    if not data:
        return b"!"
    data = bytearray(data)
    p = rng.randrange(len(data))
    data[p] ^= 0x5A
    return bytes(data)


KINDS = {
    "identical": lambda n, rng: (lambda b: (b, b))(rng.randbytes(n)),
    "edit-mid": lambda n, rng: (lambda b: (b, _edit_mid(rng, b)))(rng.randbytes(n)),
    "equal-bytes": lambda n, rng: (b"\xaa" * n, b"\xaa" * (n // 2) + b"\x55" + b"\xaa" * n),
    "insert-front": lambda n, rng: (lambda b: (b, rng.randbytes(7) + b))(rng.randbytes(n)),
    "insert-end": lambda n, rng: (lambda b: (b, b + rng.randbytes(9)))(rng.randbytes(n)),
    "insert-both": lambda n, rng: (lambda b: (b, b"<" + b + b">"))(rng.randbytes(n)),
    "delete-front": lambda n, rng: (lambda b: (b, b[3:]))(rng.randbytes(n)),
    "delete-end": lambda n, rng: (lambda b: (b, b[:-3] if n > 3 else b""))(rng.randbytes(n)),
    "append-double": lambda n, rng: (lambda b: (b, b + b + rng.randbytes(5)))(rng.randbytes(n)),
    "truncate-half": lambda n, rng: (lambda b: (b, b[:n // 2]))(rng.randbytes(n)),
    "different": lambda n, rng: (rng.randbytes(n), rng.randbytes(n)),
    "to-empty": lambda n, rng: (rng.randbytes(n), b""),
    "from-empty": lambda n, rng: (b"", rng.randbytes(n)),
}


def _matrix():
    out = []
    k = 0
    for block in (16, 700, 4096, None):
        b = block or 700  # the default for files this small is 700
        for size in (0, 1, b - 1, b, b + 1, 3 * b + 7):
            for kind in KINDS:
                if kind == "from-empty" and size == 0:
                    continue
                k += 1
                compress = k % 4 == 0
                ident = f"{'b%d' % block if block else 'default'}-{size}B-{kind}" + ("-z" if compress else "")
                out.append(pytest.param(block, size, kind, compress, id=ident))
    return out


@pytest.mark.parametrize("block,size,kind,compress", _matrix())
def test_round_trip(tmp_path, block, size, kind, compress):
    rng = random.Random(f"{block}-{size}-{kind}")
    basis, new = KINDS[kind](size, rng)
    literal, matched, delta_len = round_trip(tmp_path, basis, new, block=block, compress=compress)
    if kind == "identical" and size:
        assert literal == 0, "an unchanged file needs no literal data"
        if not compress:
            assert delta_len <= 4 + 17 + 1, f"one COPY is enough for an unchanged file: {delta_len} bytes"
    if kind in ("different", "from-empty", "to-empty"):
        assert matched == 0 or size <= 1, f"{matched} bytes matched between unrelated files"
    if kind == "append-double":
        # new = basis + basis + 5 bytes: only the basis's short last block (followed by more
        # data, so not matchable) twice and the 5 new bytes need be literal
        assert literal <= 5 + 2 * (size % (block or 700)), f"{literal} literal bytes"


@pytest.mark.parametrize("block", [None, 4096], ids=["default", "b4096"])
@pytest.mark.parametrize("kind", ["scattered", "insert-front", "identical", "different",
                                  "equal-bytes", "truncate-edit"])
def test_multi_mib(tmp_path, block, kind):
    rng = random.Random(f"big-{kind}-{block}")
    n = 3 * MiB + 17
    basis = bytes(n) if kind == "equal-bytes" else rng.randbytes(n)
    if kind == "scattered":  # mktree.py mutate at rate 0.001
        new = bytearray(basis)
        for _ in range(int(n * 0.001 / 64)):
            pos, r, k = rng.randrange(len(new)), rng.random(), rng.randrange(1, 128)
            if r < 0.6:
                new[pos:pos + k] = rng.randbytes(len(new[pos:pos + k]))
            elif r < 0.8:
                new[pos:pos] = rng.randbytes(k)
            else:
                del new[pos:pos + k]
        new = bytes(new)
    elif kind == "insert-front":
        new = b"0123456789" + basis
    elif kind == "identical":
        new = basis
    elif kind == "different":
        new = rng.randbytes(n + 1000)
    elif kind == "equal-bytes":
        new = basis[:MiB] + b"\x01" * 3000 + basis[:2 * MiB]
    else:
        new = basis[:2 * MiB] + b"edited" + basis[2 * MiB + 6:5 * MiB // 2]
    compress = kind in ("scattered", "equal-bytes")
    literal, matched, delta_len = round_trip(tmp_path, basis, new, block=block, compress=compress)
    if kind in ("identical", "insert-front", "truncate-edit", "scattered", "equal-bytes"):
        assert matched >= len(new) * 0.85, f"only {matched} of {len(new)} bytes matched"
    if kind == "identical":
        assert literal == 0 and delta_len <= 64
    if kind == "different":
        assert matched == 0


@pytest.mark.parametrize("seed", range(60), ids=lambda s: f"seed{s}")
def test_random_edits(tmp_path, seed):
    """Random sizes, block lengths, strong lengths and edit scripts (overwrite, insert, delete,
    move a range, duplicate a range)."""
    rng = random.Random(seed)
    size = int(2 ** rng.uniform(0, 18)) if seed % 10 else rng.choice([0, 1, 2])
    block = rng.choice([None, None, 1, 7, 16, 64, 700, 999, 4096, 65536])
    if block == 1 and size > 20000:
        size //= 20
    strong = rng.choice([None, 8, 12, 16])
    basis = rng.randbytes(size) if rng.random() < 0.8 else bytes([rng.randrange(4)]) * size
    new = bytearray(basis)
    for _ in range(rng.randrange(0, 7)):
        op = rng.randrange(5)
        p = rng.randrange(len(new) + 1)
        k = rng.randrange(1, 2 + len(new) // 8)
        if op == 0:
            new[p:p + k] = rng.randbytes(len(new[p:p + k]))
        elif op == 1:
            new[p:p] = rng.randbytes(k)
        elif op == 2:
            del new[p:p + k]
        elif op == 3:  # move
            chunk = bytes(new[p:p + k])
            del new[p:p + k]
            q = rng.randrange(len(new) + 1)
            new[q:q] = chunk
        else:  # duplicate
            q = rng.randrange(len(new) + 1)
            new[q:q] = bytes(new[p:p + k])
    round_trip(tmp_path, basis, bytes(new), block=block, strong=strong,
               compress=rng.random() < 0.3, patch_to_stdout=rng.random() < 0.2)


# --------------------------------------------------------------------------------------------
# rolling-checksum collisions


def weak_sums(block):
    """The rolling sums that could be in use, as (a, b) pairs: rsync's over signed and over
    unsigned bytes, and librsync's rollsum (each byte + 31).  n-i weights, mod 2^16."""
    n = len(block)
    out = []
    for vals in ([x - 256 if x > 127 else x for x in block], list(block), [x + 31 for x in block]):
        a = sum(vals) & 0xFFFF
        b = sum((n - i) * x for i, x in enumerate(vals)) & 0xFFFF
        out.append((a, b))
    return out


FREE = 32  # the first FREE bytes of a base block are 64; perturbations happen there


def base_block(length, seed):
    return b"\x40" * FREE + rand_bytes(length - FREE, seed)


def twin(block, i, j):
    """+1 at i, -1 at i+1, -1 at j, +1 at j+1 (all bytes there are 64): sum and weighted sum of
    the changes are both 0, so every weak sum above is unchanged while the bytes differ."""
    assert 0 <= i and i + 1 < j and j + 1 < FREE
    b = bytearray(block)
    b[i] += 1
    b[i + 1] -= 1
    b[j] -= 1
    b[j + 1] += 1
    return bytes(b)


def check_collision(tmp, x, y):
    """Python says the weak sums are equal; so does swiftsync's own signature of each block."""
    assert x != y and len(x) == len(y)
    assert weak_sums(x) == weak_sums(y)
    sigs = []
    for name, data in (("x", x), ("y", y)):
        (tmp / name).write_bytes(data)
        sw(tmp, "signature", "--block-size", str(len(x)), name, name + ".sig")
        sigs.append(parse_sig((tmp / (name + ".sig")).read_bytes())["entries"])
    (wx, sx), (wy, sy) = sigs[0][0], sigs[1][0]
    assert wx == wy, (f"the constructed blocks no longer collide in swiftsync's weak sum "
                      f"({wx:#x} vs {wy:#x}): the test needs a new construction")
    assert sx != sy


@pytest.mark.parametrize("length", [64, 700, 4096])
@pytest.mark.parametrize("offset", [0, 13], ids=["aligned", "rolled-13"])
def test_weak_collision_single_block(tmp_path, length, offset):
    """Basis = X, new = junk + Y with weak(X) == weak(Y): nothing may be copied from the basis."""
    x = base_block(length, length)
    y = twin(x, 3, 10)
    check_collision(tmp_path, x, y)
    new = rand_bytes(offset, 99) + y
    literal, matched, _ = round_trip(tmp_path, x, new, block=length)
    assert (literal, matched) == (len(new), 0)


@pytest.mark.parametrize("compress", [False, True], ids=["plain", "z"])
@pytest.mark.parametrize("length", [16 + FREE, 700, 2048])
def test_weak_collisions_mixed_with_matches(tmp_path, length, compress):
    """64 basis blocks; new has every even block replaced by a weak-sum twin and every odd block
    unchanged, in shuffled order, some after an odd-length gap.  The true matches are all found,
    the twins all rejected."""
    rng = random.Random(length)
    blocks = [base_block(length, 1000 + k) for k in range(64)]
    check_collision(tmp_path, blocks[0], twin(blocks[0], 0, 5))
    basis = b"".join(blocks)
    parts, real = [], 0
    for k in rng.sample(range(64), 64):
        if rng.random() < 0.3:
            parts.append(rng.randbytes(rng.randrange(1, 40)))
        if k % 2:
            parts.append(blocks[k])
            real += length
        else:
            parts.append(twin(blocks[k], rng.randrange(0, 8), rng.randrange(10, FREE - 1)))
    new = b"".join(parts)
    literal, matched, _ = round_trip(tmp_path, basis, new, block=length, compress=compress)
    assert matched == real, f"matched {matched}, the unchanged blocks hold {real}"
    assert literal == len(new) - real


def test_weak_collision_chain_picks_the_right_block(tmp_path):
    """Eight basis blocks with one weak sum between them (distinct bytes): new uses some of them
    in another order plus a ninth twin that is not in the basis.  Each copy must come from the
    block with the right strong sum."""
    length = 700
    x = base_block(length, 7)
    pairs = [(0, 2), (0, 5), (3, 7), (4, 9), (8, 12), (10, 20), (14, 17), (22, 28), (1, 29)]
    variants = [twin(x, i, j) for i, j in pairs]
    assert len(set(variants)) == len(variants)
    check_collision(tmp_path, variants[0], variants[-1])
    basis = b"".join(variants[:8])
    new = variants[5] + variants[2] + variants[8] + b"gap" + variants[7] + variants[0] + variants[2]
    literal, matched, _ = round_trip(tmp_path, basis, new, block=length)
    assert matched == 5 * length and literal == length + 3
