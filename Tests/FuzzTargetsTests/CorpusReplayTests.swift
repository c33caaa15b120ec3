import Foundation
import XCTest

import FuzzTargets

/// Replays every input under `fixtures/fuzz/<target>/` (the seeds and every crasher `make fuzz`
/// ever saved) through the same function the fuzzer runs: a crasher that comes back crashes
/// this test. `FUZZ_REPLAY_VERBOSE=1` names each file before it runs.
final class CorpusReplayTests: XCTestCase {
    static let corpusRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("fixtures/fuzz")

    func replay(_ name: String, file: StaticString = #filePath, line: UInt = #line) throws {
        let target = try XCTUnwrap(FuzzTarget.named(name), "no fuzz target \(name)", file: file, line: line)
        let directory = Self.corpusRoot.appendingPathComponent(name)
        let names = try FileManager.default.contentsOfDirectory(atPath: directory.path).sorted()
        let verbose = ProcessInfo.processInfo.environment["FUZZ_REPLAY_VERBOSE"] != nil
        var replayed = 0
        for entry in names where !entry.hasPrefix(".") {
            let url = directory.appendingPathComponent(entry)
            if verbose { print("replaying \(url.path)") }
            let bytes = try [UInt8](Data(contentsOf: url))
            bytes.withUnsafeBytes { target.run($0) }
            replayed += 1
        }
        XCTAssertGreaterThan(replayed, 0, "fixtures/fuzz/\(name)/ holds no input", file: file, line: line)
    }

    func testSignature() throws { try replay("signature") }
    func testDelta() throws { try replay("delta") }
    func testCompressedDelta() throws { try replay("delta-zlib") }
    func testFilterRules() throws { try replay("filter") }
    func testChmod() throws { try replay("chmod") }
    func testXML() throws { try replay("xml") }
    func testINI() throws { try replay("ini") }
    func testETag() throws { try replay("etag") }
    func testHTTPDate() throws { try replay("http-date") }
    func testLogFormat() throws { try replay("log-format") }
    func testSymlinkSafety() throws { try replay("symlink-safety") }

    /// Every target has a test above and a corpus, and every corpus directory names a target.
    func testEveryTargetHasACorpus() throws {
        let directories = try FileManager.default.contentsOfDirectory(atPath: Self.corpusRoot.path).filter { !$0.hasPrefix(".") }
        XCTAssertEqual(Set(directories), Set(FuzzTarget.all.map(\.name)))
        XCTAssertEqual(FuzzTarget.all.count, 11, "a new target needs its replay test here")
    }

    /// An empty input and a few odd ones, whatever the corpus holds.
    func testDegenerateInputs() {
        let inputs: [[UInt8]] = [[], [0], [0xff], [UInt8](repeating: 0, count: 64), [UInt8](repeating: 0xff, count: 64)]
        for target in FuzzTarget.all {
            for input in inputs { input.withUnsafeBytes { target.run($0) } }
        }
    }
}
