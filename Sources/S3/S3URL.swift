/// `s3://bucket/prefix/…` as given on the command line.
public struct S3URL: Sendable, Equatable, CustomStringConvertible {
    public let bucket: String
    /// The key prefix, without a leading slash ("" for the whole bucket).
    public let key: String

    public init(bucket: String, key: String) {
        self.bucket = bucket
        self.key = key
    }

    /// Parses `s3://bucket[/key]`; nil when `text` is not an S3 URL.
    public init?(_ text: String) {
        guard text.hasPrefix("s3://") else { return nil }
        let rest = text.dropFirst(5)
        let slash = rest.firstIndex(of: "/")
        let bucket = String(rest[..<(slash ?? rest.endIndex)])
        guard !bucket.isEmpty else { return nil }
        self.bucket = bucket
        key = slash.map { String(rest[rest.index(after: $0)...]) } ?? ""
    }

    public var description: String { "s3://\(bucket)/\(key)" }
}
