/// Where a service's requests go: AWS's regional endpoint (`https://ec2.eu-west-1.amazonaws.com`)
/// or the one given with `--endpoint-url` (`http://127.0.0.1:5000`, a moto_server or a VPC
/// endpoint). Only scheme, host and port count; a path in the URL is ignored.
public struct AWSEndpoint: Sendable, Equatable {
    public let scheme: String
    public let host: String
    public let port: Int?

    public enum Failure: Error, CustomStringConvertible, Equatable {
        case badURL(String)
        public var description: String {
            switch self { case .badURL(let url): "invalid --endpoint-url \"\(url)\": expected http(s)://host[:port]" }
        }
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
        guard let separator = url.range(of: "://") else { throw .badURL(url) }
        let scheme = url[..<separator.lowerBound].lowercased()
        guard scheme == "http" || scheme == "https" else { throw .badURL(url) }
        var authority = url[separator.upperBound...]
        if let slash = authority.firstIndex(of: "/") { authority = authority[..<slash] }
        guard !authority.isEmpty, !authority.contains("@") else { throw .badURL(url) }
        if let colon = authority.lastIndex(of: ":"), !authority.hasSuffix("]") {
            guard let port = Int(authority[authority.index(after: colon)...]), (1...65_535).contains(port), colon != authority.startIndex else {
                throw .badURL(url)
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
