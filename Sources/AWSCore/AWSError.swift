/// A failed AWS request: the operation, the HTTP status and AWS's error code and message, or
/// the transport error when no answer came. Never holds credentials or signatures.
public struct AWSError: Error, CustomStringConvertible, Sendable, Equatable {
    public let operation: String
    /// nil when no HTTP answer arrived (connection refused, reset, timed out).
    public let status: Int?
    public let code: String?
    public let message: String
    public let requestID: String?

    public init(operation: String, status: Int?, code: String?, message: String, requestID: String? = nil) {
        self.operation = operation
        self.status = status
        self.code = code
        self.message = message
        self.requestID = requestID
    }

    /// `AttachVolume failed: HTTP 400 InvalidVolume.ZoneMismatch: The volume is not in the same availability zone`.
    public var description: String {
        let what = [status.map { "HTTP \($0)" }, code].compactMap { $0 }.joined(separator: " ")
        return "\(operation) failed: " + (what.isEmpty ? message : "\(what): \(message)")
    }

    /// Whether the endpoint never answered (as opposed to answering with an error).
    public var isTransportFailure: Bool { status == nil }

    /// Reads an error body in either of AWS's XML shapes: S3's `<Error><Code>…` and the Query
    /// APIs' (EC2) `<Response><Errors><Error><Code>…</Errors><RequestID>…`.
    public static func from(body: [UInt8], status: Int, operation: String) -> AWSError {
        let root = try? XMLNode.parse(body)
        let error = root.flatMap { $0.name == "Error" ? $0 : ($0["Errors"]?["Error"] ?? $0["Error"]) }
        let requestID = root?.text("RequestID") ?? root?.text("RequestId") ?? error?.text("RequestId")
        let message = error?.text("Message") ?? (body.isEmpty ? "no error body" : String(decoding: body.prefix(200), as: UTF8.self))
        return AWSError(operation: operation, status: status, code: error?.text("Code"), message: message, requestID: requestID)
    }
}
