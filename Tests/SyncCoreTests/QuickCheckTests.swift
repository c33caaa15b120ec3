import XCTest
@testable import SyncCore
import SyncSystem

/// rsync's decision whether a regular file that exists on both sides is sent.
final class QuickCheckTests: XCTestCase {
    private func status(size: Int64, seconds: Int64, nanoseconds: Int32 = 0) -> FileStatus {
        FileStatus(kind: .regular, permissions: 0o644, size: size, mtime: FileTime(seconds: seconds, nanoseconds: nanoseconds))
    }

    private func decide(_ source: FileStatus, _ destination: FileStatus, _ configure: (inout SyncOptions) -> Void = { _ in })
        -> QuickCheck.Decision {
        var options = SyncOptions()
        options.setArchive()
        configure(&options)
        return QuickCheck.decide(source: source, destination: destination, options: options)
    }

    func testSameSizeAndSecondsIsUpToDateEvenWithDifferentNanoseconds() {
        XCTAssertEqual(decide(status(size: 10, seconds: 1000), status(size: 10, seconds: 1000)), .upToDate)
        XCTAssertEqual(decide(status(size: 10, seconds: 1000, nanoseconds: 1), status(size: 10, seconds: 1000, nanoseconds: 999_999_999)),
                       .upToDate)
    }

    func testDifferentSizeOrSecondsIsTransferred() {
        XCTAssertEqual(decide(status(size: 10, seconds: 1000), status(size: 11, seconds: 1000)), .transfer)
        XCTAssertEqual(decide(status(size: 10, seconds: 1000), status(size: 10, seconds: 1001)), .transfer)
        XCTAssertEqual(decide(status(size: 10, seconds: 1001), status(size: 10, seconds: 1000)), .transfer)
        XCTAssertEqual(decide(status(size: 0, seconds: 0), status(size: 0, seconds: -1)), .transfer)
    }

    func testModifyWindow() {
        let window: (inout SyncOptions) -> Void = { $0.modifyWindow = 1 }
        XCTAssertEqual(decide(status(size: 1, seconds: 1000), status(size: 1, seconds: 1001), window), .upToDate)
        XCTAssertEqual(decide(status(size: 1, seconds: 1001), status(size: 1, seconds: 1000), window), .upToDate)
        XCTAssertEqual(decide(status(size: 1, seconds: 1000), status(size: 1, seconds: 1002), window), .transfer)
        XCTAssertEqual(decide(status(size: 1, seconds: 1000), status(size: 2, seconds: 1000), window), .transfer)
        XCTAssertTrue(QuickCheck.sameModificationTime(FileTime(seconds: 5), FileTime(seconds: 5), window: -3))
        XCTAssertFalse(QuickCheck.sameModificationTime(FileTime(seconds: 5), FileTime(seconds: 6), window: -3))
        XCTAssertTrue(QuickCheck.sameModificationTime(FileTime(seconds: 0), FileTime(seconds: 3600), window: 3600))
    }

    func testSizeOnly() {
        let sizeOnly: (inout SyncOptions) -> Void = { $0.sizeOnly = true }
        XCTAssertEqual(decide(status(size: 5, seconds: 1), status(size: 5, seconds: 999), sizeOnly), .upToDate)
        XCTAssertEqual(decide(status(size: 5, seconds: 1), status(size: 6, seconds: 1), sizeOnly), .transfer)
    }

    func testIgnoreTimesTransfersEqualFiles() {
        XCTAssertEqual(decide(status(size: 5, seconds: 1), status(size: 5, seconds: 1)) { $0.ignoreTimes = true }, .transfer)
    }

    func testChecksumComparesContentsWhenSizesMatch() {
        let checksum: (inout SyncOptions) -> Void = { $0.checksum = true }
        XCTAssertEqual(decide(status(size: 5, seconds: 1), status(size: 5, seconds: 1), checksum), .compareChecksums)
        XCTAssertEqual(decide(status(size: 5, seconds: 1), status(size: 5, seconds: 99), checksum), .compareChecksums)
        XCTAssertEqual(decide(status(size: 5, seconds: 1), status(size: 6, seconds: 1), checksum), .transfer)
    }

