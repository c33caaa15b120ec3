import XCTest
@testable import AWSCore

final class RetryPolicyTests: XCTestCase {
    func testWhatIsRetried() {
        XCTAssertTrue(RetryPolicy.isRetryable(.transportError))
        XCTAssertTrue(RetryPolicy.isRetryable(.status(500, code: "InternalError")))
        XCTAssertTrue(RetryPolicy.isRetryable(.status(503, code: "SlowDown")))
        XCTAssertTrue(RetryPolicy.isRetryable(.status(400, code: "RequestTimeout")))
        XCTAssertTrue(RetryPolicy.isRetryable(.status(429, code: nil)))
        XCTAssertFalse(RetryPolicy.isRetryable(.status(403, code: "AccessDenied")))
        XCTAssertFalse(RetryPolicy.isRetryable(.status(404, code: "NoSuchKey")))
        XCTAssertFalse(RetryPolicy.isRetryable(.status(400, code: "InvalidDigest")))
    }

    func testBackoffGrowsIsCappedJitteredAndStops() {
        let policy = RetryPolicy(retries: 4, baseDelay: 0.5, maximumDelay: 3)
        let slow = RetryPolicy.Outcome.status(503, code: "SlowDown")
        XCTAssertEqual(policy.delay(after: slow, attempt: 0) { 0.999999 }!, 0.5, accuracy: 0.001)
        XCTAssertEqual(policy.delay(after: slow, attempt: 2) { 0.999999 }!, 2, accuracy: 0.001)
        XCTAssertEqual(policy.delay(after: slow, attempt: 3) { 0.999999 }!, 3, accuracy: 0.001, "capped")
        XCTAssertEqual(policy.delay(after: slow, attempt: 1) { 0.25 }!, 0.25, accuracy: 0.001, "full jitter")
        XCTAssertNil(policy.delay(after: slow, attempt: 4) { 0.5 }, "no attempt left")
        XCTAssertNil(policy.delay(after: .status(403, code: "AccessDenied"), attempt: 0) { 0.5 })
        XCTAssertNil(RetryPolicy(retries: 0).delay(after: .transportError, attempt: 0) { 0.5 })
    }
}
