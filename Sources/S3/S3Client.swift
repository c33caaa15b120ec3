import AWSCore
import AsyncHTTPClient
import Logging
import NIOCore
import NIOHTTP1

/// S3's REST API over AWSCore's ``AWSTransport``: each request signed with SigV4 (or
/// anonymous), at most `concurrency` in flight, retried with backoff on throttling, 5xx answers
/// and dropped connections. Operations are in `S3Client+Objects.swift`, `+Multipart`,
/// `+Download` and `+Copy`; this file turns an S3 call (bucket, key) into a transport request
/// and a transport error into an ``S3Error`` that names the object.
public final class S3Client: Sendable {
    public let endpoint: S3Endpoint
    let transport: AWSTransport
    let http: HTTPClient
    let logger: Logger

    public init(endpoint: S3Endpoint, credentials: AWSCredentials?, retry: RetryPolicy = RetryPolicy(),
                timeoutSeconds: Int64 = 300, concurrency: Int = 16, showsErrorBodies: Bool = false,
                logger: Logger = Logger(label: "swiftsync.s3", factory: { _ in SwiftLogNoOpLogHandler() })) {
        self.endpoint = endpoint
        http = HTTPClient(eventLoopGroupProvider: .singleton, configuration: AWSTransport.clientConfiguration(connectionsPerHost: concurrency))
        transport = AWSTransport(service: "s3", region: endpoint.region,
                                 endpoint: AWSEndpoint(scheme: endpoint.scheme, host: endpoint.host, port: endpoint.port),
                                 credentials: credentials, retry: retry, timeoutSeconds: timeoutSeconds, http: http,
                                 limiter: RequestLimiter(limit: concurrency), showsErrorBodies: showsErrorBodies, logger: logger)
        self.logger = logger
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
        /// The body (made afresh for every attempt) or nil.
        var body: AWSRequest.Body?
        /// Statuses that are answers, not errors (404 for a HEAD of a missing object).
        var accepted: Set<Int> = []

        /// The transport's request: the bucket in the host or the path, as the endpoint addresses it.
        func request(at endpoint: S3Endpoint) -> AWSRequest {
            let (host, path) = endpoint.location(bucket: bucket, key: key)
            return AWSRequest(operation: operation, method: method, path: path, query: query, headers: headers, body: body,
                              host: host, accepted: accepted)
        }

        /// The transport's error, naming the object.
        func failure(_ error: AWSError) -> S3Error {
            S3Error(operation: operation, bucket: bucket, key: key, status: error.status, code: error.code, message: error.message)
        }
    }

    typealias Response = AWSResponse

    /// Sends `call`, retrying what is worth retrying; throws ``S3Error`` with the last failure.
    func send(_ call: Call, collectingUpTo limit: Int = 16 << 20) async throws -> Response {
        do {
            return try await transport.send(call.request(at: endpoint), collectingUpTo: limit)
        } catch let error as AWSError {
            throw call.failure(error)
        }
    }

    /// Sends `call` and hands a successful answer to `consume` as it arrives (retried from the
    /// start when the connection drops, also mid-body; ``AWSTransport/Final`` ends it at once).
    func stream<T>(_ call: Call, consume: (HTTPClientResponse) async throws -> T) async throws -> T {
        do {
            return try await transport.stream(call.request(at: endpoint), consume: consume)
        } catch let error as AWSError {
            throw call.failure(error)
        }
    }
}

extension AWSRequest.Body {
    /// A body held in memory (XML documents, small objects), with the Content-MD5 S3 checks.
    static func s3(_ bytes: [UInt8]) -> AWSRequest.Body {
        .bytes(bytes, contentMD5: S3ETag.base64(S3ETag.md5(bytes)))
    }
}
