// Throughput of swiftsync's delta kernels on 64 MiB buffers.
//
// Every iteration processes one whole buffer, and the buffer size is part of each benchmark's
// name ("... 64 MiB"), so bytes/s = size / wall time of one iteration; `run.sh` prints that as
// GB/s (10^9 bytes/s) next to the median. package-benchmark's own `throughput` metric is
// iterations (= buffers) per second.
//
// Inputs are deterministic: pseudo-random bytes from a seeded SplitMix64, and the "new" buffers
// are that basis with scattered edits made the way fixtures/mktree.py's `mutate` makes them
// (see `mutated(_:rate:seed:)`).

import Benchmark
import Foundation
import SyncCore

#if canImport(Glibc)
import Glibc
#endif

// MARK: - Inputs

let bufferSize = 64 << 20
let bufferLabel = "64 MiB"
/// rsync's smallest block length; the rolling checksum benchmark rolls a window of this size.
let rollingWindow = 700

/// SplitMix64: small, fast and deterministic for a given seed.
struct SplitMix64 {
    var state: UInt64
    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Uniform in 0..<bound (the modulo bias is irrelevant here).
    mutating func below(_ bound: Int) -> Int { Int(next() % UInt64(bound)) }

    /// Uniform in [0, 1).
    mutating func unit() -> Double { Double(next() >> 11) * 0x1p-53 }

    mutating func fill(_ buffer: UnsafeMutableRawBufferPointer) {
        var offset = 0
        while offset + 8 <= buffer.count {
            buffer.storeBytes(of: next(), toByteOffset: offset, as: UInt64.self)
            offset += 8
        }
        if offset < buffer.count {
            var last = next()
            while offset < buffer.count {
                buffer[offset] = UInt8(truncatingIfNeeded: last)
                last >>= 8
                offset += 1
            }
        }
    }
}

/// An immutable heap buffer shared by the benchmarks of one process.
final class Buffer: @unchecked Sendable {
    private let storage: UnsafeMutableRawBufferPointer
    let count: Int

    init(capacity: Int, _ fill: (UnsafeMutableRawBufferPointer) -> Int) {
        let storage = UnsafeMutableRawBufferPointer.allocate(byteCount: max(1, capacity), alignment: 64)
        self.storage = storage
        count = fill(storage)
    }

    deinit { storage.deallocate() }

    var bytes: UnsafeRawBufferPointer { UnsafeRawBufferPointer(rebasing: storage[..<count]) }
}

func randomBytes(count: Int, seed: UInt64) -> Buffer {
    Buffer(capacity: count) { out in
        var rng = SplitMix64(seed: seed)
        rng.fill(UnsafeMutableRawBufferPointer(rebasing: out[..<count]))
        return count
    }
}

/// `basis` with `max(1, size * rate / 64)` edits at random positions, as mktree.py's `mutate`:
/// each edit is an overwrite (60%), an insert (20%) or a delete (20%) of 1...127 random bytes.
///
/// As in mktree.py, the positions are drawn over the basis, sorted and applied in one pass (an
/// edit that starts inside the range of the previous overwrite or delete starts right after it).
/// Same number, kinds and sizes of edits, uniformly spread; only the random source differs.
func mutated(_ basis: UnsafeRawBufferPointer, rate: Double, seed: UInt64) -> Buffer {
    enum Kind { case overwrite, insert, delete }
    struct Edit { var position: Int; var kind: Kind; var length: Int; var order: Int }

    let size = basis.count
    var rng = SplitMix64(seed: seed)
    let count = max(1, Int(Double(size) * rate / 64))
    var edits: [Edit] = []
    edits.reserveCapacity(count)
    for order in 0..<count {
        let position = rng.below(size)
        let draw = rng.unit()
        let length = 1 + rng.below(127)
        edits.append(Edit(position: position, kind: draw < 0.6 ? .overwrite : draw < 0.8 ? .insert : .delete,
                          length: length, order: order))
    }
    edits.sort { ($0.position, $0.order) < ($1.position, $1.order) }

    return Buffer(capacity: size + count * 127) { out in
        var written = 0
        var cursor = 0 // next basis byte not yet copied or skipped
        func copyBasis(upTo end: Int) {
            guard end > cursor else { return }
            UnsafeMutableRawBufferPointer(rebasing: out[written..<(written + end - cursor)])
                .copyMemory(from: UnsafeRawBufferPointer(rebasing: basis[cursor..<end]))
            written += end - cursor
            cursor = end
        }
        func random(_ length: Int) {
            rng.fill(UnsafeMutableRawBufferPointer(rebasing: out[written..<(written + length)]))
            written += length
        }
        for edit in edits {
            let position = max(edit.position, cursor)
            copyBasis(upTo: position)
            switch edit.kind {
            case .overwrite:
                let length = min(edit.length, size - position)
                random(length)
                cursor = position + length
            case .insert:
                random(edit.length)
            case .delete:
                cursor = min(size, position + edit.length)
            }
        }
        copyBasis(upTo: size)
        return written
    }
}

