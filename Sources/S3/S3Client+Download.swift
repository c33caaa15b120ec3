import AWSCore
import AsyncHTTPClient
import Crypto
import NIOCore
import NIOHTTP1

/// GetObject for downloads: whole or by byte range, retried like every other request. Each
/// piece is handed over with its offset in the object, so a retry simply writes the range
/// again from its start (positional writes make that idempotent).
extension S3Client {
    /// What a GET returned besides the bytes.
    public struct Download: Sendable {
        /// Size, ETag, storage class (LastModified is not in GET headers: 0).
        public var object: S3Object
        /// `x-amz-meta-*` values, prefix dropped (swiftsync keeps `mtime` and `mode` there).
        public var metadata: [String: String]
        /// MD5 of the bytes received, for checking against the ETag.
        public var md5: [UInt8]
        /// The whole object's size (from Content-Range on a ranged GET).
        public var totalSize: Int64
        /// Whether the ETag is an MD5 of the bytes (not with SSE-KMS or SSE-C).
        public var etagIsMD5: Bool
    }

    /// Downloads `range` of the object (nil: all of it), calling `write(offset, bytes)` for each
    /// piece in order. Retries on throttling, 5xx and dropped connections, restarting the range;
    /// an error `write` throws (a local file, an interruption) ends it at once.
    public func get(bucket: String, key: String, range: ClosedRange<Int64>? = nil,
                    write: (Int64, ByteBuffer) throws -> Void) async throws -> Download {
        var call = Call(operation: "GetObject", method: .GET, bucket: bucket, key: key)
        if let range { call.headers.append(("range", "bytes=\(range.lowerBound)-\(range.upperBound)")) }
        return try await stream(call) { response in
            let status = Int(response.status.code)
            guard status == 200 || (status == 206 && range != nil) else {
                throw AWSTransport.Final(S3Error(operation: "GetObject", bucket: bucket, key: key, status: status, code: nil,
                                                 message: "unexpected answer to a GET"))
            }
            let start = status == 206 ? range!.lowerBound : 0
            let expected = Int64(response.headers.first(name: "content-length") ?? "")
            var offset = start
            var md5 = Insecure.MD5()
            for try await piece in response.body {
                piece.withUnsafeReadableBytes { md5.update(bufferPointer: $0) }
                do { try write(offset, piece) } catch { throw AWSTransport.Final(error) }
                offset += Int64(piece.readableBytes)
            }
            if let expected, offset - start != expected {
                // A connection cut at a piece boundary ends the body early without an error.
                throw AWSError(operation: "GetObject", status: nil, code: nil,
                               message: "the answer ended after \(offset - start) of \(expected) bytes")
            }
            var (object, metadata) = Self.describe(key: key, headers: response.headers)
            var total = object.size
            if status == 206, let contentRange = response.headers.first(name: "content-range"),
               let slash = contentRange.lastIndex(of: "/"), let size = Int64(contentRange[contentRange.index(after: slash)...]) {
                total = size
            }
            object.size = total
            let kms = response.headers.first(name: "x-amz-server-side-encryption") == "aws:kms"
            let customerKey = response.headers.contains(name: "x-amz-server-side-encryption-customer-algorithm")
            return Download(object: object, metadata: metadata, md5: Array(md5.finalize()), totalSize: total,
                            etagIsMD5: !kms && !customerKey)
        }
    }

    /// GetObject of a whole object, handing the bytes over in order (for small objects and tests).
    public func get(bucket: String, key: String, into consume: (ByteBuffer) throws -> Void) async throws -> (object: S3Object, metadata: [String: String]) {
        var pieces: [ByteBuffer] = []
        let download = try await get(bucket: bucket, key: key) { offset, piece in
            // A retry starts again at 0: drop what the failed attempt delivered.
            if offset == 0 { pieces.removeAll() }
            pieces.append(piece)
        }
        for piece in pieces { try consume(piece) }
        return (download.object, download.metadata)
    }
}
