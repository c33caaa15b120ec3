import AsyncHTTPClient
import Logging
import NIOCore
import NIOHTTP1

/// One AWS API call, before signing: what to send and how to name it in errors.
public struct AWSRequest: Sendable {
    /// The API's name for the call (`CreateVolume`, `PutObject`), used in errors and logs.
    public var operation: String
    public var method: HTTPMethod
    /// Percent-encoded, as sent.
    public var path: String
    /// Decoded name/value pairs (encoded when sent and signed).
    public var query: [(String, String)]
    public var headers: [(String, String)]
    public var body: Body?
    /// Replaces the endpoint's host in `Host` and the URL (S3's virtual-hosted buckets).
    public var host: String?
    /// Statuses that are answers, not errors (404 for a HEAD of a missing object).
    public var accepted: Set<Int>

    public init(operation: String, method: HTTPMethod, path: String = "/", query: [(String, String)] = [], headers: [(String, String)] = [],
                body: Body? = nil, host: String? = nil, accepted: Set<Int> = []) {
        self.operation = operation
        self.method = method
        self.path = path
        self.query = query
        self.headers = headers
        self.body = body
        self.host = host
        self.accepted = accepted
    }

    /// A request body: its length and SHA-256 (signed), and a maker that yields the bytes afresh
    /// for every attempt (a retried request must send them again).
    public struct Body: Sendable {
        public var length: Int
        public var payloadHash: String
        public var contentMD5: String?
        public var make: @Sendable () -> HTTPClientRequest.Body
        /// The bytes, for a body held in memory (tests read them back).
        public var bytes: [UInt8]?

        public init(length: Int, payloadHash: String, contentMD5: String? = nil, make: @escaping @Sendable () -> HTTPClientRequest.Body) {
            self.length = length
            self.payloadHash = payloadHash
            self.contentMD5 = contentMD5
            self.make = make
        }

        /// A body held in memory (form-encoded Query API calls, XML documents).
        public static func bytes(_ bytes: [UInt8], contentMD5: String? = nil) -> Body {
            let hash = bytes.withUnsafeBytes { SigV4Signer.payloadHash($0) }
            var body = Body(length: bytes.count, payloadHash: hash, contentMD5: contentMD5) { .bytes(ByteBuffer(bytes: bytes)) }
            body.bytes = bytes
            return body
        }
    }
}

/// A request as it goes on the wire: signed, with its full URL.
public struct AWSSignedRequest: Sendable {
    public var method: HTTPMethod
    public var url: String
    public var headers: [(String, String)]
    public var body: AWSRequest.Body?

    /// The first value of header `name` (case-insensitive).
    public func header(_ name: String) -> String? { headers.first { $0.0.lowercased() == name.lowercased() }?.1 }
}

/// An answer: status, headers and the collected body.
public struct AWSResponse: Sendable {
    public var status: Int
    public var headers: HTTPHeaders
    public var body: [UInt8]

    public init(status: Int, headers: HTTPHeaders = [:], body: [UInt8] = []) {
        self.status = status
        self.headers = headers
        self.body = body
    }
}

/// What every AWS API client shares: requests signed with SigV4 for one service and region,
/// sent to one endpoint over AsyncHTTPClient, and retried with backoff (``RetryPolicy``) on
/// dropped connections, 5xx answers and throttling. A final failure is an ``AWSError``.
///
/// The exchange (send one signed request, collect the answer), the sleep and the random source
/// are injectable, so the retry loop is tested without a network or a clock. Answers too big
/// to collect (S3 objects) are handed over as they arrive with ``stream(_:consume:)``, under the
/// same retry loop. An optional ``RequestLimiter`` bounds the attempts in flight.
public final class AWSTransport: Sendable {
    /// Sends one signed request and collects up to `limit` bytes of the answer's body.
    public typealias Exchange = @Sendable (_ request: AWSSignedRequest, _ limit: Int) async throws -> AWSResponse

    /// An error a stream consumer raises that no retry can mend (a local write failed, the
    /// run was interrupted): it ends the call at once, unwrapped.
    public struct Final: Error {
        public let error: any Error
        public init(_ error: any Error) { self.error = error }
    }

    public let endpoint: AWSEndpoint
    /// nil: anonymous requests (public buckets).
    public let signer: SigV4Signer?
    public let retry: RetryPolicy
    /// Attempts in flight, across every call (each attempt holds a permit while it runs).
    public let limiter: RequestLimiter?
    let exchange: Exchange
    /// The client streamed answers go over (nil for a transport with an injected exchange).
    let http: HTTPClient?
    let timeout: TimeAmount
    let sleep: @Sendable (Double) async throws -> Void
    let random: @Sendable () -> Double
    let now: @Sendable () -> AWSTime
    let logger: Logger
    /// Whether an error answer that is not an AWS error document is quoted in the error (`-vv`).
    public let showsErrorBodies: Bool
    /// The HTTP client this transport made (and shuts down), when none was given.
    let ownedClient: HTTPClient?

