import AWSCore
import Crypto
import AsyncHTTPClient

/// The digests an upload's body needs, taken in one pass: MD5 for Content-MD5 (and the ETag it
/// becomes), and SHA-256 for a signed payload when the body goes over plain HTTP.
struct PayloadDigests {
    private var md5 = Insecure.MD5()
    private var sha256: SHA256?

    init(sha256 wanted: Bool) {
        sha256 = wanted ? SHA256() : nil
    }

    mutating func update(_ bytes: UnsafeRawBufferPointer) {
        md5.update(bufferPointer: bytes)
        sha256?.update(bufferPointer: bytes)
    }

    /// The raw MD5, and the hex SHA-256 if it was asked for.
    func finalize() -> (md5: [UInt8], sha256: String?) {
        (Array(md5.finalize()), sha256.map { SigV4Signer.hex($0.finalize()) })
    }

    /// A request body of `length` bytes carrying these digests: Content-MD5, and the SHA-256 as
    /// the signed payload hash (UNSIGNED-PAYLOAD when it was not taken).
    func body(length: Int, make: @escaping @Sendable () -> HTTPClientRequest.Body) -> AWSRequest.Body {
        let (md5, sha256) = finalize()
        return AWSRequest.Body(length: length, payloadHash: sha256 ?? SigV4Signer.unsignedPayload, contentMD5: S3ETag.base64(md5),
                               make: make)
    }
}