/// Built once per process, on first use (in a benchmark's setup, so never inside a measurement).
enum Inputs {
    static let basis = randomBytes(count: bufferSize, seed: 0x7377_6966_7473_796E)
    static let signature = Signature(of: basis.bytes)
    static let fewEdits = mutated(basis.bytes, rate: 0.0001, seed: 1)
    static let manyEdits = mutated(basis.bytes, rate: 0.01, seed: 2)
}

// MARK: - Patch fixture

/// Where patch files go: $KERNELS_TMPDIR, else /dev/shm (tmpfs: no disk in the measurement),
/// else the system temporary directory.
func scratchDirectory(_ label: String) -> String {
    let environment = ProcessInfo.processInfo.environment
    var root = environment["KERNELS_TMPDIR"] ?? ""
    if root.isEmpty {
        root = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : NSTemporaryDirectory()
    }
    return (root as NSString).appendingPathComponent("swiftsync-kernels-\(getpid())-\(label)")
}

struct PatchFixture: @unchecked Sendable {
    let directory: String
    var basisPath: String { directory + "/basis" }
    var newPath: String { directory + "/new" }
    var signaturePath: String { directory + "/basis.sig" }
    var deltaPath: String { directory + "/delta" }
    var outputPath: String { directory + "/out" }

    /// Writes basis and new file, makes the signature and the delta with the CLI's own code
    /// (`DeltaFiles.signature` / `DeltaFiles.delta`, default block length, 16-byte strong sums),
    /// and checks once that the patch rebuilds the new file.
    init(label: String, new: Buffer) throws {
        let directory = scratchDirectory(label)
        let basisPath = directory + "/basis", newPath = directory + "/new", signaturePath = directory + "/basis.sig"
        let deltaPath = directory + "/delta", outputPath = directory + "/out"
        try? FileManager.default.removeItem(atPath: directory)
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        try Data(Inputs.basis.bytes).write(to: URL(fileURLWithPath: basisPath))
        try Data(new.bytes).write(to: URL(fileURLWithPath: newPath))
        try DeltaFiles.signature(basisPath: basisPath, signaturePath: signaturePath, blockLength: nil, strongLength: 16)
        _ = try DeltaFiles.delta(signaturePath: signaturePath, newPath: newPath, deltaPath: deltaPath)
        let stats = try DeltaPatch.apply(basisPath: basisPath, deltaPath: deltaPath, outputPath: outputPath)
        let output = try Data(contentsOf: URL(fileURLWithPath: outputPath))
        precondition(stats.outputBytes == UInt64(new.count) && output == Data(new.bytes),
                     "patch of \(label) did not rebuild the new file")
        self.directory = directory
    }

    static func remove(label: String) {
        try? FileManager.default.removeItem(atPath: scratchDirectory(label))
    }
}

// MARK: - Benchmarks

