import XCTest
import Synchronization
@testable import AWSCore

/// The shared signed-request loop, with the exchange, sleep and random source injected.
final class AWSTransportTests: XCTestCase {
    let credentials = AWSCredentials(accessKeyID: "AKIDEXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", sessionToken: "token-1")

    final class Script: Sendable {
        let answers: Mutex<[Result<AWSResponse, TransportFailure>]>
        let sent = Mutex<[AWSSignedRequest]>([])
        let slept = Mutex<[Double]>([])
        init(_ answers: [Result<AWSResponse, TransportFailure>]) { self.answers = Mutex(answers) }
    }

    struct TransportFailure: Error, CustomStringConvertible { var description: String { "connection reset by peer" } }

    func transport(_ script: Script, retries: Int = 3) throws -> AWSTransport {
        AWSTransport(service: "ec2", region: "eu-west-1", endpoint: try AWSEndpoint(service: "ec2", region: "eu-west-1", url: "http://127.0.0.1:5000/x"),
                     credentials: credentials, retry: RetryPolicy(retries: retries, baseDelay: 0.5, maximumDelay: 4),
                     sleep: { seconds in script.slept.withLock { $0.append(seconds) } }, random: { 0.5 },
                     now: { AWSTime(secondsSinceEpoch: 1_440_938_160) }) { request, _ in
            script.sent.withLock { $0.append(request) }
            return try script.answers.withLock { $0.removeFirst() }.get()
        }
    }

    let query = AWSRequest(operation: "DescribeVolumes", method: .POST, headers: [("content-type", "application/x-www-form-urlencoded; charset=utf-8")],
                           body: .bytes(Array("Action=DescribeVolumes&Version=2016-11-15".utf8)))

    func ec2Error(_ status: Int, _ code: String, _ message: String) -> Result<AWSResponse, TransportFailure> {
        .success(AWSResponse(status: status, body: Array("<?xml version=\"1.0\"?><Response><Errors><Error><Code>\(code)</Code><Message>\(message)</Message></Error></Errors><RequestID>req-9</RequestID></Response>".utf8)))
    }

    func testSignsTheWholeRequest() async throws {
        let script = Script([.success(AWSResponse(status: 200, body: Array("<DescribeVolumesResponse/>".utf8)))])
        let response = try await transport(script).send(query)
        XCTAssertEqual(response.status, 200)
        let sent = try XCTUnwrap(script.sent.withLock { $0.first })
        XCTAssertEqual(sent.url, "http://127.0.0.1:5000/")
        XCTAssertEqual(sent.method, .POST)
        XCTAssertEqual(sent.header("content-length"), "41")
        XCTAssertEqual(sent.header("host"), "127.0.0.1:5000")
        XCTAssertEqual(sent.header("x-amz-date"), "20150830T123600Z")
        XCTAssertEqual(sent.header("x-amz-security-token"), "token-1")
        XCTAssertNil(sent.header("x-amz-content-sha256"), "S3 only")
        XCTAssertEqual(sent.body?.bytes, Array("Action=DescribeVolumes&Version=2016-11-15".utf8))
        let signer = SigV4Signer(credentials: credentials, region: "eu-west-1", service: "ec2")
        let expected = signer.signedHeaders(for: SigV4Signer.Request(
            method: "POST", host: "127.0.0.1:5000", path: "/",
            headers: [("content-type", "application/x-www-form-urlencoded; charset=utf-8"), ("content-length", "41")],
            payloadHash: Array("Action=DescribeVolumes&Version=2016-11-15".utf8).withUnsafeBytes { SigV4Signer.payloadHash($0) }),
            at: AWSTime(secondsSinceEpoch: 1_440_938_160)).first { $0.0 == "authorization" }?.1
        XCTAssertEqual(sent.header("authorization"), expected)
        XCTAssertTrue(sent.header("authorization")!.contains("SignedHeaders=content-length;content-type;host;x-amz-date;x-amz-security-token"))
    }

