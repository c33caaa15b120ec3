import SyncCore
import XCTest
@testable import SwiftsyncCLI

/// `-z` and its companions as rsync 3.5.0 reads them (each expectation checked against it:
/// all are accepted on a local sync, which compresses nothing).
final class CompressionOptionsTests: XCTestCase {
    func testAlgorithmNamesAreRsyncsInAnyCaseAndOneAtATime() {
        XCTAssertEqual(CompressionOptions.Algorithm.allCases.map(\.rawValue), ["zstd", "lz4", "zlibx", "zlib", "none"])
        XCTAssertEqual(CompressionOptions.algorithm(named: "ZSTD"), .zstd)
        XCTAssertEqual(CompressionOptions.algorithm(named: "Lz4"), .lz4)
        // rsync: "unknown compress name: lz4,zstd" (code 4), also for the empty name.
        for refused in ["lz4,zstd", "", "gzip", "zlib "] {
            XCTAssertNil(CompressionOptions.algorithm(named: refused), refused)
        }
    }

    func testNumbersAsRsyncReadsThem() {
        XCTAssertEqual(CompressionOptions.number(""), 0, "--zl= is 0")
        XCTAssertEqual(CompressionOptions.number("-2"), -2)
        XCTAssertEqual(CompressionOptions.number("99"), 99)
        XCTAssertNil(CompressionOptions.number("x"))
        XCTAssertNil(CompressionOptions.number("3k"))
    }

    func testParsedFromTheCommandLine() throws {
        var options = try parsedOptions(["-avz"])
        XCTAssertEqual(options.compression.requested, 1)
        XCTAssertTrue(options.compression.isEnabled)
        options = try parsedOptions(["-zz", "--zc=LZ4", "--zl=-1", "--zt", "2", "--skip-compress=gz/jpg//mp4"])
        XCTAssertEqual(options.compression.requested, 2)
        XCTAssertEqual(options.compression.choice, .lz4)
        XCTAssertEqual(options.compression.level, -1)
        XCTAssertEqual(options.compression.threads, 2)
        XCTAssertEqual(options.compression.skippedSuffixes, ["gz", "jpg", "mp4"])
        XCTAssertFalse(try parsedOptions(["--compress-choice=none", "-z"]).compression.isEnabled, "none is off")
        XCTAssertFalse(try parsedOptions(["-z", "--no-compress"]).compression.isEnabled)
        XCTAssertTrue(try parsedOptions(["--no-z", "--new-compress"]).compression.isEnabled)
        XCTAssertFalse(try parsedOptions(["-a"]).compression.isEnabled)
    }

    func testAnEmptyNumberIsZeroNotTheNextArgument() throws {
        let filled = RsyncArguments.fillingEmptyValues(["--zl=", "src/", "--compress-threads=", "--", "--zl="])
        XCTAssertEqual(filled, ["--zl=0", "src/", "--compress-threads=0", "--", "--zl="])
        XCTAssertEqual(try parsedOptions([filled[0], filled[2]]).compression.level, 0)
    }

    func testAnEmptyFormatIsEmptyNotTheNextArgument() {
        XCTAssertEqual(RsyncArguments.fillingEmptyValues(["--out-format=", "src/", "--log-file-format=", "--log-format=x", "--", "--out-format="]),
                       ["--out-format", "", "src/", "--log-file-format", "", "--log-format=x", "--", "--out-format="])
    }

    func testAnUnreadableNumberIsAUsageError() {
        XCTAssertTrue(usageError(["--compress-level=x"]).contains("--compress-level=x: invalid numeric value"))
        XCTAssertTrue(usageError(["--zt=2k"]).contains("--compress-threads=2k: invalid numeric value"))
    }

    func testAnUnknownNameEndsTheRunWithRsyncsCode() throws {
        XCTAssertThrowsError(try parsedOptions(["--zc=brotli"])) { error in
            XCTAssertEqual((error as? RunEnded)?.code, .unsupported)
        }
        XCTAssertEqual(SyncCore.ExitCode.unsupported.rawValue, 4)
    }
}
