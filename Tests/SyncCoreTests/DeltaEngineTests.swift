import XCTest
@testable import SyncCore
#if canImport(Glibc)
import Glibc
#endif

/// Rolling checksum, signatures and the matcher: patch(basis, delta(signature(basis), new)) == new
/// over many sizes and edits, in memory; a few cases also through the real `rdiff patch`.
final class DeltaEngineTests: XCTestCase {
    func testRollingEqualsRecomputingAtEveryOffset() {
        let data = pseudoRandomBytes(5000, seed: 21)
        for window in [1, 7, 64, 700] {
            var rolling = RollingChecksum(bytes: data[0..<window])
            for start in 1...(data.count - window) {
                rolling.roll(out: data[start - 1], in: data[start + window - 1])
                XCTAssertEqual(rolling.value, RollingChecksum(bytes: data[start..<(start + window)]).value, "window \(window) at \(start)")
                if start > 300 { break }
            }
        }
    }

    func testDefaultBlockLengthIsClampedSquareRoot() {
        XCTAssertEqual(Signature.defaultBlockLength(forSize: 0), 700)
        XCTAssertEqual(Signature.defaultBlockLength(forSize: 1 << 20), 1024)
        XCTAssertEqual(Signature.defaultBlockLength(forSize: 1 << 40), 128 * 1024)
    }

    func testSignatureFileRoundTripAndErrors() throws {
        let basis = pseudoRandomBytes(10_000, seed: 2)
        for strong in [1, 8, 9, 16] {
            let sig = basis.withUnsafeBytes { Signature(of: $0, blockLength: 999, strongLength: strong) }
            XCTAssertEqual(sig.blockCount, 11)
            XCTAssertEqual(try Signature(parsing: sig.serialized()), sig)
        }
        let bytes = basis.withUnsafeBytes { Signature(of: $0, blockLength: 999) }.serialized()
        XCTAssertThrowsError(try Signature(parsing: Array(bytes.dropLast())))
        XCTAssertThrowsError(try Signature(parsing: Array(bytes.prefix(10))))
        var badMagic = bytes
        badMagic[0] = 0x72
        XCTAssertThrowsError(try Signature(parsing: badMagic)) { XCTAssertTrue("\($0)".contains("magic")) }
        var badStrong = bytes
        badStrong[8] = 17
        XCTAssertThrowsError(try Signature(parsing: badStrong))
    }

    /// Applies operations to an in-memory basis.
    private func patch(_ basis: [UInt8], _ ops: [DeltaOperation]) -> [UInt8] {
        var out: [UInt8] = []
        for op in ops {
            switch op {
            case .literal(let b): out += b
            case .copy(let o, let l): out += basis[Int(o)..<Int(o + l)]
            }
        }
        return out
    }

    private func roundTrip(_ basis: [UInt8], _ new: [UInt8], blockLength: Int, file: StaticString = #filePath, line: UInt = #line) -> [DeltaOperation] {
        let sig = basis.withUnsafeBytes { Signature(of: $0, blockLength: blockLength) }
        let ops = new.withUnsafeBytes { DeltaMatcher(signature: sig).operations(for: $0) }
        XCTAssertEqual(patch(basis, ops), new, "basis \(basis.count) new \(new.count) block \(blockLength)", file: file, line: line)
        // Streaming decode of the encoded delta gives the same operations back.
        var encoder = DeltaEncoder()
        for op in ops { encoder.append(op) }
        var decoder = DeltaDecoder(literalChunk: 1 << 30)
        XCTAssertEqual(try decoder.feed(encoder.finish()), ops, file: file, line: line)
        return ops
    }

    func testPatchOfDeltaRebuildsTheNewFileForManySizesAndEdits() {
        let block = 64
        for (seed, size) in [0, 1, block - 1, block, block + 1, 3 * block + 5, 5000, 1 << 18].enumerated() {
            let basis = pseudoRandomBytes(size, seed: UInt64(seed + 100))
            let insert = pseudoRandomBytes(37, seed: UInt64(seed + 200))
            var edits: [[UInt8]] = [basis, insert + basis, basis + insert, [], insert]
            if size > 10 {
                edits.append(Array(basis.dropFirst(10)))
                edits.append(Array(basis.dropLast(10)))
                var overwritten = basis
                overwritten.replaceSubrange((size / 2)..<(size / 2 + 5), with: [1, 2, 3, 4, 5])
                edits.append(overwritten)
                edits.append(Array(basis[(size / 2)...]) + Array(basis[..<(size / 2)]))  // halves swapped
            }
            for new in edits { _ = roundTrip(basis, new, blockLength: block) }
        }
    }

