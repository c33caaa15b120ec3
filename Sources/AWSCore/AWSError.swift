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
    /// APIs' (EC2) `<Response><Errors><Error><Code>…</Errors><RequestID>…`. Any other body (a
    /// proxy's page, which may echo our request headers and so the session token) is only
    /// described, unless `showingBody` (`-vv`): then its start is quoted, with `secrets` masked.
    public static func from(body: [UInt8], status: Int, operation: String, contentType: String? = nil,
                            showingBody: Bool = false, secrets: [String] = []) -> AWSError {
        let root = try? XMLNode.parse(body)
        let error = root.flatMap { $0.name == "Error" ? $0 : ($0["Errors"]?["Error"] ?? $0["Error"]) }
        let requestID = root?.text("RequestID") ?? root?.text("RequestId") ?? error?.text("RequestId")
        let message: String
        if let text = error?.text("Message") {
            message = masking(secrets, in: text)
        } else if body.isEmpty {
            message = "no error body"
        } else if showingBody {
            let start = String(decoding: body.prefix(500), as: UTF8.self).map { $0.isNewline ? " " : $0 }
            message = "not an AWS error document: " + masking(secrets, in: String(start))
        } else {
            message = "the answer is not an AWS error document (\(body.count) bytes\(contentType.map { " of \($0)" } ?? ""))"
        }
        return AWSError(operation: operation, status: status, code: error?.text("Code").map { masking(secrets, in: $0) }, message: message,
                        requestID: requestID)
    }

    /// `text` with every occurrence of each secret replaced by `***`.
    static func masking(_ secrets: [String], in text: String) -> String {
        var result = Array(text.utf8)
        for secret in secrets.map({ Array($0.utf8) }) where secret.count >= 4 {
            var masked: [UInt8] = []
            var i = 0
            while i < result.count {
                if result[i] == secret[0], i + secret.count <= result.count, result[i..<(i + secret.count)].elementsEqual(secret) {
                    masked += "***".utf8
                    i += secret.count
                } else {
                    masked.append(result[i])
                    i += 1
                }
            }
            result = masked
        }
        return String(decoding: result, as: UTF8.self)
    }
}
