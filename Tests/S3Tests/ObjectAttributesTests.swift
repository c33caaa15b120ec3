import AWSCore
import SyncCore
import XCTest
@testable import S3
import SyncSystem

final class ObjectAttributesTests: XCTestCase {
    func testRoundTripAndOtherToolsFormats() {
        let stored = Dictionary(uniqueKeysWithValues: ObjectAttributes.metadata(mtime: FileTime(seconds: 1_700_000_000, nanoseconds: 5),
                                                                                permissions: 0o4755))
        XCTAssertEqual(stored["mtime"], "1700000000.000000005", "nine digits of fraction: 5 ns is not half a second")
        XCTAssertEqual(stored["mode"], "4755")
        XCTAssertEqual(ObjectAttributes(metadata: stored), ObjectAttributes(mtime: FileTime(seconds: 1_700_000_000, nanoseconds: 5), permissions: 0o4755))
        XCTAssertEqual(ObjectAttributes(metadata: ["mtime": "1700000000.5"]).mtime, FileTime(seconds: 1_700_000_000, nanoseconds: 500_000_000),
                       "rclone writes a decimal fraction")
        XCTAssertEqual(ObjectAttributes(metadata: ["mtime": "1700000000"]).mtime, FileTime(seconds: 1_700_000_000))
        let s3cmd = ObjectAttributes(metadata: ["s3cmd-attrs": "atime:1/ctime:2/gid:0/gname:root/md5:abc/mode:33188/mtime:1600000000/uid:0/uname:root"])
        XCTAssertEqual(s3cmd, ObjectAttributes(mtime: FileTime(seconds: 1_600_000_000), permissions: 0o644))
        for junk in ["", "x", "1.x", "1.", "-"] { XCTAssertNil(ObjectAttributes(metadata: ["mtime": junk]).mtime, junk) }
        XCTAssertNil(ObjectAttributes(metadata: ["mode": "99999"]).permissions)
    }

    func testHTTPDatesAndETagParts() {
        XCTAssertEqual(AWSTime.parseHTTPDate("Wed, 21 Oct 2015 07:28:00 GMT"), 1_445_412_480)
        XCTAssertEqual(AWSTime.parseHTTPDate("Thu, 01 Jan 1970 00:00:00 GMT"), 0)
        XCTAssertNil(AWSTime.parseHTTPDate("Wed, 21 Oct 2015 07:28:00 PST"))
        XCTAssertNil(AWSTime.parseHTTPDate("2015-10-21T07:28:00Z"))
        // Fields no server means are refused, not overflowed (a crasher of the http-date fuzz target).
        XCTAssertNil(AWSTime.parseHTTPDate("Wed, 1 Oct 77777777777777772 4:8:0 GMT"))
        XCTAssertNil(AWSTime.parseHTTPDate("Wed, 9223372036854775807 Oct 2015 07:28:00 GMT"))
        XCTAssertNil(AWSTime.parseHTTPDate("Wed, 21 Oct 2015 07:28:9223372036854775807 GMT"))
        XCTAssertNil(AWSTime.parseHTTPDate("Wed, 21 Oct 2015 25:28:00 GMT"))
        XCTAssertNil(AWSTime.parseISO8601("2015-10-21T99:28:00Z"))
        XCTAssertEqual(AWSTime.parseISO8601("2015-10-21T07:28:00.000Z"), 1_445_412_480)
        XCTAssertEqual(S3ETag.partCount("\"d41d8cd98f00b204e9800998ecf8427e-12\""), 12)
        XCTAssertNil(S3ETag.partCount("\"d41d8cd98f00b204e9800998ecf8427e\""))
        XCTAssertEqual(S3ETag.singlePartDigest("\"5d41402abc4b2a76b9719d911017c592\""), S3ETag.md5(Array("hello".utf8)))
        XCTAssertNil(S3ETag.singlePartDigest("\"5d41402abc4b2a76b9719d911017c592-2\""))
    }

    func testRequestLimiterNeverExceedsItsLimit() async throws {
        let limiter = RequestLimiter(limit: 3)
        let counter = Counter()
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<40 {
                group.addTask {
                    try await limiter.withPermit {
                        await counter.enter()
                        try await Task.sleep(nanoseconds: 2_000_000)
                        await counter.leave()
                    }
                }
            }
            try await group.waitForAll()
        }
        let peak = await counter.peak
        XCTAssertEqual(peak, 3)
    }
}

private actor Counter {
    var current = 0
    var peak = 0
    func enter() { current += 1; peak = max(peak, current) }
    func leave() { current -= 1 }
}