    func testRetriesDroppedConnectionsServerErrorsAndThrottlingWithBackoff() async throws {
        let script = Script([.failure(TransportFailure()), ec2Error(503, "Unavailable", "try later"), ec2Error(400, "RequestLimitExceeded", "slow down"),
                             .success(AWSResponse(status: 200))])
        _ = try await transport(script).send(query)
        XCTAssertEqual(script.sent.withLock { $0.count }, 4)
        XCTAssertEqual(script.slept.withLock { $0 }, [0.25, 0.5, 1.0], "full jitter of 0.5·2^n, random fixed at 0.5")
        XCTAssertNotEqual(script.sent.withLock { $0[0].header("authorization") }, nil, "each attempt signed")
    }

    func testFinalErrorsAreTypedAndHoldNoSecret() async throws {
        let script = Script([ec2Error(400, "InvalidVolume.ZoneMismatch", "The volume is not in the same availability zone")])
        do {
            _ = try await transport(script).send(query)
            XCTFail("a 400 is final")
        } catch let error as AWSError {
            XCTAssertEqual(error, AWSError(operation: "DescribeVolumes", status: 400, code: "InvalidVolume.ZoneMismatch",
                                           message: "The volume is not in the same availability zone", requestID: "req-9"))
            XCTAssertEqual("\(error)", "DescribeVolumes failed: HTTP 400 InvalidVolume.ZoneMismatch: The volume is not in the same availability zone")
            XCTAssertEqual(script.sent.withLock { $0.count }, 1, "no retry of a client error")
        }
        let down = Script(Array(repeating: .failure(TransportFailure()), count: 3))
        do {
            _ = try await transport(down, retries: 2).send(query)
            XCTFail("every attempt failed")
        } catch let error as AWSError {
            XCTAssertTrue(error.isTransportFailure)
            XCTAssertEqual("\(error)", "DescribeVolumes failed: no answer from 127.0.0.1:5000 (connection reset by peer)")
            for secret in [credentials.secretAccessKey, "token-1"] { XCTAssertFalse("\(error)".contains(secret)) }
        }
    }

    func testErrorBodiesOfBothShapes() {
        let s3 = AWSError.from(body: Array("<Error><Code>NoSuchKey</Code><Message>gone</Message><RequestId>r1</RequestId></Error>".utf8), status: 404,
                               operation: "GetObject")
        XCTAssertEqual(s3, AWSError(operation: "GetObject", status: 404, code: "NoSuchKey", message: "gone", requestID: "r1"))
        let html = AWSError.from(body: Array("<html>bad gateway</html>".utf8), status: 502, operation: "X")
        XCTAssertEqual(html.code, nil)
        XCTAssertEqual(html.message, "the answer is not an AWS error document (24 bytes)")
        XCTAssertEqual(AWSError.from(body: [], status: 500, operation: "X").message, "no error body")
    }

    /// A proxy's page may echo our request headers: without -vv only its size is told, with
    /// -vv its start, and never a secret of ours (also not in an XML message or code).
    func testErrorBodiesThatAreNotErrorDocumentsAreNeverQuotedWithSecrets() {
        let echo = Array("<html><li>x-amz-security-token: tok-SECRET-1</li>\n<li>secret-key-2</li></html>".utf8)
        let plain = AWSError.from(body: echo, status: 400, operation: "ListObjectsV2", contentType: "text/html")
        XCTAssertEqual("\(plain)", "ListObjectsV2 failed: HTTP 400: the answer is not an AWS error document (\(echo.count) bytes of text/html)")
        let shown = AWSError.from(body: echo, status: 400, operation: "X", showingBody: true, secrets: ["tok-SECRET-1", "secret-key-2"])
        XCTAssertEqual(shown.message, "not an AWS error document: <html><li>x-amz-security-token: ***</li> <li>***</li></html>")
        let xml = AWSError.from(body: Array("<Error><Code>Bad</Code><Message>token tok-SECRET-1 refused</Message></Error>".utf8),
                                status: 403, operation: "X", secrets: ["tok-SECRET-1"])
        XCTAssertEqual(xml.message, "token *** refused")
    }