    func testUpdateSkipsNewerDestinations() {
        let update: (inout SyncOptions) -> Void = { $0.update = true }
        XCTAssertEqual(decide(status(size: 5, seconds: 100), status(size: 9, seconds: 101), update), .skip)
        XCTAssertEqual(decide(status(size: 5, seconds: 101), status(size: 9, seconds: 100), update), .transfer)
        // Equal times: sizes decide, as rsync's man page says.
        XCTAssertEqual(decide(status(size: 5, seconds: 100), status(size: 9, seconds: 100), update), .transfer)
        XCTAssertEqual(decide(status(size: 5, seconds: 100), status(size: 5, seconds: 100), update), .upToDate)
        // Within the modify window the destination is not "newer".
        XCTAssertEqual(decide(status(size: 5, seconds: 100), status(size: 9, seconds: 101)) { $0.update = true; $0.modifyWindow = 1 },
                       .transfer)
        // Nanoseconds do not make a destination newer.
        XCTAssertEqual(decide(status(size: 5, seconds: 100, nanoseconds: 0), status(size: 9, seconds: 100, nanoseconds: 5)) { $0.update = true },
                       .transfer)
    }

    func testIgnoreExistingSkipsEverything() {
        let ignore: (inout SyncOptions) -> Void = { $0.ignoreExisting = true }
        XCTAssertEqual(decide(status(size: 5, seconds: 1), status(size: 6, seconds: 2), ignore), .skip)
        XCTAssertEqual(decide(status(size: 5, seconds: 1), status(size: 5, seconds: 1), ignore), .skip)
        XCTAssertEqual(decide(status(size: 5, seconds: 1), status(size: 5, seconds: 1)) { $0.ignoreExisting = true; $0.checksum = true }, .skip)
    }

    /// rsync's quick check (`quick_check_ok`) looks at `--size-only` before `-I`: with both, a
    /// file of equal size is left alone (installed rsync: `-I --size-only` prints
    /// `.f..t...... f`, not `>f`).
    func testSizeOnlyWinsOverIgnoreTimesLikeRsync() {
        XCTAssertEqual(decide(status(size: 5, seconds: 1), status(size: 5, seconds: 2)) { $0.ignoreTimes = true; $0.sizeOnly = true },
                       .upToDate)
    }

    /// rsync compares checksums before it looks at `-I`: with `-c -I` an identical file is not
    /// sent (installed rsync: `-c -I` on identical files prints nothing).
    func testChecksumWinsOverIgnoreTimesLikeRsync() {
        XCTAssertEqual(decide(status(size: 5, seconds: 1), status(size: 5, seconds: 1)) { $0.ignoreTimes = true; $0.checksum = true },
                       .compareChecksums)
    }

    /// rsync compares checksums before it looks at `--size-only` (installed rsync:
    /// `-c --size-only` on same-size files with different bytes prints `>fc........ f`).
    func testChecksumWinsOverSizeOnlyLikeRsync() {
        XCTAssertEqual(decide(status(size: 5, seconds: 1), status(size: 5, seconds: 1)) { $0.checksum = true; $0.sizeOnly = true },
                       .compareChecksums)
    }

    /// `--modify-window -1` (accepted as rsync accepts it) must not make equal times "newer"
    /// for `-u`: with the raw window, `dst > src - 1` skipped every file of equal time.
    func testUpdateWithNegativeWindowDoesNotSkipEqualTimes() {
        XCTAssertEqual(decide(status(size: 5, seconds: 100), status(size: 9, seconds: 100)) { $0.update = true; $0.modifyWindow = -1 },
                       .transfer)
        XCTAssertEqual(decide(status(size: 5, seconds: 100), status(size: 9, seconds: 101)) { $0.update = true; $0.modifyWindow = -1 },
                       .skip)
    }

