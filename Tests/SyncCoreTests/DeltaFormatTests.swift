import XCTest
@testable import SyncCore
#if canImport(Glibc)
import Glibc
#endif

/// librsync's delta format: our encoder and streaming decoder against each other and against
/// the real `rdiff` in both directions.
final class DeltaFormatTests: XCTestCase {
    private let rdiffPath = "/usr/bin/rdiff"

    private func decodeAll(_ bytes: [UInt8], chunk: Int) throws -> [DeltaOperation] {
        var decoder = DeltaDecoder(literalChunk: 1 << 30)
        var ops: [DeltaOperation] = []
        var index = 0
        while index < bytes.count {
            let end = min(bytes.count, index + chunk)
            ops += try decoder.feed(bytes[index..<end])
            index = end
        }
        try decoder.finish()
        return ops
    }

    private let sampleOperations: [DeltaOperation] = [
        .literal([1]), .literal(Array(repeating: 7, count: 64)), .literal(Array(repeating: 8, count: 65)),
        .literal(pseudoRandomBytes(300)), .literal(pseudoRandomBytes(70_000, seed: 3)),
        .copy(offset: 0, length: 1), .copy(offset: 255, length: 256), .copy(offset: 65_536, length: 65_535),
        .copy(offset: 0x1_0000_0000, length: 0xffff_ffff), .copy(offset: 0x7fff_ffff_ffff, length: 0x1_0000_0000),
    ]

    func testRoundTripWholeAndByteByByte() throws {
        var encoder = DeltaEncoder()
        for op in sampleOperations { encoder.append(op) }
        let bytes = encoder.finish()
        XCTAssertEqual(Array(bytes.prefix(4)), [0x72, 0x73, 0x02, 0x36])
        XCTAssertEqual(try decodeAll(bytes, chunk: bytes.count), sampleOperations)
        XCTAssertEqual(try decodeAll(bytes, chunk: 1), sampleOperations)
        XCTAssertEqual(try decodeAll(bytes, chunk: 7), sampleOperations)
    }

    func testPiecesHandLiteralRunsOverInPlace() throws {
        var encoder = DeltaEncoder()
        for op in sampleOperations { encoder.append(op) }
        let bytes = encoder.finish()
        for chunk in [1, 5, 4096, bytes.count] {
            var decoder = DeltaDecoder()
            var rebuilt: [DeltaOperation] = []
            var literal: [UInt8] = []
            var pieces = 0
            for start in stride(from: 0, to: bytes.count, by: chunk) {
                try bytes[start..<min(bytes.count, start + chunk)].withUnsafeBytes { input in
                    try decoder.feed(input) { piece in
                        pieces += 1
                        switch piece {
                        case .copy(let offset, let length): rebuilt.append(.copy(offset: offset, length: length))
                        case .literal(let run, let ends):
                            literal += run
                            if ends { rebuilt.append(.literal(literal)); literal = [] }
                        }
                    }
                }
            }
            XCTAssertTrue(decoder.isFinished)
            XCTAssertEqual(rebuilt, sampleOperations, "chunk \(chunk)")
            if chunk == bytes.count { XCTAssertEqual(pieces, sampleOperations.count, "one piece per command when fed whole") }
        }
    }

    func testSmallestEncodingsAsLibrsyncWritesThem() {
        var encoder = DeltaEncoder()
        encoder.append(.literal([0xAA, 0xBB]))
        encoder.append(.copy(offset: 0, length: 4864))
        encoder.append(.literal(Array(repeating: 1, count: 276)))
        XCTAssertEqual(encoder.finish(), [0x72, 0x73, 0x02, 0x36, 0x02, 0xAA, 0xBB, 0x46, 0x00, 0x13, 0x00, 0x42, 0x01, 0x14]
                       + Array(repeating: 1, count: 276) + [0x00])
    }

    func testLongLiteralsComeOutInChunks() throws {
        var encoder = DeltaEncoder()
        let data = pseudoRandomBytes(10_000, seed: 9)
        encoder.append(.literal(data))
        var decoder = DeltaDecoder(literalChunk: 4096)
        let ops = try decoder.feed(encoder.finish())
        XCTAssertEqual(ops.count, 3)
        XCTAssertEqual(ops.flatMap { op -> [UInt8] in if case .literal(let b) = op { return b } else { return [] } }, data)
        XCTAssertTrue(decoder.isFinished)
    }

    func testMalformedInputs() {
        func error(_ bytes: [UInt8]) -> DeltaFormatError.Kind? {
            var decoder = DeltaDecoder()
            do {
                _ = try decoder.feed(bytes)
                try decoder.finish()
                return nil
            } catch {
                return error.kind
            }
        }
        XCTAssertEqual(error([0x72, 0x73, 0x01, 0x36, 0]), .badMagic(0x7273_0136))
        XCTAssertEqual(error([0x72, 0x73, 0x02, 0x36, 0x55]), .unknownCommand(0x55, offset: 4))
        XCTAssertEqual(error([0x72, 0x73, 0x02, 0x36, 0x05, 1, 2]), .truncated(offset: 7))
        XCTAssertEqual(error([0x72, 0x73, 0x02, 0x36, 0x46, 0x00]), .truncated(offset: 6))
        XCTAssertEqual(error([0x72, 0x73, 0x02, 0x36]), .truncated(offset: 4), "no END")
        XCTAssertEqual(error([0x72, 0x73]), .truncated(offset: 2))
        XCTAssertNil(error([0x72, 0x73, 0x02, 0x36, 0x00]), "an empty delta is valid")
    }