    func testTransportErrorsMaskTheCredentialsABodyEchoes() async throws {
        let credentials = AWSCredentials(accessKeyID: "AKID", secretAccessKey: "secret-value-9", sessionToken: "token-value-9")
        let echo = AWSTransport(service: "s3", region: "us-east-1", endpoint: AWSEndpoint(scheme: "http", host: "h", port: nil),
                                credentials: credentials, retry: RetryPolicy(retries: 0), showsErrorBodies: true) { request, _ in
            let headers = request.headers.map { "\($0.0): \($0.1)" }.joined(separator: "; ")
            return AWSResponse(status: 400, headers: ["content-type": "text/plain"], body: Array("echo \(headers)".utf8))
        }
        do {
            _ = try await echo.send(AWSRequest(operation: "GetObject", method: .GET, path: "/b/k"))
            XCTFail("an error answer")
        } catch let error as AWSError {
            XCTAssertTrue("\(error)".contains("x-amz-security-token: ***"), "\(error)")
            XCTAssertFalse("\(error)".contains("token-value-9") || "\(error)".contains("secret-value-9"), "\(error)")
        }
    }

    func testEndpoints() throws {
        XCTAssertEqual(try AWSEndpoint(service: "ec2", region: "eu-west-1").origin, "https://ec2.eu-west-1.amazonaws.com")
        XCTAssertEqual(try AWSEndpoint(service: "ec2", region: "x", url: "HTTP://localhost:5000/path").origin, "http://localhost:5000")
        XCTAssertEqual(try AWSEndpoint(service: "ec2", region: "x", url: "https://[::1]").authority, "[::1]")
        for bad in ["localhost:5000", "ftp://h", "http://", "http://h:0", "http://h:99999", "http://u@h", "http://:80"] {
            XCTAssertThrowsError(try AWSEndpoint(service: "ec2", region: "x", url: bad), bad)
        }
    }

    func testAFinalErrorEndsTheCallAtOnceAndCutAnswersAreRetried() async throws {
        struct DiskFull: Error {}
        let sent = Mutex(0)
        let transport = AWSTransport(service: "s3", region: "us-east-1", endpoint: AWSEndpoint(scheme: "http", host: "h", port: nil),
                                     credentials: credentials, retry: RetryPolicy(retries: 5), sleep: { _ in }) { _, _ in
            let n = sent.withLock { $0 += 1; return $0 }
            // First an answer cut short (an AWSError without a status: retried), then a local failure.
            if n == 1 { throw AWSError(operation: "GetObject", status: nil, code: nil, message: "the answer ended early") }
            throw AWSTransport.Final(DiskFull())
        }
        do {
            _ = try await transport.send(AWSRequest(operation: "GetObject", method: .GET))
            XCTFail("must throw")
        } catch is DiskFull {
        }
        XCTAssertEqual(sent.withLock { $0 }, 2, "the cut answer was retried once, the final error not at all")
    }

    func testAnonymousRequestsCarryNoSignatureAndTheLimiterBoundsAttempts() async throws {
        let limiter = RequestLimiter(limit: 2)
        let inFlight = Mutex((now: 0, peak: 0))
        let seen = Mutex<[AWSSignedRequest]>([])
        let transport = AWSTransport(service: "s3", region: "us-east-1", endpoint: AWSEndpoint(scheme: "http", host: "h", port: 9),
                                     credentials: nil, limiter: limiter) { request, _ in
            inFlight.withLock { $0.now += 1; $0.peak = max($0.peak, $0.now) }
            try await Task.sleep(nanoseconds: 3_000_000)
            inFlight.withLock { $0.now -= 1 }
            seen.withLock { $0.append(request) }
            return AWSResponse(status: 200)
        }
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<12 { group.addTask { _ = try await transport.send(AWSRequest(operation: "GetObject", method: .GET, path: "/b/k")) } }
            try await group.waitForAll()
        }
        XCTAssertEqual(inFlight.withLock { $0.peak }, 2)
        let request = try XCTUnwrap(seen.withLock { $0.first })
        XCTAssertNil(request.header("authorization"))
        XCTAssertEqual(request.url, "http://h:9/b/k")
    }
}
