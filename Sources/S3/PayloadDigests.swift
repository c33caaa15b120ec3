import AWSCore
import Crypto
import AsyncHTTPClient

/// The digests an upload's body needs, taken in one pass: MD5 for Content-MD5 (and the ETag it
/// becomes), SHA-256 for a signed payload when the body goes over plain HTTP, and CRC32 for the
/// parts of a multipart upload created with S3's CRC32 checksum.
struct PayloadDigests {
    private var md5 = Insecure.MD5()
    private var sha256: SHA256?
    private var crc32: UInt32?

    init(sha256 wantSHA256: Bool, crc32 wantCRC32: Bool = false) {
        sha256 = wantSHA256 ? SHA256() : nil
        crc32 = wantCRC32 ? 0 : nil
    }

    mutating func update(_ bytes: UnsafeRawBufferPointer) {
        md5.update(bufferPointer: bytes)
        sha256?.update(bufferPointer: bytes)
        if let running = crc32 { crc32 = S3Checksum.crc32(bytes, continuing: running) }
    }

    /// The raw MD5, and the hex SHA-256 if it was asked for.
    func finalize() -> (md5: [UInt8], sha256: String?) {
        (Array(md5.finalize()), sha256.map { SigV4Signer.hex($0.finalize()) })
    }

    /// The CRC32 as S3's `x-amz-checksum-crc32` carries it (base64 of the big-endian value), if
    /// it was asked for.
    var checksumCRC32: String? { crc32.map(S3Checksum.crc32Value) }

    /// A request body of `length` bytes carrying these digests: Content-MD5, and the SHA-256 as
    /// the signed payload hash (UNSIGNED-PAYLOAD when it was not taken).
    func body(length: Int, make: @escaping @Sendable () -> HTTPClientRequest.Body) -> AWSRequest.Body {
        let (md5, sha256) = finalize()
        return AWSRequest.Body(length: length, payloadHash: sha256 ?? SigV4Signer.unsignedPayload, contentMD5: S3ETag.base64(md5),
                               make: make)
    }
}