    // MARK: Against rdiff

    private func rdiff(_ arguments: [String]) throws -> ProcessResult {
        guard access(rdiffPath, X_OK) == 0 else {
            XCTFail("rdiff is required at \(rdiffPath) (the delta format's oracle; make test installs it)")
            return ProcessResult(status: -1, stdout: "", stderr: "")
        }
        return try SyncCoreTests.run(rdiffPath, arguments)
    }

    /// A basis and a new version with inserts, deletes and overwrites at both ends and inside.
    private func makeVersions(_ tmp: TemporaryDirectory, size: Int, seed: UInt64) -> (basis: String, new: String, newBytes: [UInt8]) {
        let basis = pseudoRandomBytes(size, seed: seed)
        var new = basis
        if size > 0 {
            new.replaceSubrange(0..<min(10, size), with: pseudoRandomBytes(25, seed: seed + 1))
            new.insert(contentsOf: Array("inserted in the middle".utf8), at: new.count / 2)
            if new.count > 5000 { new.removeSubrange(3000..<3500) }
            new += pseudoRandomBytes(100, seed: seed + 2)
        }
        writeFile(tmp("basis"), basis)
        writeFile(tmp("new"), new)
        return (tmp("basis"), tmp("new"), new)
    }

    func testWeApplyRdiffDeltas() throws {
        for (size, seed) in [(0, 1), (1, 2), (2047, 3), (2048, 4), (2049, 5), (300_000, 6), (3 << 20, 7)] as [(Int, UInt64)] {
            let tmp = try TemporaryDirectory()
            let v = makeVersions(tmp, size: size, seed: seed)
            XCTAssertEqual(try rdiff(["signature", v.basis, tmp("sig")]).status, 0)
            XCTAssertEqual(try rdiff(["delta", tmp("sig"), v.new, tmp("delta")]).status, 0)
            let stats = try DeltaPatch.apply(basisPath: v.basis, deltaPath: tmp("delta"), outputPath: tmp("out"))
            XCTAssertEqual(readFile(tmp("out")), v.newBytes, "size \(size)")
            XCTAssertEqual(stats.outputBytes, UInt64(v.newBytes.count))
            if size >= 300_000 { XCTAssertGreaterThan(stats.matchedBytes, stats.literalBytes * 10, "rdiff matched most of it") }
        }
    }

    func testRdiffAppliesOurDeltas() throws {
        let tmp = try TemporaryDirectory()
        let basis = pseudoRandomBytes(200_000, seed: 11)
        writeFile(tmp("basis"), basis)
        // New = tail of the basis, a literal, the head of the basis (copies out of order), a big literal.
        let literal = Array("swiftsync".utf8)
        let big = pseudoRandomBytes(70_000, seed: 12)
        var encoder = DeltaEncoder()
        encoder.append(.copy(offset: 150_000, length: 50_000))
        encoder.append(.literal(literal))
        encoder.append(.copy(offset: 0, length: 300))
        encoder.append(.literal(big))
        writeFile(tmp("delta"), encoder.finish())
        XCTAssertEqual(try rdiff(["patch", tmp("basis"), tmp("delta"), tmp("out")]).status, 0)
        XCTAssertEqual(readFile(tmp("out")), Array(basis[150_000...]) + literal + Array(basis[..<300]) + big)
    }

    func testBadDeltaLeavesNoOutput() throws {
        let tmp = try TemporaryDirectory()
        writeFile(tmp("basis"), pseudoRandomBytes(1000))
        let cases: [(String, [UInt8])] = [
            ("truncated", [0x72, 0x73, 0x02, 0x36, 0x05, 1, 2]),
            ("magic", [0x52, 0x53, 0x01, 0x36, 0x00]),
            ("outside", [0x72, 0x73, 0x02, 0x36, 0x46, 0x00, 0x13, 0x00, 0x00]),
        ]
        for (name, bytes) in cases {
            writeFile(tmp(name), bytes)
            XCTAssertThrowsError(try DeltaPatch.apply(basisPath: tmp("basis"), deltaPath: tmp(name), outputPath: tmp("out-" + name))) {
                guard case .format = $0 as? DeltaPatch.Failure else { return XCTFail("\(name): \($0)") }
            }
            XCTAssertEqual(access(tmp("out-" + name), F_OK), -1, "\(name): no output file may be left")
            XCTAssertEqual(directoryNames(tmp("")).filter { $0.hasPrefix(".") }, [], "\(name): no temp file left")
        }
    }
}