    func testAllEqualBytesAndRollingCollisionsStillRebuildExactly() {
        let zeros = [UInt8](repeating: 0, count: 10_000)
        var new = zeros
        new[5000] = 1
        let ops = roundTrip(zeros, new, blockLength: 128)
        XCTAssertLessThan(ops.reduce(0) { if case .literal(let b) = $1 { return $0 + b.count } else { return $0 } }, 300)
        // Swapping two bytes keeps the weak sum's `a` and changes `b`; swapping within a
        // block and its neighbour must not fool the strong check.
        var basis = pseudoRandomBytes(4096, seed: 77)
        new = basis
        new.swapAt(100, 101)
        _ = roundTrip(basis, new, blockLength: 256)
        basis = Array(repeating: 0xAB, count: 1000) + pseudoRandomBytes(1000, seed: 78)
        _ = roundTrip(basis, Array(basis.reversed()), blockLength: 100)
    }

    func testUnchangedFileIsOneCopy() {
        let basis = pseudoRandomBytes(100_000, seed: 5)
        let ops = roundTrip(basis, basis, blockLength: 1000)
        XCTAssertEqual(ops, [.copy(offset: 0, length: 100_000)])
        let odd = pseudoRandomBytes(100_123, seed: 6)
        XCTAssertEqual(roundTrip(odd, odd, blockLength: 1000), [.copy(offset: 0, length: 100_123)], "short last block matched too")
    }

    func testRdiffAppliesDeltasMadeWithOurSignatures() throws {
        let tmp = try TemporaryDirectory()
        let basis = pseudoRandomBytes(2 << 20, seed: 31)
        var new = basis
        new.insert(contentsOf: Array("hello".utf8), at: 0)
        new.removeSubrange(100_000..<100_500)
        new += pseudoRandomBytes(3000, seed: 32)
        writeFile(tmp("basis"), basis)
        writeFile(tmp("new"), new)
        try DeltaFiles.signature(basisPath: tmp("basis"), signaturePath: tmp("sig"), blockLength: nil, strongLength: 16)
        let stats = try DeltaFiles.delta(signaturePath: tmp("sig"), newPath: tmp("new"), deltaPath: tmp("delta"))
        XCTAssertLessThan(stats.literalBytes, 10_000)
        XCTAssertEqual(stats.literalBytes + stats.matchedBytes, UInt64(new.count))
        guard access("/usr/bin/rdiff", X_OK) == 0 else { return XCTFail("rdiff is required (make test installs it)") }
        XCTAssertEqual(try SyncCoreTests.run("/usr/bin/rdiff", ["patch", tmp("basis"), tmp("delta"), tmp("out")]).status, 0)
        XCTAssertEqual(readFile(tmp("out")), new)
    }

    func testCorruptSignatureGivesAFormatErrorAndNoDelta() throws {
        let tmp = try TemporaryDirectory()
        writeFile(tmp("new"), pseudoRandomBytes(1000))
        writeFile(tmp("sig"), Array("SSG1 but not really".utf8))
        XCTAssertThrowsError(try DeltaFiles.delta(signaturePath: tmp("sig"), newPath: tmp("new"), deltaPath: tmp("delta"))) {
            guard case .signatureFormat = $0 as? DeltaFiles.Failure else { return XCTFail("\($0)") }
        }
        XCTAssertEqual(access(tmp("delta"), F_OK), -1)
    }

    func testCompressedDeltaIsUnwrappedByPatchAndCorruptionIsAFormatError() throws {
        let tmp = try TemporaryDirectory()
        let line = Array("a log line that repeats, as logs do\n".utf8)
        let basis = Array((0..<20_000).map { line[$0 % line.count] })
        let new = basis + Array("one more line\n".utf8)
        writeFile(tmp("basis"), basis)
        writeFile(tmp("new"), new)
        try DeltaFiles.signature(basisPath: tmp("basis"), signaturePath: tmp("sig"), blockLength: 512, strongLength: 16)
        _ = try DeltaFiles.delta(signaturePath: tmp("sig"), newPath: tmp("new"), deltaPath: tmp("plain"))
        _ = try DeltaFiles.delta(signaturePath: tmp("sig"), newPath: tmp("new"), deltaPath: tmp("z"), compress: true)
        let compressed = readFile(tmp("z")) ?? []
        XCTAssertTrue(ZlibDelta.looksCompressed(compressed))
        XCTAssertFalse(ZlibDelta.looksCompressed(readFile(tmp("plain")) ?? []))
        _ = try DeltaPatch.apply(basisPath: tmp("basis"), deltaPath: tmp("z"), outputPath: tmp("out"))
        XCTAssertEqual(readFile(tmp("out")), new)

        for (name, bytes) in [("cut", Array(compressed.prefix(compressed.count / 2))),
                              ("garbled", Array(compressed.prefix(2)) + Array(repeating: 0xFF, count: 40))] {
            writeFile(tmp(name), bytes)
            XCTAssertThrowsError(try DeltaPatch.apply(basisPath: tmp("basis"), deltaPath: tmp(name), outputPath: tmp("out-" + name))) {
                guard case .format = $0 as? DeltaPatch.Failure else { return XCTFail("\(name): \($0)") }
            }
            XCTAssertEqual(access(tmp("out-" + name), F_OK), -1)
        }
    }
}
