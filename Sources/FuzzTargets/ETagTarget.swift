import S3

/// ETags come from S3 listings and HEAD answers and are compared with local MD5s (`--checksum`).
/// The first 16 bytes also serve as an object size and a requested part size, for the part
/// size a multipart ETag is computed with.
public func fuzzETag(_ data: UnsafeRawBufferPointer) {
    let etag = String(decoding: data, as: UTF8.self)
    if let digest = S3ETag.singlePartDigest(etag) {
        check(digest.count == 16, "an MD5 ETag of \(digest.count) bytes")
        check(S3ETag.singlePartDigest(S3ETag.single(digest)) == digest, "an ETag does not read back as its digest")
    }
    if let parts = S3ETag.partCount(etag) {
        _ = parts
    }
    if data.count >= 16 {
        // Sizes as they can occur: S3 objects up to 2^50 bytes, --multipart-chunk-size up to 5 GiB.
        let size = Int64(data.loadUnaligned(fromByteOffset: 0, as: UInt64.self) & (1 << 50 - 1))
        let requested = Int64(data.loadUnaligned(fromByteOffset: 8, as: UInt64.self) % (5 << 30)) + 1
        let part = S3ETag.partSize(for: size, requested: requested)
        check(part >= 5 << 20 && part >= requested, "a part size of \(part) bytes for a request of \(requested)")
        check((size + part - 1) / part <= 10_000, "\(size) bytes in parts of \(part) make more than 10,000 parts")
    }
}
