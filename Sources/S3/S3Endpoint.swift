import AWSCore

/// Where requests for a bucket go: AWS's regional endpoint or `--endpoint-url`, path-style
/// (`host/bucket/key`) or virtual-hosted (`bucket.host/key`) addressing.
public struct S3Endpoint: Sendable, Equatable {
    public enum Addressing: Sendable, Equatable { case path, virtualHosted }

    public let scheme: String
    public let host: String
    public let port: Int?
    public let region: String
    public let addressing: Addressing?

    public enum Failure: Error, CustomStringConvertible, Equatable {
        /// The URL as it may be shown (``AWSEndpoint/redacted(_:)``).
        case badURL(String)
        public var description: String {
            switch self { case .badURL(let url): "invalid --endpoint-url \"\(url)\": expected http(s)://host[:port]" }
        }
    }

    /// AWS's endpoint for `region`, or the one given (`http://127.0.0.1:5000`).
    public init(region: String, endpointURL: String? = nil, addressing: Addressing? = nil) throws(Failure) {
        self.region = region
        self.addressing = addressing
        guard let url = endpointURL else {
            scheme = "https"
            host = region == "us-east-1" ? "s3.amazonaws.com" : "s3.\(region).amazonaws.com"
            port = nil
            return
        }
        // The URL is read as every AWS endpoint is (scheme, host, port; a path is ignored).
        let parsed: AWSEndpoint
        do { parsed = try AWSEndpoint(service: "s3", region: region, url: url) } catch { throw .badURL(AWSEndpoint.redacted(url)) }
        scheme = parsed.scheme
        host = parsed.host
        port = parsed.port
    }

    /// Virtual-hosted for DNS-safe bucket names on a named host; path-style for IP addresses,
    /// `localhost`, dotted bucket names over TLS, or when asked.
    public func usesPathStyle(for bucket: String) -> Bool {
        if let addressing { return addressing == .path }
        if host == "localhost" || host.first == "[" || host.split(separator: ".").allSatisfy({ Int($0) != nil }) { return true }
        let dnsSafe = bucket.count >= 3 && bucket.count <= 63 && bucket.allSatisfy { $0.isLowercase || $0.isNumber || $0 == "-" }
        return !dnsSafe
    }

    /// The `Host` header value and the (percent-encoded) path for an object or bucket request.
    public func location(bucket: String, key: String?) -> (host: String, path: String) {
        let portSuffix = port.map { ":\($0)" } ?? ""
        let encodedKey = key.map { AWSURI.encode($0, keepSlash: true) }
        if usesPathStyle(for: bucket) {
            return (host + portSuffix, "/\(AWSURI.encode(bucket))" + (encodedKey.map { "/\($0)" } ?? "/"))
        }
        return ("\(bucket).\(host)\(portSuffix)", "/" + (encodedKey ?? ""))
    }
}
