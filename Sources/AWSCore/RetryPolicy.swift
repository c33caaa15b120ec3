/// When to try a request again and how long to wait first: exponential backoff with full jitter
/// (a random delay between 0 and `base · 2^attempt`, capped), on 5xx answers, S3's SlowDown and
/// RequestTimeout, throttling codes and dropped connections. Pure: the random source is passed in.
public struct RetryPolicy: Sendable {
    /// Attempts after the first (`--retries`).
    public var retries: Int
    public var baseDelay: Double
    public var maximumDelay: Double

    public init(retries: Int = 5, baseDelay: Double = 0.1, maximumDelay: Double = 20) {
        self.retries = max(0, retries)
        self.baseDelay = baseDelay
        self.maximumDelay = maximumDelay
    }

    static let retryableCodes: Set<String> = [
        "SlowDown", "RequestTimeout", "InternalError", "ServiceUnavailable", "Throttling", "ThrottlingException",
        "RequestLimitExceeded", "RequestThrottled", "TooManyRequestsException", "ProvisionedThroughputExceededException",
        "BandwidthLimitExceeded", "EC2ThrottledException", "RequestTimeTooSkewed", "IDPCommunicationError",
    ]

    /// What happened to one attempt.
    public enum Outcome: Sendable, Equatable {
        case status(Int, code: String?)
        /// The connection failed or dropped before a complete answer.
        case transportError
    }

    /// Whether an attempt that ended so is worth repeating.
    public static func isRetryable(_ outcome: Outcome) -> Bool {
        switch outcome {
        case .transportError: return true
        case .status(let status, let code):
            if let code, retryableCodes.contains(code) { return true }
            return status >= 500 || status == 429
        }
    }

    /// The wait before attempt `attempt + 1` (attempt 0 is the first retry), or nil when no
    /// attempt is left or the outcome is final. `random` gives a value in [0, 1).
    public func delay(after outcome: Outcome, attempt: Int, random: () -> Double) -> Double? {
        guard attempt < retries, Self.isRetryable(outcome) else { return nil }
        let ceiling = min(maximumDelay, baseDelay * Double(1 << min(attempt, 30)))
        return ceiling * random()
    }
}
