/// An access key pair (and session token, for temporary credentials). Never printed: its
/// description shows the key id only, so a credential in an error or a debug log leaks nothing.
public struct AWSCredentials: Sendable, Equatable, CustomStringConvertible {
    public let accessKeyID: String
    public let secretAccessKey: String
    public let sessionToken: String?
    /// Where they came from ("flags", "environment", "profile default", "~/.boto", "instance metadata").
    public let source: String

    public init(accessKeyID: String, secretAccessKey: String, sessionToken: String? = nil, source: String = "flags") {
        self.accessKeyID = accessKeyID
        self.secretAccessKey = secretAccessKey
        self.sessionToken = sessionToken?.isEmpty == true ? nil : sessionToken
        self.source = source
    }

    public var description: String { "credentials \(accessKeyID) (from \(source))" }
}
