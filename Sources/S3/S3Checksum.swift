import CZlib

/// S3's additional checksums, as far as swiftsync uses them: multipart uploads are created with
/// `x-amz-checksum-algorithm: CRC32`, as the AWS SDKs create them, so S3 checks every part
/// against its `x-amz-checksum-crc32` and keeps a COMPOSITE checksum of the object
/// (`base64(CRC32(part CRC32s…))-N`, returned by GetObject and HeadObject with checksum mode
/// on).
public enum S3Checksum {
    /// The header value of a CRC32: base64 of its four bytes, big-endian.
    public static func crc32Value(_ crc: UInt32) -> String { S3ETag.base64(bigEndian(crc)) }

    /// The CRC32 of `bytes` (zlib's, which is S3's).
    public static func crc32(_ bytes: [UInt8]) -> UInt32 {
        bytes.withUnsafeBytes { crc32($0) }
    }

    /// The CRC32 of `crc`'s bytes followed by `bytes`: a running CRC32, one piece at a time.
    public static func crc32(_ bytes: UnsafeRawBufferPointer, continuing crc: UInt32 = 0) -> UInt32 {
        guard let base = bytes.baseAddress else { return crc }
        return UInt32(truncatingIfNeeded: CZlib.crc32_z(UInt(crc), base.assumingMemoryBound(to: UInt8.self), bytes.count))
    }

    /// The COMPOSITE checksum S3 gives a multipart object whose parts have these CRC32s.
    public static func compositeCRC32(_ parts: [UInt32]) -> String {
        "\(crc32Value(crc32(parts.flatMap(bigEndian))))-\(parts.count)"
    }

    private static func bigEndian(_ crc: UInt32) -> [UInt8] {
        [UInt8(crc >> 24), UInt8(crc >> 16 & 0xff), UInt8(crc >> 8 & 0xff), UInt8(crc & 0xff)]
    }
}