    /// A transport over `http`, or over a client of its own (per-attempt limit `timeoutSeconds`).
    /// Its own client fails a connection attempt at once (refused) or after 10 s (no answer)
    /// instead of retrying it until the request's deadline: the retry policy does the retrying.
    public convenience init(service: String, region: String, endpoint: AWSEndpoint, credentials: AWSCredentials?,
                            retry: RetryPolicy = RetryPolicy(), timeoutSeconds: Int64 = 60, http: HTTPClient? = nil,
                            limiter: RequestLimiter? = nil, showsErrorBodies: Bool = false,
                            logger: Logger = Logger(label: "swiftsync.aws", factory: { _ in SwiftLogNoOpLogHandler() })) {
        let timeout = TimeAmount.seconds(timeoutSeconds)
        let client = http ?? HTTPClient(eventLoopGroupProvider: .singleton, configuration: Self.clientConfiguration())
        self.init(service: service, region: region, endpoint: endpoint, credentials: credentials, retry: retry, logger: logger,
                  ownedClient: http == nil ? client : nil, http: client, timeout: timeout, limiter: limiter,
                  showsErrorBodies: showsErrorBodies) { request, limit in
            try await Self.execute(request, limit: limit, over: client, timeout: timeout, logger: logger)
        }
    }

    /// An HTTP client configuration for AWS calls: no decompression, and a connection attempt
    /// fails at once (refused) or after 10 s (no answer) instead of being retried until the
    /// request's deadline: the retry policy does the retrying.
    public static func clientConfiguration(connectionsPerHost: Int = 8) -> HTTPClient.Configuration {
        var configuration = HTTPClient.Configuration()
        configuration.decompression = .disabled
        configuration.timeout.connect = .seconds(10)
        configuration.connectionPool.retryConnectionEstablishment = false
        configuration.connectionPool.concurrentHTTP1ConnectionsPerHostSoftLimit = max(8, connectionsPerHost)
        // No spans: building a no-op tracer's request attributes cost 2.5 % of an upload's CPU.
        configuration.tracing.tracer = nil
        return configuration
    }

    /// A transport with every side effect given (tests).
    public init(service: String, region: String, endpoint: AWSEndpoint, credentials: AWSCredentials?, retry: RetryPolicy = RetryPolicy(),
                logger: Logger = Logger(label: "swiftsync.aws", factory: { _ in SwiftLogNoOpLogHandler() }),
                sleep: @escaping @Sendable (Double) async throws -> Void = { try await Task.sleep(nanoseconds: UInt64($0 * 1e9)) },
                random: @escaping @Sendable () -> Double = { Double.random(in: 0..<1) },
                now: @escaping @Sendable () -> AWSTime = { AWSTime.now() },
                ownedClient: HTTPClient? = nil, http: HTTPClient? = nil, timeout: TimeAmount = .seconds(60),
                limiter: RequestLimiter? = nil, showsErrorBodies: Bool = false, exchange: @escaping Exchange) {
        self.endpoint = endpoint
        self.showsErrorBodies = showsErrorBodies
        signer = credentials.map { SigV4Signer(credentials: $0, region: region, service: service) }
        self.retry = retry
        self.http = http
        self.timeout = timeout
        self.limiter = limiter
        self.logger = logger
        self.sleep = sleep
        self.random = random
        self.now = now
        self.ownedClient = ownedClient
        self.exchange = exchange
    }

    /// Closes the connections of the client this transport made; call once when done.
    public func shutdown() async {
        try? await ownedClient?.shutdown()
    }

    /// Sends `request`, retrying what is worth retrying. Throws ``AWSError`` with the last
    /// failure (or `CancellationError`).
    public func send(_ request: AWSRequest, collectingUpTo limit: Int = 16 << 20) async throws -> AWSResponse {
        try await retrying(request) {
            let response = try await exchange(signed(request, at: now()), limit)
            guard (200..<300).contains(response.status) || request.accepted.contains(response.status) else {
                throw answerError(response.body, status: response.status, headers: response.headers, operation: request.operation)
            }
            return response
        }
    }

    /// Sends `request` and hands a successful answer's head and body to `consume` as it
    /// arrives; an error answer is collected and thrown as ``AWSError``. A connection that
    /// drops (also mid-body, inside `consume`) is retried from the start, so `consume` must be
    /// able to begin again; it ends the call at once by throwing ``Final``.
    public func stream<T>(_ request: AWSRequest, consume: (HTTPClientResponse) async throws -> T) async throws -> T {
        guard let http else {
            throw AWSError(operation: request.operation, status: nil, code: nil, message: "this transport has no HTTP client to stream over")
        }
        return try await retrying(request) {
            let signed = signed(request, at: now())
            logger.trace("request", metadata: ["method": "\(signed.method)", "url": "\(signed.url)"])
            let response = try await http.execute(Self.httpRequest(signed), timeout: timeout, logger: logger)
            let status = Int(response.status.code)
            guard (200..<300).contains(status) || request.accepted.contains(status) else {
                var body = try await response.body.collect(upTo: 1 << 20)
                throw answerError(body.readBytes(length: body.readableBytes) ?? [], status: status, headers: response.headers,
                                  operation: request.operation)
            }
            return try await consume(response)
        }
    }