let benchmarks = {
    // One buffer per iteration; a short warm-up; bounded so the whole suite stays around a minute
    // or two on 2 cores (each benchmark stops at whichever limit it reaches first).
    let configuration = Benchmark.Configuration(
        metrics: [.wallClock, .throughput],
        timeUnits: .microseconds, // reported in µs, so run.sh's GB/s keeps 3+ significant digits
        warmupIterations: 2,
        scalingFactor: .one,
        maxDuration: .seconds(8),
        maxIterations: 25
    )

    // 1. Rolling checksum: the weak sum of a 700-byte window at every offset of the buffer. The
    //    value is read at every offset (as the matcher does) and folded into one word that goes
    //    to blackHole once per buffer: a blackHole call per byte would cost more than the roll.
    Benchmark("rolling checksum \(bufferLabel)", configuration: configuration, closure: { benchmark in
        let bytes = Inputs.basis.bytes
        for _ in benchmark.scaledIterations {
            var sum = RollingChecksum(UnsafeRawBufferPointer(rebasing: bytes[0..<rollingWindow]))
            var folded = sum.value
            for i in rollingWindow..<bytes.count {
                sum.roll(out: bytes[i - rollingWindow], in: bytes[i])
                folded &+= sum.value
            }
            blackHole(folded)
        }
    }, setup: { _ = Inputs.basis })

    // 1b. The alternative the issue allows: a Rabin–Karp polynomial hash rolled the same way
    //     (h = h·B − out·B^n + in, mod 2^32). Measured here to choose between the two: the
    //     polynomial's multiply sits on the loop-carried chain, rsync's sum has only adds there.
    Benchmark("rolling rabin-karp \(bufferLabel)", configuration: configuration, closure: { benchmark in
        let bytes = Inputs.basis.bytes
        let base: UInt32 = 0x0100_0193
        var power: UInt32 = 1
        for _ in 0..<rollingWindow { power &*= base }
        for _ in benchmark.scaledIterations {
            var hash: UInt32 = 0
            for i in 0..<rollingWindow { hash = hash &* base &+ UInt32(bytes[i]) }
            var folded = hash
            for i in rollingWindow..<bytes.count {
                hash = hash &* base &+ UInt32(bytes[i]) &- power &* UInt32(bytes[i - rollingWindow])
                folded &+= hash
            }
            blackHole(folded)
        }
    }, setup: { _ = Inputs.basis })

    // 2. Signature: weak and strong (XXH3-128) sum of every block, default block length
    //    (8 KiB for 64 MiB).
    Benchmark("signature \(bufferLabel)", configuration: configuration, closure: { benchmark in
        let bytes = Inputs.basis.bytes
        for _ in benchmark.scaledIterations {
            blackHole(Signature(of: bytes))
        }
    }, setup: { _ = Inputs.basis })

    // 3. Delta: the matcher (its lookup tables included, as `DeltaFiles.delta` builds them) over
    //    the new buffer, against the basis's signature made in setup.
    for (label, new) in [("0.01%", { Inputs.fewEdits }), ("1%", { Inputs.manyEdits })] {
        Benchmark("delta \(label) edits \(bufferLabel)", configuration: configuration, closure: { benchmark in
            let signature = Inputs.signature
            let bytes = new().bytes
            for _ in benchmark.scaledIterations {
                blackHole(DeltaMatcher(signature: signature).operations(for: bytes))
            }
        }, setup: { _ = Inputs.signature; _ = new() })
    }

    // 4. Patch, measured with `DeltaPatch.apply` on files (basis, delta and output in a scratch
    //    directory on tmpfs, see `scratchDirectory`; the delta made by `DeltaFiles.delta`). That is
    //    the patch kernel itself, the code `swiftsync patch` runs: the delta read in 1 MiB chunks,
    //    decoded by `DeltaDecoder`, COPY by pread from the basis, writes to the output file.
    //    SyncCore has no public in-memory patch, and an in-memory one built here from
    //    `DeltaDecoder.feed` measures something else: `feed` is generic over the input collection
    //    and not @inlinable, so a caller outside SyncCore gets its unspecialised code (tried: 1%
    //    edits took ~0.49 s with UnsafeRawBufferPointer chunks and ~3 s with ArraySlice chunks,
    //    against ~0.3 s for `DeltaPatch.apply` with its file I/O).
    for (label, new) in [("0.01%", { Inputs.fewEdits }), ("1%", { Inputs.manyEdits })] {
        let fixtureLabel = "patch-\(label == "1%" ? "1" : "0.01")"
        Benchmark("patch \(label) edits \(bufferLabel)", configuration: configuration, closure: { benchmark, fixture in
            for _ in benchmark.scaledIterations {
                do {
                    blackHole(try DeltaPatch.apply(basisPath: fixture.basisPath, deltaPath: fixture.deltaPath,
                                                   outputPath: fixture.outputPath))
                } catch {
                    benchmark.error("patch failed: \(error)")
                    return
                }
            }
        }, setup: {
            try PatchFixture(label: fixtureLabel, new: new())
        }, teardown: {
            PatchFixture.remove(label: fixtureLabel)
        })
    }
}
