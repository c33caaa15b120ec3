import XCTest
@testable import SyncCore

/// The matcher's scanner, its parallel join, the block index and the streaming deflater.
final class DeltaMatcherTests: XCTestCase {
    /// Like `mktree.py mutate`: `size * rate / 64` edits, each an overwrite, insert or delete of
    /// 1...127 bytes at a random place.
    static func mutate(_ data: [UInt8], rate: Double, seed: UInt64) -> [UInt8] {
        var out = data
        var rng = SplitMix(seed)
        let edits = max(1, Int(Double(data.count) * rate / 64))
        for _ in 0..<edits {
            let pos = out.isEmpty ? 0 : Int(rng.next() % UInt64(out.count))
            let n = 1 + Int(rng.next() % 127)
            let blob = pseudoRandomBytes(n, seed: rng.next() | 1)
            switch rng.next() % 5 {
            case 0, 1, 2:
                let end = min(out.count, pos + n)
                out.replaceSubrange(pos..<end, with: blob[..<(end - pos)])
            case 3: out.insert(contentsOf: blob, at: pos)
            default: out.removeSubrange(pos..<min(out.count, pos + n))
            }
        }
        return out
    }

    private func segments(_ basis: [UInt8], _ new: [UInt8], block: Int, parallelism: Int = 1, chunk: Int? = nil) -> [DeltaSegment] {
        let sig = basis.withUnsafeBytes { Signature(of: $0, blockLength: block) }
        return new.withUnsafeBytes { DeltaMatcher(signature: sig).segments(for: $0, parallelism: parallelism, chunkSize: chunk) }
    }

    private func rebuild(_ basis: [UInt8], _ new: [UInt8], _ segments: [DeltaSegment]) -> [UInt8] {
        var out: [UInt8] = []
        for s in segments {
            XCTAssertEqual(s.targetOffset, out.count, "segments are contiguous")
            if let b = s.basisOffset { out += basis[b..<(b + s.length)] } else { out += new[s.targetOffset..<s.targetEnd] }
        }
        return out
    }

    func testParallelScanJoinsIntoTheSerialResult() {
        var rng = SplitMix(7)
        for seed in 0..<60 {
            let size = [0, 1, 500, 4096, 20_000, 150_000][seed % 6] + Int(rng.next() % 3000)
            let basis = seed % 7 == 0 ? [UInt8](repeating: 0, count: size) : pseudoRandomBytes(size, seed: UInt64(seed) + 1)
            let new = Self.mutate(basis, rate: [0.001, 0.01, 0.1][seed % 3], seed: UInt64(seed))
            let block = [16, 64, 100, 700][seed % 4]
            let serial = segments(basis, new, block: block)
            XCTAssertEqual(rebuild(basis, new, serial), new, "seed \(seed)")
            for chunk in [block - 1, block, block + 1, 997, 5000] where chunk > 0 {
                for threads in [2, 3] {
                    let parallel = segments(basis, new, block: block, parallelism: threads, chunk: chunk)
                    if seed % 7 == 0 {
                        // Repeated blocks: which equal block a copy names, and where a changed block
                        // is skipped rather than rolled through, may differ; the file may not.
                        XCTAssertEqual(rebuild(basis, new, parallel), new, "seed \(seed) chunk \(chunk)")
                    } else {
                        XCTAssertEqual(parallel, serial, "seed \(seed) size \(size) block \(block) chunk \(chunk)")
                    }
                }
            }
        }
    }

    func testSameOffsetBlockIsPreferredAmongEqualBlocks() {
        // All blocks equal: each window matches every block; the one at the same offset wins,
        // so an unchanged run of zeros is one copy of itself (nothing to write in place).
        let zeros = [UInt8](repeating: 0, count: 64 * 100)
        XCTAssertEqual(segments(zeros, zeros, block: 64), [.copy(at: 0, from: 0, length: 6400)])
    }

    func testEditedZerosRebuild() {
        let zeros = [UInt8](repeating: 0, count: 64 * 100)
        var edited = zeros
        edited[3000] = 9
        let result = segments(zeros, edited, block: 64)
        XCTAssertEqual(rebuild(zeros, edited, result), edited)
    }

    func testSignatureOnSeveralThreadsEqualsOneThread() {
        let basis = pseudoRandomBytes(DeltaMatcher.parallelThreshold + 12_345, seed: 4)
        basis.withUnsafeBytes { bytes in
            XCTAssertEqual(Signature(of: bytes, blockLength: 4096, parallelism: 3), Signature(of: bytes, blockLength: 4096))
            XCTAssertEqual(Signature(of: bytes, strongLength: 8, parallelism: 2), Signature(of: bytes, strongLength: 8))
        }
    }

    func testBlockIndexFindsEveryBlockInAscendingOrder() {
        let weak: [UInt32] = [5, 7, 5, 0xFFFF_FFFF, 5, 9]
        let index = BlockIndex(weak: weak, blockCount: weak.count)
        for w in weak { XCTAssertTrue(index.mayContain(w)) }
        var seen: [Int] = []
        XCTAssertNil(index.firstBlock(withWeak: 5) { seen.append($0); return false })
        XCTAssertEqual(seen, [0, 2, 4])
        XCTAssertEqual(index.firstBlock(withWeak: 5) { $0 > 0 }, 2)
        XCTAssertNil(index.firstBlock(withWeak: 6) { _ in true })
        XCTAssertTrue(BlockIndex(weak: weak, blockCount: 0).isEmpty)
    }

    func testDeflaterStreamsAndInflaterRestores() throws {
        let plain = pseudoRandomBytes(300_000, seed: 3) + [UInt8](repeating: 7, count: 700_000)
        let deflater = ZlibDeflater()
        var compressed: [UInt8] = []
        for start in stride(from: 0, to: plain.count, by: 77_777) {
            plain[start..<min(plain.count, start + 77_777)].withUnsafeBytes { deflater.feed($0) { compressed += $0 } }
        }
        deflater.finish { compressed += $0 }
        XCTAssertTrue(ZlibDelta.looksCompressed(compressed))
        XCTAssertLessThan(compressed.count, 320_000)
        let inflater = ZlibInflater()
        var restored: [UInt8] = []
        for start in stride(from: 0, to: compressed.count, by: 10_000) {
            restored += try compressed[start..<min(compressed.count, start + 10_000)].withUnsafeBytes { try inflater.feed($0) }
        }
        XCTAssertTrue(inflater.finished)
        XCTAssertEqual(restored, plain)
    }
}

/// A small seeded generator (SplitMix64) for reproducible property tests.
struct SplitMix {
    private var state: UInt64
    init(_ seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