    /// The error an answer's body makes, never holding our secrets (a body may echo them).
    func answerError(_ body: [UInt8], status: Int, headers: HTTPHeaders, operation: String) -> AWSError {
        let secrets = [signer?.credentials.secretAccessKey, signer?.credentials.sessionToken].compactMap { $0 }
        return AWSError.from(body: body, status: status, operation: operation, contentType: headers.first(name: "content-type"),
                             showingBody: showsErrorBodies, secrets: secrets)
    }

    /// Runs `attempt` (holding a permit of the limiter) until it succeeds, fails for good or
    /// the retries are spent. An ``AWSError`` with a status is an answer (retried when it is
    /// throttling or a 5xx), one without a status an answer cut short (retried); any other
    /// error is a failed or dropped connection (retried); ``Final`` and cancellation end it at once.
    func retrying<T>(_ request: AWSRequest, _ attempt: () async throws -> T) async throws -> T {
        var attempts = 0
        while true {
            let outcome: RetryPolicy.Outcome
            let failure: AWSError
            do {
                if let limiter { return try await limiter.withPermit(attempt) }
                return try await attempt()
            } catch let error as CancellationError {
                throw error
            } catch let final as Final {
                throw final.error
            } catch let error as AWSError {
                // An answer (retried when it is throttling or a 5xx), or a cut one (no status).
                failure = error
                outcome = error.status.map { .status($0, code: error.code) } ?? .transportError
            } catch {
                failure = AWSError(operation: request.operation, status: nil, code: nil, message: "no answer from \(endpoint.authority) (\(error))")
                outcome = .transportError
            }
            guard let delay = retry.delay(after: outcome, attempt: attempts, random: random) else { throw failure }
            logger.debug("retrying", metadata: ["operation": "\(request.operation)", "after": "\(failure)", "delay": "\(delay)"])
            attempts += 1
            try await sleep(delay)
        }
    }

    /// `request` signed at `time`, with its URL (query encoded as signed).
    public func signed(_ request: AWSRequest, at time: AWSTime) -> AWSSignedRequest {
        let host = request.host ?? endpoint.authority
        var headers = request.headers
        if let body = request.body {
            headers.append(("content-length", String(body.length)))
            if let md5 = body.contentMD5 { headers.append(("content-md5", md5)) }
        }
        let toSign = SigV4Signer.Request(method: request.method.rawValue, host: host, path: request.path, query: request.query, headers: headers,
                                         payloadHash: request.body?.payloadHash ?? SigV4Signer.emptyPayloadHash)
        let query = request.query.map { "\(AWSURI.encode($0.0))=\(AWSURI.encode($0.1))" }.joined(separator: "&")
        let url = "\(endpoint.scheme)://\(host)\(request.path)" + (query.isEmpty ? "" : "?\(query)")
        return AWSSignedRequest(method: request.method, url: url, headers: headers + (signer?.signedHeaders(for: toSign, at: time) ?? []),
                                body: request.body)
    }

    /// The real exchange: one HTTP request over AsyncHTTPClient, made and answered on one of
    /// its event loops (see ``EventLoopTaskExecutor``).
    static func execute(_ request: AWSSignedRequest, limit: Int, over http: HTTPClient, timeout: TimeAmount, logger: Logger) async throws
        -> AWSResponse {
        logger.trace("request", metadata: ["method": "\(request.method)", "url": "\(request.url)"])
        return try await withTaskExecutorPreference(EventLoopTaskExecutor(loop: http.eventLoopGroup.next())) {
            let response = try await http.execute(httpRequest(request), timeout: timeout, logger: logger)
            var collected: [UInt8] = []
            if request.method != .HEAD {
                var buffer = try await response.body.collect(upTo: limit)
                collected = buffer.readBytes(length: buffer.readableBytes) ?? []
            }
            return AWSResponse(status: Int(response.status.code), headers: response.headers, body: collected)
        }
    }

    /// The AsyncHTTPClient request for a signed one (its body made afresh).
    static func httpRequest(_ request: AWSSignedRequest) -> HTTPClientRequest {
        var outgoing = HTTPClientRequest(url: request.url)
        outgoing.method = request.method
        for (name, value) in request.headers where name != "host" { outgoing.headers.add(name: name, value: value) }
        if let body = request.body { outgoing.body = body.make() }
        return outgoing
    }
}
