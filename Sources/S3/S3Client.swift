import AWSCore
import AsyncHTTPClient
import Logging
import NIOCore
import NIOHTTP1

/// S3's REST API over AsyncHTTPClient: each request signed with SigV4 and retried with backoff
/// (``RetryPolicy``) on throttling, 5xx answers and dropped connections. Operations are in
/// `S3Client+Objects.swift` and `S3Client+Multipart.swift`.
public final class S3Client: Sendable {
    public let endpoint: S3Endpoint
    /// nil: anonymous requests (public buckets; boto-rsync's `--anon`).
    let signer: SigV4Signer?
    let http: HTTPClient
    let retry: RetryPolicy
    let logger: Logger
    /// Per-attempt limit for one request.
    let timeout: TimeAmount
    /// Requests in flight, across everything this client does.
    let limiter: RequestLimiter

    public init(endpoint: S3Endpoint, credentials: AWSCredentials?, retry: RetryPolicy = RetryPolicy(),
                timeoutSeconds: Int64 = 300, concurrency: Int = 16, logger: Logger = Logger(label: "swiftsync.s3", factory: { _ in SwiftLogNoOpLogHandler() })) {
        self.endpoint = endpoint
        signer = credentials.map { SigV4Signer(credentials: $0, region: endpoint.region, service: "s3") }
        var configuration = HTTPClient.Configuration()
        configuration.decompression = .disabled
        configuration.connectionPool.concurrentHTTP1ConnectionsPerHostSoftLimit = max(8, concurrency)
        http = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
        self.retry = retry
        self.logger = logger
        timeout = .seconds(timeoutSeconds)
        limiter = RequestLimiter(limit: concurrency)
    }

    /// Closes the connections; call once when done.
    public func shutdown() async {
        try? await http.shutdown()
    }

    /// One S3 call: what to send and how to name it in errors.
    struct Call: Sendable {
        var operation: String
        var method: HTTPMethod
        var bucket: String
        var key: String?
        var query: [(String, String)] = []
        var headers: [(String, String)] = []
        /// Makes the body afresh for every attempt (nil: no body).
        var body: (@Sendable () -> RequestBody)?
        /// Statuses that are answers, not errors (404 for a HEAD of a missing object).
        var accepted: Set<Int> = []
    }

    struct RequestBody: Sendable {
        var length: Int
        var payloadHash: String
        var contentMD5: String?
        var stream: HTTPClientRequest.Body
    }

    struct Response: Sendable {
        var status: Int
        var headers: HTTPHeaders
        var body: [UInt8]
    }

    /// Sends `call`, retrying what is worth retrying; throws ``S3Error`` with the last failure.
    func send(_ call: Call, collectingUpTo limit: Int = 16 << 20) async throws -> Response {
        try await retrying(call) {
            let response = try await attemptOnce(call, limit: limit)
            guard (200..<300).contains(response.status) || call.accepted.contains(response.status) else {
                throw S3Error.from(body: response.body, status: response.status, operation: call.operation, bucket: call.bucket, key: call.key)
            }
            return response
        }
    }

    /// Runs `attempt` until it succeeds, fails for good, or the retries are spent. A thrown
    /// ``S3Error`` with a status is an answer (retried when it is throttling or a 5xx); any
    /// other error is a dropped or failed connection (retried). Throws the last failure.
    func retrying<T>(_ call: Call, _ attempt: () async throws -> T) async throws -> T {
        var attempts = 0
        while true {
            let outcome: RetryPolicy.Outcome
            let failure: S3Error
            do {
                return try await limiter.withPermit(attempt)
            } catch let error as CancellationError {
                throw error
            } catch let error as S3Error where error.status != nil {
                failure = error
                outcome = .status(error.status!, code: error.code)
            } catch let error as S3Error {
                failure = error
                outcome = .transportError
            } catch {
                failure = S3Error(operation: call.operation, bucket: call.bucket, key: call.key, status: nil, code: nil, message: "\(error)")
                outcome = .transportError
            }
            guard let delay = retry.delay(after: outcome, attempt: attempts, random: { Double.random(in: 0..<1) }) else { throw failure }
            logger.debug("retrying", metadata: ["operation": "\(call.operation)", "key": "\(call.key ?? "")", "after": "\(failure)",
                                                "delay": "\(delay)"])
            attempts += 1
            try await Task.sleep(nanoseconds: UInt64(delay * 1e9))
        }
    }

    /// The signed HTTP request for `call` (with its body, made afresh).
    func signedRequest(for call: Call) -> HTTPClientRequest {
        let (host, path) = endpoint.location(bucket: call.bucket, key: call.key)
        let body = call.body?()
        var headers = call.headers
        if let body {
            headers.append(("content-length", String(body.length)))
            if let md5 = body.contentMD5 { headers.append(("content-md5", md5)) }
        }
        let request = SigV4Signer.Request(method: call.method.rawValue, host: host, path: path, query: call.query, headers: headers,
                                          payloadHash: body?.payloadHash ?? SigV4Signer.emptyPayloadHash)
        let signed = signer?.signedHeaders(for: request, at: AWSTime.now()) ?? []
        let query = call.query.map { "\(AWSURI.encode($0.0))=\(AWSURI.encode($0.1))" }.joined(separator: "&")
        var http = HTTPClientRequest(url: "\(endpoint.scheme)://\(host)\(path)" + (query.isEmpty ? "" : "?\(query)"))
        http.method = call.method
        for (name, value) in headers + signed where name != "host" { http.headers.add(name: name, value: value) }
        if let body { http.body = body.stream }
        logger.trace("request", metadata: ["method": "\(call.method)", "path": "\(path)", "query": "\(query)"])
        return http
    }

    private func attemptOnce(_ call: Call, limit: Int) async throws -> Response {
        let http = signedRequest(for: call)
        let response = try await self.http.execute(http, timeout: timeout, logger: logger)
        var collected: [UInt8] = []
        if call.method != .HEAD {
            var buffer = try await response.body.collect(upTo: limit)
            collected = buffer.readBytes(length: buffer.readableBytes) ?? []
        }
        return Response(status: Int(response.status.code), headers: response.headers, body: collected)
    }
}

extension S3Client.RequestBody {
    /// A body held in memory (XML documents, small objects).
    static func bytes(_ bytes: [UInt8]) -> S3Client.RequestBody {
        let hash = bytes.withUnsafeBytes { SigV4Signer.payloadHash($0) }
        return .init(length: bytes.count, payloadHash: hash, contentMD5: S3ETag.base64(S3ETag.md5(bytes)),
                     stream: .bytes(ByteBuffer(bytes: bytes)))
    }
}
