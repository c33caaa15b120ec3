/// Where a service's requests go: AWS's regional endpoint (`https://ec2.eu-west-1.amazonaws.com`)
/// or the one given with `--endpoint-url` (`http://127.0.0.1:5000`, a moto_server or a VPC
/// endpoint). Only scheme, host and port count; a path in the URL is ignored.
public struct AWSEndpoint: Sendable, Equatable {
    public let scheme: String
    public let host: String
    public let port: Int?

    public enum Failure: Error, CustomStringConvertible, Equatable {
        /// The URL as it may be shown (``AWSEndpoint/redacted(_:)``).
        case badURL(String)
        public var description: String {
            switch self { case .badURL(let url): "invalid --endpoint-url \"\(url)\": expected http(s)://host[:port]" }
        }
    }

    /// `url` as it may be printed: a `user:password@` in it (which we refuse, but which must not
    /// show up in the refusal) becomes `***@`. Everything up to the last `@` goes, since a
    /// password may hold the `/` or `:` a URL parser would stop at.
    public static func redacted(_ url: String) -> String {
        guard let at = url.lastIndex(of: "@") else { return url }
        let start = url.range(of: "://").map(\.upperBound) ?? url.startIndex
        guard start <= at else { return url }
        return String(url[..<start]) + "***" + String(url[at...])
    }

    public init(scheme: String, host: String, port: Int?) {
        self.scheme = scheme
        self.host = host
        self.port = port
    }

    /// AWS's endpoint of `service` in `region`, or `url` when one is given.
    public init(service: String, region: String, url: String? = nil) throws(Failure) {
        guard let url else {
            self.init(scheme: "https", host: "\(service).\(region).amazonaws.com", port: nil)
            return
        }
        let bad = Failure.badURL(Self.redacted(url))
        guard let separator = url.range(of: "://"), !url.contains("@") else { throw bad }
        let scheme = url[..<separator.lowerBound].lowercased()
        guard scheme == "http" || scheme == "https" else { throw bad }
        var authority = url[separator.upperBound...]
        if let slash = authority.firstIndex(of: "/") { authority = authority[..<slash] }
        guard !authority.isEmpty else { throw bad }
        if let colon = authority.lastIndex(of: ":"), !authority.hasSuffix("]") {
            guard let port = Int(authority[authority.index(after: colon)...]), (1...65_535).contains(port), colon != authority.startIndex else {
                throw bad
            }
            self.init(scheme: scheme, host: String(authority[..<colon]), port: port)
        } else {
            self.init(scheme: scheme, host: String(authority), port: nil)
        }
    }

    /// The `Host` header value: the host, with the port when one was given.
    public var authority: String { port.map { "\(host):\($0)" } ?? host }

    /// `scheme://host[:port]`, for building request URLs.
    public var origin: String { "\(scheme)://\(authority)" }
}
