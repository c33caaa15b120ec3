import AWSCore
import Crypto

/// MD5s the way S3 uses them: `Content-MD5` (base64 of the digest) on every body, and the ETag
/// of an object: hex MD5 for a single PUT, `hex(MD5(part MD5s…))-N` for a multipart upload.
public enum S3ETag {
    public static func md5(_ bytes: UnsafeRawBufferPointer) -> [UInt8] { Array(Insecure.MD5.hash(data: bytes)) }

    public static func md5(_ bytes: [UInt8]) -> [UInt8] { bytes.withUnsafeBytes { md5($0) } }

    /// The quoted ETag S3 gives a single-part object.
    public static func single(_ digest: [UInt8]) -> String { "\"\(SigV4Signer.hex(digest))\"" }

    /// The quoted ETag S3 gives a multipart object made of parts with these MD5s.
    public static func multipart(_ partDigests: [[UInt8]]) -> String {
        "\"\(SigV4Signer.hex(md5(partDigests.flatMap { $0 })))-\(partDigests.count)\""
    }

    /// The MD5 a plain (single-part) ETag is, or nil for a multipart or other ETag.
    public static func singlePartDigest(_ etag: String) -> [UInt8]? {
        let hex = Array(etag.utf8.filter { $0 != UInt8(ascii: "\"") })
        guard hex.count == 32 else { return nil }
        var digest: [UInt8] = []
        for i in stride(from: 0, to: 32, by: 2) {
            guard let byte = UInt8(String(decoding: hex[i..<(i + 2)], as: UTF8.self), radix: 16) else { return nil }
            digest.append(byte)
        }
        return digest
    }

    /// N of a multipart ETag (`"…-N"`), or nil.
    public static func partCount(_ etag: String) -> Int? {
        let trimmed = etag.filter { $0 != "\"" }
        guard let dash = trimmed.lastIndex(of: "-") else { return nil }
        return Int(trimmed[trimmed.index(after: dash)...])
    }

    /// The part size for `size` bytes: `requested`, doubled until at most 10,000 parts are needed.
    public static func partSize(for size: Int64, requested: Int64) -> Int64 {
        var part = max(5 << 20, requested)
        while (size + part - 1) / part > 10_000 { part *= 2 }
        return part
    }

    public static func base64(_ bytes: [UInt8]) -> String {
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)
        var out: [UInt8] = []
        var i = 0
        while i < bytes.count {
            let chunk = bytes[i..<min(i + 3, bytes.count)]
            var n = UInt32(0)
            for (k, b) in chunk.enumerated() { n |= UInt32(b) << UInt32(16 - 8 * k) }
            for k in 0..<4 {
                out.append(k <= chunk.count ? alphabet[Int(n >> UInt32(18 - 6 * k) & 63)] : UInt8(ascii: "="))
            }
            i += 3
        }
        return String(decoding: out, as: UTF8.self)
    }
}
