import XCTest
@testable import SyncCore

/// In-place application: whatever moved where, applying the plan inside the basis gives the new file.
final class InPlacePlanTests: XCTestCase {
    private func plan(_ basis: [UInt8], _ new: [UInt8], block: Int) -> InPlacePlan {
        let sig = basis.withUnsafeBytes { Signature(of: $0, blockLength: block) }
        let segments = new.withUnsafeBytes { DeltaMatcher(signature: sig).segments(for: $0) }
        return basis.withUnsafeBytes { InPlacePlan(segments: segments, pieceLength: block, basis: $0) }
    }

    @discardableResult
    private func check(_ basis: [UInt8], _ new: [UInt8], block: Int, _ message: String = "", line: UInt = #line) -> InPlacePlan {
        let p = plan(basis, new, block: block)
        var file = basis
        p.apply(&file, new: new)
        XCTAssertTrue(file == new, "\(message): \(file.count) vs \(new.count) bytes, first difference at \((0..<min(file.count, new.count)).first { file[$0] != new[$0] } ?? -1); \(p.copies.count) copies, converted \(p.convertedBytes)", line: line)
        return p
    }

    func testRandomEditsAtManySeedsRebuildInPlace() {
        for seed in 0..<150 {
            let size = [0, 1, 63, 64, 65, 1000, 30_000, 200_000][seed % 8]
            let basis = seed % 9 == 0 ? [UInt8](repeating: 0, count: size) : pseudoRandomBytes(size, seed: UInt64(seed) + 11)
            var new = DeltaMatcherTests.mutate(basis, rate: [0.002, 0.02, 0.2][seed % 3], seed: UInt64(seed))
            if seed % 4 == 1 && new.count > 100 {
                // Two ranges trade places: moved blocks whose reads and writes form cycles.
                var rng = SplitMix(UInt64(seed))
                let cut = [Int(rng.next() % UInt64(new.count)), Int(rng.next() % UInt64(new.count)), Int(rng.next() % UInt64(new.count))].sorted()
                new = Array(new[cut[1]..<cut[2]]) + Array(new[cut[0]..<cut[1]]) + Array(new[..<cut[0]]) + Array(new[cut[2]...])
            }
            check(basis, new, block: [16, 64, 100][seed % 3], "seed \(seed)")
        }
    }

    func testMovedBlocksAreCopiedNotSent() {
        let basis = pseudoRandomBytes(64 * 1000, seed: 1)
        let insert = pseudoRandomBytes(10, seed: 2)
        // Everything shifts forward (each copy reads what the one after it overwrites).
        var p = check(basis, insert + basis, block: 64)
        XCTAssertEqual(p.literalBytes, 10)
        XCTAssertEqual(p.convertedBytes, 0)
        // Everything shifts back.
        p = check(basis, Array(basis.dropFirst(10)), block: 64)
        XCTAssertLessThan(p.literalBytes, 64)
        XCTAssertEqual(p.convertedBytes, 0)
        // Unchanged apart from one overwrite: only that block is written.
        var edited = basis
        edited[32_000] ^= 0xFF
        p = check(basis, edited, block: 64)
        XCTAssertEqual(p.copies, [])
        XCTAssertEqual(p.literalBytes, 64)
        XCTAssertEqual(p.unchangedBytes, basis.count - 64)
    }

    func testSwappedHalvesBreakEachCycleWithOneBlock() {
        let basis = pseudoRandomBytes(64 * 100, seed: 3)
        let swapped = Array(basis[3200...]) + Array(basis[..<3200])
        let p = check(basis, swapped, block: 64)
        // 50 two-block cycles (block i of each half reads what block i of the other writes):
        // one block of each is written from the new file.
        XCTAssertEqual(p.convertedBytes, 50 * 64)
        XCTAssertEqual(p.movedBytes, 50 * 64)
        // Shuffled blocks: many cycles, still exact.
        var blocks = (0..<100).map { Array(basis[($0 * 64)..<($0 * 64 + 64)]) }
        var rng = SplitMix(5)
        for i in stride(from: blocks.count - 1, to: 0, by: -1) { blocks.swapAt(i, Int(rng.next() % UInt64(i + 1))) }
        let shuffled = check(basis, blocks.flatMap { $0 }, block: 64)
        XCTAssertLessThan(shuffled.convertedBytes, basis.count / 2)
    }

    func testDeleteThenInsertSwapsNeighboursSafely() {
        // A deletion followed by an insertion: a copy reading ahead next to one reading behind.
        let basis = pseudoRandomBytes(64 * 50, seed: 4)
        var new = basis
        new.removeSubrange(640..<650)
        new.insert(contentsOf: pseudoRandomBytes(30, seed: 6), at: 1300)
        check(basis, new, block: 64)
        check(basis, Array(basis.reversed()), block: 64)
    }

    func testZeroRunsMatchedOffAlignmentAreLeftAlone() {
        let zeros = [UInt8](repeating: 0, count: 64 * 100)
        var edited = zeros
        edited.insert(7, at: 3000)
        edited.removeLast()
        let p = check(zeros, edited, block: 64)
        XCTAssertEqual(p.copies, [], "copies of zeros onto zeros write nothing")
        XCTAssertLessThanOrEqual(p.literalBytes, 128)
    }

    func testFileThatGrowsAndShrinks() {
        let basis = pseudoRandomBytes(10_000, seed: 8)
        check(basis, basis + pseudoRandomBytes(5000, seed: 9), block: 100)
        check(basis, Array(basis[2000..<6000]), block: 100)
        check(basis, pseudoRandomBytes(3000, seed: 10) + basis, block: 100)
        check([], basis, block: 100)
        check(basis, [], block: 100)
    }
}
