import Crypto
import Synchronization

/// AWS Signature Version 4 (the "AWS4-HMAC-SHA256" scheme), as a pure function of the request:
/// no clock and no I/O, so every step is tested against published examples and botocore.
///
/// Canonical request = method, canonical URI, canonical query, canonical headers, signed header
/// names, payload hash; string to sign = algorithm, time, scope, SHA-256 of the canonical
/// request; the key is HMAC-chained from the secret through date, region, service, "aws4_request".
public struct SigV4Signer: Sendable {
    public let credentials: AWSCredentials
    public let region: String
    public let service: String
    /// The last day's signing key: it depends only on the date, and deriving it (four HMACs)
    /// for every request was 2 % of an upload's CPU.
    private let keyCache = SigningKeyCache()

    public init(credentials: AWSCredentials, region: String, service: String) {
        self.credentials = credentials
        self.region = region
        self.service = service
    }

    /// The SHA-256 of an empty body, and the marker for a body that is not hashed.
    public static let emptyPayloadHash = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    public static let unsignedPayload = "UNSIGNED-PAYLOAD"

    /// A request to sign: `path` as sent (already percent-encoded), `query` as decoded pairs.
    public struct Request: Sendable {
        public var method: String
        public var host: String
        public var path: String
        public var query: [(String, String)]
        public var headers: [(String, String)]
        public var payloadHash: String

        public init(method: String, host: String, path: String, query: [(String, String)] = [], headers: [(String, String)] = [],
                    payloadHash: String = SigV4Signer.emptyPayloadHash) {
            self.method = method
            self.host = host
            self.path = path
            self.query = query
            self.headers = headers
            self.payloadHash = payloadHash
        }
    }

    /// The headers to add to `request` for it to be authorised at `time`: `host`,
    /// `x-amz-date`, `x-amz-content-sha256` (S3), `x-amz-security-token` (temporary
    /// credentials) and `authorization`.
    public func signedHeaders(for request: Request, at time: AWSTime) -> [(String, String)] {
        var added: [(String, String)] = [("host", request.host), ("x-amz-date", time.basic)]
        if service == "s3" { added.append(("x-amz-content-sha256", request.payloadHash)) }
        if let token = credentials.sessionToken { added.append(("x-amz-security-token", token)) }
        var all = request
        all.headers += added
        let parts = canonicalParts(all)
        let scope = "\(time.date)/\(region)/\(service)/aws4_request"
        let stringToSign = "AWS4-HMAC-SHA256\n\(time.basic)\n\(scope)\n\(Self.hex(SHA256.hash(data: Array(parts.request.utf8))))"
        let signature = Self.hex(HMAC<SHA256>.authenticationCode(for: Array(stringToSign.utf8), using: signingKey(date: time.date)))
        added.append(("authorization",
                      "AWS4-HMAC-SHA256 Credential=\(credentials.accessKeyID)/\(scope), SignedHeaders=\(parts.signedHeaders), Signature=\(signature)"))
        return added
    }

    /// The canonical request and the signed header list (exposed for tests and `--debug`, which
    /// may print them: they hold no secret).
    public func canonicalParts(_ request: Request) -> (request: String, signedHeaders: String) {
        // Names lowercased and sorted (stably, so repeated headers keep their order), then the
        // values of one name joined with commas.
        var headers = request.headers.map { (name: $0.0.lowercased(), value: Self.collapseSpaces($0.1)) }
        headers.sort { $0.name < $1.name }
        var canonicalHeaders = ""
        var signed = ""
        var index = 0
        while index < headers.count {
            let name = headers[index].name
            if !signed.isEmpty { signed += ";" }
            signed += name
            canonicalHeaders += name
            canonicalHeaders += ":"
            canonicalHeaders += headers[index].value
            index += 1
            while index < headers.count && headers[index].name == name {
                canonicalHeaders += ","
                canonicalHeaders += headers[index].value
                index += 1
            }
            canonicalHeaders += "\n"
        }
        let query = request.query
            .map { (AWSURI.encode($0.0), AWSURI.encode($0.1)) }
            .sorted { $0.0 != $1.0 ? $0.0 < $1.0 : $0.1 < $1.1 }
            .map { "\($0.0)=\($0.1)" }
            .joined(separator: "&")
        let path = request.path.isEmpty ? "/" : request.path
        return ("\(request.method)\n\(path)\n\(query)\n\(canonicalHeaders)\n\(signed)\n\(request.payloadHash)", signed)
    }

    func signingKey(date: String) -> SymmetricKey {
        if let bytes = keyCache.key(for: date) { return SymmetricKey(data: bytes) }
        let key = deriveSigningKey(date: date)
        keyCache.store(key.withUnsafeBytes { Array($0) }, for: date)
        return key
    }

    func deriveSigningKey(date: String) -> SymmetricKey {
        func hmac(_ key: SymmetricKey, _ text: String) -> SymmetricKey {
            SymmetricKey(data: Array(HMAC<SHA256>.authenticationCode(for: Array(text.utf8), using: key)))
        }
        let secret = SymmetricKey(data: Array("AWS4\(credentials.secretAccessKey)".utf8))
        return hmac(hmac(hmac(hmac(secret, date), region), service), "aws4_request")
    }

    /// Header values: leading/trailing spaces dropped, runs of spaces made one.
    static func collapseSpaces(_ value: String) -> String {
        let space = UInt8(ascii: " "), tab = UInt8(ascii: "\t")
        // Most values (dates, hashes, lengths) have nothing to change.
        let unchanged = value.utf8.withContiguousStorageIfAvailable { bytes -> Bool in
            guard let first = bytes.first, let last = bytes.last else { return true }
            if first == space || first == tab || last == space || last == tab { return false }
            for i in bytes.indices.dropLast() where bytes[i] == space && bytes[i + 1] == space { return false }
            return true
        }
        if unchanged == true { return value }
        var out = ""
        var lastWasSpace = false
        for ch in value.trimmingSpaces() {
            if ch == " " {
                if !lastWasSpace { out.append(ch) }
                lastWasSpace = true
            } else {
                out.append(ch)
                lastWasSpace = false
            }
        }
        return out
    }

    public static func hex<D: Sequence>(_ digest: D) -> String where D.Element == UInt8 {
        let digits = Array("0123456789abcdef".utf8)
        var out = [UInt8]()
        for byte in digest {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 15)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Lowercase hex SHA-256 of a body (the `x-amz-content-sha256` value).
    public static func payloadHash(_ body: UnsafeRawBufferPointer) -> String { hex(SHA256.hash(data: body)) }
}

/// One day's signing key, shared by the copies of a signer.
final class SigningKeyCache: Sendable {
    private let entry = Mutex<(date: String, key: [UInt8])?>(nil)

    func key(for date: String) -> [UInt8]? {
        entry.withLock { $0?.date == date ? $0?.key : nil }
    }

    func store(_ key: [UInt8], for date: String) {
        entry.withLock { $0 = (date, key) }
    }
}

extension StringProtocol {
    func trimmingSpaces() -> Substring {
        var s = Substring(self)
        while s.first == " " || s.first == "\t" { s.removeFirst() }
        while s.last == " " || s.last == "\t" { s.removeLast() }
        return s
    }
}