    private func version(size: Int64 = 5, mtime: Int64, ctime: Int64 = 0) -> QuickCheck.Version {
        QuickCheck.Version(size: size, mtime: FileTime(seconds: mtime), changeTime: FileTime(seconds: ctime))
    }

    private func decide(_ source: QuickCheck.Version, _ destination: QuickCheck.Version, rule: QuickCheck.TimeRule,
                        _ configure: (inout SyncOptions) -> Void = { _ in }) -> QuickCheck.Decision {
        var options = SyncOptions()
        options.setArchive()
        configure(&options)
        return QuickCheck.decide(source: source, destination: destination, rule: rule, options: options)
    }

    /// An object's LastModified is when it was written: only a source changed after it is stale;
    /// an object written later than the file's mtime (every upload) is up to date.
    func testWrittenAfterSourceRule() {
        XCTAssertEqual(decide(version(mtime: 100), version(mtime: 200), rule: .writtenAfterSource), .upToDate)
        XCTAssertEqual(decide(version(mtime: 100), version(mtime: 100), rule: .writtenAfterSource), .upToDate)
        XCTAssertEqual(decide(version(mtime: 201), version(mtime: 200), rule: .writtenAfterSource), .transfer)
        XCTAssertEqual(decide(version(mtime: 201), version(mtime: 200), rule: .writtenAfterSource) { $0.modifyWindow = 1 }, .upToDate)
        XCTAssertEqual(decide(version(size: 5, mtime: 100), version(size: 6, mtime: 200), rule: .writtenAfterSource), .transfer)
        // The order of checks is the local one: -u, --size-only, -c, -I.
        XCTAssertEqual(decide(version(mtime: 100), version(mtime: 200), rule: .writtenAfterSource) { $0.update = true }, .skip)
        XCTAssertEqual(decide(version(mtime: 201), version(mtime: 200), rule: .writtenAfterSource) { $0.sizeOnly = true }, .upToDate)
        XCTAssertEqual(decide(version(mtime: 100), version(mtime: 200), rule: .writtenAfterSource) { $0.checksum = true }, .compareChecksums)
        XCTAssertEqual(decide(version(mtime: 100), version(mtime: 200), rule: .writtenAfterSource) { $0.ignoreTimes = true }, .transfer)
    }

    /// A downloaded copy carries the object's time as its mtime; its ctime says when it was
    /// written. Re-uploaded object (newer than the copy's ctime) or locally edited copy (mtime
    /// after the object's): stale.
    func testDownloadedCopyRule() {
        // Downloaded at 300 an object of time 200: up to date.
        XCTAssertEqual(decide(version(mtime: 200), version(mtime: 200, ctime: 300), rule: .downloadedCopy), .upToDate)
        // The object was replaced at 400, after the copy was written.
        XCTAssertEqual(decide(version(mtime: 400), version(mtime: 200, ctime: 300), rule: .downloadedCopy), .transfer)
        // The copy was edited (mtime 500) after the object's 200.
        XCTAssertEqual(decide(version(mtime: 200), version(mtime: 500, ctime: 500), rule: .downloadedCopy), .transfer)
        // The window covers both comparisons.
        XCTAssertEqual(decide(version(mtime: 301), version(mtime: 200, ctime: 300), rule: .downloadedCopy) { $0.modifyWindow = 1 },
                       .upToDate)
        XCTAssertEqual(decide(version(mtime: 200), version(mtime: 201, ctime: 300), rule: .downloadedCopy) { $0.modifyWindow = 1 },
                       .upToDate)
    }

    /// The local rule through ``QuickCheck/Version`` is the FileStatus one.
    func testSameModificationTimeRuleMatchesTheLocalCheck() {
        for (s, d) in [(100, 100), (100, 101), (101, 100)] as [(Int64, Int64)] {
            XCTAssertEqual(decide(version(mtime: s), version(mtime: d), rule: .sameModificationTime),
                           decide(status(size: 5, seconds: s), status(size: 5, seconds: d)))
        }
    }
}
